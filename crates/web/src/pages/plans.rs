//! Implementation plans: a campaign's plans with the form that starts one;
//! a plan with its versions (第N稿), each version's consultees, comments and
//! answers, and the forms the office and the consulted units use on it.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::plans::{
    self, Answer, AnswerInput, CampaignPlans, CommentInput, CommentView, ConsultInput, PlanInput,
    PlanView, UnitBrief, VersionStatus, VersionView,
};
use xueshi_domain::Id;
use xueshi_domain::invalid::FieldError;

use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "plans.html")]
struct ListPage {
    layout: Layout,
    l: CampaignPlans,
    form: HashMap<String, String>,
    errors: FormErrors,
}

impl ListPage {
    fn get(&self, k: &str) -> &str {
        self.form.get(k).map_or("", |v| v.as_str())
    }
    fn status(&self, s: &VersionStatus) -> &'static str {
        self.layout.tr(&format!("plans.status_{}", s.as_str()))
    }
}

async fn list_page(
    state: &AppState,
    a: &Auth,
    campaign: Id,
    form: HashMap<String, String>,
    errors: &[FieldError],
) -> WebResult<ListPage> {
    let l = plans::of_campaign(&state.app, &a.ctx(), campaign).await?;
    Ok(ListPage {
        layout: Layout::new(
            &a.rc,
            &format!("{} · {}", l.campaign_name, a.rc.lang.msg().plans_title),
        ),
        l,
        form,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<super::home::Done>,
) -> WebResult<Response> {
    let mut p = list_page(&state, &a, id, HashMap::new(), &[]).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = PlanInput {
        title: get("title"),
        audience: get("audience"),
        body: get("body"),
    };
    match plans::create(&state.app, &a.ctx(), id, &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/plans/{p}?done=plans.saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = list_page(&state, &a, id, f, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    /// The version shown (its number); the latest when absent.
    #[serde(default)]
    v: Option<i64>,
    #[serde(default)]
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    layout: Layout,
    p: PlanView,
    /// The version shown.
    v: Option<VersionView>,
    /// Whether `v` is the plan's latest version.
    latest: bool,
    /// Units the office may send a draft to.
    consultable: Vec<UnitBrief>,
    until: String,
    answers: Vec<Answer>,
    form: HashMap<String, String>,
    errors: FormErrors,
}

impl PlanPage {
    fn get(&self, k: &str) -> &str {
        self.form.get(k).map_or("", |v| v.as_str())
    }
    fn status(&self, s: &VersionStatus) -> &'static str {
        self.layout.tr(&format!("plans.status_{}", s.as_str()))
    }
    fn any_comments(&self) -> bool {
        self.p.versions.iter().any(|v| !v.comments.is_empty())
    }
    fn picked(&self, c: &CommentView, a: &Answer) -> bool {
        c.answer == Some(*a)
    }
    fn answer_name(&self, a: &Answer) -> &'static str {
        self.layout.tr(&format!("plans.answer_{}", a.as_str()))
    }
}

async fn plan_page(
    state: &AppState,
    a: &Auth,
    id: Id,
    number: Option<i64>,
    form: HashMap<String, String>,
    errors: &[FieldError],
) -> WebResult<PlanPage> {
    let ctx = a.ctx();
    let p = plans::get(&state.app, &ctx, id).await?;
    let last = p.versions.last().map(|v| v.number);
    let v = match number {
        Some(n) => p.versions.iter().find(|v| v.number == n).cloned(),
        None => p.versions.last().cloned(),
    };
    let consultable = if p.may_write && !p.published {
        plans::consultable(&state.app, &ctx, id).await?
    } else {
        Vec::new()
    };
    Ok(PlanPage {
        layout: Layout::new(&a.rc, &p.title),
        latest: v.as_ref().map(|v| v.number) == last,
        p,
        v,
        consultable,
        until: plans::default_until(&state.app),
        answers: Answer::ALL.to_vec(),
        form,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<PlanQuery>,
) -> WebResult<Response> {
    let mut p = plan_page(&state, &a, id, q.v, HashMap::new(), &[]).await?;
    p.layout = p.layout.notice(q.done.as_deref());
    Ok(render(&p))
}

/// After a write: back to the plan on the version written, or the page
/// again with what was wrong.
async fn after(
    state: &AppState,
    a: &Auth,
    plan: Id,
    number: Option<i64>,
    r: Result<(), AppError>,
    done: &str,
    form: HashMap<String, String>,
) -> WebResult<Response> {
    let v = number.map(|n| format!("v={n}&")).unwrap_or_default();
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/plans/{plan}?{v}done={done}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = plan_page(state, a, plan, number, form, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn next_version(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    plans::next_version(&state.app, &a.ctx(), id).await?;
    Ok(Redirect::to(&format!("/plans/{id}?done=plans.version_saved")).into_response())
}

/// The plan and number of a version the actor has just written to.
async fn where_is(state: &AppState, a: &Auth, version: Id) -> WebResult<(Id, i64)> {
    Ok(plans::version_place(&state.app, &a.ctx(), version).await?)
}

pub async fn edit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (plan, n) = where_is(&state, &a, id).await?;
    let body = f.get("body").cloned().unwrap_or_default();
    let r = plans::edit(&state.app, &a.ctx(), id, &body).await;
    after(&state, &a, plan, Some(n), r, "plans.draft_saved", f).await
}

pub async fn consult(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (plan, n) = where_is(&state, &a, id).await?;
    let mut bad = Vec::new();
    let units = f
        .iter()
        .filter(|(k, _)| k == "unit")
        .filter_map(|(_, v)| {
            v.parse::<Id>()
                .map_err(|_| {
                    bad.push(FieldError::new("units", "bad_choice").with("value", v.as_str()))
                })
                .ok()
        })
        .collect();
    let until = f
        .iter()
        .find(|(k, _)| k == "until")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let r = if bad.is_empty() {
        plans::consult(&state.app, &a.ctx(), id, &ConsultInput { units, until }).await
    } else {
        Err(AppError::Invalid(bad))
    };
    let form = f.into_iter().collect();
    after(&state, &a, plan, Some(n), r, "plans.consult_saved", form).await
}

pub async fn comment(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (plan, n) = plans::version_place_for_comment(&state.app, &a.ctx(), id).await?;
    let unit = f.get("unit").and_then(|u| u.parse::<Id>().ok());
    let input = CommentInput {
        unit,
        body: f.get("comment").cloned().unwrap_or_default(),
    };
    let r = plans::comment(&state.app, &a.ctx(), id, &input)
        .await
        .map(|_| ());
    after(&state, &a, plan, Some(n), r, "plans.comment_saved", f).await
}

pub async fn publish(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let (plan, n) = where_is(&state, &a, id).await?;
    let r = plans::publish(&state.app, &a.ctx(), id).await;
    after(
        &state,
        &a,
        plan,
        Some(n),
        r,
        "plans.published",
        HashMap::new(),
    )
    .await
}

pub async fn answer(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (plan, n) = plans::comment_place(&state.app, &a.ctx(), id).await?;
    let input = AnswerInput {
        answer: f.get("answer").cloned().unwrap_or_default(),
        reason: f.get("reason").cloned().unwrap_or_default(),
    };
    let r = plans::answer(&state.app, &a.ctx(), id, &input).await;
    let mut form = f;
    form.insert("answering".into(), id.to_string());
    after(&state, &a, plan, Some(n), r, "plans.answer_saved", form).await
}
