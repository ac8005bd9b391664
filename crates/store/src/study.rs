//! Study rows: campaigns and quotas, materials, 党史上的今天, check-ins and
//! the per-unit per-day counters (`study_daily`); the quiz's own rows are in
//! `quiz.rs`. Counters hold a unit's whole subtree; callers
//! pass one delta per ancestor.

use std::collections::HashMap;

use sqlx::{AnyConnection, FromRow, Row};

use xueshi_domain::study::{Period, QuotaKind, StudyKind};
use xueshi_domain::unit::UnitPath;

use crate::Result;
use crate::bulk::{Value, insert_row_direct, insert_rows};
use crate::units::placeholders;

#[derive(Clone, Debug, FromRow)]
pub struct CampaignRow {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub quiz_size: i64,
    pub quiz_seconds: i64,
    /// The daily quiz opens at this minute of the day (Beijing time) …
    pub quiz_opens: i64,
    /// … and closes before this one.
    pub quiz_closes: i64,
    pub matter_report_days: i64,
}

const CAMPAIGN: &str = "SELECT id, unit_id, name, starts_on, ends_on, quiz_size, quiz_seconds, quiz_opens, \
    quiz_closes, matter_report_days FROM campaigns";

pub async fn insert_campaign(
    conn: &mut AnyConnection,
    c: &CampaignRow,
    created_by: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO campaigns (id, unit_id, name, starts_on, ends_on, quiz_size, quiz_seconds, quiz_opens, \
         quiz_closes, matter_report_days, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(c.id)
    .bind(c.unit_id)
    .bind(&c.name)
    .bind(&c.starts_on)
    .bind(&c.ends_on)
    .bind(c.quiz_size)
    .bind(c.quiz_seconds)
    .bind(c.quiz_opens)
    .bind(c.quiz_closes)
    .bind(c.matter_report_days)
    .bind(created_by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rewrites a campaign's own fields (not its unit).
pub async fn update_campaign(conn: &mut AnyConnection, c: &CampaignRow) -> Result<()> {
    sqlx::query(
        "UPDATE campaigns SET name = $2, starts_on = $3, ends_on = $4, quiz_size = $5, quiz_seconds = $6, \
         quiz_opens = $7, quiz_closes = $8, matter_report_days = $9 WHERE id = $1",
    )
    .bind(c.id)
    .bind(&c.name)
    .bind(&c.starts_on)
    .bind(&c.ends_on)
    .bind(c.quiz_size)
    .bind(c.quiz_seconds)
    .bind(c.quiz_opens)
    .bind(c.quiz_closes)
    .bind(c.matter_report_days)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn campaign(conn: &mut AnyConnection, id: i64) -> Result<Option<CampaignRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{CAMPAIGN} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The campaigns a unit runs itself, latest first.
pub async fn campaigns_of_unit(conn: &mut AnyConnection, unit: i64) -> Result<Vec<CampaignRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CAMPAIGN} WHERE unit_id = $1 ORDER BY starts_on DESC, id DESC"
    )))
    .bind(unit)
    .fetch_all(&mut *conn)
    .await
}

/// Whether any member of a subtree checked in between two days: once one
/// has, the quotas they were counted against are fixed.
pub async fn checked_in_between(
    conn: &mut AnyConnection,
    root: &UnitPath,
    from: &str,
    to: &str,
) -> Result<bool> {
    let (lo, hi) = root.subtree_range();
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM check_ins c JOIN units u ON u.id = c.unit_id \
         WHERE u.path >= $1 AND u.path < $2 AND c.day >= $3 AND c.day <= $4 LIMIT 1",
    )
    .bind(lo)
    .bind(hi)
    .bind(from)
    .bind(to)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// A campaign's phase (阶段).
#[derive(Clone, Debug, FromRow)]
pub struct PhaseRow {
    pub id: i64,
    pub campaign_id: i64,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub sort_order: i64,
}

