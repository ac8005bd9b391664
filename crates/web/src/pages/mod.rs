//! Server-rendered pages: each handler parses, calls the use-case, renders
//! an askama template. Pages work without JavaScript and on a 360-px phone.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod bank;
pub mod briefings;
pub mod campaigns;
pub mod cases;
pub mod competitions;
pub mod contests;
pub mod exams;
pub mod figures;
pub mod home;
pub mod library;
pub mod matters;
pub mod meetings;
pub mod member_accounts;
pub mod members;
pub mod organs;
pub mod plans;
pub mod public;
pub mod quiz;
pub mod rankings;
pub mod rhythm;
pub mod roster;
pub mod study;
pub mod tasks;
pub mod triage;
pub mod units;
pub mod webhooks;

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use xueshi_domain::FieldError;
use xueshi_domain::access::Role;
use xueshi_domain::member::{CadreLevel, Gender, MemberStatus};
use xueshi_domain::organ::OrganKind;
use xueshi_domain::unit::UnitKind;

use crate::ctx::RequestCtx;
use crate::error::{HttpError, field_message};
use crate::i18n::{Lang, Msg, fill, text};
use crate::state::AppState;

/// What the layout around every page needs.
pub struct Layout {
    pub t: &'static Msg,
    pub lang: Lang,
    pub title: String,
    pub csrf: String,
    pub user: Option<String>,
    pub role: Option<Role>,
    pub path: String,
    pub notice: Option<String>,
    /// Signed in as an administrator over plain HTTP: the session cookie
    /// travels unprotected, and the page says so.
    pub insecure: bool,
    /// What the account's menu offers.
    pub menu: xueshi_app::menu::Menu,
}

impl Layout {
    pub fn new(rc: &RequestCtx, title: &str) -> Layout {
        Layout {
            t: rc.lang.msg(),
            lang: rc.lang,
            title: title.to_owned(),
            csrf: rc.csrf().to_owned(),
            user: rc.session.as_ref().map(|s| s.actor.display_name.clone()),
            role: rc.session.as_ref().map(|s| s.actor.role),
            path: rc.path.clone(),
            notice: None,
            insecure: !rc.secure && rc.session.as_ref().is_some_and(|s| s.actor.role.is_admin()),
            menu: rc
                .session
                .as_ref()
                .map(|s| xueshi_app::menu::Menu::of(&s.actor))
                .unwrap_or_default(),
        }
    }

    pub fn notice(mut self, key: Option<&str>) -> Layout {
        self.notice = key.and_then(|k| self.t.get(k)).map(str::to_owned);
        self
    }

    /// A matter field's name in the page's language (see [`field_label`]).
    pub fn field(&self, name: &str) -> String {
        field_label(self.lang, name)
    }

    /// A quota in the page's language (see [`quota_label`]).
    pub fn quota(
        &self,
        label: &str,
        kind: &Option<xueshi_domain::study::StudyKind>,
        period: &xueshi_domain::study::Period,
        target: &i64,
    ) -> String {
        quota_label(self.lang, label, *kind, *period, *target)
    }

    /// Adds to the page's notice what an import read from formula cells.
    pub fn formula_note(mut self, n: &crate::import_report::FormulaNote) -> Layout {
        let cells = xueshi_app::sheet::FormulaCells {
            count: n.formulas,
            cells: n
                .cells
                .split(',')
                .filter(|c| !c.is_empty())
                .take(20)
                .map(|c| c.chars().take(40).collect())
                .collect(),
        };
        if let Some(m) = crate::import_report::formula_message(self.lang, &cells) {
            self.notice = Some(match self.notice.take() {
                Some(n) => format!("{n} {m}"),
                None => m,
            });
        }
        self
    }

