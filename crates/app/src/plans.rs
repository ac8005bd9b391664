//! Implementation plans (实施方案): a campaign's office drafts a plan for an
//! audience, sends a version out for comment (征求意见) to units below it,
//! answers every comment — adopted (采纳), partly (部分采纳) or not (未采纳),
//! with the reason — drafts the next version from the last, and publishes
//! one. A version out for comment is fixed; a published plan takes nothing
//! more. Seed 000: the plan went through nearly 20 drafts and 6 rounds of
//! comment from the counties and the functional boards.

use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::{Action, Denied, Role};
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::invalid::FieldError;
use xueshi_domain::unit::UnitPath;
use xueshi_store::plans::{self as store, CommentRow, NewComment, PlanRow, VersionRow};
use xueshi_store::{study, units};

use crate::audit::{Audited, Entry};
use crate::permit::{Allowed, allow, allow_from_below, may};
use crate::{App, AppError, AppResult, Ctx};

/// Longest plan text.
pub const BODY_MAX: usize = 50_000;
/// Longest comment.
pub const COMMENT_MAX: usize = 2_000;
/// Most units one version is sent to.
pub const CONSULTEES_MAX: usize = 200;

/// Where a version stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Draft,
    /// Out for comment (征求意见).
    Consultation,
    /// Superseded by a later version.
    Closed,
    Published,
}

impl VersionStatus {
    fn of(s: &str) -> VersionStatus {
        match s {
            "consultation" => VersionStatus::Consultation,
            "closed" => VersionStatus::Closed,
            "published" => VersionStatus::Published,
            _ => VersionStatus::Draft,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Consultation => "consultation",
            VersionStatus::Closed => "closed",
            VersionStatus::Published => "published",
        }
    }
}

/// How the office took a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// 采纳.
    Adopted,
    /// 部分采纳.
    Partly,
    /// 未采纳.
    Not,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Adopted, Answer::Partly, Answer::Not];
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Adopted => "adopted",
            Answer::Partly => "partly",
            Answer::Not => "not",
        }
    }
    pub fn parse(s: &str) -> Option<Answer> {
        Answer::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }
}

/// A new plan: its first draft.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PlanInput {
    pub title: String,
    /// Whom it is for (全体党员, 青少年, 大学生 …); may be empty.
    pub audience: String,
    pub body: String,
}

/// Sending a draft out for comment.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ConsultInput {
    /// Units below the campaign's unit.
    pub units: Vec<Id>,
    /// YYYY-MM-DD, today or later.
    pub until: String,
}

/// A consulted unit's comment.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CommentInput {
    /// The consulted unit the comment speaks for.
    pub unit: Option<Id>,
    pub body: String,
}

