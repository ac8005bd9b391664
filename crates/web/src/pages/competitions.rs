//! Live competitions on pages: a unit's competitions with the set-up form,
//! a competition's page (teams with their join codes and QR codes, the
//! record of what was played, its workbook), the host's console, the
//! hall's big screen, and a team phone's join form and buzzer. The
//! console, screen and phone are fed over WebSockets by live.js.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::live::room::{self, HostAction};
use xueshi_app::live::{
    self, CompetitionInput, CompetitionView, DayQuestion, Record, RoundInput, TeamInput,
};
use xueshi_domain::Id;
use xueshi_domain::invalid::FieldError;
use xueshi_domain::live::{RoundKind, STAKES};

use super::home::Done;
use super::{FormErrors, Layout, render, render_status};
use crate::ctx::{Auth, Rc, RequestCtx, cookie, cookies, set_cookie};
use crate::error::{HttpError, WebResult};
use crate::live::SEAT_COOKIE;
use crate::state::AppState;

/// Bank rounds the form offers.
const ROUNDS: usize = 3;

#[derive(Template)]
#[template(path = "competitions.html")]
struct ListPage {
    layout: Layout,
    unit: Id,
    unit_name: String,
    competitions: Vec<CompetitionView>,
    may_write: bool,
    kinds: Vec<RoundKind>,
    lines: Vec<usize>,
    form: HashMap<String, String>,
    errors: FormErrors,
}

impl ListPage {
    fn get(&self, k: &str) -> &str {
        self.form.get(k).map_or("", |v| v.as_str())
    }
    fn nth(&self, k: &str, i: &usize) -> &str {
        self.get(&format!("{k}_{i}"))
    }
    fn kind_name(&self, k: &RoundKind) -> &'static str {
        self.layout.tr(&format!("live.round_{}", k.as_str()))
    }
    fn state_name(&self, s: &str) -> &'static str {
        self.layout.tr(&format!("live.state_{s}"))
    }
}

fn blank(state: &AppState) -> HashMap<String, String> {
    let today = xueshi_domain::date::iso(state.app.clock().today());
    HashMap::from([
        ("held_on".to_owned(), today),
        ("seats_per_team".to_owned(), "3".to_owned()),
        ("answer_seconds".to_owned(), "30".to_owned()),
        ("teams_from_units".to_owned(), "on".to_owned()),
        ("kind_0".to_owned(), "required".to_owned()),
        ("count_0".to_owned(), "8".to_owned()),
        ("points_0".to_owned(), "10".to_owned()),
        ("kind_1".to_owned(), "buzz".to_owned()),
        ("count_1".to_owned(), "10".to_owned()),
        ("points_1".to_owned(), "10".to_owned()),
        ("kind_2".to_owned(), "risk".to_owned()),
        ("count_2".to_owned(), "4".to_owned()),
        ("points_2".to_owned(), "20".to_owned()),
    ])
}

