//! Rankings (比学赶超): the office defines how the units of its subtree are
//! compared — which measures, their weights, over which days, among which
//! peers — and reads the standing computed from the records, each unit's
//! score broken into its measures, with the lowest of each group as the
//! 约谈 list. The rules are in [`xueshi_domain::ranking`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::invalid::FieldError;
use xueshi_domain::ranking::{
    self, BOTTOM_MAX, DEPTH_MAX, RankingMeasure, Ratio, Term, check_terms,
};
use xueshi_domain::unit::{UnitKind, UnitPath};
use xueshi_store::rankings::{self, RankingRow};
use xueshi_store::units::{self, UnitRow};
use xueshi_store::{quota_met, study, tallies};

use crate::audit::{Audited, Entry};
use crate::clock::{date_of, start_of};
use crate::figures::Span;
use crate::permit::{Allowed, allow, may};
use crate::sheet::safe_text;
use crate::tree::load_allowed;
use crate::{App, AppError, AppResult, Ctx};

/// Peers a ranking compares at most; a wider one is refused at reading
/// (rank a lower unit's subtree, or fewer levels down).
pub const PEERS_MAX: usize = 5_000;
/// Longest name of a ranking.
pub const NAME_MAX: usize = 100;

/// What the office asks for. Every field may be left out: what is missing
/// is named by the check, not refused as malformed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewRanking {
    pub name: String,
    /// Levels below the unit the peers stand (1: its direct subordinates).
    pub depth: i64,
    /// Only units of this kind (its key); empty: each kind ranked apart.
    pub peer_kind: String,
    /// YYYY-MM-DD, both required.
    pub from: String,
    pub to: String,
    pub terms: Vec<Term>,
    /// The lowest this many of each group are the 约谈 list (0: none).
    pub bottom: i64,
}

/// A ranking as listed under its unit.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RankingItem {
    pub id: Id,
    pub name: String,
    pub span: Span,
}

/// A unit's rankings, and whether the reader may define one.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitRankings {
    pub unit: Id,
    pub unit_name: String,
    pub items: Vec<RankingItem>,
    pub may_write: bool,
}

/// A term as a reader sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TermLine {
    pub measure: RankingMeasure,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub weight: i64,
}

/// One unit's standing: its place, its score and each measure's parts.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Standing {
    pub unit: Id,
    pub name: String,
    pub members: i64,
    /// 1 for the best; `None` when it has nothing to be measured on.
    pub place: Option<usize>,
    /// Out of 100.
    pub score: Option<f64>,
    /// In the ranking's terms' order.
    pub parts: Vec<Ratio>,
}

/// Peers of one kind, best first, and the lowest as the 约谈 list.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PeerGroup {
    pub kind: UnitKind,
    pub standings: Vec<Standing>,
    /// The lowest `bottom` with a score (at most half the group), lowest
    /// first.
    pub bottom: Vec<Standing>,
}

/// A ranking read from today's records.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Ranking {
    pub id: Id,
    pub unit: Id,
    pub unit_name: String,
    pub name: String,
    pub depth: i64,
    pub peer_kind: Option<UnitKind>,
    pub span: Span,
    pub terms: Vec<TermLine>,
    pub bottom: i64,
    pub groups: Vec<PeerGroup>,
    pub may_write: bool,
}

