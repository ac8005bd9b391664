//! Contests (红色故事大赛) through the real server on both databases: units
//! below submit entries, each level admits at most its quota from the level
//! below, the judges score the finalists and the results are published;
//! every refusal — bad input, an entry from outside the contest, too many
//! recommendations, one not from below, a score out of range or before
//! judging, an entry after the deadline, any write after publication,
//! another town's contest — changes nothing. The demo's contest stands in
//! its recommendation round.

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_testkit::people::{field_codes, get, post, put, signed_in_api};
use xueshi_testkit::{Client, TestApp, both, dump_data};

const DAY: i64 = 86_400_000;

/// A document the server takes as a PDF.
fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n% story\n%%EOF\n".to_vec()
}

/// Submits an entry over the API as a multipart form.
async fn enter(
    c: &Client,
    contest: &str,
    unit: i64,
    title: &str,
    link: &str,
    file: Option<Vec<u8>>,
) -> (u16, Value) {
    let r = c
        .multipart(&format!("/api/v1/contests/{contest}/entries"), |mut f| {
            f = f
                .text("unit", unit.to_string())
                .text("title", title.to_owned())
                .text("presenter", "李红".to_owned());
            if !link.is_empty() {
                f = f.text("link", link.to_owned());
            }
            if let Some(b) = file {
                f = f.part(
                    "file",
                    reqwest::multipart::Part::bytes(b).file_name("故事.pdf"),
                );
            }
            f
        })
        .await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn id_of(t: &TestApp, sql: &str) -> i64 {
    let mut db = t.app.store().read().await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut *db)
        .await
        .unwrap()
}

/// A level admits entries over the API.
async fn fwd(c: &Client, contest: &str, level: i64, entries: &[&str]) -> (u16, Value) {
    let body = json!({ "level": level.to_string(), "entries": entries });
    post(c, &format!("/api/v1/contests/{contest}/forwards"), body).await
}

fn code(v: &Value) -> &str {
    v["code"].as_str().unwrap_or("")
}

