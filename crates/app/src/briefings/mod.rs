//! Briefings (简报) and summaries (小结): numbered issues of the campaign's
//! periodic papers, made from the figure catalogue for a unit's subtree and
//! a span of days — the figures, a table of the units below, the units
//! lagging behind, and the office's own words — as a printable page and a
//! Word document whose every figure links to its rows.
//!
//! An issue goes draft → approved → published. A draft is generated again
//! whenever the office asks; a published issue is fixed: its figures are
//! the ones it went out with, and its page shows what has changed since.

pub mod docx;
pub mod review;

use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::briefing::{BriefingKind, BriefingStatus, issue_number};
use xueshi_domain::date::from_iso;
use xueshi_domain::invalid::FieldError;
use xueshi_store::briefings::{self, BriefingRow};
use xueshi_store::units::{self, UnitRow};

use crate::audit::{Audited, Entry};
use crate::figures::{self, Figure, Span, Stated};
use crate::permit::{Allowed, allow};
use crate::tree::load_allowed;
use crate::{App, AppError, AppResult, Ctx};

/// Longest free text an issue carries.
pub const REMARKS_MAX: usize = 5_000;
/// Units named in the lagging list at most.
pub const LAGGING_MAX: usize = 5;

/// A figure as an issue states it, kept with the issue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FigureLine {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub value: i64,
    pub words: String,
    pub flow: bool,
}

impl FigureLine {
    /// Where this figure's rows over `unit` are read (a path; prefix the
    /// server's origin for a link that leaves the site).
    pub fn rows_path(&self, unit: Id, span: &Span) -> String {
        let mut url = format!("/units/{unit}/figures/rows?figure={}", self.key);
        if self.flow {
            url.push_str(&format!("&from={}&to={}", span.from, span.to));
        }
        url
    }
}

impl From<&Stated> for FigureLine {
    fn from(s: &Stated) -> FigureLine {
        FigureLine {
            key: s.key.to_owned(),
            name_zh: s.name_zh.to_owned(),
            name_en: s.name_en.to_owned(),
            value: s.value,
            words: s.words.clone(),
            flow: s.span.is_some(),
        }
    }
}

/// A unit below the issue's unit, in the table and the lagging list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnitLine {
    pub unit: Id,
    pub name: String,
    pub members: i64,
    pub quiz_taken: i64,
    pub check_ins: i64,
    pub matters_done: i64,
    /// Daily quizzes per member per day of the span, in tenths of a percent.
    pub quiz_permille: i64,
}

/// What an issue says, as generated.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Content {
    pub unit_name: String,
    pub figures: Vec<FigureLine>,
    pub units: Vec<UnitLine>,
    /// The units with the fewest daily quizzes per member, fewest first.
    pub lagging: Vec<UnitLine>,
}

/// An issue as its readers see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Briefing {
    pub id: Id,
    pub unit: Id,
    pub kind: BriefingKind,
    pub number: i64,
    /// 第N期.
    pub issue: String,
    pub title: String,
    pub span: Span,
    pub status: BriefingStatus,
    pub remarks: String,
    pub content: Content,
    pub generated_at: i64,
    pub published_at: Option<i64>,
    /// For a published issue, the figures whose records have changed since:
    /// (figure as published, value now).
    pub changed: Vec<(FigureLine, i64)>,
    pub may_write: bool,
}

/// What the office asks for.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewBriefing {
    pub kind: String,
    /// YYYY-MM-DD; empty: the kind's usual span ending `to`.
    #[serde(default)]
    pub from: String,
    /// YYYY-MM-DD; empty: today.
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub remarks: String,
}

fn check_remarks(remarks: &str) -> AppResult<String> {
    let r = remarks.trim().replace("\r\n", "\n");
    if r.chars().count() > REMARKS_MAX {
        return Err(FieldError::new("remarks", "too_long")
            .with("max", REMARKS_MAX)
            .into());
    }
    if r.chars().any(|c| c.is_control() && c != '\n') {
        return Err(FieldError::new("remarks", "control_chars").into());
    }
    Ok(r)
}

