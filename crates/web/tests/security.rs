//! What an attacker tried, through the real server on both databases: files
//! that would make a trusting reader allocate gigabytes, bursts of guesses
//! from many addresses, a unit admin reaching for a peer's account, forged
//! forwarding headers, oversized bodies, redirects off the site, refusals
//! that left no trace, and files the host's other users could read.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_app::Ctx;
use xueshi_app::accounts::{self, NewAccountInput};
use xueshi_testkit::hostile;
use xueshi_testkit::{Client, TestApp, both};
use xueshi_web::WebConfig;

const PASSWORD: &str = "xueshi-2021";

/// The highest resident memory this process reached, in MB.
fn peak_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap()
        / 1024
}

/// Rows of the audit log as "actor action outcome".
async fn audit(t: &TestApp, action_like: &str) -> Vec<String> {
    let mut db = t.app.store().read().await.unwrap();
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor_name, action, outcome FROM audit_log WHERE action LIKE $1 ORDER BY id",
    )
    .bind(action_like)
    .fetch_all(&mut *db)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(a, b, c)| format!("{a} {b} {c}"))
        .collect()
}

/// Sends a workbook to an import endpoint of the API and returns the
/// refusal's rows (waiting for the roster's job when it runs as one).
async fn import_refusal(c: &Client, path: &str, bytes: Vec<u8>) -> Value {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("x.xlsx");
    let r = c
        .http
        .post(c.url(path))
        .header("x-csrf-token", c.csrf.clone().unwrap())
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    if status != 202 {
        assert_eq!(status, 422, "{path}: {body}");
        return body["rows"].clone();
    }
    let id = body["id"].as_str().unwrap().to_owned();
    for _ in 0..400 {
        let v: Value = c
            .api(Method::GET, &format!("/api/v1/jobs/{id}"), None)
            .await
            .json()
            .await
            .unwrap();
        if v["running"] == false {
            return v["error"]["rows"].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path}: the import did not finish");
}

both!(
    async fn a_hostile_workbook_is_refused_cheaply_by_every_import(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let before = peak_mb();
        let imports: [(&str, &str, &[&str]); 4] = [
            ("/api/v1/imports", "党员", &["姓名*", "党员状态*", "所在组织编码*"]),
            ("/api/v1/matters/imports", "实事目录", &["标题", "级别", "领域"]),
            ("/api/v1/questions/imports", "题库", &["题型", "题干"]),
            ("/api/v1/library/imports", "学习资料", &["类型", "标题"]),
        ];
        for (path, sheet, headers) in imports {
            // A cell in the last row and column: named, not allocated for.
            let rows = import_refusal(&office, path, hostile::far_corner(sheet, headers)).await;
            let rows = rows.as_array().unwrap();
            assert_eq!(rows.len(), 1, "{path}: {rows:?}");
            assert_eq!((rows[0]["row"].as_i64(), rows[0]["column"].as_str()), (Some(1048576), Some("XFD")), "{path}");
            assert!(rows[0]["message"].as_str().unwrap().contains("超出导入读取的列范围"), "{path}");
            // A million rows declared, one used: the blank run is one error.
            let rows = import_refusal(&office, path, hostile::million_rows(sheet, headers)).await;
            let all: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
            assert!(all.contains(&"empty_rows"), "{path}: {rows}");
            assert!(all.len() < 20, "{path}: {} errors", all.len());
            // Shared strings declaring a trillion entries.
            let rows = import_refusal(&office, path, hostile::shared_strings_bomb(sheet, headers)).await;
            assert_eq!(rows[0]["code"], "too_many_cells", "{path}: {rows}");
            // A formula with no stored value is named, never read as empty.
            let rows = import_refusal(&office, path, hostile::formula_without_value(sheet, headers)).await;
            assert_eq!((rows[0]["code"].as_str(), rows[0]["row"].as_i64(), rows[0]["column"].as_str()), (Some("formula_without_value"), Some(2), Some("A")), "{path}: {rows}");
        }
        // Still answering, and the refusals cost next to nothing.
        assert_eq!(office.get("/health").await.status(), 200);
        let grown = peak_mb().saturating_sub(before);
        assert!(grown < 400, "refusing sixteen hostile files raised the peak by {grown} MB");
    }
);

both!(
    async fn a_burst_of_guesses_from_many_addresses_is_checked_at_most_five_times(db) {
        let (tdb, app) = xueshi_testkit::district(db).await;
        let web = WebConfig { trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()], ..WebConfig::default() };
        let t = TestApp::serve(tdb, app, web).await;
        let mut burst = tokio::task::JoinSet::new();
        for i in 0..60 {
            let http = reqwest::Client::new();
            let url = t.url("/api/v1/session");
            burst.spawn(async move {
                http.post(url)
                    .header("x-forwarded-for", format!("10.0.{}.{}", i / 200, i % 200 + 1))
                    .json(&json!({ "username": "songyanghu", "password": format!("guess-{i}") }))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            });
        }
        let mut statuses = Vec::new();
        while let Some(s) = burst.join_next().await {
            statuses.push(s.unwrap());
        }
        assert!(statuses.iter().all(|s| *s == 422 || *s == 423), "{statuses:?}");
        let checked = audit(&t, "login").await.iter().filter(|r| r.ends_with("login failed")).count();
        assert!(checked <= 5, "{checked} wrong passwords were checked");
        let mut c = t.client();
        assert_eq!(c.login("songyanghu", "xueshi2021").await.status(), 423, "the account is locked");
        let denied = audit(&t, "login").await.iter().filter(|r| r.ends_with("login denied")).count();
        assert_eq!(denied, 60 - checked + 1, "every attempt not checked is on record as refused");
    }
);

