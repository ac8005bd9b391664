//! Campaign set-up (活动设置): the office of a unit starts a study campaign
//! (学习教育活动) over its subtree — its dates and phases, its quotas
//! (五个一 and 每日自学1小时 offered as a template), the daily quiz's size,
//! time and opening hours, and how often matters report progress. The
//! nearest ancestor's campaign governs a unit, so a county can run its own
//! inside a city's. Once a member has been counted against the quotas,
//! the quotas and the first day are fixed: every figure so far stays true.

use serde::{Deserialize, Serialize};
use time::Date;
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::invalid::FieldError;
use xueshi_domain::study::{Period, QuotaKind, StudyKind};
use xueshi_store::study::{self, CampaignRow, PhaseRow, QuotaRow};

use crate::audit::{Audited, Entry};
use crate::permit::may;
use crate::tree::load_allowed;
use crate::{App, AppError, AppResult, Ctx};

/// Longest campaign: three years.
pub const DAYS_MAX: i64 = 3 * 366;
pub const QUOTAS_MAX: usize = 20;
pub const PHASES_MAX: usize = 10;

/// A phase as the office types it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PhaseInput {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// A quota as the office types it: `kind` empty for daily minutes.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct QuotaInput {
    pub label: String,
    /// A study kind's key (book, film, song, video, article,
    /// micro_lecture, experiential), or empty for minutes a day.
    pub kind: String,
    pub count: i64,
    /// day, week, xun, month or campaign.
    pub period: String,
    pub minutes: i64,
}

/// Everything a campaign is set up with. Missing fields are named by the
/// check, not refused as malformed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CampaignInput {
    pub name: String,
    /// YYYY-MM-DD.
    pub starts_on: String,
    pub ends_on: String,
    pub phases: Vec<PhaseInput>,
    pub quotas: Vec<QuotaInput>,
    /// Questions in a member's daily quiz (1–50).
    pub quiz_size: i64,
    /// Seconds allowed once started (30–7200).
    pub quiz_seconds: i64,
    /// HH:MM, Beijing time; the quiz can be started from …
    pub quiz_opens: String,
    /// … until (not including) this time.
    pub quiz_closes: String,
    /// Days between a practical matter's progress reports (1–90).
    pub matter_report_days: i64,
}

/// The quotas of 五个一 and 每日自学1小时, as the reports describe them.
pub fn five_ones() -> Vec<QuotaInput> {
    let q = |label: &str, kind: StudyKind, period: Period| QuotaInput {
        label: label.into(),
        kind: kind.as_str().into(),
        count: 1,
        period: period.as_str().into(),
        minutes: 0,
    };
    vec![
        q("每月读一本书", StudyKind::Book, Period::Month),
        q("每旬看一部红色电影", StudyKind::Film, Period::Xun),
        q("每周唱一首红色歌曲", StudyKind::Song, Period::Week),
        q("每天看一个短视频", StudyKind::Video, Period::Day),
        q(
            "开展一次体验式学习",
            StudyKind::Experiential,
            Period::Campaign,
        ),
        QuotaInput {
            label: "每日自学1小时".into(),
            kind: String::new(),
            count: 0,
            period: Period::Day.as_str().into(),
            minutes: 60,
        },
    ]
}

/// A new campaign's form: from today for six months, three phases, the
/// 五个一 template, five questions in ten minutes, open all day.
pub fn template(today: Date) -> CampaignInput {
    let day = |n: i64| iso(today + time::Duration::days(n));
    CampaignInput {
        name: format!("{}年党史学习教育", today.year()),
        starts_on: day(0),
        ends_on: day(182),
        phases: vec![
            PhaseInput {
                name: "动员部署".into(),
                starts_on: day(0),
                ends_on: day(13),
            },
            PhaseInput {
                name: "学习教育".into(),
                starts_on: day(14),
                ends_on: day(167),
            },
            PhaseInput {
                name: "总结评估".into(),
                starts_on: day(168),
                ends_on: day(182),
            },
        ],
        quotas: five_ones(),
        quiz_size: 5,
        quiz_seconds: 600,
        quiz_opens: "00:00".into(),
        quiz_closes: "24:00".into(),
        matter_report_days: 7,
    }
}

