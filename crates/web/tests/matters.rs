//! Practical matters through the real server, on both databases: the
//! catalogue, the claiming rules of seed 001, every step of the loop and the
//! illegal ones (refused, nothing changed), the matter's history, and the
//! office's triage of the public's problems.

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_testkit::people::{code_of, member_of, post, post_solved};
use xueshi_testkit::{Client, TestApp, both, dump, without_refusals};

both!(
    async fn claims_follow_the_rules_and_the_loop_refuses_what_it_does_not_allow(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let scope: Value = office.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let root = scope["unit"]["id"].clone();

        // Bad catalogue entries name their fields and change nothing.
        let before = dump(t.app.store()).await;
        let (status, body) = post(&office, "/api/v1/matters", json!({
            "unit_id": root, "title": "", "level": "特别重点", "field": "航天", "deadline": "2021-02-30", "budget_yuan": "12万",
        })).await;
        assert_eq!(status, 422, "{body}");
        let fields: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        for f in ["title", "level", "field", "deadline", "budget_yuan"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        assert!(dump(t.app.store()).await == before);

        let (status, m) = post(&office, "/api/v1/matters", json!({
            "unit_id": root, "title": "云溪大道路灯改造", "level": "区重点", "field": "民生改善",
            "deadline": "2021-10-31", "target": "修复路灯120盏", "budget_yuan": "125000.50",
        })).await;
        assert_eq!(status, 201, "{m}");
        assert_eq!(m["status"], "approved");
        assert_eq!(m["level"], "district_key");
        let id = m["id"].as_str().unwrap().to_owned();
        let claims = format!("/api/v1/matters/{id}/claims");
        let steps = format!("/api/v1/matters/{id}/steps");

        let ordinary = member_of(&t, "ordinary", 0).await;
        let section = member_of(&t, "section", 0).await;
        let section2 = member_of(&t, "section", 1).await;
        let leader = member_of(&t, "leader", 0).await;
        // Members see the catalogue above them.
        assert_eq!(ordinary.api(Method::GET, &format!("/api/v1/matters/{id}"), None).await.status(), 200);

        let (s, b) = post(&ordinary, &claims, json!({ "role": "lead" })).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "claim_ordinary_must_join"));
        let (s, b) = post(&ordinary, &claims, json!({ "role": "join" })).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "claim_no_lead"));
        // Nobody leads yet: nothing to report or finish.
        let (s, b) = post(&office, &steps, json!({ "event": "finish" })).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "matter_step_not_allowed"));
        let (s, _) = post(&section, &claims, json!({ "role": "lead" })).await;
        assert_eq!(s, 201);
        let (s, b) = post(&section2, &claims, json!({ "role": "lead" })).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "claim_already_led"));
        let (s, _) = post(&leader, &claims, json!({ "role": "lead" })).await;
        assert_eq!(s, 201, "a leader may co-lead");
        let (s, _) = post(&ordinary, &claims, json!({ "role": "join" })).await;
        assert_eq!(s, 201);
        let (s, b) = post(&ordinary, &claims, json!({ "role": "join" })).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "claim_already_claimed"));

        // The loop: approving again, finishing unreported work, a joiner
        // reporting, a bad percentage — all refused, nothing changed.
        let before = dump(t.app.store()).await;
        let (s, b) = post(&office, &steps, json!({ "event": "approve" })).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "matter_step_not_allowed"));
        let (s, _) = post(&section, &steps, json!({ "event": "finish" })).await;
        assert_eq!(s, 409);
        let (s, _) = post(&ordinary, &steps, json!({ "event": "report", "progress": 50 })).await;
        assert_eq!(s, 403);
        let (s, b) = post(&section, &steps, json!({ "event": "report", "progress": 140 })).await;
        assert_eq!((s, code_of(&b).as_str()), (422, "out_of_range"));
        assert!(
            without_refusals(dump(t.app.store()).await) == without_refusals(before),
            "refused steps change nothing but the record of the refusal"
        );

        let (s, m) = post(&section, &steps, json!({ "event": "report", "progress": 40, "note": "已更换灯杆48根" })).await;
        assert_eq!((s, m["status"].as_str()), (200, Some("in_progress")));
        let (s, m) = post(&section, &steps, json!({ "event": "finish", "note": "全部完工", "outcomes": { "affairs": 3, "problems_solved": 12, "people_served": 5200, "spent_fen": 11800000 } })).await;
        assert_eq!((s, m["status"].as_str(), m["round"].as_i64()), (200, Some("done"), Some(1)));
        let (s, _) = post(&section, &steps, json!({ "event": "report", "progress": 100 })).await;
        assert_eq!(s, 409, "a finished matter takes no reports");
        let (s, _) = post(&office, &steps, json!({ "event": "drop", "note": "x" })).await;
        assert_eq!(s, 409);

        let d: Value = office.api(Method::GET, &format!("/api/v1/matters/{id}"), None).await.json().await.unwrap();
        let events: Vec<&str> = d["history"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(events, ["approve", "lead", "lead", "join", "report", "finish"]);
        assert_eq!(d["claims"].as_array().unwrap().len(), 3);
        assert_eq!(d["outcomes"]["problems_solved"], 12);
        assert_eq!(d["matter"]["progress"], 100);
        let mut db = t.app.store().read().await.unwrap();
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'matter.%' AND outcome = 'ok'").fetch_one(&mut *db).await.unwrap();
        assert_eq!(audited, 1 + 3 + 2, "create, three claims, report and finish");
        let refused: Vec<(String, String)> = sqlx::query_as("SELECT action, actor_name FROM audit_log WHERE outcome = 'denied'").fetch_all(&mut *db).await.unwrap();
        assert_eq!(refused.len(), 1, "the joiner's report was refused, and that is on record: {refused:?}");
        assert_eq!(refused[0].0, "matter.steps");
    }
);

