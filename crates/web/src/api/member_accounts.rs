//! Members' accounts over the API: making them for a subtree, the login
//! slips still to hand out, a fresh slip for one account, and changing
//! one's own password (which a slip's holder must do first).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use xueshi_app::accounts::{self, AccountView, NewAccountInput};
use xueshi_app::member_accounts::{self, Issued, Slip, UsernameScheme};
use xueshi_domain::Id;

use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct IssueRequest {
    #[serde(default)]
    pub scheme: UsernameScheme,
}

/// Makes an account for every current member of the subtree who has none.
#[utoipa::path(post, path = "/api/v1/units/{id}/member-accounts", tag = "accounts", params(("id" = String, Path)),
    request_body = IssueRequest, responses((status = 200, body = Issued), (status = 403), (status = 422)))]
pub async fn issue(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(body): Json<IssueRequest>,
) -> WebResult<Json<Issued>> {
    Ok(Json(
        member_accounts::issue(&state.app, &a.ctx(), id, body.scheme).await?,
    ))
}

/// The login slips of the subtree's members who have not signed in yet
/// (an audited export).
#[utoipa::path(get, path = "/api/v1/units/{id}/login-slips", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = [Slip]), (status = 403)))]
pub async fn slips(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Vec<Slip>>> {
    Ok(Json(
        member_accounts::slips(&state.app, &a.ctx(), id).await?,
    ))
}

/// Puts a member's account on a fresh login slip.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/slip", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = Slip), (status = 403), (status = 422)))]
pub async fn reset(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Slip>> {
    Ok(Json(
        member_accounts::reset_to_slip(&state.app, &a.ctx(), id).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// Changes one's own password.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session",
    request_body = PasswordChange, responses((status = 204), (status = 422)))]
pub async fn change_password(
    State(state): State<AppState>,
    a: Auth,
    Json(body): Json<PasswordChange>,
) -> WebResult<StatusCode> {
    accounts::change_own_password(&state.app, &a.ctx(), &body.current, body.new).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Creates an account inside one's scope; with `member_id`, the member's
/// own account (role member, working in the member's unit).
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts",
    request_body = NewAccountInput, responses((status = 201, body = AccountView), (status = 403), (status = 422)))]
pub async fn create_account(
    State(state): State<AppState>,
    a: Auth,
    Json(input): Json<NewAccountInput>,
) -> WebResult<(StatusCode, Json<AccountView>)> {
    let v = accounts::create(&state.app, &a.ctx(), input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}
