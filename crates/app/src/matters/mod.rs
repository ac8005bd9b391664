//! Practical matters for the masses (我为群众办实事): putting matters on the
//! catalogue, triaging the public's problems into them, claiming by the rules
//! of seed 001, and each step of the loop 立项 → 领办 → 推进 → 办结 (and
//! reopening), every one kept on the matter's history and in the audit log.
//! Illegal steps are refused and change nothing.
//!
//! `steps` claims matters and moves them along the loop; `triage` settles
//! the public's problems; `board` reads a subtree's catalogue; `catalogue`
//! is its workbook; `cases` the typical-case rounds; `public` is what anyone
//! may do without an account; `rating_codes` the slips handed to the people
//! a matter served.

pub mod board;
pub mod cases;
mod catalogue;
mod public;
mod rating_codes;
mod steps;
mod triage;

pub use catalogue::{CATALOGUE_COLUMNS, CatalogueImported, export_catalogue, import_catalogue};
pub(crate) use public::PublicTotals;
pub use public::{
    PublicDetail, PublicList, PublicMatter, PublicQuery, Rated, RatingInput, public_detail,
    public_list, public_summary, rate,
};
pub use rating_codes::{IssuedCodes, MAX_CODES, issue_rating_codes, rating_codes_issued};
pub use steps::{MAX_STEP_PHOTOS, Outcomes, StepInput, authorize_step, claim, step};
pub use triage::{
    QUEUE_PER_PAGE, QueuedProblem, merge_problem, problem_photo, queue, reject_problem,
};

use serde::{Deserialize, Serialize};
use xueshi_domain::access::Action;
use xueshi_domain::date::{iso, parse_date};
use xueshi_domain::matter::{MatterLevel, MatterStatus, REPORT_CADENCES, behind_report, overdue};
use xueshi_domain::text::fold;
use xueshi_domain::unit::UnitPath;
use xueshi_domain::{FieldError, Id};
use xueshi_store::matters::{self, EventRow, MatterRow};
use xueshi_store::{members, units};

use crate::audit::{Audited, Entry};
use crate::permit::{Allowed, allow, allow_from_below, allow_in_scope, may};
use crate::{App, AppError, AppResult, Ctx};

/// A matter as the office writes it.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct MatterInput {
    pub unit_id: Id,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// `province_key`, `city_key`, `district_key`, `general`, `unit_own`, or
    /// the Chinese label.
    pub level: String,
    /// A field's name (产业发展, 民生改善 …).
    pub field: String,
    /// YYYY-MM-DD
    pub deadline: String,
    #[serde(default)]
    pub target: String,
    /// In yuan, optional.
    #[serde(default)]
    pub budget_yuan: String,
}

/// A matter with its loop's state.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MatterView {
    pub id: Id,
    pub unit_id: Id,
    pub title: String,
    pub level: String,
    pub field: String,
    pub status: String,
    pub deadline: String,
    pub progress: i64,
    pub round: i64,
    /// Past its deadline unfinished (逾期).
    pub overdue: bool,
    /// Led, and its last progress report older than its cadence.
    pub behind_report: bool,
    /// Days between progress reports.
    pub report_days: i64,
}

pub(crate) fn view(app: &App, m: &MatterRow, field: &str) -> MatterView {
    let status = m.status;
    MatterView {
        overdue: overdue(status, &m.deadline, &iso(app.clock().today())),
        behind_report: behind_report(status, m.reported_at, m.report_days, app.now()),
        report_days: m.report_days,
        id: Id(m.id),
        unit_id: Id(m.unit_id),
        title: m.title.clone(),
        level: m.level.as_str().to_owned(),
        field: field.to_owned(),
        status: m.status.as_str().to_owned(),
        deadline: m.deadline.clone(),
        progress: m.progress,
        round: m.round,
    }
}

/// Yuan as typed (`12,345.6`) in fen; empty is nothing.
pub fn parse_yuan(field: &'static str, raw: &str) -> Result<i64, FieldError> {
    let raw = raw.trim().replace(',', "");
    if raw.is_empty() {
        return Ok(0);
    }
    let (whole, frac) = raw.split_once('.').unwrap_or((&raw, ""));
    let bad = || FieldError::new(field, "bad_money").with("value", raw.as_str());
    if frac.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    w.checked_mul(100)
        .and_then(|x| x.checked_add(f))
        .ok_or_else(bad)
}