both!(
    async fn the_office_triages_the_publics_problems(db) {
        let t = TestApp::district(db).await;
        let raise = |body: &str| {
            let ch = xueshi_app::problems::new_challenge(&t.app);
            let sum: u32 = ch.question.split('+').map(|n| n.trim().parse::<u32>().unwrap()).sum();
            xueshi_app::problems::raise(
                &t.app,
                xueshi_app::problems::RaiseInput { body: body.into(), challenge: ch.token, answer: sum.to_string(), ..Default::default() },
                "127.0.0.1",
            )
        };
        let first = raise("长岭社区27号院的违建棚厦多年没人管。").await.unwrap().code;
        let second = raise("27号院门口堆满杂物，消防车进不来。").await.unwrap().code;
        let third = raise("希望小区门口能装一个快递柜。").await.unwrap().code;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let mut ua = t.client();
        ua.api_login("songyanghu", "xueshi2021").await;
        let scope: Value = office.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let root = scope["unit"]["id"].clone();

        // Only the office at the top triages.
        let (s, _) = post(&ua, &format!("/api/v1/problems/{third}/triage"), json!({ "action": "reject", "reason": "x" })).await;
        assert_eq!(s, 403);
        let (s, b) = post(&office, &format!("/api/v1/problems/{third}/triage"), json!({ "action": "reject", "reason": "" })).await;
        assert_eq!((s, code_of(&b).as_str()), (422, "required"));
        let (s, _) = post(&office, &format!("/api/v1/problems/{third}/triage"), json!({ "action": "reject", "reason": "属于物业服务事项，已转物业公司办理。" })).await;
        assert_eq!(s, 204);
        let (s, b) = post(&office, &format!("/api/v1/problems/{third}/triage"), json!({ "action": "reject", "reason": "again" })).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "problem_settled"));

        let (s, m) = post(&office, "/api/v1/matters", json!({
            "unit_id": root, "title": "长岭社区27号院棚厦整治", "level": "一般", "field": "基层治理", "deadline": "2021-06-30", "problem": first,
        })).await;
        assert_eq!(s, 201, "{m}");
        let (s, _) = post(&office, &format!("/api/v1/problems/{second}/triage"), json!({ "action": "merge", "matter_id": m["id"] })).await;
        assert_eq!(s, 204);

        // The citizens see where their problems went, on the public pages.
        let c = t.client();
        for (code, want) in [(&first, "accepted"), (&second, "merged"), (&third, "rejected")] {
            let f: Value = c.api(Method::GET, &format!("/api/v1/public/problems/{code}"), None).await.json().await.unwrap();
            assert_eq!(f["status"], want, "{code}");
        }
        let f: Value = c.api(Method::GET, &format!("/api/v1/public/problems/{third}"), None).await.json().await.unwrap();
        assert_eq!(f["reason"], "属于物业服务事项，已转物业公司办理。");
        let mut db = t.app.store().read().await.unwrap();
        let linked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM matter_problems WHERE matter_id = $1")
            .bind(m["id"].as_str().unwrap().parse::<i64>().unwrap())
            .fetch_one(&mut *db)
            .await
            .unwrap();
        assert_eq!(linked, 2);
    }
);

