//! The loop's steps: claiming a matter by the rules of seed 001, and each
//! step after it — approve, drop, report progress with photos, finish with
//! outcomes — on the matter's history and in the audit log. Anything the
//! loop does not allow is refused and changes nothing.

use serde::{Deserialize, Serialize};
use xueshi_domain::access::Action;
use xueshi_domain::matter::{ClaimRole, MatterEvent, may_claim, next_status};
use xueshi_domain::unit::UnitPath;
use xueshi_domain::{FieldError, Id};
use xueshi_store::matters::{self, ClaimRow, MatterRow};
use xueshi_store::members;

use super::{MatterView, authorize_catalogue, event_row, matter_path, view};
use crate::audit::{Audited, Entry};
use crate::participant::me;
use crate::permit::{Allowed, allow, allow_if, may};
use crate::{App, AppError, AppResult, Ctx};

/// Takes part in a matter as oneself: a lead (领办) or joining (合领合办).
pub async fn claim(app: &App, ctx: &Ctx, matter: Id, role: &str) -> AppResult<()> {
    let path = matter_path(app, matter).await?;
    let allowed = authorize_catalogue(ctx, Action::ClaimMatters, &path)?;
    let role = match role {
        "lead" => ClaimRole::Lead,
        "join" => ClaimRole::Join,
        other => {
            return Err(AppError::Invalid(vec![
                FieldError::new("role", "bad_choice").with("value", other),
            ]));
        }
    };
    let (member, _, _) = me(app, ctx).await?;
    let level = {
        let mut conn = app.store().read().await?;
        members::get(&mut conn, member.0)
            .await?
            .ok_or(AppError::NotFound)?
            .cadre_level()
    };
    let mut tx = Audited::begin(app, allowed).await?;
    let mut m = matters::get_for_update(&mut tx, app.store().backend(), matter.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let claims = matters::claims(&mut tx, m.id).await?;
    let leads = claims.iter().filter(|c| c.role == "lead").count();
    let mine = claims.iter().any(|c| c.member_id == member.0);
    let status = m.status;
    may_claim(level, role, status, leads, mine).map_err(|r| AppError::Conflict(r.code()))?;
    let from = m.status;
    if role == ClaimRole::Lead {
        if let Some(next) = next_status(status, MatterEvent::Lead) {
            m.status = next;
        }
        // The reporting clock starts with the first lead.
        m.reported_at.get_or_insert(app.now());
    }
    m.updated_at = app.now();
    let role_s = if role == ClaimRole::Lead {
        "lead"
    } else {
        "join"
    };
    matters::insert_claim(
        &mut tx,
        &ClaimRow {
            matter_id: m.id,
            member_id: member.0,
            role: role_s.to_owned(),
            claimed_at: app.now(),
        },
    )
    .await?;
    matters::update_state(&mut tx, &m).await?;
    matters::insert_event(
        &mut tx,
        &event_row(app, &ctx.actor.display_name, &m, role_s, from.as_str(), ""),
    )
    .await?;
    tx.commit(
        Entry::new("matter.claim", "matter", Some(Id(m.id)), &m.title)
            .unit(Id(m.unit_id))
            .after(&serde_json::json!({ "member": member, "role": role_s })),
    )
    .await?;
    app.catalogue_changed();
    Ok(())
}

/// One step of a matter's loop, with what it reports.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    /// `approve`, `drop`, `report` or `finish`.
    #[serde(default)]
    pub event: String,
    #[serde(default)]
    pub note: String,
    /// 0–100, for a report.
    #[serde(default)]
    pub progress: Option<i64>,
    /// What finishing counts (帮办事务, 解决急难愁事项, 化解矛盾纠纷 …).
    #[serde(default)]
    pub outcomes: Outcomes,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Outcomes {
    #[serde(default)]
    pub affairs: i64,
    #[serde(default)]
    pub problems_solved: i64,
    #[serde(default)]
    pub disputes: i64,
    #[serde(default)]
    pub people_served: i64,
    #[serde(default)]
    pub enterprises_served: i64,
    #[serde(default)]
    pub spent_fen: i64,
}

/// Whether the actor manages the matter (else it leads it); refused when
/// neither. Returns the matter's unit path too.
pub(super) async fn step_rights<'a>(
    app: &App,
    ctx: &'a Ctx,
    matter: Id,
) -> AppResult<(bool, UnitPath, Allowed<'a>)> {
    let path = matter_path(app, matter).await?;
    let office = may(ctx, Action::ManageMatters, &path);
    let lead = match ctx.actor.member_id {
        Some(me) => {
            let mut conn = app.store().read().await?;
            matters::claims(&mut conn, matter.0)
                .await?
                .iter()
                .any(|c| c.member_id == me.0 && c.role == "lead")
        }
        None => false,
    };
    let allowed = allow_if(ctx, lead, Action::ManageMatters, &path)?;
    Ok((office, path, allowed))
}

