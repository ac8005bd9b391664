//! The public window, no account needed: raising a problem (急难愁盼) from a
//! phone and following it by its tracking code.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;
use xueshi_app::matters::board::Figures;
use xueshi_app::matters::{self, PublicDetail, PublicList, PublicQuery, RatingInput};
use xueshi_app::problems::{self, Challenge, PublicProblem, RaiseInput};
use xueshi_app::{AppError, photo};
use xueshi_domain::FieldError;
use xueshi_domain::problem::MAX_PHOTO;

use super::{FormErrors, Layout, render, render_status};
use crate::ctx::{Rc, RequestCtx};
use crate::error::{HttpError, WebResult};
use crate::i18n::text;
use crate::pages::matters::MatterLabels;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "public_problem_new.html")]
struct NewProblemPage {
    layout: Layout,
    challenge: Challenge,
    body: String,
    area: String,
    contact: String,
    /// The photo of a refused form, shrunk, as base64: sent back with the
    /// form so the citizen does not pick it again.
    kept_photo: String,
    errors: FormErrors,
    /// A looked-up code matched no problem.
    unknown: bool,
}

fn new_page(
    state: &AppState,
    rc: &RequestCtx,
    input: &RaiseInput,
    errors: &[FieldError],
) -> NewProblemPage {
    NewProblemPage {
        layout: Layout::new(rc, rc.lang.msg().public_problem_title),
        challenge: problems::new_challenge(&state.app),
        body: input.body.clone(),
        area: input.area.clone(),
        contact: input.contact.clone(),
        kept_photo: String::new(),
        errors: FormErrors::new(rc.lang, errors),
        unknown: false,
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    unknown: Option<u8>,
}

pub async fn new_form(
    State(state): State<AppState>,
    Rc(rc): Rc,
    Query(q): Query<NewQuery>,
) -> Response {
    let mut page = new_page(&state, &rc, &RaiseInput::default(), &[]);
    page.unknown = q.unknown.is_some();
    render(&page)
}

/// Reads the form's fields and its photo.
async fn read_form(mut form: Multipart) -> Result<RaiseInput, HttpError> {
    let mut input = RaiseInput::default();
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|_| HttpError::bad_request())?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "photo" {
            let bytes = crate::upload::read_photo(&mut field).await?;
            if !bytes.is_empty() {
                input.photo = Some(bytes);
            }
            continue;
        }
        let text = field.text().await.map_err(|_| HttpError::bad_request())?;
        match name.as_str() {
            // A photo sent back from a refused form; one picked now wins.
            "kept_photo" if input.photo.is_none() && !text.is_empty() => {
                input.photo = BASE64
                    .decode(text.trim())
                    .ok()
                    .filter(|b| b.len() <= MAX_PHOTO);
            }
            "body" => input.body = text,
            "area" => input.area = text,
            "contact" => input.contact = text,
            "challenge" => input.challenge = text,
            "answer" => input.answer = text,
            _ => {}
        }
    }
    Ok(input)
}

pub async fn submit(
    State(state): State<AppState>,
    Rc(rc): Rc,
    form: Multipart,
) -> WebResult<Response> {
    let input = read_form(form).await?;
    let photo = input.photo.clone();
    let kept = RaiseInput {
        photo: None,
        ..input.clone()
    };
    match problems::raise(&state.app, input, &rc.ip).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/public/problems/{}?new={}",
            r.code,
            u8::from(!r.folded)
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut page = new_page(&state, &rc, &kept, &errors);
            if let Some(raw) = photo.filter(|_| errors.iter().all(|e| e.field != "photo"))
                && let Ok(p) = photo::prepare(&state.app, raw).await
            {
                page.kept_photo = BASE64.encode(p.bytes);
            }
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "public_problem.html")]
struct FollowPage {
    layout: Layout,
    p: PublicProblem,
    raised_on: String,
    fresh: Option<bool>,
}

impl FollowPage {
    fn status_label(&self) -> &'static str {
        self.layout.tr(&format!("problem_status.{}", self.p.status))
    }
}

#[derive(Deserialize, Default)]
pub struct FollowQuery {
    #[serde(default)]
    new: Option<u8>,
    #[serde(default)]
    code: Option<String>,
}

pub async fn follow(
    State(state): State<AppState>,
    Rc(rc): Rc,
    Path(code): Path<String>,
    Query(q): Query<FollowQuery>,
) -> WebResult<Response> {
    let p = match problems::follow(&state.app, &code).await {
        Ok(p) => p,
        // An unknown code: the lookup form again, saying so, with a way on.
        Err(AppError::NotFound) => {
            let mut page = new_page(&state, &rc, &RaiseInput::default(), &[]);
            page.unknown = true;
            return Ok(render_status(StatusCode::NOT_FOUND, &page));
        }
        Err(e) => return Err(e.into()),
    };
    let raised_on = xueshi_domain::date::iso(xueshi_app::clock::date_of(p.raised_at));
    Ok(render(&FollowPage {
        layout: Layout::new(&rc, rc.lang.msg().public_follow_title),
        p,
        raised_on,
        fresh: q.new.map(|n| n == 1),
    }))
}

/// The lookup form on the problem page: a typed code goes to its page.
pub async fn lookup(Query(q): Query<FollowQuery>) -> Response {
    let code = q.code.unwrap_or_default();
    match xueshi_domain::problem::normalise_code(&code) {
        Some(c) => Redirect::to(&format!("/public/problems/{c}")).into_response(),
        None => Redirect::to("/public/problems/new?unknown=1").into_response(),
    }
}

