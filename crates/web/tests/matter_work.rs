//! The working side of practical matters through the real server, on both
//! databases: the board's and the public summary's figures against the raw
//! rows, lateness (overdue, behind on reporting) and the reporting cadence,
//! progress photos, the catalogue workbook both ways, typical-case rounds
//! and their defences against ballot stuffing, and public pages that name
//! nobody.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_testkit::people::{code_of, member_of, post, post_solved, visitor};
use xueshi_testkit::{Client, TestApp, both, dump, without_refusals};

async fn get(c: &Client, path: &str) -> (u16, Value) {
    let r = c.api(Method::GET, path, None).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Every table but sessions, whose last-seen time every request moves, and
/// the records of refusals, which every refused request adds.
async fn tables(t: &TestApp) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut all = without_refusals(dump(t.app.store()).await);
    all.remove("sessions");
    all
}

/// Fails naming the tables that differ from `before`.
async fn unchanged(
    t: &TestApp,
    before: &std::collections::BTreeMap<String, Vec<String>>,
    what: &str,
) {
    let now = tables(t).await;
    let differ: Vec<&String> = now
        .keys()
        .filter(|k| now.get(*k) != before.get(*k))
        .collect();
    assert!(differ.is_empty(), "{what}: {differ:?} changed");
}

async fn scalar(t: &TestApp, sql: &str) -> i64 {
    let mut db = t.app.store().read().await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut *db)
        .await
        .unwrap()
}

fn today(t: &TestApp, plus_days: i64) -> String {
    xueshi_domain::date::iso(t.app.clock().today() + time::Duration::days(plus_days))
}

async fn office(t: &TestApp) -> (Client, Value) {
    let mut c = t.client();
    assert_eq!(c.api_login("office", "xueshi2021").await.0, 200);
    let scope = get(&c, "/api/v1/units").await.1;
    (c, scope)
}