both!(
    async fn an_unknown_name_locks_as_a_real_one_does(db) {
        // One address tries both names: lift its own per-minute ceiling.
        let (tdb, app) = xueshi_testkit::district(db).await;
        let t = TestApp::serve(tdb, app, WebConfig { login_per_minute: 100, ..WebConfig::default() }).await;
        let mut answers = Vec::new();
        for name in ["songyanghu", "nobody-at-all"] {
            let mut c = t.client();
            let mut statuses = Vec::new();
            for _ in 0..6 {
                statuses.push(c.api_login(name, "wrong-password").await.0);
            }
            answers.push(statuses);
        }
        assert_eq!(answers[0], vec![422, 422, 422, 422, 423, 423]);
        assert_eq!(answers[0], answers[1], "a name that exists and one that does not answer alike");
        t.advance_minutes(16);
        let mut c = t.client();
        assert_eq!(c.api_login("nobody-at-all", "wrong-password").await.0, 422, "the lock ends");
    }
);

/// The five roles, highest first, by their demo-free names here.
const ROLES: [&str; 5] = [
    "system_admin",
    "campaign_office",
    "unit_admin",
    "inspector",
    "member",
];

/// Whether a role may give another to an account.
fn grants(actor: usize, target: usize) -> bool {
    match actor {
        0 => true,
        1 => target != 0,
        2 => target == 2 || target == 4,
        _ => false,
    }
}

