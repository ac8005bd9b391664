//! The overview of one's subtree, the tree, and search.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::members::MemberView;
use xueshi_app::tree::{self, UnitDetail, UnitView};
use xueshi_domain::unit::UnitKind;

use super::{Layout, render};
use crate::chart;
use crate::ctx::{Auth, Rc};
use crate::error::WebResult;
use crate::i18n::fill;
use crate::state::AppState;

pub async fn root(Rc(rc): Rc) -> Response {
    if rc.session.is_some() {
        Redirect::to("/home")
    } else {
        Redirect::to("/login")
    }
    .into_response()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    /// The unit's own tasks not done (a secretary's 待办); `None` for
    /// roles that report none.
    todo: Option<xueshi_app::tasks::ToDo>,
    /// Plans out for comment to the secretary's unit.
    consulting: Vec<xueshi_app::plans::Awaiting>,
    d: UnitDetail,
    summary: String,
    by_child: String,
    by_status: String,
    by_cadre: String,
    by_kind: String,
}

/// `?done=<message key>`: what the previous form did.
#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

impl Done {
    pub fn done(&self) -> Option<&str> {
        self.done.as_deref()
    }
}

pub async fn home(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    // A member's home is their day of study, not the organisation's figures.
    if a.session.actor.role == xueshi_domain::access::Role::Member
        && a.session.actor.member_id.is_some()
    {
        return crate::pages::study::page(State(state), a, Query(q.done.into())).await;
    }
    let d = tree::overview(&state.app, &a.ctx()).await?;
    let l = Layout::new(&a.rc, a.rc.lang.msg().home_title).notice(q.done.as_deref());
    let t = l.t;
    let tally = &d.unit.tally;
    let summary = fill(
        t.home_summary,
        &[
            ("scope", d.unit.name.clone()),
            ("grassroots", tally.units_grassroots.to_string()),
            ("members", tally.members_total.to_string()),
        ],
    );
    let mut kids: Vec<(String, i64)> = d
        .children
        .iter()
        .map(|c| (c.name.clone(), c.tally.members_total))
        .collect();
    kids.sort_by_key(|k| std::cmp::Reverse(k.1));
    kids.truncate(15);
    let by_child = chart::bars(t.home_by_child, &kids);
    let by_status = chart::donut(
        t.home_by_status,
        &[
            (t.status_formal.into(), tally.members_formal),
            (t.status_probationary.into(), tally.members_probationary),
        ],
    );
    let by_cadre = chart::donut(
        t.home_cadres,
        &[
            (t.cadre_leader.into(), tally.cadre_leader),
            (t.cadre_section.into(), tally.cadre_section),
            (t.cadre_ordinary.into(), tally.cadre_ordinary),
        ],
    );
    let kinds: Vec<(String, i64)> = UnitKind::ALL
        .iter()
        .map(|k| (l.kind(k).to_owned(), tally.kind_count(*k)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let by_kind = chart::bars(t.home_by_kind, &kinds);
    let ctx = a.ctx();
    let (todo, consulting) = if ctx.actor.role == xueshi_domain::access::Role::UnitAdmin {
        (
            Some(xueshi_app::tasks::to_do(&state.app, &ctx).await?),
            xueshi_app::plans::awaiting(&state.app, &ctx).await?,
        )
    } else {
        (None, Vec::new())
    };
    Ok(render(&HomePage {
        layout: l,
        todo,
        consulting,
        d,
        summary,
        by_child,
        by_status,
        by_cadre,
        by_kind,
    }))
}

/// A unit with the next level under it, for the tree page.
pub struct Branch {
    pub unit: UnitView,
    pub children: Vec<UnitView>,
}

#[derive(Template)]
#[template(path = "tree.html")]
struct TreePage {
    layout: Layout,
    root: UnitView,
    branches: Vec<Branch>,
}

pub async fn tree_page(State(state): State<AppState>, a: Auth) -> WebResult<Response> {
    let ctx = a.ctx();
    let d = tree::overview(&state.app, &ctx).await?;
    let mut branches = Vec::with_capacity(d.children.len());
    for c in d.children {
        let children = tree::detail(&state.app, &ctx, c.id).await?.children;
        branches.push(Branch { unit: c, children });
    }
    Ok(render(&TreePage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().tree_title),
        root: d.unit,
        branches,
    }))
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    units: Vec<UnitView>,
    members: Vec<MemberView>,
    show_members: bool,
}

pub async fn search(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<SearchQuery>,
) -> WebResult<Response> {
    let found = xueshi_app::search::search(&state.app, &a.ctx(), &q.q).await?;
    let query = q.q.trim().chars().take(40).collect::<String>();
    Ok(render(&SearchPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().search_title),
        q: query,
        units: found.units,
        members: found.members,
        show_members: found.members_shown,
    }))
}