async fn list_page(
    state: &AppState,
    a: &Auth,
    unit: Id,
    form: HashMap<String, String>,
    errors: &[FieldError],
) -> WebResult<ListPage> {
    let ctx = a.ctx();
    let competitions = live::of_unit(&state.app, &ctx, unit).await?;
    let path = xueshi_app::accounts::unit_path(&state.app, unit).await?;
    let detail = xueshi_app::tree::detail(&state.app, &ctx, unit).await?;
    Ok(ListPage {
        layout: Layout::new(
            &a.rc,
            &format!("{} · {}", detail.unit.name, a.rc.lang.msg().live_title),
        ),
        unit,
        unit_name: detail.unit.name,
        competitions,
        may_write: xueshi_app::permit::may(&ctx, xueshi_domain::access::Action::ManageTasks, &path),
        kinds: RoundKind::ALL.to_vec(),
        lines: (0..ROUNDS).collect(),
        form,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let mut p = list_page(&state, &a, unit, blank(&state), &[]).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

/// Reads the set-up form: teams one per line, the day's questions one per
/// line as `题目｜答案`, played in the round chosen for them.
fn parse(f: &HashMap<String, String>) -> (CompetitionInput, Vec<FieldError>) {
    let get = |k: &str| f.get(k).map_or("", |v| v.trim()).to_owned();
    let mut bad = Vec::new();
    let mut number = |field: &'static str, raw: String| -> i64 {
        if raw.is_empty() {
            return 0;
        }
        raw.parse().unwrap_or_else(|_| {
            bad.push(FieldError::new(field, "not_a_number").with("value", raw.as_str()));
            0
        })
    };
    let mut rounds = Vec::new();
    for i in 0..ROUNDS {
        let count = get(&format!("count_{i}"));
        if count.is_empty() || count == "0" {
            continue;
        }
        rounds.push(RoundInput {
            kind: get(&format!("kind_{i}")),
            count: number("rounds", count),
            points: number("rounds", get(&format!("points_{i}"))),
            tag: get(&format!("tag_{i}")),
        });
    }
    let day_kind = get("day_kind");
    let day_points = number("day_questions", get("day_points"));
    let day_questions = get("day_questions")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (stem, answer) = l.split_once(['｜', '|']).unwrap_or((l, ""));
            DayQuestion {
                kind: day_kind.clone(),
                stem: stem.trim().to_owned(),
                answer: answer.trim().to_owned(),
                points: day_points,
            }
        })
        .collect();
    let input = CompetitionInput {
        title: get("title"),
        held_on: get("held_on"),
        seats_per_team: number("seats_per_team", get("seats_per_team")),
        answer_seconds: number("answer_seconds", get("answer_seconds")),
        teams: get("teams")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|name| TeamInput {
                name: name.to_owned(),
                unit: None,
            })
            .collect(),
        teams_from_units: f.contains_key("teams_from_units"),
        rounds,
        day_questions,
    };
    (input, bad)
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (input, bad) = parse(&f);
    let r = if bad.is_empty() {
        live::create(&state.app, &a.ctx(), unit, &input).await
    } else {
        live::of_unit(&state.app, &a.ctx(), unit).await?;
        Err(AppError::Invalid(bad))
    };
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/competitions/{id}?done=live.saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = list_page(&state, &a, unit, f, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "competition.html")]
struct ShowPage {
    layout: Layout,
    r: Record,
    /// Where a phone joins, and each team's QR code to it.
    join_url: String,
    qr: HashMap<String, String>,
}

impl ShowPage {
    fn round_name(&self, k: &RoundKind) -> &'static str {
        self.layout.tr(&format!("live.round_{}", k.as_str()))
    }
    fn state_name(&self, s: &str) -> &'static str {
        self.layout.tr(&format!("live.state_{s}"))
    }
    fn answer<'a>(&'a self, a: &'a str) -> &'a str {
        match a {
            "true" => self.layout.t.exams_true,
            "false" => self.layout.t.exams_false,
            _ => a,
        }
    }
    fn qr_of(&self, id: &Id) -> &str {
        self.qr.get(&id.to_string()).map_or("", |s| s.as_str())
    }
}

