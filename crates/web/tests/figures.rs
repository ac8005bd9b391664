//! The catalogue of figures through the real server, on both databases:
//! each figure over a subtree equals the count of the rows behind it, in
//! the page, the API and the workbook; the rows stay inside the reader's
//! scope and role.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use reqwest::Method;
use serde_json::Value;
use xueshi_testkit::{Client, TestApp, both};

async fn get(c: &Client, path: &str) -> (u16, Value) {
    let r = c.api(Method::GET, path, None).await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn scope_of(c: &Client) -> String {
    let (_, scope) = get(c, "/api/v1/units").await;
    scope["unit"]["id"].as_str().unwrap().to_owned()
}

fn figure<'a>(list: &'a Value, key: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {list}"))
}

both!(
    async fn every_figure_opens_to_as_many_rows_as_it_says(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let root = scope_of(&office).await;
        let (status, list) = get(&office, &format!("/api/v1/units/{root}/figures")).await;
        assert_eq!(status, 200, "{list}");
        // The seed figures the district models (001, 000).
        for (key, value, words) in [
            ("grassroots_units", 534, "534个"),
            ("members", 11_543, "11543名"),
            ("key_matters", 28, "28件"),
            ("general_matters", 146, "146件"),
        ] {
            let f = figure(&list, key);
            assert_eq!(f["value"], value, "{key}");
            assert_eq!(f["words"], words, "{key}");
        }
        for f in list.as_array().unwrap() {
            let key = f["key"].as_str().unwrap();
            let value = f["value"].as_i64().unwrap();
            assert_eq!(f["can_open"], true, "{key}");
            let (status, rows) = get(&office, &format!("/api/v1/units/{root}/figures/rows?figure={key}")).await;
            assert_eq!(status, 200, "{rows}");
            let total = rows["total"].as_i64().unwrap();
            if f["adds_up"] == true {
                // The matters behind an outcome add up to it, on every page.
                assert_eq!(rows["sum"], value, "{key}");
                let mut sum = 0;
                for page in 0..rows["pages"].as_i64().unwrap() {
                    let (_, p) = get(&office, &format!("/api/v1/units/{root}/figures/rows?figure={key}&page={page}")).await;
                    sum += p["rows"].as_array().unwrap().iter().map(|r| r[4].as_str().unwrap().parse::<i64>().unwrap()).sum::<i64>();
                }
                assert_eq!(sum, value, "{key}");
            } else {
                assert_eq!(total, value, "{key}");
            }
            assert_eq!(rows["rows"].as_array().unwrap().len() as i64, total.min(50), "{key}");
            assert_eq!(rows["pages"], (total + 49) / 50, "{key}");
        }
        assert!(xueshi_app::figures::check(&t.app).await.unwrap().is_empty());

        // The last page of the members holds the remainder.
        let (_, last) = get(&office, &format!("/api/v1/units/{root}/figures/rows?figure=members&page=230")).await;
        assert_eq!(last["rows"].as_array().unwrap().len(), 11_543 - 230 * 50);

        // The page says the same, pages on, and links the workbook.
        let mut browser = t.signed_in("office").await;
        let (status, page) = browser.page(&format!("/units/{root}/figures")).await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!("href=\"/units/{root}/figures/rows?figure=key_matters\"")));
        let (_, rows) = browser.page(&format!("/units/{root}/figures/rows?figure=members&page=1")).await;
        assert!(rows.contains("共 11543 条记录，即数字 11543名"), "{rows}");
        assert!(rows.contains("第 2 / 231 页"));
        let (_, unit) = browser.page(&format!("/units/{root}")).await;
        assert!(unit.contains(&format!("href=\"/units/{root}/figures\"")));

        // The workbook holds every row, and its export is audited.
        let r = browser.get(&format!("/units/{root}/figures/rows.xlsx?figure=key_matters")).await;
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap().to_vec();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let sheet = wb.worksheet_range("重点民生实事").unwrap();
        let titles: Vec<String> = sheet.rows().skip(3).map(|r| r[0].to_string()).filter(|s| !s.is_empty()).collect();
        assert_eq!(titles.len(), 28);
        let mut conn = t.app.store().read().await.unwrap();
        let exports: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'figure.export'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(exports, 1);

        // An unknown figure is not there.
        let (status, _) = get(&office, &format!("/api/v1/units/{root}/figures/rows?figure=budget")).await;
        assert_eq!(status, 404);
    }
);

both!(
    async fn a_reader_sees_figures_and_rows_of_their_own_subtree_and_role(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let root = scope_of(&office).await;

        let mut town = t.client();
        town.api_login("songyanghu", "xueshi2021").await;
        let own = scope_of(&town).await;
        for path in [
            format!("/api/v1/units/{root}/figures"),
            format!("/api/v1/units/{root}/figures/rows?figure=members"),
        ] {
            assert_eq!(get(&town, &path).await.0, 403, "{path}");
        }
        let (_, mine) = get(&town, &format!("/api/v1/units/{own}/figures")).await;
        let (_, unit) = get(&town, &format!("/api/v1/units/{own}")).await;
        assert_eq!(figure(&mine, "members")["value"], unit["unit"]["tally"]["members_total"]);
        let (status, rows) = get(&town, &format!("/api/v1/units/{own}/figures/rows?figure=members")).await;
        assert_eq!(status, 200);
        assert_eq!(rows["total"], unit["unit"]["tally"]["members_total"]);

        // A member sees the figure over their branch, never the names.
        let mut member = t.client();
        member.api_login("member", "xueshi2021").await;
        let branch = scope_of(&member).await;
        let (status, list) = get(&member, &format!("/api/v1/units/{branch}/figures")).await;
        assert_eq!(status, 200);
        assert_eq!(figure(&list, "members")["can_open"], false);
        let (status, _) = get(&member, &format!("/api/v1/units/{branch}/figures/rows?figure=members")).await;
        assert_eq!(status, 403);
        let (status, _) = get(&member, &format!("/api/v1/units/{branch}/figures/rows?figure=grassroots_units")).await;
        assert_eq!(status, 200);
    }
);

