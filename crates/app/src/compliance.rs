//! Quota compliance (学习任务完成情况): how many members under a unit have
//! met each quota this period, by child unit, and who is behind.
//!
//! The figures come from the `quota_met` counters, which every check-in that
//! carries a member across a quota's target raises up the tree, so a
//! province's root reads a row per quota. The names of those behind are
//! read from the check-ins, which only makes sense for a subtree a secretary
//! can follow up; above [`LISTED_MAX`] members the office sees the child
//! units instead.

use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;

use serde::Serialize;
use time::Date;
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::study::{Period, Quota, StudyKind};
use xueshi_domain::unit::UnitPath;
use xueshi_store::quota_met::{self, MetKey};
use xueshi_store::study::{self, QuotaRow};
use xueshi_store::{members, tallies, units};

use crate::audit::{Audited, Entry};
use crate::quotas::{campaign_span, done_for, done_in, percent, quota_of, quotas_for};
use crate::sheet::safe_text;
use crate::tree::{Crumb, load};
use crate::{App, AppError, AppResult, Ctx};

/// Above this many members a subtree's compliance lists child units, not
/// names: a branch or a general branch is followed up by name, a town or
/// the district by its units (each unit's members' page names them). Names
/// come from reading the check-ins, the counters do not hold them: kept to
/// a branch's size, the dashboard reads counters only wherever it is large
/// (district root: from seconds to milliseconds).
pub const LISTED_MAX: i64 = 500;

/// The export lists names up to this many members: a file is read at leisure.
pub const EXPORT_LISTED_MAX: i64 = 20_000;

/// How many of those behind a page shows; the export lists them all.
pub const SHOWN_BEHIND: usize = 200;

/// One quota's standing over a unit's members.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QuotaCompliance {
    pub quota_id: Id,
    pub label: String,
    /// What the quota counts: a kind of study, or minutes when `None`.
    pub kind: Option<StudyKind>,
    pub period: Period,
    pub target: i64,
    pub from: String,
    pub to: String,
    pub members: i64,
    pub met: i64,
    /// Share meeting it, 0–100.
    pub percent: f64,
    /// The child units, the furthest behind first.
    pub by_unit: Vec<UnitCompliance>,
    /// Whether the subtree is small enough for `behind` to name people.
    pub listed: bool,
    /// Those behind, by name (the first [`SHOWN_BEHIND`] on a page).
    pub behind: Vec<Behind>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitCompliance {
    pub unit: Crumb,
    pub members: i64,
    pub met: i64,
    pub percent: f64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Behind {
    pub member_id: Id,
    pub name: String,
    pub unit: String,
    pub done: i64,
    pub target: i64,
}

type Window = (QuotaRow, Quota, Date, Date);

/// The counters a new check-in raises: for each quota whose target the
/// member's earlier check-ins in its window did not reach and this one does,
/// one per ancestor of the member's unit.
pub(crate) fn crossings<'a>(
    quotas: &[Window],
    earlier: impl Iterator<Item = (&'a str, &'a str, i64)> + Clone,
    new: (&'a str, &'a str, i64),
    path: &UnitPath,
) -> HashMap<MetKey, i64> {
    let mut out = HashMap::new();
    for (r, q, from, to) in quotas {
        let (f, t) = (iso(*from), iso(*to));
        let before = done_for(q, *from, *to, &done_in(earlier.clone(), &f, &t));
        let after = done_for(
            q,
            *from,
            *to,
            &done_in(earlier.clone().chain(std::iter::once(new)), &f, &t),
        );
        if !met(q, before) && met(q, after) {
            for a in path.ids() {
                *out.entry((a.0, r.id, f.clone())).or_default() += 1;
            }
        }
    }
    out
}

fn met(q: &Quota, done: i64) -> bool {
    q.met(done.clamp(0, i64::from(u32::MAX)) as u32)
}

