//! 专题组织生活会 records through the real server on both databases: the
//! question "has every branch held its meeting by the deadline?" names
//! exactly the branches that have not; a secretary records one with its
//! rectification items and ticks them off; bad records are refused with
//! their field named and nothing changed.

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

async fn without_audit(t: &TestApp) -> BTreeMap<String, Vec<String>> {
    let mut d = dump(t.app.store()).await;
    d.remove("audit_log");
    d.remove("sessions");
    d
}

/// The branches of a subtree with no 专题组织生活会 held on or before `by`,
/// by name, counted straight from the tables.
async fn missing_by_sql(t: &TestApp, root: i64, by: &str) -> Vec<String> {
    let mut db = t.app.store().read().await.unwrap();
    let mut names: Vec<String> = sqlx::query_scalar(
        "SELECT u.name FROM units u WHERE u.path LIKE (SELECT path FROM units WHERE id = $1) || '%' \
         AND u.kind IN ('branch', 'general_branch', 'temporary_branch') \
         AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.unit_id = u.id AND m.kind = 'organization_life' AND m.held_on <= $2)",
    )
    .bind(root)
    .bind(by)
    .fetch_all(&mut *db)
    .await
    .unwrap();
    names.sort();
    names
}

both!(
    async fn the_meeting_query_names_exactly_the_branches_that_did_not_hold_one(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let today = xueshi_domain::date::iso(t.app.clock().today());
        let (s, held) = get(&office, &format!("/api/v1/units/{root}/meetings/held")).await;
        assert_eq!(s, 200, "{held}");
        let mut names: Vec<String> = held["missing"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_owned()).collect();
        names.sort();
        assert_eq!(names.len(), xueshi_demo::meetings::LAGGARDS, "{names:?}");
        assert_eq!(names, missing_by_sql(&t, root.parse().unwrap(), &today).await);
        assert_eq!(held["held"].as_u64().unwrap() + names.len() as u64, held["total"].as_u64().unwrap());
        // By an earlier deadline more are missing, still exactly.
        let early = xueshi_domain::date::iso(t.app.clock().today() - time::Duration::days(20));
        let (_, h) = get(&office, &format!("/api/v1/units/{root}/meetings/held?by={early}")).await;
        let mut early_names: Vec<String> = h["missing"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_owned()).collect();
        early_names.sort();
        assert!(early_names.len() > names.len());
        assert_eq!(early_names, missing_by_sql(&t, root.parse().unwrap(), &early).await);
        // The page says the same.
        let mut page = t.signed_in("office").await;
        let (s, html) = page.page(&format!("/units/{root}/meetings")).await;
        assert_eq!(s, 200);
        for n in &names {
            assert!(html.contains(n.as_str()), "{n} not named on the page");
        }
        // A bad kind or date is refused.
        let (s, _) = get(&office, &format!("/api/v1/units/{root}/meetings/held?kind=party")).await;
        assert_eq!(s, 422);
        let (s, _) = get(&office, &format!("/api/v1/units/{root}/meetings/held?by=yesterday")).await;
        assert_eq!(s, 422);
    }
);

both!(
    async fn a_secretary_records_her_meeting_and_its_rectification(db) {
        let t = TestApp::district(db).await;
        let mut sec = t.client();
        sec.api_login("maolingtou", "xueshi2021").await;
        let (_, me) = get(&sec, "/api/v1/me").await;
        let branch = me["scope_unit"].as_str().unwrap().to_owned();
        let (_, unit) = get(&sec, &format!("/api/v1/units/{branch}")).await;
        let members = unit["unit"]["tally"]["members_total"].as_i64().unwrap();
        let today = t.app.clock().today();
        let day = |n: i64| xueshi_domain::date::iso(today + time::Duration::days(n));
        let good = json!({
            "kind": "organization_life", "held_on": day(0), "attendance": members, "topics": "学习党史，查摆问题",
            "items": [{ "problem": "学习不够系统", "measure": "制定学习计划", "due_on": day(30) }],
        });
        let with = |k: &str, v: Value| {
            let mut b = good.clone();
            b[k] = v;
            b
        };
        let mut street = t.client();
        street.api_login("songyanghu", "xueshi2021").await;
        let before = without_audit(&t).await;
        for (body, field, code) in [
            (with("attendance", json!(members + 1)), "attendance", "attendance_over_members"),
            (with("held_on", json!(day(1))), "held_on", "date_in_future"),
            (with("held_on", json!("上周三")), "held_on", "bad_date"),
            (with("topics", json!("")), "topics", "required"),
            (with("kind", json!("party")), "kind", "bad_choice"),
            (with("items", json!([{ "problem": "x", "measure": "" }])), "items", "required"),
        ] {
            let (s, e) = post(&sec, &format!("/api/v1/units/{branch}/meetings"), body).await;
            assert_eq!(s, 422, "{field}: {e}");
            assert!(e["fields"].as_array().unwrap().iter().any(|f| f["field"] == field && f["code"] == code), "{field} {code}: {e}");
        }
        // Not her unit; not a town's 组织生活会.
        let (_, own) = get(&street, "/api/v1/units").await;
        let town = own["unit"]["id"].as_str().unwrap().to_owned();
        let (s, _) = post(&sec, &format!("/api/v1/units/{town}/meetings"), good.clone()).await;
        assert_eq!(s, 403);
        let (s, e) = post(&street, &format!("/api/v1/units/{town}/meetings"), good.clone()).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (422, Some("meeting_not_for_unit")), "{e}");
        assert_eq!(without_audit(&t).await, before, "a refused record wrote something");

        let (s, made) = post(&sec, &format!("/api/v1/units/{branch}/meetings"), good.clone()).await;
        assert_eq!(s, 201, "{made}");
        let id = made["id"].as_str().unwrap().to_owned();
        let (_, m) = get(&sec, &format!("/api/v1/meetings/{id}")).await;
        assert_eq!((m["members"].as_i64(), m["attendance"].as_i64()), (Some(members), Some(members)));
        let item = m["items"][0]["id"].as_str().unwrap().to_owned();
        let (s, _) = post(&sec, &format!("/api/v1/meetings/{id}/items/{item}/done"), json!({})).await;
        assert_eq!(s, 204);
        let (s, _) = post(&sec, &format!("/api/v1/meetings/{id}/items/{item}/done"), json!({})).await;
        assert_eq!(s, 409);
        // A member of the branch does not read its 查摆 record.
        let mut member = t.client();
        member.api_login("member", "xueshi2021").await;
        let (s, _) = get(&member, &format!("/api/v1/meetings/{id}")).await;
        assert_eq!(s, 403);
        // The meeting is the evidence of a task asking for a link.
        assert!(xueshi_domain::task::check_link(&format!("/meetings/{id}")).is_ok());
    }
);
