//! Briefings: issues of the campaign's periodic papers, one row each.

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::briefing::{BriefingKind, BriefingStatus};

use crate::Result;

#[derive(Clone, Debug, FromRow)]
pub struct BriefingRow {
    pub id: i64,
    pub unit_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: BriefingKind,
    pub number: i64,
    pub period_from: String,
    pub period_to: String,
    pub remarks: String,
    /// JSON, as the app shaped it when it generated the issue.
    pub content: String,
    #[sqlx(try_from = "String")]
    pub status: BriefingStatus,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub generated_at: i64,
    pub approved_at: Option<i64>,
    pub published_at: Option<i64>,
}

const COLUMNS: &str = "id, unit_id, kind, number, period_from, period_to, remarks, content, status, \
    created_by, created_at, updated_at, generated_at, approved_at, published_at";

/// The number the next issue of `kind` for `unit` takes.
pub async fn next_number(conn: &mut AnyConnection, unit: i64, kind: BriefingKind) -> Result<i64> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(number) FROM briefings WHERE unit_id = $1 AND kind = $2")
            .bind(unit)
            .bind(kind.as_str())
            .fetch_one(&mut *conn)
            .await?;
    Ok(last.unwrap_or(0) + 1)
}

pub async fn insert(conn: &mut AnyConnection, b: &BriefingRow) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO briefings ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    )))
    .bind(b.id)
    .bind(b.unit_id)
    .bind(b.kind.as_str())
    .bind(b.number)
    .bind(&b.period_from)
    .bind(&b.period_to)
    .bind(&b.remarks)
    .bind(&b.content)
    .bind(b.status.as_str())
    .bind(b.created_by)
    .bind(b.created_at)
    .bind(b.updated_at)
    .bind(b.generated_at)
    .bind(b.approved_at)
    .bind(b.published_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<BriefingRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM briefings WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// A unit's issues, newest first.
pub async fn of_unit(conn: &mut AnyConnection, unit: i64) -> Result<Vec<BriefingRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM briefings WHERE unit_id = $1 ORDER BY created_at DESC, id DESC"
    )))
    .bind(unit)
    .fetch_all(&mut *conn)
    .await
}

/// Writes a draft's content again; a row no longer a draft is left alone
/// (returns false).
pub async fn set_content(
    conn: &mut AnyConnection,
    id: i64,
    content: &str,
    remarks: &str,
    now: i64,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE briefings SET content = $2, remarks = $3, generated_at = $4, updated_at = $4 \
         WHERE id = $1 AND status = 'draft'",
    )
    .bind(id)
    .bind(content)
    .bind(remarks)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Moves an issue from `from` to `to`, stamping when it was approved or
/// published; false when it no longer stands at `from`.
pub async fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    from: BriefingStatus,
    to: BriefingStatus,
    now: i64,
) -> Result<bool> {
    let stamp = match to {
        BriefingStatus::Approved => ", approved_at = $4",
        BriefingStatus::Published => ", published_at = $4",
        BriefingStatus::Draft => ", approved_at = NULL, updated_at = $4",
    };
    let n = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE briefings SET status = $3{stamp} WHERE id = $1 AND status = $2"
    )))
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}
