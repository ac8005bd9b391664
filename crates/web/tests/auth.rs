//! Signing in and out through the real server, on both databases: login,
//! lockout, the per-address limit, session expiry, logout revoking the
//! session, CSRF on every state-changing route.

use reqwest::Method;
use xueshi_testkit::{TestApp, both};
use xueshi_web::route_table;

async fn audit_outcomes(t: &TestApp, action: &str) -> Vec<String> {
    let mut c = t.client();
    assert_eq!(c.api_login("admin", "xueshi2021").await.0, 200);
    let v: serde_json::Value = c
        .api(Method::GET, &format!("/api/v1/audit?action={action}"), None)
        .await
        .json()
        .await
        .unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["actor"].as_str().unwrap(),
                e["outcome"].as_str().unwrap()
            )
        })
        .collect()
}

both!(
    async fn signing_in_shows_the_district_and_signing_out_ends_the_session(db) {
        let t = TestApp::district(db).await;
        let mut c = t.client();
        let r = c.get("/home").await;
        assert_eq!(r.status(), 303);
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
        let (_, login) = c.page("/login").await;
        assert!(login.contains("songyanghu"), "the demo accounts are listed");
        let bad = c.login("office", "wrong-password").await;
        assert_eq!(bad.status(), 401);
        assert!(bad.text().await.unwrap().contains("用户名或密码不正确"));
        assert_eq!(c.login("office", "xueshi2021").await.status(), 303);
        let (status, home) = c.page("/home").await;
        assert_eq!(status, 200);
        assert!(home.contains("中共岳阳市云溪区委员会共有基层党组织 534 个、党员 11543 名。"), "{home}");
        assert!(home.contains("<svg"), "the overview has a chart");
        // A copy of the session cookie taken before signing out is
        // worthless afterwards: the server revoked the session.
        let copied = c.cookies();
        assert!(copied.contains("xs_session="));
        let raw = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let before = raw.get(c.url("/home")).header("cookie", &copied).send().await.unwrap();
        assert_eq!(before.status(), 200);
        assert_eq!(c.form("/logout", &[]).await.status(), 303);
        let after = raw.get(c.url("/home")).header("cookie", &copied).send().await.unwrap();
        assert_eq!(after.status(), 303, "the revoked session no longer opens pages");
        let outcomes = audit_outcomes(&t, "login").await;
        assert!(outcomes.contains(&"office:failed".to_owned()) && outcomes.contains(&"office:ok".to_owned()));
        assert_eq!(audit_outcomes(&t, "logout").await, vec!["office:ok".to_owned()]);
    }
);

both!(
    async fn five_failures_lock_an_account_for_fifteen_minutes(db) {
        let t = TestApp::district(db).await;
        let mut c = t.client();
        for attempt in 1..=4 {
            assert_eq!(c.login("songyanghu", "nope-nope").await.status(), 401, "attempt {attempt}");
        }
        let fifth = c.login("songyanghu", "nope-nope").await;
        assert_eq!(fifth.status(), 423);
        assert!(fifth.text().await.unwrap().contains("账号已锁定"));
        let right = c.login("songyanghu", "xueshi2021").await;
        assert_eq!(right.status(), 423, "the right password does not open a locked account");
        t.advance_minutes(16);
        assert_eq!(c.login("songyanghu", "xueshi2021").await.status(), 303);
        let outcomes = audit_outcomes(&t, "login").await;
        assert_eq!(outcomes.iter().filter(|o| *o == "songyanghu:failed").count(), 5);
        assert_eq!(outcomes.iter().filter(|o| *o == "songyanghu:denied").count(), 1);
    }
);

both!(
    async fn one_address_gets_ten_tries_a_minute(db) {
        let t = TestApp::district(db).await;
        let mut c = t.client();
        for _ in 0..10 {
            assert_ne!(c.login("nobody", "whatever1").await.status(), 429);
        }
        assert_eq!(c.login("office", "xueshi2021").await.status(), 429);
        let (status, body) = c.api_login("office", "xueshi2021").await;
        assert_eq!(status, 429);
        assert_eq!(body["code"], "rate_limited");
    }
);