/// Generates a new draft issue of `kind` for a unit's subtree.
pub async fn generate(app: &App, ctx: &Ctx, unit: Id, input: &NewBriefing) -> AppResult<Id> {
    let (row, allowed) = load_allowed(app, ctx, unit, Action::WriteBriefings).await?;
    let kind = BriefingKind::parse(&input.kind)
        .ok_or_else(|| FieldError::new("kind", "bad_choice").with("value", input.kind.trim()))?;
    let today = app.clock().today();
    let to = if input.to.trim().is_empty() {
        today
    } else {
        from_iso(input.to.trim())
            .ok_or_else(|| FieldError::new("to", "bad_date").with("value", input.to.trim()))?
    };
    let from = if input.from.trim().is_empty() {
        xueshi_domain::date::iso(to - time::Duration::days(kind.usual_days() - 1))
    } else {
        input.from.clone()
    };
    let span = Span::parse(&from, &xueshi_domain::date::iso(to), today)?;
    let remarks = check_remarks(&input.remarks)?;
    let content = content_of(app, ctx, &row, &span).await?;
    let now = app.now();
    let id = app.next_id();
    let mut tx = Audited::begin(app, allowed).await?;
    let number = briefings::next_number(&mut tx, unit.0, kind).await?;
    let b = BriefingRow {
        id: id.0,
        unit_id: unit.0,
        kind,
        number,
        period_from: span.from.clone(),
        period_to: span.to.clone(),
        remarks,
        content: serde_json::to_string(&content).map_err(|e| AppError::Internal(e.into()))?,
        status: BriefingStatus::Draft,
        created_by: Some(ctx.actor.account_id.0),
        created_at: now,
        updated_at: now,
        generated_at: now,
        approved_at: None,
        published_at: None,
    };
    briefings::insert(&mut tx, &b).await?;
    let label = format!("{} {}", kind.label_zh(), issue_number(number));
    tx.commit(
        Entry::new("briefing.generate", "briefing", Some(id), &label)
            .unit(unit)
            .after(&serde_json::json!({ "from": span.from, "to": span.to })),
    )
    .await?;
    Ok(id)
}

/// The figures, the units below and the lagging list, from the catalogue.
async fn content_of(app: &App, ctx: &Ctx, unit: &UnitRow, span: &Span) -> AppResult<Content> {
    let figures = figures::of_unit(app, ctx, unit.id(), span).await?;
    let (units, lagging) = units_below(app, unit, span).await?;
    Ok(Content {
        unit_name: unit.name.clone(),
        figures: figures.iter().map(FigureLine::from).collect(),
        units,
        lagging,
    })
}

/// The units directly below `unit` with their main figures over `span`,
/// and the [`LAGGING_MAX`] with the fewest daily quizzes per member per
/// day, fewest first. The caller has shown the reader may see `unit`.
pub async fn units_below(
    app: &App,
    unit: &UnitRow,
    span: &Span,
) -> AppResult<(Vec<UnitLine>, Vec<UnitLine>)> {
    let children = {
        let mut conn = app.store().read().await?;
        units::children(&mut conn, unit.id).await?
    };
    let days = span_days(span);
    let mut lines = Vec::with_capacity(children.len());
    for c in &children {
        let v = figures::values_over(
            app,
            c,
            span,
            &[
                Figure::Members,
                Figure::QuizTaken,
                Figure::CheckIns,
                Figure::MattersDone,
            ],
        )
        .await?;
        let (members, quiz_taken) = (v[0], v[1]);
        lines.push(UnitLine {
            unit: c.id(),
            name: c.name.clone(),
            members,
            quiz_taken,
            check_ins: v[2],
            matters_done: v[3],
            quiz_permille: if members > 0 {
                quiz_taken * 1_000 / (members * days)
            } else {
                0
            },
        });
    }
    let mut lagging: Vec<UnitLine> = lines.iter().filter(|l| l.members > 0).cloned().collect();
    lagging.sort_by_key(|l| (l.quiz_permille, l.name.clone()));
    lagging.truncate(LAGGING_MAX);
    Ok((lines, lagging))
}

fn span_days(span: &Span) -> i64 {
    match (from_iso(&span.from), from_iso(&span.to)) {
        (Some(f), Some(t)) => (t - f).whole_days() + 1,
        _ => 1,
    }
}

async fn load<'a>(
    app: &App,
    ctx: &'a Ctx,
    id: Id,
    action: Action,
) -> AppResult<(BriefingRow, UnitRow, Allowed<'a>)> {
    let mut conn = app.store().read().await?;
    let b = briefings::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = units::get(&mut conn, b.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = allow(ctx, action, &u.path())?;
    Ok((b, u, allowed))
}

fn content(b: &BriefingRow) -> AppResult<Content> {
    serde_json::from_str(&b.content).map_err(|e| AppError::Internal(e.into()))
}

/// An issue's masthead title: the paper's name and its number.
pub fn title(kind: BriefingKind, number: i64) -> String {
    format!("{}（{}）", kind.label_zh(), issue_number(number))
}

/// One issue; a published one with what has changed since.
pub async fn get(app: &App, ctx: &Ctx, id: Id) -> AppResult<Briefing> {
    let (b, u, _) = load(app, ctx, id, Action::ReadBriefings).await?;
    let content = content(&b)?;
    let span = Span {
        from: b.period_from.clone(),
        to: b.period_to.clone(),
    };
    let mut changed = Vec::new();
    if b.status == BriefingStatus::Published {
        let now = figures::of_unit(app, ctx, u.id(), &span).await?;
        for f in &content.figures {
            if let Some(n) = now.iter().find(|n| n.key == f.key)
                && n.value != f.value
            {
                changed.push((f.clone(), n.value));
            }
        }
    }
    Ok(Briefing {
        id,
        unit: u.id(),
        kind: b.kind,
        number: b.number,
        issue: issue_number(b.number),
        title: title(b.kind, b.number),
        span,
        status: b.status,
        remarks: b.remarks,
        content,
        generated_at: b.generated_at,
        published_at: b.published_at,
        changed,
        may_write: crate::permit::may(ctx, Action::WriteBriefings, &u.path()),
    })
}

/// A unit's issues, newest first.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BriefingItem {
    pub id: Id,
    pub kind: BriefingKind,
    pub number: i64,
    pub title: String,
    pub span: Span,
    pub status: BriefingStatus,
}

