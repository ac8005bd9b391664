//! The study library page: materials and 党史上的今天, the workbook import
//! with its problems by row and column, and the export.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::library::{self, Library};

use super::roster::{Problem, problems, uploaded_file, xlsx};
use super::{Layout, render, render_status};
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "library.html")]
struct LibraryPage {
    layout: Layout,
    library: Library,
    problems: Vec<Problem>,
}

#[derive(Deserialize, Default)]
pub struct LibraryQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn library_page(
    state: &AppState,
    a: &Auth,
    problems: Vec<Problem>,
) -> WebResult<LibraryPage> {
    Ok(LibraryPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().library_title),
        library: library::list(&state.app, &a.ctx()).await?,
        problems,
    })
}

pub async fn page(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<LibraryQuery>,
) -> WebResult<Response> {
    let mut p = library_page(&state, &a, Vec::new()).await?;
    p.layout = p.layout.notice(q.done.as_deref());
    Ok(render(&p))
}

pub async fn upload(
    State(state): State<AppState>,
    a: Auth,
    form: Multipart,
) -> WebResult<Response> {
    library::authorize_manage(&a.ctx())?;
    let (name, bytes) = uploaded_file(form).await?;
    match library::import(&state.app, &a.ctx(), &name, bytes).await {
        Ok(_) => Ok(Redirect::to("/library?done=library.imported").into_response()),
        Err(AppError::Rejected(rows)) => {
            let p = library_page(&state, &a, problems(a.rc.lang, &rows, 200)).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn export(State(state): State<AppState>, a: Auth) -> WebResult<Response> {
    let (name, bytes) = library::export(&state.app, &a.ctx()).await?;
    Ok(xlsx(&name, bytes))
}
