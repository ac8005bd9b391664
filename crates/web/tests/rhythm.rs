//! The rhythm through the real server on both databases: the demo kept it
//! for six weeks (one dispatch meeting missed and shown overdue); the
//! office resets its duties and the owed occurrences follow, a later end
//! adds more; a dispatch meeting is recorded with the figures as they stood
//! and a decision becomes a task; an issue is generated for its
//! occurrence; the year-end review ranks units and lists the lowest for
//! 约谈 with its rule; bad input and other roles are refused, nothing
//! changed.

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_domain::date::{from_iso, iso};
use xueshi_testkit::people::{field_codes, get, post, put, signed_in_api};
use xueshi_testkit::{Client, TestApp, both, dump_data};

async fn campaign_of(office: &Client) -> String {
    let (_, scope) = get(office, "/api/v1/units").await;
    let root = scope["unit"]["id"].as_str().unwrap().to_owned();
    let (_, campaigns) = get(office, &format!("/api/v1/units/{root}/campaigns")).await;
    campaigns["governing"]["id"].as_str().unwrap().to_owned()
}

fn occurrences<'a>(r: &'a Value, kind: &str) -> Vec<&'a Value> {
    r["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == kind)
        .collect()
}

both!(
    async fn the_demo_kept_the_rhythm_and_the_office_resets_it(db) {
        let t = TestApp::district(db).await;
        let office = signed_in_api(&t, "office").await;
        let town = signed_in_api(&t, "songyanghu").await;
        let member = signed_in_api(&t, "member").await;
        let campaign = campaign_of(&office).await;
        let today = t.app.clock().today();
        let (s, r) = get(&office, &format!("/api/v1/campaigns/{campaign}/rhythm")).await;
        assert_eq!(s, 200, "{r}");
        assert!(r["schedules"].as_array().unwrap().iter().all(|s| s["day"].is_number()), "the demo keeps all seven duties");
        // Six weeks of dispatch meetings, one missed.
        let overdue: Vec<&Value> = r["occurrences"].as_array().unwrap().iter().filter(|o| o["state"] == "overdue").collect();
        assert_eq!(overdue.len(), 1, "{overdue:?}");
        assert!(overdue[0]["kind"].as_str().unwrap().ends_with("dispatch"));
        let weekly_done = occurrences(&r, "weekly_dispatch").iter().filter(|o| o["state"] == "done").count();
        assert!(weekly_done >= 4, "{weekly_done}");
        assert!(occurrences(&r, "weekly_briefing").iter().filter(|o| o["state"] == "done").all(|o| o["briefing"].is_string()));
        assert_eq!(r["done"].as_u64().unwrap() as usize, r["occurrences"].as_array().unwrap().iter().filter(|o| o["state"] == "done").count());
        // Generated ahead to the campaign's end, each due on its day.
        let (_, c) = get(&office, &format!("/api/v1/campaigns/{campaign}")).await;
        let ends = c["input"]["ends_on"].as_str().unwrap().to_owned();
        let last_weekly = occurrences(&r, "weekly_dispatch").last().unwrap()["due_on"].as_str().unwrap().to_owned();
        assert!(last_weekly <= ends && from_iso(&ends).unwrap() - from_iso(&last_weekly).unwrap() < time::Duration::days(7));
        assert!(occurrences(&r, "weekly_dispatch").iter().all(|o| from_iso(o["due_on"].as_str().unwrap()).unwrap().weekday() == time::Weekday::Monday));
        // A dispatch record: the figures as they stood, the decisions, one a task.
        let d = r["dispatches"][0]["id"].as_str().unwrap();
        let (s, dv) = get(&office, &format!("/api/v1/dispatches/{d}")).await;
        assert_eq!(s, 200);
        assert!(dv["figures"].as_array().unwrap().iter().any(|f| f["key"] == "members"), "{dv}");
        assert_eq!(dv["decisions"].as_array().unwrap().len(), 2);
        assert!(dv["decisions"][0]["task"].is_string(), "the demo made the latest meeting's first decision a task");

        // Governed towns read it and write nothing; members read nothing.
        let (s, seen) = get(&town, &format!("/api/v1/campaigns/{campaign}/rhythm")).await;
        assert_eq!((s, &seen["may_write"]), (200, &json!(false)));
        assert_eq!(get(&member, &format!("/api/v1/campaigns/{campaign}/rhythm")).await.0, 403);
        let before = dump_data(t.app.store()).await;
        assert_eq!(put(&town, &format!("/api/v1/campaigns/{campaign}/rhythm"), json!({ "schedules": [] })).await.0, 403);
        let (s, e) = put(&office, &format!("/api/v1/campaigns/{campaign}/rhythm"), json!({ "schedules": [{ "kind": "weekly_dispatch", "day": 9 }, { "kind": "fortnightly", "day": 1 }] })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["weekly_dispatch:out_of_range".to_owned(), "kind:bad_choice".to_owned()]));
        assert_eq!(dump_data(t.app.store()).await, before);

        // Only a Wednesday dispatch from now on: what was done stays, what is
        // owed from today follows the new day.
        let done_before: Vec<Value> = r["occurrences"].as_array().unwrap().iter().filter(|o| o["state"] == "done").cloned().collect();
        assert_eq!(put(&office, &format!("/api/v1/campaigns/{campaign}/rhythm"), json!({ "schedules": [{ "kind": "weekly_dispatch", "day": 3 }] })).await.0, 204);
        let (_, r2) = get(&office, &format!("/api/v1/campaigns/{campaign}/rhythm")).await;
        let done_after: Vec<Value> = r2["occurrences"].as_array().unwrap().iter().filter(|o| o["state"] == "done").cloned().collect();
        assert_eq!(done_after, done_before);
        let owed: Vec<&Value> = r2["occurrences"].as_array().unwrap().iter().filter(|o| o["due_on"].as_str().unwrap() >= iso(today).as_str() && o["state"] != "done").collect();
        assert!(!owed.is_empty());
        assert!(owed.iter().all(|o| o["kind"] == "weekly_dispatch" && from_iso(o["due_on"].as_str().unwrap()).unwrap().weekday() == time::Weekday::Wednesday), "{owed:?}");
        // The overdue one from before today is still owed.
        assert_eq!(r2["overdue"], 1);

        // A later end adds the weeks it brings.
        let mut input = c["input"].clone();
        let later = iso(from_iso(&ends).unwrap() + time::Duration::days(28));
        input["ends_on"] = json!(later);
        let last = input["phases"].as_array().unwrap().len() - 1;
        input["phases"][last]["ends_on"] = json!(later);
        assert_eq!(put(&office, &format!("/api/v1/campaigns/{campaign}"), input).await.0, 204);
        let (_, r3) = get(&office, &format!("/api/v1/campaigns/{campaign}/rhythm")).await;
        assert_eq!(occurrences(&r3, "weekly_dispatch").len(), occurrences(&r2, "weekly_dispatch").len() + 4);
    }
);

