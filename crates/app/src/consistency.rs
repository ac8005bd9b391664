//! Recomputing every tally from the raw rows, to check the counters that
//! writes maintain. Dashboards read counters; this proves them.

use std::collections::{BTreeMap, HashMap};

use xueshi_domain::Id;
use xueshi_domain::member::{CadreLevel, Gender, MemberStatus};
use xueshi_domain::tally::Tally;
use xueshi_store::quiz::StreakRow;
use xueshi_store::study::{self, Daily};
use xueshi_store::{members, tallies, units};

use crate::{App, AppResult};

/// A unit whose stored tally differs from the recomputed one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    pub unit: Id,
    pub stored: Tally,
    pub recomputed: Tally,
}

/// Every unit's tally, recomputed from units and members.
pub async fn recompute(app: &App) -> AppResult<HashMap<Id, Tally>> {
    let mut conn = app.store().read().await?;
    let all = units::all_brief(&mut conn).await?;
    let mut direct: HashMap<i64, Tally> = HashMap::new();
    for (id, _, kind) in &all {
        *direct.entry(*id).or_default() += Tally::of_unit(*kind);
    }
    for (unit, status, cadre, gender, n) in members::direct_counts(&mut conn).await? {
        let one = Tally::of_member(
            MemberStatus::parse(&status).unwrap_or(MemberStatus::Formal),
            CadreLevel::parse(&cadre).unwrap_or(CadreLevel::Ordinary),
            Gender::parse(&gender).unwrap_or(Gender::Male),
        );
        *direct.entry(unit).or_default() += one.times(n);
    }
    let mut out: HashMap<Id, Tally> = HashMap::new();
    for (id, path, _) in &all {
        let own = direct.get(id).copied().unwrap_or_default();
        for a in path.ids() {
            *out.entry(a).or_default() += own;
        }
    }
    Ok(out)
}

/// Units whose stored tally is not what the raw rows say.
pub async fn check(app: &App) -> AppResult<Vec<Drift>> {
    let want = recompute(app).await?;
    let mut conn = app.store().read().await?;
    let have = tallies::all(&mut conn).await?;
    let mut drift: Vec<Drift> = want
        .iter()
        .filter_map(|(id, t)| {
            let stored = have.get(&id.0).copied().unwrap_or_default();
            (stored != *t).then_some(Drift {
                unit: *id,
                stored,
                recomputed: *t,
            })
        })
        .collect();
    drift.sort_by_key(|d| d.unit);
    Ok(drift)
}

/// A unit and day whose study counters differ from the raw rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudyDrift {
    pub unit: Id,
    pub day: String,
    pub stored: Daily,
    pub recomputed: Daily,
}

/// Every per-unit per-day study counter recomputed from check-ins and quiz
/// attempts, summed up the tree, against what is stored.
pub async fn check_study(app: &App) -> AppResult<Vec<StudyDrift>> {
    let mut conn = app.store().read().await?;
    let paths: HashMap<i64, _> = units::all_brief(&mut conn)
        .await?
        .into_iter()
        .map(|(id, path, _)| (id, path))
        .collect();
    let mut want: HashMap<(i64, String), Daily> = HashMap::new();
    for ((unit, day), d) in study::direct_daily(&mut conn).await? {
        for a in paths.get(&unit).map(|p| p.ids()).unwrap_or_default() {
            *want.entry((a.0, day.clone())).or_default() += d;
        }
    }
    let have = study::all_daily(&mut conn).await?;
    let mut keys: Vec<&(i64, String)> = want.keys().chain(have.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .filter_map(|k| {
            let stored = have.get(k).copied().unwrap_or_default();
            let recomputed = want.get(k).copied().unwrap_or_default();
            (stored != recomputed).then(|| StudyDrift {
                unit: Id(k.0),
                day: k.1.clone(),
                stored,
                recomputed,
            })
        })
        .collect())
}

/// A quota counter that differs from the check-ins replayed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaDrift {
    pub unit: Id,
    pub quota: Id,
    pub window_from: String,
    pub stored: i64,
    pub recomputed: i64,
}

