//! Task rows: the kinds, the tasks a unit sets, their assignments to target
//! units, the events on them, followers, and the completion counters
//! (`task_tally`) over each unit's subtree. Callers pass one delta per
//! ancestor, as with `study_daily`.

use std::collections::HashMap;

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::unit::UnitPath;

use crate::Result;
use crate::bulk::{Value, insert_rows};
use crate::units::placeholders;

#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct TaskKindRow {
    pub code: String,
    pub name: String,
    pub mandated: i64,
    pub sort_order: i64,
}

/// Adds kinds that are not there yet.
pub async fn add_kinds(conn: &mut AnyConnection, kinds: &[(&str, &str, bool)]) -> Result<()> {
    for (i, (code, name, mandated)) in kinds.iter().enumerate() {
        sqlx::query(
            "INSERT INTO task_kinds (code, name, mandated, sort_order) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(*code)
        .bind(*name)
        .bind(i64::from(*mandated))
        .bind(i as i64 + 1)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn kinds(conn: &mut AnyConnection) -> Result<Vec<TaskKindRow>> {
    sqlx::query_as(
        "SELECT code, name, mandated, sort_order FROM task_kinds ORDER BY sort_order, code",
    )
    .fetch_all(&mut *conn)
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub campaign_id: i64,
    pub unit_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub lead_unit_id: Option<i64>,
    pub co_units: String,
    pub organ_id: Option<i64>,
    pub deadline: String,
    pub target_unit_id: i64,
    pub target_kinds: String,
    pub evidence: String,
    pub status: String,
    pub published_at: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

const TASK: &str = "SELECT id, campaign_id, unit_id, kind, title, body, lead_unit_id, co_units, organ_id, deadline, \
    target_unit_id, target_kinds, evidence, status, published_at, created_by, created_at FROM tasks";

pub async fn insert(conn: &mut AnyConnection, t: &TaskRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO tasks (id, campaign_id, unit_id, kind, title, body, lead_unit_id, co_units, organ_id, deadline, \
         target_unit_id, target_kinds, evidence, status, published_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(t.id)
    .bind(t.campaign_id)
    .bind(t.unit_id)
    .bind(&t.kind)
    .bind(&t.title)
    .bind(&t.body)
    .bind(t.lead_unit_id)
    .bind(&t.co_units)
    .bind(t.organ_id)
    .bind(&t.deadline)
    .bind(t.target_unit_id)
    .bind(&t.target_kinds)
    .bind(&t.evidence)
    .bind(&t.status)
    .bind(t.published_at)
    .bind(t.created_by)
    .bind(t.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rewrites a draft task's fields.
pub async fn update(conn: &mut AnyConnection, t: &TaskRow) -> Result<()> {
    sqlx::query(
        "UPDATE tasks SET kind = $2, title = $3, body = $4, lead_unit_id = $5, co_units = $6, organ_id = $7, \
         deadline = $8, target_unit_id = $9, target_kinds = $10, evidence = $11 WHERE id = $1 AND status = 'draft'",
    )
    .bind(t.id)
    .bind(&t.kind)
    .bind(&t.title)
    .bind(&t.body)
    .bind(t.lead_unit_id)
    .bind(&t.co_units)
    .bind(t.organ_id)
    .bind(&t.deadline)
    .bind(t.target_unit_id)
    .bind(&t.target_kinds)
    .bind(&t.evidence)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks a draft published; false when it was not a draft any more.
pub async fn mark_published(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE tasks SET status = 'published', published_at = $2 WHERE id = $1 AND status = 'draft'")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<TaskRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{TASK} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The tasks a unit set, by deadline.
pub async fn set_by(conn: &mut AnyConnection, unit: i64) -> Result<Vec<TaskRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TASK} WHERE unit_id = $1 ORDER BY deadline, id"
    )))
    .bind(unit)
    .fetch_all(&mut *conn)
    .await
}

pub async fn many(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<TaskRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let list = placeholders(1, chunk.len());
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!("{TASK} WHERE id IN ({list})")));
        for id in chunk {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// Published tasks still running (deadline today or later), for units
/// added after they went out.
pub async fn published_live(conn: &mut AnyConnection, today: &str) -> Result<Vec<TaskRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TASK} WHERE status = 'published' AND deadline >= $1"
    )))
    .bind(today)
    .fetch_all(&mut *conn)
    .await
}

/// A unit that a task targets: its id, path and kind.
#[derive(Clone, Debug, FromRow)]
pub struct Target {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub path: UnitPath,
}

