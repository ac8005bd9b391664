//! Plan rows: a campaign's implementation plans (实施方案), their versions,
//! the units each version was sent to for comment, and the comments with
//! the office's answers.

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::unit::UnitPath;

use crate::Result;

/// A plan with its campaign's unit, which writes it.
#[derive(Clone, Debug, FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub campaign_id: i64,
    pub campaign_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub unit_path: UnitPath,
    pub title: String,
    pub audience: String,
    pub created_at: i64,
}

const PLAN: &str = "SELECT p.id, p.campaign_id, c.name AS campaign_name, c.unit_id, u.name AS unit_name, \
    u.path AS unit_path, p.title, p.audience, p.created_at \
    FROM plans p JOIN campaigns c ON c.id = p.campaign_id JOIN units u ON u.id = c.unit_id";

pub async fn insert(
    conn: &mut AnyConnection,
    id: i64,
    campaign: i64,
    title: &str,
    audience: &str,
    by: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO plans (id, campaign_id, title, audience, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(campaign)
    .bind(title)
    .bind(audience)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<PlanRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{PLAN} WHERE p.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn of_campaign(conn: &mut AnyConnection, campaign: i64) -> Result<Vec<PlanRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PLAN} WHERE p.campaign_id = $1 ORDER BY p.created_at, p.id"
    )))
    .bind(campaign)
    .fetch_all(&mut *conn)
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct VersionRow {
    pub id: i64,
    pub plan_id: i64,
    pub number: i64,
    pub body: String,
    pub status: String,
    pub consult_until: Option<String>,
    pub created_at: i64,
    pub consulted_at: Option<i64>,
    pub published_at: Option<i64>,
}

const VERSION: &str = "SELECT id, plan_id, number, body, status, consult_until, created_at, consulted_at, \
    published_at FROM plan_versions";

pub async fn insert_version(
    conn: &mut AnyConnection,
    id: i64,
    plan: i64,
    number: i64,
    body: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_versions (id, plan_id, number, body, status, created_at) VALUES ($1, $2, $3, $4, 'draft', $5)",
    )
    .bind(id)
    .bind(plan)
    .bind(number)
    .bind(body)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn version(conn: &mut AnyConnection, id: i64) -> Result<Option<VersionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{VERSION} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// A plan's versions, first draft first.
pub async fn versions(conn: &mut AnyConnection, plan: i64) -> Result<Vec<VersionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VERSION} WHERE plan_id = $1 ORDER BY number"
    )))
    .bind(plan)
    .fetch_all(&mut *conn)
    .await
}

/// Rewrites a draft; false when the version is no longer a draft.
pub async fn set_body(conn: &mut AnyConnection, id: i64, body: &str) -> Result<bool> {
    let r = sqlx::query("UPDATE plan_versions SET body = $2 WHERE id = $1 AND status = 'draft'")
        .bind(id)
        .bind(body)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Sends a draft out for comment; false when it is no longer a draft.
pub async fn open_consultation(
    conn: &mut AnyConnection,
    id: i64,
    until: &str,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE plan_versions SET status = 'consultation', consult_until = $2, consulted_at = $3 \
         WHERE id = $1 AND status = 'draft'",
    )
    .bind(id)
    .bind(until)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn add_consultee(conn: &mut AnyConnection, version: i64, unit: i64) -> Result<()> {
    sqlx::query("INSERT INTO plan_consultees (version_id, unit_id) VALUES ($1, $2)")
        .bind(version)
        .bind(unit)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A unit a version was sent to.
#[derive(Clone, Debug, FromRow)]
pub struct ConsulteeRow {
    pub version_id: i64,
    pub unit_id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub path: UnitPath,
}

/// The units every version of a plan was sent to, in the tree's order.
pub async fn consultees(conn: &mut AnyConnection, plan: i64) -> Result<Vec<ConsulteeRow>> {
    sqlx::query_as(
        "SELECT pc.version_id, pc.unit_id, u.name, u.path FROM plan_consultees pc \
         JOIN plan_versions v ON v.id = pc.version_id JOIN units u ON u.id = pc.unit_id \
         WHERE v.plan_id = $1 ORDER BY v.number, u.path",
    )
    .bind(plan)
    .fetch_all(&mut *conn)
    .await
}

/// Closes the plan's versions still out for comment (a later one is
/// drafted or one is published).
pub async fn close_consultations(conn: &mut AnyConnection, plan: i64) -> Result<()> {
    sqlx::query(
        "UPDATE plan_versions SET status = 'closed' WHERE plan_id = $1 AND status IN ('consultation', 'draft')",
    )
    .bind(plan)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Publishes a version; false when it was already closed or published.
pub async fn publish(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE plan_versions SET status = 'published', published_at = $2 \
         WHERE id = $1 AND status IN ('draft', 'consultation')",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Clone, Debug, FromRow)]
pub struct CommentRow {
    pub id: i64,
    pub version_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub body: String,
    pub created_at: i64,
    pub answer: Option<String>,
    pub reason: Option<String>,
    pub answered_at: Option<i64>,
}

const COMMENT: &str = "SELECT c.id, c.version_id, c.unit_id, u.name AS unit_name, c.body, c.created_at, \
    c.answer, c.reason, c.answered_at FROM plan_comments c JOIN units u ON u.id = c.unit_id";

pub struct NewComment<'a> {
    pub id: i64,
    pub version_id: i64,
    pub unit_id: i64,
    pub body: &'a str,
    pub by: Option<i64>,
    pub now: i64,
}

pub async fn insert_comment(conn: &mut AnyConnection, c: &NewComment<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_comments (id, version_id, unit_id, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(c.id)
    .bind(c.version_id)
    .bind(c.unit_id)
    .bind(c.body)
    .bind(c.by)
    .bind(c.now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn comment(conn: &mut AnyConnection, id: i64) -> Result<Option<CommentRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{COMMENT} WHERE c.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// Every comment on a plan's versions, in the order they came.
pub async fn comments(conn: &mut AnyConnection, plan: i64) -> Result<Vec<CommentRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COMMENT} JOIN plan_versions v ON v.id = c.version_id WHERE v.plan_id = $1 ORDER BY c.created_at, c.id"
    )))
    .bind(plan)
    .fetch_all(&mut *conn)
    .await
}

pub async fn answer(
    conn: &mut AnyConnection,
    id: i64,
    answer: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE plan_comments SET answer = $2, reason = $3, answered_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(answer)
    .bind(reason)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A version out for comment to a unit.
#[derive(Clone, Debug, FromRow)]
pub struct AwaitingRow {
    pub plan_id: i64,
    pub title: String,
    pub number: i64,
    pub consult_until: Option<String>,
}

/// The versions out for comment to a unit, soonest due first.
pub async fn awaiting(conn: &mut AnyConnection, unit: i64) -> Result<Vec<AwaitingRow>> {
    sqlx::query_as(
        "SELECT p.id AS plan_id, p.title, v.number, v.consult_until FROM plan_consultees pc \
         JOIN plan_versions v ON v.id = pc.version_id JOIN plans p ON p.id = v.plan_id \
         WHERE pc.unit_id = $1 AND v.status = 'consultation' ORDER BY v.consult_until, p.id",
    )
    .bind(unit)
    .fetch_all(&mut *conn)
    .await
}
