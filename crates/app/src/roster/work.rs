//! Roster imports and exports run in the background as jobs. Starting one
//! needs the right to it: [`may_import`] hands out the proof an import
//! needs, checked before an upload is read.

use std::sync::Arc;

use xueshi_domain::Id;
use xueshi_domain::access::Action;

use crate::jobs::Job;
use crate::permit::allow_in_scope;
use crate::{App, AppResult, Ctx};

/// Proof that the actor may import a roster into their scope.
pub struct MayImport(Ctx);

/// The right to import, or the refusal.
pub fn may_import(ctx: &Ctx) -> AppResult<MayImport> {
    allow_in_scope(ctx, Action::ImportRoster)?;
    Ok(MayImport(ctx.clone()))
}

/// Starts an import of the workbook `bytes` (named `name`) in the
/// background; the job checks every row and writes all of them or none.
pub fn start_import(app: &App, right: MayImport, name: String, bytes: Vec<u8>) -> Arc<Job> {
    let MayImport(ctx) = right;
    let worker = app.clone();
    app.jobs().spawn(
        app.next_id(),
        ctx.actor.account_id,
        app.now(),
        move |job| async move {
            super::import::run(&worker, &ctx, &name, bytes, job.as_ref()).await
        },
    )
}

/// Starts an export of a unit's subtree roster in the background, once the
/// actor may see the unit; whole numbers (`unmasked`) are checked, and the
/// refusal audited, by the export itself.
pub async fn start_export(app: &App, ctx: &Ctx, unit: Id, unmasked: bool) -> AppResult<Arc<Job>> {
    crate::tree::load(app, ctx, unit, Action::ViewTree).await?;
    let (worker, ctx) = (app.clone(), ctx.clone());
    Ok(app.jobs().spawn(
        app.next_id(),
        ctx.actor.account_id,
        app.now(),
        move |job| async move {
            super::export::roster(&worker, &ctx, unit, unmasked, job.as_ref()).await
        },
    ))
}