both!(
    async fn a_dispatch_meeting_an_issue_and_the_year_end_interview_list(db) {
        let t = TestApp::district(db).await;
        let office = signed_in_api(&t, "office").await;
        let town = signed_in_api(&t, "songyanghu").await;
        let campaign = campaign_of(&office).await;
        let today = t.app.clock().today();
        let (_, r) = get(&office, &format!("/api/v1/campaigns/{campaign}/rhythm")).await;
        let next_dispatch = occurrences(&r, "weekly_dispatch").into_iter().find(|o| o["state"] != "done" && o["state"] != "overdue").unwrap()["id"].as_str().unwrap().to_owned();
        let (_, campaign_view) = get(&office, &format!("/api/v1/campaigns/{campaign}")).await;
        let ends = campaign_view["input"]["ends_on"].as_str().unwrap().to_owned();
        let (_, o) = get(&office, &format!("/api/v1/occurrences/{next_dispatch}")).await;
        let owners: Vec<String> = o["owners"].as_array().unwrap().iter().map(|p| p[0].as_str().unwrap().to_owned()).collect();
        assert!(owners.len() > 2, "{o}");

        // Refused: nothing changes.
        let before = dump_data(t.app.store()).await;
        let (s, e) = post(&office, &format!("/api/v1/occurrences/{next_dispatch}/dispatch"), json!({
            "held_on": iso(today + time::Duration::days(1)), "chair": "", "attendees": "办公室全体",
            "decisions": [{ "body": "抓紧落实", "owner": owners[1], "due_on": iso(from_iso(&ends).unwrap() + time::Duration::days(1)) }],
        })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["held_on:date_in_future".to_owned(), "chair:required".to_owned(), "decisions:due_outside_campaign".to_owned()]));
        assert_eq!(post(&town, &format!("/api/v1/occurrences/{next_dispatch}/dispatch"), json!({ "held_on": iso(today), "chair": "x", "attendees": "x" })).await.0, 403);
        let (s, e) = post(&office, &format!("/api/v1/occurrences/{next_dispatch}/issue"), json!({})).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("occurrence_not_issue")));
        assert_eq!(dump_data(t.app.store()).await, before);

        let due = iso(today + time::Duration::days(10));
        let (s, made) = post(&office, &format!("/api/v1/occurrences/{next_dispatch}/dispatch"), json!({
            "held_on": iso(today), "chair": "区委常委、组织部部长", "attendees": "领导小组办公室成员",
            "decisions": [{ "body": "各街道月底前完成专题组织生活会", "owner": owners[1], "due_on": due }],
        })).await;
        assert_eq!(s, 201, "{made}");
        let d = made["id"].as_str().unwrap();
        let (s, e) = post(&office, &format!("/api/v1/occurrences/{next_dispatch}/dispatch"), json!({ "held_on": iso(today), "chair": "x", "attendees": "x" })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("occurrence_met")));
        let (_, o) = get(&office, &format!("/api/v1/occurrences/{next_dispatch}")).await;
        assert_eq!(o["occurrence"]["state"], "done");
        // The figures reviewed are the catalogue's as they stood.
        let (_, dv) = get(&office, &format!("/api/v1/dispatches/{d}")).await;
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let (_, figures) = get(&office, &format!("/api/v1/units/{root}/figures?from={}&to={}", iso(today - time::Duration::days(6)), iso(today))).await;
        let value = |v: &Value, key: &str| v.as_array().unwrap().iter().find(|f| f["key"] == key).map(|f| f["value"].clone());
        for key in ["members", "check_ins", "quiz_taken"] {
            assert_eq!(value(&dv["figures"], key), value(&figures, key), "{key}");
        }
        // The decision becomes a draft task led by its owner, once.
        let x = dv["decisions"][0]["id"].as_str().unwrap();
        assert_eq!(post(&town, &format!("/api/v1/decisions/{x}/task"), json!({})).await.0, 403);
        let (s, task) = post(&office, &format!("/api/v1/decisions/{x}/task"), json!({})).await;
        assert_eq!(s, 201, "{task}");
        let task = task["task"].as_str().unwrap();
        let (s, e) = post(&office, &format!("/api/v1/decisions/{x}/task"), json!({})).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("decision_has_task")));
        let (_, tv) = get(&office, &format!("/api/v1/tasks/{task}")).await;
        assert_eq!(tv["task"]["lead_unit"].as_str(), Some(owners[1].as_str()), "{tv}");
        assert_eq!(tv["task"]["deadline"].as_str(), Some(due.as_str()));
        assert_eq!(tv["task"]["published"], false);
        assert_eq!(post(&office, &format!("/api/v1/tasks/{task}/publish"), json!({})).await.0, 200);

        // A weekly briefing owed: generated over its week, the occurrence met.
        let brief = occurrences(&r, "weekly_briefing").into_iter().find(|o| o["state"] != "done").unwrap()["id"].as_str().unwrap().to_owned();
        let (s, b) = post(&office, &format!("/api/v1/occurrences/{brief}/issue"), json!({})).await;
        assert_eq!(s, 201, "{b}");
        let (_, bv) = get(&office, &format!("/api/v1/briefings/{}", b["briefing"].as_str().unwrap())).await;
        assert_eq!(bv["kind"], "weekly");
        assert_eq!(bv["span"]["to"], iso(today));
        let (_, o) = get(&office, &format!("/api/v1/occurrences/{brief}")).await;
        assert_eq!(o["occurrence"]["state"], "done");

        // The year-end review: the office's measures and how many; the
        // lowest of each kind listed with the rule.
        let year_end = occurrences(&r, "year_end")[0]["id"].as_str().unwrap().to_owned();
        let before = dump_data(t.app.store()).await;
        let (s, e) = post(&office, &format!("/api/v1/occurrences/{year_end}/ranking"), json!({ "terms": [{ "measure": "quiz_participation", "weight": 50 }], "bottom": 0 })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["bottom:out_of_range".to_owned()]));
        assert_eq!(dump_data(t.app.store()).await, before);
        let (s, made) = post(&office, &format!("/api/v1/occurrences/{year_end}/ranking"), json!({ "terms": [{ "measure": "quiz_participation", "weight": 50 }, { "measure": "quota_compliance", "weight": 30 }, { "measure": "tasks_on_time", "weight": 20 }], "bottom": 2 })).await;
        assert_eq!(s, 201, "{made}");
        let ranking = made["ranking"].as_str().unwrap();
        let (_, rk) = get(&office, &format!("/api/v1/rankings/{ranking}")).await;
        assert_eq!(rk["bottom"], 2);
        assert_eq!(rk["span"]["from"], campaign_view["input"]["starts_on"]);
        let terms: Vec<(&str, i64)> = rk["terms"].as_array().unwrap().iter().map(|t| (t["measure"].as_str().unwrap(), t["weight"].as_i64().unwrap())).collect();
        assert_eq!(terms, [("quiz_participation", 50), ("quota_compliance", 30), ("tasks_on_time", 20)]);
        // Tasks on time, from the counters, equal a count of the assignments.
        for g in rk["groups"].as_array().unwrap() {
            for st in g["standings"].as_array().unwrap() {
                let unit: i64 = st["unit"].as_str().unwrap().parse().unwrap();
                let (of, done): (i64, i64) = {
                    let mut db = t.app.store().read().await.unwrap();
                    sqlx::query_as(
                        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN a.status = 'done' AND a.late = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) \
                         FROM task_assignments a JOIN units u ON u.id = a.unit_id \
                         WHERE u.path LIKE (SELECT path FROM units WHERE id = $1) || '%' AND a.due_on >= $2 AND a.due_on <= $3",
                    )
                    .bind(unit)
                    .bind(rk["span"]["from"].as_str().unwrap())
                    .bind(rk["span"]["to"].as_str().unwrap())
                    .fetch_one(&mut *db)
                    .await
                    .unwrap()
                };
                assert_eq!((st["parts"][2]["done"].as_i64(), st["parts"][2]["of"].as_i64()), (Some(done), Some(of)), "{st}");
            }
        }
        for g in rk["groups"].as_array().unwrap() {
            let scored = g["standings"].as_array().unwrap().iter().filter(|s| s["score"].is_number()).count();
            assert_eq!(g["bottom"].as_array().unwrap().len(), 2.min(scored / 2), "{g}");
        }
        // Not met until its issue is made too; the ranking cannot go.
        let (_, o) = get(&office, &format!("/api/v1/occurrences/{year_end}")).await;
        assert_ne!(o["occurrence"]["state"], "done");
        let r = office.api(Method::DELETE, &format!("/api/v1/rankings/{ranking}"), None).await;
        assert_eq!(r.status().as_u16(), 409);
        assert_eq!(post(&office, &format!("/api/v1/occurrences/{year_end}/issue"), json!({})).await.0, 201);
        let (_, o) = get(&office, &format!("/api/v1/occurrences/{year_end}")).await;
        assert_eq!(o["occurrence"]["state"], "done");
        // The page shows the rule and the list.
        let mut page = t.client();
        page.login("office", "xueshi2021").await;
        let (s, html) = page.page(&format!("/occurrences/{year_end}")).await;
        assert_eq!(s, 200);
        assert!(html.contains("得分最低的 2 个列入约谈名单"), "{html}");
        let first_bottom = rk["groups"].as_array().unwrap().iter().find_map(|g| g["bottom"].get(0)).unwrap();
        assert!(html.contains(first_bottom["name"].as_str().unwrap()));
    }
);
