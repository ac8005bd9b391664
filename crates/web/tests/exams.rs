//! Closed-book exams through the real server on both databases: the office
//! sets one for a branch by blueprint; a member's paper follows it and
//! carries no answers; answers are kept as given and a reload resumes the
//! same sitting; the server ends the sitting at its deadline; when the
//! window closes the make-up list is exactly those absent and those who
//! failed, and the make-up paper repeats nothing; the result sheet puts
//! first and make-up results side by side and its roll-up equals a
//! recomputation. Bad input is refused with its field named, nothing
//! changed.

use std::collections::HashSet;

use serde_json::{Value, json};
use xueshi_testkit::people::{field_codes, get, post, put, signed_in_api};
use xueshi_testkit::{TestApp, both, dump_data};

fn at(ms: i64) -> String {
    xueshi_app::clock::format_ms(ms)[..16].replace(' ', "T")
}

/// The right answer to a question, from the bank.
async fn right(t: &TestApp, question: &str) -> String {
    let mut db = t.app.store().read().await.unwrap();
    let answer: String = sqlx::query_scalar("SELECT answer FROM questions WHERE id = $1")
        .bind(question.parse::<i64>().unwrap())
        .fetch_one(&mut *db)
        .await
        .unwrap();
    answer.split('|').next().unwrap().to_owned()
}