/// Checks a matter as typed, against the catalogue's fields, and reports
/// every problem by field.
pub(crate) fn draft(
    app: &App,
    input: &MatterInput,
    fields: &[(i64, String)],
) -> Result<(MatterRow, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = input.title.trim();
    if title.is_empty() {
        errors.push(FieldError::new("title", "required"));
    } else if title.chars().count() > 200 {
        errors.push(FieldError::new("title", "too_long").with("max", 200));
    }
    if input.description.chars().count() > 5_000 {
        errors.push(FieldError::new("description", "too_long").with("max", 5_000));
    }
    if input.target.chars().count() > 500 {
        errors.push(FieldError::new("target", "too_long").with("max", 500));
    }
    let level = MatterLevel::parse(&input.level);
    if level.is_none() {
        errors.push(FieldError::new("level", "bad_choice").with("value", input.level.trim()));
    }
    let field_name = input.field.trim().to_owned();
    let field = fields
        .iter()
        .find(|(_, n)| *n == field_name)
        .map(|(id, _)| *id);
    if field.is_none() {
        errors.push(FieldError::new("field", "bad_choice").with("value", &field_name));
    }
    let deadline = parse_date("deadline", &input.deadline)
        .map_err(|e| errors.push(e))
        .ok();
    let budget = parse_yuan("budget_yuan", &input.budget_yuan)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(level), Some(field), Some(deadline), Some(budget), true) =
        (level, field, deadline, budget, errors.is_empty())
    else {
        return Err(errors);
    };
    let now = app.now();
    Ok((
        MatterRow {
            id: app.next_id().0,
            unit_id: input.unit_id.0,
            title: title.to_owned(),
            title_folded: fold(title),
            description: input.description.trim().to_owned(),
            level,
            field_id: field,
            status: MatterStatus::Approved,
            deadline: iso(deadline),
            target: input.target.trim().to_owned(),
            budget_fen: budget,
            created_at: now,
            updated_at: now,
            report_days: REPORT_CADENCES[0],
            ..MatterRow::default()
        },
        field_name,
    ))
}

/// The seeds' fields, which a new installation starts with (those already
/// there are kept).
pub async fn add_default_fields(app: &App) -> AppResult<()> {
    let rows: Vec<(i64, &str, i64)> = xueshi_domain::matter::DEFAULT_FIELDS
        .iter()
        .zip(1..)
        .map(|(name, order)| (app.next_id().0, *name, order))
        .collect();
    let mut tx = app.store().write().await?;
    matters::add_fields(&mut tx, &rows).await?;
    tx.commit().await?;
    Ok(())
}

/// The reporting cadence of the campaign governing a unit today; weekly
/// when no campaign does.
/// Adds a field (领域) to the catalogue. Fields are shared by the whole
/// tree, so only an office whose scope is a root adds them.
pub async fn add_field(app: &App, ctx: &Ctx, name: &str) -> AppResult<()> {
    let allowed = allow_in_scope(ctx, Action::ManageMatters)?;
    if ctx.actor.scope.parent().is_some() {
        return Err(AppError::Forbidden(
            xueshi_domain::access::Denied::OutOfScope,
        ));
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "required"));
    }
    if name.chars().count() > 20 {
        return Err(AppError::Invalid(vec![
            FieldError::new("name", "too_long").with("max", 20),
        ]));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    let fields = matters::fields(&mut tx).await?;
    if fields.iter().any(|(_, n)| fold(n) == fold(name)) {
        return Err(AppError::Conflict("field_exists"));
    }
    let id = app.next_id().0;
    matters::add_fields(&mut tx, &[(id, name, fields.len() as i64 + 1)]).await?;
    tx.commit(
        Entry::new("matter.field", "matter_field", Some(Id(id)), name).unit(ctx.actor.scope_unit),
    )
    .await?;
    Ok(())
}

pub(crate) async fn cadence(app: &App, path: &UnitPath) -> AppResult<i64> {
    let ids: Vec<i64> = path.ids().iter().map(|i| i.0).collect();
    let mut conn = app.store().read().await?;
    let today = iso(app.clock().today());
    Ok(matters::cadence_for(&mut conn, &ids, &today)
        .await?
        .map_or(REPORT_CADENCES[0], |(_, _, days)| days))
}

async fn unit_path(app: &App, unit: i64) -> AppResult<UnitPath> {
    let mut conn = app.store().read().await?;
    Ok(units::get(&mut conn, unit)
        .await?
        .ok_or_else(|| AppError::invalid("unit_id", "unknown_unit"))?
        .path())
}

pub(super) fn event_row(
    app: &App,
    actor: &str,
    m: &MatterRow,
    e: &str,
    from: &str,
    note: &str,
) -> EventRow {
    EventRow {
        id: app.next_id().0,
        matter_id: m.id,
        at: app.now(),
        actor_name: actor.to_owned(),
        event: e.to_owned(),
        from_status: from.to_owned(),
        to_status: m.status.as_str().to_owned(),
        progress: Some(m.progress),
        note: note.to_owned(),
    }
}

