//! Webhook rows: each unit's group robot and the outbox of messages to it.

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::unit::UnitPath;

use crate::Result;

#[derive(Clone, Debug, FromRow)]
pub struct WebhookRow {
    pub unit_id: i64,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub unit_path: UnitPath,
    pub url: String,
    pub enabled: i64,
    pub digest_on: Option<String>,
    pub updated_at: i64,
}

const WEBHOOK: &str = "SELECT w.unit_id, u.name AS unit_name, u.path AS unit_path, w.url, w.enabled, w.digest_on, \
    w.updated_at FROM unit_webhooks w JOIN units u ON u.id = w.unit_id";

pub async fn get(conn: &mut AnyConnection, unit: i64) -> Result<Option<WebhookRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{WEBHOOK} WHERE w.unit_id = $1"
    )))
    .bind(unit)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn set(
    conn: &mut AnyConnection,
    unit: i64,
    url: &str,
    enabled: bool,
    now: i64,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE unit_webhooks SET url = $2, enabled = $3, updated_at = $4 WHERE unit_id = $1",
    )
    .bind(unit)
    .bind(url)
    .bind(i64::from(enabled))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO unit_webhooks (unit_id, url, enabled, updated_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(unit)
        .bind(url)
        .bind(i64::from(enabled))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The robots switched on at the units of `ids` (a path's ancestors, say).
pub async fn enabled_at(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<WebhookRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::units::placeholders(1, ids.len());
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{WEBHOOK} WHERE w.enabled = 1 AND w.unit_id IN ({list}) ORDER BY u.path"
    )));
    for i in ids {
        q = q.bind(*i);
    }
    q.fetch_all(&mut *conn).await
}

/// Every robot switched on, for the daily digest.
pub async fn all_enabled(conn: &mut AnyConnection) -> Result<Vec<WebhookRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{WEBHOOK} WHERE w.enabled = 1 ORDER BY u.path"
    )))
    .fetch_all(&mut *conn)
    .await
}

/// Marks the day's digest as made; false when it already was.
pub async fn mark_digest(conn: &mut AnyConnection, unit: i64, day: &str) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE unit_webhooks SET digest_on = $2 WHERE unit_id = $1 AND (digest_on IS NULL OR digest_on < $2)",
    )
    .bind(unit)
    .bind(day)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn enqueue(
    conn: &mut AnyConnection,
    id: i64,
    unit: i64,
    content: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO webhook_outbox (id, unit_id, content, created_at, next_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(id)
    .bind(unit)
    .bind(content)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub unit_id: i64,
    pub content: String,
    pub created_at: i64,
    pub attempts: i64,
    pub next_at: i64,
    pub sent_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub last_error: Option<String>,
}

const OUTBOX: &str = "SELECT id, unit_id, content, created_at, attempts, next_at, sent_at, failed_at, last_error \
    FROM webhook_outbox";

/// Messages due to be tried, oldest first.
pub async fn due(conn: &mut AnyConnection, now: i64, limit: i64) -> Result<Vec<OutboxRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{OUTBOX} WHERE sent_at IS NULL AND failed_at IS NULL AND next_at <= $1 ORDER BY next_at, id LIMIT {limit}"
    )))
    .bind(now)
    .fetch_all(&mut *conn)
    .await
}

/// A unit's latest messages.
pub async fn recent(conn: &mut AnyConnection, unit: i64, limit: i64) -> Result<Vec<OutboxRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{OUTBOX} WHERE unit_id = $1 ORDER BY created_at DESC, id DESC LIMIT {limit}"
    )))
    .bind(unit)
    .fetch_all(&mut *conn)
    .await
}

pub async fn mark_sent(conn: &mut AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE webhook_outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a failed attempt: tried again at `next_at`, or given up.
pub async fn mark_failed(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    next_at: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = $2, \
         next_at = COALESCE($3, next_at), failed_at = CASE WHEN $3 IS NULL THEN $4 ELSE NULL END WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(next_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