both!(
    async fn the_board_and_the_public_summary_count_the_demo_catalogue(db) {
        let t = TestApp::district(db).await;
        let (office, scope) = office(&t).await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let (s, b) = get(&office, &format!("/api/v1/units/{root}/matters")).await;
        assert_eq!(s, 200, "{b}");
        let all = &b["figures"]["all"];

        // Seed 001's catalogue: 28 key matters and 146 general ones, stated
        // as the report states them; the dropped are beside them.
        assert_eq!(scalar(&t, "SELECT COUNT(*) FROM matters WHERE status <> 'dropped'").await, 174);
        assert_eq!(all["matters"], 174);
        assert_eq!(b["figures"]["key"], 28);
        let general = b["figures"]["by_level"].as_array().unwrap().iter().find(|l| l["key"] == "general").unwrap()["matters"].clone();
        assert_eq!(general, 146);
        let key: i64 = b["figures"]["by_level"].as_array().unwrap().iter()
            .filter(|l| l["key"].as_str().unwrap().ends_with("_key")).map(|l| l["matters"].as_i64().unwrap()).sum();
        assert_eq!(key, 28);
        let live = scalar(&t, "SELECT COUNT(*) FROM matters WHERE status <> 'dropped'").await;
        assert_eq!(all["matters"].as_i64(), Some(live));
        assert_eq!(all["done"].as_i64(), Some(scalar(&t, "SELECT COUNT(*) FROM matters WHERE status = 'done'").await));
        for (figure, column) in [("problems_solved", "problems_solved"), ("affairs", "affairs"), ("disputes", "disputes"), ("people_served", "people_served")] {
            let sql = format!("SELECT CAST(COALESCE(SUM({column}), 0) AS BIGINT) FROM matters WHERE status <> 'dropped'");
            assert_eq!(all["outcomes"][figure].as_i64(), Some(scalar(&t, &sql).await), "{figure}");
        }
        let overdue = scalar(&t, &format!(
            "SELECT COUNT(*) FROM matters WHERE status NOT IN ('done', 'dropped') AND deadline < '{}'", today(&t, 0)
        )).await;
        assert!(overdue > 0, "the demo has overdue matters");
        assert_eq!(all["overdue"].as_i64(), Some(overdue));
        let sum = |list: &Value| list.as_array().unwrap().iter().map(|x| x["matters"].as_i64().unwrap()).sum::<i64>();
        assert_eq!(b["figures"]["by_field"].as_array().unwrap().len(), 8);
        assert_eq!(sum(&b["figures"]["by_field"]), live);
        assert_eq!(sum(&b["by_unit"]), live, "every matter is under one unit of the root");
        // Every breakdown shown sums to the total shown; dropped matters are
        // counted apart, and listed only when asked for.
        let dropped = scalar(&t, "SELECT COUNT(*) FROM matters WHERE status = 'dropped'").await;
        assert!(dropped > 0, "the demo has dropped matters");
        assert_eq!(b["figures"]["dropped"].as_i64(), Some(dropped));
        for part in ["by_level", "by_field", "by_status"] {
            assert_eq!(sum(&b["figures"][part]), live, "{part}");
        }
        assert_eq!(b["total"].as_i64(), Some(live), "the list counts what the figures count");
        let (_, gone) = get(&office, &format!("/api/v1/units/{root}/matters?status=dropped")).await;
        assert_eq!(gone["total"].as_i64(), Some(dropped));

        // Lateness filters list what the figures count.
        let (_, late) = get(&office, &format!("/api/v1/units/{root}/matters?late=overdue")).await;
        assert_eq!(late["total"].as_i64(), Some(overdue));
        assert!(late["matters"].as_array().unwrap().iter().all(|m| m["overdue"] == true));
        let (_, behind) = get(&office, &format!("/api/v1/units/{root}/matters?late=report")).await;
        assert!(behind["total"].as_i64().unwrap() > 0, "some demo matters are behind on reporting");
        assert!(behind["matters"].as_array().unwrap().iter().all(|m| m["behind_report"] == true));
        let (_, none) = get(&office, &format!("/api/v1/units/{root}/matters?status=bogus")).await;
        assert_eq!(none["total"], 0, "an unknown filter matches nothing");

        // Leaders who owe a claim: leaders, leading nothing.
        let owing = &b["owing"];
        assert!(owing["total"].as_i64().unwrap() >= 2);
        assert_eq!(owing["total"].as_i64(), Some(scalar(&t, "SELECT COUNT(*) FROM members p WHERE p.cadre_level = 'leader' AND p.left_at IS NULL AND NOT EXISTS (SELECT 1 FROM matter_claims c WHERE c.member_id = p.id AND c.role = 'lead')").await));
        for m in owing["members"].as_array().unwrap() {
            let id = m[0].as_str().unwrap();
            assert_eq!(scalar(&t, &format!("SELECT COUNT(*) FROM matter_claims WHERE member_id = {id} AND role = 'lead'")).await, 0);
        }

        // The public summary is the same count.
        let (_, summary) = get(&t.client(), "/api/v1/public/summary").await;
        assert_eq!(summary["all"], *all);
        for part in ["by_level", "by_field", "by_status"] {
            assert_eq!(sum(&summary[part]), summary["all"]["matters"].as_i64().unwrap(), "summary {part}");
        }

        // A unit's board is its own subtree; the root's is refused to it.
        let mut ua = t.client();
        ua.api_login("songyanghu", "xueshi2021").await;
        let own = get(&ua, "/api/v1/units").await.1["unit"]["id"].as_str().unwrap().to_owned();
        let (s, mine) = get(&ua, &format!("/api/v1/units/{own}/matters")).await;
        assert_eq!(s, 200);
        let row = b["by_unit"].as_array().unwrap().iter().find(|u| u["unit_id"] == own.as_str()).unwrap();
        assert_eq!(mine["figures"]["all"]["matters"], row["matters"]);
        assert_eq!(get(&ua, &format!("/api/v1/units/{root}/matters")).await.0, 403);
        assert_eq!(get(&ua, &format!("/api/v1/units/{root}/matters/figures")).await.0, 403);

        // A member's own matters.
        let lead: (i64, i64) = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_as("SELECT c.member_id, p.unit_id FROM matter_claims c JOIN members p ON p.id = c.member_id WHERE c.role = 'lead' AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = p.id) ORDER BY c.member_id LIMIT 1")
                .fetch_one(&mut *db).await.unwrap()
        };
        let member = xueshi_testkit::people::member_account(&t, lead.0, lead.1, "leadmember").await.unwrap();
        let (s, m) = get(&member, "/api/v1/me/matters").await;
        assert_eq!(s, 200);
        let claimed = scalar(&t, &format!("SELECT COUNT(*) FROM matter_claims WHERE member_id = {}", lead.0)).await;
        assert_eq!(m["claimed"].as_array().unwrap().len() as i64, claimed);
        assert_eq!(m["owes_claim"], false);

        // The pages, in both languages' default.
        let mut page = t.client();
        page.login("office", "xueshi2021").await;
        for (path, want) in [
            (format!("/units/{root}/matters"), "逾期"),
            ("/problems".to_owned(), "待分办 8 件"),
            ("/cases".to_owned(), "第二批"),
            ("/public/summary".to_owned(), "成效公示"),
            ("/public/cases".to_owned(), "典型案例"),
        ] {
            let (s, html) = page.page(&path).await;
            assert_eq!(s, 200, "{path}");
            assert!(html.contains(want), "{path} shows {want}");
            assert!(html.contains("<svg") || !path.contains("summary"), "{path} has its charts");
        }
    }
);

