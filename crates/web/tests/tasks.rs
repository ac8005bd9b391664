//! The task list pushed down the tree, through the real server on both
//! databases: publishing gives exactly the target units an assignment; a
//! secretary reports with the evidence asked; the office sends back and
//! extends; a unit set up later gets the task; every refusal names its
//! field and changes nothing; and after each step the counters equal a
//! recount from the assignments.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_testkit::people::post;
use xueshi_testkit::{Client, TestApp, both, dump};

async fn get(c: &Client, path: &str) -> (u16, Value) {
    let r = c.api(Method::GET, path, None).await;
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// The counters equal a recount from the assignments.
async fn counters_hold(t: &TestApp) {
    let drift = xueshi_app::consistency::check_tasks(&t.app).await.unwrap();
    assert!(drift.is_empty(), "task counters drifted: {drift:?}");
}

async fn without_audit(t: &TestApp) -> BTreeMap<String, Vec<String>> {
    let mut d = dump(t.app.store()).await;
    d.remove("audit_log");
    d.remove("sessions");
    d
}

async fn scalar(t: &TestApp, sql: &str, bind: i64) -> i64 {
    let mut db = t.app.store().read().await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(bind)
        .fetch_one(&mut *db)
        .await
        .unwrap()
}

/// A report as the form sends it.
async fn report(
    c: &Client,
    assignment: &str,
    fields: &[(&str, &str)],
    photo: Option<Vec<u8>>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some(p) = photo {
        form = form.part(
            "photo",
            reqwest::multipart::Part::bytes(p).file_name("site.jpg"),
        );
    }
    let r = c
        .http
        .post(c.url(&format!("/api/v1/assignments/{assignment}/report")))
        .header("x-csrf-token", c.csrf.clone().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, _| image::Rgb([x as u8 * 3, 120, 60]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

both!(
    async fn the_demo_task_list_is_worked_and_its_counters_hold(db) {
        let t = TestApp::district(db).await;
        counters_hold(&t).await;
        let n = |sql: &'static str| scalar(&t, sql, 0);
        assert_eq!(n("SELECT COUNT(*) FROM tasks WHERE $1 = 0 AND status = 'published'").await, 30);
        let mandated = n("SELECT COUNT(*) FROM tasks t JOIN task_kinds k ON k.code = t.kind WHERE $1 = 0 AND k.mandated = 1").await;
        assert!(mandated > 10 && mandated < 30, "{mandated}");
        // Realistic states: some late, some sent back, some extended, some overdue.
        assert!(n("SELECT COUNT(*) FROM task_assignments WHERE $1 = 0 AND late = 1").await > 0);
        assert!(n("SELECT COUNT(*) FROM task_assignments WHERE $1 = 0 AND extensions > 0").await > 0);
        assert!(n("SELECT COUNT(*) FROM task_events WHERE $1 = 0 AND kind = 'return'").await > 0);
        let today = xueshi_domain::date::iso(t.app.clock().today());
        let overdue: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT COUNT(*) FROM task_assignments WHERE status <> 'done' AND due_on < $1")
                .bind(&today)
                .fetch_one(&mut *db)
                .await
                .unwrap()
        };
        assert!(overdue > 0, "a few laggards");
        // The office's matrix at the root: each task's line equals a count of its rows.
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let (s, m) = get(&office, &format!("/api/v1/units/{root}/task-matrix")).await;
        assert_eq!(s, 200);
        let tasks = m["tasks"].as_array().unwrap();
        assert_eq!(tasks.len(), 30, "every task reaches the root's subtree");
        for (i, task) in tasks.iter().enumerate() {
            let id: i64 = task["id"].as_str().unwrap().parse().unwrap();
            let cell = &m["total"]["cells"][i];
            assert_eq!(cell["assigned"].as_i64().unwrap(), scalar(&t, "SELECT COUNT(*) FROM task_assignments WHERE task_id = $1", id).await);
            assert_eq!(cell["done"].as_i64().unwrap(), scalar(&t, "SELECT COUNT(*) FROM task_assignments WHERE task_id = $1 AND status = 'done'", id).await);
        }
        // The workbook opens: a sheet of completion and one of units owing.
        let mut page = t.signed_in("office").await;
        let bytes = page.get(&format!("/units/{root}/tasks.xlsx")).await.bytes().await.unwrap();
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(wb.sheet_names(), vec!["完成情况".to_owned(), "未完成单位".to_owned()]);
        let owing = wb.worksheet_range("未完成单位").unwrap();
        let not_done = n("SELECT COUNT(*) FROM task_assignments WHERE $1 = 0 AND status <> 'done'").await;
        assert_eq!(owing.height() as i64 - 1, not_done);
        let (status, _) = page.page(&format!("/units/{root}/tasks")).await;
        assert_eq!(status, 200);
        // The roadmap groups the office's tasks by working group; the
        // schedule lists each with its lead and its completion.
        let (status, html) = page.page(&format!("/units/{root}/roadmap")).await;
        assert_eq!(status, 200);
        let set_here = n("SELECT COUNT(*) FROM tasks WHERE unit_id = (SELECT id FROM units WHERE parent_id IS NULL) AND $1 = 0").await;
        assert_eq!(html.matches("class=\"lane\"").count() as i64, set_here);
        let bytes = page.get(&format!("/units/{root}/schedule.xlsx")).await.bytes().await.unwrap();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = wb.worksheet_range("重点任务安排表").unwrap();
        assert_eq!(sheet.get((1, 3)).map(|c| c.to_string()), Some("重点任务".to_owned()));
        assert_eq!(sheet.height() as i64 - 2, set_here, "one row per task");
        let with_group = (2..sheet.height()).filter(|r| sheet.get((*r, 1)).is_some_and(|c| *c != "—")).count();
        assert!(with_group > 0, "the office's tasks name their working group");
    }
);

both!(
    async fn a_task_goes_down_is_reported_sent_back_extended_and_reaches_new_units(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let mut sec = t.client();
        assert_eq!(sec.api_login("maolingtou", "xueshi2021").await.0, 200);
        let (_, me) = get(&sec, "/api/v1/me").await;
        let branch = me["scope_unit"].as_str().unwrap().to_owned();
        let town: i64 = scalar(&t, "SELECT parent_id FROM units WHERE id = $1", branch.parse().unwrap()).await;
        let branches_in_town = scalar(
            &t,
            "SELECT COUNT(*) FROM units WHERE kind = 'branch' AND path LIKE (SELECT path FROM units WHERE id = $1) || '%'",
            town,
        )
        .await;
        let today = t.app.clock().today();
        let day = |n: i64| xueshi_domain::date::iso(today + time::Duration::days(n));

        // The office sets a photo task for every branch of the town, publishes it.
        let body = json!({
            "kind": "party_lecture", "title": "支部书记讲“七一”专题党课", "deadline": day(5),
            "target_unit": town.to_string(), "target_kinds": ["branch"], "evidence": "photo",
        });
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let (s, made) = post(&office, &format!("/api/v1/units/{root}/tasks"), body.clone()).await;
        assert_eq!(s, 201, "{made}");
        let task = made["id"].as_str().unwrap().to_owned();
        assert_eq!(scalar(&t, "SELECT COUNT(*) FROM task_assignments WHERE task_id = $1", task.parse().unwrap()).await, 0, "a draft goes nowhere");
        let (s, p) = post(&office, &format!("/api/v1/tasks/{task}/publish"), json!({})).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["assignments"].as_i64().unwrap(), branches_in_town, "one per branch, no other unit");
        let wrong_kind = scalar(
            &t,
            "SELECT COUNT(*) FROM task_assignments a JOIN units u ON u.id = a.unit_id WHERE a.task_id = $1 AND u.kind <> 'branch'",
            task.parse().unwrap(),
        )
        .await;
        assert_eq!(wrong_kind, 0);
        counters_hold(&t).await;
        // Published means fixed.
        let r = office.api(Method::PUT, &format!("/api/v1/tasks/{task}"), Some(body.clone())).await;
        assert_eq!(r.status(), 409);
        let (s, _) = post(&office, &format!("/api/v1/tasks/{task}/publish"), json!({})).await;
        assert_eq!(s, 409);

        // The secretary sees it in her to-do, due this week or later.
        let (_, todo) = get(&sec, "/api/v1/my/tasks").await;
        let all: Vec<Value> = ["overdue", "returned", "due_this_week", "later"]
            .iter()
            .flat_map(|k| todo[*k].as_array().unwrap().clone())
            .collect();
        let mine = all.iter().find(|a| a["task"]["id"] == task.as_str()).unwrap_or_else(|| panic!("{todo}"));
        let assignment = mine["id"].as_str().unwrap().to_owned();

        // Wrong evidence and missing evidence are refused, nothing changes.
        let before = without_audit(&t).await;
        let (s, e) = report(&sec, &assignment, &[("note", "讲了"), ("attendance", "20")], None).await;
        assert_eq!(s, 422, "{e}");
        let fields: Vec<&str> = e["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"attendance") && fields.contains(&"photo"), "{fields:?}");
        let (s, e) = report(&sec, &assignment, &[("note", "讲了")], Some(b"not a picture".to_vec())).await;
        assert_eq!((s, e["fields"][0]["field"].as_str()), (422, Some("photo")), "{e}");
        assert_eq!(without_audit(&t).await, before);

        // Reported with a photo; a second report is refused.
        let (s, e) = report(&sec, &assignment, &[("note", "全体党员参加")], Some(jpeg())).await;
        assert_eq!(s, 204, "{e}");
        let (s, e) = report(&sec, &assignment, &[("note", "again")], Some(jpeg())).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("already_reported")), "{e}");
        counters_hold(&t).await;
        let (_, d) = get(&office, &format!("/api/v1/tasks/{task}")).await;
        assert_eq!(d["completion"]["done"], 1, "{d}");
        assert_eq!(d["completion"]["assigned"].as_i64().unwrap(), branches_in_town);
        let photo = office.get(&format!("/assignments/{assignment}/evidence")).await;
        assert_eq!(photo.headers()["content-type"], "image/jpeg");

        // A unit admin cannot send back the office's task; the office can.
        let mut street = t.client();
        street.api_login("songyanghu", "xueshi2021").await;
        let (s, _) = post(&street, &format!("/api/v1/assignments/{assignment}/return"), json!({ "reason": "x" })).await;
        assert_eq!(s, 403);
        let (s, e) = post(&office, &format!("/api/v1/assignments/{assignment}/return"), json!({ "reason": "" })).await;
        assert_eq!((s, e["fields"][0]["field"].as_str()), (422, Some("reason")));
        let (s, _) = post(&office, &format!("/api/v1/assignments/{assignment}/return"), json!({ "reason": "照片看不清" })).await;
        assert_eq!(s, 204);
        let (_, todo) = get(&sec, "/api/v1/my/tasks").await;
        assert!(todo["returned"].as_array().unwrap().iter().any(|a| a["id"] == assignment.as_str()), "{todo}");
        let (_, d) = get(&office, &format!("/api/v1/tasks/{task}")).await;
        assert_eq!(d["completion"]["done"], 0);
        counters_hold(&t).await;

        // Extended: a later day, with a reason, counted.
        let (s, e) = post(&office, &format!("/api/v1/assignments/{assignment}/extend"), json!({ "due_on": day(1), "reason": "换届" })).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (422, Some("extension_not_later")), "{e}");
        let (s, e) = post(&office, &format!("/api/v1/assignments/{assignment}/extend"), json!({ "due_on": "2099-01-01", "reason": "换届" })).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (422, Some("deadline_outside_campaign")), "{e}");
        let (s, _) = post(&office, &format!("/api/v1/assignments/{assignment}/extend"), json!({ "due_on": day(12), "reason": "村两委换届" })).await;
        assert_eq!(s, 204);
        let (_, a) = get(&sec, &format!("/api/v1/assignments/{assignment}")).await;
        assert_eq!((a["assignment"]["due_on"].as_str(), a["assignment"]["extensions"].as_i64()), (Some(day(12).as_str()), Some(1)));
        let kinds: Vec<&str> = a["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, vec!["report", "return", "extend"]);
        counters_hold(&t).await;

        // Past its deadline the overdue count shows it; reported late, it is late.
        t.advance_minutes(13 * 24 * 60);
        // Two weeks on, everyone signs in again.
        office.api_login("office", "xueshi2021").await;
        sec.api_login("maolingtou", "xueshi2021").await;
        let (_, d) = get(&office, &format!("/api/v1/tasks/{task}")).await;
        assert_eq!(d["completion"]["overdue"].as_i64().unwrap(), branches_in_town, "{d}");
        let (s, _) = report(&sec, &assignment, &[("note", "补充了清晰照片")], Some(jpeg())).await;
        assert_eq!(s, 204);
        let (_, d) = get(&office, &format!("/api/v1/tasks/{task}")).await;
        assert_eq!((d["completion"]["done"].as_i64(), d["completion"]["late"].as_i64()), (Some(1), Some(1)));
        counters_hold(&t).await;

        // A branch set up after publishing owes a task still running.
        let (s, d2) = post(&office, &format!("/api/v1/units/{town}/tasks"), json!({
            "kind": "study", "title": "专题学习", "deadline": day(20), "target_unit": town.to_string(),
            "target_kinds": ["branch"], "evidence": "text",
        })).await;
        assert_eq!(s, 201, "{d2}");
        let live = d2["id"].as_str().unwrap().to_owned();
        post(&office, &format!("/api/v1/tasks/{live}/publish"), json!({})).await;
        let (s, created) = post(&office, &format!("/api/v1/units/{town}/children"), json!({ "code": "SY-NEW-9", "name": "新建党支部", "kind": "branch" })).await;
        assert_eq!(s, 201, "{created}");
        let new_unit: i64 = created["id"].as_str().unwrap().parse().unwrap();
        let holds = |task: String| {
            let t = &t;
            async move {
                let mut db = t.app.store().read().await.unwrap();
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM task_assignments WHERE unit_id = $1 AND task_id = $2")
                    .bind(new_unit)
                    .bind(task.parse::<i64>().unwrap())
                    .fetch_one(&mut *db)
                    .await
                    .unwrap();
                n
            }
        };
        assert_eq!(holds(live.clone()).await, 1, "the running task reaches the new branch");
        assert_eq!(holds(task.clone()).await, 0, "a task past its deadline does not");
        counters_hold(&t).await;
    }
);

