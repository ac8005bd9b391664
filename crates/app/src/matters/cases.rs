//! Typical cases (典型案例评选): the office nominates finished matters of its
//! subtree into a round; the public votes, once per browser per round, with
//! the signed sum and a ceiling per network address; the results are
//! counted from the votes.

use serde::{Deserialize, Serialize};
use xueshi_domain::access::Action;
use xueshi_domain::date::parse_date;
use xueshi_domain::matter::{MatterStatus, VOTES_PER_ADDRESS};
use xueshi_domain::{FieldError, Id};
use xueshi_store::cases::{self, RoundRow};
use xueshi_store::{matters, units};

use crate::audit::{Audited, Entry};
use crate::permit::{allow, allow_in_scope};
use crate::{App, AppError, AppResult, Ctx};

pub const MAX_NOMINEES: usize = 50;

/// A round as the office opens it.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct RoundInput {
    pub unit_id: Id,
    pub title: String,
    /// Voting closes at the end of this day (YYYY-MM-DD).
    pub closes_on: String,
    pub nominees: Vec<NomineeInput>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct NomineeInput {
    pub matter_id: Id,
    #[serde(default)]
    pub blurb: String,
}

/// A round with its nominees; `votes` are shown to the public once the
/// round has closed, to the office throughout.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RoundView {
    pub id: Id,
    pub title: String,
    pub closes_at: i64,
    pub open: bool,
    pub nominees: Vec<NomineeView>,
    pub votes: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NomineeView {
    pub matter_id: Id,
    pub title: String,
    pub unit: String,
    pub blurb: String,
    pub votes: Option<i64>,
}