both!(
    async fn progress_reports_carry_photos_and_lateness_is_flagged(db) {
        let t = TestApp::district(db).await;
        let (office, scope) = office(&t).await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let (s, m) = post(&office, "/api/v1/matters", json!({
            "unit_id": root, "title": "荣家湾社区背街小巷路灯安装", "level": "general", "field": "民生改善", "deadline": today(&t, 2),
        })).await;
        assert_eq!(s, 201, "{m}");
        let id = m["id"].as_str().unwrap().to_owned();
        let mut lead = member_of(&t, "section", 3).await;
        assert_eq!(post(&lead, &format!("/api/v1/matters/{id}/claims"), json!({ "role": "lead" })).await.0, 201);

        // A real PNG (a screenshot, say); it is kept as a JPEG.
        let mut png = Vec::new();
        image::RgbImage::from_pixel(64, 48, image::Rgb([200, 40, 40]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let gif = b"GIF89a.....".to_vec();
        let form = |f: reqwest::multipart::Form, photos: Vec<Vec<u8>>| {
            let mut f = f.text("event", "report").text("progress", "30").text("note", "已安装灯杆12根");
            for p in photos {
                f = f.part("photo", reqwest::multipart::Part::bytes(p).file_name("p.jpg"));
            }
            f
        };
        let before = tables(&t).await;
        let r = lead.multipart(&format!("/matters/{id}/steps"), |f| form(f, vec![png.clone(), gif])).await;
        assert_eq!(r.status(), 422, "a GIF named .jpg is refused by its bytes");
        let r = lead.multipart(&format!("/matters/{id}/steps"), |f| form(f, vec![png.clone(); 5])).await;
        assert_eq!(r.status(), 422, "at most four photos a report");
        unchanged(&t, &before, "refused reports change nothing").await;
        let r = lead.multipart(&format!("/matters/{id}/steps"), |f| form(f, vec![png.clone()])).await;
        assert_eq!(r.status(), 303);

        let (_, d) = get(&office, &format!("/api/v1/matters/{id}")).await;
        assert_eq!(d["matter"]["progress"], 30);
        let photos = d["photos"].as_array().unwrap();
        assert_eq!(photos.len(), 1);
        let last = d["history"].as_array().unwrap().last().unwrap();
        assert_eq!((last["event"].as_str(), &photos[0][1]), (Some("report"), &last["id"]));
        let photo = office.get(&format!("/matters/{id}/photo?p={}", photos[0][0].as_str().unwrap())).await;
        assert_eq!(photo.headers()["content-type"], "image/jpeg");
        let kept = image::load_from_memory(&photo.bytes().await.unwrap()).unwrap();
        assert_eq!((kept.width(), kept.height()), (64, 48));
        assert_eq!(d["matter"]["overdue"], false);
        assert_eq!(d["matter"]["behind_report"], false);

        // Eight days on: past the deadline, and a week without a report.
        t.advance_minutes(8 * 24 * 60);
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let (_, d) = get(&office, &format!("/api/v1/matters/{id}")).await;
        assert_eq!((d["matter"]["overdue"].as_bool(), d["matter"]["behind_report"].as_bool()), (Some(true), Some(true)));
        let (_, late) = get(&office, &format!("/api/v1/units/{root}/matters?late=report&field=%E6%B0%91%E7%94%9F%E6%94%B9%E5%96%84")).await;
        assert!(late["matters"].as_array().unwrap().iter().any(|m| m["id"] == id.as_str()));
        lead.api_login("section3", "xueshi2021").await;
        assert_eq!(post(&lead, &format!("/api/v1/matters/{id}/steps"), json!({ "event": "report", "progress": 70 })).await.0, 200);
        let (_, d) = get(&office, &format!("/api/v1/matters/{id}")).await;
        assert_eq!((d["matter"]["overdue"].as_bool(), d["matter"]["behind_report"].as_bool()), (Some(true), Some(false)));

        // The cadence: monthly carries to unfinished matters; anything but
        // weekly or monthly is refused, and a unit below the campaign may
        // not change it.
        let mut ua = t.client();
        ua.api_login("songyanghu", "xueshi2021").await;
        let own = get(&ua, "/api/v1/units").await.1["unit"]["id"].as_str().unwrap().to_owned();
        let before = tables(&t).await;
        let (s, b) = post(&office, &format!("/api/v1/units/{root}/matters/cadence"), json!({ "report_days": 14 })).await;
        assert_eq!((s, code_of(&b).as_str()), (422, "bad_choice"));
        assert_eq!(post(&ua, &format!("/api/v1/units/{own}/matters/cadence"), json!({ "report_days": 30 })).await.0, 403);
        unchanged(&t, &before, "refused").await;
        assert_eq!(post(&office, &format!("/api/v1/units/{root}/matters/cadence"), json!({ "report_days": 30 })).await.0, 204);
        let (_, d) = get(&office, &format!("/api/v1/matters/{id}")).await;
        assert_eq!(d["matter"]["report_days"], 30);
        assert_eq!(scalar(&t, "SELECT COUNT(*) FROM matters WHERE status NOT IN ('done', 'dropped') AND report_days <> 30").await, 0);
        assert_eq!(scalar(&t, "SELECT COUNT(*) FROM audit_log WHERE action = 'matter.cadence'").await, 1);
    }
);

/// A catalogue workbook: the header, then rows of the import's columns.
fn workbook(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("实事目录").unwrap();
    for (c, h) in [
        "标题",
        "级别",
        "领域",
        "责任单位编码",
        "完成时限",
        "目标",
        "预算（元）",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

both!(
    async fn the_catalogue_goes_out_and_comes_in_as_a_workbook(db) {
        let t = TestApp::district(db).await;
        let (office, scope) = office(&t).await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let code = scope["unit"]["code"].as_str().unwrap().to_owned();
        let lukou = scope["children"].as_array().unwrap().iter().find(|c| c["name"] == "路口镇党委").unwrap()["code"].as_str().unwrap().to_owned();

        let r = office.get(&format!("/units/{root}/matters.xlsx")).await;
        assert_eq!(r.status(), 200);
        let exported = r.bytes().await.unwrap().to_vec();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(exported.clone())).unwrap();
        let range = calamine::Reader::worksheet_range(&mut wb, "实事目录").unwrap();
        assert_eq!(range.height(), 175, "a header and every matter");
        assert!(range.get((0, 0)).unwrap().to_string().starts_with("标题"));

        // Read back, every row is already on the catalogue: nothing changes.
        let before = tables(&t).await;
        let r = office.upload("/api/v1/matters/imports", "catalogue.xlsx", exported).await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        let rows = body["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 174);
        assert!(rows.iter().all(|e| e["code"] == "matter_exists"), "{}", rows[0]);

        // Every bad cell by row and column, and nothing imported.
        let bad = workbook(&[
            ["陆城镇桃林村安全饮水巩固提升", "一般", "乡村振兴", &code, "2026-12-31", "惠及农户800户", "300000"],
            ["无级别的项目", "特级", "乡村振兴", &code, "2026-12-31", "", ""],
            ["无单位的项目", "一般", "民生改善", "NOPE-1", "2026-12-31", "", ""],
            ["日期不对的项目", "一般", "民生改善", &code, "2026-02-30", "", ""],
            ["陆城镇桃林村安全饮水巩固提升", "一般", "乡村振兴", &code, "2026-12-31", "", ""],
            ["金额不对的项目", "一般", "航天", &code, "2026-12-31", "", "12万"],
        ]);
        let r = office.upload("/api/v1/matters/imports", "bad.xlsx", bad).await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        let found: BTreeSet<(i64, String, String)> = body["rows"].as_array().unwrap().iter()
            .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap().to_owned()))
            .collect();
        for want in [
            (3, "B", "bad_choice"),
            (4, "D", "unknown_unit"),
            (5, "E", "bad_date"),
            (6, "A", "duplicate_in_file"),
            (7, "C", "bad_choice"),
            (7, "G", "bad_money"),
        ] {
            assert!(found.contains(&(want.0, want.1.to_owned(), want.2.to_owned())), "{want:?} in {found:?}");
        }
        unchanged(&t, &before, "a rejected workbook changes nothing").await;

        // A unit admin's workbook may only name units of its own subtree.
        let mut ua = t.client();
        ua.api_login("songyanghu", "xueshi2021").await;
        let r = ua.upload("/api/v1/matters/imports", "ua.xlsx", workbook(&[["路口镇集镇改造", "一般", "民生改善", &lukou, "2026-12-31", "", ""]])).await;
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["rows"][0]["code"], "out_of_scope", "{body}");

        let good = workbook(&[
            ["陆城镇桃林村安全饮水巩固提升", "一般", "乡村振兴", &code, "2026-12-31", "惠及农户800户", "300000"],
            ["路口镇枧冲村山塘整治", "区级重点", "生态保护", &lukou, "2026-11-30", "整治山塘3口", "1,250,000.50"],
        ]);
        let r = office.upload("/api/v1/matters/imports", "good.xlsx", good).await;
        assert_eq!(r.status(), 201);
        assert_eq!(r.json::<Value>().await.unwrap()["matters"], 2);
        assert_eq!(scalar(&t, "SELECT COUNT(*) FROM matters WHERE status <> 'dropped'").await, 176);
        assert_eq!(scalar(&t, "SELECT budget_fen FROM matters WHERE title = '路口镇枧冲村山塘整治'").await, 125_000_050);
        assert_eq!(scalar(&t, "SELECT COUNT(*) FROM matter_events e JOIN matters m ON m.id = e.matter_id WHERE m.title = '路口镇枧冲村山塘整治' AND e.event = 'approve'").await, 1);
        assert_eq!(scalar(&t, "SELECT COUNT(*) FROM audit_log WHERE action IN ('matter.import', 'matter.export')").await, 2);

        // Fields are the catalogue's own: the office at the root adds one,
        // once; a unit below may not.
        assert_eq!(post(&ua, "/api/v1/matters/fields", json!({ "name": "营商环境" })).await.0, 403);
        assert_eq!(post(&office, "/api/v1/matters/fields", json!({ "name": "营商环境" })).await.0, 204);
        let (s, b) = post(&office, "/api/v1/matters/fields", json!({ "name": "營商環境" })).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "field_exists"), "繁體 is the same field");
        let (_, board) = get(&office, &format!("/api/v1/units/{root}/matters")).await;
        assert!(board["fields"].as_array().unwrap().iter().any(|f| f == "营商环境"));

        // The board page carries the refusals by row and column too.
        let mut page = t.client();
        page.login("office", "xueshi2021").await;
        page.page(&format!("/units/{root}/matters")).await;
        let r = page.upload("/matters/import", "bad.xlsx", workbook(&[["无级别", "特级", "乡村振兴", &code, "2026-12-31", "", ""]])).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("第 2 行") && html.contains("级别"), "{}", &html[html.find("problems").unwrap_or(0)..][..300.min(html.len())]);
    }
);