/// The office's answer to a comment.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AnswerInput {
    /// adopted, partly or not.
    pub answer: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitBrief {
    pub id: Id,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    pub id: Id,
    pub version: i64,
    pub unit: UnitBrief,
    pub body: String,
    pub created_at: i64,
    pub answer: Option<Answer>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VersionView {
    pub id: Id,
    /// 第N稿.
    pub number: i64,
    pub status: VersionStatus,
    pub body: String,
    pub consult_until: Option<String>,
    pub consultees: Vec<UnitBrief>,
    pub comments: Vec<CommentView>,
    pub created_at: i64,
    pub published_at: Option<i64>,
    /// Units of the consultees the reader may comment for, while it is out.
    pub may_comment_for: Vec<UnitBrief>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub id: Id,
    pub campaign: Id,
    pub campaign_name: String,
    pub unit: Id,
    pub unit_name: String,
    pub title: String,
    pub audience: String,
    /// Versions the reader may read (drafts only for the office), first
    /// first.
    pub versions: Vec<VersionView>,
    pub published: bool,
    /// Comments not yet answered, over all versions.
    pub unanswered: usize,
    pub may_write: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlanBrief {
    pub id: Id,
    pub title: String,
    pub audience: String,
    /// The latest version the reader may read: its number and status.
    pub latest: Option<(i64, VersionStatus)>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CampaignPlans {
    pub campaign: Id,
    pub campaign_name: String,
    pub unit: Id,
    pub unit_name: String,
    pub plans: Vec<PlanBrief>,
    pub may_write: bool,
}

fn text(field: &'static str, raw: &str, max: usize, e: &mut Vec<FieldError>) -> String {
    let t = raw.trim().replace("\r\n", "\n");
    if t.is_empty() {
        e.push(FieldError::new(field, "required"));
    } else if t.chars().count() > max {
        e.push(FieldError::new(field, "too_long").with("max", max));
    } else if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        e.push(FieldError::new(field, "control_chars"));
    }
    t
}

/// Plans are office papers: members do not read them.
fn not_member(ctx: &Ctx) -> AppResult<()> {
    if ctx.actor.role == Role::Member {
        return Err(AppError::Forbidden(Denied::RoleLacks));
    }
    Ok(())
}

/// A campaign and its unit's path.
async fn campaign(app: &App, id: Id) -> AppResult<(study::CampaignRow, UnitPath, String)> {
    let mut conn = app.store().read().await?;
    let c = study::campaign(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = units::get(&mut conn, c.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((c, u.path(), u.name))
}

/// A plan with the office's right to write it.
async fn load_written<'a>(app: &App, ctx: &'a Ctx, id: Id) -> AppResult<(PlanRow, Allowed<'a>)> {
    let mut conn = app.store().read().await?;
    let p = store::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let allowed = allow(ctx, Action::ManageStudy, &p.unit_path)?;
    Ok((p, allowed))
}

/// A version with its plan and the office's right to write it.
async fn load_version<'a>(
    app: &App,
    ctx: &'a Ctx,
    id: Id,
) -> AppResult<(VersionRow, PlanRow, Allowed<'a>)> {
    let mut conn = app.store().read().await?;
    let v = store::version(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let (p, allowed) = load_written(app, ctx, Id(v.plan_id)).await?;
    Ok((v, p, allowed))
}

async fn is_published(app: &App, plan: i64) -> AppResult<bool> {
    let mut conn = app.store().read().await?;
    Ok(store::versions(&mut conn, plan)
        .await?
        .iter()
        .any(|v| v.status == "published"))
}

/// Starts a plan of a campaign with its first draft (第1稿).
pub async fn create(app: &App, ctx: &Ctx, campaign_id: Id, input: &PlanInput) -> AppResult<Id> {
    let (c, path, _) = campaign(app, campaign_id).await?;
    let allowed = allow(ctx, Action::ManageStudy, &path)?;
    let mut e = Vec::new();
    let title = text("title", &input.title, 100, &mut e);
    let audience = input.audience.trim().to_owned();
    if audience.chars().count() > 50 {
        e.push(FieldError::new("audience", "too_long").with("max", 50));
    } else if audience.chars().any(char::is_control) {
        e.push(FieldError::new("audience", "control_chars"));
    }
    let body = text("body", &input.body, BODY_MAX, &mut e);
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let id = app.next_id();
    let mut tx = Audited::begin(app, allowed).await?;
    store::insert(
        &mut tx,
        id.0,
        c.id,
        &title,
        &audience,
        Some(ctx.actor.account_id.0),
        app.now(),
    )
    .await?;
    store::insert_version(&mut tx, app.next_id().0, id.0, 1, &body, app.now()).await?;
    tx.commit(
        Entry::new("plan.create", "plan", Some(id), &title)
            .unit(Id(c.unit_id))
            .after(input),
    )
    .await?;
    Ok(id)
}

/// Rewrites a draft. A version out for comment or published is fixed.
pub async fn edit(app: &App, ctx: &Ctx, version: Id, body: &str) -> AppResult<()> {
    let (v, p, allowed) = load_version(app, ctx, version).await?;
    if is_published(app, p.id).await? {
        return Err(AppError::Conflict("plan_published"));
    }
    if v.status != "draft" {
        return Err(AppError::Conflict("version_not_draft"));
    }
    let mut e = Vec::new();
    let body = text("body", body, BODY_MAX, &mut e);
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::set_body(&mut tx, v.id, &body).await? {
        return Err(AppError::Conflict("version_not_draft"));
    }
    tx.commit(
        Entry::new("plan.edit", "plan", Some(Id(p.id)), &p.title)
            .unit(Id(p.unit_id))
            .before(&serde_json::json!({ "number": v.number, "body": v.body }))
            .after(&serde_json::json!({ "number": v.number, "body": body })),
    )
    .await?;
    Ok(())
}

/// Drafts the next version from the latest; a version still out for
/// comment closes.
pub async fn next_version(app: &App, ctx: &Ctx, plan: Id) -> AppResult<Id> {
    let (p, allowed) = load_written(app, ctx, plan).await?;
    let versions = {
        let mut conn = app.store().read().await?;
        store::versions(&mut conn, p.id).await?
    };
    if versions.iter().any(|v| v.status == "published") {
        return Err(AppError::Conflict("plan_published"));
    }
    let Some(last) = versions.last() else {
        return Err(AppError::NotFound);
    };
    if last.status == "draft" {
        return Err(AppError::Conflict("draft_exists"));
    }
    let id = app.next_id();
    let mut tx = Audited::begin(app, allowed).await?;
    store::close_consultations(&mut tx, p.id).await?;
    store::insert_version(&mut tx, id.0, p.id, last.number + 1, &last.body, app.now()).await?;
    tx.commit(
        Entry::new("plan.version", "plan", Some(Id(p.id)), &p.title)
            .unit(Id(p.unit_id))
            .after(&serde_json::json!({ "number": last.number + 1 })),
    )
    .await?;
    Ok(id)
}

/// Sends a draft to units below the campaign's unit for comment until a day.
pub async fn consult(app: &App, ctx: &Ctx, version: Id, input: &ConsultInput) -> AppResult<()> {
    let (v, p, allowed) = load_version(app, ctx, version).await?;
    if is_published(app, p.id).await? {
        return Err(AppError::Conflict("plan_published"));
    }
    if v.status != "draft" {
        return Err(AppError::Conflict("version_not_draft"));
    }
    let mut e = Vec::new();
    let until = input.until.trim();
    match from_iso(until) {
        None if until.is_empty() => e.push(FieldError::new("until", "required")),
        None => e.push(FieldError::new("until", "bad_date").with("value", until)),
        Some(d) if d < app.clock().today() => e.push(FieldError::new("until", "date_in_past")),
        Some(_) => {}
    }
    let mut ids: Vec<Id> = input.units.clone();
    ids.sort_by_key(|i| i.0);
    ids.dedup();
    if ids.is_empty() {
        e.push(FieldError::new("units", "required"));
    } else if ids.len() > CONSULTEES_MAX {
        e.push(FieldError::new("units", "too_many").with("max", CONSULTEES_MAX));
    }
    let mut conn = app.store().read().await?;
    for u in &ids {
        let row = units::get(&mut conn, u.0).await?;
        // A unit outside the office's subtree is refused like any other
        // foreign id: as forbidden, not as a field to correct.
        match row {
            Some(r) if r.path().is_within(&p.unit_path) && r.id != p.unit_id => {}
            Some(r) if !r.path().is_within(&p.unit_path) => {
                return Err(AppError::Forbidden(Denied::OutOfScope));
            }
            _ => e.push(FieldError::new("units", "consultee_not_below").with("value", u.0)),
        }
    }
    drop(conn);
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::open_consultation(&mut tx, v.id, until, app.now()).await? {
        return Err(AppError::Conflict("version_not_draft"));
    }
    for u in &ids {
        store::add_consultee(&mut tx, v.id, u.0).await?;
    }
    tx.commit(
        Entry::new("plan.consult", "plan", Some(Id(p.id)), &p.title)
            .unit(Id(p.unit_id))
            .after(input),
    )
    .await?;
    Ok(())
}

/// A version, read for commenting or answering.
async fn version_and_plan(app: &App, version: Id) -> AppResult<(VersionRow, PlanRow)> {
    let mut conn = app.store().read().await?;
    let v = store::version(&mut conn, version.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = store::get(&mut conn, v.plan_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((v, p))
}

/// A consulted unit comments on a version out for comment.
pub async fn comment(app: &App, ctx: &Ctx, version: Id, input: &CommentInput) -> AppResult<Id> {
    not_member(ctx)?;
    let (v, p) = version_and_plan(app, version).await?;
    let consultees = {
        let mut conn = app.store().read().await?;
        store::consultees(&mut conn, p.id).await?
    };
    let mine: Vec<_> = consultees
        .iter()
        .filter(|c| c.version_id == v.id && may(ctx, Action::ManageTasks, &c.path))
        .collect();
    // Only the units it was sent to speak on a version.
    if mine.is_empty() {
        allow_from_below(ctx, Action::ViewTree, &p.unit_path)?;
        return Err(AppError::invalid("unit", "not_consulted"));
    }
    let unit = match input.unit {
        Some(u) => mine
            .iter()
            .find(|c| c.unit_id == u.0)
            .ok_or_else(|| AppError::invalid("unit", "not_consulted"))?,
        None if mine.len() == 1 => mine[0],
        None => return Err(AppError::invalid("unit", "required")),
    };
    let allowed = allow(ctx, Action::ManageTasks, &unit.path)?;
    if v.status != "consultation" {
        return Err(AppError::Conflict("consultation_closed"));
    }
    let mut e = Vec::new();
    let body = text("body", &input.body, COMMENT_MAX, &mut e);
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let id = app.next_id();
    let mut tx = Audited::begin(app, allowed).await?;
    store::insert_comment(
        &mut tx,
        &NewComment {
            id: id.0,
            version_id: v.id,
            unit_id: unit.unit_id,
            body: &body,
            by: Some(ctx.actor.account_id.0),
            now: app.now(),
        },
    )
    .await?;
    tx.commit(
        Entry::new("plan.comment", "plan", Some(Id(p.id)), &p.title)
            .unit(Id(unit.unit_id))
            .after(&serde_json::json!({ "version": v.number, "body": body })),
    )
    .await?;
    Ok(id)
}

/// The office answers a comment (again, until the plan is published).
pub async fn answer(app: &App, ctx: &Ctx, comment: Id, input: &AnswerInput) -> AppResult<()> {
    let c = {
        let mut conn = app.store().read().await?;
        store::comment(&mut conn, comment.0)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let (v, p) = version_and_plan(app, Id(c.version_id)).await?;
    let allowed = allow(ctx, Action::ManageStudy, &p.unit_path)?;
    if is_published(app, p.id).await? {
        return Err(AppError::Conflict("plan_published"));
    }
    let mut e = Vec::new();
    let answer = Answer::parse(&input.answer);
    if answer.is_none() {
        let field = FieldError::new(
            "answer",
            if input.answer.trim().is_empty() {
                "required"
            } else {
                "bad_choice"
            },
        );
        e.push(field.with("value", input.answer.trim()));
    }
    let reason = text("reason", &input.reason, 1000, &mut e);
    let Some(answer) = answer.filter(|_| e.is_empty()) else {
        return Err(AppError::Invalid(e));
    };
    let mut tx = Audited::begin(app, allowed).await?;
    store::answer(&mut tx, c.id, answer.as_str(), &reason, app.now()).await?;
    tx.commit(
        Entry::new("plan.answer", "plan", Some(Id(p.id)), &p.title)
            .unit(Id(p.unit_id))
            .before(&serde_json::json!({ "answer": c.answer, "reason": c.reason }))
            .after(&serde_json::json!({ "version": v.number, "comment": c.id, "answer": answer, "reason": reason })),
    )
    .await?;
    Ok(())
}

/// Publishes a version. Every comment on every version must have its
/// answer first; after this the plan is fixed.
pub async fn publish(app: &App, ctx: &Ctx, version: Id) -> AppResult<()> {
    let (v, p, allowed) = load_version(app, ctx, version).await?;
    let (versions, comments) = {
        let mut conn = app.store().read().await?;
        (
            store::versions(&mut conn, p.id).await?,
            store::comments(&mut conn, p.id).await?,
        )
    };
    if versions.iter().any(|x| x.status == "published") {
        return Err(AppError::Conflict("plan_published"));
    }
    if versions.last().map(|x| x.id) != Some(v.id) {
        return Err(AppError::Conflict("version_superseded"));
    }
    let open = comments.iter().filter(|c| c.answer.is_none()).count();
    if open > 0 {
        return Err(FieldError::new("comments", "comments_unanswered")
            .with("n", open)
            .into());
    }
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::publish(&mut tx, v.id, app.now()).await? {
        return Err(AppError::Conflict("version_superseded"));
    }
    tx.commit(
        Entry::new("plan.publish", "plan", Some(Id(p.id)), &p.title)
            .unit(Id(p.unit_id))
            .after(&serde_json::json!({ "number": v.number })),
    )
    .await?;
    Ok(())
}

/// A plan, for the office and for the units its campaign governs.
pub async fn get(app: &App, ctx: &Ctx, id: Id) -> AppResult<PlanView> {
    not_member(ctx)?;
    let mut conn = app.store().read().await?;
    let p = store::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    allow_from_below(ctx, Action::ViewTree, &p.unit_path)?;
    let versions = store::versions(&mut conn, p.id).await?;
    let consultees = store::consultees(&mut conn, p.id).await?;
    let comments = store::comments(&mut conn, p.id).await?;
    drop(conn);
    let write = may(ctx, Action::ManageStudy, &p.unit_path);
    let published = versions.iter().any(|v| v.status == "published");
    let unanswered = comments.iter().filter(|c| c.answer.is_none()).count();
    let views = versions
        .iter()
        .filter(|v| write || v.status != "draft")
        .map(|v| {
            let sent: Vec<_> = consultees.iter().filter(|c| c.version_id == v.id).collect();
            VersionView {
                id: Id(v.id),
                number: v.number,
                status: VersionStatus::of(&v.status),
                body: v.body.clone(),
                consult_until: v.consult_until.clone(),
                consultees: sent
                    .iter()
                    .map(|c| UnitBrief {
                        id: Id(c.unit_id),
                        name: c.name.clone(),
                    })
                    .collect(),
                comments: comments
                    .iter()
                    .filter(|c| c.version_id == v.id)
                    .map(|c| comment_view(c, v.number))
                    .collect(),
                created_at: v.created_at,
                published_at: v.published_at,
                may_comment_for: if v.status == "consultation" {
                    sent.iter()
                        .filter(|c| may(ctx, Action::ManageTasks, &c.path))
                        .map(|c| UnitBrief {
                            id: Id(c.unit_id),
                            name: c.name.clone(),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    Ok(PlanView {
        id,
        campaign: Id(p.campaign_id),
        campaign_name: p.campaign_name,
        unit: Id(p.unit_id),
        unit_name: p.unit_name,
        title: p.title,
        audience: p.audience,
        versions: views,
        published,
        unanswered,
        may_write: write,
    })
}

fn comment_view(c: &CommentRow, version: i64) -> CommentView {
    CommentView {
        id: Id(c.id),
        version,
        unit: UnitBrief {
            id: Id(c.unit_id),
            name: c.unit_name.clone(),
        },
        body: c.body.clone(),
        created_at: c.created_at,
        answer: c.answer.as_deref().and_then(Answer::parse),
        reason: c.reason.clone(),
    }
}

/// A campaign's plans, for the office and the units it governs.
pub async fn of_campaign(app: &App, ctx: &Ctx, campaign_id: Id) -> AppResult<CampaignPlans> {
    not_member(ctx)?;
    let (c, path, unit_name) = campaign(app, campaign_id).await?;
    allow_from_below(ctx, Action::ViewTree, &path)?;
    let write = may(ctx, Action::ManageStudy, &path);
    let mut conn = app.store().read().await?;
    let rows = store::of_campaign(&mut conn, c.id).await?;
    let mut plans = Vec::with_capacity(rows.len());
    for p in rows {
        let versions = store::versions(&mut conn, p.id).await?;
        let latest = versions
            .iter()
            .rev()
            .find(|v| write || v.status != "draft")
            .map(|v| (v.number, VersionStatus::of(&v.status)));
        plans.push(PlanBrief {
            id: Id(p.id),
            title: p.title,
            audience: p.audience,
            latest,
        });
    }
    Ok(CampaignPlans {
        campaign: campaign_id,
        campaign_name: c.name,
        unit: Id(c.unit_id),
        unit_name,
        plans,
        may_write: write,
    })
}

/// The units an office may send a version to: those one level below the
/// campaign's unit (the counties and boards of seed 000), for the form.
pub async fn consultable(app: &App, ctx: &Ctx, plan: Id) -> AppResult<Vec<UnitBrief>> {
    let (p, _) = load_written(app, ctx, plan).await?;
    let mut conn = app.store().read().await?;
    Ok(units::children(&mut conn, p.unit_id)
        .await?
        .into_iter()
        .map(|u| UnitBrief {
            id: u.id(),
            name: u.name,
        })
        .collect())
}

/// The day a consultation runs to unless the office says otherwise: a week.
pub fn default_until(app: &App) -> String {
    iso(app.clock().today() + time::Duration::days(7))
}

/// The plan and number of a version, for the office that writes it.
pub async fn version_place(app: &App, ctx: &Ctx, version: Id) -> AppResult<(Id, i64)> {
    let (v, p, _) = load_version(app, ctx, version).await?;
    Ok((Id(p.id), v.number))
}

/// The plan and number of a version, for a reader of the plan (a consulted
/// unit about to comment).
pub async fn version_place_for_comment(app: &App, ctx: &Ctx, version: Id) -> AppResult<(Id, i64)> {
    not_member(ctx)?;
    let (v, p) = version_and_plan(app, version).await?;
    allow_from_below(ctx, Action::ViewTree, &p.unit_path)?;
    Ok((Id(p.id), v.number))
}

/// The plan and version number of a comment, for the office answering it.
pub async fn comment_place(app: &App, ctx: &Ctx, comment: Id) -> AppResult<(Id, i64)> {
    let c = {
        let mut conn = app.store().read().await?;
        store::comment(&mut conn, comment.0)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let (v, p) = version_and_plan(app, Id(c.version_id)).await?;
    allow(ctx, Action::ManageStudy, &p.unit_path)?;
    Ok((Id(p.id), v.number))
}

/// A plan's version out for comment to the reader's unit.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Awaiting {
    pub plan: Id,
    pub title: String,
    pub number: i64,
    pub until: Option<String>,
}

/// What a unit admin's own unit has been asked to comment on, for her
/// to-do.
pub async fn awaiting(app: &App, ctx: &Ctx) -> AppResult<Vec<Awaiting>> {
    if !may(ctx, Action::ManageTasks, &ctx.actor.scope) {
        return Ok(Vec::new());
    }
    let mut conn = app.store().read().await?;
    Ok(store::awaiting(&mut conn, ctx.actor.scope_unit.0)
        .await?
        .into_iter()
        .map(|r| Awaiting {
            plan: Id(r.plan_id),
            title: r.title,
            number: r.number,
            until: r.consult_until,
        })
        .collect())
}
