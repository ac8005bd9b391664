//! Study and the daily quiz through the real server, on both databases:
//! the draw, grading, the one-attempt rule under concurrent submissions,
//! late and tampered answers, check-ins against quotas, the counters checked
//! against the raw rows, and question-bank imports.

use std::collections::{HashMap, HashSet};

use reqwest::Method;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};
use xueshi_app::Ctx;
use xueshi_domain::unit::UnitPath;
use xueshi_store::study::{self, Daily};
use xueshi_testkit::people::member_account;
use xueshi_testkit::{Client, TestApp, both, dump};

async fn root_ctx(t: &TestApp) -> Ctx {
    let mut c = t.app.store().read().await.unwrap();
    let root = xueshi_store::units::roots(&mut c).await.unwrap().remove(0);
    Ctx::system(&root.path())
}

/// Member accounts for the first `n` members, signed in through the API;
/// their usernames are `quizzer0`, `quizzer1`, …
async fn members(t: &TestApp, n: usize) -> Vec<Client> {
    let rows: Vec<(i64, i64)> = {
        let mut c = t.app.store().read().await.unwrap();
        sqlx::query_as::<_, (i64, i64)>("SELECT id, unit_id FROM members ORDER BY id LIMIT $1")
            .bind(n as i64 + 50)
            .fetch_all(&mut *c)
            .await
            .unwrap()
    };
    let mut out = Vec::new();
    for (member, unit) in rows {
        // Some demo members already hold an account.
        let Some(c) = member_account(t, member, unit, &format!("quizzer{}", out.len())).await
        else {
            continue;
        };
        out.push(c);
        if out.len() == n {
            break;
        }
    }
    assert_eq!(out.len(), n);
    out
}

/// Signs in again: moving the clock a day ends every session.
async fn again(t: &TestApp, i: usize) -> Client {
    let mut c = t.client();
    let (status, _) = c.api_login(&format!("quizzer{i}"), "xueshi2021").await;
    assert_eq!(status, 200);
    c
}

/// The right answers of a paper, read from the bank the way the server does.
async fn right_answers(t: &TestApp, paper: &Value) -> HashMap<String, String> {
    let ids: Vec<i64> = paper["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let mut c = t.app.store().read().await.unwrap();
    xueshi_store::quiz::questions_by_id(&mut c, &ids)
        .await
        .unwrap()
        .into_iter()
        .map(|q| {
            // A fill-in question accepts any of its answers; send the first.
            let a = q.answer.split('|').next().unwrap_or("").to_owned();
            (q.id.to_string(), a)
        })
        .collect()
}

async fn attempts(t: &TestApp) -> i64 {
    let mut c = t.app.store().read().await.unwrap();
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM quiz_attempts")
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

/// Every counter equals the sum of the raw rows under its unit.
async fn counters_match_raw_rows(t: &TestApp) {
    let mut c = t.app.store().read().await.unwrap();
    let stored = study::all_daily(&mut c).await.unwrap();
    let direct = study::direct_daily(&mut c).await.unwrap();
    let paths: HashMap<i64, UnitPath> =
        xueshi_store::units::subtree(&mut c, &root_ctx(t).await.actor.scope)
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.id, u.path()))
            .collect();
    let mut want: HashMap<(i64, String), Daily> = HashMap::new();
    for ((unit, day), d) in direct {
        for a in paths[&unit].ids() {
            *want.entry((a.0, day.clone())).or_default() += d;
        }
    }
    assert!(!want.is_empty());
    assert_eq!(stored.len(), want.len(), "counter rows");
    for (k, v) in &want {
        assert_eq!(stored.get(k), Some(v), "counter of {k:?}");
    }
}