both!(
    async fn typical_case_votes_are_one_per_browser_and_capped_per_address(db) {
        // Every visitor here comes from 127.0.0.1: lift the per-minute limit
        // so the per-round ceiling is what refuses.
        let (tdb, app) = xueshi_testkit::district(db).await;
        let web = xueshi_web::WebConfig { problems_per_minute: 1000, ..xueshi_web::WebConfig::default() };
        let t = TestApp::serve(tdb, app, web).await;
        let (office, scope) = office(&t).await;
        let (closed, open): (i64, i64) = {
            let mut db = t.app.store().read().await.unwrap();
            let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM case_rounds ORDER BY closes_at").fetch_all(&mut *db).await.unwrap();
            (ids[0], ids[1])
        };
        let public = t.client();
        let (_, c) = get(&public, &format!("/api/v1/public/cases/{closed}")).await;
        assert_eq!(c["open"], false);
        let counts: Vec<i64> = c["nominees"].as_array().unwrap().iter().map(|n| n["votes"].as_i64().unwrap()).collect();
        assert_eq!(counts.iter().sum::<i64>(), c["votes"].as_i64().unwrap());
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most votes first: {counts:?}");
        let (_, o) = get(&public, &format!("/api/v1/public/cases/{open}")).await;
        assert_eq!((o["open"].as_bool(), &o["votes"]), (Some(true), &Value::Null), "no counts while voting");
        assert!(o["nominees"].as_array().unwrap().iter().all(|n| n["votes"].is_null()));
        let (_, live) = get(&office, &format!("/api/v1/cases/{open}")).await;
        let start = live["votes"].as_i64().unwrap();
        let nominee = o["nominees"][0]["matter_id"].clone();
        let votes = format!("/api/v1/public/cases/{open}/votes");

        let v = visitor(&t).await;
        let before = tables(&t).await;
        let (s, b) = post(&v, &votes, json!({ "matter_id": nominee, "challenge": "x.y", "answer": "3" })).await;
        assert_eq!((s, code_of(&b).as_str()), (422, "challenge_failed"));
        let (s, b) = post_solved(&v, &votes, json!({ "matter_id": scope["unit"]["id"] })).await;
        assert_eq!((s, code_of(&b).as_str()), (422, "not_nominated"));
        let (s, b) = post_solved(&v, &format!("/api/v1/public/cases/{closed}/votes"), json!({ "matter_id": c["nominees"][0]["matter_id"] })).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "round_closed"));
        unchanged(&t, &before, "refused votes change nothing").await;

        let (token, answer) = xueshi_testkit::people::solve(&v).await;
        let (s, _) = post(&v, &votes, json!({ "matter_id": nominee, "challenge": token, "answer": answer })).await;
        assert_eq!(s, 201);
        let (s, b) = post_solved(&v, &votes, json!({ "matter_id": nominee })).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "already_voted"), "one vote per browser and round");
        let other = visitor(&t).await;
        let (s, b) = post(&other, &votes, json!({ "matter_id": nominee, "challenge": token, "answer": answer })).await;
        assert_eq!((s, code_of(&b).as_str()), (422, "challenge_used"), "a sum is spent once");

        // A script that throws its token away after each vote: the address
        // has a ceiling per round.
        let ceiling = xueshi_domain::matter::VOTES_PER_ADDRESS;
        for _ in 1..ceiling {
            let fresh = visitor(&t).await;
            assert_eq!(post_solved(&fresh, &votes, json!({ "matter_id": nominee })).await.0, 201);
        }
        let fresh = visitor(&t).await;
        let (s, b) = post_solved(&fresh, &votes, json!({ "matter_id": nominee })).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "address_votes_spent"));
        let (_, live) = get(&office, &format!("/api/v1/cases/{open}")).await;
        assert_eq!(live["votes"].as_i64(), Some(start + ceiling));
        assert_eq!(scalar(&t, "SELECT COUNT(*) FROM audit_log WHERE action = 'case.vote'").await, ceiling);
        let voters: Vec<String> = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT voter FROM case_votes").fetch_all(&mut *db).await.unwrap()
        };
        assert!(voters.iter().all(|v| !v.contains("127.0.0.1")), "voters are kept only as digests");

        // Opening a round: finished matters of one's own subtree, a date to
        // come, two at least.
        let root = scope["unit"]["id"].clone();
        let done: Vec<String> = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT CAST(id AS TEXT) FROM matters WHERE status = 'done' ORDER BY id LIMIT 3").fetch_all(&mut *db).await.unwrap()
        };
        let unfinished: String = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT CAST(id AS TEXT) FROM matters WHERE status = 'approved' ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        let mut ua = t.client();
        ua.api_login("songyanghu", "xueshi2021").await;
        let before = tables(&t).await;
        let (s, b) = post(&office, "/api/v1/cases", json!({
            "unit_id": root, "title": "", "closes_on": today(&t, 0),
            "nominees": [{ "matter_id": done[0] }, { "matter_id": unfinished }],
        })).await;
        assert_eq!(s, 422);
        let fields: BTreeSet<&str> = b["fields"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        for want in ["required", "not_future", "not_finished_here"] {
            assert!(fields.contains(want), "{want} in {fields:?}");
        }
        let (s, _) = post(&ua, "/api/v1/cases", json!({
            "unit_id": root, "title": "越权评选", "closes_on": today(&t, 10),
            "nominees": [{ "matter_id": done[0] }, { "matter_id": done[1] }],
        })).await;
        assert_eq!(s, 403);
        unchanged(&t, &before, "refused").await;
        let (s, r) = post(&office, "/api/v1/cases", json!({
            "unit_id": root, "title": "第三批典型案例评选", "closes_on": today(&t, 10),
            "nominees": [{ "matter_id": done[0], "blurb": "群众满意度高" }, { "matter_id": done[1] }, { "matter_id": done[2] }],
        })).await;
        assert_eq!((s, r["nominees"].as_array().map(Vec::len)), (201, Some(3)), "{r}");
        let mut page = visitor(&t).await;
        let (s, html) = page.page(&format!("/public/cases/{}", r["id"].as_str().unwrap())).await;
        assert!(s == 200 && html.contains("vote-form") && html.contains("群众满意度高"));
    }
);

