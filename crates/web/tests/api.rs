//! The JSON API and the pages through the real server, on both databases:
//! writes with their audit records, errors in the API's shape, every page
//! rendering in both languages, and an OpenAPI document that lists every
//! API route.

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_domain::pii::check_char;
use xueshi_testkit::{TestApp, both};
use xueshi_web::{Access, route_table};

fn id_number(first17: &str) -> String {
    format!("{first17}{}", check_char(first17.as_bytes()) as char)
}

both!(
    async fn units_and_members_are_written_through_the_api_and_audited(db) {
        let t = TestApp::district(db).await;
        let mut c = t.client();
        let (status, me) = c.api_login("office", "xueshi2021").await;
        assert_eq!(status, 200);
        assert_eq!(me["me"]["role"], "campaign_office");
        let scope: Value = c.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let town = scope["children"].as_array().unwrap().iter().find(|u| u["name"] == "陆城镇党委").unwrap().clone();
        let town_id = town["id"].as_str().unwrap();

        // Validation errors come back field by field, in Chinese.
        let bad = c.api(Method::POST, &format!("/api/v1/units/{town_id}/children"), Some(json!({ "code": "a b", "name": "", "kind": "党小队" }))).await;
        assert_eq!(bad.status(), 422);
        let e: Value = bad.json().await.unwrap();
        assert_eq!(e["code"], "invalid");
        let fields: Vec<(&str, &str)> = e["fields"].as_array().unwrap().iter().map(|f| (f["field"].as_str().unwrap(), f["message"].as_str().unwrap())).collect();
        assert_eq!(fields, vec![("code", "编码只能包含字母、数字和 - _ ."), ("name", "必填"), ("kind", "无法识别「党小队」")]);

        let r = c.api(Method::POST, &format!("/api/v1/units/{town_id}/children"), Some(json!({ "code": "LC-99", "name": "陆城镇新建村党支部", "kind": "branch" }))).await;
        assert_eq!(r.status(), 201);
        let unit: Value = r.json().await.unwrap();
        let uid = unit["id"].as_str().unwrap();
        let taken = c.api(Method::POST, &format!("/api/v1/units/{town_id}/children"), Some(json!({ "code": "LC-99", "name": "重复", "kind": "branch" }))).await;
        assert_eq!(taken.status(), 422);
        assert_eq!(taken.json::<Value>().await.unwrap()["fields"][0]["message"], "已被使用");

        let idn = id_number("43060319790615412");
        let r = c.api(Method::POST, &format!("/api/v1/units/{uid}/members"), Some(json!({
            "name": "谭志强", "status": "正式党员", "phone": "13873012345", "id_number": idn, "position": "村委委员"
        }))).await;
        assert_eq!(r.status(), 201);
        let m: Value = r.json().await.unwrap();
        assert_eq!(m["phone"], "138****2345");
        assert_eq!(m["id_number"], format!("430***********{}", &idn[14..]));
        assert!(!m.to_string().contains("13873012345") && !m.to_string().contains(&idn));
        let mid = m["id"].as_str().unwrap();
        let again = c.api(Method::POST, &format!("/api/v1/units/{uid}/members"), Some(json!({ "name": "冒名", "status": "正式党员", "id_number": idn }))).await;
        assert_eq!(again.json::<Value>().await.unwrap()["fields"][0]["message"], "该身份证号已在名册中");

        let whole: Value = c.api(Method::POST, &format!("/api/v1/members/{mid}/unmask"), None).await.json().await.unwrap();
        assert_eq!(whole, json!({ "phone": "13873012345", "id_number": idn }));
        let upd = c.api(Method::PUT, &format!("/api/v1/members/{mid}"), Some(json!({ "name": "谭志强", "gender": "男", "birth_date": "1979-06-15", "status": "正式党员", "cadre_level": "科级", "id_number": "" }))).await;
        assert_eq!(upd.status(), 200);
        let upd: Value = upd.json().await.unwrap();
        assert_eq!(upd["cadre_level"], "section");
        assert_eq!(upd["phone"], "138****2345", "an empty field keeps the stored number");

        let audit: Value = c.api(Method::GET, "/api/v1/audit", None).await.json().await.unwrap();
        let entries: Vec<(&str, &str)> = audit.as_array().unwrap().iter().take(4).map(|e| (e["action"].as_str().unwrap(), e["object"].as_str().unwrap())).collect();
        assert_eq!(entries, vec![("member.update", "谭志强"), ("member.unmask", "谭志强"), ("member.create", "谭志强"), ("unit.create", "陆城镇新建村党支部")]);
        let update = &audit[0];
        assert_eq!(update["before"]["cadre_level"], "ordinary");
        assert_eq!(update["after"]["cadre_level"], "section");
        assert_eq!(update["actor"], "office");
        assert!(!audit.to_string().contains("13873012345"), "the log holds masked numbers only");

        let moved = c.api(Method::POST, &format!("/api/v1/units/{uid}/move"), Some(json!({ "parent_id": scope["unit"]["id"] }))).await;
        assert_eq!(moved.status(), 200);
        let left = c.api(Method::POST, &format!("/api/v1/members/{mid}/leave"), Some(json!({ "reason": "去世" }))).await;
        assert_eq!(left.status(), 204);
        let blocked = c.api(Method::DELETE, &format!("/api/v1/units/{uid}"), None).await;
        assert_eq!(blocked.json::<Value>().await.unwrap()["fields"][0]["message"], "该组织有党员记录，不能删除");
        assert!(xueshi_app::consistency::check(&t.app).await.unwrap().is_empty());
    }
);

