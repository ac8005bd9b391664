//! Triage of the public's problems (急难愁盼): turned down with a reason the
//! citizen reads, or folded into a matter on the catalogue.

use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::matter::MatterStatus;
use xueshi_store::{matters, problems};

use crate::audit::{Audited, Entry};
use crate::permit::{Allowed, allow_in_scope};
use crate::{App, AppError, AppResult, Ctx};

/// The public's problems wait for the office at the top of the tree: only
/// an actor whose scope is a root may triage them.
fn authorize_triage(ctx: &Ctx) -> AppResult<Allowed<'_>> {
    let allowed = allow_in_scope(ctx, Action::ManageMatters)?;
    if ctx.actor.scope.parent().is_some() {
        return Err(AppError::Forbidden(
            xueshi_domain::access::Denied::OutOfScope,
        ));
    }
    Ok(allowed)
}

pub(super) async fn open_problem(
    conn: &mut sqlx::AnyConnection,
    ctx: &Ctx,
    code: &str,
) -> AppResult<problems::ProblemRow> {
    authorize_triage(ctx)?;
    let code = xueshi_domain::problem::normalise_code(code).ok_or(AppError::NotFound)?;
    let p = problems::by_code(conn, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    if p.status != "new" {
        return Err(AppError::Conflict("problem_settled"));
    }
    Ok(p)
}

/// Turns a problem down, with a reason the citizen will read.
pub async fn reject_problem(app: &App, ctx: &Ctx, code: &str, reason: &str) -> AppResult<()> {
    let reason = xueshi_domain::invalid::required_text("reason", reason, 500)?;
    let allowed = authorize_triage(ctx)?;
    let mut tx = Audited::begin(app, allowed).await?;
    let p = open_problem(&mut tx, ctx, code).await?;
    matters::settle_problem(&mut tx, p.id, "rejected", &reason, None, app.now()).await?;
    tx.commit(
        Entry::new("problem.reject", "problem", Some(Id(p.id)), &p.code)
            .after(&serde_json::json!({ "reason": reason })),
    )
    .await?;
    Ok(())
}

/// Folds a problem into a matter already on the catalogue.
pub async fn merge_problem(app: &App, ctx: &Ctx, code: &str, matter: Id) -> AppResult<()> {
    let allowed = authorize_triage(ctx)?;
    let mut tx = Audited::begin(app, allowed).await?;
    let p = open_problem(&mut tx, ctx, code).await?;
    let m = matters::get(&mut tx, matter.0)
        .await?
        .ok_or(AppError::NotFound)?;
    if m.status == MatterStatus::Dropped {
        return Err(AppError::Conflict("matter_dropped"));
    }
    matters::settle_problem(&mut tx, p.id, "merged", "", Some(m.id), app.now()).await?;
    tx.commit(
        Entry::new("problem.merge", "problem", Some(Id(p.id)), &p.code)
            .unit(Id(m.unit_id))
            .after(&serde_json::json!({ "matter": Id(m.id), "title": m.title })),
    )
    .await?;
    Ok(())
}

/// A problem waiting for triage: the contact only masked.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct QueuedProblem {
    pub code: String,
    pub area: String,
    pub body: String,
    pub contact: String,
    pub photo: bool,
    pub reports: i64,
    pub raised_at: i64,
}

pub const QUEUE_PER_PAGE: i64 = 30;

/// The problems waiting for the office, oldest first, with how many wait.
pub async fn queue(app: &App, ctx: &Ctx, page: i64) -> AppResult<(Vec<QueuedProblem>, i64)> {
    authorize_triage(ctx)?;
    let mut conn = app.store().read().await?;
    let (rows, total) =
        problems::queue(&mut conn, QUEUE_PER_PAGE, page.max(0) * QUEUE_PER_PAGE).await?;
    Ok((
        rows.into_iter()
            .map(|r| QueuedProblem {
                code: r.code,
                area: r.area,
                body: r.body,
                contact: r.contact_masked,
                photo: r.has_photo == 1,
                reports: r.reports,
                raised_at: r.created_at,
            })
            .collect(),
        total,
    ))
}

/// A problem's photo, for the office that triages it.
pub async fn problem_photo(app: &App, ctx: &Ctx, code: &str) -> AppResult<(Vec<u8>, String)> {
    authorize_triage(ctx)?;
    let code = xueshi_domain::problem::normalise_code(code).ok_or(AppError::NotFound)?;
    let mut conn = app.store().read().await?;
    let p = problems::by_code(&mut conn, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    match p.photo {
        Some(bytes) => Ok((bytes, p.photo_type)),
        None => Err(AppError::NotFound),
    }
}