both!(
    async fn public_pages_name_nobody_and_show_no_contact(db) {
        let t = TestApp::district(db).await;
        let mut db = t.app.store().read().await.unwrap();
        // What the public may read: titles, targets, units, problems.
        let mut public_text: String = String::new();
        for sql in ["SELECT title || target FROM matters", "SELECT name FROM units", "SELECT body || area FROM problems", "SELECT title FROM case_rounds"] {
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *db).await.unwrap();
            public_text.extend(rows);
        }
        // Who must never appear: everyone taking part in a matter, every
        // account's holder, and their phone numbers; the public's contacts.
        let people: Vec<(String, Option<Vec<u8>>)> = sqlx::query_as(
            "SELECT p.name, p.phone_sealed FROM members p WHERE p.id IN (SELECT member_id FROM matter_claims) \
             OR p.id IN (SELECT member_id FROM accounts WHERE member_id IS NOT NULL)",
        ).fetch_all(&mut *db).await.unwrap();
        let mut secrets: Vec<String> = Vec::new();
        for (name, phone) in &people {
            if name.chars().count() >= 2 && !public_text.contains(name.as_str()) {
                secrets.push(name.clone());
            }
            if let Some(p) = phone.as_deref().and_then(|s| t.app.vault().open(s)) {
                secrets.push(p);
            }
        }
        for (_, _, phone) in xueshi_demo::matters::PROBLEMS {
            if !phone.is_empty() {
                secrets.push(phone.to_owned());
                secrets.push(format!("{}****{}", &phone[..3], &phone[7..]));
            }
        }
        assert!(secrets.len() > 100, "{} secrets", secrets.len());
        let matters: Vec<String> = sqlx::query_scalar("SELECT CAST(id AS TEXT) FROM matters WHERE status NOT IN ('collected', 'dropped')").fetch_all(&mut *db).await.unwrap();
        let rounds: Vec<String> = sqlx::query_scalar("SELECT CAST(id AS TEXT) FROM case_rounds").fetch_all(&mut *db).await.unwrap();
        let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM problems").fetch_all(&mut *db).await.unwrap();
        drop(db);

        let mut paths = vec![
            "/public/summary".to_owned(), "/api/v1/public/summary".to_owned(),
            "/public/cases".to_owned(), "/public/problems/new".to_owned(),
        ];
        for p in 0..(matters.len() as i64 + 19) / 20 {
            paths.push(format!("/public/matters?page={p}"));
            paths.push(format!("/api/v1/public/matters?page={p}"));
        }
        for id in &matters {
            paths.push(format!("/public/matters/{id}"));
            paths.push(format!("/api/v1/public/matters/{id}"));
        }
        for id in &rounds {
            paths.push(format!("/public/cases/{id}"));
            paths.push(format!("/api/v1/public/cases/{id}"));
        }
        for code in &codes {
            paths.push(format!("/public/problems/{code}"));
            paths.push(format!("/api/v1/public/problems/{code}"));
        }
        let c = t.client();
        let mut seen_titles = 0;
        for path in &paths {
            let r = c.get(path).await;
            assert_eq!(r.status(), 200, "{path}");
            let body = r.text().await.unwrap();
            if body.contains("路灯") || body.contains("改造") {
                seen_titles += 1;
            }
            for s in &secrets {
                assert!(!body.contains(s.as_str()), "{path} shows {s}");
            }
        }
        assert!(seen_titles > 10, "the pages do show the matters");
    }
);