/// A campaign as read back.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CampaignView {
    pub id: Id,
    pub unit: Id,
    pub unit_name: String,
    /// The set-up, in the form it is edited in.
    pub input: CampaignInput,
    /// Members have been counted against its quotas: they and the first day
    /// can no longer change.
    pub counting: bool,
    pub may_write: bool,
    /// The reader may open the campaign's unit (not so for a town reading
    /// the district's campaign).
    pub unit_in_reach: bool,
}

/// The campaigns a unit runs, and the one governing it today (perhaps an
/// ancestor's).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitCampaigns {
    pub unit: Id,
    pub unit_name: String,
    pub governing: Option<CampaignBrief>,
    pub own: Vec<CampaignBrief>,
    pub may_write: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CampaignBrief {
    pub id: Id,
    pub unit: Id,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
}

impl From<&CampaignRow> for CampaignBrief {
    fn from(c: &CampaignRow) -> Self {
        CampaignBrief {
            id: Id(c.id),
            unit: Id(c.unit_id),
            name: c.name.clone(),
            starts_on: c.starts_on.clone(),
            ends_on: c.ends_on.clone(),
        }
    }
}

fn hhmm(m: i64) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn parse_hhmm(field: &'static str, raw: &str, errors: &mut Vec<FieldError>) -> i64 {
    let t = raw.trim();
    let parsed = t.split_once(':').and_then(|(h, m)| {
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        ((0..=24).contains(&h) && (0..60).contains(&m) && h * 60 + m <= 1440).then_some(h * 60 + m)
    });
    parsed.unwrap_or_else(|| {
        errors.push(FieldError::new(field, "bad_time").with("value", t));
        0
    })
}

fn text(field: &'static str, raw: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let t = raw.trim().to_owned();
    if t.is_empty() {
        errors.push(FieldError::new(field, "required"));
    } else if t.chars().count() > max {
        errors.push(FieldError::new(field, "too_long").with("max", max));
    } else if t.chars().any(char::is_control) {
        errors.push(FieldError::new(field, "control_chars"));
    }
    t
}

fn range(field: &'static str, v: i64, min: i64, max: i64, errors: &mut Vec<FieldError>) {
    if !(min..=max).contains(&v) {
        errors.push(
            FieldError::new(field, "out_of_range")
                .with("min", min)
                .with("max", max)
                .with("value", v),
        );
    }
}

fn day(field: &'static str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    let t = raw.trim();
    if t.is_empty() {
        errors.push(FieldError::new(field, "required"));
        return None;
    }
    let d = from_iso(t);
    if d.is_none() {
        errors.push(FieldError::new(field, "bad_date").with("value", t));
    }
    d
}

/// The checked set-up: the campaign's row (ids left for the caller), its
/// phases and quotas.
struct Checked {
    row: CampaignRow,
    phases: Vec<PhaseRow>,
    quotas: Vec<QuotaRow>,
}

