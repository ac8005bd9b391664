//! The catalogue as the office and the units read it: a subtree's matters
//! by status, level, field and lateness; its figures by level and field
//! with the outcomes the reports quote; the units under it; the leaders who
//! still owe a claim; and a member's own matters.

use serde::{Deserialize, Serialize};
use xueshi_domain::FieldError;
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::iso;
use xueshi_domain::matter::{MatterLevel, MatterStatus, REPORT_CADENCES, behind_report, overdue};
use xueshi_domain::unit::UnitPath;
use xueshi_store::matter_board::{self, BoardFilter, BoardRow, FigureRow};
use xueshi_store::{matters, units};

use super::Outcomes;
use crate::audit::{Audited, Entry};
use crate::participant::me;
use crate::permit::{allow, may};
use crate::{App, AppError, AppResult, Ctx};

/// What the board is narrowed by, as a query string gives it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct BoardQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub field: String,
    /// `overdue` (past the deadline) or `report` (behind on reporting).
    #[serde(default)]
    pub late: String,
    #[serde(default)]
    pub page: i64,
}

/// A matter as a list shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MatterItem {
    pub id: Id,
    pub title: String,
    pub level: String,
    pub field: String,
    pub unit: String,
    pub status: String,
    pub progress: i64,
    pub deadline: String,
    pub overdue: bool,
    pub behind_report: bool,
}

fn item(r: BoardRow, today: &str, now: i64) -> MatterItem {
    let status = r.status;
    MatterItem {
        overdue: overdue(status, &r.deadline, today),
        behind_report: behind_report(status, r.reported_at, r.report_days, now),
        id: Id(r.id),
        title: r.title,
        level: r.level.as_str().to_owned(),
        field: r.field,
        unit: r.unit,
        status: r.status.as_str().to_owned(),
        progress: r.progress,
        deadline: r.deadline,
    }
}

/// Matters and outcomes for a group (a level, a field, a status or all).
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Tally {
    pub key: String,
    pub matters: i64,
    /// Finished (办结).
    pub done: i64,
    pub overdue: i64,
    pub outcomes: Outcomes,
    pub budget_fen: i64,
}

impl Tally {
    fn add(&mut self, r: &FigureRow) {
        self.matters += r.matters;
        if r.status == MatterStatus::Done {
            self.done += r.matters;
        }
        self.overdue += r.overdue;
        self.budget_fen += r.budget_fen;
        let o = &mut self.outcomes;
        o.affairs += r.affairs;
        o.problems_solved += r.problems_solved;
        o.disputes += r.disputes;
        o.people_served += r.people_served;
        o.enterprises_served += r.enterprises_served;
        o.spent_fen += r.spent_fen;
    }
}

/// A subtree's figures: in all, and by level, field and status. Dropped
/// matters are counted by status only.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// Every matter not dropped; each breakdown below sums to it.
    pub all: Tally,
    pub by_level: Vec<Tally>,
    pub by_field: Vec<Tally>,
    pub by_status: Vec<Tally>,
    /// Matters dropped (撤销), counted apart and in none of the above.
    pub dropped: i64,
    /// Key matters (重点民生实事: provincial, city and district) as one
    /// stated total, the way the reports state it; the rest are general.
    pub key: i64,
}

pub(crate) fn sum_figures(rows: &[FigureRow], fields: &[(i64, String)]) -> Figures {
    let mut f = Figures {
        by_level: MatterLevel::ALL
            .iter()
            .map(|l| Tally {
                key: l.as_str().to_owned(),
                ..Tally::default()
            })
            .collect(),
        by_field: fields
            .iter()
            .map(|(_, n)| Tally {
                key: n.clone(),
                ..Tally::default()
            })
            .collect(),
        by_status: MatterStatus::ALL
            .iter()
            .filter(|s| **s != MatterStatus::Dropped)
            .map(|s| Tally {
                key: s.as_str().to_owned(),
                ..Tally::default()
            })
            .collect(),
        ..Figures::default()
    };
    for r in rows {
        if r.status == MatterStatus::Dropped {
            f.dropped += r.matters;
            continue;
        }
        if let Some(t) = f.by_status.iter_mut().find(|t| t.key == r.status.as_str()) {
            t.add(r);
        }
        f.all.add(r);
        if r.level.is_key() {
            f.key += r.matters;
        }
        if let Some(t) = f.by_level.iter_mut().find(|t| t.key == r.level.as_str()) {
            t.add(r);
        }
        if let Some(t) = f.by_field.iter_mut().find(|t| t.key == r.field) {
            t.add(r);
        }
    }
    f
}

