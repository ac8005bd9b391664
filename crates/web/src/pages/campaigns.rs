//! Campaign set-up: a unit's campaigns with the form that starts one (the
//! 五个一 template filled in), and a campaign's form to change it.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use xueshi_app::AppError;
use xueshi_app::campaigns::{
    self, CampaignBrief, CampaignInput, PhaseInput, QuotaInput, UnitCampaigns,
};
use xueshi_domain::Id;
use xueshi_domain::invalid::FieldError;
use xueshi_domain::study::{Period, StudyKind};

use super::home::Done;
use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// Blank rows the form offers for adding phases and quotas.
const BLANK_ROWS: usize = 2;

/// The form's set-up, with blank rows to add to.
struct Fields {
    input: CampaignInput,
    phases: Vec<PhaseInput>,
    quotas: Vec<QuotaInput>,
}

impl Fields {
    fn of(input: CampaignInput) -> Fields {
        let mut phases = input.phases.clone();
        phases.extend((0..BLANK_ROWS).map(|_| PhaseInput::default()));
        let mut quotas = input.quotas.clone();
        quotas.extend((0..BLANK_ROWS).map(|_| QuotaInput {
            period: Period::Week.as_str().into(),
            ..QuotaInput::default()
        }));
        Fields {
            input,
            phases,
            quotas,
        }
    }
}

/// The form as posted into the use-case's input: numbered rows, rows left
/// blank dropped, numbers that are not numbers named (and read as 0, so
/// the form comes back with everything else as typed).
fn parse(f: &HashMap<String, String>) -> (CampaignInput, Vec<FieldError>) {
    let get = |k: &str| f.get(k).map_or("", |v| v.as_str()).to_owned();
    let mut errors = Vec::new();
    let mut number = |field: &'static str, raw: &str| -> i64 {
        let raw = raw.trim();
        if raw.is_empty() {
            return 0;
        }
        raw.parse().unwrap_or_else(|_| {
            errors.push(FieldError::new(field, "not_a_number").with("value", raw));
            0
        })
    };
    let mut phases = Vec::new();
    let mut quotas = Vec::new();
    for i in 0..40 {
        let p = PhaseInput {
            name: get(&format!("phase_name_{i}")),
            starts_on: get(&format!("phase_from_{i}")),
            ends_on: get(&format!("phase_to_{i}")),
        };
        if !(p.name.trim().is_empty() && p.starts_on.is_empty() && p.ends_on.is_empty()) {
            phases.push(p);
        }
        let label = get(&format!("quota_label_{i}"));
        if !label.trim().is_empty() {
            quotas.push(QuotaInput {
                label,
                kind: get(&format!("quota_kind_{i}")),
                count: number("quotas", &get(&format!("quota_count_{i}"))),
                period: get(&format!("quota_period_{i}")),
                minutes: number("quotas", &get(&format!("quota_minutes_{i}"))),
            });
        }
    }
    let input = CampaignInput {
        name: get("name"),
        starts_on: get("starts_on"),
        ends_on: get("ends_on"),
        phases,
        quotas,
        quiz_size: number("quiz_size", &get("quiz_size")),
        quiz_seconds: number("quiz_seconds", &get("quiz_minutes")) * 60,
        quiz_opens: get("quiz_opens"),
        quiz_closes: get("quiz_closes"),
        matter_report_days: number("matter_report_days", &get("matter_report_days")),
    };
    (input, errors)
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    layout: Layout,
    /// The unit's list; `None` on a campaign's own page.
    list: Option<UnitCampaigns>,
    unit: Id,
    unit_name: String,
    /// The reader may open the unit (its crumb is a link).
    unit_in_reach: bool,
    /// The campaign shown (its plans and rhythm are linked).
    campaign: Option<Id>,
    /// The reader is staff, who read the plans and the rhythm.
    office_links: bool,
    /// Where the form posts; `None` when the reader may not write.
    action: Option<String>,
    counting: bool,
    f: Fields,
    kinds: Vec<StudyKind>,
    periods: Vec<Period>,
    errors: FormErrors,
}

impl CampaignsPage {
    fn kind_name(&self, k: &StudyKind) -> &'static str {
        self.layout.tr(&format!("study_kind.{}", k.as_str()))
    }
    fn period_name(&self, p: &Period) -> &'static str {
        self.layout.tr(&format!("period.{}", p.as_str()))
    }
    fn brief(&self, c: &CampaignBrief) -> String {
        format!("{} （{} – {}）", c.name, c.starts_on, c.ends_on)
    }
}

fn page(
    a: &Auth,
    list: Option<UnitCampaigns>,
    unit: (Id, String),
    action: Option<String>,
    counting: bool,
    input: CampaignInput,
    errors: FormErrors,
) -> CampaignsPage {
    let t = a.rc.lang.msg();
    CampaignsPage {
        layout: Layout::new(&a.rc, &format!("{} · {}", unit.1, t.campaigns_title)),
        list,
        unit: unit.0,
        unit_name: unit.1,
        unit_in_reach: true,
        campaign: None,
        office_links: a.ctx().actor.role != xueshi_domain::access::Role::Member,
        action,
        counting,
        f: Fields::of(input),
        kinds: StudyKind::ALL.to_vec(),
        periods: Period::ALL.to_vec(),
        errors,
    }
}

async fn list_page(
    state: &AppState,
    a: &Auth,
    unit: Id,
    input: Option<CampaignInput>,
    errors: FormErrors,
) -> WebResult<CampaignsPage> {
    let l = campaigns::of_unit(&state.app, &a.ctx(), unit).await?;
    let action = l.may_write.then(|| format!("/units/{unit}/campaigns"));
    let name = l.unit_name.clone();
    let input = input.unwrap_or_else(|| campaigns::template(state.app.clock().today()));
    Ok(page(a, Some(l), (unit, name), action, false, input, errors))
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let mut p = list_page(&state, &a, unit, None, FormErrors::default()).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (input, bad) = parse(&f);
    let result = if bad.is_empty() {
        campaigns::create(&state.app, &a.ctx(), unit, &input).await
    } else {
        Err(AppError::Invalid(bad))
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/campaigns/{id}?done=campaign.saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = list_page(
                &state,
                &a,
                unit,
                Some(input),
                FormErrors::new(a.rc.lang, &errors),
            )
            .await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

async fn show_page(
    state: &AppState,
    a: &Auth,
    id: Id,
    input: Option<CampaignInput>,
    errors: FormErrors,
) -> WebResult<CampaignsPage> {
    let v = campaigns::get(&state.app, &a.ctx(), id).await?;
    let action = v.may_write.then(|| format!("/campaigns/{id}"));
    let in_reach = v.unit_in_reach;
    let mut p = page(
        a,
        None,
        (v.unit, v.unit_name),
        action,
        v.counting,
        input.unwrap_or(v.input),
        errors,
    );
    p.unit_in_reach = in_reach;
    p.campaign = Some(id);
    Ok(p)
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let mut p = show_page(&state, &a, id, None, FormErrors::default()).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

pub async fn update(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (input, bad) = parse(&f);
    let result = if bad.is_empty() {
        campaigns::update(&state.app, &a.ctx(), id, &input).await
    } else {
        Err(AppError::Invalid(bad))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{id}?done=campaign.saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = show_page(
                &state,
                &a,
                id,
                Some(input),
                FormErrors::new(a.rc.lang, &errors),
            )
            .await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}