/// Refuses an actor who may take no step of this matter.
pub async fn authorize_step(app: &App, ctx: &Ctx, matter: Id) -> AppResult<()> {
    step_rights(app, ctx, matter).await.map(|_| ())
}

/// Photos one step may carry.
pub const MAX_STEP_PHOTOS: usize = 4;

/// Moves a matter along its loop. The office approves and drops; the lead
/// (or the office) reports progress and finishes it. Anything the loop does
/// not allow is refused and changes nothing.
pub async fn step(
    app: &App,
    ctx: &Ctx,
    matter: Id,
    input: StepInput,
    photos: Vec<Vec<u8>>,
) -> AppResult<MatterView> {
    let (office, path, allowed) = step_rights(app, ctx, matter).await?;
    let event = match input.event.as_str() {
        "approve" => MatterEvent::Approve,
        "drop" => MatterEvent::Drop,
        "report" => MatterEvent::Report,
        "finish" => MatterEvent::Finish,
        other => {
            return Err(AppError::Invalid(vec![
                FieldError::new("event", "bad_choice").with("value", other),
            ]));
        }
    };
    if matches!(event, MatterEvent::Approve | MatterEvent::Drop) && !office {
        allow(ctx, Action::ManageMatters, &path)?;
    }
    let note = input.note.trim().to_owned();
    let mut errors = Vec::new();
    if note.chars().count() > 2_000 {
        errors.push(FieldError::new("note", "too_long").with("max", 2_000));
    }
    if let Some(p) = input.progress.filter(|p| !(0..=100).contains(p)) {
        errors.push(
            FieldError::new("progress", "out_of_range")
                .with("min", 0)
                .with("max", 100)
                .with("value", p),
        );
    }
    let o = input.outcomes;
    if [
        o.affairs,
        o.problems_solved,
        o.disputes,
        o.people_served,
        o.enterprises_served,
        o.spent_fen,
    ]
    .iter()
    .any(|n| *n < 0)
    {
        errors.push(FieldError::new("outcomes", "negative"));
    }
    if event == MatterEvent::Drop && note.is_empty() {
        errors.push(FieldError::new("note", "required"));
    }
    if photos.len() > MAX_STEP_PHOTOS {
        errors.push(FieldError::new("photo", "too_many").with("max", MAX_STEP_PHOTOS));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut checked = Vec::new();
    for p in photos {
        match crate::photo::prepare(app, p).await {
            Ok(ok) => checked.push((ok.kind(), ok.bytes)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    let mut m = matters::get_for_update(&mut tx, app.store().backend(), matter.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = m.status;
    let next = next_status(status, event).ok_or(AppError::Conflict("matter_step_not_allowed"))?;
    let from = m.status;
    m.status = next;
    m.updated_at = app.now();
    match event {
        MatterEvent::Report => {
            m.progress = input.progress.unwrap_or(m.progress);
            m.reported_at = Some(app.now());
        }
        MatterEvent::Finish => {
            m.progress = 100;
            m.round += 1;
            m.finished_at = Some(app.now());
            m.affairs += o.affairs;
            m.problems_solved += o.problems_solved;
            m.disputes += o.disputes;
            m.people_served += o.people_served;
            m.enterprises_served += o.enterprises_served;
            m.spent_fen += o.spent_fen;
        }
        MatterEvent::Drop => m.reason = note.clone(),
        _ => {}
    }
    matters::update_state(&mut tx, &m).await?;
    let ev = event_row(
        app,
        &ctx.actor.display_name,
        &m,
        event.as_str(),
        from.as_str(),
        &note,
    );
    matters::insert_event(&mut tx, &ev).await?;
    for (kind, bytes) in &checked {
        matters::insert_photo(
            &mut tx,
            app.next_id().0,
            m.id,
            ev.id,
            bytes,
            kind.mime(),
            ev.at,
        )
        .await?;
    }
    tx.commit(Entry::new(audit_action(event), "matter", Some(Id(m.id)), &m.title)
        .unit(Id(m.unit_id))
        .before(&serde_json::json!({ "status": from }))
        .after(
            &serde_json::json!({ "status": m.status, "progress": m.progress, "note": note, "photos": checked.len() }),
        )).await?;
    app.catalogue_changed();
    Ok(view(app, &m, ""))
}

impl Outcomes {
    pub(crate) fn of(m: &MatterRow) -> Outcomes {
        Outcomes {
            affairs: m.affairs,
            problems_solved: m.problems_solved,
            disputes: m.disputes,
            people_served: m.people_served,
            enterprises_served: m.enterprises_served,
            spent_fen: m.spent_fen,
        }
    }
}

fn audit_action(e: MatterEvent) -> &'static str {
    match e {
        MatterEvent::Approve => "matter.approve",
        MatterEvent::Drop => "matter.drop",
        MatterEvent::Lead => "matter.claim",
        MatterEvent::Report => "matter.report",
        MatterEvent::Finish => "matter.finish",
        MatterEvent::Reopen => "matter.reopen",
    }
}
