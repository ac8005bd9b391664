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
    /// The action in words; one without a label yet shows its key.
    fn action_name(&self, a: &str) -> String {
        self.layout
            .t
            .get(&format!("action.{a}"))
            .map_or_else(|| a.to_owned(), str::to_owned)
    }
    fn outcome(&self, o: &str) -> &'static str {
        text(self.layout.t, &format!("outcome.{o}"))
    }
    /// What a write changed, as "field: before → after", one line each.
    fn changes(&self, r: &AuditRow) -> Vec<(String, String, String)> {
        let parse = |j: &Option<String>| {
            j.as_deref()
                .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
        };
        changes(parse(&r.before_json), parse(&r.after_json))
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

/// Top-level fields that differ between two records: (field, before, after),
/// with "—" for a side that lacks the field.
fn changes(
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Vec<(String, String, String)> {
    use serde_json::Value;
    let shown = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    let fields = |v: &Option<Value>| match v {
        Some(Value::Object(m)) => m.clone(),
        Some(other) => {
            let mut m = serde_json::Map::new();
            m.insert(String::new(), other.clone());
            m
        }
        None => serde_json::Map::new(),
    };
    let (b, a) = (fields(&before), fields(&after));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| (k.clone(), shown(b.get(k)), shown(a.get(k))))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn changes_read_as_field_before_after() {
        let c = super::changes(
            Some(json!({ "unit": "一支部", "status": "formal", "same": 1 })),
            Some(json!({ "unit": "二支部", "status": "formal", "same": 1, "new": true })),
        );
        assert_eq!(
            c,
            vec![
                ("new".into(), "—".into(), "true".into()),
                ("unit".into(), "一支部".into(), "二支部".into())
            ]
        );
    }
}