/// Replaces a campaign's phases.
pub async fn set_phases(
    conn: &mut AnyConnection,
    campaign: i64,
    phases: &[PhaseRow],
) -> Result<()> {
    sqlx::query("DELETE FROM campaign_phases WHERE campaign_id = $1")
        .bind(campaign)
        .execute(&mut *conn)
        .await?;
    for p in phases {
        sqlx::query(
            "INSERT INTO campaign_phases (id, campaign_id, name, starts_on, ends_on, sort_order) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(p.id)
        .bind(campaign)
        .bind(&p.name)
        .bind(&p.starts_on)
        .bind(&p.ends_on)
        .bind(p.sort_order)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn phases(conn: &mut AnyConnection, campaign: i64) -> Result<Vec<PhaseRow>> {
    sqlx::query_as(
        "SELECT id, campaign_id, name, starts_on, ends_on, sort_order FROM campaign_phases \
         WHERE campaign_id = $1 ORDER BY sort_order, id",
    )
    .bind(campaign)
    .fetch_all(&mut *conn)
    .await
}

/// Removes a campaign's own quotas (before any member was counted).
pub async fn delete_quotas(conn: &mut AnyConnection, campaign: i64) -> Result<()> {
    sqlx::query("DELETE FROM quotas WHERE campaign_id = $1")
        .bind(campaign)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The campaign that governs a unit on a day: the one run by its nearest
/// ancestor (the unit itself included) whose dates hold the day.
pub async fn campaign_for(
    conn: &mut AnyConnection,
    ancestors: &[i64],
    day: &str,
) -> Result<Option<CampaignRow>> {
    if ancestors.is_empty() {
        return Ok(None);
    }
    let list = placeholders(2, ancestors.len());
    let mut q = sqlx::query_as::<_, CampaignRow>(sqlx::AssertSqlSafe(format!(
        "{CAMPAIGN} WHERE unit_id IN ({list}) AND starts_on <= $1 AND ends_on >= $1"
    )))
    .bind(day);
    for a in ancestors {
        q = q.bind(*a);
    }
    let found = q.fetch_all(&mut *conn).await?;
    // The nearest ancestor comes last in `ancestors` (root first).
    Ok(ancestors
        .iter()
        .rev()
        .find_map(|a| found.iter().find(|c| c.unit_id == *a).cloned()))
}

#[derive(Clone, Debug, FromRow)]
pub struct QuotaRow {
    pub id: i64,
    pub campaign_id: i64,
    pub unit_id: i64,
    #[sqlx(try_from = "Option<String>")]
    pub kind: QuotaKind,
    pub count: i64,
    #[sqlx(try_from = "String")]
    pub period: Period,
    pub minutes: i64,
    pub label: String,
    pub sort_order: i64,
}

pub async fn insert_quota(conn: &mut AnyConnection, q: &QuotaRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO quotas (id, campaign_id, unit_id, kind, count, period, minutes, label, sort_order) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(q.id)
    .bind(q.campaign_id)
    .bind(q.unit_id)
    .bind(q.kind.0.map(|k| k.as_str()))
    .bind(q.count)
    .bind(q.period.as_str())
    .bind(q.minutes)
    .bind(&q.label)
    .bind(q.sort_order)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A campaign's quotas that apply under any of `ancestors`.
pub async fn quotas(
    conn: &mut AnyConnection,
    campaign: i64,
    ancestors: &[i64],
) -> Result<Vec<QuotaRow>> {
    if ancestors.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(2, ancestors.len());
    let mut q = sqlx::query_as::<_, QuotaRow>(sqlx::AssertSqlSafe(format!(
        "SELECT id, campaign_id, unit_id, kind, count, period, minutes, label, sort_order FROM quotas \
         WHERE campaign_id = $1 AND unit_id IN ({list}) ORDER BY sort_order, id"
    )))
    .bind(campaign);
    for a in ancestors {
        q = q.bind(*a);
    }
    q.fetch_all(&mut *conn).await
}

#[derive(Clone, Debug, FromRow)]
pub struct MaterialRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: StudyKind,
    pub title: String,
    pub source: String,
    pub minutes: i64,
    pub link: String,
    pub body: String,
    /// 0 once the office retires it.
    pub active: i64,
}

const MATERIAL_COLUMNS: &str = "id, kind, title, source, minutes, link, body, active";

pub async fn insert_materials(
    conn: &mut AnyConnection,
    rows: &[(MaterialRow, String)],
    now: i64,
) -> Result<u64> {
    let values = rows
        .iter()
        .map(|(m, folded)| {
            vec![
                Value::from(m.id),
                Value::from(m.kind.as_str()),
                Value::from(m.title.as_str()),
                Value::from(folded.as_str()),
                Value::from(m.source.as_str()),
                Value::from(m.minutes),
                Value::from(m.link.as_str()),
                Value::from(m.body.as_str()),
                Value::from(now),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "materials",
        &[
            "id",
            "kind",
            "title",
            "title_folded",
            "source",
            "minutes",
            "link",
            "body",
            "created_at",
        ],
        values,
        "",
    )
    .await
}

/// Materials members may pick, by kind and title.
pub async fn materials(conn: &mut AnyConnection, limit: i64) -> Result<Vec<MaterialRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MATERIAL_COLUMNS} FROM materials WHERE active = 1 ORDER BY kind, title_folded, id LIMIT $1"
    )))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// The whole library, retired materials included, by kind and title.
pub async fn all_materials(conn: &mut AnyConnection) -> Result<Vec<MaterialRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MATERIAL_COLUMNS} FROM materials ORDER BY kind, title_folded, id"
    )))
    .fetch_all(&mut *conn)
    .await
}

