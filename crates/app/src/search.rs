//! Finding units and members by name across the actor's scope, 繁體 and 简体
//! alike: one search for the page and the API. Members are found only for
//! roles that may see members; the others see units alone.

use serde::Serialize;
use xueshi_domain::access::{Action, role_allows};

use crate::members::MemberView;
use crate::tree::UnitView;
use crate::{App, AppResult, Ctx};

/// Most units and members one search returns.
const UNITS: i64 = 50;
const MEMBERS: i64 = 100;

/// What a search found.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Found {
    pub units: Vec<UnitView>,
    pub members: Vec<MemberView>,
    /// Whether this actor's role may see members at all.
    #[serde(skip)]
    pub members_shown: bool,
}

/// Units and members whose names hold `query` (trimmed, its first 40
/// characters).
pub async fn search(app: &App, ctx: &Ctx, query: &str) -> AppResult<Found> {
    let query: String = query.trim().chars().take(40).collect();
    let units = crate::tree::search(app, ctx, &query, UNITS).await?;
    let members_shown = role_allows(ctx.actor.role, Action::ViewMembers);
    let members = if members_shown {
        crate::members::search(app, ctx, &query, MEMBERS).await?
    } else {
        Vec::new()
    };
    Ok(Found {
        units,
        members,
        members_shown,
    })
}