/// Every quota compliance counter recomputed from the check-ins, against
/// what is stored.
pub async fn check_quotas(app: &App) -> AppResult<Vec<QuotaDrift>> {
    let want = crate::compliance::recount(app).await?;
    let mut conn = app.store().read().await?;
    let have = xueshi_store::quota_met::all(&mut conn).await?;
    let mut keys: Vec<&(i64, i64, String)> = want.keys().chain(have.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .filter_map(|k| {
            let stored = have.get(k).copied().unwrap_or(0);
            let recomputed = want.get(k).copied().unwrap_or(0);
            (stored != recomputed).then(|| QuotaDrift {
                unit: Id(k.0),
                quota: Id(k.1),
                window_from: k.2.clone(),
                stored,
                recomputed,
            })
        })
        .collect())
}

/// A task completion counter that differs from the assignments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskDrift {
    pub unit: Id,
    pub task: Id,
    pub due_on: String,
    /// (assigned, done, late)
    pub stored: (i64, i64, i64),
    pub recomputed: (i64, i64, i64),
}

/// Every task completion counter recomputed from the assignments, against
/// what is stored.
pub async fn check_tasks(app: &App) -> AppResult<Vec<TaskDrift>> {
    let want = crate::tasks::recount(app).await?;
    let have = crate::tasks::stored_counters(app).await?;
    let mut keys: Vec<&(i64, i64, String)> = want.keys().chain(have.keys()).collect();
    keys.sort();
    keys.dedup();
    let t = |d: Option<&xueshi_store::tasks::TallyDelta>| {
        d.map_or((0, 0, 0), |d| (d.assigned, d.done, d.late))
    };
    Ok(keys
        .into_iter()
        .filter_map(|k| {
            let (stored, recomputed) = (t(have.get(k)), t(want.get(k)));
            (stored != recomputed).then(|| TaskDrift {
                unit: Id(k.0),
                task: Id(k.1),
                due_on: k.2.clone(),
                stored,
                recomputed,
            })
        })
        .collect())
}

/// A member whose stored run of quiz days (连续答题) differs from their
/// attempts replayed; `None` where one side has no row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreakDrift {
    pub member: Id,
    pub stored: Option<StreakRow>,
    pub recomputed: Option<StreakRow>,
}

/// Every member's run and totals replayed from their quiz attempts, a page
/// of attempts at a time (a province has millions), against what is stored.
pub async fn check_streaks(app: &App) -> AppResult<Vec<StreakDrift>> {
    // Far more than one member's days, so a page always ends past a member.
    const PAGE: i64 = 100_000;
    let mut conn = app.store().read().await?;
    let mut drift = Vec::new();
    let mut after = i64::MIN;
    loop {
        let mut page = xueshi_store::quiz::attempt_days(&mut conn, after, PAGE).await?;
        // A full page may end inside a member's days: that member starts the next.
        let before = match page.last() {
            Some(&(last, _, _)) if page.len() as i64 == PAGE => {
                page.retain(|(m, _, _)| *m != last);
                last
            }
            _ => i64::MAX,
        };
        let mut want: BTreeMap<i64, StreakRow> = BTreeMap::new();
        for (member, day, correct) in page {
            let s = want.entry(member).or_insert_with(|| StreakRow {
                member_id: member,
                ..StreakRow::default()
            });
            crate::quiz::count_quiz_day(s, &day, correct);
        }
        let mut have: BTreeMap<i64, StreakRow> =
            xueshi_store::quiz::streaks_between(&mut conn, after, before)
                .await?
                .into_iter()
                .map(|s| (s.member_id, s))
                .collect();
        for (member, recomputed) in want {
            let stored = have.remove(&member);
            if stored.as_ref() != Some(&recomputed) {
                drift.push(StreakDrift {
                    member: Id(member),
                    stored,
                    recomputed: Some(recomputed),
                });
            }
        }
        drift.extend(have.into_values().map(|s| StreakDrift {
            member: Id(s.member_id),
            stored: Some(s),
            recomputed: None,
        }));
        if before == i64::MAX {
            break;
        }
        after = before - 1;
    }
    drift.sort_by_key(|d| d.member);
    Ok(drift)
}