fn qr_svg(link: &str) -> String {
    qrcode::QrCode::with_error_correction_level(link, qrcode::EcLevel::M)
        .map(|c| {
            c.render::<qrcode::render::svg::Color>()
                .min_dimensions(120, 120)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    headers: HeaderMap,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let r = live::record(&state.app, &a.ctx(), id).await?;
    let base = format!("{}/live", a.rc.origin(&headers));
    let qr = r
        .competition
        .teams
        .iter()
        .filter_map(|t| {
            let code = t.join_code.as_ref()?;
            Some((t.id.to_string(), qr_svg(&format!("{base}?code={code}"))))
        })
        .collect();
    Ok(render(&ShowPage {
        layout: Layout::new(&a.rc, &r.competition.title).notice(q.done()),
        r,
        join_url: base,
        qr,
    }))
}

#[derive(Template)]
#[template(path = "live_console.html")]
struct ConsolePage {
    layout: Layout,
    c: CompetitionView,
    /// console or screen.
    role: &'static str,
    stakes: Vec<i64>,
}

async fn console_page(
    state: &AppState,
    a: &Auth,
    id: Id,
    role: &'static str,
) -> WebResult<Response> {
    let c = live::get(&state.app, &a.ctx(), id).await?;
    if role == "console" {
        live::authorize_host(&state.app, &a.ctx(), id).await?;
    }
    Ok(render(&ConsolePage {
        layout: Layout::new(&a.rc, &c.title),
        c,
        role,
        stakes: STAKES.to_vec(),
    }))
}

/// The host's console.
pub async fn console(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    console_page(&state, &a, id, "console").await
}

/// The hall's big screen (1920×1080).
pub async fn screen(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    console_page(&state, &a, id, "screen").await
}

/// A host's action from the console's buttons (live.js sends the same to
/// the API; this keeps the console usable without it).
pub async fn act(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    live::authorize_host(&state.app, &a.ctx(), id).await?;
    let action = match f.get("action").map(String::as_str) {
        Some("next") => HostAction::Next,
        Some("unlock") => HostAction::Unlock,
        Some("undo") => HostAction::Undo,
        Some("reveal") => HostAction::Reveal,
        Some("pause") => HostAction::Pause,
        Some("resume") => HostAction::Resume,
        Some("finish") => HostAction::Finish,
        Some("judge") => HostAction::Judge {
            team: f
                .get("team")
                .and_then(|t| t.parse().ok())
                .ok_or_else(HttpError::bad_request)?,
            correct: f.get("correct").is_some_and(|c| c == "1"),
            stake: f.get("stake").and_then(|s| s.parse().ok()),
        },
        _ => return Err(HttpError::bad_request()),
    };
    let room = state.app.live().room(&state.app, id).await?;
    room.act(&state.app, &a.ctx(), &action).await?;
    Ok(Redirect::to(&format!("/competitions/{id}/host")).into_response())
}

/// The record as a workbook.
pub async fn export(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let (name, bytes) = live::workbook(&state.app, &a.ctx(), id).await?;
    Ok(crate::download::xlsx(&name, bytes))
}

#[derive(Template)]
#[template(path = "live_join.html")]
struct JoinPage {
    layout: Layout,
    code: String,
    errors: FormErrors,
}

#[derive(Default, Deserialize)]
pub struct JoinQuery {
    #[serde(default)]
    code: String,
}

/// A team's phone joins by its code (typed, or from the QR code's link).
pub async fn join_form(Rc(rc): Rc, Query(q): Query<JoinQuery>) -> Response {
    render(&JoinPage {
        layout: Layout::new(&rc, rc.lang.msg().live_join),
        code: q.code,
        errors: FormErrors::default(),
    })
}

fn seat_cookie(rc: &RequestCtx, token: &str) -> HeaderValue {
    // A day's competition: the seat outlives a reload, not the week.
    set_cookie(SEAT_COOKIE, token, rc.secure, Some(24 * 3_600))
}

pub async fn join(
    State(state): State<AppState>,
    Rc(rc): Rc,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let code = f.get("code").cloned().unwrap_or_default();
    let all = cookies(&headers);
    match room::join(&state.app, &code, cookie(&all, SEAT_COOKIE)).await {
        Ok(seat) => {
            let mut r = Redirect::to(&format!("/live/{}", seat.competition)).into_response();
            if let Some(t) = &seat.token {
                r.headers_mut()
                    .append(header::SET_COOKIE, seat_cookie(&rc, t));
            }
            Ok(r)
        }
        Err(AppError::Invalid(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &JoinPage {
                layout: Layout::new(&rc, rc.lang.msg().live_join),
                code,
                errors: FormErrors::new(rc.lang, &errors),
            },
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "live_phone.html")]
struct PhonePage {
    layout: Layout,
    competition: Id,
    title: String,
    team_name: String,
}

/// A seated phone's buzzer; without a seat, the join form.
pub async fn phone(
    State(state): State<AppState>,
    Rc(rc): Rc,
    headers: HeaderMap,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let all = cookies(&headers);
    let Some(token) = cookie(&all, SEAT_COOKIE) else {
        return Ok(Redirect::to("/live").into_response());
    };
    let Ok(seat) = room::seat(&state.app, id, token).await else {
        return Ok(Redirect::to("/live").into_response());
    };
    let title = state.app.live().room(&state.app, id).await?.title().await;
    Ok(render(&PhonePage {
        layout: Layout::new(&rc, &title),
        competition: id,
        title,
        team_name: seat.team_name,
    }))
}