/// Opens a round of finished matters of the actor's subtree.
pub async fn create_round(app: &App, ctx: &Ctx, input: RoundInput) -> AppResult<RoundView> {
    let path = {
        let mut conn = app.store().read().await?;
        units::get(&mut conn, input.unit_id.0)
            .await?
            .ok_or_else(|| AppError::invalid("unit_id", "unknown_unit"))?
            .path()
    };
    let allowed = allow(ctx, Action::ManageMatters, &path)?;
    let mut errors = Vec::new();
    let title = input.title.trim();
    if title.is_empty() {
        errors.push(FieldError::new("title", "required"));
    } else if title.chars().count() > 200 {
        errors.push(FieldError::new("title", "too_long").with("max", 200));
    }
    let closes_at = match parse_date("closes_on", &input.closes_on) {
        Ok(d) if d > app.clock().today() => Some(crate::clock::start_of(d.next_day().unwrap_or(d))),
        Ok(_) => {
            errors.push(FieldError::new("closes_on", "not_future"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let mut seen = Vec::new();
    if input.nominees.len() < 2 || input.nominees.len() > MAX_NOMINEES {
        errors.push(
            FieldError::new("nominees", "count")
                .with("min", 2)
                .with("max", MAX_NOMINEES),
        );
    }
    {
        let mut conn = app.store().read().await?;
        for n in &input.nominees {
            let ok = match matters::get(&mut conn, n.matter_id.0).await? {
                Some(m) if m.status == MatterStatus::Done => units::get(&mut conn, m.unit_id)
                    .await?
                    .is_some_and(|u| u.path().is_within(&path)),
                _ => false,
            };
            if !ok {
                errors.push(
                    FieldError::new("nominees", "not_finished_here").with("value", n.matter_id.0),
                );
            } else if seen.contains(&n.matter_id) {
                errors.push(FieldError::new("nominees", "duplicate").with("value", n.matter_id.0));
            }
            seen.push(n.matter_id);
            if n.blurb.chars().count() > 500 {
                errors.push(FieldError::new("blurb", "too_long").with("max", 500));
            }
        }
    }
    let (Some(closes_at), true) = (closes_at, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let r = RoundRow {
        id: app.next_id().0,
        unit_id: input.unit_id.0,
        title: title.to_owned(),
        closes_at,
        created_at: app.now(),
    };
    let nominees: Vec<(i64, String)> = input
        .nominees
        .iter()
        .map(|n| (n.matter_id.0, n.blurb.trim().to_owned()))
        .collect();
    let mut tx = Audited::begin(app, allowed).await?;
    cases::insert_round(&mut tx, &r, &nominees).await?;
    tx.commit(
        Entry::new("case.create", "case_round", Some(Id(r.id)), &r.title)
            .unit(input.unit_id)
            .after(&serde_json::json!({ "nominees": seen, "closes_on": input.closes_on })),
    )
    .await?;
    round(app, Id(r.id), true).await
}

/// A round, with counts when `counts` (the office) or once it has closed.
pub async fn round(app: &App, id: Id, counts: bool) -> AppResult<RoundView> {
    let mut conn = app.store().read().await?;
    let r = cases::get_round(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let open = app.now() < r.closes_at;
    let shown = counts || !open;
    let nominees: Vec<NomineeView> = cases::nominees(&mut conn, r.id)
        .await?
        .into_iter()
        .map(|n| NomineeView {
            matter_id: Id(n.matter_id),
            title: n.title,
            unit: n.unit,
            blurb: n.blurb,
            votes: shown.then_some(n.votes),
        })
        .collect();
    Ok(RoundView {
        votes: shown.then(|| nominees.iter().filter_map(|n| n.votes).sum()),
        id: Id(r.id),
        title: r.title,
        closes_at: r.closes_at,
        open,
        nominees,
    })
}

/// The office's view of a round: live counts, within its subtree.
pub async fn round_for_office(app: &App, ctx: &Ctx, id: Id) -> AppResult<RoundView> {
    let unit = {
        let mut conn = app.store().read().await?;
        cases::get_round(&mut conn, id.0)
            .await?
            .ok_or(AppError::NotFound)?
            .unit_id
    };
    let path = {
        let mut conn = app.store().read().await?;
        units::get(&mut conn, unit)
            .await?
            .ok_or(AppError::NotFound)?
            .path()
    };
    allow(ctx, Action::ViewMatters, &path)?;
    round(app, id, true).await
}

/// Rounds, newest first, for the public: (id, title, closes_at, open).
pub async fn rounds(app: &App) -> AppResult<Vec<(Id, String, i64, bool)>> {
    let mut conn = app.store().read().await?;
    let now = app.now();
    Ok(cases::rounds(&mut conn, 50)
        .await?
        .into_iter()
        .map(|r| (Id(r.id), r.title, r.closes_at, now < r.closes_at))
        .collect())
}

/// Rounds the actor may follow as staff (held by a unit of its subtree),
/// newest first: (id, title, closes_at, open).
pub async fn rounds_in_scope(app: &App, ctx: &Ctx) -> AppResult<Vec<(Id, String, i64, bool)>> {
    allow_in_scope(ctx, Action::ViewMatters)?;
    let mut conn = app.store().read().await?;
    let now = app.now();
    let mut out = Vec::new();
    for r in cases::rounds(&mut conn, 200).await? {
        let Some(u) = units::get(&mut conn, r.unit_id).await? else {
            continue;
        };
        if u.path().is_within(&ctx.actor.scope) {
            out.push((Id(r.id), r.title, r.closes_at, now < r.closes_at));
        }
        if out.len() == 50 {
            break;
        }
    }
    Ok(out)
}

/// What the public sends to vote.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct VoteInput {
    pub matter_id: Id,
    #[serde(default)]
    pub challenge: String,
    #[serde(default)]
    pub answer: String,
}

/// Casts the public's vote in an open round: one per voter (the browser's
/// token) per round, and at most [`VOTES_PER_ADDRESS`] from one address.
pub async fn vote(
    app: &App,
    round_id: Id,
    input: VoteInput,
    voter: &str,
    ip: &str,
) -> AppResult<()> {
    crate::problems::check_challenge(app, &input.challenge, &input.answer)?;
    let voter = app.vault().digest(&format!("case-voter|{voter}"));
    let source = app.vault().digest(&format!("case-source|{ip}"));
    let mut tx = Audited::visitor(app, None, "群众", ip).await?;
    let r = cases::get_round(&mut tx, round_id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    if app.now() >= r.closes_at {
        return Err(AppError::Conflict("round_closed"));
    }
    let nominees = cases::nominees(&mut tx, r.id).await?;
    let Some(nominee) = nominees.iter().find(|n| n.matter_id == input.matter_id.0) else {
        return Err(AppError::Invalid(vec![
            FieldError::new("matter_id", "not_nominated").with("value", input.matter_id.0),
        ]));
    };
    if !cases::add_vote(&mut tx, r.id, &voter, nominee.matter_id, app.now()).await? {
        return Err(AppError::Conflict("already_voted"));
    }
    if !cases::take_source_vote(&mut tx, r.id, &source, VOTES_PER_ADDRESS).await? {
        return Err(AppError::Conflict("address_votes_spent"));
    }
    tx.commit(
        Entry::new("case.vote", "case_round", Some(Id(r.id)), &r.title)
            .unit(Id(r.unit_id))
            .after(&serde_json::json!({ "matter": nominee.matter_id })),
    )
    .await?;
    Ok(())
}