both!(
    async fn an_exam_is_sat_timed_by_the_server_and_the_absent_and_failed_sit_a_fresh_make_up(db) {
        let t = TestApp::district(db).await;
        let office = signed_in_api(&t, "office").await;
        let mut member = signed_in_api(&t, "member").await;
        let (_, me) = get(&member, "/api/v1/me").await;
        let branch = me["scope_unit_id"].as_str().or(me["scope_unit"].as_str()).map(str::to_owned).unwrap_or_else(|| panic!("{me}"));
        let now = t.app.now();
        let exam = |blueprint: Value, closes: i64| json!({
            "title": "党史知识闭卷测试", "opens_at": at(now - 60_000), "closes_at": at(closes), "minutes": 30,
            "pass_mark": 60, "attempts": 1, "blueprint": blueprint, "makeup_failed": true, "makeup_days": 3,
        });
        let blueprint = json!([{ "kind": "single", "count": 3 }, { "kind": "true_false", "count": 2 }]);

        // Bad set-ups: each field named, nothing written.
        let before = dump_data(t.app.store()).await;
        let mut bad = exam(json!([{ "kind": "essay", "count": 0 }]), now - 120_000);
        bad["attempts"] = json!(0);
        let (s, e) = post(&office, &format!("/api/v1/units/{branch}/exams"), bad).await;
        assert_eq!(s, 422, "{e}");
        let c = field_codes(&e);
        for want in ["closes_at:closes_before_opens", "attempts:out_of_range", "blueprint:bad_choice", "blueprint:out_of_range"] {
            assert!(c.contains(&want.to_owned()), "{want} in {c:?}");
        }
        let (s, e) = post(&office, &format!("/api/v1/units/{branch}/exams"), exam(json!([{ "kind": "single", "count": 150 }]), now + 7_200_000)).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["blueprint:bank_short".to_owned()]), "{e}");
        assert_eq!(post(&member, &format!("/api/v1/units/{branch}/exams"), exam(blueprint.clone(), now + 7_200_000)).await.0, 403);
        assert_eq!(dump_data(t.app.store()).await, before);

        let (s, made) = post(&office, &format!("/api/v1/units/{branch}/exams"), exam(blueprint.clone(), now + 7_200_000)).await;
        assert_eq!(s, 201, "{made}");
        let id = made["id"].as_str().unwrap().to_owned();
        let (_, ev) = get(&office, &format!("/api/v1/exams/{id}")).await;
        let roster = ev["roster"].as_u64().unwrap() as usize;
        assert!(roster > 3, "{ev}");
        let (_, p) = get(&office, &format!("/api/v1/exams/{id}/proctor")).await;
        assert_eq!(p["absent"].as_array().unwrap().len(), roster);

        // The paper follows the blueprint and carries no answer.
        let (s, sit) = post(&member, &format!("/api/v1/exams/{id}/sittings"), json!({})).await;
        assert_eq!(s, 200, "{sit}");
        let kinds: Vec<&str> = sit["questions"].as_array().unwrap().iter().map(|q| q["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["single", "single", "single", "true_false", "true_false"]);
        assert!(sit["questions"].as_array().unwrap().iter().all(|q| q.get("answer").is_none() && q.get("explanation").is_none()));
        let sitting = sit["id"].as_str().unwrap().to_owned();
        let first_paper: HashSet<String> = sit["questions"].as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap().to_owned()).collect();
        let q0 = sit["questions"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(put(&member, &format!("/api/v1/sittings/{sitting}/answers"), json!({ "question": q0, "answer": right(&t, &q0).await })).await.0, 204);
        let (s, e) = put(&member, &format!("/api/v1/sittings/{sitting}/answers"), json!({ "question": "12345", "answer": "A" })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["question:not_on_paper".to_owned()]));
        assert_eq!(get(&office, &format!("/api/v1/sittings/{sitting}")).await.0, 403);
        // A member reads her own sitting, not her colleagues' scores.
        for path in ["", "/results", "/proctor"] {
            assert_eq!(get(&member, &format!("/api/v1/exams/{id}{path}")).await.0, 403, "{path}");
        }
        // A dropped connection: starting again resumes the same sitting.
        let (_, again) = post(&member, &format!("/api/v1/exams/{id}/sittings"), json!({})).await;
        assert_eq!(again["id"], sit["id"]);
        assert_eq!(again["questions"][0]["saved"], json!(right(&t, &q0).await));
        let (_, p) = get(&office, &format!("/api/v1/exams/{id}/proctor")).await;
        assert_eq!(p["sitting"].as_array().unwrap().len(), 1);

        // The server ends it at its deadline, with what was saved.
        t.advance_minutes(31);
        member.api_login("member", "xueshi2021").await;
        let (s, e) = put(&member, &format!("/api/v1/sittings/{sitting}/answers"), json!({ "question": q0, "answer": "B" })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("sitting_closed")));
        let (_, done) = get(&member, &format!("/api/v1/sittings/{sitting}")).await;
        assert_eq!((done["submitted"].as_bool(), done["correct"].as_i64(), done["score"].as_i64(), done["passed"].as_bool()), (Some(true), Some(1), Some(20), Some(false)));
        let (s, e) = post(&member, &format!("/api/v1/exams/{id}/sittings"), json!({})).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("attempts_spent")));

        // The window closes: the make-up list is those absent and the failed.
        t.advance_minutes(120);
        let office = signed_in_api(&t, "office").await;
        member.api_login("member", "xueshi2021").await;
        let (_, r) = get(&office, &format!("/api/v1/exams/{id}/results")).await;
        let lines = r["lines"].as_array().unwrap();
        assert_eq!(lines.len(), roster);
        let reasons: Vec<&str> = lines.iter().map(|l| l["makeup_reason"].as_str().unwrap_or("")).collect();
        assert_eq!(reasons.iter().filter(|r| **r == "failed").count(), 1);
        assert_eq!(reasons.iter().filter(|r| **r == "absent").count(), roster - 1);
        let listed: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT COUNT(*) FROM exam_makeups WHERE exam_id = $1").bind(id.parse::<i64>().unwrap()).fetch_one(&mut *db).await.unwrap()
        };
        assert_eq!(listed as usize, roster, "made once");

        // The make-up: a fresh paper, none of the first.
        let (s, mk) = post(&member, &format!("/api/v1/exams/{id}/sittings"), json!({})).await;
        assert_eq!(s, 200, "{mk}");
        assert_eq!(mk["round"], 2);
        let mut answers = serde_json::Map::new();
        for q in mk["questions"].as_array().unwrap() {
            let qid = q["id"].as_str().unwrap().to_owned();
            assert!(!first_paper.contains(&qid), "{qid} repeats");
            answers.insert(qid.clone(), json!(right(&t, &qid).await));
        }
        let (s, graded) = post(&member, &format!("/api/v1/sittings/{}/submit", mk["id"].as_str().unwrap()), json!({ "answers": answers })).await;
        assert_eq!(s, 200, "{graded}");
        assert_eq!((graded["score"].as_i64(), graded["passed"].as_bool()), (Some(100), Some(true)));

        // Side by side, and the roll-up equals a recount of the lines.
        let (_, r) = get(&office, &format!("/api/v1/exams/{id}/results")).await;
        let mine = r["lines"].as_array().unwrap().iter().find(|l| l["first"].is_object()).unwrap().clone();
        assert_eq!((mine["first"]["score"].as_i64(), mine["makeup"]["score"].as_i64()), (Some(20), Some(100)));
        let top = &r["units"][0];
        assert_eq!((top["roster"].as_u64(), top["sat"].as_u64(), top["passed"].as_u64(), top["mean_tenths"].as_i64()), (Some(roster as u64), Some(1), Some(1), Some(1000)));
        let (_, p) = get(&office, &format!("/api/v1/exams/{id}/proctor")).await;
        assert_eq!((p["round"].as_i64(), p["finished"].as_array().unwrap().len()), (Some(2), 1));

        // Overrides: by name with a reason; nobody twice; strangers refused.
        let before = dump_data(t.app.store()).await;
        let (s, e) = post(&office, &format!("/api/v1/exams/{id}/makeups"), json!({ "unit": branch, "reason": "" })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["reason:required".to_owned()]));
        let (s, e) = post(&office, &format!("/api/v1/exams/{id}/makeups"), json!({ "members": ["1"], "reason": "病假" })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["members:not_on_roster".to_owned()]));
        assert_eq!(dump_data(t.app.store()).await, before);
        let (s, added) = post(&office, &format!("/api/v1/exams/{id}/makeups"), json!({ "unit": branch, "reason": "集中补考" })).await;
        assert_eq!((s, added["added"].as_i64()), (200, Some(0)), "everyone is on it already");
    }
);

