//! Who in a unit is behind (谁没完成): every member against every quota of
//! the current periods, one row each, those behind on the most quotas first.
//! A branch secretary's one page for following up, and its workbook.

use std::collections::HashMap;

use serde::Serialize;
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::iso;
use xueshi_store::{members, study, tallies, units};

use crate::audit::{Audited, Entry};
use crate::quotas::{done_for, quotas_for};
use crate::sheet::safe_text;
use crate::tree::{Crumb, load};
use crate::{App, AppError, AppResult, Ctx};

/// Members a page lists at most; a larger subtree is opened by its units.
pub const STANDING_MAX: i64 = 3_000;

/// A quota as a column: its label, period and target.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QuotaColumn {
    pub quota_id: Id,
    pub label: String,
    /// What the quota counts: a kind of study, or minutes when `None`.
    pub kind: Option<xueshi_domain::study::StudyKind>,
    pub period: xueshi_domain::study::Period,
    pub from: String,
    pub to: String,
    pub target: i64,
    /// The target is minutes (每日自学), not a count of items.
    pub minutes: bool,
}

/// One member against every quota, in the columns' order.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MemberStanding {
    pub member_id: Id,
    pub name: String,
    pub unit: String,
    pub done: Vec<i64>,
    /// Quotas this member has not met yet.
    pub behind: i64,
}

/// How a unit's members stand.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Standing {
    pub unit: Crumb,
    pub quotas: Vec<QuotaColumn>,
    pub members: Vec<MemberStanding>,
    /// Members behind on at least one quota.
    pub behind: i64,
    /// More members than a page lists: open one of `children` instead.
    pub too_many: bool,
    pub children: Vec<Crumb>,
}

/// The order of the rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Behind on the most quotas first, then by name.
    #[default]
    Behind,
    Name,
    Unit,
    /// Least done on the n-th quota first.
    Quota(usize),
}

impl Order {
    pub fn parse(raw: &str) -> Order {
        match raw {
            "name" => Order::Name,
            "unit" => Order::Unit,
            q => q
                .strip_prefix('q')
                .and_then(|n| n.parse().ok())
                .map_or(Order::Behind, Order::Quota),
        }
    }
}

/// Every member of a unit's subtree against the quotas of today's periods.
pub async fn standing(app: &App, ctx: &Ctx, unit: Id, order: Order) -> AppResult<Standing> {
    let row = load(app, ctx, unit, Action::ViewStudy).await?;
    let path = row.path();
    let (_, quotas) = quotas_for(app, &path, app.clock().today()).await?;
    let mut conn = app.store().read().await?;
    let total = tallies::get(&mut conn, unit.0).await?.members_total;
    let columns: Vec<QuotaColumn> = quotas
        .iter()
        .map(|(r, q, from, to)| QuotaColumn {
            quota_id: Id(r.id),
            label: r.label.clone(),
            kind: q.kind,
            period: q.period,
            from: iso(*from),
            to: iso(*to),
            target: i64::from(q.target()),
            minutes: q.kind.is_none(),
        })
        .collect();
    let mut out = Standing {
        unit: Crumb {
            id: unit,
            name: row.name.clone(),
        },
        quotas: columns,
        members: Vec::new(),
        behind: 0,
        too_many: total > STANDING_MAX,
        children: Vec::new(),
    };
    if out.too_many {
        out.children = units::children(&mut conn, unit.0)
            .await?
            .iter()
            .map(|c| Crumb {
                id: c.id(),
                name: c.name.clone(),
            })
            .collect();
        return Ok(out);
    }
    let range = path.subtree_range();
    let people = members::names_in_subtree(&mut conn, &range).await?;
    let mut windows: HashMap<(String, String), HashMap<i64, study::StudyDone>> = HashMap::new();
    for (_, _, from, to) in &quotas {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            windows.entry((iso(*from), iso(*to)))
        {
            let (f, t) = slot.key().clone();
            slot.insert(study::done_under(&mut conn, &range, &f, &t).await?);
        }
    }
    let empty = study::StudyDone::default();
    for (id, name, unit_name) in people {
        let mut done = Vec::with_capacity(quotas.len());
        let mut behind = 0;
        for (_, q, from, to) in &quotas {
            let window = &windows[&(iso(*from), iso(*to))];
            let d = done_for(q, *from, *to, window.get(&id).unwrap_or(&empty));
            if !q.met(d.clamp(0, i64::from(u32::MAX)) as u32) {
                behind += 1;
            }
            done.push(d);
        }
        out.members.push(MemberStanding {
            member_id: Id(id),
            name,
            unit: unit_name,
            done,
            behind,
        });
    }
    out.behind = out.members.iter().filter(|m| m.behind > 0).count() as i64;
    sort(&mut out, order);
    Ok(out)
}

fn sort(s: &mut Standing, order: Order) {
    let by_name = |a: &MemberStanding, b: &MemberStanding| {
        a.name.cmp(&b.name).then(a.member_id.0.cmp(&b.member_id.0))
    };
    match order {
        Order::Behind => s
            .members
            .sort_by(|a, b| b.behind.cmp(&a.behind).then_with(|| by_name(a, b))),
        Order::Name => s.members.sort_by(by_name),
        Order::Unit => s
            .members
            .sort_by(|a, b| a.unit.cmp(&b.unit).then_with(|| by_name(a, b))),
        Order::Quota(i) => s.members.sort_by(|a, b| {
            let (x, y) = (a.done.get(i), b.done.get(i));
            x.cmp(&y).then_with(|| by_name(a, b))
        }),
    }
}

/// The same table as a workbook, audited: it names people.
pub async fn standing_workbook(app: &App, ctx: &Ctx, unit: Id) -> AppResult<(String, Vec<u8>)> {
    let (_, allowed) = crate::tree::load_allowed(app, ctx, unit, Action::ViewStudy).await?;
    let s = standing(app, ctx, unit, Order::Behind).await?;
    if s.too_many {
        return Err(AppError::Conflict("too_many_members"));
    }
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("学习情况").map_err(xlsx)?;
    let mut head = vec![
        "姓名".to_owned(),
        "所在组织".to_owned(),
        "未完成项数".to_owned(),
    ];
    head.extend(
        s.quotas
            .iter()
            .map(|q| format!("{}（{}–{}，目标 {}）", q.label, q.from, q.to, q.target)),
    );
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, safe_text(h), &bold)
            .map_err(xlsx)?;
    }
    for (r, m) in s.members.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, safe_text(&m.name)).map_err(xlsx)?;
        ws.write_string(r, 1, safe_text(&m.unit)).map_err(xlsx)?;
        ws.write_number(r, 2, m.behind as f64).map_err(xlsx)?;
        for (c, d) in m.done.iter().enumerate() {
            ws.write_number(r, c as u16 + 3, *d as f64).map_err(xlsx)?;
        }
    }
    ws.set_column_width(0, 12).map_err(xlsx)?;
    ws.set_column_width(1, 28).map_err(xlsx)?;
    let bytes = wb.save_to_buffer().map_err(xlsx)?;
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("study.export_standing", "unit", Some(unit), &s.unit.name)
            .unit(unit)
            .after(&serde_json::json!({ "members": s.members.len(), "behind": s.behind })),
    )
    .await?;
    Ok((
        format!("{}-学习情况-{}.xlsx", s.unit.name, iso(app.clock().today())),
        bytes,
    ))
}