both!(
    async fn bad_tasks_are_refused_with_their_field_named_and_nothing_changed(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let mut street = t.client();
        street.api_login("songyanghu", "xueshi2021").await;
        let (_, own) = get(&street, "/api/v1/units").await;
        let own_id = own["unit"]["id"].as_str().unwrap().to_owned();
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let other_town = scope["children"].as_array().unwrap().iter().find(|c| c["name"] == "云溪街道党工委").unwrap()["id"].as_str().unwrap().to_owned();
        let day = |n: i64| xueshi_domain::date::iso(t.app.clock().today() + time::Duration::days(n));
        let base = json!({ "kind": "elective", "title": "红色观影", "deadline": day(10), "evidence": "photo", "target_kinds": ["branch"] });
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            b
        };
        let before = without_audit(&t).await;
        let cases: Vec<(&Client, String, Value, &str, &str)> = vec![
            (&office, root.clone(), with("deadline", json!("2099-01-01")), "deadline", "deadline_outside_campaign"),
            (&office, root.clone(), with("deadline", json!(day(-1))), "deadline", "deadline_past"),
            (&office, root.clone(), with("deadline", json!("明天")), "deadline", "bad_date"),
            (&office, root.clone(), with("title", json!("")), "title", "required"),
            (&office, root.clone(), with("kind", json!("dance")), "kind", "bad_choice"),
            (&office, root.clone(), with("evidence", json!("video")), "evidence", "bad_choice"),
            (&office, root.clone(), with("target_kinds", json!(["club"])), "target_kinds", "bad_choice"),
            // A secretary adds 自选动作, not 规定动作.
            (&street, own_id.clone(), with("kind", json!("study")), "kind", "mandated_by_office"),
            // A target outside the actor's scope answers as an unknown unit.
            (&street, own_id.clone(), with("target_unit", json!(other_town)), "target_unit", "unknown_unit"),
        ];
        for (c, unit, body, field, code) in cases {
            let (s, e) = post(c, &format!("/api/v1/units/{unit}/tasks"), body).await;
            assert_eq!(s, 422, "{field}: {e}");
            assert!(e["fields"].as_array().unwrap().iter().any(|f| f["field"] == field && f["code"] == code), "{field} {code}: {e}");
            assert!(!e["message"].as_str().unwrap().is_empty());
        }
        // Setting tasks for another town's subtree is refused outright.
        let (s, _) = post(&street, &format!("/api/v1/units/{other_town}/tasks"), base.clone()).await;
        assert_eq!(s, 403);
        assert_eq!(without_audit(&t).await, before, "a refused task wrote something");

        // A secretary's own 自选动作 for her branches works.
        let (s, e) = post(&street, &format!("/api/v1/units/{own_id}/tasks"), base.clone()).await;
        assert_eq!(s, 201, "{e}");
        // Oversized and wrong-type documents for a file task.
        let (s, f) = post(&office, &format!("/api/v1/units/{own_id}/tasks"), with("evidence", json!("file"))).await;
        assert_eq!(s, 201);
        let (s, _) = post(&office, &format!("/api/v1/tasks/{}/publish", f["id"].as_str().unwrap()), json!({})).await;
        assert_eq!(s, 200);
        let mut sec = t.client();
        sec.api_login("maolingtou", "xueshi2021").await;
        let (_, todo) = get(&sec, "/api/v1/my/tasks").await;
        let a = todo["due_this_week"].as_array().unwrap().iter().chain(todo["later"].as_array().unwrap())
            .find(|a| a["task"]["id"] == f["id"]).unwrap()["id"].as_str().unwrap().to_owned();
        let send = |bytes: Vec<u8>| {
            let sec = &sec;
            let a = a.clone();
            async move {
                let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("x.pdf"));
                let r = sec.http.post(sec.url(&format!("/api/v1/assignments/{a}/report"))).header("x-csrf-token", sec.csrf.clone().unwrap()).multipart(form).send().await.unwrap();
                let s = r.status().as_u16();
                (s, r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let before = without_audit(&t).await;
        let (s, e) = send(b"MZ\x90\x00 not a document".to_vec()).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (422, Some("bad_document_type")), "{e}");
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(xueshi_domain::task::MAX_FILE + 10, b' ');
        let (s, e) = send(big).await;
        assert!(s == 413 || (s == 422 && e["fields"][0]["code"] == "document_too_large"), "{s} {e}");
        assert_eq!(without_audit(&t).await, before);
        let (s, e) = send(b"%PDF-1.4\n%%EOF\n".to_vec()).await;
        assert_eq!(s, 204, "{e}");
    }
);