/// A visitor solves the sum and rates a matter, with a tracking code when
/// given (one of the people the matter served).
async fn rate(id: &str, v: &Client, rating: &str, code: &str) -> (u16, Value) {
    post_solved(
        v,
        &format!("/api/v1/public/matters/{id}/ratings"),
        json!({ "rating": rating, "code": code }),
    )
    .await
}

both!(
    async fn only_the_people_served_can_send_a_finished_matter_back(db) {
        // Every visitor here comes from 127.0.0.1: lift the per-minute limit.
        let (tdb, app) = xueshi_testkit::district(db).await;
        let web = xueshi_web::WebConfig { problems_per_minute: 100, ..xueshi_web::WebConfig::default() };
        let t = TestApp::serve(tdb, app, web).await;
        let raise = |body: &str| {
            let ch = xueshi_app::problems::new_challenge(&t.app);
            let sum: u32 = ch.question.split('+').map(|n| n.trim().parse::<u32>().unwrap()).sum();
            xueshi_app::problems::raise(
                &t.app,
                xueshi_app::problems::RaiseInput { body: body.into(), challenge: ch.token, answer: sum.to_string(), ..Default::default() },
                "127.0.0.1",
            )
        };
        let mut codes = Vec::new();
        for body in ["长岭水上公园的水发臭了。", "水上公园岸边垃圾没人清。", "公园水面漂着死鱼。", "希望小区门口装快递柜。"] {
            codes.push(raise(body).await.unwrap().code);
        }
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let scope: Value = office.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let (s, m) = post(&office, "/api/v1/matters", json!({
            "unit_id": scope["unit"]["id"], "title": "长岭水上公园专项治理", "level": "general", "field": "生态保护", "deadline": "2021-09-30", "problem": codes[0],
        })).await;
        assert_eq!(s, 201, "{m}");
        let id = m["id"].as_str().unwrap().to_owned();
        for code in &codes[1..3] {
            let (s, _) = post(&office, &format!("/api/v1/problems/{code}/triage"), json!({ "action": "merge", "matter_id": m["id"] })).await;
            assert_eq!(s, 204);
        }
        let lead = member_of(&t, "section", 0).await;
        post(&lead, &format!("/api/v1/matters/{id}/claims"), json!({ "role": "lead" })).await;
        post(&lead, &format!("/api/v1/matters/{id}/steps"), json!({ "event": "report", "progress": 60 })).await;

        let mut browsers = Vec::new();
        for _ in 0..4 {
            let mut v = t.client();
            v.page("/login").await;
            browsers.push(v);
        }
        let (s, b) = rate(&id, &browsers[0], "satisfied", "").await;
        assert_eq!((s, code_of(&b).as_str()), (409, "matter_not_done"));
        let (s, _) = post(&lead, &format!("/api/v1/matters/{id}/steps"), json!({ "event": "finish", "outcomes": { "people_served": 3000 } })).await;
        assert_eq!(s, 200);

        // The public: three clean browsers on one address all say 不满意;
        // counted apart, the matter stays finished, and a fourth is refused.
        for v in &browsers[..3] {
            let (s, b) = rate(&id, v, "unsatisfied", "").await;
            assert_eq!((s, b["reopened"].as_bool(), b["served"].as_bool()), (201, Some(false), Some(false)), "{b}");
        }
        let (s, b) = rate(&id, &browsers[3], "unsatisfied", "").await;
        assert_eq!((s, code_of(&b).as_str()), (409, "rating_ceiling"), "a ceiling per matter and address");
        // A code of a problem the matter did not take up, or no code at all
        // that exists, answers alike.
        for code in [codes[3].as_str(), "AAAA-BBBB-CCCC"] {
            let (s, b) = rate(&id, &browsers[0], "unsatisfied", code).await;
            assert_eq!((s, code_of(&b).as_str()), (422, "code_not_for_matter"), "{code}");
        }

        // The served: one rating per code and round; two 不满意 of three send it back.
        let (s, b) = rate(&id, &browsers[0], "unsatisfied", &codes[0]).await;
        assert_eq!((s, b["reopened"].as_bool(), b["served"].as_bool()), (201, Some(false), Some(true)), "{b}");
        let (s, b) = rate(&id, &browsers[1], "unsatisfied", &codes[0].to_lowercase()).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "already_rated"), "one rating per code and round, from any browser");
        let (s, b) = rate(&id, &browsers[1], "satisfied", &codes[1]).await;
        assert_eq!((s, b["reopened"].as_bool()), (201, Some(false)));
        let (s, b) = rate(&id, &browsers[2], "unsatisfied", &codes[2]).await;
        assert_eq!((s, b["reopened"].as_bool(), b["unsatisfied"].as_i64()), (201, Some(true), Some(2)), "{b}");
        assert_eq!(b["public"], json!([0, 0, 3]), "the public's ratings shown apart");

        let d: Value = office.api(Method::GET, &format!("/api/v1/matters/{id}"), None).await.json().await.unwrap();
        assert_eq!(d["matter"]["status"], "in_progress");
        let last = d["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["event"].as_str(), last["from"].as_str()), (Some("reopen"), Some("done")));
        // Reopened work is finished again, and rated afresh.
        let (s, b) = rate(&id, &browsers[1], "satisfied", &codes[1]).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "matter_not_done"));
        let (s, m) = post(&lead, &format!("/api/v1/matters/{id}/steps"), json!({ "event": "finish" })).await;
        assert_eq!((s, m["round"].as_i64()), (200, Some(2)));
        let (s, _) = rate(&id, &browsers[0], "satisfied", &codes[0]).await;
        assert_eq!(s, 201, "a new round takes a new rating");
        let page = browsers[0].get(&format!("/public/matters/{id}")).await.text().await.unwrap();
        assert!(page.contains("服务对象评价（本轮）：满意 1 · 基本满意 0 · 不满意 0"), "{page}");
        assert!(page.contains("社会公众评价（本轮）：满意 0 · 基本满意 0 · 不满意 0"));
        let mut db = t.app.store().read().await.unwrap();
        let stored: Vec<(String, String)> = sqlx::query_as("SELECT voter, addr FROM matter_ratings WHERE matter_id = $1")
            .bind(id.parse::<i64>().unwrap())
            .fetch_all(&mut *db)
            .await
            .unwrap();
        assert_eq!(stored.len(), 3 + 3 + 1);
        assert!(stored.iter().all(|(v, a)| !v.contains("127.0.0.1") && !a.contains("127.0.0.1")));
    }
);