/// Defines a ranking over a unit's subtree.
pub async fn define(app: &App, ctx: &Ctx, unit: Id, input: &NewRanking) -> AppResult<Id> {
    let (row, allowed) = load_allowed(app, ctx, unit, Action::WriteBriefings).await?;
    let mut errors = Vec::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        errors.push(FieldError::new("name", "required"));
    } else if name.chars().count() > NAME_MAX {
        errors.push(FieldError::new("name", "too_long").with("max", NAME_MAX));
    } else if name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "control_chars"));
    }
    if !(1..=DEPTH_MAX).contains(&input.depth) {
        errors.push(
            FieldError::new("depth", "out_of_range")
                .with("min", 1)
                .with("max", DEPTH_MAX)
                .with("value", input.depth),
        );
    }
    let kind = match input.peer_kind.trim() {
        "" => None,
        k => match UnitKind::parse(k) {
            Some(k) => Some(k),
            None => {
                errors.push(FieldError::new("peer_kind", "bad_choice").with("value", k));
                None
            }
        },
    };
    for (field, v) in [("from", &input.from), ("to", &input.to)] {
        if v.trim().is_empty() {
            errors.push(FieldError::new(field, "required"));
        }
    }
    let span = if errors.iter().any(|e| e.field == "from" || e.field == "to") {
        None
    } else {
        match Span::parse(&input.from, &input.to, app.clock().today()) {
            Ok(s) => Some(s),
            Err(AppError::Invalid(e)) => {
                errors.extend(e);
                None
            }
            Err(e) => return Err(e),
        }
    };
    errors.extend(check_terms(&input.terms));
    if !(0..=BOTTOM_MAX).contains(&input.bottom) {
        errors.push(
            FieldError::new("bottom", "out_of_range")
                .with("min", 0)
                .with("max", BOTTOM_MAX)
                .with("value", input.bottom),
        );
    }
    let Some(span) = span.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let id = app.next_id();
    let r = RankingRow {
        id: id.0,
        unit_id: row.id,
        name: name.clone(),
        depth: input.depth,
        peer_kind: kind.map(|k| k.as_str().to_owned()),
        period_from: span.from.clone(),
        period_to: span.to.clone(),
        terms: serde_json::to_string(&input.terms).map_err(|e| AppError::Internal(e.into()))?,
        bottom: input.bottom,
        created_by: Some(ctx.actor.account_id.0),
        created_at: app.now(),
    };
    let mut tx = Audited::begin(app, allowed).await?;
    rankings::insert(&mut tx, &r).await?;
    tx.commit(
        Entry::new("ranking.define", "ranking", Some(id), &name)
            .unit(unit)
            .after(&serde_json::json!({
                "depth": r.depth, "peer_kind": r.peer_kind, "from": span.from, "to": span.to,
                "terms": input.terms, "bottom": r.bottom,
            })),
    )
    .await?;
    Ok(id)
}

/// A unit's rankings, newest first.
pub async fn of_unit(app: &App, ctx: &Ctx, unit: Id) -> AppResult<UnitRankings> {
    let (row, _) = load_allowed(app, ctx, unit, Action::ReadBriefings).await?;
    let mut conn = app.store().read().await?;
    let items = rankings::of_unit(&mut conn, unit.0)
        .await?
        .into_iter()
        .map(|r| RankingItem {
            id: Id(r.id),
            name: r.name,
            span: Span {
                from: r.period_from,
                to: r.period_to,
            },
        })
        .collect();
    Ok(UnitRankings {
        unit,
        unit_name: row.name.clone(),
        items,
        may_write: may(ctx, Action::WriteBriefings, &row.path()),
    })
}