#[derive(Template)]
#[template(path = "public_matters.html")]
struct MattersPage {
    layout: Layout,
    list: PublicList,
    q: PublicQuery,
    levels: Vec<(&'static str, &'static str)>,
    statuses: Vec<&'static str>,
    prev: Option<String>,
    next: Option<String>,
}

impl MattersPage {
    fn level_label(&self, level: &str) -> &'static str {
        self.layout.tr(&format!("matter_level.{level}"))
    }
    fn status_label(&self, status: &str) -> &'static str {
        self.layout.tr(&format!("matter_status.{status}"))
    }
}

fn page_link(q: &PublicQuery, page: i64) -> String {
    let enc = crate::ctx::urlencode;
    format!(
        "/public/matters?level={}&field={}&status={}&unit={}&page={page}",
        enc(&q.level),
        enc(&q.field),
        enc(&q.status),
        enc(&q.unit)
    )
}

/// The public list of practical matters (公示), filterable, a page at a time.
pub async fn matters_page(
    State(state): State<AppState>,
    Rc(rc): Rc,
    Query(q): Query<PublicQuery>,
) -> WebResult<Response> {
    let list = matters::public_list(&state.app, &q).await?;
    let pages = (list.total + list.per_page - 1) / list.per_page;
    let prev = (list.page > 0).then(|| page_link(&q, list.page - 1));
    let next = (list.page + 1 < pages).then(|| page_link(&q, list.page + 1));
    Ok(render(&MattersPage {
        layout: Layout::new(&rc, rc.lang.msg().public_matters_title),
        list,
        q,
        levels: xueshi_domain::matter::MatterLevel::ALL
            .iter()
            .map(|l| (l.as_str(), l.label_zh()))
            .collect(),
        statuses: vec!["approved", "claimed", "in_progress", "done"],
        prev,
        next,
    }))
}

#[derive(Template)]
#[template(path = "public_matter.html")]
struct MatterPage {
    layout: Layout,
    d: PublicDetail,
    challenge: Challenge,
    rated: bool,
    /// The rating code to fill in (from a slip's QR code, or as typed).
    code: String,
    errors: FormErrors,
}

impl MatterLabels for MatterPage {
    fn layout(&self) -> &Layout {
        &self.layout
    }
}

impl MatterPage {
    fn day(&self, at: &i64) -> String {
        xueshi_domain::date::iso(xueshi_app::clock::date_of(*at))
    }
}

#[derive(Deserialize, Default)]
pub struct RatedQuery {
    #[serde(default)]
    rated: Option<u8>,
    /// A rating code from a printed slip's QR code, to fill in.
    #[serde(default)]
    code: String,
}

async fn matter_detail_page(
    state: &AppState,
    rc: &RequestCtx,
    id: xueshi_domain::Id,
    rated: bool,
    code: &str,
    errors: &[FieldError],
) -> WebResult<MatterPage> {
    let d = matters::public_detail(&state.app, id).await?;
    Ok(MatterPage {
        layout: Layout::new(rc, &d.matter.title),
        d,
        challenge: problems::new_challenge(&state.app),
        rated,
        code: code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(20)
            .collect(),
        errors: FormErrors::new(rc.lang, errors),
    })
}

/// A disclosed matter's public page, with the rating form once finished.
pub async fn matter_page(
    State(state): State<AppState>,
    Rc(rc): Rc,
    Path(id): Path<xueshi_domain::Id>,
    Query(q): Query<RatedQuery>,
) -> WebResult<Response> {
    let p = matter_detail_page(&state, &rc, id, q.rated.is_some(), &q.code, &[]).await?;
    Ok(render(&p))
}

pub async fn rate(
    State(state): State<AppState>,
    Rc(rc): Rc,
    Path(id): Path<xueshi_domain::Id>,
    axum::Form(input): axum::Form<RatingInput>,
) -> WebResult<Response> {
    let input_code = input.code.clone();
    // The browser's own anonymous token stands for the voter.
    match matters::rate(&state.app, id, input, rc.csrf(), &rc.ip).await {
        Ok(_) => Ok(Redirect::to(&format!("/public/matters/{id}?rated=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = matter_detail_page(&state, &rc, id, false, &input_code, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "public_summary.html")]
struct SummaryPage {
    layout: Layout,
    f: Figures,
    /// The catalogue's public figures, as the reports write them.
    figures: Vec<xueshi_app::figures::PublicFigure>,
    level_chart: String,
    field_chart: String,
}

impl MatterLabels for SummaryPage {
    fn layout(&self) -> &Layout {
        &self.layout
    }
}

/// The public summary (公示): what every disclosed matter has achieved.
pub async fn summary(State(state): State<AppState>, Rc(rc): Rc) -> WebResult<Response> {
    let f = matters::public_summary(&state.app).await?;
    let t = rc.lang.msg();
    let level_chart = crate::chart::bars(
        t.matters_by_level,
        &f.by_level
            .iter()
            .map(|l| {
                (
                    text(t, &format!("matter_level.{}", l.key)).to_owned(),
                    l.matters,
                )
            })
            .collect::<Vec<_>>(),
    );
    let field_chart = crate::chart::bars(
        t.matters_done_by_field,
        &f.by_field
            .iter()
            .map(|x| (super::field_label(rc.lang, &x.key), x.done))
            .collect::<Vec<_>>(),
    );
    Ok(render(&SummaryPage {
        layout: Layout::new(&rc, t.public_summary_title),
        f,
        figures: xueshi_app::figures::public(&state.app).await?,
        level_chart,
        field_chart,
    }))
}