both!(
    async fn a_story_contest_is_entered_recommended_up_the_tree_judged_and_published(db) {
        let t = TestApp::district(db).await;
        let office = signed_in_api(&t, "office").await;
        let town = signed_in_api(&t, "songyanghu").await;
        let branch = signed_in_api(&t, "maolingtou").await;
        let member = signed_in_api(&t, "member").await;
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let songyanghu = id_of(&t, "SELECT id FROM units WHERE name = '松杨湖街道党工委'").await;
        let yunxi = id_of(&t, "SELECT id FROM units WHERE name = '云溪街道党工委'").await;
        // The branch admin's own branch (A) and its parent (the community,
        // M); another branch (B) under the same community.
        let a_unit = id_of(&t, "SELECT scope_unit_id FROM accounts WHERE username = 'maolingtou'").await;
        let m_unit = id_of(&t, &format!("SELECT parent_id FROM units WHERE id = {a_unit}")).await;
        let b_unit = id_of(&t, &format!("SELECT id FROM units WHERE parent_id = {m_unit} AND id <> {a_unit} AND kind = 'branch' ORDER BY id LIMIT 1")).await;
        let yunxi_branch = id_of(&t, &format!("SELECT id FROM units WHERE parent_id IN (SELECT id FROM units WHERE parent_id = {yunxi}) AND kind = 'branch' ORDER BY id LIMIT 1")).await;
        let account = |name: &str| format!("SELECT id FROM accounts WHERE username = '{name}'");
        let (office_acct, town_acct, member_acct) = (id_of(&t, &account("office")).await, id_of(&t, &account("songyanghu")).await, id_of(&t, &account("member")).await);
        let today = xueshi_domain::date::iso(t.app.clock().today());

        // Bad input and the wrong people first: nothing is made.
        let before = dump_data(t.app.store()).await;
        let (s, e) = post(&office, &format!("/api/v1/units/{root}/contests"), json!({ "title": " ", "kind": "song", "entries_close": "2020-01-01", "quota": 0 })).await;
        assert_eq!(s, 422);
        assert_eq!(field_codes(&e), ["title:required", "kind:bad_choice", "entries_close:date_in_past", "quota:out_of_range"]);
        assert_eq!(post(&member, &format!("/api/v1/units/{root}/contests"), json!({ "title": "x", "kind": "story", "entries_close": today, "quota": 1 })).await.0, 403);
        assert_eq!(post(&town, &format!("/api/v1/units/{root}/contests"), json!({ "title": "x", "kind": "story", "entries_close": today, "quota": 1 })).await.0, 403);
        assert_eq!(dump_data(t.app.store()).await, before);

        let (s, made) = post(&office, &format!("/api/v1/units/{root}/contests"), json!({ "title": "红色故事大赛", "kind": "story", "entries_close": today, "quota": 1, "max_score": 100 })).await;
        assert_eq!(s, 201, "{made}");
        let contest = made["id"].as_str().unwrap().to_owned();
        // Another town's contest, which this town's admin may not touch.
        let (s, other) = post(&office, &format!("/api/v1/units/{yunxi}/contests"), json!({ "title": "云溪街道宣讲评选", "kind": "lecture", "entries_close": today, "quota": 2 })).await;
        assert_eq!(s, 201);
        let other = other["id"].as_str().unwrap().to_owned();

        // Entries: a document from A, a link from B.
        let (s, a) = enter(&branch, &contest, a_unit, "半条被子的温暖", "", Some(pdf())).await;
        assert_eq!(s, 201, "{a}");
        let a = a["id"].as_str().unwrap().to_owned();
        let (s, b) = enter(&town, &contest, b_unit, "八角楼的灯光", "https://v.example.cn/story/8", None).await;
        assert_eq!(s, 201, "{b}");
        let b = b["id"].as_str().unwrap().to_owned();

        let before = dump_data(t.app.store()).await;
        let (s, e) = enter(&town, &contest, b_unit, "x", "javascript:alert(1)", None).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["link:bad_link".to_owned()]));
        let (s, e) = enter(&town, &contest, b_unit, "x", "https://v.example.cn/1", Some(pdf())).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["link:file_or_link".to_owned()]));
        let (s, e) = enter(&town, &contest, b_unit, "x", "", None).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["file:file_or_link".to_owned()]));
        let (s, e) = enter(&town, &contest, b_unit, "x", "", Some(b"MZ\x90\x00".to_vec())).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["file:bad_document_type".to_owned()]));
        // An entry from outside the contest's subtree.
        let (s, e) = enter(&office, &other, a_unit, "x", "https://v.example.cn/1", None).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["unit:unit_not_in_contest".to_owned()]));
        // A branch enters only for itself; a town admin stays out of
        // another town's contest.
        assert_eq!(enter(&branch, &contest, b_unit, "x", "https://v.example.cn/1", None).await.0, 403);
        assert_eq!(enter(&town, &other, yunxi_branch, "x", "https://v.example.cn/1", None).await.0, 403);
        assert_eq!(enter(&member, &contest, a_unit, "x", "https://v.example.cn/1", None).await.0, 403);
        // Recommending waits for the entries to close.
        let (s, e) = post(&town, &format!("/api/v1/contests/{contest}/forwards"), json!({ "level": m_unit.to_string(), "entries": [a] })).await;
        assert_eq!((s, code(&e)), (409, "not_recommending"));
        assert_eq!(dump_data(t.app.store()).await, before);

        // The day after the entries close: too late to enter.
        t.app.clock().advance_ms(DAY);
        // Administrators' sessions idle out within a day: sign in again.
        let (office, town, branch, member) = (
            signed_in_api(&t, "office").await,
            signed_in_api(&t, "songyanghu").await,
            signed_in_api(&t, "maolingtou").await,
            signed_in_api(&t, "member").await,
        );
        let before = dump_data(t.app.store()).await;
        let (s, e) = enter(&branch, &contest, a_unit, "迟到的故事", "https://v.example.cn/9", None).await;
        assert_eq!((s, code(&e)), (409, "entries_closed"));
        let (_, v) = get(&office, &format!("/api/v1/contests/{contest}")).await;
        assert_eq!(v["round"], "recommending");

        // The community's level (the town acts for it): at most one.
        let (s, e) = fwd(&town, &contest, m_unit, &[&a, &b]).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["entries:too_many_forwarded".to_owned()]));
        assert_eq!(e["fields"][0]["message"], "每级最多推荐 1 件，还可推荐 1 件");
        // Not from below: B still stands at its branch, two levels down.
        let (s, e) = fwd(&town, &contest, songyanghu, &[&b]).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["entries:entry_not_from_below".to_owned()]));
        // The branch admits nothing at the community's level.
        assert_eq!(fwd(&branch, &contest, m_unit, &[&a]).await.0, 403);
        assert_eq!(fwd(&member, &contest, m_unit, &[&a]).await.0, 403);
        assert_eq!(dump_data(t.app.store()).await, before);

        assert_eq!(fwd(&town, &contest, m_unit, &[&a]).await.0, 204);
        let before = dump_data(t.app.store()).await;
        let (s, e) = fwd(&town, &contest, m_unit, &[&b]).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["entries:too_many_forwarded".to_owned()]));
        // A now stands at the community: not from below the branch.
        let (s, e) = fwd(&branch, &contest, a_unit, &[&a]).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["entries:entry_not_from_below".to_owned()]));
        assert_eq!(dump_data(t.app.store()).await, before);
        assert_eq!(fwd(&town, &contest, songyanghu, &[&a]).await.0, 204);

        // A tick taken back: only by the level that made it (or above),
        // only for an entry it admitted.
        let before = dump_data(t.app.store()).await;
        assert_eq!(post(&branch, &format!("/api/v1/contest-entries/{a}/withdraw"), json!({})).await.0, 403);
        assert_eq!(post(&member, &format!("/api/v1/contest-entries/{a}/withdraw"), json!({})).await.0, 403);
        let (s, e) = post(&town, &format!("/api/v1/contest-entries/{b}/withdraw"), json!({})).await;
        assert_eq!((s, code(&e)), (409, "not_forwarded"), "B was never recommended");
        assert_eq!(dump_data(t.app.store()).await, before);
        // On the town's page: what it recommended, each with its button.
        let mut town_page = t.client();
        town_page.login("songyanghu", "xueshi2021").await;
        let (_, html) = town_page.page(&format!("/contests/{contest}")).await;
        assert!(html.contains(&format!("action=\"/contest-entries/{a}/withdraw\"")), "{html}");
        let r = town_page.form(&format!("/contest-entries/{a}/withdraw"), &[]).await;
        assert_eq!(r.status().as_u16(), 303);
        // A stands at the community again, and the town's place is free.
        let at = |v: &Value, title: &str| v["entries"].as_array().unwrap().iter().find(|x| x["title"] == title).unwrap()["at"]["id"].as_str().unwrap().to_owned();
        let (_, v) = get(&town, &format!("/api/v1/contests/{contest}")).await;
        assert_eq!(at(&v, "半条被子的温暖"), m_unit.to_string());
        assert_eq!((v["levels"][0]["admitted"].as_i64(), v["levels"][0]["remaining"].as_i64()), (Some(0), Some(1)));
        // The community's pick of A taken back too: A is at its branch,
        // where there is nothing more to take back; B takes its place.
        assert_eq!(post(&town, &format!("/api/v1/contest-entries/{a}/withdraw"), json!({})).await.0, 204);
        let (_, v) = get(&town, &format!("/api/v1/contests/{contest}")).await;
        assert_eq!(at(&v, "半条被子的温暖"), a_unit.to_string());
        let (s, e) = post(&town, &format!("/api/v1/contest-entries/{a}/withdraw"), json!({})).await;
        assert_eq!((s, code(&e)), (409, "not_forwarded"));
        assert_eq!(fwd(&town, &contest, m_unit, &[&b]).await.0, 204);
        assert_eq!(post(&town, &format!("/api/v1/contest-entries/{b}/withdraw"), json!({})).await.0, 204);
        assert_eq!(fwd(&town, &contest, m_unit, &[&a]).await.0, 204);
        assert_eq!(fwd(&town, &contest, songyanghu, &[&a]).await.0, 204);
        // The district admits it: a finalist.
        let (s, _) = post(&office, &format!("/api/v1/contests/{contest}/forwards"), json!({ "entries": [a] })).await;
        assert_eq!(s, 204);
        let (_, v) = get(&office, &format!("/api/v1/contests/{contest}")).await;
        let finalists: Vec<&str> = v["finalists"].as_array().unwrap().iter().map(|f| f["entry"]["title"].as_str().unwrap()).collect();
        assert_eq!(finalists, ["半条被子的温暖"]);

        // Scoring before the final round; judging named by the wrong people
        // or with a member as judge.
        let before = dump_data(t.app.store()).await;
        let (s, e) = put(&office, &format!("/api/v1/contest-entries/{a}/score"), json!({ "score": 90 })).await;
        assert_eq!((s, code(&e)), (409, "not_judging"));
        assert_eq!(post(&town, &format!("/api/v1/contests/{contest}/judging"), json!({ "judges": [town_acct.to_string()] })).await.0, 403);
        let (s, e) = post(&office, &format!("/api/v1/contests/{contest}/judging"), json!({ "judges": [member_acct.to_string()] })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["judges:judge_not_eligible".to_owned()]));
        let (s, e) = post(&office, &format!("/api/v1/contests/{contest}/publish"), json!({})).await;
        assert_eq!((s, code(&e)), (409, "not_judging"));
        assert_eq!(dump_data(t.app.store()).await, before);

        let (s, e) = post(&office, &format!("/api/v1/contests/{contest}/judging"), json!({ "judges": [office_acct.to_string(), town_acct.to_string()] })).await;
        assert_eq!(s, 204, "{e}");
        let before = dump_data(t.app.store()).await;
        let (s, e) = fwd(&town, &contest, m_unit, &[&b]).await;
        assert_eq!((s, code(&e)), (409, "not_recommending"));
        let (s, e) = post(&office, &format!("/api/v1/contest-entries/{a}/withdraw"), json!({})).await;
        assert_eq!((s, code(&e)), (409, "not_recommending"), "a finalist stays one once judging starts");
        // A judge scoring outside the range, too finely, or a non-finalist;
        // someone who is not a judge.
        for (score, want) in [(json!(101), "score:out_of_range"), (json!(-1), "score:out_of_range"), (json!(90.555), "score:too_precise"), (Value::Null, "score:required")] {
            let (s, e) = put(&town, &format!("/api/v1/contest-entries/{a}/score"), json!({ "score": score })).await;
            assert_eq!((s, field_codes(&e)), (422, vec![want.to_owned()]), "{score}");
        }
        let (_, e) = put(&town, &format!("/api/v1/contest-entries/{a}/score"), json!({ "score": 101 })).await;
        assert_eq!(e["fields"][0]["message"], "应在 0 到 100 之间");
        let (s, e) = put(&town, &format!("/api/v1/contest-entries/{b}/score"), json!({ "score": 80 })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["entry:not_finalist".to_owned()]));
        assert_eq!(put(&branch, &format!("/api/v1/contest-entries/{a}/score"), json!({ "score": 80 })).await.0, 403);
        assert_eq!(dump_data(t.app.store()).await, before);

        // On the judge's page: the score form, and a refusal in her words.
        let mut judge_page = t.client();
        judge_page.login("songyanghu", "xueshi2021").await;
        // Signing in touches the account: compare from here.
        let before = dump_data(t.app.store()).await;
        let (s, html) = judge_page.page(&format!("/contests/{contest}")).await;
        assert_eq!(s, 200);
        assert!(html.contains(&format!("action=\"/contest-entries/{a}/score\"")), "{html}");
        let r = judge_page.form(&format!("/contest-entries/{a}/score"), &[("score", "101")]).await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("应在 0 到 100 之间"));
        assert_eq!(dump_data(t.app.store()).await, before);

        assert_eq!(put(&town, &format!("/api/v1/contest-entries/{a}/score"), json!({ "score": 92.5 })).await.0, 204);
        let (s, e) = post(&office, &format!("/api/v1/contests/{contest}/publish"), json!({})).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["scores:scores_missing".to_owned()]));
        assert_eq!(put(&office, &format!("/api/v1/contest-entries/{a}/score"), json!({ "score": 88 })).await.0, 204);
        assert_eq!(post(&office, &format!("/api/v1/contests/{contest}/publish"), json!({})).await.0, 204);

        let (_, v) = get(&town, &format!("/api/v1/contests/{contest}")).await;
        assert_eq!(v["round"], "published");
        assert_eq!(v["results"][0]["rank"], 1);
        assert_eq!(v["results"][0]["entry"]["title"], "半条被子的温暖");
        assert_eq!(v["results"][0]["mean"], 90.25);

        // Published: every write is refused and nothing changes.
        let before = dump_data(t.app.store()).await;
        let (s, e) = enter(&branch, &contest, a_unit, "x", "https://v.example.cn/1", None).await;
        assert_eq!((s, code(&e)), (409, "contest_published"));
        for (method, path, body) in [
            (Method::POST, format!("/api/v1/contests/{contest}/forwards"), json!({ "entries": [b] })),
            (Method::POST, format!("/api/v1/contests/{contest}/judging"), json!({ "judges": [office_acct.to_string()] })),
            (Method::POST, format!("/api/v1/contests/{contest}/publish"), json!({})),
            (Method::PUT, format!("/api/v1/contest-entries/{a}/score"), json!({ "score": 99 })),
            (Method::POST, format!("/api/v1/contest-entries/{a}/withdraw"), json!({})),
        ] {
            let r = office.api(method.clone(), &path, Some(body)).await;
            assert_eq!(r.status().as_u16(), 409, "{method} {path}");
            assert_eq!(r.json::<Value>().await.unwrap()["code"], "contest_published", "{method} {path}");
        }
        // Another town's contest: refused whole.
        assert_eq!(get(&town, &format!("/api/v1/contests/{other}")).await.0, 403);
        assert_eq!(post(&town, &format!("/api/v1/contests/{other}/forwards"), json!({ "entries": [] })).await.0, 403);
        assert_eq!(get(&town, &format!("/api/v1/units/{yunxi}/contests")).await.0, 403);
        assert_eq!(dump_data(t.app.store()).await, before);

        // Every write left its record.
        let actions: Vec<String> = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT DISTINCT action FROM audit_log WHERE object_kind = 'contest' AND outcome = 'ok' ORDER BY action")
                .fetch_all(&mut *db)
                .await
                .unwrap()
        };
        assert_eq!(actions, ["contest.create", "contest.entry", "contest.forward", "contest.judging", "contest.publish", "contest.score", "contest.withdraw"]);

        // The page says so in the reader's words, and gives the file.
        let mut page = t.client();
        page.login("songyanghu", "xueshi2021").await;
        let (s, html) = page.page(&format!("/contests/{contest}")).await;
        assert_eq!(s, 200);
        assert!(html.contains("评选结果") && html.contains("90.25") && html.contains("结果已公布"), "{html}");
        assert!(!html.contains("id=\"publish-form\""));
        let r = page.get(&format!("/contest-entries/{a}/file")).await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.bytes().await.unwrap().to_vec(), pdf());
    }
);

