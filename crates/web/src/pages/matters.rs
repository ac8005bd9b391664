//! The office's and the units' pages of practical matters: the board of a
//! subtree (by status, lateness and unit, with its figures and charts),
//! putting a matter on the catalogue, a matter's page with its loop's
//! forms, the catalogue workbook, and a member's own matters.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::matters::board::{self, Board, BoardQuery, Mine};
use xueshi_app::matters::{self, MatterDetail, MatterInput, Outcomes, StepInput};
use xueshi_domain::matter::{MatterLevel, MatterStatus};
use xueshi_domain::{FieldError, Id};

use super::{FormErrors, Layout, Pager, render, render_status};
use crate::chart;
use crate::ctx::{Auth, urlencode};
use crate::download::xlsx;
use crate::error::{HttpError, WebResult};
use crate::import_report::FormulaNote;
use crate::import_report::{Problem, problems};
use crate::state::AppState;
use crate::upload::uploaded_file;

/// Labels of levels and statuses for the matters' templates.
pub(crate) trait MatterLabels {
    fn layout(&self) -> &Layout;
    fn level_label(&self, level: &str) -> &'static str {
        self.layout().tr(&format!("matter_level.{level}"))
    }
    fn status_label(&self, status: &str) -> &'static str {
        self.layout().tr(&format!("matter_status.{status}"))
    }
    fn event_label(&self, event: &str) -> &'static str {
        self.layout().tr(&format!("matter_event.{event}"))
    }
    fn yuan(&self, fen: &i64) -> String {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
}

/// `/matters`: a member's own matters, or the board of the actor's scope.
pub async fn start(a: Auth) -> Response {
    let actor = &a.session.actor;
    if actor.member_id.is_some() && actor.role == xueshi_domain::access::Role::Member {
        Redirect::to("/my/matters").into_response()
    } else {
        Redirect::to(&format!("/units/{}/matters", actor.scope_unit)).into_response()
    }
}

#[derive(Template)]
#[template(path = "matters_board.html")]
struct BoardPage {
    layout: Layout,
    b: Board,
    q: BoardQuery,
    pager: Pager,
    status_chart: String,
    field_chart: String,
    problems: Vec<Problem>,
    statuses: Vec<&'static str>,
    levels: Vec<&'static str>,
}

impl MatterLabels for BoardPage {
    fn layout(&self) -> &Layout {
        &self.layout
    }
}

async fn board_page(
    state: &AppState,
    a: &Auth,
    unit: Id,
    q: BoardQuery,
    problems: Vec<Problem>,
) -> WebResult<BoardPage> {
    let b = board::board(&state.app, &a.ctx(), unit, &q).await?;
    let t = a.rc.lang.msg();
    let status_chart = chart::donut(
        t.matters_by_status,
        &b.figures
            .by_status
            .iter()
            .filter(|s| s.matters > 0)
            .map(|s| (text_of(a, "matter_status", &s.key), s.matters))
            .collect::<Vec<_>>(),
    );
    let field_chart = chart::bars(
        t.matters_by_field,
        &b.figures
            .by_field
            .iter()
            .map(|f| (super::field_label(a.rc.lang, &f.key), f.matters))
            .collect::<Vec<_>>(),
    );
    let base = format!(
        "/units/{unit}/matters?status={}&level={}&field={}&late={}&",
        urlencode(&q.status),
        urlencode(&q.level),
        urlencode(&q.field),
        urlencode(&q.late)
    );
    Ok(BoardPage {
        layout: Layout::new(&a.rc, &format!("{} · {}", t.matters_board, b.unit)),
        pager: Pager::new(b.page, b.total, b.per_page, base),
        b,
        q,
        status_chart,
        field_chart,
        problems,
        statuses: MatterStatus::ALL.iter().map(|s| s.as_str()).collect(),
        levels: MatterLevel::ALL.iter().map(|l| l.as_str()).collect(),
    })
}

fn text_of(a: &Auth, prefix: &str, key: &str) -> String {
    crate::i18n::text(a.rc.lang.msg(), &format!("{prefix}.{key}")).to_owned()
}

