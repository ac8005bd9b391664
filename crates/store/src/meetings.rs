//! Meeting rows: the 专题组织生活会 and 民主生活会 each unit records, their
//! rectification items, and who has not held one by a day.

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::unit::UnitPath;

use crate::Result;

#[derive(Clone, Debug, FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub unit_path: UnitPath,
    pub kind: String,
    pub held_on: String,
    pub attendance: i64,
    pub members: i64,
    pub topics: String,
    pub created_at: i64,
}

const MEETING: &str = "SELECT m.id, m.unit_id, u.name AS unit_name, u.path AS unit_path, m.kind, m.held_on, \
    m.attendance, m.members, m.topics, m.created_at FROM meetings m JOIN units u ON u.id = m.unit_id";

#[derive(Clone, Debug)]
pub struct NewMeeting<'a> {
    pub id: i64,
    pub unit_id: i64,
    pub kind: &'a str,
    pub held_on: &'a str,
    pub attendance: i64,
    pub members: i64,
    pub topics: &'a str,
    pub created_by: Option<i64>,
    pub now: i64,
}

pub async fn insert(conn: &mut AnyConnection, m: &NewMeeting<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO meetings (id, unit_id, kind, held_on, attendance, members, topics, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(m.id)
    .bind(m.unit_id)
    .bind(m.kind)
    .bind(m.held_on)
    .bind(m.attendance)
    .bind(m.members)
    .bind(m.topics)
    .bind(m.created_by)
    .bind(m.now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub meeting_id: i64,
    pub problem: String,
    pub measure: String,
    pub due_on: Option<String>,
    pub done_at: Option<i64>,
    pub sort_order: i64,
}

pub async fn insert_item(conn: &mut AnyConnection, i: &ItemRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO meeting_items (id, meeting_id, problem, measure, due_on, done_at, sort_order) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(i.id)
    .bind(i.meeting_id)
    .bind(&i.problem)
    .bind(&i.measure)
    .bind(i.due_on.as_deref())
    .bind(i.done_at)
    .bind(i.sort_order)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks a rectification item done; false when it was already.
pub async fn item_done(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE meeting_items SET done_at = $2 WHERE id = $1 AND done_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn item(conn: &mut AnyConnection, id: i64) -> Result<Option<ItemRow>> {
    sqlx::query_as(
        "SELECT id, meeting_id, problem, measure, due_on, done_at, sort_order FROM meeting_items WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<MeetingRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{MEETING} WHERE m.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn items(conn: &mut AnyConnection, meeting: i64) -> Result<Vec<ItemRow>> {
    sqlx::query_as(
        "SELECT id, meeting_id, problem, measure, due_on, done_at, sort_order FROM meeting_items \
         WHERE meeting_id = $1 ORDER BY sort_order, id",
    )
    .bind(meeting)
    .fetch_all(&mut *conn)
    .await
}

/// A unit's own meetings, latest first.
pub async fn of_unit(conn: &mut AnyConnection, unit: i64) -> Result<Vec<MeetingRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MEETING} WHERE m.unit_id = $1 ORDER BY m.held_on DESC, m.id DESC"
    )))
    .bind(unit)
    .fetch_all(&mut *conn)
    .await
}

/// A unit (one that holds members) of a subtree and whether it held a
/// meeting of a kind by a day.
#[derive(Clone, Debug, FromRow)]
pub struct HeldRow {
    pub unit_id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub path: UnitPath,
    /// The first such meeting's id, if any.
    pub meeting_id: Option<i64>,
}

/// Every unit of a subtree that holds members — the 党支部, 党总支 and
/// temporary branches that must hold one — with its first meeting of
/// `kind` held on or before `by`.
pub async fn held_by(
    conn: &mut AnyConnection,
    root: &UnitPath,
    kind: &str,
    by: &str,
) -> Result<Vec<HeldRow>> {
    let (lo, hi) = root.subtree_range();
    sqlx::query_as(
        "SELECT u.id AS unit_id, u.name, u.path, \
         (SELECT MIN(m.id) FROM meetings m WHERE m.unit_id = u.id AND m.kind = $3 AND m.held_on <= $4) AS meeting_id \
         FROM units u WHERE u.path >= $1 AND u.path < $2 \
         AND u.kind IN ('branch', 'general_branch', 'temporary_branch') ORDER BY u.path",
    )
    .bind(lo)
    .bind(hi)
    .bind(kind)
    .bind(by)
    .fetch_all(&mut *conn)
    .await
}

pub async fn unit_has_meetings(conn: &mut AnyConnection, unit: i64) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM meetings WHERE unit_id = $1 LIMIT 1")
            .bind(unit)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// A meeting as a figure's row lists it.
#[derive(Clone, Debug, FromRow)]
pub struct ListedMeeting {
    pub unit: String,
    pub held_on: String,
    pub attendance: i64,
    pub members: i64,
}

/// A page of the meetings of a kind held in a subtree between two days
/// (both included), and how many there are in all.
pub async fn listed_in(
    conn: &mut AnyConnection,
    root: &UnitPath,
    kind: &str,
    (from, to): (&str, &str),
    limit: i64,
    offset: i64,
) -> Result<(Vec<ListedMeeting>, i64)> {
    let (lo, hi) = root.subtree_range();
    const FROM: &str = "FROM meetings m JOIN units u ON u.id = m.unit_id \
        WHERE u.path >= $1 AND u.path < $2 AND m.kind = $3 AND m.held_on >= $4 AND m.held_on <= $5";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {FROM}")))
        .bind(&lo)
        .bind(&hi)
        .bind(kind)
        .bind(from)
        .bind(to)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT u.name AS unit, m.held_on, m.attendance, m.members {FROM} \
         ORDER BY m.held_on, u.path, m.id LIMIT {limit} OFFSET {offset}"
    )))
    .bind(&lo)
    .bind(&hi)
    .bind(kind)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    Ok((rows, total))
}