both!(
    async fn figures_counted_by_day_open_to_the_days_rows(db) {
        let t = TestApp::district_studying(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let root = scope_of(&office).await;
        // The week ending today, unless the reader chooses the days.
        let (status, list) = get(&office, &format!("/api/v1/units/{root}/figures")).await;
        assert_eq!(status, 200, "{list}");
        for key in ["quiz_taken", "check_ins"] {
            let f = figure(&list, key);
            let value = f["value"].as_i64().unwrap();
            assert!(value > 0, "{key}: {f}");
            let (from, to) = (f["span"]["from"].as_str().unwrap(), f["span"]["to"].as_str().unwrap());
            let (_, rows) = get(&office, &format!("/api/v1/units/{root}/figures/rows?figure={key}&from={from}&to={to}")).await;
            assert_eq!(rows["total"], value, "{key}");
            // One day of the week counts what that day's rows hold.
            let (_, day) = get(&office, &format!("/api/v1/units/{root}/figures/rows?figure={key}&from={to}&to={to}")).await;
            let on_day: Vec<&Value> = rows["rows"].as_array().unwrap().iter().filter(|r| r[0] == to).collect();
            assert!(day["total"].as_i64().unwrap() <= value);
            if rows["pages"] == 1 {
                assert_eq!(day["total"].as_i64().unwrap(), on_day.len() as i64, "{key}");
            }
        }
        assert!(xueshi_app::figures::check(&t.app).await.unwrap().is_empty());

        // The overview draws each day of the week, adding up to the figures,
        // and names the units behind, fewest quizzes per member first.
        let (status, o) = get(&office, &format!("/api/v1/units/{root}/overview")).await;
        assert_eq!(status, 200, "{o}");
        let days = o["days"].as_array().unwrap();
        assert_eq!(days.len(), 7);
        for (key, field) in [("quiz_taken", "quiz_taken"), ("check_ins", "check_ins")] {
            let by_day: i64 = days.iter().map(|d| d[field].as_i64().unwrap()).sum();
            assert_eq!(by_day, figure(&list, key)["value"].as_i64().unwrap(), "{key}");
        }
        let behind: Vec<i64> = o["behind"].as_array().unwrap().iter().map(|u| u["quiz_permille"].as_i64().unwrap()).collect();
        assert!(!behind.is_empty() && behind.len() <= 5 && behind.windows(2).all(|w| w[0] <= w[1]), "{behind:?}");
        let mut member = t.client();
        member.api_login("member", "xueshi2021").await;
        let branch = member.api(Method::GET, "/api/v1/units", None).await.json::<Value>().await.unwrap()["unit"]["id"].as_str().unwrap().to_owned();
        let (_, mine) = get(&member, &format!("/api/v1/units/{branch}/overview")).await;
        assert!(mine["days"].as_array().unwrap().is_empty() && mine["behind"].as_array().unwrap().is_empty(), "{mine}");

        // Dates that make no span are refused, naming the field.
        let (status, body) = get(&office, &format!("/api/v1/units/{root}/figures/rows?figure=check_ins&from=2021-07-01&to=2021-06-01")).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["fields"][0]["field"], "from");
        let (status, body) = get(&office, &format!("/api/v1/units/{root}/figures?from=2021-02-30")).await;
        assert_eq!(status, 422, "{body}");

        // The page carries the days to the rows and the workbook.
        let mut browser = t.signed_in("office").await;
        let (_, page) = browser.page(&format!("/units/{root}/figures")).await;
        assert!(page.contains("id=\"figures-trend\"") && page.contains("id=\"figures-behind\""));
        let f = figure(&list, "check_ins");
        let (from, to) = (f["span"]["from"].as_str().unwrap(), f["span"]["to"].as_str().unwrap());
        assert!(page.contains(&format!("figure=check_ins&amp;from={from}&amp;to={to}")), "{page}");
        let (status, rows) = browser.page(&format!("/units/{root}/figures/rows?figure=check_ins&from={from}&to={to}")).await;
        assert_eq!(status, 200);
        // The template's escaper writes & as &#38;, which reads as &amp;.
        let rows = rows.replace("&#38;", "&amp;");
        assert!(rows.contains(&format!("rows.xlsx?figure=check_ins&amp;from={from}&amp;to={to}")), "{rows}");

        // A briefing's Word document draws the units' quizzes per member.
        let made: Value = office
            .api(Method::POST, &format!("/api/v1/units/{root}/briefings"), Some(serde_json::json!({ "kind": "weekly" })))
            .await
            .json()
            .await
            .unwrap();
        let doc = browser.get(&format!("/briefings/{}/document.docx", made["id"].as_str().unwrap())).await;
        let mut zip = zip::ZipArchive::new(Cursor::new(doc.bytes().await.unwrap().to_vec())).unwrap();
        let mut body = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut body).unwrap();
        assert!(body.contains("各单位人均每日答题（%）") && body.contains("█"), "the chart");

        // The public summary states the catalogue's matters figures.
        let public = t.client();
        let (_, summary) = { let mut p = public; p.page("/public/summary").await };
        for key in ["key_matters", "general_matters", "matters_done", "affairs", "problems_solved", "disputes"] {
            let v = figure(&list, key)["value"].as_i64().unwrap();
            assert!(summary.contains(&format!("id=\"sum-{key}\">{v}<br>")), "{key} {v}");
        }
    }
);