pub async fn board(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Query(q): Query<BoardQuery>,
    Query(n): Query<Notice>,
    Query(f): Query<FormulaNote>,
) -> WebResult<Response> {
    let mut p = board_page(&state, &a, unit, q, Vec::new()).await?;
    p.layout = p.layout.notice(n.done.as_deref()).formula_note(&f);
    Ok(render(&p))
}

#[derive(Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    done: Option<String>,
}

pub async fn export(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
) -> WebResult<Response> {
    let (name, bytes) = matters::export_catalogue(&state.app, &a.ctx(), unit).await?;
    Ok(xlsx(&name, bytes))
}

pub async fn import(
    State(state): State<AppState>,
    a: Auth,
    form: Multipart,
) -> WebResult<Response> {
    let ctx = a.ctx();
    let (name, bytes) = uploaded_file(form).await?;
    let unit = ctx.actor.scope_unit;
    match matters::import_catalogue(&state.app, &ctx, &name, bytes).await {
        Ok(done) => Ok(Redirect::to(&format!(
            "/units/{unit}/matters?done=matters.imported{}",
            FormulaNote::query(&done.formulas)
        ))
        .into_response()),
        Err(AppError::Rejected(rows)) => {
            let p = board_page(
                &state,
                &a,
                unit,
                BoardQuery::default(),
                problems(a.rc.lang, &rows, 200),
            )
            .await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CadenceForm {
    #[serde(default)]
    report_days: String,
}

pub async fn cadence(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Form(f): Form<CadenceForm>,
) -> WebResult<Response> {
    // Anything but a number is refused as a bad choice, after the scope.
    let days = f.report_days.trim().parse().unwrap_or(0);
    board::set_cadence(&state.app, &a.ctx(), unit, days).await?;
    Ok(Redirect::to(&format!("/units/{unit}/matters?done=matters.cadence_set")).into_response())
}

#[derive(Template)]
#[template(path = "matter_form.html")]
struct NewMatterPage {
    layout: Layout,
    unit: Id,
    input: MatterInput,
    problem: String,
    fields: Vec<String>,
    levels: Vec<&'static str>,
    errors: FormErrors,
}

impl MatterLabels for NewMatterPage {
    fn layout(&self) -> &Layout {
        &self.layout
    }
}

/// The new-matter form's fields, with the public problem it takes up.
#[derive(Deserialize)]
pub struct NewMatterForm {
    #[serde(flatten)]
    matter: MatterFields,
    #[serde(default)]
    problem: String,
}

#[derive(Deserialize, Default)]
pub struct MatterFields {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    budget_yuan: String,
}

impl MatterFields {
    fn input(self, unit: Id) -> MatterInput {
        MatterInput {
            unit_id: unit,
            title: self.title,
            description: self.description,
            level: self.level,
            field: self.field,
            deadline: self.deadline,
            target: self.target,
            budget_yuan: self.budget_yuan,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct FromProblem {
    #[serde(default)]
    problem: String,
    #[serde(default)]
    title: String,
}

async fn new_matter_page(
    state: &AppState,
    a: &Auth,
    unit: Id,
    input: MatterInput,
    problem: String,
    errors: &[FieldError],
) -> WebResult<NewMatterPage> {
    let b = board::board(&state.app, &a.ctx(), unit, &BoardQuery::default()).await?;
    Ok(NewMatterPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().matters_new),
        unit,
        input,
        problem,
        fields: b.fields,
        levels: MatterLevel::ALL.iter().map(|l| l.as_str()).collect(),
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Query(q): Query<FromProblem>,
) -> WebResult<Response> {
    let input = MatterFields {
        title: q.title,
        level: "general".into(),
        ..MatterFields::default()
    }
    .input(unit);
    let p = new_matter_page(&state, &a, unit, input, q.problem, &[]).await?;
    Ok(render(&p))
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Form(f): Form<NewMatterForm>,
) -> WebResult<Response> {
    let input = f.matter.input(unit);
    let problem = Some(f.problem.trim()).filter(|p| !p.is_empty());
    match matters::create(&state.app, &a.ctx(), input.clone(), problem).await {
        Ok(m) => Ok(Redirect::to(&format!("/matters/{}", m.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = new_matter_page(&state, &a, unit, input, f.problem, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "matter.html")]
struct MatterPage {
    layout: Layout,
    d: MatterDetail,
    /// The signed-in member takes part already.
    mine: bool,
    member: bool,
    office: bool,
    lead: bool,
    /// Rating codes printed so far, for the lead and the office.
    rating_codes: Option<i64>,
    errors: FormErrors,
}

impl MatterLabels for MatterPage {
    fn layout(&self) -> &Layout {
        &self.layout
    }
}

impl MatterPage {
    fn photos_of(&self, event: &Id) -> Vec<Id> {
        self.d
            .photos
            .iter()
            .filter(|(_, e)| e == event)
            .map(|(p, _)| *p)
            .collect()
    }
    fn open(&self) -> bool {
        matches!(
            self.d.matter.status.as_str(),
            "approved" | "claimed" | "in_progress"
        )
    }
}

async fn matter_page(
    state: &AppState,
    a: &Auth,
    id: Id,
    errors: &[FieldError],
) -> WebResult<MatterPage> {
    let ctx = a.ctx();
    let d = matters::detail(&state.app, &ctx, id).await?;
    let me = ctx.actor.member_id;
    let mine = me.is_some_and(|m| d.claims.iter().any(|c| c.member_id == m));
    let lead = me.is_some_and(|m| {
        d.claims
            .iter()
            .any(|c| c.member_id == m && c.role == "lead")
    });
    let office = matters::may_manage(&state.app, &ctx, id).await?;
    let rating_codes = if (lead || office) && d.matter.status != "dropped" {
        Some(matters::rating_codes_issued(&state.app, &ctx, id).await?)
    } else {
        None
    };
    Ok(MatterPage {
        layout: Layout::new(&a.rc, &d.matter.title),
        member: me.is_some(),
        mine,
        lead,
        office,
        rating_codes,
        d,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(n): Query<Notice>,
) -> WebResult<Response> {
    let mut p = matter_page(&state, &a, id, &[]).await?;
    p.layout = p.layout.notice(n.done.as_deref());
    Ok(render(&p))
}

#[derive(Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    role: String,
}

pub async fn claim(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<ClaimForm>,
) -> WebResult<Response> {
    matters::claim(&state.app, &a.ctx(), id, &f.role).await?;
    Ok(Redirect::to(&format!("/matters/{id}?done=matters.claimed")).into_response())
}

/// Reads a step's multipart form: its fields and its photos (one more than
/// allowed is kept, to be refused by their count).
async fn read_step(mut form: Multipart) -> Result<(StepInput, Vec<Vec<u8>>), HttpError> {
    let mut input = StepInput::default();
    let mut o = Outcomes::default();
    let mut photos = Vec::new();
    let mut bad_number = None;
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|_| HttpError::bad_request())?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "photo" {
            let bytes = crate::upload::read_photo(&mut field).await?;
            if !bytes.is_empty() && photos.len() <= matters::MAX_STEP_PHOTOS {
                photos.push(bytes);
            }
            continue;
        }
        let text = field.text().await.map_err(|_| HttpError::bad_request())?;
        let trimmed = text.trim();
        let mut number = |slot: &mut i64| {
            if trimmed.is_empty() {
                return;
            }
            match trimmed.parse::<i64>() {
                Ok(n) => *slot = n,
                Err(_) => bad_number = Some(name.clone()),
            }
        };
        match name.as_str() {
            "event" => input.event = text,
            "note" => input.note = text,
            "progress" if !trimmed.is_empty() => match trimmed.parse::<i64>() {
                Ok(n) => input.progress = Some(n),
                Err(_) => bad_number = Some(name.clone()),
            },
            "affairs" => number(&mut o.affairs),
            "problems_solved" => number(&mut o.problems_solved),
            "disputes" => number(&mut o.disputes),
            "people_served" => number(&mut o.people_served),
            "enterprises_served" => number(&mut o.enterprises_served),
            "spent_yuan" if !trimmed.is_empty() => {
                match matters::parse_yuan("spent_yuan", trimmed) {
                    Ok(fen) => o.spent_fen = fen,
                    Err(_) => bad_number = Some(name.clone()),
                }
            }
            _ => {}
        }
    }
    if let Some(field) = bad_number {
        return Err(HttpError::from(AppError::Invalid(vec![
            FieldError::new("outcomes", "not_a_number").with("value", field),
        ])));
    }
    input.outcomes = o;
    Ok((input, photos))
}

pub async fn step(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    // Who may step this matter is known before its form is read.
    matters::authorize_step(&state.app, &a.ctx(), id).await?;
    let (input, photos) = read_step(form.map_err(|_| HttpError::bad_request())?).await?;
    let event = input.event.clone();
    match matters::step(&state.app, &a.ctx(), id, input, photos).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/matters/{id}?done=matters.step_{event}")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let p = matter_page(&state, &a, id, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PhotoQuery {
    #[serde(default)]
    p: Option<Id>,
}

pub async fn photo(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<PhotoQuery>,
) -> WebResult<Response> {
    let (bytes, kind) = matters::photo(&state.app, &a.ctx(), id, q.p.unwrap_or(Id(0))).await?;
    Ok(image(bytes, kind))
}

/// An image kept in the database, sent as what its bytes were checked to be.
pub(crate) fn image(bytes: Vec<u8>, kind: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "my_matters.html")]
struct MinePage {
    layout: Layout,
    m: Mine,
}

impl MatterLabels for MinePage {
    fn layout(&self) -> &Layout {
        &self.layout
    }
}

pub async fn mine(State(state): State<AppState>, a: Auth) -> WebResult<Response> {
    // An account that is no member has a board instead.
    if a.session.actor.member_id.is_none() {
        return Ok(Redirect::to("/matters").into_response());
    }
    let m = board::mine(&state.app, &a.ctx()).await?;
    Ok(render(&MinePage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().matters_mine),
        m,
    }))
}

#[derive(Deserialize)]
pub struct FieldForm {
    #[serde(default)]
    name: String,
}

pub async fn add_field(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<FieldForm>,
) -> WebResult<Response> {
    matters::add_field(&state.app, &a.ctx(), &f.name).await?;
    Ok(Redirect::to(&format!(
        "/units/{}/matters?done=matters.field_added",
        a.session.actor.scope_unit
    ))
    .into_response())
}

#[derive(Deserialize)]
pub struct CodesForm {
    #[serde(default)]
    count: String,
}

/// One printed slip: the code and the QR code of the rating page it opens.
pub struct Slip {
    pub code: String,
    pub link: String,
    pub qr_svg: String,
}

#[derive(Template)]
#[template(path = "rating_slips.html")]
struct SlipsPage {
    layout: Layout,
    matter: Id,
    title: String,
    issued: i64,
    slips: Vec<Slip>,
}

fn qr_svg(link: &str) -> WebResult<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(link, qrcode::EcLevel::M).map_err(|e| {
            tracing::error!(error = %e, "a slip's link does not fit a QR code");
            HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
        })?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(120, 120)
        .quiet_zone(true)
        .build())
}

/// Prints fresh rating codes: the slips are shown this once (only digests
/// are kept), laid out for A4.
pub async fn rating_codes(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    headers: axum::http::HeaderMap,
    Form(f): Form<CodesForm>,
) -> WebResult<Response> {
    matters::authorize_step(&state.app, &a.ctx(), id).await?;
    let count = match f.count.trim().parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            let e = FieldError::new("count", "bad_number").with("value", f.count.trim());
            let p = matter_page(&state, &a, id, &[e]).await?;
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
        }
    };
    let issued = match matters::issue_rating_codes(&state.app, &a.ctx(), id, count).await {
        Ok(i) => i,
        Err(AppError::Invalid(errors)) => {
            let p = matter_page(&state, &a, id, &errors).await?;
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
        }
        Err(e) => return Err(e.into()),
    };
    let base = a.rc.origin(&headers);
    let slips = issued
        .codes
        .iter()
        .map(|code| {
            let link = format!("{base}/public/matters/{id}?code={code}#rating");
            Ok(Slip {
                code: code.clone(),
                qr_svg: qr_svg(&link)?,
                link: format!("{base}/public/matters/{id}"),
            })
        })
        .collect::<WebResult<Vec<_>>>()?;
    Ok(render(&SlipsPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().rating_slips_title),
        matter: id,
        title: issued.title,
        issued: issued.issued,
        slips,
    }))
}