    pub fn tr(&self, key: &str) -> &'static str {
        text(self.t, key)
    }
    /// A message with its `{name}` placeholders filled in.
    pub fn fill<'a>(&self, template: &str, params: impl AsRef<[(&'a str, String)]>) -> String {
        fill(template, params.as_ref())
    }
    pub fn kind(&self, k: &UnitKind) -> &'static str {
        self.tr(&format!("kind.{}", k.as_str()))
    }
    pub fn organ_kind(&self, k: &OrganKind) -> &'static str {
        self.tr(&format!("organ_kind.{}", k.as_str()))
    }
    pub fn status(&self, s: &MemberStatus) -> &'static str {
        self.tr(&format!("status.{}", s.as_str()))
    }
    pub fn cadre(&self, c: &CadreLevel) -> &'static str {
        self.tr(&format!("cadre.{}", c.as_str()))
    }
    pub fn gender(&self, g: &Gender) -> &'static str {
        self.tr(&format!("gender.{}", g.as_str()))
    }
    pub fn role_name(&self, r: &Role) -> &'static str {
        self.tr(&format!("role.{}", r.as_str()))
    }
    pub fn time(&self, ms: &i64) -> String {
        xueshi_app::clock::format_ms(*ms)
    }
}

/// Field errors of a form, in words, by field name.
#[derive(Default)]
pub struct FormErrors {
    by_field: HashMap<&'static str, String>,
}

impl FormErrors {
    pub fn new(lang: Lang, errors: &[FieldError]) -> FormErrors {
        let mut by_field = HashMap::new();
        for e in errors {
            by_field
                .entry(e.field)
                .or_insert_with(|| field_message(lang, e));
        }
        FormErrors { by_field }
    }
    pub fn any(&self) -> bool {
        !self.by_field.is_empty()
    }
    pub fn get(&self, field: &str) -> &str {
        self.by_field.get(field).map_or("", |s| s.as_str())
    }
    pub fn has(&self, field: &str) -> bool {
        self.by_field.contains_key(field)
    }
    /// Messages for fields the form has no input for; `shown` lists the
    /// form's fields, comma-separated.
    pub fn others(&self, shown: &str) -> Vec<String> {
        let shown: Vec<&str> = shown.split(',').collect();
        self.by_field
            .iter()
            .filter(|(f, _)| !shown.contains(*f))
            .map(|(_, m)| m.clone())
            .collect()
    }
}

/// A matter field's name for a reader: the default fields have English
/// names; one a campaign added reads as it was typed.
pub fn field_label(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => xueshi_domain::matter::field_name_en(name)
            .unwrap_or(name)
            .to_owned(),
        Lang::Zh => name.to_owned(),
    }
}

/// A quota as the reader reads it: the campaign's own words (五个一:
/// 每月读一本书) in Chinese, and in English what it counts.
pub fn quota_label(
    lang: Lang,
    label: &str,
    kind: Option<xueshi_domain::study::StudyKind>,
    period: xueshi_domain::study::Period,
    target: i64,
) -> String {
    let t = lang.msg();
    if lang == Lang::Zh {
        return label.to_owned();
    }
    let period = text(t, &format!("period.{}", period.as_str())).to_owned();
    match kind {
        Some(k) => fill(
            t.quota_count,
            &[
                (
                    "kind",
                    text(t, &format!("study_kind.{}", k.as_str())).to_owned(),
                ),
                ("n", target.to_string()),
                ("period", period),
            ],
        ),
        None => fill(
            t.quota_minutes,
            &[("n", target.to_string()), ("period", period)],
        ),
    }
}

/// Renders a template as a page.
pub fn render(t: &impl Template) -> Response {
    render_status(StatusCode::OK, t)
}

pub fn render_status(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    message: String,
    details: Vec<String>,
}

/// The error page for a refused or failed request.
pub fn error_page(_state: &AppState, rc: &RequestCtx, err: &HttpError) -> Response {
    let t = rc.lang.msg();
    let details = err
        .fields
        .iter()
        .map(|f| field_message(rc.lang, f))
        .collect();
    let page = ErrorPage {
        layout: Layout::new(rc, t.error_title),
        message: err.message(rc.lang),
        details,
    };
    render_status(err.status, &page)
}

/// A paging helper for lists.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub base: String,
}

impl Pager {
    pub fn new(page: i64, total: i64, per: i64, base: String) -> Pager {
        Pager {
            page,
            pages: ((total + per - 1) / per).max(1),
            base,
        }
    }
    pub fn prev(&self) -> Option<String> {
        (self.page > 0).then(|| format!("{}page={}", self.base, self.page - 1))
    }
    pub fn next(&self) -> Option<String> {
        (self.page + 1 < self.pages).then(|| format!("{}page={}", self.base, self.page + 1))
    }
    pub fn shown(&self) -> i64 {
        self.page + 1
    }
}