both!(
    async fn the_demo_exam_has_its_absentees_on_a_make_up_and_its_roll_up_holds(db) {
        let t = TestApp::district(db).await;
        let office = signed_in_api(&t, "office").await;
        let exam: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT id FROM exams ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        let (s, r) = get(&office, &format!("/api/v1/exams/{exam}/results")).await;
        assert_eq!(s, 200);
        let lines = r["lines"].as_array().unwrap();
        let absent: Vec<&Value> = lines.iter().filter(|l| l["makeup_reason"] == "absent").collect();
        let failed: Vec<&Value> = lines.iter().filter(|l| l["makeup_reason"] == "failed").collect();
        assert!(!absent.is_empty() && !failed.is_empty(), "{r}");
        assert!(absent.iter().all(|l| l["first"].is_null()));
        assert!(failed.iter().all(|l| l["first"]["passed"] == false));
        assert!(lines.iter().filter(|l| l["first"]["passed"] == true).all(|l| l["makeup_reason"].is_null()));
        assert!(lines.iter().any(|l| l["makeup"]["passed"] == true), "a make-up was sat and passed");
        // The roll-up is a recount of the lines.
        let top = &r["units"][0];
        let sat = lines.iter().filter(|l| l["first"].is_object() || l["makeup"].is_object()).count();
        let passed = lines.iter().filter(|l| l["first"]["passed"] == true || l["makeup"]["passed"] == true).count();
        assert_eq!((top["roster"].as_u64(), top["sat"].as_u64(), top["passed"].as_u64()), (Some(lines.len() as u64), Some(sat as u64), Some(passed as u64)));
        let mut page = t.client();
        page.login("office", "xueshi2021").await;
        let (s, html) = page.page(&format!("/exams/{exam}")).await;
        assert_eq!(s, 200);
        assert!(html.contains("缺考") && html.contains("不及格") && html.contains("补考进行情况"), "{html}");
    }
);