both!(
    async fn the_demo_story_contest_stands_in_its_recommendation_round(db) {
        let t = TestApp::district(db).await;
        let office = signed_in_api(&t, "office").await;
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let towns: Vec<String> = scope["children"].as_array().unwrap().iter().filter(|u| u["kind"] == "working_committee").map(|u| u["id"].as_str().unwrap().to_owned()).collect();
        let (s, l) = get(&office, &format!("/api/v1/units/{root}/contests")).await;
        assert_eq!(s, 200);
        assert_eq!(l["contests"].as_array().unwrap().len(), 1, "{l}");
        assert_eq!(l["contests"][0]["round"], "recommending");
        assert_eq!(l["contests"][0]["kind"], "story");
        let (_, c) = get(&office, &format!("/api/v1/contests/{}", l["contests"][0]["id"].as_str().unwrap())).await;
        let entries = c["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 9);
        assert!(entries.iter().any(|e| e["link"].is_string()) && entries.iter().any(|e| e["file_name"].is_string()));
        // Two towns chose two each; the district has not chosen yet.
        let at_towns = entries.iter().filter(|e| towns.iter().any(|t| e["at"]["id"] == t.as_str())).count();
        assert_eq!(at_towns, 4);
        assert!(c["finalists"].as_array().unwrap().is_empty());
        assert_eq!(c["levels"][0]["unit"]["id"], root.as_str());
        assert_eq!(c["levels"][0]["remaining"], 3);
        assert_eq!(c["levels"][0]["candidates"].as_array().unwrap().len(), 4);
        // The figure 参赛作品 counts them, and its rows are they.
        let today = t.app.clock().today();
        let span = format!("from={}&to={}", xueshi_domain::date::iso(today - time::Duration::days(20)), xueshi_domain::date::iso(today));
        let (_, figures) = get(&office, &format!("/api/v1/units/{root}/figures?{span}")).await;
        let f = figures.as_array().unwrap().iter().find(|f| f["key"] == "contest_entries").cloned().unwrap_or_else(|| panic!("{figures}"));
        assert_eq!((f["value"].as_i64(), f["words"].as_str()), (Some(9), Some("9件")));
        let (s, rows) = get(&office, &format!("/api/v1/units/{root}/figures/rows?figure=contest_entries&{span}")).await;
        assert_eq!(s, 200);
        assert_eq!(rows["total"], 9);
        assert_eq!(rows["rows"].as_array().unwrap().len(), 9);
        // A phone-sized page in Chinese, with the boxes to recommend.
        let mut page = t.client();
        page.login("office", "xueshi2021").await;
        let (s, html) = page.page(&format!("/contests/{}", l["contests"][0]["id"].as_str().unwrap())).await;
        assert_eq!(s, 200);
        assert!(html.contains("逐级推荐") && html.contains("还可推荐 3 件") && html.contains("name=\"entry\""), "{html}");
    }
);
