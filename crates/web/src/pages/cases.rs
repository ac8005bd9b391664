//! Typical cases (典型案例评选): the office opens a round of finished
//! matters and follows its counts; the public reads the rounds and votes.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::matters::board::{self, BoardQuery, MatterItem};
use xueshi_app::matters::cases::{self, NomineeInput, RoundInput, RoundView, VoteInput};
use xueshi_app::problems::{self, Challenge};
use xueshi_domain::{FieldError, Id};

use super::{FormErrors, Layout, render, render_status};
use crate::ctx::{Auth, Rc, RequestCtx};
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    layout: Layout,
    rounds: Vec<(Id, String, i64, bool)>,
    finished: Vec<MatterItem>,
    title: String,
    closes_on: String,
    errors: FormErrors,
}

async fn cases_page(
    state: &AppState,
    a: &Auth,
    title: String,
    closes_on: String,
    errors: &[FieldError],
) -> WebResult<CasesPage> {
    let ctx = a.ctx();
    let q = BoardQuery {
        status: "done".into(),
        ..BoardQuery::default()
    };
    let b = board::board(&state.app, &ctx, ctx.actor.scope_unit, &q).await?;
    Ok(CasesPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().cases_title),
        rounds: cases::rounds_in_scope(&state.app, &ctx).await?,
        finished: b.matters,
        title,
        closes_on,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn list(State(state): State<AppState>, a: Auth) -> WebResult<Response> {
    let p = cases_page(&state, &a, String::new(), String::new(), &[]).await?;
    Ok(render(&p))
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let value = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let nominees = pairs
        .iter()
        .filter(|(n, _)| n == "matter")
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .map(|id| NomineeInput {
            matter_id: Id(id),
            blurb: value(&format!("blurb_{id}")),
        })
        .collect();
    let ctx = a.ctx();
    let input = RoundInput {
        unit_id: ctx.actor.scope_unit,
        title: value("title"),
        closes_on: value("closes_on"),
        nominees,
    };
    match cases::create_round(&state.app, &ctx, input).await {
        Ok(r) => Ok(Redirect::to(&format!("/cases/{}", r.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = cases_page(&state, &a, value("title"), value("closes_on"), &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "case_round.html")]
struct RoundPage {
    layout: Layout,
    r: RoundView,
    /// The public's page (with the vote form) or the office's.
    public: bool,
    challenge: Option<Challenge>,
    voted: bool,
    errors: FormErrors,
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let r = cases::round_for_office(&state.app, &a.ctx(), id).await?;
    Ok(render(&RoundPage {
        layout: Layout::new(&a.rc, &r.title),
        r,
        public: false,
        challenge: None,
        voted: false,
        errors: FormErrors::default(),
    }))
}

#[derive(Template)]
#[template(path = "public_cases.html")]
struct PublicRoundsPage {
    layout: Layout,
    rounds: Vec<(Id, String, i64, bool)>,
}

pub async fn public_list(State(state): State<AppState>, Rc(rc): Rc) -> WebResult<Response> {
    Ok(render(&PublicRoundsPage {
        layout: Layout::new(&rc, rc.lang.msg().cases_public_title),
        rounds: cases::rounds(&state.app).await?,
    }))
}

#[derive(Deserialize, Default)]
pub struct VotedQuery {
    #[serde(default)]
    voted: Option<u8>,
}

async fn public_round_page(
    state: &AppState,
    rc: &RequestCtx,
    id: Id,
    voted: bool,
    errors: &[FieldError],
) -> WebResult<RoundPage> {
    let r = cases::round(&state.app, id, false).await?;
    Ok(RoundPage {
        layout: Layout::new(rc, &r.title),
        challenge: r.open.then(|| problems::new_challenge(&state.app)),
        r,
        public: true,
        voted,
        errors: FormErrors::new(rc.lang, errors),
    })
}

pub async fn public_round(
    State(state): State<AppState>,
    Rc(rc): Rc,
    Path(id): Path<Id>,
    Query(q): Query<VotedQuery>,
) -> WebResult<Response> {
    let p = public_round_page(&state, &rc, id, q.voted.is_some(), &[]).await?;
    Ok(render(&p))
}

#[derive(Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    matter_id: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    answer: String,
}

pub async fn vote(
    State(state): State<AppState>,
    Rc(rc): Rc,
    Path(id): Path<Id>,
    Form(f): Form<VoteForm>,
) -> WebResult<Response> {
    let input = VoteInput {
        matter_id: Id(f.matter_id.trim().parse().unwrap_or(0)),
        challenge: f.challenge,
        answer: f.answer,
    };
    match cases::vote(&state.app, id, input, rc.csrf(), &rc.ip).await {
        Ok(()) => Ok(Redirect::to(&format!("/public/cases/{id}?voted=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = public_round_page(&state, &rc, id, false, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}
