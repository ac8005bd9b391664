//! Contest rows (红色故事大赛, 宣讲推荐评选): a contest of a unit, the entries
//! units below it submit, the steps each entry made up the tree, the judges
//! and their scores.

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::unit::UnitPath;

use crate::Result;

/// A contest with the unit that runs it.
#[derive(Clone, Debug, FromRow)]
pub struct ContestRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub unit_path: UnitPath,
    pub title: String,
    pub kind: String,
    pub entries_close: String,
    pub quota: i64,
    pub max_score: i64,
    pub status: String,
    pub created_at: i64,
    pub published_at: Option<i64>,
}

const CONTEST: &str = "SELECT c.id, c.unit_id, u.name AS unit_name, u.path AS unit_path, c.title, c.kind, \
    c.entries_close, c.quota, c.max_score, c.status, c.created_at, c.published_at \
    FROM contests c JOIN units u ON u.id = c.unit_id";

pub struct NewContest<'a> {
    pub id: i64,
    pub unit_id: i64,
    pub title: &'a str,
    pub kind: &'a str,
    pub entries_close: &'a str,
    pub quota: i64,
    pub max_score: i64,
    pub by: Option<i64>,
    pub now: i64,
}

pub async fn insert(conn: &mut AnyConnection, c: &NewContest<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO contests (id, unit_id, title, kind, entries_close, quota, max_score, status, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $9)",
    )
    .bind(c.id)
    .bind(c.unit_id)
    .bind(c.title)
    .bind(c.kind)
    .bind(c.entries_close)
    .bind(c.quota)
    .bind(c.max_score)
    .bind(c.by)
    .bind(c.now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<ContestRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{CONTEST} WHERE c.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The contests run by any of `units` (a unit and its ancestors), newest
/// first.
pub async fn of_units(conn: &mut AnyConnection, units: &[i64]) -> Result<Vec<ContestRow>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=units.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "{CONTEST} WHERE c.unit_id IN ({}) ORDER BY c.created_at DESC, c.id DESC",
        marks.join(", ")
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for u in units {
        q = q.bind(*u);
    }
    q.fetch_all(&mut *conn).await
}

/// Takes the contest's row for the rest of the transaction (forwards are
/// counted against the quota under it) if it is still in `status`; false
/// when it has moved on.
pub async fn hold(conn: &mut AnyConnection, id: i64, status: &str, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE contests SET updated_at = $3 WHERE id = $1 AND status = $2")
        .bind(id)
        .bind(status)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Moves a contest from one status to the next; false when it was no
/// longer in `from`.
pub async fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    from: &str,
    to: &str,
    now: i64,
) -> Result<bool> {
    let published = (to == "published").then_some(now);
    let r = sqlx::query(
        "UPDATE contests SET status = $3, updated_at = $4, published_at = COALESCE($5, published_at) \
         WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(now)
    .bind(published)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An entry without its file's bytes.
#[derive(Clone, Debug, FromRow)]
pub struct EntryRow {
    pub id: i64,
    pub contest_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub unit_path: UnitPath,
    pub at_unit_id: i64,
    pub at_unit_name: String,
    #[sqlx(try_from = "String")]
    pub at_unit_path: UnitPath,
    pub title: String,
    pub presenter: String,
    pub link: Option<String>,
    pub file_name: Option<String>,
    pub submitted_at: i64,
}

const ENTRY: &str = "SELECT e.id, e.contest_id, e.unit_id, u.name AS unit_name, u.path AS unit_path, \
    e.at_unit_id, a.name AS at_unit_name, a.path AS at_unit_path, e.title, e.presenter, e.link, e.file_name, \
    e.submitted_at FROM contest_entries e JOIN units u ON u.id = e.unit_id JOIN units a ON a.id = e.at_unit_id";

pub struct NewEntry<'a> {
    pub id: i64,
    pub contest_id: i64,
    pub unit_id: i64,
    pub title: &'a str,
    pub presenter: &'a str,
    pub link: Option<&'a str>,
    /// (name, type, bytes).
    pub file: Option<(&'a str, &'a str, &'a [u8])>,
    pub by: Option<i64>,
    pub now: i64,
}

pub async fn insert_entry(conn: &mut AnyConnection, e: &NewEntry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO contest_entries (id, contest_id, unit_id, at_unit_id, title, presenter, link, file_name, \
         file_type, file_bytes, submitted_by, submitted_at) VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(e.id)
    .bind(e.contest_id)
    .bind(e.unit_id)
    .bind(e.title)
    .bind(e.presenter)
    .bind(e.link)
    .bind(e.file.map(|f| f.0))
    .bind(e.file.map(|f| f.1))
    .bind(e.file.map(|f| f.2.to_vec()))
    .bind(e.by)
    .bind(e.now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn entry(conn: &mut AnyConnection, id: i64) -> Result<Option<EntryRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{ENTRY} WHERE e.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// A contest's entries in the order they came.
pub async fn entries(conn: &mut AnyConnection, contest: i64) -> Result<Vec<EntryRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ENTRY} WHERE e.contest_id = $1 ORDER BY e.submitted_at, e.id"
    )))
    .bind(contest)
    .fetch_all(&mut *conn)
    .await
}

#[derive(FromRow)]
struct FileRow {
    file_name: Option<String>,
    file_type: Option<String>,
    file_bytes: Option<Vec<u8>>,
}