/// The units of a subtree of the given kinds (all kinds when empty).
pub async fn targets(
    conn: &mut AnyConnection,
    root: &UnitPath,
    kinds: &[&str],
) -> Result<Vec<Target>> {
    let (lo, hi) = root.subtree_range();
    let filter = if kinds.is_empty() {
        String::new()
    } else {
        format!(" AND kind IN ({})", placeholders(3, kinds.len()))
    };
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, path FROM units WHERE path >= $1 AND path < $2{filter} ORDER BY path"
    )))
    .bind(lo)
    .bind(hi);
    for k in kinds {
        q = q.bind(*k);
    }
    q.fetch_all(&mut *conn).await
}

/// A new assignment.
#[derive(Clone, Debug)]
pub struct NewAssignment {
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub due_on: String,
}

/// Inserts assignments many to a statement; an assignment the unit already
/// holds is left as it is. Returns how many were written.
pub async fn insert_assignments(
    conn: &mut AnyConnection,
    rows: &[NewAssignment],
    now: i64,
) -> Result<u64> {
    let values = rows
        .iter()
        .map(|a| {
            vec![
                Value::from(a.id),
                Value::from(a.task_id),
                Value::from(a.unit_id),
                Value::from(a.due_on.as_str()),
                Value::from("open"),
                Value::from(now),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "task_assignments",
        &["id", "task_id", "unit_id", "due_on", "status", "updated_at"],
        values,
        "ON CONFLICT (unit_id, task_id) DO NOTHING",
    )
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct AssignmentRow {
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub unit_path: UnitPath,
    pub due_on: String,
    pub status: String,
    pub extensions: i64,
    pub done_at: Option<i64>,
    pub late: i64,
    pub note: String,
    pub attendance: Option<i64>,
    pub link: Option<String>,
    pub file_name: Option<String>,
    pub file_type: Option<String>,
    pub updated_at: i64,
}

const ASSIGNMENT: &str = "SELECT a.id, a.task_id, a.unit_id, u.name AS unit_name, u.path AS unit_path, a.due_on, \
    a.status, a.extensions, a.done_at, a.late, a.note, a.attendance, a.link, a.file_name, a.file_type, a.updated_at \
    FROM task_assignments a JOIN units u ON u.id = a.unit_id";

pub async fn assignment(conn: &mut AnyConnection, id: i64) -> Result<Option<AssignmentRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{ASSIGNMENT} WHERE a.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// A unit's own assignments of published tasks, soonest due first.
pub async fn of_unit(conn: &mut AnyConnection, unit: i64) -> Result<Vec<AssignmentRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ASSIGNMENT} WHERE a.unit_id = $1 ORDER BY a.status = 'done', a.due_on, a.id"
    )))
    .bind(unit)
    .fetch_all(&mut *conn)
    .await
}

/// A task's assignments within a subtree, either those still owing it
/// (soonest due first, by place in the tree) or those reported (latest
/// first).
pub async fn in_subtree(
    conn: &mut AnyConnection,
    task: i64,
    root: &UnitPath,
    done: bool,
    limit: i64,
) -> Result<Vec<AssignmentRow>> {
    let (lo, hi) = root.subtree_range();
    let (status, order) = if done {
        ("a.status = 'done'", "a.done_at DESC")
    } else {
        ("a.status <> 'done'", "a.due_on, u.path")
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ASSIGNMENT} WHERE a.task_id = $1 AND {status} AND u.path >= $2 AND u.path < $3 ORDER BY {order} LIMIT $4"
    )))
    .bind(task)
    .bind(lo)
    .bind(hi)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// What a completion report carries.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub note: String,
    pub attendance: Option<i64>,
    pub link: Option<String>,
    pub file: Option<(String, String, Vec<u8>)>,
}

