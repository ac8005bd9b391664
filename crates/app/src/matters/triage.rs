//! Triage of the public's problems (急难愁盼): turned down with a reason the
//! citizen reads, or folded into a matter on the catalogue.

use xueshi_domain::Id;
use xueshi_domain::access::{Action, authorize};
use xueshi_domain::matter::MatterStatus;
use xueshi_store::{matters, problems};

use crate::audit::{Entry, record};
use crate::{App, AppError, AppResult, Ctx};

/// The public's problems wait for the office at the top of the tree: only
/// an actor whose scope is a root may triage them.
fn authorize_triage(ctx: &Ctx) -> AppResult<()> {
    authorize(&ctx.actor, Action::ManageMatters, &ctx.actor.scope)?;
    if ctx.actor.scope.parent().is_some() {
        return Err(AppError::Forbidden(
            xueshi_domain::access::Denied::OutOfScope,
        ));
    }
    Ok(())
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
    let reason = xueshi_domain::invalid::required_text("reason", reason, 500)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let mut tx = app.store().write().await?;
    let p = open_problem(&mut tx, ctx, code).await?;
    matters::settle_problem(&mut tx, p.id, "rejected", &reason, None, app.now()).await?;
    record(
        &mut tx,
        app,
        ctx,
        Entry::new("problem.reject", "problem", Some(Id(p.id)), &p.code)
            .after(&serde_json::json!({ "reason": reason })),
        "ok",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Folds a problem into a matter already on the catalogue.
pub async fn merge_problem(app: &App, ctx: &Ctx, code: &str, matter: Id) -> AppResult<()> {
    let mut tx = app.store().write().await?;
    let p = open_problem(&mut tx, ctx, code).await?;
    let m = matters::get(&mut tx, matter.0)
        .await?
        .ok_or(AppError::NotFound)?;
    if m.status == MatterStatus::Dropped.as_str() {
        return Err(AppError::Conflict("matter_dropped"));
    }
    matters::settle_problem(&mut tx, p.id, "merged", "", Some(m.id), app.now()).await?;
    record(
        &mut tx,
        app,
        ctx,
        Entry::new("problem.merge", "problem", Some(Id(p.id)), &p.code)
            .unit(Id(m.unit_id))
            .after(&serde_json::json!({ "matter": Id(m.id), "title": m.title })),
        "ok",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