both!(
    async fn accounts_are_managed_only_from_above(db) {
        let t = TestApp::district(db).await;
        let (root, town, branch) = {
            let mut db = t.app.store().read().await.unwrap();
            let root: i64 = sqlx::query_scalar("SELECT id FROM units WHERE parent_id IS NULL").fetch_one(&mut *db).await.unwrap();
            let (town, town_code): (i64, String) = sqlx::query_as("SELECT u.id, u.code FROM units u WHERE u.parent_id = $1 AND EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id) ORDER BY u.code LIMIT 1").bind(root).fetch_one(&mut *db).await.unwrap();
            let branch_code: String = sqlx::query_scalar("SELECT code FROM units WHERE parent_id = $1 ORDER BY code LIMIT 1").bind(town).fetch_one(&mut *db).await.unwrap();
            (root, town_code, branch_code)
        };
        let root_path = accounts::unit_path(&t.app, xueshi_domain::Id(root)).await.unwrap();
        let shell = Ctx::system(&root_path);
        let make = |name: String, role: &str, scope: &str| {
            let app = t.app.clone();
            let shell = shell.clone();
            let input = NewAccountInput {
                username: name.clone(),
                display_name: name,
                password: PASSWORD.into(),
                role: role.into(),
                scope_code: scope.into(),
                can_unmask: false,
                ..Default::default()
            };
            async move { accounts::create(&app, &shell, input).await.unwrap().id }
        };
        // One actor of each role in the town, and targets of each role in the
        // town (peers and lesser roles) and in a branch below it.
        let mut actors = Vec::new();
        for (i, role) in ROLES.iter().enumerate() {
            let id = make(format!("actor{i}"), role, &town).await;
            let mut c = t.client();
            assert_eq!(c.login(&format!("actor{i}"), PASSWORD).await.status(), 303);
            actors.push((i, id, c));
        }
        let mut checked = 0;
        for (a, actor_id, c) in &actors {
            for (below, scope) in [(false, &town), (true, &branch)] {
                for (r, role) in ROLES.iter().enumerate() {
                    let target = make(format!("t{a}{r}{}", u8::from(below)), role, scope).await;
                    let allowed = *a <= 2 && grants(*a, r) && (below || r > *a);
                    for route in ["unlock", "password", "disable", "enable"] {
                        let resp = c.form(&format!("/accounts/{}/{route}", target), &[("password", "another-pass-1")]).await;
                        let want = if allowed { 303 } else { 403 };
                        assert_eq!(resp.status(), want, "{} on a {} {}: {route}", ROLES[*a], role, if below { "below" } else { "peer scope" });
                        checked += 1;
                    }
                    let made = c.form("/accounts", &[("username", &format!("new{a}{r}{}", u8::from(below))), ("display_name", "新账号"), ("password", PASSWORD), ("role", role), ("scope_code", scope)]).await;
                    assert_eq!(made.status(), if allowed { 303 } else { 403 }, "{} creating a {} {}", ROLES[*a], role, if below { "below" } else { "in its scope" });
                }
            }
            // Never oneself: the own password changes on /password, with the current one.
            for route in ["password", "disable", "unlock"] {
                let resp = c.form(&format!("/accounts/{actor_id}/{route}"), &[("password", "another-pass-1")]).await;
                assert_eq!(resp.status(), 403, "{} on itself: {route}", ROLES[*a]);
            }
        }
        assert_eq!(checked, 5 * 2 * 5 * 4);
        // The unmask grant goes only from one who holds it.
        let ua = &actors[2].2;
        let r = ua.form("/accounts", &[("username", "wants-unmask"), ("display_name", "x"), ("password", PASSWORD), ("role", "member"), ("scope_code", &branch), ("can_unmask", "on")]).await;
        assert_eq!(r.status(), 403);
    }
);