/// Marks an open or returned assignment done; false when it was done
/// already (a report sent twice).
pub async fn mark_done(
    conn: &mut AnyConnection,
    id: i64,
    r: &Report,
    late: bool,
    by: i64,
    now: i64,
) -> Result<bool> {
    let (name, kind, bytes) = match &r.file {
        Some((n, k, b)) => (Some(n.as_str()), Some(k.as_str()), Some(b.clone())),
        None => (None, None, None),
    };
    let res = sqlx::query(
        "UPDATE task_assignments SET status = 'done', done_at = $2, late = $3, note = $4, attendance = $5, link = $6, \
         file_name = $7, file_type = $8, file_bytes = $9, reported_by = $10, updated_at = $2 \
         WHERE id = $1 AND status <> 'done'",
    )
    .bind(id)
    .bind(now)
    .bind(i64::from(late))
    .bind(&r.note)
    .bind(r.attendance)
    .bind(r.link.as_deref())
    .bind(name)
    .bind(kind)
    .bind(bytes)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Sends a done assignment back; false when it was not done.
pub async fn mark_returned(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE task_assignments SET status = 'returned', done_at = NULL, late = 0, updated_at = $2 \
         WHERE id = $1 AND status = 'done'",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Moves a not-done assignment's deadline; false when it is done.
pub async fn extend(conn: &mut AnyConnection, id: i64, due_on: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE task_assignments SET due_on = $2, extensions = extensions + 1, updated_at = $3 \
         WHERE id = $1 AND status <> 'done'",
    )
    .bind(id)
    .bind(due_on)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An assignment's evidence document or photo as kept.
#[derive(Clone, Debug, FromRow)]
struct FileRow {
    file_name: Option<String>,
    file_type: Option<String>,
    file_bytes: Option<Vec<u8>>,
}

/// The evidence file of an assignment: (name, type, bytes).
pub async fn file(conn: &mut AnyConnection, id: i64) -> Result<Option<(String, String, Vec<u8>)>> {
    let row: Option<FileRow> = sqlx::query_as(
        "SELECT file_name, file_type, file_bytes FROM task_assignments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.and_then(|r| Some((r.file_name?, r.file_type?, r.file_bytes?))))
}

#[derive(Clone, Debug, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub task_id: i64,
    pub assignment_id: Option<i64>,
    pub kind: String,
    pub body: String,
    pub due_on: Option<String>,
    pub account_id: Option<i64>,
    pub actor_name: String,
    pub created_at: i64,
}

pub async fn insert_event(conn: &mut AnyConnection, e: &EventRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO task_events (id, task_id, assignment_id, kind, body, due_on, account_id, actor_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(e.id)
    .bind(e.task_id)
    .bind(e.assignment_id)
    .bind(&e.kind)
    .bind(&e.body)
    .bind(e.due_on.as_deref())
    .bind(e.account_id)
    .bind(&e.actor_name)
    .bind(e.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A task's comments (批示), oldest first.
pub async fn comments(conn: &mut AnyConnection, task: i64) -> Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT id, task_id, assignment_id, kind, body, due_on, account_id, actor_name, created_at FROM task_events \
         WHERE task_id = $1 AND kind = 'comment' ORDER BY created_at, id",
    )
    .bind(task)
    .fetch_all(&mut *conn)
    .await
}

/// An assignment's history, oldest first.
pub async fn history(conn: &mut AnyConnection, assignment: i64) -> Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT id, task_id, assignment_id, kind, body, due_on, account_id, actor_name, created_at FROM task_events \
         WHERE assignment_id = $1 ORDER BY created_at, id",
    )
    .bind(assignment)
    .fetch_all(&mut *conn)
    .await
}

pub async fn follow(conn: &mut AnyConnection, task: i64, account: i64, on: bool) -> Result<()> {
    let sql = if on {
        "INSERT INTO task_follows (task_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM task_follows WHERE task_id = $1 AND account_id = $2"
    };
    sqlx::query(sql)
        .bind(task)
        .bind(account)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn follows(conn: &mut AnyConnection, task: i64, account: i64) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM task_follows WHERE task_id = $1 AND account_id = $2")
            .bind(task)
            .bind(account)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// A counter's key: unit, task, deadline.
pub type TallyKey = (i64, i64, String);

/// Changes to one counter row: assigned, done, late.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TallyDelta {
    pub assigned: i64,
    pub done: i64,
    pub late: i64,
}

impl TallyDelta {
    fn is_zero(&self) -> bool {
        self.assigned == 0 && self.done == 0 && self.late == 0
    }
}

/// Adds deltas to the counters, creating rows as needed.
pub async fn add_tally(
    conn: &mut AnyConnection,
    deltas: &HashMap<TallyKey, TallyDelta>,
) -> Result<()> {
    let mut sorted: Vec<(&TallyKey, &TallyDelta)> =
        deltas.iter().filter(|(_, d)| !d.is_zero()).collect();
    if sorted.is_empty() {
        return Ok(());
    }
    // A stable order keeps concurrent PostgreSQL writers from deadlocking.
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let rows = sorted
        .into_iter()
        .map(|((unit, task, due), d)| {
            vec![
                Value::from(*unit),
                Value::from(*task),
                Value::from(due.as_str()),
                Value::from(d.assigned),
                Value::from(d.done),
                Value::from(d.late),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "task_tally",
        &["unit_id", "task_id", "due_on", "assigned", "done", "late"],
        rows,
        "ON CONFLICT (unit_id, task_id, due_on) DO UPDATE SET assigned = task_tally.assigned + excluded.assigned, \
         done = task_tally.done + excluded.done, late = task_tally.late + excluded.late",
    )
    .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct TallyRow {
    pub unit_id: i64,
    pub task_id: i64,
    pub due_on: String,
    pub assigned: i64,
    pub done: i64,
    pub late: i64,
}

/// The counters of some units, every task.
pub async fn tally_of_units(conn: &mut AnyConnection, units: &[i64]) -> Result<Vec<TallyRow>> {
    let mut out = Vec::new();
    for chunk in units.chunks(500) {
        let list = placeholders(1, chunk.len());
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT unit_id, task_id, due_on, assigned, done, late FROM task_tally WHERE unit_id IN ({list}) \
             AND assigned <> 0"
        )));
        for u in chunk {
            q = q.bind(*u);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// Every counter, for `xueshi check`.
pub async fn all_tally(conn: &mut AnyConnection) -> Result<Vec<TallyRow>> {
    sqlx::query_as(
        "SELECT unit_id, task_id, due_on, assigned, done, late FROM task_tally \
         WHERE assigned <> 0 OR done <> 0 OR late <> 0",
    )
    .fetch_all(&mut *conn)
    .await
}

/// Every assignment with its unit's path, for recounting.
pub async fn all_assignments(
    conn: &mut AnyConnection,
) -> Result<Vec<(i64, String, String, String, i64)>> {
    sqlx::query_as(
        "SELECT a.task_id, u.path, a.due_on, a.status, a.late FROM task_assignments a JOIN units u ON u.id = a.unit_id",
    )
    .fetch_all(&mut *conn)
    .await
}

/// Whether a unit holds any assignment (it cannot then be deleted).
pub async fn unit_has_assignments(conn: &mut AnyConnection, unit: i64) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM task_assignments WHERE unit_id = $1 LIMIT 1")
            .bind(unit)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// Assignments over a unit's subtree from its counters: given, done, and
/// owed past their deadline (`today` excluded).
pub async fn tally_sum(
    conn: &mut AnyConnection,
    unit: i64,
    today: &str,
) -> Result<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(assigned), 0) AS BIGINT), CAST(COALESCE(SUM(done), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN due_on < $2 THEN assigned - done ELSE 0 END), 0) AS BIGINT) \
         FROM task_tally WHERE unit_id = $1",
    )
    .bind(unit)
    .bind(today)
    .fetch_one(&mut *conn)
    .await
}

