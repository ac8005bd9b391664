//! Browsing the audit log of one's subtree.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use xueshi_app::audit;
use xueshi_app::audit::AuditRow;

use super::{Layout, render};
use crate::ctx::{Auth, urlencode};
use crate::error::WebResult;
use crate::i18n::text;
use crate::state::AppState;

const PER_PAGE: i64 = 100;

/// Actions a reader can filter by, in the order the menu lists them.
pub const ACTIONS: [&str; 50] = [
    "login",
    "logout",
    "unit.create",
    "unit.update",
    "unit.move",
    "unit.delete",
    "member.create",
    "member.update",
    "member.transfer",
    "member.leave",
    "member.unmask",
    "roster.import",
    "roster.export",
    "account.create",
    "account.password",
    "account.unlock",
    "account.disable",
    "account.enable",
    "organ.create",
    "organ.update",
    "organ.delete",
    "organ.person.add",
    "organ.person.remove",
    "organ.assign",
    "organ.unassign",
    "demo.build",
    "backup",
    "study.check_in",
    "quiz.submit",
    "bank.import",
    "library.import",
    "library.export",
    "problem.raise",
    "problem.reject",
    "problem.merge",
    "matter.create",
    "matter.approve",
    "matter.drop",
    "matter.claim",
    "matter.report",
    "matter.finish",
    "matter.reopen",
    "matter.rate",
    "matter.cadence",
    "matter.field",
    "matter.import",
    "matter.export",
    "case.create",
    "case.vote",
    "study.export_behind",
];

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    rows: Vec<AuditRow>,
    action: String,
    actor: String,
    actions: Vec<(&'static str, &'static str)>,
    more: Option<String>,
}

impl AuditPage {
    fn action_name(&self, a: &str) -> &'static str {
        self.layout.t.get(&format!("action.{a}")).unwrap_or("?")
    }
    fn outcome(&self, o: &str) -> &'static str {
        text(self.layout.t, &format!("outcome.{o}"))
    }
    fn pretty(&self, json: &Option<String>) -> String {
        json.as_deref()
            .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_default()
    }
}

pub async fn page(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<AuditQuery>,
) -> WebResult<Response> {
    let query = audit::Query {
        action: Some(q.action.clone()),
        actor: Some(q.actor.trim().to_owned()),
        before_id: q.before,
        ..Default::default()
    };
    let rows = audit::browse(&state.app, &a.ctx(), query, PER_PAGE).await?;
    let more = (rows.len() as i64 == PER_PAGE).then(|| {
        let last = rows.last().map(|r| r.id).unwrap_or_default();
        format!(
            "/audit?action={}&actor={}&before={last}",
            urlencode(&q.action),
            urlencode(&q.actor)
        )
    });
    let layout = Layout::new(&a.rc, a.rc.lang.msg().audit_title);
    let actions = ACTIONS
        .iter()
        .map(|k| (*k, layout.t.get(&format!("action.{k}")).unwrap_or(k)))
        .collect();
    Ok(render(&AuditPage {
        layout,
        rows,
        action: q.action,
        actor: q.actor,
        actions,
        more,
    }))
}