/// A unit under the board's root, with its subtree's matters.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitTally {
    pub unit_id: Id,
    pub name: String,
    pub matters: i64,
    pub done: i64,
    pub overdue: i64,
}

/// Leaders who lead no matter yet (the rules of seed 001 require one each).
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Owing {
    pub total: i64,
    /// (member, name, unit), the first [`OWING_SHOWN`].
    pub members: Vec<(Id, String, String)>,
}

pub const OWING_SHOWN: i64 = 200;
pub const BOARD_PER_PAGE: i64 = 30;

/// The office's board for a subtree.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub unit_id: Id,
    pub unit: String,
    pub figures: Figures,
    pub by_unit: Vec<UnitTally>,
    pub matters: Vec<MatterItem>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub fields: Vec<String>,
    pub owing: Owing,
    /// Days between reports the governing campaign asks, if one governs.
    pub cadence: Option<i64>,
    /// Whether the actor may manage this subtree's matters.
    pub manage: bool,
}

async fn unit_of(app: &App, unit: Id) -> AppResult<xueshi_store::units::UnitRow> {
    let mut conn = app.store().read().await?;
    units::get(&mut conn, unit.0)
        .await?
        .ok_or(AppError::NotFound)
}

/// The figures by level, field and status of a subtree's matters.
pub async fn figures(app: &App, ctx: &Ctx, unit: Id) -> AppResult<Figures> {
    let u = unit_of(app, unit).await?;
    allow(ctx, Action::ViewMatters, &u.path())?;
    let today = iso(app.clock().today());
    let mut conn = app.store().read().await?;
    let rows = matter_board::figures(&mut conn, &u.path(), &today).await?;
    let fields = matters::fields(&mut conn).await?;
    Ok(sum_figures(&rows, &fields))
}

pub async fn board(app: &App, ctx: &Ctx, unit: Id, q: &BoardQuery) -> AppResult<Board> {
    let u = unit_of(app, unit).await?;
    let path = u.path();
    allow(ctx, Action::ViewMatters, &path)?;
    let manage = may(ctx, Action::ManageMatters, &path);
    let today = iso(app.clock().today());
    let now = app.now();
    let mut conn = app.store().read().await?;
    let fields = matters::fields(&mut conn).await?;
    let figures = sum_figures(
        &matter_board::figures(&mut conn, &path, &today).await?,
        &fields,
    );
    let mut f = BoardFilter {
        subtree: path.clone(),
        status: None,
        levels: Vec::new(),
        field_id: None,
        overdue: q.late == "overdue",
        behind_report: q.late == "report",
        today: today.clone(),
        now,
    };
    // An unknown filter value matches nothing rather than everything.
    let mut impossible = false;
    if !q.status.is_empty() {
        f.status = MatterStatus::parse(&q.status).map(|s| s.as_str().to_owned());
        impossible |= f.status.is_none();
    }
    if !q.level.is_empty() {
        f.levels = MatterLevel::parse(&q.level).into_iter().collect();
        impossible |= f.levels.is_empty();
    }
    if !q.field.is_empty() {
        f.field_id = fields
            .iter()
            .find(|(_, n)| *n == q.field)
            .map(|(id, _)| *id);
        impossible |= f.field_id.is_none();
    }
    let page = q.page.max(0);
    let (rows, total) = if impossible {
        (Vec::new(), 0)
    } else {
        matter_board::page(&mut conn, &f, BOARD_PER_PAGE, page * BOARD_PER_PAGE).await?
    };
    let by_unit = by_unit(&mut conn, &path, &today).await?;
    let (owing, owing_total) = matter_board::owing_leaders(&mut conn, &path, OWING_SHOWN).await?;
    let ids: Vec<i64> = path.ids().iter().map(|i| i.0).collect();
    let cadence = matters::cadence_for(&mut conn, &ids, &today)
        .await?
        .map(|(_, _, d)| d);
    Ok(Board {
        unit_id: unit,
        unit: u.name,
        figures,
        by_unit,
        matters: rows.into_iter().map(|r| item(r, &today, now)).collect(),
        total,
        page,
        per_page: BOARD_PER_PAGE,
        fields: fields.into_iter().map(|(_, n)| n).collect(),
        owing: Owing {
            total: owing_total,
            members: owing
                .into_iter()
                .map(|(id, name, unit)| (Id(id), name, unit))
                .collect(),
        },
        cadence,
        manage,
    })
}

