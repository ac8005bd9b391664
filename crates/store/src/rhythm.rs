//! Rhythm rows: a campaign's recurring duties, their due occurrences, the
//! dispatch meetings recorded against them and the decisions taken there.

use sqlx::{AnyConnection, FromRow};

use crate::Result;

#[derive(Clone, Debug, FromRow)]
pub struct ScheduleRow {
    pub campaign_id: i64,
    pub kind: String,
    pub day: i64,
}

pub async fn schedules(conn: &mut AnyConnection, campaign: i64) -> Result<Vec<ScheduleRow>> {
    sqlx::query_as("SELECT campaign_id, kind, day FROM rhythm_schedules WHERE campaign_id = $1")
        .bind(campaign)
        .fetch_all(&mut *conn)
        .await
}

pub async fn delete_schedules(conn: &mut AnyConnection, campaign: i64) -> Result<()> {
    sqlx::query("DELETE FROM rhythm_schedules WHERE campaign_id = $1")
        .bind(campaign)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn insert_schedule(conn: &mut AnyConnection, s: &ScheduleRow) -> Result<()> {
    sqlx::query("INSERT INTO rhythm_schedules (campaign_id, kind, day) VALUES ($1, $2, $3)")
        .bind(s.campaign_id)
        .bind(&s.kind)
        .bind(s.day)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct OccurrenceRow {
    pub id: i64,
    pub campaign_id: i64,
    pub kind: String,
    pub due_on: String,
    pub briefing_id: Option<i64>,
    pub ranking_id: Option<i64>,
    pub done_at: Option<i64>,
    /// The dispatch meeting recorded against it, if any.
    pub dispatch_id: Option<i64>,
}

const OCCURRENCE: &str = "SELECT o.id, o.campaign_id, o.kind, o.due_on, o.briefing_id, o.ranking_id, o.done_at, \
    (SELECT MIN(d.id) FROM dispatches d WHERE d.occurrence_id = o.id) AS dispatch_id FROM rhythm_occurrences o";

pub async fn occurrences(conn: &mut AnyConnection, campaign: i64) -> Result<Vec<OccurrenceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{OCCURRENCE} WHERE o.campaign_id = $1 ORDER BY o.due_on, o.kind"
    )))
    .bind(campaign)
    .fetch_all(&mut *conn)
    .await
}

pub async fn occurrence(conn: &mut AnyConnection, id: i64) -> Result<Option<OccurrenceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{OCCURRENCE} WHERE o.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// Drops the occurrences still owed of a campaign from `from` on, and any
/// past `ends` (the schedule or the campaign's end changed): what was met
/// stays.
pub async fn drop_owed_from(
    conn: &mut AnyConnection,
    campaign: i64,
    from: &str,
    ends: &str,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM rhythm_occurrences WHERE campaign_id = $1 AND done_at IS NULL \
         AND briefing_id IS NULL AND ranking_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.occurrence_id = rhythm_occurrences.id) \
         AND (due_on >= $2 OR due_on > $3)",
    )
    .bind(campaign)
    .bind(from)
    .bind(ends)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Adds an occurrence unless one of its kind is due that day already.
pub async fn insert_occurrence(
    conn: &mut AnyConnection,
    id: i64,
    campaign: i64,
    kind: &str,
    due_on: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rhythm_occurrences (id, campaign_id, kind, due_on) SELECT $1, $2, $3, $4 \
         WHERE NOT EXISTS (SELECT 1 FROM rhythm_occurrences WHERE campaign_id = $2 AND kind = $3 AND due_on = $4)",
    )
    .bind(id)
    .bind(campaign)
    .bind(kind)
    .bind(due_on)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_briefing(conn: &mut AnyConnection, id: i64, briefing: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE rhythm_occurrences SET briefing_id = $2 WHERE id = $1 AND briefing_id IS NULL",
    )
    .bind(id)
    .bind(briefing)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_ranking(conn: &mut AnyConnection, id: i64, ranking: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE rhythm_occurrences SET ranking_id = $2 WHERE id = $1 AND ranking_id IS NULL",
    )
    .bind(id)
    .bind(ranking)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_done(conn: &mut AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE rhythm_occurrences SET done_at = $2 WHERE id = $1 AND done_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether an occurrence holds the ranking (which may then not be deleted).
pub async fn ranking_in_use(conn: &mut AnyConnection, ranking: i64) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM rhythm_occurrences WHERE ranking_id = $1 LIMIT 1")
            .bind(ranking)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

#[derive(Clone, Debug, FromRow)]
pub struct DispatchRow {
    pub id: i64,
    pub campaign_id: i64,
    pub occurrence_id: Option<i64>,
    pub held_on: String,
    pub chair: String,
    pub attendees: String,
    pub figures: String,
    pub created_at: i64,
}

const DISPATCH: &str = "SELECT id, campaign_id, occurrence_id, held_on, chair, attendees, figures, created_at FROM dispatches";

pub async fn insert_dispatch(
    conn: &mut AnyConnection,
    d: &DispatchRow,
    by: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO dispatches (id, campaign_id, occurrence_id, held_on, chair, attendees, figures, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(d.id)
    .bind(d.campaign_id)
    .bind(d.occurrence_id)
    .bind(&d.held_on)
    .bind(&d.chair)
    .bind(&d.attendees)
    .bind(&d.figures)
    .bind(by)
    .bind(d.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn dispatch(conn: &mut AnyConnection, id: i64) -> Result<Option<DispatchRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{DISPATCH} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// A campaign's dispatch meetings, latest first.
pub async fn dispatches(conn: &mut AnyConnection, campaign: i64) -> Result<Vec<DispatchRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{DISPATCH} WHERE campaign_id = $1 ORDER BY held_on DESC, id DESC"
    )))
    .bind(campaign)
    .fetch_all(&mut *conn)
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct DecisionRow {
    pub id: i64,
    pub dispatch_id: i64,
    pub body: String,
    pub owner_unit_id: i64,
    pub owner_name: String,
    pub due_on: String,
    pub task_id: Option<i64>,
    pub sort_order: i64,
}

const DECISION: &str = "SELECT x.id, x.dispatch_id, x.body, x.owner_unit_id, u.name AS owner_name, x.due_on, \
    x.task_id, x.sort_order FROM dispatch_decisions x JOIN units u ON u.id = x.owner_unit_id";

pub async fn insert_decision(conn: &mut AnyConnection, d: &DecisionRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO dispatch_decisions (id, dispatch_id, body, owner_unit_id, due_on, sort_order) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(d.id)
    .bind(d.dispatch_id)
    .bind(&d.body)
    .bind(d.owner_unit_id)
    .bind(&d.due_on)
    .bind(d.sort_order)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn decisions(conn: &mut AnyConnection, dispatch: i64) -> Result<Vec<DecisionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{DECISION} WHERE x.dispatch_id = $1 ORDER BY x.sort_order, x.id"
    )))
    .bind(dispatch)
    .fetch_all(&mut *conn)
    .await
}

pub async fn decision(conn: &mut AnyConnection, id: i64) -> Result<Option<DecisionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{DECISION} WHERE x.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// Links a decision to the task it became; false when it already has one.
pub async fn set_task(conn: &mut AnyConnection, id: i64, task: i64) -> Result<bool> {
    let r =
        sqlx::query("UPDATE dispatch_decisions SET task_id = $2 WHERE id = $1 AND task_id IS NULL")
            .bind(id)
            .bind(task)
            .execute(&mut *conn)
            .await?;
    Ok(r.rows_affected() == 1)
}