both!(
    async fn a_unit_sits_on_paper_and_its_marks_count_like_online_sittings(db) {
        let t = TestApp::district(db).await;
        let office = signed_in_api(&t, "office").await;
        let member = signed_in_api(&t, "member").await;
        let (_, me) = get(&member, "/api/v1/me").await;
        let branch = me["scope_unit_id"].as_str().or(me["scope_unit"].as_str()).map(str::to_owned).unwrap_or_else(|| panic!("{me}"));
        let now = t.app.now();
        let (s, made) = post(&office, &format!("/api/v1/units/{branch}/exams"), json!({
            "title": "纸质闭卷测试", "opens_at": at(now - 60_000), "closes_at": at(now + 7_200_000), "minutes": 30,
            "pass_mark": 60, "attempts": 1, "blueprint": [{ "kind": "single", "count": 3 }, { "kind": "true_false", "count": 2 }],
            "makeup_failed": true, "makeup_days": 3,
        })).await;
        assert_eq!(s, 201, "{made}");
        let id = made["id"].as_str().unwrap().to_owned();
        let today = xueshi_domain::date::iso(xueshi_app::clock::date_of(now));

        // Nothing to mark before the paper is drawn; members may not print it.
        let before = dump_data(t.app.store()).await;
        let (s, e) = post(&office, &format!("/api/v1/exams/{id}/marks"), json!({ "unit": branch, "round": 1, "sat_on": today, "marks": [] })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("paper_not_printed")), "{e}");
        assert_eq!(post(&member, &format!("/api/v1/exams/{id}/paper"), json!({ "unit": branch })).await.0, 403);
        assert_eq!(get(&member, &format!("/api/v1/exams/{id}/paper?unit={branch}")).await.0, 403);
        let (s, e) = post(&office, &format!("/api/v1/exams/{id}/paper"), json!({ "unit": branch, "round": 2 })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("makeup_not_set")), "{e}");
        assert_eq!(dump_data(t.app.store()).await, before);

        // The unit's paper: drawn once, by the blueprint, with its key and a sheet per sitter.
        let (s, paper) = post(&office, &format!("/api/v1/exams/{id}/paper"), json!({ "unit": branch })).await;
        assert_eq!(s, 201, "{paper}");
        let kinds: Vec<&str> = paper["questions"].as_array().unwrap().iter().map(|q| q["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["single", "single", "single", "true_false", "true_false"]);
        assert!(paper["questions"].as_array().unwrap().iter().all(|q| !q["answer"].as_str().unwrap().is_empty()));
        let (_, ev) = get(&office, &format!("/api/v1/exams/{id}")).await;
        let sitters: Vec<String> = paper["sitters"].as_array().unwrap().iter().map(|s| s["member"].as_str().unwrap().to_owned()).collect();
        assert_eq!(sitters.len() as u64, ev["roster"].as_u64().unwrap());
        assert!(sitters.len() >= 4, "{paper}");
        let (_, again) = post(&office, &format!("/api/v1/exams/{id}/paper"), json!({ "unit": branch })).await;
        assert_eq!(again["questions"], paper["questions"], "drawn once");
        let first_paper: HashSet<String> = paper["questions"].as_array().unwrap().iter().map(|q| q["stem"].as_str().unwrap().to_owned()).collect();

        // The member sits online instead; her row cannot take paper marks.
        let (_, sit) = post(&member, &format!("/api/v1/exams/{id}/sittings"), json!({})).await;
        let (s, _) = post(&member, &format!("/api/v1/sittings/{}/submit", sit["id"].as_str().unwrap()), json!({ "answers": {} })).await;
        assert_eq!(s, 200);
        let (_, me_member) = get(&member, "/api/v1/me").await;
        let online = me_member["member_id"].as_str().map(str::to_owned).unwrap_or_else(|| panic!("{me_member}"));
        let others: Vec<&String> = sitters.iter().filter(|m| **m != online).collect();

        // Bad marks: each row named, nothing written.
        let before = dump_data(t.app.store()).await;
        let (s, e) = post(&office, &format!("/api/v1/exams/{id}/marks"), json!({ "unit": branch, "round": 1, "sat_on": "2020-01-01", "marks": [
            { "member": others[0], "correct": 6 },
            { "member": "1", "correct": 3 },
            { "member": online, "correct": 5 },
            { "member": others[1], "correct": 4 },
            { "member": others[1], "correct": 4 },
        ] })).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(field_codes(&e), ["sat_on:out_of_range", "marks:correct_out_of_range", "marks:row_not_on_roster", "marks:row_sat_online", "marks:row_duplicate"], "{e}");
        let said: Vec<&str> = e["fields"].as_array().unwrap().iter().map(|x| x["message"].as_str().unwrap()).collect();
        for (i, row) in [(1, 1), (2, 2), (3, 3), (4, 5)] {
            assert!(said[i].contains(&format!("{row}")), "row {row} named: {said:?}");
        }
        assert_eq!(dump_data(t.app.store()).await, before);

        // Good marks: scored and passed like an online sitting; entering again corrects.
        let (s, r) = post(&office, &format!("/api/v1/exams/{id}/marks"), json!({ "unit": branch, "round": 1, "sat_on": today, "marks": [
            { "member": others[0], "correct": 5 }, { "member": others[1], "correct": 1 }, { "member": others[2] },
        ] })).await;
        assert_eq!((s, r["recorded"].as_i64()), (200, Some(2)), "{r}");
        let (s, _) = post(&office, &format!("/api/v1/exams/{id}/marks"), json!({ "unit": branch, "round": 1, "sat_on": today, "marks": [{ "member": others[1], "correct": 2 }] })).await;
        assert_eq!(s, 200);
        let (_, sheet) = get(&office, &format!("/api/v1/exams/{id}/marks?unit={branch}")).await;
        let line = |m: &str| sheet["lines"].as_array().unwrap().iter().find(|l| l["member"] == json!(m)).unwrap().clone();
        assert_eq!((line(others[0])["score"].as_i64(), line(others[1])["score"].as_i64(), line(others[1])["correct"].as_i64()), (Some(100), Some(40), Some(2)));
        assert_eq!(line(&online)["source"], "online");
        let sittings: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT COUNT(*) FROM exam_sittings WHERE exam_id = $1 AND source = 'paper'").bind(id.parse::<i64>().unwrap()).fetch_one(&mut *db).await.unwrap()
        };
        assert_eq!(sittings, 2, "the correction replaced the mark");

        // Counted the same way: the result sheet and the make-up list.
        t.advance_minutes(150);
        let office = signed_in_api(&t, "office").await;
        let (_, r) = get(&office, &format!("/api/v1/exams/{id}/results")).await;
        let top = &r["units"][0];
        assert_eq!((top["sat"].as_u64(), top["passed"].as_u64()), (Some(3), Some(1)), "{top}");
        let reason = |r: &Value, m: &str| r["lines"].as_array().unwrap().iter().find(|l| l["member"] == json!(m)).unwrap()["makeup_reason"].as_str().map(str::to_owned);
        assert_eq!((reason(&r, others[0]), reason(&r, others[1]), reason(&r, others[2]).as_deref()), (None, Some("failed".to_owned()), Some("absent")));
        assert_eq!(r["lines"].as_array().unwrap().iter().find(|l| l["member"] == json!(others[0])).unwrap()["first"]["source"], "paper");
        // Marks that arrive after the close take the sitter off the absent list.
        let (s, _) = post(&office, &format!("/api/v1/exams/{id}/marks"), json!({ "unit": branch, "round": 1, "sat_on": today, "marks": [{ "member": others[2], "correct": 4 }] })).await;
        assert_eq!(s, 200);
        let (_, r) = get(&office, &format!("/api/v1/exams/{id}/results")).await;
        assert_eq!(reason(&r, others[2]), None);

        // The make-up paper repeats nothing of the unit's first paper.
        let (s, mk) = post(&office, &format!("/api/v1/exams/{id}/paper"), json!({ "unit": branch, "round": 2 })).await;
        assert_eq!(s, 201, "{mk}");
        assert!(mk["questions"].as_array().unwrap().iter().all(|q| !first_paper.contains(q["stem"].as_str().unwrap())));
        assert!(mk["sitters"].as_array().unwrap().iter().all(|x| x["member"] != json!(others[0]) && x["member"] != json!(others[2])));
    }
);
