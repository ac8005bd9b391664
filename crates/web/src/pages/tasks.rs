//! The task list's pages: a unit's tasks with the form that sets one and
//! the completion matrix; a task with its comments, the units still owing
//! it, send-back and extension; a unit's own assignments (the to-do) and
//! the report form with its photo or document.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::tasks::{
    self, AssignmentView, EventView, Matrix, ReportInput, TaskDetail, TaskInput, TaskView, ToDo,
};
use xueshi_domain::Id;
use xueshi_domain::invalid::FieldError;
use xueshi_domain::task::Evidence;
use xueshi_domain::unit::UnitKind;

use super::home::Done;
use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::download::xlsx;
use crate::error::{HttpError, WebResult};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    layout: Layout,
    unit: Id,
    unit_name: String,
    tasks: Vec<TaskView>,
    may_write: bool,
    matrix: Matrix,
    kinds: Vec<xueshi_app::tasks::TaskKind>,
    unit_kinds: Vec<UnitKind>,
    evidences: Vec<Evidence>,
    /// Working groups and the units that may lead or help.
    groups: Vec<(Id, String)>,
    units: Vec<(Id, String)>,
    form: HashMap<String, String>,
    errors: FormErrors,
}

impl TasksPage {
    /// The unit's own line, then one per unit below it.
    fn lines(&self) -> Vec<&xueshi_app::tasks::MatrixRow> {
        std::iter::once(&self.matrix.total)
            .chain(self.matrix.rows.iter())
            .collect()
    }
    fn get(&self, k: &str) -> &str {
        self.form.get(k).map_or("", |v| v.as_str())
    }
    fn evidence_name(&self, e: &Evidence) -> &'static str {
        self.layout.tr(&format!("evidence.{}", e.as_str()))
    }
}

