//! Study use-cases: a member's check-in (学习打卡) and their progress against
//! the campaign's quotas; a unit's compliance and the study dashboard read
//! from the per-unit per-day counters.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::Duration;
use xueshi_domain::access::Action;
use xueshi_domain::date::iso;
use xueshi_domain::study::{MAX_CHECK_IN_MINUTES, Period, StudyKind};
use xueshi_domain::{FieldError, Id};
use xueshi_store::study::{self, CheckInRow, Daily};
use xueshi_store::{tallies, units};

use crate::audit::{Audited, Entry};
use crate::participant::me;
use crate::quotas::{done_for, done_in, percent, quotas_for};
use crate::tree::{Crumb, load};
use crate::{App, AppError, AppResult, Ctx};

/// A check-in as a phone form sends it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CheckInInput {
    /// The kind of study; may be left out when a material is chosen (it is
    /// the material's), and must agree with it when given.
    #[serde(default)]
    pub kind: String,
    /// A material from the library, or free text in `what`.
    pub material_id: Option<Id>,
    #[serde(default)]
    pub what: String,
    pub minutes: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QuotaProgress {
    pub label: String,
    pub kind: Option<StudyKind>,
    pub period: Period,
    pub from: String,
    pub to: String,
    pub target: i64,
    pub done: i64,
    pub met: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryDay {
    pub year: i64,
    pub title: String,
    pub body: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CheckInView {
    pub id: Id,
    pub day: String,
    pub kind: StudyKind,
    pub what: String,
    pub minutes: i64,
    pub note: String,
}

/// A member's daily study page.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MyStudy {
    pub day: String,
    pub campaign: Option<String>,
    pub history: Vec<HistoryDay>,
    pub quotas: Vec<QuotaProgress>,
    pub recent: Vec<CheckInView>,
    pub materials: Vec<MaterialView>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MaterialView {
    pub id: Id,
    pub kind: StudyKind,
    pub title: String,
    pub source: String,
    pub minutes: i64,
    pub link: String,
    /// False once the office retires it: members no longer pick it.
    pub active: bool,
}

/// The signed-in member's day: 党史上的今天, quotas with progress, recent
/// check-ins and materials to pick from.
pub async fn my_study(app: &App, ctx: &Ctx) -> AppResult<MyStudy> {
    let (member, path, _) = me(app, ctx).await?;
    let day = app.clock().today();
    let (c, quotas) = quotas_for(app, &path, day).await?;
    let earliest = quotas
        .iter()
        .map(|q| q.2)
        .min()
        .unwrap_or(day)
        .min(day - Duration::days(30));
    let mut conn = app.store().read().await?;
    let rows = study::check_ins_of(&mut conn, member.0, &iso(earliest), &iso(day)).await?;
    let progress = quotas
        .iter()
        .map(|(r, q, from, to)| {
            let (f, t) = (iso(*from), iso(*to));
            let done = done_in(
                rows.iter()
                    .map(|c| (c.day.as_str(), c.kind.as_str(), c.minutes)),
                &f,
                &t,
            );
            let d = done_for(q, *from, *to, &done);
            QuotaProgress {
                label: r.label.clone(),
                kind: q.kind,
                period: q.period,
                from: f,
                to: t,
                target: i64::from(q.target()),
                done: d,
                met: q.met(d.clamp(0, i64::from(u32::MAX)) as u32),
            }
        })
        .collect();
    let history = study::history_on(
        &mut conn,
        i64::from(u8::from(day.month())),
        i64::from(day.day()),
    )
    .await?
    .into_iter()
    .map(|h| HistoryDay {
        year: h.year,
        title: h.title,
        body: h.body,
    })
    .collect();
    let materials = study::materials(&mut conn, 200)
        .await?
        .into_iter()
        .map(material_view)
        .collect();
    let recent = rows.iter().take(10).map(check_in_view).collect();
    Ok(MyStudy {
        day: iso(day),
        campaign: c.map(|c| c.name),
        history,
        quotas: progress,
        recent,
        materials,
    })
}

pub(crate) fn material_view(m: study::MaterialRow) -> MaterialView {
    MaterialView {
        id: Id(m.id),
        kind: m.kind,
        title: m.title,
        source: m.source,
        minutes: m.minutes,
        link: m.link,
        active: m.active == 1,
    }
}

fn check_in_view(c: &CheckInRow) -> CheckInView {
    CheckInView {
        id: Id(c.id),
        day: c.day.clone(),
        kind: c.kind,
        what: c.what.clone(),
        minutes: c.minutes,
        note: c.note.clone(),
    }
}

/// Records what the member studied today.
pub async fn check_in(app: &App, ctx: &Ctx, input: CheckInInput) -> AppResult<CheckInView> {
    let (member, path, allowed) = me(app, ctx).await?;
    let mut errors = Vec::new();
    let given_kind = input.kind.trim();
    let mut kind = StudyKind::parse(given_kind);
    if kind.is_none() && !given_kind.is_empty() {
        errors.push(FieldError::new("kind", "bad_choice").with("value", given_kind));
    }
    let minutes = match input.minutes.trim().parse::<u32>() {
        Ok(m) if (1..=MAX_CHECK_IN_MINUTES).contains(&m) => m,
        _ => {
            errors
                .push(FieldError::new("minutes", "bad_minutes").with("max", MAX_CHECK_IN_MINUTES));
            0
        }
    };
    let mut what = input.what.trim().to_owned();
    let mut material = None;
    if let Some(mid) = input.material_id {
        let mut conn = app.store().read().await?;
        match study::material(&mut conn, mid.0).await? {
            Some(m) if m.active == 0 => {
                errors.push(FieldError::new("material_id", "material_retired"))
            }
            Some(m) => {
                // A material says what kind of study it is: a check-in on a
                // short video counts toward the video quota, never a book's.
                let of_material = Some(m.kind);
                match (kind, of_material) {
                    (Some(k), Some(mk)) if k != mk => errors.push(
                        FieldError::new("kind", "kind_contradicts_material")
                            .with("value", mk.label_zh()),
                    ),
                    _ => kind = kind.or(of_material),
                }
                what = m.title.clone();
                material = Some(m.id);
            }
            None => errors.push(FieldError::new("material_id", "unknown_material")),
        }
    }
    if kind.is_none() && given_kind.is_empty() {
        errors.push(FieldError::new("kind", "required"));
    }
    if what.is_empty() {
        errors.push(FieldError::new("what", "required"));
    } else if what.chars().count() > 200 {
        errors.push(FieldError::new("what", "too_long").with("max", 200));
    }
    let note = input.note.trim().to_owned();
    if note.chars().count() > 2000 {
        errors.push(FieldError::new("note", "too_long").with("max", 2000));
    }
    if [&what, &note].iter().any(|s| {
        s.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    }) {
        errors.push(FieldError::new("note", "control_chars"));
    }
    let Some(kind) = kind else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let row = CheckInRow {
        id: app.next_id().0,
        member_id: member.0,
        unit_id: path.id().0,
        day: iso(app.clock().today()),
        kind,
        material_id: material,
        what,
        minutes: i64::from(minutes),
        note,
        created_at: app.now(),
    };
    let mut deltas = HashMap::new();
    for id in path.ids() {
        deltas.insert(
            (id.0, row.day.clone()),
            Daily {
                check_ins: 1,
                study_minutes: row.minutes,
                ..Daily::default()
            },
        );
    }
    let (_, quotas) = quotas_for(app, &path, app.clock().today()).await?;
    let earliest = quotas
        .iter()
        .map(|q| q.2)
        .min()
        .unwrap_or(app.clock().today());
    let mut tx = Audited::begin(app, allowed).await?;
    xueshi_store::dialect::lock_member(&mut tx, app.store().backend(), member.0).await?;
    let before = study::check_ins_of(&mut tx, member.0, &iso(earliest), &row.day).await?;
    let met = crate::compliance::crossings(
        &quotas,
        before
            .iter()
            .map(|c| (c.day.as_str(), c.kind.as_str(), c.minutes)),
        (row.day.as_str(), row.kind.as_str(), row.minutes),
        &path,
    );
    study::insert_check_ins(&mut tx, std::slice::from_ref(&row)).await?;
    study::add_daily(&mut tx, &deltas).await?;
    xueshi_store::quota_met::add(&mut tx, &met).await?;
    let label = format!("{} {} {}′", row.day, row.what, row.minutes);
    tx.commit(
        Entry::new("study.check_in", "check_in", Some(Id(row.id)), &label)
            .unit(path.id())
            .after(&serde_json::json!({
                "kind": row.kind, "what": row.what, "minutes": row.minutes,
            })),
    )
    .await?;
    Ok(check_in_view(&row))
}

/// A day of a subtree's study, from the counters.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct DayFigures {
    pub day: String,
    pub quiz_takers: i64,
    /// Share of the subtree's members who took the quiz, 0–100.
    pub participation: f64,
    /// Mean share of questions answered correctly, 0–100.
    pub mean_score: f64,
    pub check_ins: i64,
    pub study_minutes: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Ranked {
    pub unit: Crumb,
    pub members: i64,
    pub quiz_takers: i64,
    pub participation: f64,
    pub mean_score: f64,
}

/// The study dashboard of a unit's subtree: the last days' trend, today's
/// leaderboard of its child units (比学赶超) and the longest streaks.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub unit: Crumb,
    pub members: i64,
    pub trend: Vec<DayFigures>,
    pub leaderboard: Vec<Ranked>,
    pub streaks: Vec<StreakView>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StreakView {
    pub member_id: Id,
    pub name: String,
    pub run: i64,
    pub correct: i64,
}

fn figures(day: String, d: Daily, members: i64) -> DayFigures {
    DayFigures {
        day,
        quiz_takers: d.quiz_takers,
        participation: percent(d.quiz_takers, members),
        mean_score: percent(d.quiz_correct, d.quiz_questions),
        check_ins: d.check_ins,
        study_minutes: d.study_minutes,
    }
}

/// Reads counters only, never raw rows: one row per day for the unit and
/// one per child for today.
pub async fn dashboard(app: &App, ctx: &Ctx, unit: Id, days: i64) -> AppResult<Dashboard> {
    let row = load(app, ctx, unit, Action::ViewStudy).await?;
    let today = app.clock().today();
    let from = today - Duration::days(days.clamp(1, 90) - 1);
    let mut conn = app.store().read().await?;
    let members_total = tallies::get(&mut conn, unit.0).await?.members_total;
    let counters = study::daily(&mut conn, &[unit.0], &iso(from), &iso(today)).await?;
    let mut trend = Vec::new();
    let mut d = from;
    while d <= today {
        let key = (unit.0, iso(d));
        trend.push(figures(
            iso(d),
            counters.get(&key).copied().unwrap_or_default(),
            members_total,
        ));
        d = d.next_day().unwrap_or(today + Duration::days(1));
    }
    let children = units::children(&mut conn, unit.0).await?;
    let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let child_tallies = tallies::get_many(&mut conn, &ids).await?;
    let today_s = iso(today);
    let child_counters = study::daily(&mut conn, &ids, &today_s, &today_s).await?;
    let mut leaderboard: Vec<Ranked> = children
        .iter()
        .map(|c| {
            let m = child_tallies.get(&c.id).map_or(0, |t| t.members_total);
            let d = child_counters
                .get(&(c.id, today_s.clone()))
                .copied()
                .unwrap_or_default();
            Ranked {
                unit: Crumb {
                    id: c.id(),
                    name: c.name.clone(),
                },
                members: m,
                quiz_takers: d.quiz_takers,
                participation: percent(d.quiz_takers, m),
                mean_score: percent(d.quiz_correct, d.quiz_questions),
            }
        })
        .filter(|r| r.members > 0)
        .collect();
    leaderboard.sort_by(|a, b| {
        b.participation
            .total_cmp(&a.participation)
            .then(b.mean_score.total_cmp(&a.mean_score))
            .then(a.unit.name.cmp(&b.unit.name))
    });
    let since = iso(today - Duration::days(1));
    // Above this many members, walking the longest runs first finds ten sooner.
    let large = members_total > 50_000;
    let streaks =
        xueshi_store::quiz::top_streaks(&mut conn, &row.path().subtree_range(), &since, 10, large)
            .await?
            .into_iter()
            .map(|(id, name, run, correct)| StreakView {
                member_id: Id(id),
                name,
                run,
                correct,
            })
            .collect();
    Ok(Dashboard {
        unit: Crumb {
            id: row.id(),
            name: row.name.clone(),
        },
        members: members_total,
        trend,
        leaderboard,
        streaks,
    })
}
