//! A new installation runs a campaign from nothing, on both databases,
//! through the real server: `init`, a roster import, members' accounts made
//! in bulk with login slips, the campaign set up from the 五个一 template,
//! and a member's first quiz — no demo data. Then the refusals: bad
//! set-ups, quotas changed once members are counted, accounts for the
//! wrong member, a slip's holder reaching anything before choosing a
//! password.

use std::time::Duration;

use reqwest::Method;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};
use xueshi_app::Ctx;
use xueshi_app::accounts::{self, NewAccountInput};
use xueshi_domain::pii::check_char;
use xueshi_domain::unit::UnitDraft;
use xueshi_testkit::people::post;
use xueshi_testkit::{Client, TestApp, both, dump};

fn id_number(first17: &str) -> String {
    format!("{first17}{}", check_char(first17.as_bytes()) as char)
}

fn roster() -> Vec<u8> {
    let mut wb = Workbook::new();
    let units = wb.add_worksheet();
    units.set_name("组织").unwrap();
    for (c, h) in ["组织编码*", "组织名称*", "组织类型*", "上级组织编码*"]
        .iter()
        .enumerate()
    {
        units.write_string(0, c as u16, *h).unwrap();
    }
    let unit_rows = [
        ["ZX-A", "城关镇党委", "党委", "ZX"],
        ["ZX-A-1", "城关镇第一党支部", "党支部", "ZX-A"],
        ["ZX-A-2", "城关镇第二党支部", "党支部", "ZX-A"],
    ];
    for (r, row) in unit_rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            units.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    let members = wb.add_worksheet();
    members.set_name("党员").unwrap();
    for (c, h) in ["姓名*", "党员状态*", "手机号", "身份证号", "所在组织编码*"]
        .iter()
        .enumerate()
    {
        members.write_string(0, c as u16, *h).unwrap();
    }
    let member_rows = [
        [
            "刘红梅",
            "正式党员",
            "13907301234",
            &id_number("43060319760502222"),
            "ZX-A-1",
        ],
        [
            "周建国",
            "正式党员",
            "13907305678",
            &id_number("43060319900811331"),
            "ZX-A-1",
        ],
        // No phone: left out when user names are phone numbers.
        [
            "彭志明",
            "预备党员",
            "",
            &id_number("43060319680309123"),
            "ZX-A-2",
        ],
    ];
    for (r, row) in member_rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                members.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn import(c: &Client, bytes: Vec<u8>) -> Value {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("roster.xlsx");
    let form = reqwest::multipart::Form::new().part("file", part);
    let r = c
        .http
        .post(c.url("/api/v1/imports"))
        .header("x-csrf-token", c.csrf.clone().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..600 {
        let v: Value = c
            .api(Method::GET, &format!("/api/v1/jobs/{id}"), None)
            .await
            .json()
            .await
            .unwrap();
        if v["running"] == false {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import did not finish");
}

async fn get(c: &Client, path: &str) -> (u16, Value) {
    let r = c.api(Method::GET, path, None).await;
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// `xueshi init`: the root and its system administrator.
async fn init(t: &TestApp) -> Client {
    let draft = UnitDraft::parse("ZX", "中共测试县委员会", "local_committee", Some(0)).unwrap();
    let (root, path) = xueshi_app::tree::create_root(&t.app, &draft).await.unwrap();
    accounts::create(
        &t.app,
        &Ctx::system(&path),
        NewAccountInput {
            username: "admin".into(),
            display_name: "系统管理员".into(),
            password: "Admin-pass-1".into(),
            role: "system_admin".into(),
            scope_unit: Some(root),
            can_unmask: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut c = t.client();
    assert_eq!(c.api_login("admin", "Admin-pass-1").await.0, 200);
    c
}

fn unit_id(scope: &Value, code: &str) -> String {
    fn walk(v: &Value, code: &str) -> Option<String> {
        if v["code"] == code {
            return v["id"].as_str().map(str::to_owned);
        }
        v["children"].as_array()?.iter().find_map(|c| walk(c, code))
    }
    walk(&scope["unit"], code)
        .or_else(|| walk(scope, code))
        .unwrap_or_else(|| panic!("{code} in {scope}"))
}

both!(
    async fn a_new_installation_runs_a_campaign_from_init_to_a_first_quiz(db) {
        let t = TestApp::start(db).await;
        let office = init(&t).await;
        let job = import(&office, roster()).await;
        assert!(job["error"].is_null(), "{job}");
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let (_, town) = get(&office, &format!("/api/v1/units/{}", unit_id(&scope, "ZX-A"))).await;
        let branch1 = unit_id(&town, "ZX-A-1");

        // No campaign yet: the unit says so, and nothing governs it.
        let (_, l) = get(&office, &format!("/api/v1/units/{root}/campaigns")).await;
        assert!(l["governing"].is_null() && l["own"].as_array().unwrap().is_empty(), "{l}");

        // Accounts for the roster by phone number: the member without one
        // is named, nobody else is left out.
        let (s, issued) = post(&office, &format!("/api/v1/units/{root}/member-accounts"), json!({ "scheme": "phone" })).await;
        assert_eq!(s, 200, "{issued}");
        assert_eq!(issued["made"], 2, "{issued}");
        let skipped = issued["skipped"].as_array().unwrap();
        assert_eq!(skipped.len(), 1);
        assert_eq!((skipped[0]["name"].as_str(), skipped[0]["reason"].as_str()), (Some("彭志明"), Some("no_phone")));
        // Then the rest by member code: only the one without an account.
        let (_, issued) = post(&office, &format!("/api/v1/units/{root}/member-accounts"), json!({ "scheme": "member_code" })).await;
        assert_eq!((issued["made"].as_i64(), issued["skipped"].as_array().unwrap().len()), (Some(1), 0), "{issued}");
        // Issuing again makes nothing.
        let (_, again) = post(&office, &format!("/api/v1/units/{root}/member-accounts"), json!({})).await;
        assert_eq!(again["made"], 0);

        // The slips: three, one per member, each linked to its member.
        let (s, slips) = get(&office, &format!("/api/v1/units/{root}/login-slips")).await;
        assert_eq!(s, 200);
        let slips = slips.as_array().unwrap().clone();
        let names: Vec<&str> = slips.iter().map(|s| s["username"].as_str().unwrap()).collect();
        assert!(names.contains(&"13907301234") && names.contains(&"13907305678") && names.contains(&"ZX-A-2-1"), "{names:?}");
        {
            let mut db = t.app.store().read().await.unwrap();
            let linked: Vec<(String, String)> = sqlx::query_as(
                "SELECT a.username, m.name FROM accounts a JOIN members m ON m.id = a.member_id AND m.unit_id = a.scope_unit_id WHERE a.role = 'member' ORDER BY m.name",
            )
            .fetch_all(&mut *db)
            .await
            .unwrap();
            assert_eq!(linked.len(), 3, "{linked:?}");
            // The printing is on record.
            let printed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'account.slips'").fetch_one(&mut *db).await.unwrap();
            assert_eq!(printed, 1);
        }
        let slip = slips.iter().find(|s| s["username"] == "13907301234").unwrap();
        let first = slip["password"].as_str().unwrap().to_owned();
        // The print page and the workbook hold the same slip.
        let mut office_page = t.client();
        office_page.login("admin", "Admin-pass-1").await;
        let (_, html) = office_page.page(&format!("/units/{root}/login-slips")).await;
        assert!(html.contains(&first) && html.contains("城关镇第一党支部"), "{html}");
        let xlsx = office_page.get(&format!("/units/{root}/login-slips.xlsx")).await.bytes().await.unwrap();
        assert!(xlsx.starts_with(b"PK"));

        // The member signs in with the slip: nothing but a new password.
        let mut m = t.client();
        let (s, _) = m.api_login("13907301234", &first).await;
        assert_eq!(s, 200);
        let (s, e) = get(&m, "/api/v1/quiz/today").await;
        assert_eq!((s, e["code"].as_str()), (403, Some("password_change_required")), "{e}");
        let (s, e) = post(&m, "/api/v1/me/password", json!({ "current": first, "new": first })).await;
        assert_eq!(s, 422, "{e}");
        let (s, _) = post(&m, "/api/v1/me/password", json!({ "current": first, "new": "Hongmei-2021" })).await;
        assert_eq!(s, 204);
        // The slip is spent: it no longer signs in, and is no longer printed.
        assert_eq!(t.client().api_login("13907301234", &first).await.0, 422);
        let (_, slips) = get(&office, &format!("/api/v1/units/{root}/login-slips")).await;
        assert_eq!(slips.as_array().unwrap().len(), 2);

        // Still no campaign: the quiz is closed.
        let (s, today) = get(&m, "/api/v1/quiz/today").await;
        assert_eq!((s, today["state"].as_str()), (200, Some("closed")), "{today}");

        // A question bank of one question, and the campaign from the template.
        let (s, _) = post(&office, "/api/v1/questions", json!({
            "kind": "single", "stem": "中国共产党第一次全国代表大会在哪一年召开？", "options": ["1919年", "1921年", "1927年"], "answer": "B",
        })).await;
        assert_eq!(s, 201);
        let (_, mut setup) = get(&office, "/api/v1/campaign-template").await;
        assert_eq!(setup["quotas"].as_array().unwrap().len(), 6, "{setup}");
        setup["name"] = json!("测试县党史学习教育");
        setup["quiz_size"] = json!(1);
        let (s, made) = post(&office, &format!("/api/v1/units/{root}/campaigns"), setup.clone()).await;
        assert_eq!(s, 201, "{made}");
        let campaign = made["id"].as_str().unwrap().to_owned();
        let (_, l) = get(&office, &format!("/api/v1/units/{branch1}/campaigns")).await;
        assert_eq!(l["governing"]["id"], campaign.as_str(), "{l}");

        // The member's first quiz, the same day.
        let (_, today) = get(&m, "/api/v1/quiz/today").await;
        assert_eq!(today["state"], "open", "{today}");
        let q = today["questions"][0]["id"].as_str().unwrap().to_owned();
        let (s, result) = post(&m, "/api/v1/quiz/today", json!({ "ticket": today["ticket"], "answers": { q: "B" } })).await;
        assert_eq!(s, 201, "{result}");
        assert_eq!(result["correct"], 1, "{result}");
        // And the quotas are the campaign's: the member sees six.
        let (_, me) = get(&m, "/api/v1/study/me").await;
        assert_eq!(me["quotas"].as_array().map(Vec::len), Some(6), "{me}");
    }
);

both!(
    async fn a_campaign_refuses_what_would_make_its_figures_untrue(db) {
        let t = TestApp::start(db).await;
        let office = init(&t).await;
        assert!(import(&office, roster()).await["error"].is_null());
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let (_, template) = get(&office, "/api/v1/campaign-template").await;

        // Bad set-ups: each named, nothing written.
        let before = dump(t.app.store()).await;
        let bad = |f: &dyn Fn(&mut Value)| {
            let mut v = template.clone();
            f(&mut v);
            v
        };
        let cases: Vec<(Value, &str, &str)> = vec![
            (bad(&|v| v["name"] = json!("")), "name", "required"),
            (bad(&|v| v["ends_on"] = json!("2020-01-01")), "ends_on", "ends_before_start"),
            (bad(&|v| v["starts_on"] = json!("2021-02-30")), "starts_on", "bad_date"),
            (bad(&|v| v["quiz_size"] = json!(0)), "quiz_size", "out_of_range"),
            (bad(&|v| v["quiz_opens"] = json!("25:00")), "quiz_opens", "bad_time"),
            (bad(&|v| { v["quiz_opens"] = json!("22:00"); v["quiz_closes"] = json!("08:00"); }), "quiz_closes", "closes_before_opens"),
            (bad(&|v| v["quotas"][0]["kind"] = json!("dance")), "quotas", "bad_choice"),
            (bad(&|v| v["quotas"][0]["count"] = json!(0)), "quotas", "out_of_range"),
            (bad(&|v| v["phases"][0]["ends_on"] = json!("2099-01-01")), "phases", "phase_outside_campaign"),
        ];
        for (body, field, code) in cases {
            let (s, e) = post(&office, &format!("/api/v1/units/{root}/campaigns"), body).await;
            assert_eq!(s, 422, "{field}: {e}");
            let f = e["fields"].as_array().unwrap();
            assert!(f.iter().any(|x| x["field"] == field && x["code"] == code), "{field} {code}: {e}");
            assert!(!e["message"].as_str().unwrap_or("").is_empty());
        }
        assert_eq!(dump(t.app.store()).await, before, "a refused set-up wrote something");

        // A good one; a second over the same days is refused.
        let (s, made) = post(&office, &format!("/api/v1/units/{root}/campaigns"), template.clone()).await;
        assert_eq!(s, 201);
        let id = made["id"].as_str().unwrap().to_owned();
        let (s, e) = post(&office, &format!("/api/v1/units/{root}/campaigns"), template.clone()).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (422, Some("campaign_overlaps")), "{e}");

        // Before anyone is counted the quotas may change …
        let mut changed = template.clone();
        changed["quotas"].as_array_mut().unwrap().pop();
        let r = office.api(Method::PUT, &format!("/api/v1/campaigns/{id}"), Some(changed.clone())).await;
        assert_eq!(r.status(), 204);
        let (_, v) = get(&office, &format!("/api/v1/campaigns/{id}")).await;
        assert_eq!((v["input"]["quotas"].as_array().unwrap().len(), v["counting"].as_bool()), (5, Some(false)));

        // … once a member has checked in, they and the first day may not;
        // the name and the quiz may.
        let (_, issued) = post(&office, &format!("/api/v1/units/{root}/member-accounts"), json!({})).await;
        assert_eq!(issued["made"], 3);
        let (_, slips) = get(&office, &format!("/api/v1/units/{root}/login-slips")).await;
        let slip = slips[0].clone();
        let mut m = t.client();
        m.api_login(slip["username"].as_str().unwrap(), slip["password"].as_str().unwrap()).await;
        post(&m, "/api/v1/me/password", json!({ "current": slip["password"], "new": "Member-pass-1" })).await;
        let (s, e) = post(&m, "/api/v1/study/check-ins", json!({ "kind": "book", "what": "《中国共产党简史》", "minutes": "30" })).await;
        assert_eq!(s, 201, "{e}");
        let (_, v) = get(&office, &format!("/api/v1/campaigns/{id}")).await;
        assert_eq!(v["counting"], true);
        let mut fewer = changed.clone();
        fewer["quotas"].as_array_mut().unwrap().pop();
        let start = xueshi_domain::date::from_iso(template["starts_on"].as_str().unwrap()).unwrap();
        fewer["starts_on"] = json!(xueshi_domain::date::iso(start - time::Duration::days(1)));
        let before = dump(t.app.store()).await;
        let r = office.api(Method::PUT, &format!("/api/v1/campaigns/{id}"), Some(fewer)).await;
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.unwrap();
        let fields: Vec<(&str, &str)> = e["fields"].as_array().unwrap().iter().map(|f| (f["field"].as_str().unwrap(), f["code"].as_str().unwrap())).collect();
        assert!(fields.contains(&("quotas", "campaign_counting")) && fields.contains(&("starts_on", "campaign_counting")), "{fields:?}");
        assert_eq!(dump(t.app.store()).await, before);
        let mut renamed = changed.clone();
        renamed["name"] = json!("测试县党史学习教育（延长）");
        renamed["quiz_seconds"] = json!(900);
        assert_eq!(office.api(Method::PUT, &format!("/api/v1/campaigns/{id}"), Some(renamed)).await.status(), 204);
    }
);

both!(
    async fn member_accounts_are_linked_scoped_and_follow_their_member(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let mut admin = t.client();
        admin.api_login("songyanghu", "xueshi2021").await;
        let (_, own) = get(&admin, "/api/v1/units").await;
        let own_branch = own["children"].as_array().unwrap().iter().find(|c| c["kind"] == "branch").unwrap()["id"].as_str().unwrap().to_owned();
        let member_id: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT m.id FROM members m WHERE m.unit_id = $1 AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = m.id) ORDER BY m.id LIMIT 1")
                .bind(own_branch.parse::<i64>().unwrap())
                .fetch_one(&mut *db)
                .await
                .unwrap()
        };
        let member_id = member_id.to_string();
        // A member elsewhere in the district, outside the unit admin's scope.
        let (foreign_member, other_branch): (i64, i64) = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_as(
                "SELECT m.id, m.unit_id FROM members m JOIN units u ON u.id = m.unit_id WHERE u.path NOT LIKE (SELECT path FROM units WHERE id = $1) || '%' \
                 AND u.kind = 'branch' AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = m.id) ORDER BY m.id LIMIT 1",
            )
            .bind(own["unit"]["id"].as_str().unwrap().parse::<i64>().unwrap())
            .fetch_one(&mut *db)
            .await
            .unwrap()
        };

        // The unit admin issues for their own street: every account inside it.
        let before = dump(t.app.store()).await;
        let (s, _) = post(&admin, &format!("/api/v1/units/{other_branch}/member-accounts"), json!({})).await;
        assert_eq!(s, 403, "issuing outside one's scope");
        let (s, _) = get(&admin, &format!("/api/v1/units/{other_branch}/login-slips")).await;
        assert_eq!(s, 403);
        let mut b = before.clone();
        let mut a = dump(t.app.store()).await;
        b.remove("audit_log");
        a.remove("audit_log");
        assert_eq!(a, b);

        // Linking by hand: another scope's member, a staff role, a member
        // who already has one — each refused with its field named.
        let body = |m: Value, role: &str| json!({ "username": "linked-1", "display_name": "x", "password": "Abcdefgh1", "role": role, "member_id": m });
        let (s, e) = post(&admin, "/api/v1/accounts", body(json!(foreign_member.to_string()), "member")).await;
        assert!(s == 403 || s == 404, "a member outside the scope: {s} {e}");
        let (s, e) = post(&admin, "/api/v1/accounts", body(json!(member_id), "unit_admin")).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (422, Some("member_account_role")), "{e}");
        let (s, e) = post(&admin, "/api/v1/accounts", body(json!(member_id), "member")).await;
        assert_eq!(s, 201, "{e}");
        assert_eq!(e["scope_unit"], own_branch.as_str(), "the account works where its member is: {e}");
        let (s, e) = post(&admin, "/api/v1/accounts", json!({ "username": "linked-2", "display_name": "x", "password": "Abcdefgh1", "role": "member", "member_id": member_id })).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (422, Some("member_has_account")), "{e}");

        // Signing in as that member, then the member moves: the account's
        // scope moves; the member leaves: it is disabled and signed out.
        let mut m = t.client();
        assert_eq!(m.api_login("linked-1", "Abcdefgh1").await.0, 200);
        let (_, me) = get(&m, "/api/v1/me").await;
        assert_eq!(me["scope_unit"], own_branch.as_str(), "{me}");
        let other_own: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar(
                "SELECT u.id FROM units u WHERE u.path LIKE (SELECT path FROM units WHERE id = $1) || '%' AND u.kind = 'branch' AND u.id <> $2 ORDER BY u.id LIMIT 1",
            )
            .bind(own["unit"]["id"].as_str().unwrap().parse::<i64>().unwrap())
            .bind(own_branch.parse::<i64>().unwrap())
            .fetch_one(&mut *db)
            .await
            .unwrap()
        };
        let other_own = other_own.to_string();
        let (s, e) = post(&admin, &format!("/api/v1/members/{member_id}/transfer"), json!({ "unit_id": other_own })).await;
        assert_eq!(s, 200, "{e}");
        let (_, me) = get(&m, "/api/v1/me").await;
        assert_eq!(me["scope_unit"], other_own.as_str(), "{me}");
        let (s, _) = post(&admin, &format!("/api/v1/members/{member_id}/leave"), json!({ "reason": "转出本区" })).await;
        assert_eq!(s, 204);
        let (s, _) = get(&m, "/api/v1/me").await;
        assert_eq!(s, 401, "a member off the roster is signed out");
        assert_eq!(t.client().api_login("linked-1", "Abcdefgh1").await.0, 422);

        // A forgotten password: the unit admin puts a member on a fresh slip.
        let (_, issued) = post(&admin, &format!("/api/v1/units/{own_branch}/member-accounts"), json!({})).await;
        assert!(issued["made"].as_i64().unwrap() > 0, "{issued}");
        let (_, slips) = get(&admin, &format!("/api/v1/units/{own_branch}/login-slips")).await;
        let slip = slips[0].clone();
        let mut who = t.client();
        who.api_login(slip["username"].as_str().unwrap(), slip["password"].as_str().unwrap()).await;
        post(&who, "/api/v1/me/password", json!({ "current": slip["password"], "new": "Chosen-pass-1" })).await;
        let (s, fresh) = post(&admin, &format!("/api/v1/accounts/{}/slip", slip["account"].as_str().unwrap()), json!({})).await;
        assert_eq!(s, 200, "{fresh}");
        assert_eq!(t.client().api_login(slip["username"].as_str().unwrap(), "Chosen-pass-1").await.0, 422);
        let mut again = t.client();
        assert_eq!(again.api_login(slip["username"].as_str().unwrap(), fresh["password"].as_str().unwrap()).await.0, 200);
        let (s, _) = get(&again, "/api/v1/study/me").await;
        assert_eq!(s, 403, "a fresh slip owes a new password too");
        // A staff account is never put on a slip.
        let (_, me) = get(&office, "/api/v1/me").await;
        let (s, _) = post(&admin, &format!("/api/v1/accounts/{}/slip", me["account_id"].as_str().unwrap_or("0")), json!({})).await;
        assert!(s == 403 || s == 404, "{s}");
    }
);
