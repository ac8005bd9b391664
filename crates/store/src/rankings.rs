//! Rankings: the office's rules, one row each, and the rows a ranking
//! reads beyond the counters — its peers, the matters due in its period and
//! the public's verdicts on them.

use sqlx::{AnyConnection, FromRow, Row};
use xueshi_domain::unit::{UnitKind, UnitPath};

use crate::Result;
use crate::units::{COLUMNS as UNIT_COLUMNS, UnitRow};

#[derive(Clone, Debug, FromRow)]
pub struct RankingRow {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub depth: i64,
    pub peer_kind: Option<String>,
    pub period_from: String,
    pub period_to: String,
    /// JSON, as the app checked it.
    pub terms: String,
    pub bottom: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, unit_id, name, depth, peer_kind, period_from, period_to, terms, bottom, created_by, created_at";

pub async fn insert(conn: &mut AnyConnection, r: &RankingRow) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO rankings ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )))
    .bind(r.id)
    .bind(r.unit_id)
    .bind(&r.name)
    .bind(r.depth)
    .bind(r.peer_kind.clone())
    .bind(&r.period_from)
    .bind(&r.period_to)
    .bind(&r.terms)
    .bind(r.bottom)
    .bind(r.created_by)
    .bind(r.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<RankingRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM rankings WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// A unit's rankings, newest first.
pub async fn of_unit(conn: &mut AnyConnection, unit: i64) -> Result<Vec<RankingRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM rankings WHERE unit_id = $1 ORDER BY created_at DESC, id DESC"
    )))
    .bind(unit)
    .fetch_all(&mut *conn)
    .await
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    let n = sqlx::query("DELETE FROM rankings WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// The units `depth` levels below `root` (of `kind` if given), in tree
/// order, at most `limit`.
pub async fn peers(
    conn: &mut AnyConnection,
    root: &UnitPath,
    depth: i64,
    kind: Option<UnitKind>,
    limit: i64,
) -> Result<Vec<UnitRow>> {
    let (lo, hi) = root.subtree_range();
    let kind_cond = if kind.is_some() { " AND kind = $5" } else { "" };
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {UNIT_COLUMNS} FROM units WHERE path >= $1 AND path < $2 AND depth = $3{kind_cond} \
         ORDER BY path LIMIT $4"
    )))
    .bind(lo)
    .bind(hi)
    .bind(root.depth() + depth)
    .bind(limit);
    if let Some(k) = kind {
        q = q.bind(k.as_str());
    }
    q.fetch_all(&mut *conn).await
}

/// A matter due in a ranking's period: where it stands and whether its
/// history carries a photo.
#[derive(Clone, Debug)]
pub struct MatterDue {
    pub unit_path: String,
    pub deadline: String,
    pub done: bool,
    pub finished_at: Option<i64>,
    pub photos: bool,
}

/// The matters under `root`, not dropped, due between two days (both
/// included).
pub async fn matters_due(
    conn: &mut AnyConnection,
    root: &UnitPath,
    from: &str,
    to: &str,
) -> Result<Vec<MatterDue>> {
    let (lo, hi) = root.subtree_range();
    let rows = sqlx::query(
        "SELECT u.path, m.deadline, m.status, m.finished_at, \
         CASE WHEN EXISTS (SELECT 1 FROM matter_photos p WHERE p.matter_id = m.id) THEN 1 ELSE 0 END \
         FROM matters m JOIN units u ON u.id = m.unit_id \
         WHERE u.path >= $1 AND u.path < $2 AND m.status <> 'dropped' \
         AND m.deadline >= $3 AND m.deadline <= $4",
    )
    .bind(lo)
    .bind(hi)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MatterDue {
                unit_path: r.try_get(0)?,
                deadline: r.try_get(1)?,
                done: r.try_get::<String, _>(2)? == "done",
                finished_at: r.try_get(3)?,
                photos: r.try_get::<i64, _>(4)? == 1,
            })
        })
        .collect()
}

/// The public's verdicts given between two instants (epoch ms, `from`
/// included, `to` not) on the finished matters under `root`, per
/// responsible unit: (unit path, 满意, all).
pub async fn verdicts(
    conn: &mut AnyConnection,
    root: &UnitPath,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(String, i64, i64)>> {
    let (lo, hi) = root.subtree_range();
    sqlx::query_as(
        "SELECT u.path, CAST(SUM(CASE WHEN r.rating = 'satisfied' THEN 1 ELSE 0 END) AS BIGINT), COUNT(*) \
         FROM matter_ratings r JOIN matters m ON m.id = r.matter_id JOIN units u ON u.id = m.unit_id \
         WHERE u.path >= $1 AND u.path < $2 AND m.status = 'done' AND r.round = m.round \
         AND r.at >= $3 AND r.at < $4 GROUP BY u.path",
    )
    .bind(lo)
    .bind(hi)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(&mut *conn)
    .await
}