fn check(input: &CampaignInput) -> Result<Checked, Vec<FieldError>> {
    let mut e = Vec::new();
    let name = text("name", &input.name, 100, &mut e);
    let starts = day("starts_on", &input.starts_on, &mut e);
    let ends = day("ends_on", &input.ends_on, &mut e);
    if let (Some(s), Some(t)) = (starts, ends) {
        if t < s {
            e.push(FieldError::new("ends_on", "ends_before_start"));
        } else if (t - s).whole_days() > DAYS_MAX {
            e.push(FieldError::new("ends_on", "campaign_too_long").with("max", DAYS_MAX));
        }
    }
    range("quiz_size", input.quiz_size, 1, 50, &mut e);
    range("quiz_seconds", input.quiz_seconds, 30, 7200, &mut e);
    range(
        "matter_report_days",
        input.matter_report_days,
        1,
        90,
        &mut e,
    );
    let opens = parse_hhmm("quiz_opens", &input.quiz_opens, &mut e);
    let closes = parse_hhmm("quiz_closes", &input.quiz_closes, &mut e);
    if closes <= opens && !e.iter().any(|f| f.field.starts_with("quiz_")) {
        e.push(FieldError::new("quiz_closes", "closes_before_opens"));
    }
    if input.phases.len() > PHASES_MAX {
        e.push(FieldError::new("phases", "too_many").with("max", PHASES_MAX));
    }
    let mut phases = Vec::new();
    for (i, p) in input.phases.iter().enumerate() {
        let name = text("phases", &p.name, 30, &mut e);
        let (ps, pe) = (
            day("phases", &p.starts_on, &mut e),
            day("phases", &p.ends_on, &mut e),
        );
        if let (Some(ps), Some(pe), Some(s), Some(t)) = (ps, pe, starts, ends)
            && (pe < ps || ps < s || pe > t)
        {
            e.push(FieldError::new("phases", "phase_outside_campaign").with("value", &name));
        }
        phases.push(PhaseRow {
            id: 0,
            campaign_id: 0,
            name,
            starts_on: p.starts_on.trim().to_owned(),
            ends_on: p.ends_on.trim().to_owned(),
            sort_order: i as i64,
        });
    }
    if input.quotas.len() > QUOTAS_MAX {
        e.push(FieldError::new("quotas", "too_many").with("max", QUOTAS_MAX));
    }
    let mut quotas = Vec::new();
    for (i, q) in input.quotas.iter().enumerate() {
        let label = text("quotas", &q.label, 40, &mut e);
        let kind = match q.kind.trim() {
            "" => None,
            k => match StudyKind::parse(k) {
                Some(k) => Some(k),
                None => {
                    e.push(FieldError::new("quotas", "bad_choice").with("value", k));
                    None
                }
            },
        };
        let period = Period::parse(q.period.trim()).unwrap_or_else(|| {
            e.push(FieldError::new("quotas", "bad_choice").with("value", q.period.trim()));
            Period::Day
        });
        match kind {
            Some(_) => range("quotas", q.count, 1, 100, &mut e),
            None => range("quotas", q.minutes, 1, 600, &mut e),
        }
        quotas.push(QuotaRow {
            id: 0,
            campaign_id: 0,
            unit_id: 0,
            kind: QuotaKind(kind),
            count: if kind.is_some() { q.count } else { 0 },
            period: if kind.is_some() { period } else { Period::Day },
            minutes: if kind.is_some() { 0 } else { q.minutes },
            label,
            sort_order: i as i64,
        });
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Checked {
        row: CampaignRow {
            id: 0,
            unit_id: 0,
            name,
            starts_on: input.starts_on.trim().to_owned(),
            ends_on: input.ends_on.trim().to_owned(),
            quiz_size: input.quiz_size,
            quiz_seconds: input.quiz_seconds,
            quiz_opens: opens,
            quiz_closes: closes,
            matter_report_days: input.matter_report_days,
        },
        phases,
        quotas,
    })
}

/// Another campaign of the same unit whose days meet these: two would
/// leave it unclear which governs.
fn overlapping(
    own: &[CampaignRow],
    except: Option<i64>,
    from: &str,
    to: &str,
) -> Option<FieldError> {
    own.iter()
        .filter(|c| Some(c.id) != except)
        .find(|c| c.starts_on.as_str() <= to && c.ends_on.as_str() >= from)
        .map(|c| FieldError::new("starts_on", "campaign_overlaps").with("value", &c.name))
}

