//! The task list over the API: kinds, a unit's tasks and its completion
//! matrix, a task (read, edit while a draft, publish, comment, follow), the
//! actor's unit's to-do, and an assignment (read, report with its evidence
//! as a multipart form, send back, extend).

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use xueshi_app::AppError;
use xueshi_app::tasks::{
    self, AssignmentView, EventView, Matrix, TaskDetail, TaskInput, TaskView, ToDo,
};
use xueshi_domain::Id;

use crate::ctx::Auth;
use crate::error::{HttpError, WebResult};
use crate::state::AppState;

/// The kinds of task: the 规定动作 (mandated) and 自选动作.
#[utoipa::path(get, path = "/api/v1/task-kinds", tag = "tasks", responses((status = 200, body = [xueshi_app::tasks::TaskKind])))]
pub async fn kinds(
    State(state): State<AppState>,
    _a: Auth,
) -> WebResult<Json<Vec<xueshi_app::tasks::TaskKind>>> {
    Ok(Json(tasks::kinds(&state.app).await?))
}

/// The tasks a unit set, drafts included.
#[utoipa::path(get, path = "/api/v1/units/{id}/tasks", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = [TaskView]), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Vec<TaskView>>> {
    Ok(Json(tasks::set_by(&state.app, &a.ctx(), id).await?.1))
}

/// Sets a task (a draft) for the unit's subtree.
#[utoipa::path(post, path = "/api/v1/units/{id}/tasks", tag = "tasks", params(("id" = String, Path)),
    request_body = TaskInput, responses((status = 201), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<TaskInput>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let t = tasks::create(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": t }))))
}

/// Completion by unit × task: the unit's line and one per unit below it.
#[utoipa::path(get, path = "/api/v1/units/{id}/task-matrix", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = Matrix), (status = 403)))]
pub async fn matrix(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Matrix>> {
    Ok(Json(tasks::matrix(&state.app, &a.ctx(), id).await?))
}

/// A task with its comments and completion within the reader's reach.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = TaskDetail), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<TaskDetail>> {
    Ok(Json(tasks::detail(&state.app, &a.ctx(), id).await?))
}

/// Changes a draft task.
#[utoipa::path(put, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = String, Path)),
    request_body = TaskInput, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<TaskInput>,
) -> WebResult<StatusCode> {
    tasks::update(&state.app, &a.ctx(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes a draft to every target unit.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/publish", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200), (status = 403), (status = 409)))]
pub async fn publish(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Value>> {
    let n = tasks::publish(&state.app, &a.ctx(), id).await?;
    Ok(Json(json!({ "assignments": n })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CommentBody {
    #[serde(default)]
    pub body: String,
}

/// A leader's comment (批示).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/comments", tag = "tasks", params(("id" = String, Path)),
    request_body = CommentBody, responses((status = 204), (status = 403), (status = 422)))]
pub async fn comment(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(b): Json<CommentBody>,
) -> WebResult<StatusCode> {
    tasks::comment(&state.app, &a.ctx(), id, &b.body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct FollowBody {
    #[serde(default)]
    pub on: bool,
}

/// Follows a task or stops following it.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/follow", tag = "tasks", params(("id" = String, Path)),
    request_body = FollowBody, responses((status = 204), (status = 403)))]
pub async fn follow(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(b): Json<FollowBody>,
) -> WebResult<StatusCode> {
    tasks::follow(&state.app, &a.ctx(), id, b.on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The actor's own unit's assignments not yet done: sent back, overdue,
/// due this week, later.
#[utoipa::path(get, path = "/api/v1/my/tasks", tag = "tasks", responses((status = 200, body = ToDo)))]
pub async fn mine(State(state): State<AppState>, a: Auth) -> WebResult<Json<ToDo>> {
    Ok(Json(tasks::to_do(&state.app, &a.ctx()).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AssignmentDetail {
    pub assignment: AssignmentView,
    pub task: TaskView,
    pub history: Vec<EventView>,
}

/// One unit's assignment with its task and history.
#[utoipa::path(get, path = "/api/v1/assignments/{id}", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = AssignmentDetail), (status = 403), (status = 404)))]
pub async fn assignment(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<AssignmentDetail>> {
    let (assignment, task, history) = tasks::assignment(&state.app, &a.ctx(), id).await?;
    Ok(Json(AssignmentDetail {
        assignment,
        task,
        history,
    }))
}

/// Reports an assignment done: a multipart form with `note`, and the
/// evidence the task asks for — `photo`, `file`, `attendance` or `link`.
#[utoipa::path(post, path = "/api/v1/assignments/{id}/report", tag = "tasks", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn report(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<StatusCode> {
    tasks::authorize_report(&state.app, &a.ctx(), id).await?;
    let (input, bad) =
        crate::pages::tasks::read_report(form.map_err(|_| HttpError::bad_request())?).await?;
    if !bad.is_empty() {
        return Err(AppError::Invalid(bad).into());
    }
    tasks::report(&state.app, &a.ctx(), id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReasonBody {
    #[serde(default)]
    pub reason: String,
    /// For an extension: the new deadline, YYYY-MM-DD.
    #[serde(default)]
    pub due_on: String,
}

/// Sends a reported assignment back with a reason.
#[utoipa::path(post, path = "/api/v1/assignments/{id}/return", tag = "tasks", params(("id" = String, Path)),
    request_body = ReasonBody, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn send_back(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(b): Json<ReasonBody>,
) -> WebResult<StatusCode> {
    tasks::send_back(&state.app, &a.ctx(), id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves an assignment's deadline, with the reason.
#[utoipa::path(post, path = "/api/v1/assignments/{id}/extend", tag = "tasks", params(("id" = String, Path)),
    request_body = ReasonBody, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn extend(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(b): Json<ReasonBody>,
) -> WebResult<StatusCode> {
    tasks::extend(&state.app, &a.ctx(), id, &b.due_on, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