both!(
    async fn people_served_without_a_problem_rate_with_printed_codes(db) {
        let (tdb, app) = xueshi_testkit::district(db).await;
        let web = xueshi_web::WebConfig { problems_per_minute: 100, ..xueshi_web::WebConfig::default() };
        let t = TestApp::serve(tdb, app, web).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let scope: Value = office.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let new = |title: &'static str| post(&office, "/api/v1/matters", json!({
            "unit_id": scope["unit"]["id"], "title": title, "level": "general", "field": "民生改善", "deadline": "2021-09-30",
        }));
        let (_, m) = new("枧冲村饮水管网改造").await;
        let (_, other) = new("荣家湾社区路灯").await;
        let id = m["id"].as_str().unwrap().to_owned();
        let lead = member_of(&t, "section", 1).await;
        post(&lead, &format!("/api/v1/matters/{id}/claims"), json!({ "role": "lead" })).await;

        // A member who is not its lead prints none; the lead prints four on
        // the matter's page, shown once with a QR code each.
        let stranger = member_of(&t, "ordinary", 2).await;
        let (s, _) = post(&stranger, &format!("/api/v1/matters/{id}/rating-codes"), json!({ "count": 3 })).await;
        assert_eq!(s, 403);
        let mut lead_page = t.signed_in("office").await;
        let (_, page) = lead_page.page(&format!("/matters/{id}")).await;
        assert!(page.contains("id=\"rating-codes-issued\""), "{page}");
        let r = lead_page.form(&format!("/matters/{id}/rating-codes"), &[("count", "4")]).await;
        assert_eq!(r.status(), 200);
        let slips = r.text().await.unwrap();
        let codes: Vec<String> = slips.split("<p class=\"slip-code\">").skip(1).map(|s| s.split('<').next().unwrap().to_owned()).collect();
        assert_eq!(codes.len(), 4, "{slips}");
        assert_eq!(slips.matches("<svg").count(), 4, "a QR code on each slip");
        assert!(slips.contains(&format!("/public/matters/{id}")));
        let r = lead_page.form(&format!("/matters/{id}/rating-codes"), &[("count", "9999")]).await;
        assert_eq!(r.status(), 422);
        let (s, b) = post(&office, &format!("/api/v1/matters/{}/rating-codes", other["id"].as_str().unwrap()), json!({ "count": 1 })).await;
        assert_eq!(s, 201);
        let foreign = b["codes"][0].as_str().unwrap().to_owned();
        let mut db = t.app.store().read().await.unwrap();
        let kept: Vec<String> = sqlx::query_scalar("SELECT digest FROM matter_rating_codes").fetch_all(&mut *db).await.unwrap();
        drop(db);
        assert_eq!(kept.len(), 5);
        assert!(kept.iter().all(|d| !codes.contains(d) && *d != foreign), "only digests are kept");

        post(&lead, &format!("/api/v1/matters/{id}/steps"), json!({ "event": "report", "progress": 50 })).await;
        let (s, _) = post(&lead, &format!("/api/v1/matters/{id}/steps"), json!({ "event": "finish" })).await;
        assert_eq!(s, 200);
        let mut browsers = Vec::new();
        for _ in 0..3 {
            let mut v = t.client();
            v.page("/login").await;
            browsers.push(v);
        }
        // The slip's QR code opens the rating form with the code filled in.
        let page = browsers[0].get(&format!("/public/matters/{id}?code={}", codes[3])).await.text().await.unwrap();
        assert!(page.contains(&format!("value=\"{}\"", codes[3])), "{page}");
        // Another matter's code, or a made-up one, is not this matter's.
        for code in [foreign.as_str(), "AAAA-BBBB-CCCC"] {
            let (s, b) = rate(&id, &browsers[0], "unsatisfied", code).await;
            assert_eq!((s, code_of(&b).as_str()), (422, "code_not_for_matter"), "{code}");
        }
        // A slip rates once, as one of the served; two 不满意 of three send
        // the matter back.
        let (s, b) = rate(&id, &browsers[0], "unsatisfied", &codes[0]).await;
        assert_eq!((s, b["served"].as_bool()), (201, Some(true)), "{b}");
        let (s, b) = rate(&id, &browsers[1], "satisfied", &codes[0]).await;
        assert_eq!((s, code_of(&b).as_str()), (409, "already_rated"));
        rate(&id, &browsers[1], "satisfied", &codes[1]).await;
        let (s, b) = rate(&id, &browsers[2], "unsatisfied", &codes[2]).await;
        assert_eq!((s, b["reopened"].as_bool()), (201, Some(true)), "{b}");
    }
);