both!(
    async fn a_member_takes_the_daily_quiz_once_and_sees_the_explanations(db) {
        let t = TestApp::district(db).await;
        let mut c = members(&t, 1).await.remove(0);
        let paper: Value = c.api(Method::GET, "/api/v1/quiz/today", None).await.json().await.unwrap();
        assert_eq!(paper["state"], "open", "{paper}");
        let qs = paper["questions"].as_array().unwrap();
        assert_eq!(qs.len(), 5);
        let text = paper.to_string();
        assert!(!text.contains("\"answer\"") && !text.contains("explanation"), "no answers before the attempt: {text}");
        // Reloading gives the same paper and does not restart the clock.
        let again: Value = c.api(Method::GET, "/api/v1/quiz/today", None).await.json().await.unwrap();
        assert_eq!(again["questions"], paper["questions"]);
        assert_eq!(again["deadline_ms"], paper["deadline_ms"]);

        let mut answers = right_answers(&t, &paper).await;
        // One wrong on purpose.
        let wrong = qs[0]["id"].as_str().unwrap().to_owned();
        answers.insert(wrong.clone(), "完全不对".into());
        let r = c.api(Method::POST, "/api/v1/quiz/today", Some(json!({ "ticket": paper["ticket"], "answers": answers }))).await;
        assert_eq!(r.status(), 201);
        let result: Value = r.json().await.unwrap();
        assert_eq!(result["correct"], 4);
        assert_eq!(result["total"], 5);
        assert_eq!(result["streak"], 1);
        let graded = result["questions"].as_array().unwrap();
        assert!(graded.iter().all(|g| g["answer"].is_string() && g["explanation"].is_string()));
        assert_eq!(graded.iter().filter(|g| g["correct"] == false).count(), 1);

        // The second attempt is refused and changes nothing.
        let before = dump(t.app.store()).await;
        let r = c.api(Method::POST, "/api/v1/quiz/today", Some(json!({ "ticket": paper["ticket"], "answers": {} }))).await;
        assert_eq!(r.status(), 409);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "quiz_already_taken");
        assert!(dump(t.app.store()).await == before, "the refused attempt changed something");
        let done: Value = c.api(Method::GET, "/api/v1/quiz/today", None).await.json().await.unwrap();
        assert_eq!(done["state"], "done");
        assert_eq!(done["correct"], 4);

        // The member's page shows the result; the attempt is audited.
        c.csrf = None;
        let (status, page) = c.page("/study").await;
        assert_eq!(status, 200);
        assert!(page.contains("id=\"quiz-score\"") && page.contains("答对 4 / 5 题"), "{page}");
        let mut conn = t.app.store().read().await.unwrap();
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'quiz.submit'").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(audited, 1);
        drop(conn);
        counters_match_raw_rows(&t).await;
    }
);

both!(
    async fn concurrent_double_submissions_store_one_attempt(db) {
        let t = TestApp::district(db).await;
        let quizzers = members(&t, 6).await;
        let mut papers = Vec::new();
        for c in &quizzers {
            let p: Value = c.api(Method::GET, "/api/v1/quiz/today", None).await.json().await.unwrap();
            papers.push(p);
        }
        let before = attempts(&t).await;
        // Every member sends the same answers four times at once.
        let mut tasks = Vec::new();
        for (c, p) in quizzers.iter().zip(&papers) {
            let answers = right_answers(&t, p).await;
            for _ in 0..4 {
                let http = c.http.clone();
                let url = c.url("/api/v1/quiz/today");
                let csrf = c.csrf.clone().unwrap();
                let body = json!({ "ticket": p["ticket"], "answers": answers });
                tasks.push(tokio::spawn(async move {
                    http.post(url).header("x-csrf-token", csrf).json(&body).send().await.unwrap().status().as_u16()
                }));
            }
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 6, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 18, "{statuses:?}");
        assert_eq!(attempts(&t).await, before + 6);
        counters_match_raw_rows(&t).await;
    }
);