both!(
    async fn the_client_is_the_rightmost_address_no_trusted_proxy_vouches_for(db) {
        let (tdb, app) = xueshi_testkit::district(db).await;
        let web = WebConfig { trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()], ..WebConfig::default() };
        let t = TestApp::serve(tdb, app, web).await;
        let http = reqwest::Client::new();
        // A forged entry on the left, the proxy's own view on the right.
        let r = http
            .post(t.url("/api/v1/session"))
            .header("x-forwarded-for", "1.2.3.4, 203.0.113.9")
            .json(&json!({ "username": "office", "password": "xueshi2021" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let mut db = t.app.store().read().await.unwrap();
        let ip: String = sqlx::query_scalar("SELECT ip FROM audit_log WHERE action = 'login' ORDER BY id DESC LIMIT 1").fetch_one(&mut *db).await.unwrap();
        assert_eq!(ip, "203.0.113.9");
        drop(db);
        // Changing the forged part does not make a new visitor: the
        // per-address ceiling holds.
        let mut statuses = Vec::new();
        for i in 0..7 {
            let r = http
                .post(t.url("/api/v1/public/problems"))
                .header("x-forwarded-for", format!("9.9.9.{i}, 203.0.113.10"))
                .json(&json!({ "body": "x" }))
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2, "{statuses:?}");
    }
);

both!(
    async fn without_a_trusted_proxy_forwarded_addresses_are_ignored(db) {
        let t = TestApp::district(db).await;
        let http = reqwest::Client::new();
        let mut statuses = Vec::new();
        for i in 0..6 {
            let r = http
                .post(t.url("/api/v1/public/problems"))
                .header("x-forwarded-for", format!("9.9.9.{i}"))
                .json(&json!({ "body": "x" }))
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    }
);

both!(
    async fn public_forms_refuse_before_reading_the_body(db) {
        let t = TestApp::district(db).await;
        let v = t.client();
        let big = vec![b'a'; 40 * 1024 * 1024];
        let r = v
            .http
            .post(v.url("/api/v1/public/problems"))
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await;
        // Refused on its declared length: 413, or the connection closed
        // before the rest was sent.
        if let Ok(r) = r {
            assert_eq!(r.status(), 413);
        }
        // An address past its ceiling is turned away before its body is read.
        for _ in 0..6 {
            v.http.post(v.url("/api/v1/public/problems")).json(&json!({ "body": "x" })).send().await.unwrap();
        }
        let r = v
            .http
            .post(v.url("/public/problems"))
            .header("content-type", "multipart/form-data; boundary=x")
            .body(vec![b'a'; 3 * 1024 * 1024])
            .send()
            .await;
        if let Ok(r) = r {
            assert_eq!(r.status(), 429);
        }
        // The server goes on answering (asked on a new connection: the one
        // refused mid-body may be closed under the client's pool).
        assert_eq!(t.client().get("/health").await.status(), 200);
    }
);

both!(
    async fn only_same_site_paths_are_followed_after_signing_in(db) {
        let t = TestApp::district(db).await;
        for next in ["/\t/evil.example", "/\\evil.example", "//evil.example", "https://evil.example", "/%09/evil.example\r\n", " /units"] {
            let mut c = t.client();
            c.page("/login").await;
            let r = c.form("/login", &[("username", "office"), ("password", "xueshi2021"), ("next", next)]).await;
            assert_eq!(r.status(), 303);
            assert_eq!(r.headers()["location"], "/home", "next = {next:?}");
            c.page("/home").await;
            let r = c.form("/lang", &[("lang", "en"), ("back", next)]).await;
            assert_eq!(r.headers()["location"], "/home", "back = {next:?}");
        }
        let mut c = t.client();
        c.page("/login").await;
        let r = c.form("/login", &[("username", "office"), ("password", "xueshi2021"), ("next", "/tree?x=1")]).await;
        assert_eq!(r.headers()["location"], "/tree?x=1", "a real path is followed");
    }
);

both!(
    async fn refusals_outside_the_scope_are_on_record(db) {
        let t = TestApp::district(db).await;
        let mut ua = t.client();
        ua.api_login("songyanghu", "xueshi2021").await;
        // Objects in another town.
        let (unit, member, account) = {
            let mut db = t.app.store().read().await.unwrap();
            let scope: String = sqlx::query_scalar("SELECT u.path FROM accounts a JOIN units u ON u.id = a.scope_unit_id WHERE a.username = 'songyanghu'").fetch_one(&mut *db).await.unwrap();
            let unit: i64 = sqlx::query_scalar("SELECT id FROM units WHERE depth = 1 AND path NOT LIKE $1 || '%' AND parent_id IS NOT NULL ORDER BY id LIMIT 1").bind(&scope).fetch_one(&mut *db).await.unwrap();
            let member: i64 = sqlx::query_scalar("SELECT m.id FROM members m JOIN units u ON u.id = m.unit_id WHERE u.path NOT LIKE $1 || '%' ORDER BY m.id LIMIT 1").bind(&scope).fetch_one(&mut *db).await.unwrap();
            let account: i64 = sqlx::query_scalar("SELECT a.id FROM accounts a JOIN units u ON u.id = a.scope_unit_id WHERE u.path NOT LIKE $1 || '%' ORDER BY a.id LIMIT 1").bind(&scope).fetch_one(&mut *db).await.unwrap();
            (unit, member, account)
        };
        let tries = [
            (Method::POST, format!("/api/v1/members/{member}/unmask"), None, "member.unmask"),
            (Method::DELETE, format!("/api/v1/units/{unit}"), None, "unit.delete"),
            (Method::POST, format!("/api/v1/units/{unit}/exports"), Some(json!({ "unmasked": true })), "unit.exports"),
        ];
        for (method, path, body, action) in tries {
            let r = ua.api(method.clone(), &path, body).await;
            assert_eq!(r.status(), 403, "{method} {path}");
            assert!(audit(&t, action).await.contains(&format!("songyanghu {action} denied")), "{action}");
        }
        let mut page = t.client();
        page.login("songyanghu", "xueshi2021").await;
        assert_eq!(page.form(&format!("/accounts/{account}/password"), &[("password", "another-pass-1")]).await.status(), 403);
        assert!(audit(&t, "account.password").await.contains(&"songyanghu account.password denied".to_owned()));
        // A transfer to a unit outside the scope answers as one to a missing
        // unit, and is on record.
        let mine: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT m.id FROM members m JOIN units u ON u.id = m.unit_id JOIN accounts a ON a.username = 'songyanghu' JOIN units s ON s.id = a.scope_unit_id WHERE u.path LIKE s.path || '%' ORDER BY m.id LIMIT 1").fetch_one(&mut *db).await.unwrap()
        };
        let foreign = ua.api(Method::POST, &format!("/api/v1/members/{mine}/transfer"), Some(json!({ "unit_id": unit.to_string() }))).await;
        let missing = ua.api(Method::POST, &format!("/api/v1/members/{mine}/transfer"), Some(json!({ "unit_id": "999999999" }))).await;
        assert_eq!(foreign.status(), missing.status());
        let (a, b): (Value, Value) = (foreign.json().await.unwrap(), missing.json().await.unwrap());
        assert_eq!(a, b, "the same answer for a foreign and a missing unit");
        assert!(audit(&t, "member.transfer").await.contains(&"songyanghu member.transfer denied".to_owned()));
    }
);

both!(
    async fn downloads_are_audited_and_whole_numbers_go_out_once(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let scope: Value = office.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let town = scope["children"][0]["id"].as_str().unwrap().to_owned();
        for unmasked in [false, true] {
            let r = office.api(Method::POST, &format!("/api/v1/units/{town}/exports"), Some(json!({ "unmasked": unmasked }))).await;
            let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
            let mut done = Value::Null;
            for _ in 0..400 {
                done = office.api(Method::GET, &format!("/api/v1/jobs/{id}"), None).await.json().await.unwrap();
                if done["running"] == false {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let link = done["download"].as_str().unwrap().to_owned();
            assert_eq!(office.get(&link).await.status(), 200);
            let again = office.get(&link).await.status();
            assert_eq!(again, if unmasked { 409 } else { 200 }, "unmasked = {unmasked}");
        }
        let downloads = audit(&t, "roster.download").await;
        assert_eq!(downloads, vec!["office roster.download ok"; 3]);
        // Another account's job is not there for anyone else.
        let mut ua = t.client();
        ua.api_login("songyanghu", "xueshi2021").await;
        assert_eq!(ua.get("/api/v1/jobs/1/download").await.status(), 404);
    }
);

both!(
    async fn formula_looking_text_goes_out_defused_and_comes_back_as_typed(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let title = "=HYPERLINK(\"http://evil.example\",\"点此\")";
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("学习资料").unwrap();
        for (c, h) in ["类型", "标题", "来源"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "视频").unwrap();
        ws.write_string(1, 1, title).unwrap();
        ws.write_string(1, 2, "@SUM(1+1)").unwrap();
        let r = office.upload("/api/v1/library/imports", "lib.xlsx", wb.save_to_buffer().unwrap()).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let bytes = office.get("/library.xlsx").await.bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
        use calamine::Reader;
        let range = book.worksheet_range("学习资料").unwrap();
        let cells: Vec<String> = range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
        assert!(cells.contains(&format!("'{title}")), "{cells:?}");
        assert!(cells.contains(&"'@SUM(1+1)".to_owned()));
        assert!(!cells.iter().any(|c| c.starts_with('=') || c.starts_with('@')));
        // Imported again, the title is the one typed (and so already there).
        let r = office.upload("/api/v1/library/imports", "again.xlsx", bytes).await;
        let body: Value = r.json().await.unwrap();
        assert!(body["rows"].as_array().unwrap().iter().any(|r| r["code"] == "material_exists"), "{body}");
    }
);

both!(
    async fn database_and_backup_files_are_readable_by_their_owner_only(db) {
        use std::os::unix::fs::PermissionsExt;
        let t = TestApp::district(db).await;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let file = t.db.dir().join("xueshi.db");
        if file.exists() {
            assert_eq!(mode(&file), 0o600, "the database");
            let wal = t.db.dir().join("xueshi.db-wal");
            if wal.exists() {
                assert_eq!(mode(&wal), 0o600, "its write-ahead log");
            }
        }
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let backup = t.db.dir().join(format!("backup-{stamp}.db"));
        xueshi_app::backup::backup(&t.app, &backup, &xueshi_app::jobs::Quiet).await.unwrap();
        assert_eq!(mode(&backup), 0o600, "the backup");
        std::fs::remove_file(&backup).unwrap();
    }
);

both!(
    async fn administrators_over_plain_http_are_warned(db) {
        let t = TestApp::district(db).await;
        let mut admin = t.client();
        admin.login("office", "xueshi2021").await;
        let (_, page) = admin.page("/home").await;
        assert!(page.contains("本站正以明文 HTTP 运行"), "the office is told");
        let mut member = t.client();
        member.login("member", "xueshi2021").await;
        let (_, page) = member.page("/home").await;
        assert!(!page.contains("本站正以明文 HTTP 运行"), "members are not alarmed");
    }
);

/// Runs of digits that look like a whole mobile or ID number, outside the
/// random tokens of hidden fields (a form's CSRF token, a signed challenge).
fn whole_numbers(page: &str) -> Vec<String> {
    let mut page = page.to_owned();
    for field in ["name=\"challenge\" value=\"", "name=\"csrf\" value=\""] {
        while let Some(at) = page.find(field) {
            let start = at + field.len();
            let end = page[start..].find('"').map_or(page.len(), |e| start + e);
            page.replace_range(at..end, "");
        }
    }
    let mut out = Vec::new();
    let mut run = String::new();
    for c in page.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == 'X' && run.len() == 17) {
            run.push(c);
            continue;
        }
        let phone = run.len() == 11 && run.starts_with('1') && !run.starts_with("10");
        // An ID number begins with its region (1–8) and carries a birth date
        // and its check character; the records' ids, 18 digits too, are
        // time-ordered and begin with 9.
        let id_number = run.len() == 18 && !run.starts_with('9') && {
            let (year, month, day) = (&run[6..10], &run[10..12], &run[12..14]);
            ("1900".."2030").contains(&year)
                && ("01"..="12").contains(&month)
                && ("01"..="31").contains(&day)
                && xueshi_domain::pii::check_char(&run.as_bytes()[..17]) as char
                    == run.as_bytes()[17] as char
        };
        if phone || id_number {
            out.push(run.clone());
        }
        run.clear();
    }
    out
}

both!(
    async fn what_the_public_types_is_shown_as_text_and_public_pages_hold_no_whole_numbers(db) {
        let t = TestApp::district(db).await;
        // Text a visitor and an office type, with markup in it.
        let hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
        let ch = xueshi_app::problems::new_challenge(&t.app);
        let sum: u32 = ch.question.split('+').map(|n| n.trim().parse::<u32>().unwrap()).sum();
        let raised = xueshi_app::problems::raise(
            &t.app,
            xueshi_app::problems::RaiseInput {
                body: format!("路灯坏了{hostile}"),
                area: hostile.into(),
                contact: "13907301234".into(),
                challenge: ch.token,
                answer: sum.to_string(),
                ..Default::default()
            },
            "127.0.0.1",
        )
        .await
        .unwrap();
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let scope: Value = office.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let r = office.api(Method::POST, "/api/v1/matters", Some(json!({
            "unit_id": scope["unit"]["id"], "title": format!("整治{hostile}"), "level": "general", "field": "民生改善", "deadline": "2021-09-30",
            "problem": raised.code,
        }))).await;
        assert_eq!(r.status(), 201);
        let matter: Value = r.json().await.unwrap();
        let mut staff = t.client();
        staff.login("office", "xueshi2021").await;
        let visitor = t.client();
        let pages = [
            (&visitor, format!("/public/problems/{}", raised.code)),
            (&visitor, format!("/public/matters/{}", matter["id"].as_str().unwrap())),
            (&visitor, "/public/matters".to_owned()),
            (&staff, format!("/matters/{}", matter["id"].as_str().unwrap())),
            (&staff, "/audit".to_owned()),
        ];
        for (c, path) in &pages {
            let page = c.get(path).await.text().await.unwrap();
            assert!(!page.contains("<script>alert") && !page.contains("<img src=x"), "{path} shows markup live");
            assert!(page.contains("&lt;script&gt;") || page.contains("&#60;script"), "{path} shows the text");
        }

        // Every public page: no whole phone or ID number, anywhere.
        let mut paths = vec!["/public/matters".to_owned(), "/public/summary".to_owned(), "/public/cases".to_owned(), "/public/problems/new".to_owned()];
        let list: Value = visitor.api(Method::GET, "/api/v1/public/matters?per_page=100", None).await.json().await.unwrap();
        for m in list["matters"].as_array().unwrap().iter().take(60) {
            paths.push(format!("/public/matters/{}", m["id"].as_str().unwrap()));
            paths.push(format!("/api/v1/public/matters/{}", m["id"].as_str().unwrap()));
        }
        let codes: Vec<String> = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT code FROM problems ORDER BY id LIMIT 40").fetch_all(&mut *db).await.unwrap()
        };
        for code in codes {
            paths.push(format!("/public/problems/{code}"));
            paths.push(format!("/api/v1/public/problems/{code}"));
        }
        assert!(paths.len() > 60, "{} public pages", paths.len());
        for path in &paths {
            let r = visitor.get(path).await;
            assert_eq!(r.status(), 200, "{path}");
            let page = r.text().await.unwrap();
            assert_eq!(whole_numbers(&page), Vec::<String>::new(), "{path}");
            assert!(!page.contains("13907301234"));
        }
    }
);

both!(
    async fn upload_forms_carry_their_token_in_the_body_never_the_address(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.login("office", "xueshi2021").await;
        let (_, page) = office.page("/library").await;
        assert!(!page.contains("?csrf="), "no token in a form's address");
        let token = office.csrf.clone().unwrap();
        let file = || reqwest::multipart::Part::bytes(b"not a workbook".to_vec()).file_name("x.xlsx");
        // In the address, or behind the file: refused as a forgery.
        let r = office.http.post(office.url(&format!("/library?csrf={token}")))
            .multipart(reqwest::multipart::Form::new().part("file", file())).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = office.http.post(office.url("/library"))
            .multipart(reqwest::multipart::Form::new().part("file", file()).text("csrf", token.clone())).send().await.unwrap();
        assert_eq!(r.status(), 403);
        // First in the body, as the page's form sends it: read, and the bad
        // file is reported in words.
        let r = office.upload("/library", "x.xlsx", b"not a workbook".to_vec()).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("不是有效的 Excel"));
    }
);