/// A unit's issues, and whether the reader may generate more.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitBriefings {
    pub unit_name: String,
    pub may_write: bool,
    pub items: Vec<BriefingItem>,
}

pub async fn of_unit(app: &App, ctx: &Ctx, unit: Id) -> AppResult<UnitBriefings> {
    let (row, _) = crate::tree::load_allowed(app, ctx, unit, Action::ReadBriefings).await?;
    let mut conn = app.store().read().await?;
    let items = briefings::of_unit(&mut conn, unit.0)
        .await?
        .into_iter()
        .map(|b| BriefingItem {
            id: Id(b.id),
            kind: b.kind,
            number: b.number,
            title: title(b.kind, b.number),
            span: Span {
                from: b.period_from,
                to: b.period_to,
            },
            status: b.status,
        })
        .collect();
    Ok(UnitBriefings {
        unit_name: row.name.clone(),
        may_write: crate::permit::may(ctx, Action::WriteBriefings, &row.path()),
        items,
    })
}

/// Generates a draft again from today's records, with new remarks.
pub async fn regenerate(app: &App, ctx: &Ctx, id: Id, remarks: &str) -> AppResult<()> {
    let (b, u, allowed) = load(app, ctx, id, Action::WriteBriefings).await?;
    if b.status != BriefingStatus::Draft {
        return Err(AppError::Conflict("briefing_not_draft"));
    }
    let remarks = check_remarks(remarks)?;
    let span = Span {
        from: b.period_from.clone(),
        to: b.period_to.clone(),
    };
    let content = content_of(app, ctx, &u, &span).await?;
    let json = serde_json::to_string(&content).map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = Audited::begin(app, allowed).await?;
    if !briefings::set_content(&mut tx, b.id, &json, &remarks, app.now()).await? {
        return Err(AppError::Conflict("briefing_not_draft"));
    }
    tx.commit(
        Entry::new(
            "briefing.regenerate",
            "briefing",
            Some(id),
            &title(b.kind, b.number),
        )
        .unit(u.id()),
    )
    .await
}

/// Moves an issue along its road (approve, publish, or back to draft);
/// `to` is a status's key, read only once the actor may write the issue.
pub async fn set_status(app: &App, ctx: &Ctx, id: Id, to: &str) -> AppResult<()> {
    let (b, u, allowed) = load(app, ctx, id, Action::WriteBriefings).await?;
    let to = BriefingStatus::try_from(to.trim().to_owned())
        .map_err(|_| FieldError::new("status", "bad_choice").with("value", to.trim()))?;
    if !b.status.may_become(to) {
        return Err(AppError::Conflict("briefing_step_not_allowed"));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    if !briefings::set_status(&mut tx, b.id, b.status, to, app.now()).await? {
        return Err(AppError::Conflict("briefing_step_not_allowed"));
    }
    let action = match to {
        BriefingStatus::Approved => "briefing.approve",
        BriefingStatus::Published => "briefing.publish",
        BriefingStatus::Draft => "briefing.reopen",
    };
    tx.commit(
        Entry::new(action, "briefing", Some(id), &title(b.kind, b.number))
            .unit(u.id())
            .before(&b.status)
            .after(&to),
    )
    .await
}

/// The issue as a Word document (audited as an export); `origin` is where
/// readers reach this installation, for the figures' links.
pub async fn document(app: &App, ctx: &Ctx, id: Id, origin: &str) -> AppResult<(String, Vec<u8>)> {
    let b = get(app, ctx, id).await?;
    let (_, _, allowed) = load(app, ctx, id, Action::ReadBriefings).await?;
    let bytes = docx::render(&b, origin)?;
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(Entry::new("briefing.export", "briefing", Some(id), &b.title).unit(b.unit))
        .await?;
    Ok((format!("{}-{}.docx", b.kind.label_zh(), b.issue), bytes))
}