/// Starts a campaign over a unit's subtree.
pub async fn create(app: &App, ctx: &Ctx, unit: Id, input: &CampaignInput) -> AppResult<Id> {
    let (urow, allowed) = load_allowed(app, ctx, unit, Action::ManageStudy).await?;
    let mut c = check(input).map_err(AppError::Invalid)?;
    let mut conn = app.store().read().await?;
    let own = study::campaigns_of_unit(&mut conn, urow.id).await?;
    drop(conn);
    if let Some(e) = overlapping(&own, None, &c.row.starts_on, &c.row.ends_on) {
        return Err(AppError::Invalid(vec![e]));
    }
    let id = app.next_id();
    c.row.id = id.0;
    c.row.unit_id = urow.id;
    let mut tx = Audited::begin(app, allowed).await?;
    study::insert_campaign(&mut tx, &c.row, Some(ctx.actor.account_id.0), app.now()).await?;
    write_parts(app, &mut tx, &c, true).await?;
    tx.commit(
        Entry::new("campaign.create", "campaign", Some(id), &c.row.name)
            .unit(unit)
            .after(input),
    )
    .await?;
    app.placement().changed();
    Ok(id)
}

async fn write_parts(
    app: &App,
    tx: &mut sqlx::AnyConnection,
    c: &Checked,
    quotas: bool,
) -> AppResult<()> {
    let phases: Vec<PhaseRow> = c
        .phases
        .iter()
        .map(|p| PhaseRow {
            id: app.next_id().0,
            campaign_id: c.row.id,
            ..p.clone()
        })
        .collect();
    study::set_phases(tx, c.row.id, &phases).await?;
    if quotas {
        study::delete_quotas(tx, c.row.id).await?;
        for q in &c.quotas {
            let q = QuotaRow {
                id: app.next_id().0,
                campaign_id: c.row.id,
                unit_id: c.row.unit_id,
                ..q.clone()
            };
            study::insert_quota(tx, &q).await?;
        }
    }
    Ok(())
}

async fn load(app: &App, id: Id) -> AppResult<CampaignRow> {
    let mut conn = app.store().read().await?;
    study::campaign(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)
}

/// Whether members have been counted against a campaign's quotas.
async fn counting(
    app: &App,
    c: &CampaignRow,
    unit: &xueshi_store::units::UnitRow,
) -> AppResult<bool> {
    let mut conn = app.store().read().await?;
    Ok(study::checked_in_between(&mut conn, &unit.path(), &c.starts_on, &c.ends_on).await?)
}

fn input_of(c: &CampaignRow, phases: &[PhaseRow], quotas: &[QuotaRow]) -> CampaignInput {
    CampaignInput {
        name: c.name.clone(),
        starts_on: c.starts_on.clone(),
        ends_on: c.ends_on.clone(),
        phases: phases
            .iter()
            .map(|p| PhaseInput {
                name: p.name.clone(),
                starts_on: p.starts_on.clone(),
                ends_on: p.ends_on.clone(),
            })
            .collect(),
        quotas: quotas
            .iter()
            .map(|q| QuotaInput {
                label: q.label.clone(),
                kind: q.kind.0.map_or(String::new(), |k| k.as_str().to_owned()),
                count: q.count,
                period: q.period.as_str().to_owned(),
                minutes: q.minutes,
            })
            .collect(),
        quiz_size: c.quiz_size,
        quiz_seconds: c.quiz_seconds,
        quiz_opens: hhmm(c.quiz_opens),
        quiz_closes: hhmm(c.quiz_closes),
        matter_report_days: c.matter_report_days,
    }
}