/// Which assignments a figure's rows are.
#[derive(Clone, Copy, Debug)]
pub enum Listed<'a> {
    All,
    Done,
    /// Not done, due before this day.
    Overdue(&'a str),
}

/// An assignment as a figure's row lists it.
#[derive(Clone, Debug, FromRow)]
pub struct ListedAssignment {
    pub unit: String,
    pub title: String,
    pub due_on: String,
    pub status: String,
    pub extensions: i64,
}

/// A page of the assignments of a subtree, by deadline and place in the
/// tree, and how many there are in all.
pub async fn listed_in(
    conn: &mut AnyConnection,
    root: &UnitPath,
    which: Listed<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ListedAssignment>, i64)> {
    let (lo, hi) = root.subtree_range();
    let filter = match which {
        Listed::All => "",
        Listed::Done => " AND a.status = 'done'",
        Listed::Overdue(_) => " AND a.status <> 'done' AND a.due_on < $3",
    };
    let today = match which {
        Listed::Overdue(d) => d,
        _ => "",
    };
    let from = format!(
        "FROM task_assignments a JOIN units u ON u.id = a.unit_id JOIN tasks t ON t.id = a.task_id \
        WHERE u.path >= $1 AND u.path < $2{filter}"
    );
    let mut count = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from}")))
        .bind(&lo)
        .bind(&hi);
    let mut page = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT u.name AS unit, t.title, a.due_on, a.status, a.extensions {from} \
         ORDER BY a.due_on, u.path, a.id LIMIT {limit} OFFSET {offset}"
    )))
    .bind(&lo)
    .bind(&hi);
    if matches!(which, Listed::Overdue(_)) {
        count = count.bind(today);
        page = page.bind(today);
    }
    let total: i64 = count.fetch_one(&mut *conn).await?;
    Ok((page.fetch_all(&mut *conn).await?, total))
}

/// Assignments owed over a unit's subtree from its counters: due from
/// `today` to `until` (both included), and overdue.
pub async fn owed_sum(
    conn: &mut AnyConnection,
    unit: i64,
    today: &str,
    until: &str,
) -> Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN due_on >= $2 AND due_on <= $3 THEN assigned - done ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN due_on < $2 THEN assigned - done ELSE 0 END), 0) AS BIGINT) \
         FROM task_tally WHERE unit_id = $1",
    )
    .bind(unit)
    .bind(today)
    .bind(until)
    .fetch_one(&mut *conn)
    .await
}
