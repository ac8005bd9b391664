//! Group robots through the real server on both databases, with a robot of
//! our own on loopback that fails once: a published task and a report sent
//! back are announced in the JSON 企业微信 and 钉钉 accept, a failure is
//! kept and tried again after its pause, the morning digest goes once a
//! day, a robot switched off receives nothing; bad addresses and other
//! subtrees are refused.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::routing::post as route_post;
use serde_json::{Value, json};
use xueshi_testkit::people::{get, post, put};
use xueshi_testkit::{TestApp, both};

/// A robot on loopback: what it received, and a first answer of 500.
async fn robot() -> (String, Arc<Mutex<Vec<Value>>>) {
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let calls = Arc::new(AtomicUsize::new(0));
    let (g, c) = (got.clone(), calls.clone());
    let app = axum::Router::new().route(
        "/send",
        route_post(move |Json(body): Json<Value>| {
            let (g, c) = (g.clone(), c.clone());
            async move {
                g.lock().unwrap().push(body);
                if c.fetch_add(1, Ordering::SeqCst) == 0 {
                    (
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        Json(json!({ "errcode": -1, "errmsg": "busy" })),
                    )
                } else {
                    (
                        axum::http::StatusCode::OK,
                        Json(json!({ "errcode": 0, "errmsg": "ok" })),
                    )
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/send?key=secret-key"), got)
}

fn contents(got: &Arc<Mutex<Vec<Value>>>) -> Vec<String> {
    got.lock()
        .unwrap()
        .iter()
        .map(|b| {
            assert_eq!(b["msgtype"], "text", "{b}");
            b["text"]["content"].as_str().unwrap().to_owned()
        })
        .collect()
}

both!(
    async fn the_robot_hears_of_published_and_returned_tasks_and_failures_are_retried(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let mut town = t.client();
        town.api_login("songyanghu", "xueshi2021").await;
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let (url, got) = robot().await;

        // Off by default; bad addresses and other subtrees refused.
        let (_, w) = get(&office, &format!("/api/v1/units/{root}/webhook")).await;
        assert_eq!((w["enabled"].as_bool(), w["url"].as_str()), (Some(false), Some("")));
        let (s, e) = put(&office, &format!("/api/v1/units/{root}/webhook"), json!({ "url": "ftp://robot", "enabled": true })).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (422, Some("bad_webhook_url")));
        assert_eq!(put(&town, &format!("/api/v1/units/{root}/webhook"), json!({ "url": url, "enabled": true })).await.0, 403);
        assert_eq!(put(&office, &format!("/api/v1/units/{root}/webhook"), json!({ "url": url, "enabled": true })).await.0, 204);
        // The robot's key stays out of the audit log.
        let logged: Vec<String> = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT COALESCE(after_json, '') FROM audit_log WHERE action = 'webhook.set'").fetch_all(&mut *db).await.unwrap()
        };
        assert!(logged.iter().all(|a| !a.contains("secret-key")), "{logged:?}");

        // The demo's draft task from a dispatch meeting goes out.
        let task: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT id FROM tasks WHERE status = 'draft' ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        let (s, _) = post(&office, &format!("/api/v1/tasks/{task}/publish"), json!({})).await;
        assert_eq!(s, 200);
        // First attempt: the robot answers 500; kept, tried again later.
        assert_eq!(xueshi_app::webhooks::deliver(&t.app).await.unwrap(), (0, 1));
        let (_, w) = get(&office, &format!("/api/v1/units/{root}/webhook")).await;
        assert_eq!(w["recent"][0]["state"], "waiting");
        assert!(w["recent"][0]["last_error"].as_str().unwrap().contains("500"), "{w}");
        assert_eq!(xueshi_app::webhooks::deliver(&t.app).await.unwrap(), (0, 0), "not before its pause");
        t.advance_minutes(2);
        assert_eq!(xueshi_app::webhooks::deliver(&t.app).await.unwrap(), (1, 0));
        let said = contents(&got);
        assert_eq!(said.len(), 2);
        assert_eq!(said[0], said[1]);
        assert!(said[1].starts_with("【学史·任务下达】中共岳阳市云溪区委员会下达“") && said[1].contains("共 1 个单位"), "{}", said[1]);

        // A report sent back is announced above its unit.
        office.api_login("office", "xueshi2021").await;
        let done: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT id FROM task_assignments WHERE status = 'done' ORDER BY id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        assert_eq!(post(&office, &format!("/api/v1/assignments/{done}/return"), json!({ "reason": "照片不清楚" })).await.0, 204);
        assert_eq!(xueshi_app::webhooks::deliver(&t.app).await.unwrap(), (1, 0));
        assert!(contents(&got).last().unwrap().contains("退回，原因：照片不清楚"));

        // The morning digest goes once a day.
        let beijing_hour = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.app.now()) * 1_000_000).unwrap().to_offset(xueshi_app::clock::BEIJING).hour();
        if beijing_hour < 8 {
            t.advance_minutes(i64::from(8 - beijing_hour) * 60);
        }
        assert_eq!(xueshi_app::webhooks::digest(&t.app).await.unwrap(), 1);
        assert_eq!(xueshi_app::webhooks::digest(&t.app).await.unwrap(), 0);
        xueshi_app::webhooks::deliver(&t.app).await.unwrap();
        let digest = contents(&got).last().unwrap().clone();
        assert!(digest.starts_with("【学史·任务提醒】") && digest.contains("已逾期"), "{digest}");

        // Switched off: nothing goes, and the message says why.
        office.api_login("office", "xueshi2021").await;
        assert_eq!(put(&office, &format!("/api/v1/units/{root}/webhook"), json!({ "url": url, "enabled": false })).await.0, 204);
        assert_eq!(post(&office, &format!("/api/v1/units/{root}/webhook/test"), json!({})).await.0, 204);
        let heard = contents(&got).len();
        assert_eq!(xueshi_app::webhooks::deliver(&t.app).await.unwrap(), (0, 1));
        assert_eq!(contents(&got).len(), heard);
        let (_, w) = get(&office, &format!("/api/v1/units/{root}/webhook")).await;
        assert_eq!((w["recent"][0]["state"].as_str(), w["recent"][0]["last_error"].as_str()), (Some("failed"), Some("webhook_off")));
        let mut page = t.client();
        page.login("office", "xueshi2021").await;
        let (s, html) = page.page(&format!("/units/{root}/webhook")).await;
        assert_eq!(s, 200);
        assert!(html.contains("未送达，已放弃") && html.contains("已送达"), "{html}");
    }
);