/// A campaign's set-up, for those who see its unit's study figures and
/// for those it governs (a town reads the district's campaign).
pub async fn get(app: &App, ctx: &Ctx, id: Id) -> AppResult<CampaignView> {
    let c = load(app, id).await?;
    let urow = {
        let mut conn = app.store().read().await?;
        xueshi_store::units::get(&mut conn, c.unit_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let governs_reader =
        ctx.actor.scope.is_within(&urow.path()) && may(ctx, Action::ViewStudy, &ctx.actor.scope);
    if !governs_reader {
        load_allowed(app, ctx, Id(c.unit_id), Action::ViewStudy).await?;
    }
    let mut conn = app.store().read().await?;
    let phases = study::phases(&mut conn, c.id).await?;
    let quotas = study::quotas(&mut conn, c.id, &[c.unit_id]).await?;
    drop(conn);
    Ok(CampaignView {
        id,
        unit: Id(c.unit_id),
        unit_name: urow.name.clone(),
        input: input_of(&c, &phases, &quotas),
        counting: counting(app, &c, &urow).await?,
        may_write: may(ctx, Action::ManageStudy, &urow.path()),
        unit_in_reach: may(ctx, Action::ViewTree, &urow.path()),
    })
}

/// Changes a campaign's set-up. Once members have been counted, its
/// quotas and first day stay as they were, and it cannot end before today.
pub async fn update(app: &App, ctx: &Ctx, id: Id, input: &CampaignInput) -> AppResult<()> {
    let old = load(app, id).await?;
    let (urow, allowed) = load_allowed(app, ctx, Id(old.unit_id), Action::ManageStudy).await?;
    let mut c = check(input).map_err(AppError::Invalid)?;
    c.row.id = old.id;
    c.row.unit_id = old.unit_id;
    let mut conn = app.store().read().await?;
    let own = study::campaigns_of_unit(&mut conn, urow.id).await?;
    let phases = study::phases(&mut conn, old.id).await?;
    let quotas = study::quotas(&mut conn, old.id, &[old.unit_id]).await?;
    drop(conn);
    let before = input_of(&old, &phases, &quotas);
    let mut errors = Vec::new();
    if let Some(e) = overlapping(&own, Some(old.id), &c.row.starts_on, &c.row.ends_on) {
        errors.push(e);
    }
    let counted = counting(app, &old, &urow).await?;
    let quotas_changed = input_of(&c.row, &[], &c.quotas).quotas != before.quotas;
    if counted {
        if c.row.starts_on != old.starts_on {
            errors.push(FieldError::new("starts_on", "campaign_counting"));
        }
        if quotas_changed {
            errors.push(FieldError::new("quotas", "campaign_counting"));
        }
        let today = iso(app.clock().today());
        if c.row.ends_on < today && c.row.ends_on != old.ends_on {
            errors.push(FieldError::new("ends_on", "ends_before_today"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    study::update_campaign(&mut tx, &c.row).await?;
    write_parts(app, &mut tx, &c, quotas_changed).await?;
    if c.row.starts_on != old.starts_on || c.row.ends_on != old.ends_on {
        crate::rhythm::regenerate(app, &mut tx, &c.row).await?;
    }
    tx.commit(
        Entry::new("campaign.update", "campaign", Some(id), &c.row.name)
            .unit(Id(old.unit_id))
            .before(&before)
            .after(input),
    )
    .await?;
    app.placement().changed();
    Ok(())
}

/// A unit's campaigns and the one that governs it today.
pub async fn of_unit(app: &App, ctx: &Ctx, unit: Id) -> AppResult<UnitCampaigns> {
    let (urow, _) = load_allowed(app, ctx, unit, Action::ViewStudy).await?;
    let governing = crate::participant::campaign(app, &urow.path(), app.clock().today()).await?;
    let mut conn = app.store().read().await?;
    let own = study::campaigns_of_unit(&mut conn, urow.id).await?;
    Ok(UnitCampaigns {
        unit,
        unit_name: urow.name.clone(),
        governing: governing.as_ref().map(CampaignBrief::from),
        own: own.iter().map(CampaignBrief::from).collect(),
        may_write: may(ctx, Action::ManageStudy, &urow.path()),
    })
}
