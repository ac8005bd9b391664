//! The OpenAPI document of `/api/v1`.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "学史 xueshi API",
        description = "Party-history study campaign platform. Ids are decimal strings; \
        errors are {code, message, fields}; writes need the session's X-CSRF-Token header."
    ),
    paths(
        super::session::login,
        super::session::logout,
        super::session::whoami,
        super::tree::scope,
        super::tree::unit,
        super::tree::unit_members,
        super::tree::create_unit,
        super::tree::update_unit,
        super::tree::move_unit,
        super::tree::delete_unit,
        super::tree::create_member,
        super::tree::member,
        super::tree::update_member,
        super::tree::unmask,
        super::tree::transfer,
        super::tree::leave,
        super::tree::search,
        super::tree::organs,
        super::tree::organ,
        super::tree::audit_log,
        super::roster::import,
        super::roster::export,
        super::roster::job,
        super::roster::download,
        super::study::me,
        super::study::check_in,
        super::quiz::today,
        super::quiz::submit,
        super::study::dashboard,
        super::study::compliance,
        super::bank::list,
        super::bank::import,
        super::bank::add,
        super::bank::get,
        super::bank::edit,
        super::bank::retire,
        super::bank::restore,
        super::library::list,
        super::library::import,
        super::library::add_material,
        super::library::edit_material,
        super::library::retire_material,
        super::library::restore_material,
        super::library::add_history,
        super::library::edit_history,
        super::library::delete_history,
        super::public::challenge,
        super::public::raise,
        super::public::follow,
        super::public::rate,
        super::public::matters_list,
        super::matters::create,
        super::matters::detail,
        super::matters::claim,
        super::matters::step,
        super::matters::rating_codes,
        super::matters::triage,
        super::matters::board,
        super::matters::figures,
        super::matters::cadence,
        super::matters::mine,
        super::matters::import,
        super::matters::add_field,
        super::matters::create_round,
        super::matters::round,
        super::public::matter,
        super::public::summary,
        super::public::case_round,
        super::public::vote,
        super::figures::list,
        super::figures::rows,
        super::figures::overview,
        super::briefings::list,
        super::briefings::generate,
        super::briefings::show,
        super::briefings::step,
        super::briefings::regenerate,
        super::briefings::review,
        document,
    )
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", responses((status = 200, description = "OpenAPI 3.1")))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