both!(
    async fn a_run_of_quiz_days_grows_a_day_at_a_time_and_starts_again_after_a_gap(db) {
        let t = TestApp::district(db).await;
        let mut c = members(&t, 1).await.remove(0);
        let mut runs = Vec::new();
        for day in 0..5 {
            if day == 3 {
                // A day without the quiz ends the run.
                t.advance_minutes(24 * 60);
                c = again(&t, 0).await;
            }
            let paper: Value = c.api(Method::GET, "/api/v1/quiz/today", None).await.json().await.unwrap();
            let answers = right_answers(&t, &paper).await;
            let r = c.api(Method::POST, "/api/v1/quiz/today", Some(json!({ "ticket": paper["ticket"], "answers": answers }))).await;
            assert_eq!(r.status(), 201);
            runs.push(r.json::<Value>().await.unwrap()["streak"].as_i64().unwrap());
            t.advance_minutes(24 * 60);
            c = again(&t, 0).await;
        }
        assert_eq!(runs, vec![1, 2, 3, 1, 2]);
        let mut conn = t.app.store().read().await.unwrap();
        let (best, quizzes, correct): (i64, i64, i64) = sqlx::query_as(
            "SELECT s.best_run, s.quizzes, s.correct FROM member_streaks s JOIN accounts a ON a.member_id = s.member_id \
             WHERE a.username = 'quizzer0'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!((best, quizzes, correct), (3, 5, 25));
        drop(conn);
        assert!(xueshi_app::consistency::check_streaks(&t.app).await.unwrap().is_empty());
        // `xueshi check` notices a run that drifted from the attempts.
        {
            let mut conn = t.app.store().read().await.unwrap();
            sqlx::query("UPDATE member_streaks SET current_run = 3 WHERE quizzes = 5")
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        let drift = xueshi_app::consistency::check_streaks(&t.app).await.unwrap();
        assert_eq!(drift.len(), 1);
        assert_eq!(drift[0].recomputed.as_ref().map(|s| s.current_run), Some(2));
    }
);

both!(
    async fn late_tampered_and_foreign_answers_are_refused(db) {
        let t = TestApp::district(db).await;
        let mut quizzers = members(&t, 3).await;
        let papers: Vec<Value> = {
            let mut v = Vec::new();
            for c in &quizzers {
                v.push(c.api(Method::GET, "/api/v1/quiz/today", None).await.json::<Value>().await.unwrap());
            }
            v
        };
        let before = dump(t.app.store()).await;
        let code = |r: Value| r["fields"][0]["code"].as_str().unwrap_or(r["code"].as_str().unwrap_or("")).to_owned();

        // Another member's ticket.
        let r = quizzers[0].api(Method::POST, "/api/v1/quiz/today", Some(json!({ "ticket": papers[1]["ticket"], "answers": {} }))).await;
        assert_eq!(r.status(), 422);
        assert_eq!(code(r.json().await.unwrap()), "quiz_tampered");
        // A ticket whose question list was edited.
        let ticket = papers[0]["ticket"].as_str().unwrap();
        let qid = papers[0]["questions"][0]["id"].as_str().unwrap();
        let forged = ticket.replacen(qid, &(qid.parse::<i64>().unwrap() + 1).to_string(), 1);
        let r = quizzers[0].api(Method::POST, "/api/v1/quiz/today", Some(json!({ "ticket": forged, "answers": {} }))).await;
        assert_eq!(code(r.json().await.unwrap()), "quiz_tampered");
        // An answer to a question that was not drawn.
        let r = quizzers[0].api(Method::POST, "/api/v1/quiz/today", Some(json!({ "ticket": ticket, "answers": { "12345": "A" } }))).await;
        assert_eq!(code(r.json().await.unwrap()), "quiz_tampered");
        let now = dump(t.app.store()).await;
        // A session's last-seen time may be written meanwhile on a slow run.
        for (table, rows) in before.iter().filter(|(t, _)| *t != "sessions") {
            assert!(now.get(table) == Some(rows), "{table} changed");
        }

        // Past the ten minutes (and the grace), the answers are refused.
        t.advance_minutes(11);
        let r = quizzers[2].api(Method::POST, "/api/v1/quiz/today", Some(json!({ "ticket": papers[2]["ticket"], "answers": {} }))).await;
        assert_eq!(r.status(), 422);
        assert_eq!(code(r.json().await.unwrap()), "quiz_late");
        // After midnight yesterday's paper has expired.
        t.advance_minutes(24 * 60);
        quizzers[0] = again(&t, 0).await;
        let r = quizzers[0].api(Method::POST, "/api/v1/quiz/today", Some(json!({ "ticket": ticket, "answers": {} }))).await;
        assert_eq!(code(r.json().await.unwrap()), "quiz_expired");
        // Signing in again wrote its audit record; the quiz tables are as they were.
        let after = dump(t.app.store()).await;
        for table in ["quiz_attempts", "study_daily", "member_streaks"] {
            assert!(after[table] == before[table], "{table} changed");
        }

        // Accounts of no member are told so.
        let mut admin = t.client();
        admin.api_login("admin", "xueshi2021").await;
        let r = admin.api(Method::GET, "/api/v1/quiz/today", None).await;
        assert_eq!(r.status(), 422);
        assert_eq!(code(r.json().await.unwrap()), "not_a_member");
        quizzers.clear();
    }
);

both!(
    async fn the_draw_covers_every_member_without_repeats(db) {
        let t = TestApp::district(db).await;
        let mut c = members(&t, 1).await.remove(0);
        let mut seen = HashSet::new();
        let bank: i64 = {
            let mut conn = t.app.store().read().await.unwrap();
            xueshi_store::quiz::count_questions(&mut conn).await.unwrap()
        };
        let days = bank / 5;
        for _ in 0..days {
            let p: Value = c.api(Method::GET, "/api/v1/quiz/today", None).await.json().await.unwrap();
            for q in p["questions"].as_array().unwrap() {
                assert!(seen.insert(q["id"].as_str().unwrap().to_owned()), "a question came back within {days} days");
            }
            t.advance_minutes(24 * 60);
            c = again(&t, 0).await;
        }
        assert_eq!(seen.len() as i64, days * 5);
    }
);

both!(
    async fn check_ins_count_against_the_quotas(db) {
        let t = TestApp::district(db).await;
        let c = members(&t, 1).await.remove(0);
        let me: Value = c.api(Method::GET, "/api/v1/study/me", None).await.json().await.unwrap();
        let quota = |me: &Value, label: &str| me["quotas"].as_array().unwrap().iter().find(|q| q["label"] == label).cloned().unwrap();
        assert_eq!(quota(&me, "每日自学1小时")["done"], 0);
        assert_eq!(quota(&me, "每日自学1小时")["target"], 60);
        let song = me["materials"].as_array().unwrap().iter().find(|m| m["kind"] == "song").unwrap().clone();
        let before = dump(t.app.store()).await;
        for (input, field) in [
            (json!({ "kind": "song", "what": "歌唱祖国", "minutes": "0" }), "minutes"),
            (json!({ "kind": "song", "what": "歌唱祖国", "minutes": "601" }), "minutes"),
            (json!({ "kind": "dance", "what": "x", "minutes": "5" }), "kind"),
            (json!({ "kind": "book", "what": "", "minutes": "30" }), "what"),
            (json!({ "kind": "book", "material_id": "1", "minutes": "30" }), "material_id"),
            // A song is not a book: a kind that contradicts the material is refused.
            (json!({ "kind": "book", "material_id": song["id"], "minutes": "30" }), "kind"),
            // Free text says what kind of study it was.
            (json!({ "what": "中国共产党简史", "minutes": "30" }), "kind"),
        ] {
            let r = c.api(Method::POST, "/api/v1/study/check-ins", Some(input.clone())).await;
            assert_eq!(r.status(), 422, "{input}");
            let body: Value = r.json().await.unwrap();
            assert!(body["fields"].as_array().unwrap().iter().any(|f| f["field"] == field), "{input}: {body}");
        }
        assert!(dump(t.app.store()).await == before, "refused check-ins change nothing");
        // A material alone says its kind.
        let r = c.api(Method::POST, "/api/v1/study/check-ins", Some(json!({ "material_id": song["id"], "minutes": "25", "note": "重温经典" }))).await;
        assert_eq!(r.status(), 201);
        let r = c.api(Method::POST, "/api/v1/study/check-ins", Some(json!({ "kind": "book", "what": "中国共产党简史 第三章", "minutes": "40" }))).await;
        assert_eq!(r.status(), 201);
        let me: Value = c.api(Method::GET, "/api/v1/study/me", None).await.json().await.unwrap();
        assert_eq!(quota(&me, "每日自学1小时")["done"], 65);
        assert_eq!(quota(&me, "每日自学1小时")["met"], true);
        assert_eq!(quota(&me, "每周唱一首红色歌曲")["met"], true);
        assert_eq!(quota(&me, "每月读一本书")["done"], 1);
        assert_eq!(quota(&me, "每天看一个短视频")["met"], false);
        assert_eq!(me["recent"].as_array().unwrap().len(), 2);
        // The member's branch counts one member meeting each quota crossed.
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let unit: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT m.unit_id FROM members m JOIN accounts a ON a.member_id = m.id WHERE a.username = 'quizzer0'")
                .fetch_one(&mut *db)
                .await
                .unwrap()
        };
        let standing: Value = office.api(Method::GET, &format!("/api/v1/units/{unit}/study/compliance"), None).await.json().await.unwrap();
        let met = |label: &str| standing.as_array().unwrap().iter().find(|q| q["label"] == label).unwrap()["met"].as_i64().unwrap();
        assert_eq!(met("每日自学1小时"), 1);
        assert_eq!(met("每周唱一首红色歌曲"), 1);
        assert_eq!(met("每天看一个短视频"), 0);
        // A check-in past a target already met raises nothing.
        let r = c.api(Method::POST, "/api/v1/study/check-ins", Some(json!({ "kind": "song", "what": "没有共产党就没有新中国", "minutes": "5" }))).await;
        assert_eq!(r.status(), 201);
        let standing: Value = office.api(Method::GET, &format!("/api/v1/units/{unit}/study/compliance"), None).await.json().await.unwrap();
        assert_eq!(standing.as_array().unwrap().iter().find(|q| q["label"] == "每周唱一首红色歌曲").unwrap()["met"], 1);
        assert!(xueshi_app::consistency::check_quotas(&t.app).await.unwrap().is_empty());
        // Tomorrow the daily quotas start again.
        t.advance_minutes(24 * 60);
        let c = again(&t, 0).await;
        let me: Value = c.api(Method::GET, "/api/v1/study/me", None).await.json().await.unwrap();
        assert_eq!(quota(&me, "每日自学1小时")["done"], 0);
        counters_match_raw_rows(&t).await;
        assert!(xueshi_app::consistency::check_quotas(&t.app).await.unwrap().is_empty());
    }
);

both!(
    async fn concurrent_check_ins_cross_a_quota_once(db) {
        let t = TestApp::district(db).await;
        let quizzers = members(&t, 3).await;
        // Each member sends two 35-minute check-ins at once: together they
        // make the hour, so each member counts once.
        let mut tasks = Vec::new();
        for c in &quizzers {
            for what in ["党史学习读本", "红色家书"] {
                let http = c.http.clone();
                let url = c.url("/api/v1/study/check-ins");
                let csrf = c.csrf.clone().unwrap();
                let body = json!({ "kind": "book", "what": what, "minutes": "35" });
                tasks.push(tokio::spawn(async move {
                    http.post(url).header("x-csrf-token", csrf).json(&body).send().await.unwrap().status().as_u16()
                }));
            }
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), 201);
        }
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let scope: Value = office.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let root = scope["unit"]["id"].as_str().unwrap();
        let standing: Value = office.api(Method::GET, &format!("/api/v1/units/{root}/study/compliance"), None).await.json().await.unwrap();
        let hour = standing.as_array().unwrap().iter().find(|q| q["label"] == "每日自学1小时").unwrap();
        assert_eq!(hour["met"], 3, "{hour}");
        let book = standing.as_array().unwrap().iter().find(|q| q["label"] == "每月读一本书").unwrap();
        assert_eq!(book["met"], 3, "one book each is the month's quota");
        assert!(xueshi_app::consistency::check_quotas(&t.app).await.unwrap().is_empty());
    }
);