pub async fn material(conn: &mut AnyConnection, id: i64) -> Result<Option<MaterialRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MATERIAL_COLUMNS} FROM materials WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// Another material of the kind with this folded title, if any.
pub async fn material_named(
    conn: &mut AnyConnection,
    kind: &str,
    folded: &str,
    except: i64,
) -> Result<Option<i64>> {
    let row = sqlx::query(
        "SELECT id FROM materials WHERE kind = $1 AND title_folded = $2 AND id <> $3 LIMIT 1",
    )
    .bind(kind)
    .bind(folded)
    .bind(except)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// Rewrites a material's fields (not its id, nor whether it is active).
pub async fn update_material(
    conn: &mut AnyConnection,
    m: &MaterialRow,
    folded: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE materials SET kind = $1, title = $2, title_folded = $3, source = $4, minutes = $5, link = $6, body = $7 WHERE id = $8",
    )
    .bind(m.kind.as_str())
    .bind(m.title.as_str())
    .bind(folded)
    .bind(m.source.as_str())
    .bind(m.minutes)
    .bind(m.link.as_str())
    .bind(m.body.as_str())
    .bind(m.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_material_active(conn: &mut AnyConnection, id: i64, active: bool) -> Result<()> {
    sqlx::query("UPDATE materials SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct HistoryDayRow {
    pub id: i64,
    pub month: i64,
    pub day: i64,
    pub year: i64,
    pub title: String,
    pub body: String,
}

pub async fn insert_history_days(conn: &mut AnyConnection, rows: &[HistoryDayRow]) -> Result<u64> {
    let values = rows
        .iter()
        .map(|h| {
            vec![
                Value::from(h.id),
                Value::from(h.month),
                Value::from(h.day),
                Value::from(h.year),
                Value::from(h.title.as_str()),
                Value::from(h.body.as_str()),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "history_days",
        &["id", "month", "day", "year", "title", "body"],
        values,
        "",
    )
    .await
}

/// Every 党史上的今天 entry, in calendar order.
pub async fn all_history_days(conn: &mut AnyConnection) -> Result<Vec<HistoryDayRow>> {
    sqlx::query_as(
        "SELECT id, month, day, year, title, body FROM history_days ORDER BY month, day, year, id",
    )
    .fetch_all(&mut *conn)
    .await
}

pub async fn history_day(conn: &mut AnyConnection, id: i64) -> Result<Option<HistoryDayRow>> {
    sqlx::query_as("SELECT id, month, day, year, title, body FROM history_days WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The entries of one date (month, day, year).
pub async fn history_days_at(
    conn: &mut AnyConnection,
    month: i64,
    day: i64,
    year: i64,
) -> Result<Vec<HistoryDayRow>> {
    sqlx::query_as(
        "SELECT id, month, day, year, title, body FROM history_days WHERE month = $1 AND day = $2 AND year = $3",
    )
    .bind(month)
    .bind(day)
    .bind(year)
    .fetch_all(&mut *conn)
    .await
}

pub async fn update_history_day(conn: &mut AnyConnection, h: &HistoryDayRow) -> Result<()> {
    sqlx::query(
        "UPDATE history_days SET month = $1, day = $2, year = $3, title = $4, body = $5 WHERE id = $6",
    )
    .bind(h.month)
    .bind(h.day)
    .bind(h.year)
    .bind(h.title.as_str())
    .bind(h.body.as_str())
    .bind(h.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Nothing refers to an entry: removing one loses nothing else.
pub async fn delete_history_day(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM history_days WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// 党史上的今天 for a month and day, oldest first.
pub async fn history_on(
    conn: &mut AnyConnection,
    month: i64,
    day: i64,
) -> Result<Vec<HistoryDayRow>> {
    sqlx::query_as(
        "SELECT id, month, day, year, title, body FROM history_days WHERE month = $1 AND day = $2 ORDER BY year, id",
    )
    .bind(month)
    .bind(day)
    .fetch_all(&mut *conn)
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct CheckInRow {
    pub id: i64,
    pub member_id: i64,
    pub unit_id: i64,
    pub day: String,
    #[sqlx(try_from = "String")]
    pub kind: StudyKind,
    pub material_id: Option<i64>,
    pub what: String,
    pub minutes: i64,
    pub note: String,
    pub created_at: i64,
}

pub async fn insert_check_ins(conn: &mut AnyConnection, rows: &[CheckInRow]) -> Result<u64> {
    let values = rows
        .iter()
        .map(|c| {
            vec![
                Value::from(c.id),
                Value::from(c.member_id),
                Value::from(c.unit_id),
                Value::from(c.day.as_str()),
                Value::from(c.kind.as_str()),
                Value::from(c.material_id),
                Value::from(c.what.as_str()),
                Value::from(c.minutes),
                Value::from(c.note.as_str()),
                Value::from(c.created_at),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "check_ins",
        &[
            "id",
            "member_id",
            "unit_id",
            "day",
            "kind",
            "material_id",
            "what",
            "minutes",
            "note",
            "created_at",
        ],
        values,
        "",
    )
    .await
}

/// A member's check-ins between two days (both included), newest first.
pub async fn check_ins_of(
    conn: &mut AnyConnection,
    member: i64,
    from: &str,
    to: &str,
) -> Result<Vec<CheckInRow>> {
    sqlx::query_as(
        "SELECT id, member_id, unit_id, day, kind, material_id, what, minutes, note, created_at FROM check_ins \
         WHERE member_id = $1 AND day >= $2 AND day <= $3 ORDER BY day DESC, id DESC",
    )
    .bind(member)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await
}

/// Per member under a subtree, per kind: how many check-ins and minutes
/// between two days, with the most minutes on any one day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StudyDone {
    pub by_kind: HashMap<String, i64>,
    pub minutes_by_day: HashMap<String, i64>,
}

pub async fn done_under(
    conn: &mut AnyConnection,
    range: &(String, String),
    from: &str,
    to: &str,
) -> Result<HashMap<i64, StudyDone>> {
    let rows = sqlx::query(
        "SELECT c.member_id, c.kind, c.day, COUNT(*), CAST(SUM(c.minutes) AS BIGINT) FROM check_ins c \
         JOIN units u ON u.id = c.unit_id \
         WHERE u.path >= $1 AND u.path < $2 AND c.day >= $3 AND c.day <= $4 \
         GROUP BY c.member_id, c.kind, c.day",
    )
    .bind(&range.0)
    .bind(&range.1)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: HashMap<i64, StudyDone> = HashMap::new();
    for r in rows {
        let e = out.entry(r.try_get(0)?).or_default();
        *e.by_kind.entry(r.try_get(1)?).or_default() += r.try_get::<i64, _>(3)?;
        *e.minutes_by_day.entry(r.try_get(2)?).or_default() += r.try_get::<i64, _>(4)?;
    }
    Ok(out)
}

/// What one unit's subtree did on one day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Daily {
    pub quiz_takers: i64,
    pub quiz_correct: i64,
    pub quiz_questions: i64,
    pub check_ins: i64,
    pub study_minutes: i64,
}

impl std::ops::AddAssign for Daily {
    fn add_assign(&mut self, o: Daily) {
        self.quiz_takers += o.quiz_takers;
        self.quiz_correct += o.quiz_correct;
        self.quiz_questions += o.quiz_questions;
        self.check_ins += o.check_ins;
        self.study_minutes += o.study_minutes;
    }
}

const DAILY: [&str; 5] = [
    "quiz_takers",
    "quiz_correct",
    "quiz_questions",
    "check_ins",
    "study_minutes",
];

/// Adds deltas to the counters of (unit, day), creating rows as needed.
pub async fn add_daily(
    conn: &mut AnyConnection,
    deltas: &HashMap<(i64, String), Daily>,
) -> Result<()> {
    let rows = daily_rows(deltas);
    if rows.is_empty() {
        return Ok(());
    }
    insert_rows(conn, "study_daily", &daily_columns(), rows, &daily_upsert()).await?;
    Ok(())
}

/// As [`add_daily`], on the direct writer.
pub fn add_daily_direct(
    tx: &rusqlite::Transaction<'_>,
    deltas: &HashMap<(i64, String), Daily>,
) -> rusqlite::Result<()> {
    let (columns, upsert) = (daily_columns(), daily_upsert());
    for row in daily_rows(deltas) {
        insert_row_direct(tx, "study_daily", &columns, &row, &upsert)?;
    }
    Ok(())
}

fn daily_columns() -> Vec<&'static str> {
    let mut columns = vec!["unit_id", "day"];
    columns.extend_from_slice(&DAILY);
    columns
}

fn daily_upsert() -> String {
    let set: Vec<String> = DAILY
        .iter()
        .map(|c| format!("{c} = study_daily.{c} + excluded.{c}"))
        .collect();
    format!(
        "ON CONFLICT (unit_id, day) DO UPDATE SET {}",
        set.join(", ")
    )
}

/// One row a (unit, day), in a stable order: it keeps concurrent PostgreSQL
/// writers from deadlocking.
fn daily_rows(deltas: &HashMap<(i64, String), Daily>) -> Vec<Vec<Value>> {
    let mut sorted: Vec<(&(i64, String), &Daily)> = deltas.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted
        .into_iter()
        .map(|((unit, day), d)| {
            vec![
                Value::from(*unit),
                Value::from(day.as_str()),
                Value::from(d.quiz_takers),
                Value::from(d.quiz_correct),
                Value::from(d.quiz_questions),
                Value::from(d.check_ins),
                Value::from(d.study_minutes),
            ]
        })
        .collect()
}

fn daily_of(r: &sqlx::any::AnyRow, from: usize) -> Result<Daily> {
    Ok(Daily {
        quiz_takers: r.try_get(from)?,
        quiz_correct: r.try_get(from + 1)?,
        quiz_questions: r.try_get(from + 2)?,
        check_ins: r.try_get(from + 3)?,
        study_minutes: r.try_get(from + 4)?,
    })
}

/// The counters of some units between two days, per unit and day.
pub async fn daily(
    conn: &mut AnyConnection,
    units: &[i64],
    from: &str,
    to: &str,
) -> Result<HashMap<(i64, String), Daily>> {
    let mut out = HashMap::new();
    for chunk in units.chunks(500) {
        let list = placeholders(3, chunk.len());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT unit_id, day, {} FROM study_daily WHERE day >= $1 AND day <= $2 AND unit_id IN ({list})",
            DAILY.join(", ")
        )))
        .bind(from)
        .bind(to);
        for u in chunk {
            q = q.bind(*u);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert((r.try_get(0)?, r.try_get(1)?), daily_of(&r, 2)?);
        }
    }
    Ok(out)
}

/// Every counter, for the consistency check.
pub async fn all_daily(conn: &mut AnyConnection) -> Result<HashMap<(i64, String), Daily>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT unit_id, day, {} FROM study_daily",
        DAILY.join(", ")
    )))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok(((r.try_get(0)?, r.try_get(1)?), daily_of(r, 2)?)))
        .collect()
}

/// The counters recomputed from the raw rows, each unit counting only its
/// own (callers add them up the tree).
pub async fn direct_daily(conn: &mut AnyConnection) -> Result<HashMap<(i64, String), Daily>> {
    let mut out: HashMap<(i64, String), Daily> = HashMap::new();
    let rows = sqlx::query(
        "SELECT unit_id, day, COUNT(*), CAST(SUM(correct) AS BIGINT), CAST(SUM(total) AS BIGINT) \
         FROM quiz_attempts GROUP BY unit_id, day",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let e = out.entry((r.try_get(0)?, r.try_get(1)?)).or_default();
        e.quiz_takers += r.try_get::<i64, _>(2)?;
        e.quiz_correct += r.try_get::<i64, _>(3)?;
        e.quiz_questions += r.try_get::<i64, _>(4)?;
    }
    let rows = sqlx::query(
        "SELECT unit_id, day, COUNT(*), CAST(SUM(minutes) AS BIGINT) FROM check_ins GROUP BY unit_id, day",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let e = out.entry((r.try_get(0)?, r.try_get(1)?)).or_default();
        e.check_ins += r.try_get::<i64, _>(2)?;
        e.study_minutes += r.try_get::<i64, _>(3)?;
    }
    Ok(out)
}

/// A subtree's counters summed over the days `from..=to` (the unit's own
/// row holds its whole subtree).
pub async fn daily_sum(conn: &mut AnyConnection, unit: i64, from: &str, to: &str) -> Result<Daily> {
    let mut sum = Daily::default();
    for (_, d) in daily(conn, &[unit], from, to).await? {
        sum += d;
    }
    Ok(sum)
}

/// A quiz taken or a check-in made, listed behind a figure: the day, who,
/// their unit at the time, and what.
#[derive(Clone, Debug)]
pub struct StudyListed {
    pub day: String,
    pub name: String,
    pub unit: String,
    pub what: String,
    pub amount: i64,
}

/// The study records a figure lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StudyRecord {
    /// Quizzes taken: `what` the questions, `amount` the right answers.
    QuizAttempts,
    /// Check-ins: `what` what was studied, `amount` the minutes.
    CheckIns,
}

/// A page of the quizzes taken or the check-ins made in a subtree on the
/// days `from..=to`, and how many in all.
pub async fn listed_in(
    conn: &mut AnyConnection,
    record: StudyRecord,
    root: &UnitPath,
    (from, to): (&str, &str),
    limit: i64,
    offset: i64,
) -> Result<(Vec<StudyListed>, i64)> {
    let (select, table, alias) = match record {
        StudyRecord::QuizAttempts => (
            "SELECT a.day, m.name, u.name, CAST(a.total AS TEXT), a.correct FROM quiz_attempts a",
            "quiz_attempts a",
            "a",
        ),
        StudyRecord::CheckIns => (
            "SELECT c.day, m.name, u.name, c.what, c.minutes FROM check_ins c",
            "check_ins c",
            "c",
        ),
    };
    page_in(conn, select, table, alias, (root, from, to, limit, offset)).await
}

async fn page_in(
    conn: &mut AnyConnection,
    select: &str,
    table: &str,
    alias: &str,
    (root, from, to, limit, offset): (&UnitPath, &str, &str, i64, i64),
) -> Result<(Vec<StudyListed>, i64)> {
    let (lo, hi) = root.subtree_range();
    let cond = format!(
        "JOIN units u ON u.id = {alias}.unit_id WHERE u.path >= $1 AND u.path < $2 \
         AND {alias}.day >= $3 AND {alias}.day <= $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{select} JOIN members m ON m.id = {alias}.member_id {cond} \
         ORDER BY {alias}.day, u.path, {alias}.member_id LIMIT $5 OFFSET $6"
    )))
    .bind(lo.clone())
    .bind(hi.clone())
    .bind(from)
    .bind(to)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(StudyListed {
            day: r.try_get(0)?,
            name: r.try_get(1)?,
            unit: r.try_get(2)?,
            what: r.try_get(3)?,
            amount: r.try_get(4)?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {table} {cond}"
    )))
    .bind(lo)
    .bind(hi)
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await?;
    Ok((rows, total))
}