both!(
    async fn members_without_the_grant_see_masked_numbers_and_a_refusal(db) {
        let t = TestApp::district(db).await;
        let mut ua = t.client();
        ua.api_login("songyanghu", "xueshi2021").await;
        let scope: Value = ua.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let branch = scope["children"].as_array().unwrap().iter().find(|u| u["kind"] == "branch").unwrap().clone();
        let ms: Value = ua.api(Method::GET, &format!("/api/v1/units/{}/members", branch["id"].as_str().unwrap()), None).await.json().await.unwrap();
        let m = &ms["members"][0];
        assert!(m["phone"].as_str().unwrap().contains("****"));
        let r = ua.api(Method::POST, &format!("/api/v1/members/{}/unmask", m["id"].as_str().unwrap()), None).await;
        assert_eq!(r.status(), 403);
        let mut admin = t.client();
        admin.api_login("admin", "xueshi2021").await;
        let audit: Value = admin.api(Method::GET, "/api/v1/audit?action=member.unmask", None).await.json().await.unwrap();
        assert_eq!(audit[0]["outcome"], "denied");
        assert_eq!(audit[0]["actor"], "songyanghu");
        // An inspector reads but does not write.
        let mut inspector = t.client();
        inspector.api_login("inspector", "xueshi2021").await;
        let s: Value = inspector.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        assert_eq!(s["unit"]["name"], "中共岳阳绿色化工产业园工作委员会");
        assert_eq!(s["may"]["edit_units"], false);
        let r = inspector.api(Method::POST, &format!("/api/v1/units/{}/children", s["unit"]["id"].as_str().unwrap()), Some(json!({ "code": "Q", "name": "Q", "kind": "branch" }))).await;
        assert_eq!(r.status(), 403);
    }
);