async fn by_unit(
    conn: &mut sqlx::AnyConnection,
    path: &UnitPath,
    today: &str,
) -> AppResult<Vec<UnitTally>> {
    let rows = matter_board::by_child(conn, path, today).await?;
    let mut out: Vec<UnitTally> = Vec::new();
    for (child, status, n, late) in rows {
        let Some(p) = UnitPath::parse(&child) else {
            continue;
        };
        let id = p.id();
        let t = match out.iter_mut().find(|t| t.unit_id == id) {
            Some(t) => t,
            None => {
                out.push(UnitTally {
                    unit_id: id,
                    name: String::new(),
                    matters: 0,
                    done: 0,
                    overdue: 0,
                });
                out.last_mut().ok_or(AppError::NotFound)?
            }
        };
        if status != MatterStatus::Dropped.as_str() {
            t.matters += n;
        }
        if status == MatterStatus::Done.as_str() {
            t.done += n;
        }
        t.overdue += late;
    }
    let ids: Vec<i64> = out.iter().map(|t| t.unit_id.0).collect();
    let names = units::by_ids(conn, &ids).await?;
    for t in &mut out {
        t.name = names
            .iter()
            .find(|u| u.id == t.unit_id.0)
            .map(|u| u.name.clone())
            .unwrap_or_default();
    }
    out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.matters.cmp(&a.matters)));
    Ok(out)
}

/// A member's matters: those they take part in, and those open to them
/// (of their own unit and the units above it).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Mine {
    /// (matter, `lead` or `join`)
    pub claimed: Vec<(MatterItem, String)>,
    pub open: Vec<MatterItem>,
    /// A leader (副处级以上) who leads nothing yet owes a claim.
    pub owes_claim: bool,
}

pub async fn mine(app: &App, ctx: &Ctx) -> AppResult<Mine> {
    let (member, path, _) = me(app, ctx).await?;
    let today = iso(app.clock().today());
    let now = app.now();
    let mut conn = app.store().read().await?;
    let claimed: Vec<(MatterItem, String)> = matter_board::of_member(&mut conn, member.0)
        .await?
        .into_iter()
        .map(|(r, role)| (item(r, &today, now), role))
        .collect();
    let ids: Vec<i64> = path.ids().iter().map(|i| i.0).collect();
    let open = matter_board::open_to(&mut conn, &ids, 100)
        .await?
        .into_iter()
        .filter(|r| !claimed.iter().any(|(c, _)| c.id.0 == r.id))
        .map(|r| item(r, &today, now))
        .collect();
    let level = xueshi_store::members::get(&mut conn, member.0)
        .await?
        .ok_or(AppError::NotFound)?
        .cadre_level();
    let leads = claimed.iter().filter(|(_, role)| role == "lead").count();
    Ok(Mine {
        owes_claim: xueshi_domain::matter::owes_claim(level, leads),
        claimed,
        open,
    })
}

/// Sets how often the leads of the matters under the campaign governing
/// this unit report progress (weekly or monthly); the unfinished matters
/// take the new cadence.
pub async fn set_cadence(app: &App, ctx: &Ctx, unit: Id, days: i64) -> AppResult<u64> {
    let u = unit_of(app, unit).await?;
    let path = u.path();
    let allowed = allow(ctx, Action::ManageMatters, &path)?;
    if !REPORT_CADENCES.contains(&days) {
        return Err(AppError::Invalid(vec![
            FieldError::new("report_days", "bad_choice").with("value", days),
        ]));
    }
    let ids: Vec<i64> = path.ids().iter().map(|i| i.0).collect();
    let today = iso(app.clock().today());
    let mut tx = Audited::begin(app, allowed).await?;
    let (campaign, campaign_unit, before) = matters::cadence_for(&mut tx, &ids, &today)
        .await?
        .ok_or(AppError::Conflict("no_campaign"))?;
    let root = units::get(&mut tx, campaign_unit)
        .await?
        .ok_or(AppError::NotFound)?
        .path();
    allow(ctx, Action::ManageMatters, &root)?;
    let changed = matters::set_cadence(&mut tx, campaign, &root, days).await?;
    tx.commit(
        Entry::new("matter.cadence", "campaign", Some(Id(campaign)), "")
            .unit(Id(campaign_unit))
            .before(&serde_json::json!({ "report_days": before }))
            .after(&serde_json::json!({ "report_days": days, "matters": changed })),
    )
    .await?;
    Ok(changed)
}