both!(
    async fn the_district_dashboard_reads_two_weeks_of_study(db) {
        let t = TestApp::district_studying(db).await;
        counters_match_raw_rows(&t).await;
        assert!(xueshi_app::consistency::check_study(&t.app).await.unwrap().is_empty());
        assert!(xueshi_app::consistency::check_quotas(&t.app).await.unwrap().is_empty());
        assert!(xueshi_app::consistency::check_streaks(&t.app).await.unwrap().is_empty());
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let scope: Value = office.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let root = scope["unit"]["id"].as_str().unwrap();
        let d: Value = office.api(Method::GET, &format!("/api/v1/units/{root}/study"), None).await.json().await.unwrap();
        assert_eq!(d["members"], 11543);
        let trend = d["trend"].as_array().unwrap();
        assert_eq!(trend.len(), 14);
        // Yesterday most members took the quiz; today nobody has yet.
        let yesterday = &trend[12];
        let p = yesterday["participation"].as_f64().unwrap();
        assert!((45.0..90.0).contains(&p), "{yesterday}");
        assert_eq!(trend[13]["quiz_takers"], 0);
        assert!(!d["leaderboard"].as_array().unwrap().is_empty());
        assert!(d["streaks"][0]["run"].as_i64().unwrap() >= 10);
        let compliance: Value = office.api(Method::GET, &format!("/api/v1/units/{root}/study/compliance"), None).await.json().await.unwrap();
        let hour = compliance.as_array().unwrap().iter().find(|c| c["label"] == "每日自学1小时").unwrap();
        assert_eq!(hour["members"], 11543);
        // Nobody has studied yet today.
        assert_eq!(hour["met"], 0);
        // The district's dashboard reads counters only: names are a unit's.
        assert_eq!(hour["listed"], false);
        assert!(hour["behind"].as_array().unwrap().is_empty());
        // Two weeks in, many have had their experiential study of the
        // campaign; the counters say how many, by child unit too, and agree
        // with the check-ins.
        let book = compliance.as_array().unwrap().iter().find(|c| c["label"] == "开展一次体验式学习").unwrap();
        let met = book["met"].as_i64().unwrap();
        assert!(met > 1000 && met < 11543, "{met}");
        let by_unit = book["by_unit"].as_array().unwrap();
        assert!(by_unit.len() > 3);
        assert_eq!(by_unit.iter().map(|u| u["met"].as_i64().unwrap()).sum::<i64>(), met);
        assert!(by_unit[0]["percent"].as_f64() <= by_unit[by_unit.len() - 1]["percent"].as_f64(), "furthest behind first");
        let mut page = t.signed_in("office").await;
        let (status, html) = page.page(&format!("/units/{root}/study")).await;
        assert_eq!(status, 200);
        assert!(html.contains("svg class=\"chart\"") && html.contains("id=\"leaderboard\""));
        // Who is behind, as a workbook: one sheet per quota, audited.
        assert!(html.contains("id=\"behind-export\""));
        let r = page.get(&format!("/units/{root}/study/behind.xlsx")).await;
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap().to_vec();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        let names = wb.sheet_names();
        assert_eq!(names.len(), 6, "{names:?}");
        let hour = names.iter().find(|n| n.contains("每日自学1小时")).unwrap().clone();
        let sheet = wb.worksheet_range(&hour).unwrap();
        assert!(sheet.get_value((0, 0)).unwrap().to_string().contains("0 / 11543"));
        assert_eq!(sheet.get_value((2, 0)).unwrap().to_string(), "姓名");
        assert_eq!(sheet.rows().count(), 3 + 11543, "everyone behind, not the first 200");
        let books = names.iter().find(|n| n.contains("开展一次体验式学习")).unwrap().clone();
        let sheet = wb.worksheet_range(&books).unwrap();
        assert_eq!(sheet.rows().count() as i64, 3 + 11543 - met, "the names behind agree with the counter");
        let mut c = t.app.store().read().await.unwrap();
        let exported: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'study.export_behind'").fetch_one(&mut *c).await.unwrap();
        assert_eq!(exported, 1);
        drop(c);
        // `xueshi check` notices a counter that drifted from the records.
        {
            let mut c = t.app.store().read().await.unwrap();
            sqlx::query("UPDATE study_daily SET quiz_takers = quiz_takers + 1 WHERE unit_id = $1 AND quiz_takers > 0")
                .bind(root.parse::<i64>().unwrap())
                .execute(&mut *c)
                .await
                .unwrap();
        }
        assert_eq!(xueshi_app::consistency::check_study(&t.app).await.unwrap().len(), 14, "one per day of history");
    }
);