both!(
    async fn sessions_end_after_idling_and_after_twelve_hours(db) {
        let t = TestApp::district(db).await;
        // Administrators: 15 idle minutes.
        let mut office = t.signed_in("office").await;
        t.advance_minutes(14);
        assert_eq!(office.page("/home").await.0, 200);
        t.advance_minutes(16);
        assert_eq!(office.get("/home").await.status(), 303, "16 idle minutes end an administrator's session");
        // Members: 30 idle minutes, and 12 hours in all however busy.
        let mut member = t.signed_in("member").await;
        t.advance_minutes(29);
        assert_eq!(member.page("/home").await.0, 200);
        for _ in 0..23 {
            t.advance_minutes(29);
            assert_eq!(member.get("/home").await.status(), 200);
        }
        t.advance_minutes(20);
        assert_eq!(member.get("/home").await.status(), 200, "11 h 56 min, never idle for long");
        t.advance_minutes(10);
        let r = member.get("/home").await;
        assert_eq!(r.status(), 303, "no session outlives twelve hours");
        assert!(r.headers()["location"].to_str().unwrap().contains("expired=1"));
        let (_, login) = member.page("/login?expired=1").await;
        assert!(login.contains("登录已过期"));
    }
);

/// A path with its placeholders filled in with some id.
fn fill_path(path: &str, id: &str) -> String {
    path.replace("{id}", id)
        .replace("{sub}", id)
        .replace("{file}", "app.css")
}

both!(
    async fn every_state_changing_route_refuses_a_request_without_the_csrf_token(db) {
        // The public forms' per-address ceiling is checked first; raised here
        // so every route reaches its CSRF check.
        let (tdb, app) = xueshi_testkit::district(db).await;
        let web = xueshi_web::WebConfig { problems_per_minute: 1000, ..Default::default() };
        let t = TestApp::serve(tdb, app, web).await;
        let c = t.signed_in("office").await;
        let root = {
            let v: serde_json::Value = c.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
            v["unit"]["id"].as_str().unwrap().to_owned()
        };
        let mut checked = 0;
        for r in route_table().into_iter().filter(|r| r.method != Method::GET) {
            if r.path == "/api/v1/session" && r.method == Method::POST {
                continue; // anonymous JSON sign-in; browsers cannot forge it across sites
            }
            let url = c.url(&fill_path(r.path, &root));
            let wrong = [None, Some("forged-token")];
            for token in wrong {
                let mut req = c.http.request(r.method.clone(), &url).form(&[("name", "x")]);
                if let Some(tok) = token {
                    req = req.header("x-csrf-token", tok);
                }
                let resp = req.send().await.unwrap();
                assert_eq!(resp.status(), 403, "{} {} with token {token:?}", r.method, r.path);
                let body = resp.text().await.unwrap();
                if r.path.starts_with("/api/") {
                    assert!(body.contains("\"code\":\"csrf\""), "{} {}: {body}", r.method, r.path);
                } else {
                    assert!(body.contains("页面已过期"), "{} {}", r.method, r.path);
                }
            }
            checked += 1;
        }
        assert!(checked > 30, "walked {checked} routes");
        // Signing in needs the form's token too (no login CSRF).
        let anon = t.client();
        let r = anon.form_without_token("/login", &[("username", "office"), ("password", "xueshi2021")]).await;
        assert_eq!(r.status(), 403);
    }
);

both!(
    async fn sessions_ended_elsewhere_are_refused_within_seconds(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        assert_eq!(office.api_login("office", "xueshi2021").await.0, 200);
        let mut member = t.client();
        assert_eq!(member.api_login("member", "xueshi2021").await.0, 200);
        for c in [&office, &member] {
            assert_eq!(c.api(Method::GET, "/api/v1/me", None).await.status(), 200);
        }
        // Another process (the CLI, a second server) ends the office's
        // session and disables the member's account, in the database only.
        let now = t.app.now();
        {
            let mut db = t.app.store().write().await.unwrap();
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE account_id = (SELECT id FROM accounts WHERE username = 'office')")
                .bind(now)
                .execute(&mut *db)
                .await
                .unwrap();
            sqlx::query("UPDATE accounts SET disabled = 1, updated_at = $1 WHERE username = 'member'")
                .bind(now)
                .execute(&mut *db)
                .await
                .unwrap();
            db.commit().await.unwrap();
        }
        // Well inside the cache's own 20-second trust: the server's watch
        // has seen both.
        tokio::time::sleep(std::time::Duration::from_millis(3_500)).await;
        for c in [&office, &member] {
            assert_eq!(c.api(Method::GET, "/api/v1/me", None).await.status(), 401);
        }
    }
);
