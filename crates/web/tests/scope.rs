//! Scope isolation: an administrator of one subtree is refused on every
//! route that names an object of another, and nothing changes. The routes
//! come from the router's own table, so a new route is covered the day it
//! is added.

use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use xueshi_testkit::{TestApp, both, dump};
use xueshi_web::{Access, route_table};

/// Everything in the database except the audit log and sessions (refusals
/// and sign-ins are recorded there on purpose).
async fn snapshot(t: &TestApp) -> BTreeMap<String, Vec<String>> {
    let mut all = dump(t.app.store()).await;
    all.remove("audit_log");
    all.remove("sessions");
    all
}

async fn json(c: &xueshi_testkit::Client, path: &str) -> Value {
    c.api(Method::GET, path, None).await.json().await.unwrap()
}

async fn unit_named(admin: &xueshi_testkit::Client, name: &str) -> Value {
    let v = json(admin, &format!("/api/v1/search?q={name}")).await;
    v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name}"))
}

both!(
    async fn a_unit_admin_is_refused_on_every_route_for_objects_of_another_subtree(db) {
        let t = TestApp::district(db).await;
        let mut admin = t.client();
        assert_eq!(admin.api_login("office", "xueshi2021").await.0, 200);

        // Objects outside 松杨湖街道.
        let lukou = unit_named(&admin, "路口镇党委").await;
        let lukou_detail = json(&admin, &format!("/api/v1/units/{}", lukou["id"].as_str().unwrap())).await;
        let village = lukou_detail["children"].as_array().unwrap().iter().find(|c| c["tally"]["members_total"].as_i64().unwrap() > 0 && c["kind"] == "branch").cloned().unwrap();
        let foreign_member = json(&admin, &format!("/api/v1/units/{}/members", village["id"].as_str().unwrap())).await["members"][0].clone();
        let organs = json(&admin, "/api/v1/organs").await;
        let guidance = organs.as_array().unwrap().iter().find(|o| o["kind"] == "guidance_group").cloned().unwrap();
        let office_account = json(&admin, "/api/v1/me").await["account_id"].clone();
        let export: Value = admin
            .api(Method::POST, &format!("/api/v1/units/{}/exports", lukou["id"].as_str().unwrap()), Some(json!({})))
            .await
            .json()
            .await
            .unwrap();
        let foreign_job = export["id"].as_str().unwrap_or_else(|| panic!("{export}")).to_owned();
        let matter: Value = admin
            .api(Method::POST, "/api/v1/matters", Some(json!({
                "unit_id": lukou["id"], "title": "路口镇集镇污水管网改造", "level": "general", "field": "民生改善", "deadline": "2021-12-31",
            })))
            .await
            .json()
            .await
            .unwrap();
        let foreign_matter = matter["id"].clone();
        // The demo's typical-case round is the district's, above this admin.
        let round: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT id FROM case_rounds ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        assert!(foreign_matter.is_string(), "{matter}");
        // The bank and the library are the office's alone.
        let (question, material, history_day): (i64, i64, i64) = {
            let mut db = t.app.store().read().await.unwrap();
            let first = |table: &str| format!("SELECT id FROM {table} ORDER BY id LIMIT 1");
            (
                sqlx::query_scalar(sqlx::AssertSqlSafe(first("questions"))).fetch_one(&mut *db).await.unwrap(),
                sqlx::query_scalar(sqlx::AssertSqlSafe(first("materials"))).fetch_one(&mut *db).await.unwrap(),
                sqlx::query_scalar(sqlx::AssertSqlSafe(first("history_days"))).fetch_one(&mut *db).await.unwrap(),
            )
        };
        // The district's briefings are the office's, above this admin.
        let briefing: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT id FROM briefings ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        let ranking: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT id FROM rankings ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        // Another town's own task (自选动作) and one of its branches'
        // assignments: nothing of this admin's.
        let (task, foreign_assignment): (i64, i64) = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_as(
                "SELECT t.id, a.id FROM tasks t JOIN task_assignments a ON a.task_id = t.id JOIN units s ON s.id = t.unit_id \
                 WHERE s.name = '云溪街道党工委' ORDER BY t.id, a.id LIMIT 1",
            )
            .fetch_one(&mut *db)
            .await
            .unwrap()
        };
        // Another town's branch's meeting, with a rectification item.
        let (meeting, meeting_item): (i64, i64) = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_as(
                "SELECT m.id, i.id FROM meetings m JOIN meeting_items i ON i.meeting_id = m.id JOIN units u ON u.id = m.unit_id \
                 WHERE u.path NOT LIKE (SELECT path FROM units WHERE name = '松杨湖街道党工委') || '%' ORDER BY m.id LIMIT 1",
            )
            .fetch_one(&mut *db)
            .await
            .unwrap()
        };
        // Another town's own campaign (the district's governs this admin,
        // who may read it).
        let campaign: i64 = {
            let yunxi: i64 = {
                let mut db = t.app.store().read().await.unwrap();
                sqlx::query_scalar("SELECT id FROM units WHERE name = '云溪街道党工委'").fetch_one(&mut *db).await.unwrap()
            };
            let path = xueshi_app::accounts::unit_path(&t.app, xueshi_domain::Id(yunxi)).await.unwrap();
            let mut setup = xueshi_app::campaigns::template(t.app.clock().today());
            setup.name = "云溪街道党史学习教育".into();
            xueshi_app::campaigns::create(&t.app, &xueshi_app::Ctx::system(&path), xueshi_domain::Id(yunxi), &setup).await.unwrap().0
        };
        // That campaign's plan out for comment with a branch's comment, and
        // its rhythm with a dispatch meeting and a decision.
        let (plan, plan_version, plan_comment, occurrence, dispatch, decision) = {
            use xueshi_app::{plans, rhythm};
            use xueshi_domain::Id;
            let (yunxi, branch): (i64, i64) = {
                let mut db = t.app.store().read().await.unwrap();
                sqlx::query_as("SELECT p.id, u.id FROM units p JOIN units u ON u.parent_id = p.id WHERE p.name = '云溪街道党工委' ORDER BY u.id LIMIT 1")
                    .fetch_one(&mut *db)
                    .await
                    .unwrap()
            };
            let path = xueshi_app::accounts::unit_path(&t.app, Id(yunxi)).await.unwrap();
            let ctx = xueshi_app::Ctx::system(&path);
            let plan = plans::create(&t.app, &ctx, Id(campaign), &plans::PlanInput { title: "云溪街道实施方案".into(), body: "正文".into(), ..Default::default() }).await.unwrap();
            let version = plans::get(&t.app, &ctx, plan).await.unwrap().versions[0].id;
            let until = xueshi_domain::date::iso(t.app.clock().today());
            plans::consult(&t.app, &ctx, version, &plans::ConsultInput { units: vec![Id(branch)], until }).await.unwrap();
            let comment = plans::comment(&t.app, &ctx, version, &plans::CommentInput { unit: Some(Id(branch)), body: "意见".into() }).await.unwrap();
            rhythm::configure(&t.app, &ctx, Id(campaign), &[rhythm::ScheduleInput { kind: "weekly_dispatch".into(), day: 1 }]).await.unwrap();
            let occurrence = rhythm::of_campaign(&t.app, &ctx, Id(campaign)).await.unwrap().occurrences[0].id;
            let today = xueshi_domain::date::iso(t.app.clock().today());
            let dispatch = rhythm::record_dispatch(&t.app, &ctx, occurrence, &rhythm::DispatchInput {
                held_on: today.clone(), chair: "书记".into(), attendees: "班子成员".into(),
                decisions: vec![rhythm::DecisionInput { body: "落实".into(), owner: Some(Id(branch)), due_on: today }],
            }).await.unwrap();
            let decision = rhythm::dispatch(&t.app, &ctx, dispatch).await.unwrap().decisions[0].id;
            (plan.0, version.0, comment.0, occurrence.0, dispatch.0, decision.0)
        };
        // That town's exam for its members.
        let exam = {
            let yunxi: i64 = {
                let mut db = t.app.store().read().await.unwrap();
                sqlx::query_scalar("SELECT id FROM units WHERE name = '云溪街道党工委'").fetch_one(&mut *db).await.unwrap()
            };
            let path = xueshi_app::accounts::unit_path(&t.app, xueshi_domain::Id(yunxi)).await.unwrap();
            let now = t.app.now();
            let at = |ms: i64| xueshi_app::clock::format_ms(ms).get(..16).unwrap().replace(' ', "T");
            let input = xueshi_app::exams::ExamInput {
                title: "云溪街道党史知识测试".into(),
                opens_at: at(now),
                closes_at: at(now + 86_400_000),
                minutes: 30,
                pass_mark: 60,
                attempts: 1,
                blueprint: vec![xueshi_domain::exam::BlueprintRow { kind: "single".into(), count: 2, ..Default::default() }],
                makeup_days: 7,
                ..Default::default()
            };
            xueshi_app::exams::create(&t.app, &xueshi_app::Ctx::system(&path), xueshi_domain::Id(yunxi), &input).await.unwrap().0
        };
        // That town's lecture selection with an entry from one of its
        // branches.
        let (contest, contest_entry) = {
            use xueshi_app::contests;
            use xueshi_domain::Id;
            let (yunxi, branch): (i64, i64) = {
                let mut db = t.app.store().read().await.unwrap();
                sqlx::query_as("SELECT p.id, u.id FROM units p JOIN units u ON u.parent_id = p.id WHERE p.name = '云溪街道党工委' ORDER BY u.id LIMIT 1")
                    .fetch_one(&mut *db)
                    .await
                    .unwrap()
            };
            let path = xueshi_app::accounts::unit_path(&t.app, Id(yunxi)).await.unwrap();
            let ctx = xueshi_app::Ctx::system(&path);
            let input = contests::ContestInput {
                title: "云溪街道宣讲推荐评选".into(),
                kind: "lecture".into(),
                entries_close: xueshi_domain::date::iso(t.app.clock().today()),
                quota: Some(2),
                max_score: None,
            };
            let contest = contests::create(&t.app, &ctx, Id(yunxi), &input).await.unwrap();
            let entry = contests::submit(&t.app, &ctx, contest, contests::EntryInput {
                unit: Some(Id(branch)), title: "宣讲稿".into(), presenter: "宣讲员".into(), link: String::new(),
                file: Some(("宣讲稿.pdf".into(), b"%PDF-1.4\n%%EOF\n".to_vec())),
            }).await.unwrap();
            (contest.0, entry.0)
        };

        // The district's competition (the demo's final).
        let competition: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT id FROM competitions ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };

        // The unit admin and things inside its own scope.
        let mut ua = t.client();
        assert_eq!(ua.api_login("songyanghu", "xueshi2021").await.0, 200);
        let own = json(&ua, "/api/v1/units").await;
        assert_eq!(own["unit"]["name"], "松杨湖街道党工委");
        let own_branch = own["children"].as_array().unwrap().iter().find(|c| c["kind"] == "branch").cloned().unwrap();

        let form: Vec<(&str, String)> = vec![
            ("code", "ZZ-1".into()),
            ("name", "测试".into()),
            ("kind", "branch".into()),
            ("status", "formal".into()),
            ("gender", "male".into()),
            ("parent_code", own["unit"]["code"].as_str().unwrap().into()),
            ("unit_code", own_branch["code"].as_str().unwrap().into()),
            ("reason", "转出".into()),
            ("password", "Abcdefgh1".into()),
            ("post", "成员".into()),
            ("duties", "x".into()),
            ("unmasked", "1".into()),
        ];
        let body = json!({
            "code": "ZZ-1", "name": "测试", "kind": "branch", "status": "formal", "gender": "male",
            "parent_id": own["unit"]["id"], "unit_id": own_branch["id"], "reason": "转出", "unmasked": true,
        });
        let before = snapshot(&t).await;
        let mut walked = 0;
        for r in route_table() {
            let (id, sub) = match r.access {
                Access::Public | Access::Signed => continue,
                Access::Unit => (lukou["id"].clone(), Value::Null),
                Access::Member => (foreign_member["id"].clone(), Value::Null),
                Access::Organ => (guidance["id"].clone(), Value::Null),
                Access::OrganPerson => (guidance["id"].clone(), guidance["people"][0]["id"].clone()),
                Access::OrganUnit => (guidance["id"].clone(), guidance["slice"][0]["id"].clone()),
                Access::Account => (office_account.clone(), Value::Null),
                Access::Job => (Value::String(foreign_job.clone()), Value::Null),
                Access::Matter => (foreign_matter.clone(), Value::Null),
                Access::CaseRound => (Value::String(round.to_string()), Value::Null),
                Access::Question => (Value::String(question.to_string()), Value::Null),
                Access::Material => (Value::String(material.to_string()), Value::Null),
                Access::HistoryDay => (Value::String(history_day.to_string()), Value::Null),
                Access::Briefing => (Value::String(briefing.to_string()), Value::Null),
                Access::Ranking => (Value::String(ranking.to_string()), Value::Null),
                Access::Campaign => (Value::String(campaign.to_string()), Value::Null),
                Access::Task => (Value::String(task.to_string()), Value::Null),
                Access::Assignment => (Value::String(foreign_assignment.to_string()), Value::Null),
                Access::Meeting => (Value::String(meeting.to_string()), Value::Null),
                Access::MeetingItem => (Value::String(meeting.to_string()), Value::String(meeting_item.to_string())),
                Access::Plan => (Value::String(plan.to_string()), Value::Null),
                Access::PlanVersion => (Value::String(plan_version.to_string()), Value::Null),
                Access::PlanComment => (Value::String(plan_comment.to_string()), Value::Null),
                Access::Occurrence => (Value::String(occurrence.to_string()), Value::Null),
                Access::Dispatch => (Value::String(dispatch.to_string()), Value::Null),
                Access::Decision => (Value::String(decision.to_string()), Value::Null),
                Access::Exam => (Value::String(exam.to_string()), Value::Null),
                // A sitting is its member's alone: this admin sits none.
                Access::Sitting => (Value::String(exam.to_string()), Value::Null),
                Access::Competition => (Value::String(competition.to_string()), Value::Null),
                // A phone's seat is its cookie's, not an account's (live.rs).
                Access::Seat => continue,
                Access::Contest => (Value::String(contest.to_string()), Value::Null),
                Access::ContestEntry => (Value::String(contest_entry.to_string()), Value::Null),
            };
            let path = r.path.replace("{id}", id.as_str().unwrap()).replace("{sub}", sub.as_str().unwrap_or(""));
            let url = ua.url(&path);
            let mut req = ua.http.request(r.method.clone(), &url).header("x-csrf-token", ua.csrf.clone().unwrap());
            if r.method != Method::GET {
                req = if r.path.starts_with("/api/") { req.json(&body) } else { req.form(&form) };
            }
            let resp = req.send().await.unwrap();
            let want = if r.access == Access::Job { 404 } else { 403 };
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            assert_eq!(status, want, "{} {}: {text}", r.method, r.path);
            for secret in [foreign_member["name"].as_str().unwrap(), village["name"].as_str().unwrap()] {
                assert!(!text.contains(secret), "{} {} leaks {secret}", r.method, r.path);
            }
            walked += 1;
        }
        assert!(walked >= 35, "walked {walked} routes");
        assert_eq!(snapshot(&t).await, before, "refused requests changed nothing");

        // Lists that work on one's own scope show nothing from outside it.
        let found = json(&ua, &format!("/api/v1/search?q={}", foreign_member["name"].as_str().unwrap())).await;
        assert!(found["members"].as_array().unwrap().iter().all(|m| m["id"] != foreign_member["id"]));
        assert!(found["units"].as_array().unwrap().iter().all(|u| u["id"] != lukou["id"]));
        assert!(json(&ua, "/api/v1/organs").await.as_array().unwrap().is_empty());
        let audit = json(&ua, "/api/v1/audit").await;
        // The office appears only for what it did inside this town: the
        // tasks it set for the town's branches.
        assert!(
            audit.as_array().unwrap().iter().all(|e| e["actor"] != "office" || e["action"].as_str().unwrap_or("").starts_with("task.")),
            "no entries about other subtrees"
        );
        assert!(audit.as_array().unwrap().iter().any(|e| e["actor"] == "songyanghu" && e["action"] == "login"));
        let (_, accounts) = ua.page("/accounts").await;
        assert!(accounts.contains("songyanghu") && !accounts.contains(">office<"));
        let (_, tree) = ua.page("/tree").await;
        assert!(tree.contains("茅岭头社区") && !tree.contains("枧冲村"));
    }
);
