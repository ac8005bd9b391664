//! Problems raised by the public (`problems`).

use sqlx::{AnyConnection, FromRow};

use crate::Result;

#[derive(Clone, Debug, FromRow)]
pub struct ProblemRow {
    pub id: i64,
    pub code: String,
    pub unit_id: Option<i64>,
    pub area: String,
    pub body: String,
    pub fingerprint: String,
    pub contact_masked: String,
    pub contact_sealed: Option<Vec<u8>>,
    pub photo: Option<Vec<u8>>,
    pub photo_type: String,
    pub reports: i64,
    pub status: String,
    pub reason: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, code, unit_id, area, body, fingerprint, contact_masked, contact_sealed, photo, \
                       photo_type, reports, status, reason, created_at, updated_at";

pub async fn insert(conn: &mut AnyConnection, p: &ProblemRow) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO problems ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    )))
    .bind(p.id)
    .bind(&p.code)
    .bind(p.unit_id)
    .bind(&p.area)
    .bind(&p.body)
    .bind(&p.fingerprint)
    .bind(&p.contact_masked)
    .bind(p.contact_sealed.clone())
    .bind(p.photo.clone())
    .bind(&p.photo_type)
    .bind(p.reports)
    .bind(&p.status)
    .bind(&p.reason)
    .bind(p.created_at)
    .bind(p.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The earliest problem with this fingerprint raised since `since` and not
/// turned down: the one a repeat report folds into.
pub async fn open_with_fingerprint(
    conn: &mut AnyConnection,
    fingerprint: &str,
    since: i64,
) -> Result<Option<(i64, String)>> {
    sqlx::query_as(
        "SELECT id, code FROM problems WHERE fingerprint = $1 AND created_at >= $2 AND status <> 'rejected' \
         ORDER BY created_at, id LIMIT 1",
    )
    .bind(fingerprint)
    .bind(since)
    .fetch_optional(&mut *conn)
    .await
}

/// One more report of a problem already raised.
pub async fn add_report(conn: &mut AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE problems SET reports = reports + 1, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn by_code(conn: &mut AnyConnection, code: &str) -> Result<Option<ProblemRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM problems WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM problems")
        .fetch_one(&mut *conn)
        .await
}

/// A problem as the triage queue lists it (no photo bytes).
#[derive(Clone, Debug, FromRow)]
pub struct QueuedRow {
    pub code: String,
    pub area: String,
    pub body: String,
    pub contact_masked: String,
    pub has_photo: i64,
    pub reports: i64,
    pub created_at: i64,
}

/// Problems waiting for triage, oldest first, with how many wait.
pub async fn queue(
    conn: &mut AnyConnection,
    limit: i64,
    offset: i64,
) -> Result<(Vec<QueuedRow>, i64)> {
    let rows = sqlx::query_as(
        "SELECT code, area, body, contact_masked, CASE WHEN photo IS NULL THEN 0 ELSE 1 END AS has_photo, \
         reports, created_at FROM problems WHERE status = 'new' ORDER BY created_at, id LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM problems WHERE status = 'new'")
        .fetch_one(&mut *conn)
        .await?;
    Ok((rows, total))
}
