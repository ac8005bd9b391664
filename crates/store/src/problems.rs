//! Problems raised by the public (`problems`).

use std::collections::HashMap;

use sqlx::{AnyConnection, FromRow};

use crate::bulk::{Value, insert_rows};

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

/// Stores new problems, many per statement.
pub async fn insert_many(conn: &mut AnyConnection, rows: &[ProblemRow]) -> Result<()> {
    let values = rows
        .iter()
        .map(|p| {
            vec![
                Value::from(p.id),
                Value::from(p.code.as_str()),
                Value::from(p.unit_id),
                Value::from(p.area.as_str()),
                Value::from(p.body.as_str()),
                Value::from(p.fingerprint.as_str()),
                Value::from(p.contact_masked.as_str()),
                Value::from(p.contact_sealed.clone()),
                Value::from(p.photo.clone()),
                Value::from(p.photo_type.as_str()),
                Value::from(p.reports),
                Value::from(p.status.as_str()),
                Value::from(p.reason.as_str()),
                Value::from(p.created_at),
                Value::from(p.updated_at),
            ]
        })
        .collect();
    let columns: Vec<&str> = COLUMNS.split(',').map(str::trim).collect();
    insert_rows(conn, "problems", &columns, values, "").await?;
    Ok(())
}

/// For each fingerprint, the earliest problem with it raised since `since`
/// and not turned down: the one a repeat report folds into. (fingerprint →
/// (id, code))
pub async fn open_with_fingerprints(
    conn: &mut AnyConnection,
    fingerprints: &[String],
    since: i64,
) -> Result<HashMap<String, (i64, String)>> {
    let mut out: HashMap<String, (i64, String)> = HashMap::new();
    let mut distinct: Vec<&String> = fingerprints.iter().collect();
    distinct.sort();
    distinct.dedup();
    for chunk in distinct.chunks(500) {
        let list = crate::units::placeholders(2, chunk.len());
        let mut q = sqlx::query_as::<_, (String, i64, String)>(sqlx::AssertSqlSafe(format!(
            "SELECT fingerprint, id, code FROM problems WHERE fingerprint IN ({list}) AND created_at >= $1 \
             AND status <> 'rejected' ORDER BY created_at DESC, id DESC"
        )))
        .bind(since);
        for f in chunk {
            q = q.bind((*f).clone());
        }
        // Newest first, so the earliest of each is the one left.
        for (f, id, code) in q.fetch_all(&mut *conn).await? {
            out.insert(f, (id, code));
        }
    }
    Ok(out)
}

/// More reports of problems already raised: (problem → how many more).
pub async fn add_reports(
    conn: &mut AnyConnection,
    more: &HashMap<i64, i64>,
    now: i64,
) -> Result<()> {
    for (id, n) in more {
        sqlx::query("UPDATE problems SET reports = reports + $2, updated_at = $3 WHERE id = $1")
            .bind(*id)
            .bind(*n)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
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
