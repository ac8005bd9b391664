//! Live competitions over the API: a unit's competitions and setting one
//! up, a competition with its standing, its record, the host's actions,
//! and a phone joining its team by code.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use xueshi_app::live::room::{self, HostAction, Seat};
use xueshi_app::live::{self, CompetitionInput, CompetitionView, Record};
use xueshi_domain::Id;

use crate::ctx::{Auth, Rc, cookie, cookies, set_cookie};
use crate::error::WebResult;
use crate::live::SEAT_COOKIE;
use crate::state::AppState;

/// A unit's own competitions.
#[utoipa::path(get, path = "/api/v1/units/{id}/competitions", tag = "competitions", params(("id" = String, Path)),
    responses((status = 200, body = [CompetitionView]), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Vec<CompetitionView>>> {
    Ok(Json(live::of_unit(&state.app, &a.ctx(), id).await?))
}

/// Sets up a competition: its teams and its questions.
#[utoipa::path(post, path = "/api/v1/units/{id}/competitions", tag = "competitions", params(("id" = String, Path)),
    request_body = CompetitionInput, responses((status = 201), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<CompetitionInput>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let c = live::create(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": c }))))
}

/// A competition and its standing (its hosts also see the join codes).
#[utoipa::path(get, path = "/api/v1/competitions/{id}", tag = "competitions", params(("id" = String, Path)),
    responses((status = 200, body = CompetitionView), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<CompetitionView>> {
    Ok(Json(live::get(&state.app, &a.ctx(), id).await?))
}

/// What was played: each question, its buzz order and judgements.
#[utoipa::path(get, path = "/api/v1/competitions/{id}/record", tag = "competitions", params(("id" = String, Path)),
    responses((status = 200, body = Record), (status = 403)))]
pub async fn record(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Record>> {
    Ok(Json(live::record(&state.app, &a.ctx(), id).await?))
}

/// The host's action; answers with the console's view after it.
#[utoipa::path(post, path = "/api/v1/competitions/{id}/host", tag = "competitions", params(("id" = String, Path)),
    request_body = HostAction, responses((status = 200), (status = 403), (status = 409), (status = 422)))]
pub async fn act(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(body): Json<Value>,
) -> WebResult<Json<Value>> {
    // Who may host is settled before what was asked is read.
    live::authorize_host(&state.app, &a.ctx(), id).await?;
    let action: HostAction = serde_json::from_value(body)
        .map_err(|_| xueshi_app::AppError::invalid("action", "bad_choice"))?;
    let room = state.app.live().room(&state.app, id).await?;
    Ok(Json(room.act(&state.app, &a.ctx(), &action).await?))
}

#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct JoinBody {
    pub code: String,
}

/// A phone joins its team by the team's code; the seat's cookie comes
/// with the answer (a phone that holds one keeps its seat).
#[utoipa::path(post, path = "/api/v1/live/join", tag = "competitions", request_body = JoinBody,
    responses((status = 200, body = Seat), (status = 409), (status = 422), (status = 429)))]
pub async fn join(
    State(state): State<AppState>,
    Rc(rc): Rc,
    headers: HeaderMap,
    Json(b): Json<JoinBody>,
) -> WebResult<Response> {
    let all = cookies(&headers);
    let seat = room::join(&state.app, &b.code, cookie(&all, SEAT_COOKIE)).await?;
    let cookie_value = seat
        .token
        .as_ref()
        .map(|t| set_cookie(SEAT_COOKIE, t, rc.secure, Some(24 * 3_600)));
    let mut r = Json(Seat {
        token: None,
        ..seat
    })
    .into_response();
    if let Some(v) = cookie_value {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}
