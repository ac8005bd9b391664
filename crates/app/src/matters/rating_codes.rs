//! Rating codes (评价码): slips the unit prints and hands to the people a
//! matter served, with the matter's QR notice, so that those who raised no
//! problem through the window rate as the served too. Each code rates once
//! per round; only its keyed digest is kept, so the printed slips are shown
//! once and never again.

use rand::RngCore;
use serde::Serialize;
use xueshi_domain::Id;
use xueshi_domain::matter::MatterStatus;
use xueshi_domain::problem::tracking_code;
use xueshi_store::matters;

use super::steps::step_rights;
use crate::audit::{Audited, Entry};
use crate::{App, AppError, AppResult, Ctx};

/// Most slips printed at once (a sheet of A4 holds ten).
pub const MAX_CODES: i64 = 500;

/// The digest a code is kept and looked up by.
pub(crate) fn digest(app: &App, code: &str) -> String {
    app.vault().digest(&format!("matter-rating-code|{code}"))
}

/// Freshly printed codes, in the order of the slips.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedCodes {
    pub matter_id: Id,
    pub title: String,
    pub codes: Vec<String>,
    /// Printed for the matter so far, these included.
    pub issued: i64,
}

/// Prints `count` new codes for a matter not dropped, by its lead or the
/// office; audited with how many, never the codes.
pub async fn issue_rating_codes(
    app: &App,
    ctx: &Ctx,
    matter: Id,
    count: i64,
) -> AppResult<IssuedCodes> {
    let (_, _, allowed) = step_rights(app, ctx, matter).await?;
    if !(1..=MAX_CODES).contains(&count) {
        return Err(AppError::Invalid(vec![
            xueshi_domain::FieldError::new("count", "out_of_range")
                .with("min", 1)
                .with("max", MAX_CODES),
        ]));
    }
    let codes: Vec<String> = {
        let mut rng = rand::rng();
        (0..count).map(|_| tracking_code(rng.next_u64())).collect()
    };
    let digests: Vec<String> = codes.iter().map(|c| digest(app, c)).collect();
    let mut tx = Audited::begin(app, allowed).await?;
    let m = matters::get(&mut tx, matter.0)
        .await?
        .ok_or(AppError::NotFound)?;
    if m.status == MatterStatus::Dropped {
        return Err(AppError::Conflict("matter_dropped"));
    }
    let by = (ctx.actor.account_id.0 != 0).then_some(ctx.actor.account_id.0);
    matters::insert_rating_codes(&mut tx, m.id, &digests, app.now(), by).await?;
    let issued = matters::rating_codes_issued(&mut tx, m.id).await?;
    tx.commit(
        Entry::new("matter.rating_codes", "matter", Some(matter), &m.title)
            .unit(Id(m.unit_id))
            .after(&serde_json::json!({ "printed": count, "issued": issued })),
    )
    .await?;
    Ok(IssuedCodes {
        matter_id: matter,
        title: m.title,
        codes,
        issued,
    })
}

/// How many codes were printed for a matter (its lead or the office).
pub async fn rating_codes_issued(app: &App, ctx: &Ctx, matter: Id) -> AppResult<i64> {
    step_rights(app, ctx, matter).await?;
    let mut conn = app.store().read().await?;
    Ok(matters::rating_codes_issued(&mut conn, matter.0).await?)
}