/// An entry's file: (name, type, bytes).
pub async fn file(conn: &mut AnyConnection, id: i64) -> Result<Option<(String, String, Vec<u8>)>> {
    let row: Option<FileRow> = sqlx::query_as(
        "SELECT file_name, file_type, file_bytes FROM contest_entries WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.and_then(|r| Some((r.file_name?, r.file_type?, r.file_bytes?))))
}

/// Moves an entry up from `from` to `to` and records the step; false when
/// it no longer stands at `from`.
pub async fn forward(
    conn: &mut AnyConnection,
    contest: i64,
    entry: i64,
    from: i64,
    to: i64,
    by: Option<i64>,
    now: i64,
) -> Result<bool> {
    let r =
        sqlx::query("UPDATE contest_entries SET at_unit_id = $3 WHERE id = $1 AND at_unit_id = $2")
            .bind(entry)
            .bind(from)
            .bind(to)
            .execute(&mut *conn)
            .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO contest_forwards (entry_id, from_unit_id, to_unit_id, contest_id, forwarded_by, forwarded_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entry)
    .bind(from)
    .bind(to)
    .bind(contest)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Takes back a level's admission of an entry: it stands again at the
/// unit that put it forward, and the level's place is free. False when the
/// entry no longer stands at that level.
pub async fn withdraw(conn: &mut AnyConnection, entry: i64, from: i64, to: i64) -> Result<bool> {
    let r =
        sqlx::query("UPDATE contest_entries SET at_unit_id = $2 WHERE id = $1 AND at_unit_id = $3")
            .bind(entry)
            .bind(from)
            .bind(to)
            .execute(&mut *conn)
            .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM contest_forwards WHERE entry_id = $1 AND to_unit_id = $2")
        .bind(entry)
        .bind(to)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// How many entries a level has admitted.
pub async fn admitted(conn: &mut AnyConnection, contest: i64, level: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM contest_forwards WHERE contest_id = $1 AND to_unit_id = $2",
    )
    .bind(contest)
    .bind(level)
    .fetch_one(&mut *conn)
    .await
}

/// Every step of a contest's entries: (entry, from, to), in order.
pub async fn forwards(conn: &mut AnyConnection, contest: i64) -> Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT entry_id, from_unit_id, to_unit_id FROM contest_forwards WHERE contest_id = $1 \
         ORDER BY forwarded_at, entry_id",
    )
    .bind(contest)
    .fetch_all(&mut *conn)
    .await
}

pub async fn add_judge(conn: &mut AnyConnection, contest: i64, account: i64) -> Result<()> {
    sqlx::query("INSERT INTO contest_judges (contest_id, account_id) VALUES ($1, $2)")
        .bind(contest)
        .bind(account)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct JudgeRow {
    pub account_id: i64,
    pub display_name: String,
}

/// A contest's judges, by name.
pub async fn judges(conn: &mut AnyConnection, contest: i64) -> Result<Vec<JudgeRow>> {
    sqlx::query_as(
        "SELECT j.account_id, a.display_name FROM contest_judges j JOIN accounts a ON a.id = j.account_id \
         WHERE j.contest_id = $1 ORDER BY a.display_name, j.account_id",
    )
    .bind(contest)
    .fetch_all(&mut *conn)
    .await
}

/// Sets a judge's score of an entry (again, until publication).
pub async fn score(
    conn: &mut AnyConnection,
    entry: i64,
    judge: i64,
    points: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO contest_scores (entry_id, account_id, points, scored_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (entry_id, account_id) DO UPDATE SET points = $3, scored_at = $4",
    )
    .bind(entry)
    .bind(judge)
    .bind(points)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every score of a contest: (entry, judge, points).
pub async fn scores(conn: &mut AnyConnection, contest: i64) -> Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT s.entry_id, s.account_id, s.points FROM contest_scores s \
         JOIN contest_entries e ON e.id = s.entry_id WHERE e.contest_id = $1 ORDER BY s.entry_id, s.account_id",
    )
    .bind(contest)
    .fetch_all(&mut *conn)
    .await
}

/// An entry as a figure's row lists it.
#[derive(Clone, Debug, FromRow)]
pub struct ListedEntry {
    pub contest: String,
    pub title: String,
    pub unit: String,
    pub at_unit: String,
    pub submitted_at: i64,
}

/// A page of the entries units of a subtree submitted in `[from, to)`
/// (epoch ms), and how many there are in all.
pub async fn listed_in(
    conn: &mut AnyConnection,
    root: &UnitPath,
    (from, to): (i64, i64),
    limit: i64,
    offset: i64,
) -> Result<(Vec<ListedEntry>, i64)> {
    let (lo, hi) = root.subtree_range();
    const FROM: &str = "FROM contest_entries e JOIN units u ON u.id = e.unit_id \
        JOIN units a ON a.id = e.at_unit_id JOIN contests c ON c.id = e.contest_id \
        WHERE u.path >= $1 AND u.path < $2 AND e.submitted_at >= $3 AND e.submitted_at < $4";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {FROM}")))
        .bind(&lo)
        .bind(&hi)
        .bind(from)
        .bind(to)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT c.title AS contest, e.title, u.name AS unit, a.name AS at_unit, e.submitted_at {FROM} \
         ORDER BY e.submitted_at, e.id LIMIT {limit} OFFSET {offset}"
    )))
    .bind(&lo)
    .bind(&hi)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    Ok((rows, total))
}