both!(
    async fn the_public_list_filters_and_names_nobody(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let scope: Value = office.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let root = scope["unit"]["id"].clone();
        let public = t.client();
        let total = |q: &'static str| {
            let public = &public;
            async move {
                let v: Value = public.api(Method::GET, &format!("/api/v1/public/matters{q}"), None).await.json().await.unwrap();
                (v["total"].as_i64().unwrap(), v.to_string())
            }
        };
        // The demo's own matters are there already: count what these add.
        let mut base = Vec::new();
        for q in ["", "?level=general", "?level=general&field=%E6%B0%91%E7%94%9F%E6%94%B9%E5%96%84", "?status=in_progress"] {
            base.push(total(q).await.0);
        }
        let mut ids = Vec::new();
        for (title, level, field) in [
            ("枧冲村山塘硬化美化", "district_key", "民生改善"),
            ("长岭水上公园专项治理", "general", "生态保护"),
            ("云溪社区老旧小区雨污分流", "general", "民生改善"),
        ] {
            let (s, m) = post(&office, "/api/v1/matters", json!({ "unit_id": root, "title": title, "level": level, "field": field, "deadline": "2021-12-31" })).await;
            assert_eq!(s, 201);
            ids.push(m["id"].as_str().unwrap().to_owned());
        }
        let lead = member_of(&t, "section", 0).await;
        post(&lead, &format!("/api/v1/matters/{}/claims", ids[0]), json!({ "role": "lead" })).await;
        post(&lead, &format!("/api/v1/matters/{}/steps", ids[0]), json!({ "event": "report", "progress": 40 })).await;
        let lead_name: String = {
            let d: Value = office.api(Method::GET, &format!("/api/v1/matters/{}", ids[0]), None).await.json().await.unwrap();
            d["claims"][0]["name"].as_str().unwrap().to_owned()
        };

        assert_eq!(total("").await.0, base[0] + 3);
        assert_eq!(total("?level=general").await.0, base[1] + 2);
        assert_eq!(total("?level=general&field=%E6%B0%91%E7%94%9F%E6%94%B9%E5%96%84").await.0, base[2] + 1);
        let (n, _) = total("?status=in_progress").await;
        assert_eq!(n, base[3] + 1);
        let filtered: Value = public.api(Method::GET, &format!("/api/v1/public/matters?status=in_progress&unit={}", root.as_str().unwrap()), None).await.json().await.unwrap();
        let body = filtered.to_string();
        assert!(body.contains("枧冲村山塘硬化美化") && body.contains("\"progress\":40"), "{body}");
        assert_eq!(total("?level=bogus").await.0, 0, "an unknown filter matches nothing");
        let (_, all) = total("").await;
        let mut page = t.client();
        let (status, html) = page.page(&format!("/public/matters?level=general&unit={}", root.as_str().unwrap())).await;
        assert_eq!(status, 200);
        assert!(html.contains("长岭水上公园专项治理") && html.contains("云溪社区老旧小区雨污分流") && !html.contains("枧冲村山塘硬化美化"));
        for text in [all, html] {
            assert!(!text.contains(&lead_name), "the public list names nobody");
        }
    }
);
