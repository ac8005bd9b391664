//! Quota compliance counters (`quota_met`): per unit subtree, per quota and
//! window, how many members have met the quota. Callers pass one delta per
//! ancestor, as with `study_daily`.

use std::collections::HashMap;

use sqlx::{AnyConnection, FromRow, Row};

use crate::Result;
use crate::bulk::{Value, insert_rows};
use crate::study::{CampaignRow, QuotaRow};
use crate::units::placeholders;

/// A counter's key: unit, quota, first day of the window.
pub type MetKey = (i64, i64, String);

/// Adds deltas to the counters, creating rows as needed.
pub async fn add(conn: &mut AnyConnection, deltas: &HashMap<MetKey, i64>) -> Result<()> {
    let mut sorted: Vec<(&MetKey, &i64)> = deltas.iter().filter(|(_, n)| **n != 0).collect();
    if sorted.is_empty() {
        return Ok(());
    }
    // A stable order keeps concurrent PostgreSQL writers from deadlocking.
    sorted.sort();
    let rows = sorted
        .into_iter()
        .map(|((unit, quota, from), n)| {
            vec![
                Value::from(*unit),
                Value::from(*quota),
                Value::from(from.as_str()),
                Value::from(*n),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "quota_met",
        &["unit_id", "quota_id", "window_from", "met"],
        rows,
        "ON CONFLICT (quota_id, window_from, unit_id) DO UPDATE SET met = quota_met.met + excluded.met",
    )
    .await?;
    Ok(())
}

/// The counters of some units for one quota's window.
pub async fn of_units(
    conn: &mut AnyConnection,
    quota: i64,
    window_from: &str,
    units: &[i64],
) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for chunk in units.chunks(500) {
        let list = placeholders(3, chunk.len());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT unit_id, met FROM quota_met WHERE quota_id = $1 AND window_from = $2 AND unit_id IN ({list})"
        )))
        .bind(quota)
        .bind(window_from);
        for u in chunk {
            q = q.bind(*u);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(r.try_get(0)?, r.try_get(1)?);
        }
    }
    Ok(out)
}

/// Every counter, for the consistency check.
pub async fn all(conn: &mut AnyConnection) -> Result<HashMap<MetKey, i64>> {
    let rows = sqlx::query("SELECT unit_id, quota_id, window_from, met FROM quota_met")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok(((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?), r.try_get(3)?)))
        .collect()
}

/// A check-in as the recount reads it.
#[derive(Clone, Debug, FromRow)]
pub struct CheckInBrief {
    pub member_id: i64,
    pub unit_id: i64,
    pub day: String,
    pub kind: String,
    pub minutes: i64,
}

/// Every check-in in the order they were made, member by member.
pub async fn check_ins_in_order(conn: &mut AnyConnection) -> Result<Vec<CheckInBrief>> {
    sqlx::query_as(
        "SELECT member_id, unit_id, day, kind, minutes FROM check_ins ORDER BY member_id, created_at, id",
    )
    .fetch_all(&mut *conn)
    .await
}

/// Every campaign and quota.
pub async fn rules(conn: &mut AnyConnection) -> Result<(Vec<CampaignRow>, Vec<QuotaRow>)> {
    let campaigns = sqlx::query_as(
        "SELECT id, unit_id, name, starts_on, ends_on, quiz_size, quiz_seconds, quiz_opens, quiz_closes, \
         matter_report_days FROM campaigns",
    )
    .fetch_all(&mut *conn)
    .await?;
    let quotas = sqlx::query_as(
        "SELECT id, campaign_id, unit_id, kind, count, period, minutes, label, sort_order FROM quotas \
         ORDER BY sort_order, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok((campaigns, quotas))
}
