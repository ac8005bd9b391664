//! Signing in as the demo's people and talking to the API as they would:
//! member accounts made for the members a test needs, JSON posts, the
//! public window's sum solved as a visitor solves it.

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_app::Ctx;
use xueshi_app::accounts::{self, NewAccountInput};
use xueshi_domain::Id;

use crate::{Client, TestApp};

async fn root_ctx(t: &TestApp) -> Ctx {
    let mut c = t.app.store().read().await.unwrap();
    let root = xueshi_store::units::roots(&mut c).await.unwrap().remove(0);
    Ctx::system(&root.path())
}

/// Signs a member in through a new member account, or `None` when the
/// member already holds one.
pub async fn member_account(t: &TestApp, member: i64, unit: i64, username: &str) -> Option<Client> {
    let ctx = root_ctx(t).await;
    accounts::create(
        &t.app,
        &ctx,
        NewAccountInput {
            username: username.to_owned(),
            display_name: username.to_owned(),
            password: "xueshi2021".into(),
            role: "member".into(),
            scope_unit: Some(Id(unit)),
            member_id: Some(Id(member)),
            ..NewAccountInput::default()
        },
    )
    .await
    .ok()?;
    let mut c = t.client();
    assert_eq!(c.api_login(username, "xueshi2021").await.0, 200);
    Some(c)
}

/// A signed-in member of the given cadre level (`leader`, `section`,
/// `ordinary`), the `nth` of that level without an account.
pub async fn member_of(t: &TestApp, level: &str, nth: i64) -> Client {
    let (member, unit): (i64, i64) = {
        let mut c = t.app.store().read().await.unwrap();
        sqlx::query_as(
            "SELECT m.id, m.unit_id FROM members m WHERE m.cadre_level = $1 AND m.left_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = m.id) ORDER BY m.id LIMIT 1 OFFSET $2",
        )
        .bind(level)
        .bind(nth)
        .fetch_one(&mut *c)
        .await
        .unwrap()
    };
    member_account(t, member, unit, &format!("{level}{nth}"))
        .await
        .unwrap()
}

/// The error code of a refusal: its first field's, or its own.
pub fn code_of(v: &Value) -> String {
    v["fields"][0]["code"]
        .as_str()
        .or(v["code"].as_str())
        .unwrap_or("")
        .to_owned()
}

/// Posts JSON; the status and the body (`Null` when there is none).
pub async fn post(c: &Client, path: &str, body: Value) -> (u16, Value) {
    let r = c.api(Method::POST, path, Some(body)).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A fresh sum from the public window and its answer: (token, answer).
pub async fn solve(c: &Client) -> (Value, String) {
    let ch: Value = c
        .api(Method::GET, "/api/v1/public/problems/challenge", None)
        .await
        .json()
        .await
        .unwrap();
    let sum: u32 = ch["question"]
        .as_str()
        .unwrap()
        .split('+')
        .map(|n| n.trim().parse::<u32>().unwrap())
        .sum();
    (ch["token"].clone(), sum.to_string())
}

/// A visitor with its own browser token, as a new phone would have.
pub async fn visitor(t: &TestApp) -> Client {
    let mut v = t.client();
    v.page("/public/matters").await;
    v
}

/// Posts the public window's JSON with a solved sum added.
pub async fn post_solved(c: &Client, path: &str, mut body: Value) -> (u16, Value) {
    let (token, answer) = solve(c).await;
    body["challenge"] = token;
    body["answer"] = json!(answer);
    post(c, path, body).await
}

/// Reads JSON; the status and the body (`Null` when there is none).
pub async fn get(c: &Client, path: &str) -> (u16, Value) {
    let r = c.api(Method::GET, path, None).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Puts JSON; the status and the body (`Null` when there is none).
pub async fn put(c: &Client, path: &str, body: Value) -> (u16, Value) {
    let r = c.api(Method::PUT, path, Some(body)).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A refusal's fields as `field:code`, in the order named.
pub fn field_codes(v: &Value) -> Vec<String> {
    v["fields"].as_array().map_or(Vec::new(), |f| {
        f.iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["field"].as_str().unwrap_or(""),
                    e["code"].as_str().unwrap_or("")
                )
            })
            .collect()
    })
}

/// A demo account signed in over the API.
pub async fn signed_in_api(t: &TestApp, username: &str) -> Client {
    let mut c = t.client();
    assert_eq!(
        c.api_login(username, "xueshi2021").await.0,
        200,
        "{username}"
    );
    c
}
