//! Who an actor is in the campaign: the member behind the account (with
//! their unit's place in the tree) and the campaign that governs a unit on a
//! day. Study, the quiz and practical matters all ask; the answers are
//! cached in `placement`.

use time::Date;
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::iso;
use xueshi_domain::unit::UnitPath;
use xueshi_store::study::{self, CampaignRow};
use xueshi_store::{members, units};

use crate::permit::{Allowed, allow};
use crate::{App, AppError, AppResult, Ctx};

/// The member behind the actor, with their unit's path and the proof that
/// they may study there; refused when the account is not a member's.
pub(crate) async fn me<'a>(app: &App, ctx: &'a Ctx) -> AppResult<(Id, UnitPath, Allowed<'a>)> {
    let member = ctx
        .actor
        .member_id
        .ok_or_else(|| AppError::invalid("member", "not_a_member"))?;
    let path = match app.placement().member(member.0) {
        Some(p) => p,
        None => {
            let stamp = app.placement().stamp();
            let mut conn = app.store().read().await?;
            let m = members::get(&mut conn, member.0)
                .await?
                .ok_or(AppError::NotFound)?;
            let unit = units::get(&mut conn, m.unit_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let path = unit.path();
            app.placement().put_member(stamp, member.0, &path);
            path
        }
    };
    let allowed = allow(ctx, Action::Study, &path)?;
    Ok((member, path, allowed))
}

/// The campaign governing a unit today.
pub(crate) async fn campaign(
    app: &App,
    path: &UnitPath,
    day: Date,
) -> AppResult<Option<CampaignRow>> {
    let day = iso(day);
    if let Some(c) = app.placement().campaign(path.id().0, &day) {
        return Ok(c);
    }
    let stamp = app.placement().stamp();
    let ids: Vec<i64> = path.ids().iter().map(|i| i.0).collect();
    let mut conn = app.store().read().await?;
    let c = study::campaign_for(&mut conn, &ids, &day).await?;
    app.placement()
        .put_campaign(stamp, path.id().0, &day, c.clone());
    Ok(c)
}