both!(
    async fn every_page_renders_in_both_languages(db) {
        let t = TestApp::district(db).await;
        let mut c = t.signed_in("office").await;
        let mut api = t.client();
        api.api_login("office", "xueshi2021").await;
        let scope: Value = api.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let town = scope["children"].as_array().unwrap().iter().find(|u| u["name"] == "松杨湖街道党工委").unwrap().clone();
        let branch: Value = api.api(Method::GET, &format!("/api/v1/units/{}", town["id"].as_str().unwrap()), None).await.json().await.unwrap();
        let branch = branch["children"].as_array().unwrap().iter().find(|u| u["kind"] == "branch").unwrap().clone();
        let members: Value = api.api(Method::GET, &format!("/api/v1/units/{}/members", branch["id"].as_str().unwrap()), None).await.json().await.unwrap();
        let organs: Value = api.api(Method::GET, "/api/v1/organs", None).await.json().await.unwrap();
        // A problem from the public, for its follow-up page.
        let ch = xueshi_app::problems::new_challenge(&t.app);
        let sum: u32 = ch.question.split('+').map(|n| n.trim().parse::<u32>().unwrap()).sum();
        let raised = xueshi_app::problems::raise(
            &t.app,
            xueshi_app::problems::RaiseInput { body: "小区门口的路灯坏了很久。".into(), challenge: ch.token, answer: sum.to_string(), ..Default::default() },
            "127.0.0.1",
        )
        .await
        .unwrap();
        // A finished demo matter (public too) and a typical-case round.
        let meeting: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT id FROM meetings ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        let (task, assignment): (i64, i64) = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_as("SELECT a.task_id, a.id FROM task_assignments a WHERE a.status = 'done' ORDER BY a.id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        // The demo's contest and an entry of it with a document.
        let (contest, contest_entry): (i64, i64) = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_as("SELECT contest_id, id FROM contest_entries WHERE file_name IS NOT NULL ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        let (plan, occurrence, dispatch, exam): (i64, i64, i64, i64) = {
            let mut db = t.app.store().read().await.unwrap();
            let e = sqlx::query_scalar("SELECT id FROM exams ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            let p = sqlx::query_scalar("SELECT id FROM plans ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            let o = sqlx::query_scalar("SELECT id FROM rhythm_occurrences WHERE kind = 'year_end' ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            let d = sqlx::query_scalar("SELECT id FROM dispatches ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            (p, o, d, e)
        };
        let competition: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT id FROM competitions ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        let (matter, round, question, material, history_day, briefing, ranking, campaign): (i64, i64, i64, i64, i64, i64, i64, i64) = {
            let mut db = t.app.store().read().await.unwrap();
            let m = sqlx::query_scalar("SELECT id FROM matters WHERE status = 'done' ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            let r = sqlx::query_scalar("SELECT id FROM case_rounds ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            let q = sqlx::query_scalar("SELECT id FROM questions ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            let mt = sqlx::query_scalar("SELECT id FROM materials ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            let h = sqlx::query_scalar("SELECT id FROM history_days ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            let b = sqlx::query_scalar("SELECT id FROM briefings ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            let rk = sqlx::query_scalar("SELECT id FROM rankings ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            let cp = sqlx::query_scalar("SELECT id FROM campaigns ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap();
            (m, r, q, mt, h, b, rk, cp)
        };
        for lang in ["zh-CN", "en"] {
            c.form("/lang", &[("lang", lang), ("back", "/home")]).await;
            for r in route_table().into_iter().filter(|r| r.method == reqwest::Method::GET && !r.path.starts_with("/api/")) {
                if r.path.contains("photo") || r.path.ends_with("/ws") {
                    continue;
                }
                let id = match r.access {
                    Access::Unit => branch["id"].as_str().unwrap().to_owned(),
                    Access::Member => members["members"][0]["id"].as_str().unwrap().to_owned(),
                    Access::Organ => organs[0]["id"].as_str().unwrap().to_owned(),
                    Access::Matter => matter.to_string(),
                    Access::CaseRound => round.to_string(),
                    Access::Question => question.to_string(),
                    Access::Material => material.to_string(),
                    Access::HistoryDay => history_day.to_string(),
                    Access::Briefing => briefing.to_string(),
                    Access::Ranking => ranking.to_string(),
                    Access::Campaign => campaign.to_string(),
                    Access::Task => task.to_string(),
                    Access::Assignment => assignment.to_string(),
                    Access::Meeting => meeting.to_string(),
                    Access::MeetingItem | Access::PlanVersion | Access::PlanComment | Access::Decision | Access::Sitting => continue,
                    Access::Exam => exam.to_string(),
                    Access::Competition => competition.to_string(),
                    Access::Seat => continue,
                    Access::Contest => contest.to_string(),
                    Access::ContestEntry => contest_entry.to_string(),
                    Access::Plan => plan.to_string(),
                    Access::Occurrence => occurrence.to_string(),
                    Access::Dispatch => dispatch.to_string(),
                    Access::Public if r.path.starts_with("/public/matters/") => matter.to_string(),
                    Access::Public if r.path.starts_with("/public/cases/") => round.to_string(),
                    Access::Job | Access::Account | Access::OrganPerson | Access::OrganUnit => continue,
                    Access::Public | Access::Signed => String::new(),
                };
                let path = r.path.replace("{id}", &id).replace("{file}", "app.css").replace("{code}", &raised.code);
                let (status, body) = c.page(&path).await;
                let ok = if ["/", "/login", "/public/problems", "/matters", "/my/matters"].contains(&path.as_str()) { [200, 303].contains(&status) } else { status == 200 };
                assert!(ok, "{lang} {path}: {status}");
                if body.contains("<html") {
                    assert!(body.contains(&format!("lang=\"{lang}\"")), "{lang} {path}");
                    assert!(!body.contains(">?<") && !body.contains("{scope}") && !body.contains("{n}"), "{lang} {path} has a missing message");
                }
            }
            let (_, home) = c.page("/home").await;
            let want = if lang == "en" { "grassroots organisations and 11543 members" } else { "党员 11543 名" };
            assert!(home.contains(want), "{lang}");
        }
        // System data reads in English too: the default fields, the quotas.
        let root = scope["unit"]["id"].as_str().unwrap();
        let (_, board) = c.page(&format!("/units/{root}/matters")).await;
        assert!(board.contains(">Livelihoods<") && !board.contains(">民生改善"), "{board}");
        let (_, study) = c.page(&format!("/units/{root}/study")).await;
        assert!(study.contains("Book × 1 · Monthly") && !study.contains("每月读一本书"), "{study}");
    }
);

#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let t = TestApp::start(xueshi_testkit::Db::Sqlite).await;
    let doc: Value = t
        .client()
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for r in route_table()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/"))
    {
        let method = r.method.as_str().to_ascii_lowercase();
        assert!(
            doc["paths"][r.path][&method].is_object(),
            "{} {} is not documented",
            r.method,
            r.path
        );
    }
    assert!(doc["components"]["schemas"]["UnitDetail"].is_object());
}