async fn load<'a>(
    app: &App,
    ctx: &'a Ctx,
    id: Id,
    action: Action,
) -> AppResult<(RankingRow, UnitRow, Allowed<'a>)> {
    let mut conn = app.store().read().await?;
    let r = rankings::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = units::get(&mut conn, r.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = allow(ctx, action, &u.path())?;
    Ok((r, u, allowed))
}

fn terms_of(r: &RankingRow) -> AppResult<Vec<Term>> {
    serde_json::from_str(&r.terms).map_err(|e| AppError::Internal(e.into()))
}

/// A ranking, computed from today's records.
pub async fn get(app: &App, ctx: &Ctx, id: Id) -> AppResult<Ranking> {
    let (r, owner, _) = load(app, ctx, id, Action::ReadBriefings).await?;
    read(app, ctx, r, &owner).await
}

/// A ranking the reader has been shown to may read, computed.
async fn read(app: &App, ctx: &Ctx, r: RankingRow, owner: &UnitRow) -> AppResult<Ranking> {
    let id = Id(r.id);
    let terms = terms_of(&r)?;
    let kind = r.peer_kind.clone().map(UnitKind::try_from).transpose();
    let kind = kind.map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let span = Span {
        from: r.period_from.clone(),
        to: r.period_to.clone(),
    };
    let groups = standings(app, owner, r.depth, kind, &span, &terms, r.bottom).await?;
    Ok(Ranking {
        id,
        unit: owner.id(),
        unit_name: owner.name.clone(),
        name: r.name,
        depth: r.depth,
        peer_kind: kind,
        span,
        terms: terms
            .iter()
            .map(|t| TermLine {
                measure: t.measure,
                label_zh: t.measure.label_zh(),
                label_en: t.measure.label_en(),
                weight: t.weight,
            })
            .collect(),
        bottom: r.bottom,
        groups,
        may_write: may(ctx, Action::WriteBriefings, &owner.path()),
    })
}

/// Deletes a ranking (its rule only), unless a year-end review holds it.
pub async fn delete(app: &App, ctx: &Ctx, id: Id) -> AppResult<Id> {
    let (r, owner, allowed) = load(app, ctx, id, Action::WriteBriefings).await?;
    {
        let mut conn = app.store().read().await?;
        // A year-end review's 约谈 list stands on it.
        if xueshi_store::rhythm::ranking_in_use(&mut conn, id.0).await? {
            return Err(AppError::Conflict("ranking_in_use"));
        }
    }
    let mut tx = Audited::begin(app, allowed).await?;
    if !rankings::delete(&mut tx, id.0).await? {
        return Err(AppError::NotFound);
    }
    tx.commit(
        Entry::new("ranking.delete", "ranking", Some(id), &r.name)
            .unit(owner.id())
            .before(
                &serde_json::json!({ "terms": r.terms, "from": r.period_from, "to": r.period_to }),
            ),
    )
    .await?;
    Ok(owner.id())
}

/// Each peer's parts, place and score, grouped by kind.
async fn standings(
    app: &App,
    owner: &UnitRow,
    depth: i64,
    kind: Option<UnitKind>,
    span: &Span,
    terms: &[Term],
    bottom: i64,
) -> AppResult<Vec<PeerGroup>> {
    let root = owner.path();
    let peers = {
        let mut conn = app.store().read().await?;
        rankings::peers(&mut conn, &root, depth, kind, PEERS_MAX as i64 + 1).await?
    };
    if peers.len() > PEERS_MAX {
        return Err(AppError::Conflict("ranking_too_wide"));
    }
    let parts = parts(app, &root, &peers, span, terms).await?;
    let mut by_kind: Vec<(UnitKind, Vec<Standing>)> = Vec::new();
    for (p, (members, parts)) in peers.iter().zip(parts) {
        let s = Standing {
            unit: p.id(),
            name: p.name.clone(),
            members,
            place: None,
            score: ranking::score(terms, &parts),
            parts,
        };
        match by_kind.iter_mut().find(|(k, _)| *k == p.kind) {
            Some((_, v)) => v.push(s),
            None => by_kind.push((p.kind, vec![s])),
        }
    }
    Ok(by_kind
        .into_iter()
        .map(|(kind, mut standings)| {
            let scores: Vec<Option<f64>> = standings.iter().map(|s| s.score).collect();
            for (s, place) in standings.iter_mut().zip(ranking::places(&scores)) {
                s.place = place;
            }
            standings.sort_by(|a, b| {
                a.place
                    .unwrap_or(usize::MAX)
                    .cmp(&b.place.unwrap_or(usize::MAX))
                    .then_with(|| a.name.cmp(&b.name))
            });
            // Never more than half a group: with two peers, one is named.
            let scored = standings.iter().filter(|s| s.score.is_some()).count();
            let mut low: Vec<Standing> = standings
                .iter()
                .rev()
                .filter(|s| s.score.is_some())
                .take((bottom.max(0) as usize).min(scored / 2))
                .cloned()
                .collect();
            low.sort_by(|a, b| b.place.cmp(&a.place).then_with(|| a.name.cmp(&b.name)));
            PeerGroup {
                kind,
                standings,
                bottom: low,
            }
        })
        .collect())
}

/// Each peer's members and, per term, the ratio it is measured by.
async fn parts(
    app: &App,
    root: &UnitPath,
    peers: &[UnitRow],
    span: &Span,
    terms: &[Term],
) -> AppResult<Vec<(i64, Vec<Ratio>)>> {
    let ids: Vec<i64> = peers.iter().map(|p| p.id).collect();
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let wants = |m: RankingMeasure| terms.iter().any(|t| t.measure == m);
    let (from, to) = match (from_iso(&span.from), from_iso(&span.to)) {
        (Some(f), Some(t)) => (f, t),
        _ => return Err(AppError::Internal(anyhow::anyhow!("stored span {span:?}"))),
    };
    let days = (to - from).whole_days() + 1;
    let mut conn = app.store().read().await?;
    let members = tallies::get_many(&mut conn, &ids).await?;
    let members: Vec<i64> = ids
        .iter()
        .map(|id| members.get(id).map_or(0, |t| t.members_total))
        .collect();
    let mut quiz = vec![study::Daily::default(); ids.len()];
    if wants(RankingMeasure::QuizParticipation) || wants(RankingMeasure::QuizAccuracy) {
        for ((unit, _), d) in study::daily(&mut conn, &ids, &span.from, &span.to).await? {
            if let Some(i) = index.get(&unit) {
                quiz[*i] += d;
            }
        }
    }
    // Members meeting each quota in force at the period's end.
    let mut met = vec![Ratio::default(); ids.len()];
    if wants(RankingMeasure::QuotaCompliance) {
        drop(conn);
        let (_, quotas) = crate::quotas::quotas_for(app, root, to).await?;
        conn = app.store().read().await?;
        for (q, _, window_from, _) in &quotas {
            let counts = quota_met::of_units(&mut conn, q.id, &iso(*window_from), &ids).await?;
            for (i, id) in ids.iter().enumerate() {
                met[i].done += counts.get(id).copied().unwrap_or(0);
                met[i].of += members[i];
            }
        }
    }
    // The peer a row under `root` belongs to: its nearest ancestor listed.
    let peer_of = |path: &str| {
        UnitPath::parse(path).and_then(|p| p.ids().iter().find_map(|a| index.get(&a.0).copied()))
    };
    let mut on_time = vec![Ratio::default(); ids.len()];
    if wants(RankingMeasure::MattersOnTime) {
        for m in rankings::matters_due(&mut conn, root, &span.from, &span.to).await? {
            if let Some(i) = peer_of(&m.unit_path) {
                on_time[i].of += 1;
                let in_time = m
                    .finished_at
                    .is_some_and(|at| iso(date_of(at)) <= m.deadline);
                if m.done && in_time && m.photos {
                    on_time[i].done += 1;
                }
            }
        }
    }
    let mut satisfied = vec![Ratio::default(); ids.len()];
    if wants(RankingMeasure::MattersSatisfied) {
        let end = start_of(to + time::Duration::days(1));
        for (path, yes, all) in rankings::verdicts(&mut conn, root, start_of(from), end).await? {
            if let Some(i) = peer_of(&path) {
                satisfied[i].done += yes;
                satisfied[i].of += all;
            }
        }
    }
    // The task list's counters: per deadline, assignments and those done,
    // late ones apart.
    let mut tasks_on_time = vec![Ratio::default(); ids.len()];
    if wants(RankingMeasure::TasksOnTime) {
        for r in xueshi_store::tasks::tally_of_units(&mut conn, &ids).await? {
            let within =
                r.due_on.as_str() >= span.from.as_str() && r.due_on.as_str() <= span.to.as_str();
            if let Some(i) = index.get(&r.unit_id).filter(|_| within) {
                tasks_on_time[*i].of += r.assigned;
                tasks_on_time[*i].done += r.done - r.late;
            }
        }
    }
    Ok((0..ids.len())
        .map(|i| {
            let ratios = terms
                .iter()
                .map(|t| match t.measure {
                    RankingMeasure::QuizParticipation => Ratio {
                        done: quiz[i].quiz_takers,
                        of: members[i] * days,
                    },
                    RankingMeasure::QuizAccuracy => Ratio {
                        done: quiz[i].quiz_correct,
                        of: quiz[i].quiz_questions,
                    },
                    RankingMeasure::QuotaCompliance => met[i],
                    RankingMeasure::MattersOnTime => on_time[i],
                    RankingMeasure::MattersSatisfied => satisfied[i],
                    RankingMeasure::TasksOnTime => tasks_on_time[i],
                })
                .collect();
            (members[i], ratios)
        })
        .collect())
}

/// The standing as a workbook: one sheet per kind of peer, each measure's
/// parts in columns (audited as an export).
pub async fn workbook(app: &App, ctx: &Ctx, id: Id) -> AppResult<(String, Vec<u8>)> {
    let (row, owner, allowed) = load(app, ctx, id, Action::ReadBriefings).await?;
    let r = read(app, ctx, row, &owner).await?;
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for g in &r.groups {
        let ws = wb.add_worksheet();
        ws.set_name(g.kind.label_zh()).map_err(xlsx)?;
        ws.write_string(
            0,
            0,
            safe_text(&format!(
                "{}：{}（{} 至 {}）",
                r.unit_name, r.name, r.span.from, r.span.to
            )),
        )
        .map_err(xlsx)?;
        let mut head = vec![
            "名次".to_owned(),
            "单位".to_owned(),
            "党员".to_owned(),
            "得分".to_owned(),
        ];
        for t in &r.terms {
            head.push(format!("{}（权重{}）", t.label_zh, t.weight));
            head.push(format!("{}：分子/分母", t.label_zh));
        }
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(2, c as u16, h, &bold)
                .map_err(xlsx)?;
        }
        for (n, s) in g.standings.iter().enumerate() {
            let row = n as u32 + 3;
            if let Some(p) = s.place {
                ws.write_number(row, 0, p as f64).map_err(xlsx)?;
            }
            ws.write_string(row, 1, safe_text(&s.name)).map_err(xlsx)?;
            ws.write_number(row, 2, s.members as f64).map_err(xlsx)?;
            if let Some(score) = s.score {
                ws.write_number(row, 3, (score * 100.0).round() / 100.0)
                    .map_err(xlsx)?;
            }
            for (k, part) in s.parts.iter().enumerate() {
                let c = 4 + 2 * k as u16;
                if let Some(p) = part.percent() {
                    ws.write_number(row, c, (p * 10.0).round() / 10.0)
                        .map_err(xlsx)?;
                }
                ws.write_string(row, c + 1, format!("{}/{}", part.done, part.of))
                    .map_err(xlsx)?;
            }
        }
        ws.set_column_width(1, 30).map_err(xlsx)?;
    }
    if r.groups.is_empty() {
        wb.add_worksheet()
            .write_string(0, 0, safe_text(&r.name))
            .map_err(xlsx)?;
    }
    let bytes = wb.save_to_buffer().map_err(xlsx)?;
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("ranking.export", "ranking", Some(id), &r.name)
            .unit(owner.id())
            .after(&serde_json::json!({ "groups": r.groups.len() })),
    )
    .await?;
    Ok((format!("{}-{}.xlsx", r.name, owner.code), bytes))
}