/// Each quota's standing this period under a unit, from the counters. Names
/// those behind — the first `shown` for a page, up to [`LISTED_MAX`]
/// members; or all of them with `None` for the export, up to
/// [`EXPORT_LISTED_MAX`] — when the subtree is small enough.
pub async fn compliance_with(
    app: &App,
    ctx: &Ctx,
    unit: Id,
    shown: Option<usize>,
) -> AppResult<Vec<QuotaCompliance>> {
    let row = load(app, ctx, unit, Action::ViewStudy).await?;
    let path = row.path();
    let (_, quotas) = quotas_for(app, &path, app.clock().today()).await?;
    let mut conn = app.store().read().await?;
    let members_total = tallies::get(&mut conn, unit.0).await?.members_total;
    let children = units::children(&mut conn, unit.0).await?;
    let child_ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let child_tallies = tallies::get_many(&mut conn, &child_ids).await?;
    let mut ids = child_ids.clone();
    ids.push(unit.0);
    let listed = members_total
        <= if shown.is_some() {
            LISTED_MAX
        } else {
            EXPORT_LISTED_MAX
        };
    let behind = if listed && !quotas.is_empty() {
        behind_under(&mut conn, &path, &quotas, shown).await?
    } else {
        vec![Vec::new(); quotas.len()]
    };
    let mut out = Vec::with_capacity(quotas.len());
    for ((r, q, from, to), behind) in quotas.iter().zip(behind) {
        let from_s = iso(*from);
        let counts = quota_met::of_units(&mut conn, r.id, &from_s, &ids).await?;
        let met = counts.get(&unit.0).copied().unwrap_or(0);
        let mut by_unit: Vec<UnitCompliance> = children
            .iter()
            .filter_map(|c| {
                let m = child_tallies.get(&c.id).map_or(0, |t| t.members_total);
                let met = counts.get(&c.id).copied().unwrap_or(0);
                (m > 0).then(|| UnitCompliance {
                    unit: Crumb {
                        id: c.id(),
                        name: c.name.clone(),
                    },
                    members: m,
                    met,
                    percent: percent(met, m),
                })
            })
            .collect();
        by_unit.sort_by(|a, b| {
            a.percent
                .total_cmp(&b.percent)
                .then(a.unit.name.cmp(&b.unit.name))
        });
        out.push(QuotaCompliance {
            quota_id: Id(r.id),
            label: r.label.clone(),
            kind: q.kind,
            period: q.period,
            target: i64::from(q.target()),
            from: from_s,
            to: iso(*to),
            members: members_total,
            met,
            percent: percent(met, members_total),
            by_unit,
            listed,
            behind,
        });
    }
    Ok(out)
}

/// Each quota's standing with the first [`SHOWN_BEHIND`] of those behind.
pub async fn compliance(app: &App, ctx: &Ctx, unit: Id) -> AppResult<Vec<QuotaCompliance>> {
    compliance_with(app, ctx, unit, Some(SHOWN_BEHIND)).await
}

/// Per quota, the members under `path` behind it, from the check-ins of
/// each window.
async fn behind_under(
    conn: &mut sqlx::AnyConnection,
    path: &UnitPath,
    quotas: &[Window],
    shown: Option<usize>,
) -> AppResult<Vec<Vec<Behind>>> {
    let range = path.subtree_range();
    let people = members::names_in_subtree(conn, &range).await?;
    let mut done_by_window: HashMap<(Date, Date), HashMap<i64, study::StudyDone>> = HashMap::new();
    let mut out = Vec::with_capacity(quotas.len());
    let empty = study::StudyDone::default();
    for (_, q, from, to) in quotas {
        if let Slot::Vacant(e) = done_by_window.entry((*from, *to)) {
            e.insert(study::done_under(conn, &range, &iso(*from), &iso(*to)).await?);
        }
        let done = &done_by_window[&(*from, *to)];
        let behind = people
            .iter()
            .filter_map(|(id, name, unit)| {
                let d = done_for(q, *from, *to, done.get(id).unwrap_or(&empty));
                (!met(q, d)).then(|| Behind {
                    member_id: Id(*id),
                    name: name.clone(),
                    unit: unit.clone(),
                    done: d,
                    target: i64::from(q.target()),
                })
            })
            .take(shown.unwrap_or(usize::MAX))
            .collect();
        out.push(behind);
    }
    Ok(out)
}

/// Every quota counter recomputed from the check-ins, replaying them in the
/// order they were made: what the counters must hold.
pub async fn recount(app: &App) -> AppResult<HashMap<MetKey, i64>> {
    let mut conn = app.store().read().await?;
    let paths: HashMap<i64, UnitPath> = units::all_brief(&mut conn)
        .await?
        .into_iter()
        .map(|(id, path, _)| (id, path))
        .collect();
    let (campaigns, quota_rows) = quota_met::rules(&mut conn).await?;
    let check_ins = quota_met::check_ins_in_order(&mut conn).await?;
    drop(conn);
    let mut by_unit: HashMap<i64, Vec<&study::CampaignRow>> = HashMap::new();
    for c in &campaigns {
        by_unit.entry(c.unit_id).or_default().push(c);
    }
    let mut out = HashMap::new();
    let mut start = 0;
    while start < check_ins.len() {
        let member = check_ins[start].member_id;
        let end = check_ins[start..]
            .iter()
            .position(|c| c.member_id != member)
            .map_or(check_ins.len(), |n| start + n);
        let mine = &check_ins[start..end];
        for (i, c) in mine.iter().enumerate() {
            let (Some(path), Some(day)) = (paths.get(&c.unit_id), from_iso(&c.day)) else {
                continue;
            };
            // The campaign of the nearest ancestor running that day, as
            // `study::campaign_for` picks it.
            let Some(campaign) = path.ids().iter().rev().find_map(|a| {
                by_unit.get(&a.0).and_then(|cs| {
                    cs.iter()
                        .find(|k| k.starts_on <= c.day && k.ends_on >= c.day)
                        .copied()
                })
            }) else {
                continue;
            };
            let ancestors: Vec<i64> = path.ids().iter().map(|a| a.0).collect();
            let span = campaign_span(campaign, day);
            let windows: Vec<Window> = quota_rows
                .iter()
                .filter(|r| r.campaign_id == campaign.id && ancestors.contains(&r.unit_id))
                .map(|r| {
                    let q = quota_of(r);
                    let (from, to) = q.period.window(day, span);
                    (r.clone(), q, from, to)
                })
                .collect();
            let earlier = mine[..i]
                .iter()
                .map(|e| (e.day.as_str(), e.kind.as_str(), e.minutes));
            for (k, n) in crossings(
                &windows,
                earlier,
                (c.day.as_str(), c.kind.as_str(), c.minutes),
                path,
            ) {
                *out.entry(k).or_default() += n;
            }
        }
        start = end;
    }
    Ok(out)
}