fn question_book(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("题库").unwrap();
    let headers = [
        "题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "难度",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

both!(
    async fn question_imports_report_every_bad_row_and_fold_traditional_duplicates(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let upload = |bytes: Vec<u8>| {
            let part = reqwest::multipart::Part::bytes(bytes).file_name("q.xlsx");
            let form = reqwest::multipart::Form::new().part("file", part);
            office.http.post(office.url("/api/v1/questions/imports")).header("x-csrf-token", office.csrf.clone().unwrap()).multipart(form).send()
        };
        let before = dump(t.app.store()).await;
        let bad = question_book(&[
            &["单选", "红军长征出发地是？", "瑞金", "延安", "", "", "A", "", ""],
            &["单选", "只有一个选项？", "甲", "", "", "", "A", "", ""],
            &["多选", "三大战役有？", "辽沈", "淮海", "平津", "渡江", "ABE", "", ""],
            &["判断", "遵义会议在1935年召开。", "", "", "", "", "也许", "", ""],
            &["问答", "什么是党史？", "", "", "", "", "x", "", ""],
            &["单选", "中國共產黨第一次全國代表大會最後一天的會議在哪裡舉行？", "上海", "嘉興南湖", "", "", "B", "", ""],
            &["单选", "红军长征出发地是？", "瑞金", "延安", "", "", "A", "", ""],
            &["判断", "难度出错的题。", "", "", "", "", "对", "", "9"],
        ]);
        let r = upload(bad).await.unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        let rows: Vec<String> = body["rows"].as_array().unwrap().iter().map(|r| format!("{} {} {}", r["row"], r["column"].as_str().unwrap_or("-"), r["code"].as_str().unwrap_or(""))).collect();
        let text = body.to_string();
        for want in ["too_few_options", "bad_choice", "bad_truth", "question_exists", "duplicate_in_file", "bad_difficulty"] {
            assert!(text.contains(want), "{want} in {rows:?}");
        }
        // The traditional copy of a demo question is row 7.
        assert!(body["rows"].as_array().unwrap().iter().any(|r| r["row"] == 7 && text.contains("question_exists")), "{rows:?}");
        assert!(body["rows"].as_array().unwrap().iter().any(|r| r["row"] == 8 && r["column"] == "B"), "{rows:?}");
        assert!(dump(t.app.store()).await == before, "a bad file changes nothing");

        for junk in [b"not a workbook".to_vec(), vec![b'P', b'K', 3, 4, 0, 0]] {
            let r = upload(junk).await.unwrap();
            assert_eq!(r.status(), 422);
        }
        let good = question_book(&[
            &["单选", "红军长征的出发地是？", "瑞金", "延安", "", "", "A", "中央红军从瑞金等地出发。", "2"],
            &["判断", "八七会议在汉口召开。", "", "", "", "", "对", "", ""],
        ]);
        let r = upload(good).await.unwrap();
        assert_eq!(r.status(), 201);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["questions"], 2);
        let page: Value = office.api(Method::GET, "/api/v1/questions", None).await.json().await.unwrap();
        assert_eq!(page["total"], 28);
        // Members do not keep the bank.
        let c = members(&t, 1).await.remove(0);
        assert_eq!(c.api(Method::GET, "/api/v1/questions", None).await.status(), 403);
    }
);

both!(
    async fn a_secretary_sees_who_is_behind_in_one_page_and_takes_it_away(db) {
        let t = TestApp::district_studying(db).await;
        // The secretary's home leads straight there.
        let mut sec = t.signed_in("songyanghu").await;
        let (_, home) = sec.page("/home").await;
        let scope = {
            let at = home.find("id=\"home-standing\"").expect("a link on the home page");
            let href = home[..at].rsplit("href=\"").next().unwrap();
            href.split('"').next().unwrap().to_owned()
        };
        assert!(scope.ends_with("/study/members"), "{scope}");
        // A branch of the secretary's town: every member against every quota.
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let own: Value = sec.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let branch = own["children"].as_array().unwrap().iter().find(|u| u["kind"] == "branch" && u["tally"]["members_total"].as_i64().unwrap() > 5).unwrap().clone();
        let id = branch["id"].as_str().unwrap();
        let (status, html) = sec.page(&format!("/units/{id}/study/members")).await;
        assert_eq!(status, 200);
        let rows: Vec<&str> = html.split("<tr class=\"").skip(1).map(|r| r.split('"').next().unwrap()).collect();
        assert_eq!(rows.len() as i64, branch["tally"]["members_total"].as_i64().unwrap(), "one row per member");
        let first_met = rows.iter().position(|r| *r == "all-met").unwrap_or(rows.len());
        assert!(rows[first_met..].iter().all(|r| *r == "all-met"), "those behind come first: {rows:?}");
        // Each column's ticks are the quota's counter for the branch.
        let compliance: Value = office.api(Method::GET, &format!("/api/v1/units/{id}/study/compliance"), None).await.json().await.unwrap();
        let quotas = compliance.as_array().unwrap();
        let body = html.split("<tbody>").nth(1).unwrap();
        for (i, q) in quotas.iter().enumerate() {
            let ticks = body
                .split("<tr ")
                .skip(1)
                .filter(|row| row.split("<td class=\"num ").nth(i + 1).is_some_and(|cell| cell.starts_with("met")))
                .count() as i64;
            assert_eq!(ticks, q["met"].as_i64().unwrap(), "{}", q["label"]);
        }
        assert!(html.contains(&format!("{} 名党员中 {} 人", rows.len(), first_met)), "the summary counts the rows");
        // Sorted by name on request, and taken away as a workbook.
        let (_, by_name) = sec.page(&format!("/units/{id}/study/members?sort=name")).await;
        assert!(by_name.contains("<strong>姓名</strong>"));
        let r = sec.get(&format!("/units/{id}/study/members.xlsx")).await;
        assert_eq!(r.status(), 200);
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
        use calamine::Reader;
        let sheet = wb.worksheet_range("学习情况").unwrap();
        assert_eq!(sheet.height(), rows.len() + 1);
        let mut db = t.app.store().read().await.unwrap();
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'study.export_standing'").fetch_one(&mut *db).await.unwrap();
        assert_eq!(audited, 1);
        // Another town's branch is not the secretary's to read.
        let other = office.api(Method::GET, "/api/v1/units", None).await.json::<Value>().await.unwrap()["children"].as_array().unwrap().iter().find(|u| u["id"] != own["unit"]["id"]).unwrap()["id"].as_str().unwrap().to_owned();
        assert_eq!(sec.get(&format!("/units/{other}/study/members")).await.status(), 403);
    }
);