async fn tasks_page(
    state: &AppState,
    a: &Auth,
    unit: Id,
    form: HashMap<String, String>,
    errors: FormErrors,
) -> WebResult<TasksPage> {
    let ctx = a.ctx();
    let (urow, tasks, may_write) = tasks::set_by(&state.app, &ctx, unit).await?;
    let matrix = tasks::matrix(&state.app, &ctx, unit).await?;
    let choices = tasks::form_choices(&state.app, &ctx, unit).await?;
    let t = a.rc.lang.msg();
    Ok(TasksPage {
        layout: Layout::new(&a.rc, &format!("{} · {}", urow.name, t.tasks_title)),
        unit,
        unit_name: urow.name.clone(),
        tasks,
        may_write,
        matrix,
        kinds: tasks::kinds(&state.app).await?,
        groups: choices.0,
        units: choices.1,
        unit_kinds: UnitKind::ALL.to_vec(),
        evidences: Evidence::ALL.to_vec(),
        form,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let mut form = HashMap::new();
    form.insert("kind".to_owned(), "elective".to_owned());
    form.insert("evidence".to_owned(), "photo".to_owned());
    let mut p = tasks_page(&state, &a, unit, form, FormErrors::default()).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

/// The office's form into the use-case's input (co-units may repeat).
fn input_of(pairs: &[(String, String)]) -> TaskInput {
    let f: HashMap<String, String> = pairs.iter().cloned().collect();
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let id = |k: &str| get(k).trim().parse::<i64>().ok().map(Id);
    TaskInput {
        kind: get("kind"),
        title: get("title"),
        body: get("body"),
        deadline: get("deadline"),
        target_unit: id("target_unit"),
        target_kinds: get("target_kind")
            .split(',')
            .filter(|k| !k.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        evidence: get("evidence"),
        lead_unit: id("lead_unit"),
        co_units: pairs
            .iter()
            .filter(|(k, _)| k == "co_units")
            .filter_map(|(_, v)| v.trim().parse().ok().map(Id))
            .collect(),
        organ: id("organ"),
    }
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    match tasks::create(&state.app, &a.ctx(), unit, &input_of(&pairs)).await {
        Ok(id) => Ok(Redirect::to(&format!("/tasks/{id}?done=tasks.saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let f = pairs.into_iter().collect();
            let p = tasks_page(&state, &a, unit, f, FormErrors::new(a.rc.lang, &errors)).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn matrix_workbook(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
) -> WebResult<Response> {
    let (name, bytes) = tasks::matrix_workbook(&state.app, &a.ctx(), unit).await?;
    Ok(xlsx(&name, bytes))
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    layout: Layout,
    d: TaskDetail,
    errors: FormErrors,
}

impl TaskPage {
    fn evidence_name(&self, e: &Evidence) -> &'static str {
        self.layout.tr(&format!("evidence.{}", e.as_str()))
    }
    fn at(&self, ms: &i64) -> String {
        xueshi_app::clock::format_ms(*ms)
    }
}

async fn task_page(
    state: &AppState,
    a: &Auth,
    id: Id,
    errors: &[FieldError],
) -> WebResult<TaskPage> {
    let d = tasks::detail(&state.app, &a.ctx(), id).await?;
    Ok(TaskPage {
        layout: Layout::new(&a.rc, &d.task.title),
        d,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let mut p = task_page(&state, &a, id, &[]).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

/// Runs a task action and comes back to the task's page, or shows it again
/// with the errors.
async fn on_task(
    state: &AppState,
    a: &Auth,
    task: Id,
    done: &str,
    r: Result<(), AppError>,
) -> WebResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/tasks/{task}?done={done}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = task_page(state, a, task, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn publish(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let r = tasks::publish(&state.app, &a.ctx(), id).await.map(|_| ());
    on_task(&state, &a, id, "tasks.published", r).await
}

#[derive(Deserialize)]
pub struct CommentData {
    #[serde(default)]
    body: String,
}

pub async fn comment(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<CommentData>,
) -> WebResult<Response> {
    let r = tasks::comment(&state.app, &a.ctx(), id, &f.body).await;
    on_task(&state, &a, id, "tasks.commented", r).await
}

#[derive(Deserialize)]
pub struct FollowData {
    #[serde(default)]
    on: String,
}

pub async fn follow(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<FollowData>,
) -> WebResult<Response> {
    let r = tasks::follow(&state.app, &a.ctx(), id, f.on == "1").await;
    on_task(&state, &a, id, "unit.saved", r).await
}

#[derive(Template)]
#[template(path = "assignment.html")]
struct AssignmentPage {
    layout: Layout,
    a: AssignmentView,
    task: TaskView,
    history: Vec<EventView>,
    errors: FormErrors,
}

impl AssignmentPage {
    fn evidence_name(&self, e: &Evidence) -> &'static str {
        self.layout.tr(&format!("evidence.{}", e.as_str()))
    }
    fn event_name(&self, k: &str) -> &'static str {
        self.layout.tr(&format!("tasks.event_{k}"))
    }
    fn at(&self, ms: &i64) -> String {
        xueshi_app::clock::format_ms(*ms)
    }
}

async fn assignment_page(
    state: &AppState,
    a: &Auth,
    id: Id,
    errors: &[FieldError],
) -> WebResult<AssignmentPage> {
    let (v, task, history) = tasks::assignment(&state.app, &a.ctx(), id).await?;
    Ok(AssignmentPage {
        layout: Layout::new(&a.rc, &task.title),
        a: v,
        task,
        history,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn assignment(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let mut p = assignment_page(&state, &a, id, &[]).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

/// Reads a report's multipart form: its fields, its photo or document.
pub(crate) async fn read_report(
    mut form: Multipart,
) -> Result<(ReportInput, Vec<FieldError>), HttpError> {
    let mut input = ReportInput::default();
    let mut errors = Vec::new();
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|_| HttpError::bad_request())?
    {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "photo" => {
                let bytes = crate::upload::read_photo(&mut field).await?;
                if !bytes.is_empty() {
                    input.photo = Some(bytes);
                }
            }
            "file" => {
                let file_name: String = field
                    .file_name()
                    .unwrap_or("evidence")
                    .chars()
                    .take(100)
                    .collect();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| HttpError::bad_request())? {
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() > xueshi_domain::task::MAX_FILE {
                        break;
                    }
                }
                if !bytes.is_empty() {
                    input.file = Some((file_name, bytes));
                }
            }
            _ => {
                let text = field.text().await.map_err(|_| HttpError::bad_request())?;
                match name.as_str() {
                    "note" => input.note = text,
                    "link" => input.link = text,
                    "attendance" if !text.trim().is_empty() => match text.trim().parse::<i64>() {
                        Ok(n) => input.attendance = Some(n),
                        Err(_) => errors.push(
                            FieldError::new("attendance", "not_a_number")
                                .with("value", text.trim()),
                        ),
                    },
                    _ => {}
                }
            }
        }
    }
    Ok((input, errors))
}

pub async fn report(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    tasks::authorize_report(&state.app, &a.ctx(), id).await?;
    let (input, bad) = read_report(form.map_err(|_| HttpError::bad_request())?).await?;
    let r = if bad.is_empty() {
        tasks::report(&state.app, &a.ctx(), id, input).await
    } else {
        Err(AppError::Invalid(bad))
    };
    match r {
        Ok(()) => Ok(
            Redirect::to(&format!("/assignments/{id}?done=tasks.reported_done")).into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let p = assignment_page(&state, &a, id, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ReturnData {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    due_on: String,
}

/// The office's actions on one unit's assignment come back to the task.
async fn task_of(state: &AppState, a: &Auth, id: Id) -> WebResult<Id> {
    Ok(tasks::assignment(&state.app, &a.ctx(), id).await?.0.task.id)
}

pub async fn send_back(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<ReturnData>,
) -> WebResult<Response> {
    let task = task_of(&state, &a, id).await?;
    let r = tasks::send_back(&state.app, &a.ctx(), id, &f.reason).await;
    on_task(&state, &a, task, "tasks.returned_done", r).await
}

pub async fn extend(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<ReturnData>,
) -> WebResult<Response> {
    let task = task_of(&state, &a, id).await?;
    let r = tasks::extend(&state.app, &a.ctx(), id, &f.due_on, &f.reason).await;
    on_task(&state, &a, task, "tasks.extended", r).await
}

pub async fn evidence(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let (name, kind, bytes) = tasks::evidence_file(&state.app, &a.ctx(), id).await?;
    if kind == "image/jpeg" {
        return Ok(super::matters::image(bytes, kind));
    }
    let disposition = format!(
        "attachment; filename=\"evidence\"; filename*=UTF-8''{}",
        crate::ctx::urlencode(&name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "my_tasks.html")]
struct MyTasksPage {
    layout: Layout,
    todo: ToDo,
    consulting: Vec<xueshi_app::plans::Awaiting>,
}

pub async fn mine(State(state): State<AppState>, a: Auth) -> WebResult<Response> {
    let todo = tasks::to_do(&state.app, &a.ctx()).await?;
    let consulting = xueshi_app::plans::awaiting(&state.app, &a.ctx()).await?;
    Ok(render(&MyTasksPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().tasks_mine),
        todo,
        consulting,
    }))
}

#[derive(Template)]
#[template(path = "roadmap.html")]
struct RoadmapPage {
    layout: Layout,
    map: xueshi_app::tasks::Roadmap,
}

pub async fn roadmap(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
) -> WebResult<Response> {
    let map = tasks::roadmap(&state.app, &a.ctx(), unit).await?;
    Ok(render(&RoadmapPage {
        layout: Layout::new(
            &a.rc,
            &format!("{} · {}", map.unit_name, a.rc.lang.msg().roadmap_title),
        ),
        map,
    }))
}

pub async fn schedule_workbook(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
) -> WebResult<Response> {
    let (name, bytes) = tasks::schedule_workbook(&state.app, &a.ctx(), unit).await?;
    Ok(xlsx(&name, bytes))
}
