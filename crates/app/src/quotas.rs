//! The campaign's quotas (五个一, 每日自学1小时) over a unit on a day: each
//! with the window its period spans, and how much of it a member's
//! check-ins did. A member's progress (`study`) and a subtree's compliance
//! (`compliance`) both count by these.

use time::Date;
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::study::Quota;
use xueshi_store::study::{self, QuotaRow};

use crate::participant::campaign;
use crate::{App, AppResult};

/// The rule a stored quota states (the store parsed its kind and period).
pub(crate) fn quota_of(r: &QuotaRow) -> Quota {
    Quota {
        kind: r.kind.0,
        count: r.count.max(0) as u32,
        period: r.period,
        minutes: r.minutes.max(0) as u32,
    }
}

pub(crate) fn campaign_span(c: &study::CampaignRow, day: Date) -> (Date, Date) {
    (
        from_iso(&c.starts_on).unwrap_or(day),
        from_iso(&c.ends_on).unwrap_or(day),
    )
}

/// How much of a quota a member's check-ins in its window did.
pub(crate) fn done_for(q: &Quota, from: Date, to: Date, done: &study::StudyDone) -> i64 {
    match q.kind {
        Some(k) => done.by_kind.get(k.as_str()).copied().unwrap_or(0),
        // Minutes are a daily quota: the window is one day.
        None => {
            let (f, t) = (iso(from), iso(to));
            done.minutes_by_day
                .iter()
                .filter(|(d, _)| **d >= f && **d <= t)
                .map(|(_, m)| *m)
                .sum()
        }
    }
}

/// What some check-ins (day, kind, minutes) add up to between two days.
pub(crate) fn done_in<'a>(
    rows: impl Iterator<Item = (&'a str, &'a str, i64)>,
    from: &str,
    to: &str,
) -> study::StudyDone {
    let mut done = study::StudyDone::default();
    for (day, kind, minutes) in rows.filter(|(d, _, _)| *d >= from && *d <= to) {
        *done.by_kind.entry(kind.to_owned()).or_default() += 1;
        *done.minutes_by_day.entry(day.to_owned()).or_default() += minutes;
    }
    done
}

/// The quotas over a unit's members on a day, each with its window.
pub(crate) async fn quotas_for(
    app: &App,
    path: &xueshi_domain::unit::UnitPath,
    day: Date,
) -> AppResult<(
    Option<study::CampaignRow>,
    Vec<(QuotaRow, Quota, Date, Date)>,
)> {
    let Some(c) = campaign(app, path, day).await? else {
        return Ok((None, Vec::new()));
    };
    let ids: Vec<i64> = path.ids().iter().map(|i| i.0).collect();
    let mut conn = app.store().read().await?;
    let rows = study::quotas(&mut conn, c.id, &ids).await?;
    let span = campaign_span(&c, day);
    let out = rows
        .into_iter()
        .map(|r| {
            let q = quota_of(&r);
            let (from, to) = q.period.window(day, span);
            (r, q, from, to)
        })
        .collect();
    Ok((Some(c), out))
}

/// `part` of `whole` in percent, one decimal; 0 of nothing.
pub(crate) fn percent(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}