/// Puts a matter on the catalogue (立项) under a unit of the actor's subtree.
/// With `problem`, the matter takes up that problem from the public.
pub async fn create(
    app: &App,
    ctx: &Ctx,
    input: MatterInput,
    problem: Option<&str>,
) -> AppResult<MatterView> {
    let path = unit_path(app, input.unit_id.0).await?;
    let allowed = allow(ctx, Action::ManageMatters, &path)?;
    let fields = {
        let mut conn = app.store().read().await?;
        matters::fields(&mut conn).await?
    };
    let (mut m, field) = draft(app, &input, &fields).map_err(AppError::Invalid)?;
    m.report_days = cadence(app, &path).await?;
    let mut tx = Audited::begin(app, allowed).await?;
    let from_problem = match problem {
        Some(code) => Some(triage::open_problem(&mut tx, ctx, code).await?),
        None => None,
    };
    matters::insert(&mut tx, &m).await?;
    let note = from_problem
        .as_ref()
        .map(|p| p.code.clone())
        .unwrap_or_default();
    matters::insert_event(
        &mut tx,
        &event_row(
            app,
            &ctx.actor.display_name,
            &m,
            "approve",
            "collected",
            &note,
        ),
    )
    .await?;
    if let Some(p) = &from_problem {
        matters::settle_problem(&mut tx, p.id, "accepted", "", Some(m.id), app.now()).await?;
    }
    tx.commit(Entry::new("matter.create", "matter", Some(Id(m.id)), &m.title)
        .unit(Id(m.unit_id))
        .after(&serde_json::json!({ "level": m.level, "field": field, "deadline": m.deadline, "problem": note }))).await?;
    app.catalogue_changed();
    Ok(view(app, &m, &field))
}

async fn matter_path(app: &App, matter: Id) -> AppResult<UnitPath> {
    let mut conn = app.store().read().await?;
    let m = matters::get(&mut conn, matter.0)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(units::get(&mut conn, m.unit_id)
        .await?
        .ok_or(AppError::NotFound)?
        .path())
}

/// Whether the actor may manage this matter (approve, drop, report for it).
pub async fn may_manage(app: &App, ctx: &Ctx, matter: Id) -> AppResult<bool> {
    let path = matter_path(app, matter).await?;
    Ok(may(ctx, Action::ManageMatters, &path))
}

/// A photo of a matter's progress, for those who may see the matter.
pub async fn photo(app: &App, ctx: &Ctx, matter: Id, photo: Id) -> AppResult<(Vec<u8>, String)> {
    let path = matter_path(app, matter).await?;
    authorize_catalogue(ctx, Action::ViewMatters, &path)?;
    let mut conn = app.store().read().await?;
    matters::photo(&mut conn, matter.0, photo.0)
        .await?
        .ok_or(AppError::NotFound)
}

/// The catalogue is seen and claimed from below: a matter of a unit above
/// the actor's scope is theirs to see and claim, as is any matter inside it.
fn authorize_catalogue<'a>(
    ctx: &'a Ctx,
    action: Action,
    path: &UnitPath,
) -> AppResult<Allowed<'a>> {
    allow_from_below(ctx, action, path)
}

/// A matter with who takes part and its history.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MatterDetail {
    pub matter: MatterView,
    pub unit: String,
    pub description: String,
    pub target: String,
    pub budget_fen: i64,
    /// Photos carried by the history's reports: (photo, history entry).
    pub photos: Vec<(Id, Id)>,
    pub claims: Vec<ClaimView>,
    pub history: Vec<HistoryEntry>,
    pub outcomes: Outcomes,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClaimView {
    pub member_id: Id,
    pub name: String,
    pub role: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub id: Id,
    pub at: i64,
    pub actor: String,
    pub event: String,
    pub from: String,
    pub to: String,
    pub progress: Option<i64>,
    pub note: String,
}

pub async fn detail(app: &App, ctx: &Ctx, id: Id) -> AppResult<MatterDetail> {
    let mut conn = app.store().read().await?;
    let m = matters::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = units::get(&mut conn, m.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    authorize_catalogue(ctx, Action::ViewMatters, &unit.path())?;
    let photos = matters::photos_of(&mut conn, m.id)
        .await?
        .into_iter()
        .map(|(p, e)| (Id(p), Id(e)))
        .collect();
    let field = matters::fields(&mut conn)
        .await?
        .into_iter()
        .find(|f| f.0 == m.field_id)
        .map(|f| f.1)
        .unwrap_or_default();
    let mut claims = Vec::new();
    for c in matters::claims(&mut conn, m.id).await? {
        let name = members::get(&mut conn, c.member_id)
            .await?
            .map(|r| r.name)
            .unwrap_or_default();
        claims.push(ClaimView {
            member_id: Id(c.member_id),
            name,
            role: c.role,
        });
    }
    let history = matters::events(&mut conn, m.id)
        .await?
        .into_iter()
        .map(|e| HistoryEntry {
            id: Id(e.id),
            at: e.at,
            actor: e.actor_name,
            event: e.event,
            from: e.from_status,
            to: e.to_status,
            progress: e.progress,
            note: e.note,
        })
        .collect();
    Ok(MatterDetail {
        outcomes: Outcomes::of(&m),
        matter: view(app, &m, &field),
        unit: unit.name,
        description: m.description.clone(),
        target: m.target.clone(),
        budget_fen: m.budget_fen,
        photos,
        claims,
        history,
    })
}