/// The members behind each quota this period under a unit, one sheet per
/// quota, for the secretary to follow up (audited as an export). A subtree
/// too large to name people lists its child units instead.
pub async fn behind_workbook(app: &App, ctx: &Ctx, unit: Id) -> AppResult<(String, Vec<u8>)> {
    let (row, allowed) = crate::tree::load_allowed(app, ctx, unit, Action::ViewStudy).await?;
    let quotas = compliance_with(app, ctx, unit, None).await?;
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (i, q) in quotas.iter().enumerate() {
        let ws = wb.add_worksheet();
        // Sheet names are at most 31 characters and unique.
        let name: String = format!("{} {}", i + 1, q.label).chars().take(31).collect();
        ws.set_name(name).map_err(xlsx)?;
        ws.write_string(
            0,
            0,
            format!(
                "{}（{} – {}）：{} / {}",
                q.label, q.from, q.to, q.met, q.members
            ),
        )
        .map_err(xlsx)?;
        if q.listed {
            for (c, h) in ["姓名", "所在组织", "完成", "目标"].iter().enumerate() {
                ws.write_string_with_format(2, c as u16, *h, &bold)
                    .map_err(xlsx)?;
            }
            for (r, b) in q.behind.iter().enumerate() {
                let r = r as u32 + 3;
                ws.write_string(r, 0, safe_text(&b.name)).map_err(xlsx)?;
                ws.write_string(r, 1, safe_text(&b.unit)).map_err(xlsx)?;
                ws.write_number(r, 2, b.done as f64).map_err(xlsx)?;
                ws.write_number(r, 3, b.target as f64).map_err(xlsx)?;
            }
        } else {
            ws.write_string(1, 0, "党员人数较多，按下级组织列出；请到下级组织导出名单")
                .map_err(xlsx)?;
            for (c, h) in ["下级组织", "党员", "已完成", "未完成", "完成率(%)"]
                .iter()
                .enumerate()
            {
                ws.write_string_with_format(2, c as u16, *h, &bold)
                    .map_err(xlsx)?;
            }
            for (r, u) in q.by_unit.iter().enumerate() {
                let r = r as u32 + 3;
                ws.write_string(r, 0, safe_text(&u.unit.name))
                    .map_err(xlsx)?;
                ws.write_number(r, 1, u.members as f64).map_err(xlsx)?;
                ws.write_number(r, 2, u.met as f64).map_err(xlsx)?;
                ws.write_number(r, 3, (u.members - u.met).max(0) as f64)
                    .map_err(xlsx)?;
                ws.write_number(r, 4, u.percent).map_err(xlsx)?;
            }
        }
        ws.set_column_width(0, 16).map_err(xlsx)?;
        ws.set_column_width(1, 30).map_err(xlsx)?;
    }
    if quotas.is_empty() {
        wb.add_worksheet()
            .write_string(0, 0, "目前没有进行中的学习活动")
            .map_err(xlsx)?;
    }
    let bytes = wb.save_to_buffer().map_err(xlsx)?;
    let tx = Audited::begin(app, allowed).await?;
    let counts: Vec<(String, usize)> = quotas
        .iter()
        .map(|q| (q.label.clone(), q.behind.len()))
        .collect();
    tx.commit(
        Entry::new("study.export_behind", "unit", Some(unit), &row.name)
            .unit(unit)
            .after(&counts),
    )
    .await?;
    Ok((
        format!(
            "{}-学习任务未完成名单-{}.xlsx",
            row.name,
            iso(app.clock().today())
        ),
        bytes,
    ))
}
