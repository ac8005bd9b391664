//! The figure catalogue over a unit, and the rows behind a figure.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use xueshi_app::figures::{self, Figure, Overview, Rows, Span, Stated};
use xueshi_domain::Id;

use crate::ctx::Auth;
use crate::error::{HttpError, WebResult};
use crate::state::AppState;

/// The catalogue's figures over a unit that the reader may see.
#[utoipa::path(get, path = "/api/v1/units/{id}/figures", tag = "figures",
    params(("id" = String, Path), ("from" = String, Query), ("to" = String, Query)),
    responses((status = 200, body = Vec<Stated>), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<RowsQuery>,
) -> WebResult<Json<Vec<Stated>>> {
    let span = q.span(&state)?;
    Ok(Json(
        figures::of_unit(&state.app, &a.ctx(), id, &span).await?,
    ))
}

/// A subtree at a glance: the figures, each day of the span (its last 31
/// days) and the units below that lag behind.
#[utoipa::path(get, path = "/api/v1/units/{id}/overview", tag = "figures",
    params(("id" = String, Path), ("from" = String, Query), ("to" = String, Query)),
    responses((status = 200, body = Overview), (status = 403)))]
pub async fn overview(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<RowsQuery>,
) -> WebResult<Json<Overview>> {
    let span = q.span(&state)?;
    Ok(Json(
        figures::overview(&state.app, &a.ctx(), id, &span).await?,
    ))
}

/// A page of the rows behind a figure (`figure` a key of the catalogue,
/// `page` from 0); `total` equals the figure's value.
#[utoipa::path(get, path = "/api/v1/units/{id}/figures/rows", tag = "figures",
    params(("id" = String, Path), ("figure" = String, Query), ("from" = String, Query), ("to" = String, Query), ("page" = i64, Query)),
    responses((status = 200, body = Rows), (status = 403), (status = 404)))]
pub async fn rows(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<RowsQuery>,
) -> WebResult<Json<Rows>> {
    Ok(Json(
        figures::rows(
            &state.app,
            &a.ctx(),
            q.figure()?,
            id,
            &q.span(&state)?,
            q.page,
        )
        .await?,
    ))
}

/// Which figure, the days a flow figure counts (the week ending today
/// when not given), and which page of its rows (the first figure of the
/// catalogue and the first page when not given).
#[derive(Deserialize, Default)]
pub struct RowsQuery {
    #[serde(default)]
    pub figure: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: i64,
}

impl RowsQuery {
    pub fn figure(&self) -> Result<Figure, HttpError> {
        if self.figure.is_empty() {
            return Ok(figures::CATALOGUE[0].figure);
        }
        Figure::parse(&self.figure).ok_or_else(HttpError::not_found)
    }

    pub fn span(&self, state: &AppState) -> Result<Span, HttpError> {
        Ok(Span::parse(
            &self.from,
            &self.to,
            state.app.clock().today(),
        )?)
    }
}
