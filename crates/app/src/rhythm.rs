//! The rhythm (工作节奏) a campaign's office keeps: 一周一调度、一周一简报、
//! 一月一小结 (seed 001), 每月一调度一通报、每季一推进一点评、年终一总评一约谈
//! (seed 002). The office picks which duties its campaign keeps and on what
//! day; their occurrences are generated ahead to the campaign's end, each
//! with its due day. An occurrence is met by what it asks for: a dispatch
//! meeting recorded against it (date, chair, attendees, the figures
//! reviewed as they stood, decisions — each may become a task with an owner
//! and a deadline), an issue made by the briefing generator, and for the
//! year-end review also a ranking whose lowest units are the 约谈 list,
//! its rule (measures, weights, how many) shown with it.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};
use xueshi_domain::Id;
use xueshi_domain::access::{Action, Denied, Role};
use xueshi_domain::briefing::BriefingKind;
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::invalid::FieldError;
use xueshi_domain::ranking::Term;
use xueshi_domain::unit::UnitPath;
use xueshi_store::rhythm::{self as store, DecisionRow, DispatchRow, OccurrenceRow, ScheduleRow};
use xueshi_store::{study, units};

use crate::audit::{Audited, Entry};
use crate::briefings::{self, FigureLine, NewBriefing};
use crate::figures::{self, Span};
use crate::permit::{allow, allow_from_below, may};
use crate::rankings::{self, NewRanking};
use crate::tasks::{self, TaskInput};
use crate::{App, AppError, AppResult, Ctx};

/// Most decisions one dispatch meeting records.
pub const DECISIONS_MAX: usize = 20;

/// How often a duty falls due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// `day` is the weekday, 1 (Monday) to 7.
    Weekly,
    /// `day` of each month (the month's last day when shorter).
    Monthly,
    /// `day` of each quarter's last month.
    Quarterly,
    /// `day` of December each year; the campaign's last day if it ends
    /// before one.
    YearEnd,
}

/// What meets an occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Meets {
    /// A dispatch meeting recorded against it.
    Dispatch,
    /// An issue of this kind, from the briefing generator.
    Issue(BriefingKind),
    /// The year-end review's issue and the ranking that gives the 约谈 list.
    IssueAndRanking,
}

/// A duty of the rhythm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RhythmKind {
    /// 一周一调度.
    WeeklyDispatch,
    /// 一周一简报.
    WeeklyBriefing,
    /// 一月一小结.
    MonthlySummary,
    /// 每月一调度.
    MonthlyDispatch,
    /// 每月一通报.
    MonthlyNotice,
    /// 每季一推进一点评.
    QuarterlyReview,
    /// 年终一总评一约谈.
    YearEnd,
}

impl RhythmKind {
    pub const ALL: [RhythmKind; 7] = [
        RhythmKind::WeeklyDispatch,
        RhythmKind::WeeklyBriefing,
        RhythmKind::MonthlySummary,
        RhythmKind::MonthlyDispatch,
        RhythmKind::MonthlyNotice,
        RhythmKind::QuarterlyReview,
        RhythmKind::YearEnd,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RhythmKind::WeeklyDispatch => "weekly_dispatch",
            RhythmKind::WeeklyBriefing => "weekly_briefing",
            RhythmKind::MonthlySummary => "monthly_summary",
            RhythmKind::MonthlyDispatch => "monthly_dispatch",
            RhythmKind::MonthlyNotice => "monthly_notice",
            RhythmKind::QuarterlyReview => "quarterly_review",
            RhythmKind::YearEnd => "year_end",
        }
    }
    pub fn parse(s: &str) -> Option<RhythmKind> {
        RhythmKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn cadence(self) -> Cadence {
        match self {
            RhythmKind::WeeklyDispatch | RhythmKind::WeeklyBriefing => Cadence::Weekly,
            RhythmKind::MonthlySummary
            | RhythmKind::MonthlyDispatch
            | RhythmKind::MonthlyNotice => Cadence::Monthly,
            RhythmKind::QuarterlyReview => Cadence::Quarterly,
            RhythmKind::YearEnd => Cadence::YearEnd,
        }
    }
    pub fn meets(self) -> Meets {
        match self {
            RhythmKind::WeeklyDispatch | RhythmKind::MonthlyDispatch => Meets::Dispatch,
            RhythmKind::WeeklyBriefing => Meets::Issue(BriefingKind::Weekly),
            RhythmKind::MonthlySummary => Meets::Issue(BriefingKind::MonthlySummary),
            RhythmKind::MonthlyNotice => Meets::Issue(BriefingKind::MonthlyNotice),
            RhythmKind::QuarterlyReview => Meets::Issue(BriefingKind::QuarterlyReview),
            RhythmKind::YearEnd => Meets::IssueAndRanking,
        }
    }
    /// The day the template offers.
    pub fn usual_day(self) -> i64 {
        match self {
            RhythmKind::WeeklyDispatch => 1,
            RhythmKind::WeeklyBriefing => 5,
            RhythmKind::MonthlySummary => 28,
            RhythmKind::MonthlyDispatch => 5,
            RhythmKind::MonthlyNotice => 10,
            RhythmKind::QuarterlyReview => 25,
            RhythmKind::YearEnd => 20,
        }
    }
    fn max_day(self) -> i64 {
        match self.cadence() {
            Cadence::Weekly => 7,
            Cadence::Monthly | Cadence::Quarterly => 28,
            Cadence::YearEnd => 31,
        }
    }
    /// The days recorded in a dispatch meeting's figures.
    fn review_days(self) -> i64 {
        match self.cadence() {
            Cadence::Weekly => 7,
            _ => 30,
        }
    }
}

fn month_day(year: i32, month: Month, day: i64) -> Option<Date> {
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, (day as u8).min(last)).ok()
}

/// The days a duty falls due between `from` and `to`, both included.
pub fn due_days(kind: RhythmKind, day: i64, from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    if from > to {
        return out;
    }
    match kind.cadence() {
        Cadence::Weekly => {
            let mut d = from;
            while d <= to {
                if i64::from(d.weekday().number_from_monday()) == day {
                    out.push(d);
                }
                d += Duration::days(1);
            }
        }
        Cadence::Monthly | Cadence::Quarterly => {
            let (mut y, mut m) = (from.year(), from.month());
            loop {
                let quarter_end = matches!(
                    m,
                    Month::March | Month::June | Month::September | Month::December
                );
                let kept = kind.cadence() == Cadence::Monthly || quarter_end;
                if let Some(d) = month_day(y, m, day).filter(|d| kept && *d >= from && *d <= to) {
                    out.push(d);
                }
                if (y, m as u8) >= (to.year(), to.month() as u8) {
                    break;
                }
                if m == Month::December {
                    y += 1;
                }
                m = m.next();
            }
        }
        Cadence::YearEnd => {
            for y in from.year()..=to.year() {
                if let Some(d) =
                    month_day(y, Month::December, day).filter(|d| *d >= from && *d <= to)
                {
                    out.push(d);
                }
            }
            if out.is_empty() {
                out.push(to);
            }
        }
    }
    out
}

/// A duty as the office sets it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ScheduleInput {
    pub kind: String,
    pub day: i64,
}

/// The duties a campaign keeps; those left out are dropped.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RhythmInput {
    pub schedules: Vec<ScheduleInput>,
}

/// A decision as typed at the meeting.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionInput {
    pub body: String,
    /// The unit that owns it, in the campaign's subtree.
    pub owner: Option<Id>,
    /// YYYY-MM-DD, within the campaign.
    pub due_on: String,
}

/// A dispatch meeting as recorded.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DispatchInput {
    /// YYYY-MM-DD, not after today.
    pub held_on: String,
    pub chair: String,
    pub attendees: String,
    pub decisions: Vec<DecisionInput>,
}

/// The year-end review's rule for the 约谈 list.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct YearEndInput {
    pub terms: Vec<Term>,
    /// The lowest this many of each group (1 to 50).
    pub bottom: i64,
    /// Levels below the campaign's unit the units compared stand (default 1).
    pub depth: Option<i64>,
    /// Only units of this kind; empty: each kind apart.
    pub peer_kind: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ScheduleView {
    pub kind: RhythmKind,
    pub cadence: Cadence,
    /// `None`: the campaign does not keep this duty.
    pub day: Option<i64>,
    pub usual_day: i64,
}

/// Where an occurrence stands today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OccurrenceState {
    Done,
    /// Due day past, not met.
    Overdue,
    /// Due within the coming week.
    Due,
    Upcoming,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OccurrenceView {
    pub id: Id,
    pub campaign: Id,
    pub kind: RhythmKind,
    pub due_on: String,
    pub state: OccurrenceState,
    pub briefing: Option<Id>,
    pub ranking: Option<Id>,
    pub dispatch: Option<Id>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DispatchBrief {
    pub id: Id,
    pub held_on: String,
    pub chair: String,
    pub decisions: usize,
}

/// A campaign's rhythm: its duties, their occurrences, its dispatch
/// meetings.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Rhythm {
    pub campaign: Id,
    pub campaign_name: String,
    pub unit: Id,
    pub unit_name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub schedules: Vec<ScheduleView>,
    pub occurrences: Vec<OccurrenceView>,
    /// Met, owed past their day, of those due so far.
    pub done: usize,
    pub overdue: usize,
    pub dispatches: Vec<DispatchBrief>,
    pub may_write: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionView {
    pub id: Id,
    pub body: String,
    pub owner: Id,
    pub owner_name: String,
    pub due_on: String,
    pub task: Option<Id>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DispatchView {
    pub id: Id,
    pub campaign: Id,
    pub unit: Id,
    pub unit_name: String,
    pub occurrence: Option<Id>,
    pub held_on: String,
    pub chair: String,
    pub attendees: String,
    /// The figures reviewed, as they stood when it was recorded.
    pub figures: Vec<FigureLine>,
    /// The days the flow figures counted.
    pub span: Span,
    pub decisions: Vec<DecisionView>,
    /// The reader may open the figures' rows over the campaign's unit.
    pub unit_in_reach: bool,
    pub may_write: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OccurrenceDetail {
    pub occurrence: OccurrenceView,
    pub campaign_name: String,
    pub unit: Id,
    pub unit_name: String,
    pub meets: Meets,
    /// The units a decision may be owned by: the campaign's unit and those
    /// one level below.
    pub owners: Vec<(Id, String)>,
    /// The reader may open the campaign unit's briefings and rankings.
    pub may_read_papers: bool,
    pub may_write: bool,
}

struct Campaign {
    row: study::CampaignRow,
    path: UnitPath,
    unit_name: String,
}

async fn campaign(app: &App, id: Id) -> AppResult<Campaign> {
    let mut conn = app.store().read().await?;
    let row = study::campaign(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = units::get(&mut conn, row.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Campaign {
        row,
        path: u.path(),
        unit_name: u.name,
    })
}

/// The rhythm is the office's own work: those it governs read it, members
/// do not.
fn read_allowed(ctx: &Ctx, path: &UnitPath) -> AppResult<()> {
    if ctx.actor.role == Role::Member {
        return Err(AppError::Forbidden(Denied::RoleLacks));
    }
    allow_from_below(ctx, Action::ViewTree, path)?;
    Ok(())
}

fn state_of(o: &OccurrenceRow, today: Date) -> OccurrenceState {
    let due = from_iso(&o.due_on).unwrap_or(today);
    if o.done_at.is_some() {
        OccurrenceState::Done
    } else if due < today {
        OccurrenceState::Overdue
    } else if due <= today + Duration::days(6) {
        OccurrenceState::Due
    } else {
        OccurrenceState::Upcoming
    }
}

fn occurrence_view(o: &OccurrenceRow, today: Date) -> OccurrenceView {
    OccurrenceView {
        id: Id(o.id),
        campaign: Id(o.campaign_id),
        kind: RhythmKind::parse(&o.kind).unwrap_or(RhythmKind::WeeklyDispatch),
        due_on: o.due_on.clone(),
        state: state_of(o, today),
        briefing: o.briefing_id.map(Id),
        ranking: o.ranking_id.map(Id),
        dispatch: o.dispatch_id.map(Id),
    }
}

/// Generates a campaign's occurrences still owed from today (or its first
/// day) to its last, after its schedules or its dates changed; what was met
/// stays as it was.
pub(crate) async fn regenerate(
    app: &App,
    conn: &mut sqlx::AnyConnection,
    c: &study::CampaignRow,
) -> AppResult<()> {
    let (Some(starts), Some(ends)) = (from_iso(&c.starts_on), from_iso(&c.ends_on)) else {
        return Ok(());
    };
    let from = starts.max(app.clock().today());
    store::drop_owed_from(conn, c.id, &iso(from), &c.ends_on).await?;
    for s in store::schedules(conn, c.id).await? {
        let Some(kind) = RhythmKind::parse(&s.kind) else {
            continue;
        };
        for d in due_days(kind, s.day, from, ends) {
            store::insert_occurrence(conn, app.next_id().0, c.id, kind.as_str(), &iso(d)).await?;
        }
    }
    Ok(())
}

/// Sets which duties a campaign keeps and on what day; the occurrences
/// owed from today on follow.
pub async fn configure(
    app: &App,
    ctx: &Ctx,
    campaign_id: Id,
    input: &[ScheduleInput],
) -> AppResult<()> {
    let c = campaign(app, campaign_id).await?;
    let allowed = allow(ctx, Action::ManageStudy, &c.path)?;
    let mut e = Vec::new();
    let mut rows: Vec<ScheduleRow> = Vec::new();
    for s in input {
        let Some(kind) = RhythmKind::parse(&s.kind) else {
            e.push(FieldError::new("kind", "bad_choice").with("value", s.kind.trim()));
            continue;
        };
        if !(1..=kind.max_day()).contains(&s.day) {
            e.push(
                FieldError::new(kind.as_str(), "out_of_range")
                    .with("min", 1)
                    .with("max", kind.max_day())
                    .with("value", s.day),
            );
        }
        if rows.iter().any(|r| r.kind == kind.as_str()) {
            e.push(FieldError::new(kind.as_str(), "duplicate"));
        }
        rows.push(ScheduleRow {
            campaign_id: c.row.id,
            kind: kind.as_str().to_owned(),
            day: s.day,
        });
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let before = {
        let mut conn = app.store().read().await?;
        store::schedules(&mut conn, c.row.id).await?
    };
    let mut tx = Audited::begin(app, allowed).await?;
    store::delete_schedules(&mut tx, c.row.id).await?;
    for r in &rows {
        store::insert_schedule(&mut tx, r).await?;
    }
    regenerate(app, &mut tx, &c.row).await?;
    let shown = |rs: &[ScheduleRow]| -> Vec<(String, i64)> {
        rs.iter().map(|r| (r.kind.clone(), r.day)).collect()
    };
    tx.commit(
        Entry::new(
            "rhythm.configure",
            "campaign",
            Some(campaign_id),
            &c.row.name,
        )
        .unit(Id(c.row.unit_id))
        .before(&shown(&before))
        .after(&shown(&rows)),
    )
    .await?;
    Ok(())
}

/// A campaign's rhythm.
pub async fn of_campaign(app: &App, ctx: &Ctx, campaign_id: Id) -> AppResult<Rhythm> {
    let c = campaign(app, campaign_id).await?;
    read_allowed(ctx, &c.path)?;
    let today = app.clock().today();
    let mut conn = app.store().read().await?;
    let schedules = store::schedules(&mut conn, c.row.id).await?;
    let occurrences = store::occurrences(&mut conn, c.row.id).await?;
    let dispatches = store::dispatches(&mut conn, c.row.id).await?;
    let mut briefs = Vec::with_capacity(dispatches.len());
    for d in &dispatches {
        briefs.push(DispatchBrief {
            id: Id(d.id),
            held_on: d.held_on.clone(),
            chair: d.chair.clone(),
            decisions: store::decisions(&mut conn, d.id).await?.len(),
        });
    }
    drop(conn);
    let views: Vec<OccurrenceView> = occurrences
        .iter()
        .map(|o| occurrence_view(o, today))
        .collect();
    Ok(Rhythm {
        campaign: campaign_id,
        campaign_name: c.row.name.clone(),
        unit: Id(c.row.unit_id),
        unit_name: c.unit_name,
        starts_on: c.row.starts_on.clone(),
        ends_on: c.row.ends_on.clone(),
        schedules: RhythmKind::ALL
            .into_iter()
            .map(|k| ScheduleView {
                kind: k,
                cadence: k.cadence(),
                day: schedules
                    .iter()
                    .find(|s| s.kind == k.as_str())
                    .map(|s| s.day),
                usual_day: k.usual_day(),
            })
            .collect(),
        done: views
            .iter()
            .filter(|o| o.state == OccurrenceState::Done)
            .count(),
        overdue: views
            .iter()
            .filter(|o| o.state == OccurrenceState::Overdue)
            .count(),
        occurrences: views,
        dispatches: briefs,
        may_write: may(ctx, Action::ManageStudy, &c.path),
    })
}

async fn load_occurrence(app: &App, id: Id) -> AppResult<(OccurrenceRow, Campaign)> {
    let o = {
        let mut conn = app.store().read().await?;
        store::occurrence(&mut conn, id.0)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let c = campaign(app, Id(o.campaign_id)).await?;
    Ok((o, c))
}

/// One occurrence, with what meets it.
pub async fn occurrence(app: &App, ctx: &Ctx, id: Id) -> AppResult<OccurrenceDetail> {
    let (o, c) = load_occurrence(app, id).await?;
    read_allowed(ctx, &c.path)?;
    let view = occurrence_view(&o, app.clock().today());
    let mut owners = vec![(Id(c.row.unit_id), c.unit_name.clone())];
    let mut conn = app.store().read().await?;
    owners.extend(
        units::children(&mut conn, c.row.unit_id)
            .await?
            .into_iter()
            .map(|u| (u.id(), u.name)),
    );
    Ok(OccurrenceDetail {
        meets: view.kind.meets(),
        occurrence: view,
        campaign_name: c.row.name.clone(),
        unit: Id(c.row.unit_id),
        unit_name: c.unit_name,
        owners,
        may_read_papers: may(ctx, Action::ReadBriefings, &c.path),
        may_write: may(ctx, Action::ManageStudy, &c.path),
    })
}

/// Whether an occurrence is met once this is linked.
fn met(kind: RhythmKind, briefing: bool, ranking: bool, dispatch: bool) -> bool {
    match kind.meets() {
        Meets::Dispatch => dispatch,
        Meets::Issue(_) => briefing,
        Meets::IssueAndRanking => briefing && ranking,
    }
}

/// Records the dispatch meeting an occurrence asks for, with the figures of
/// the campaign's unit as they stand, and its decisions.
pub async fn record_dispatch(
    app: &App,
    ctx: &Ctx,
    occurrence: Id,
    input: &DispatchInput,
) -> AppResult<Id> {
    let (o, c) = load_occurrence(app, occurrence).await?;
    let allowed = allow(ctx, Action::ManageStudy, &c.path)?;
    let kind = RhythmKind::parse(&o.kind).ok_or(AppError::NotFound)?;
    if kind.meets() != Meets::Dispatch {
        return Err(AppError::Conflict("occurrence_not_dispatch"));
    }
    if o.dispatch_id.is_some() {
        return Err(AppError::Conflict("occurrence_met"));
    }
    let today = app.clock().today();
    let mut e = Vec::new();
    let held = input.held_on.trim();
    let held_on = match from_iso(held) {
        None if held.is_empty() => {
            e.push(FieldError::new("held_on", "required"));
            None
        }
        None => {
            e.push(FieldError::new("held_on", "bad_date").with("value", held));
            None
        }
        Some(d) if d > today => {
            e.push(FieldError::new("held_on", "date_in_future"));
            None
        }
        Some(d) => Some(d),
    };
    let chair = text("chair", &input.chair, 50, &mut e);
    let attendees = text("attendees", &input.attendees, 1000, &mut e);
    if input.decisions.len() > DECISIONS_MAX {
        e.push(FieldError::new("decisions", "too_many").with("max", DECISIONS_MAX));
    }
    let mut decisions = Vec::new();
    let mut conn = app.store().read().await?;
    for (i, d) in input.decisions.iter().enumerate() {
        let body = text("decisions", &d.body, 300, &mut e);
        let owner = match d.owner {
            None => {
                e.push(FieldError::new("decisions", "owner_required"));
                0
            }
            Some(u) => match units::get(&mut conn, u.0).await? {
                Some(r) if r.path().is_within(&c.path) => r.id,
                Some(_) => return Err(AppError::Forbidden(Denied::OutOfScope)),
                None => {
                    e.push(FieldError::new("decisions", "owner_required"));
                    0
                }
            },
        };
        let due = d.due_on.trim();
        match from_iso(due) {
            Some(x) if iso(x) <= c.row.ends_on && Some(x) >= held_on => {}
            Some(_) => e.push(
                FieldError::new("decisions", "due_outside_campaign")
                    .with("value", due)
                    .with("max", c.row.ends_on.clone()),
            ),
            None => e.push(FieldError::new("decisions", "bad_date").with("value", due)),
        }
        decisions.push(DecisionRow {
            id: 0,
            dispatch_id: 0,
            body,
            owner_unit_id: owner,
            owner_name: String::new(),
            due_on: due.to_owned(),
            task_id: None,
            sort_order: i as i64,
        });
    }
    drop(conn);
    let Some(held_on) = held_on.filter(|_| e.is_empty()) else {
        return Err(AppError::Invalid(e));
    };
    let span = Span::between(held_on - Duration::days(kind.review_days() - 1), held_on);
    let figures: Vec<FigureLine> = figures::of_unit(app, ctx, Id(c.row.unit_id), &span)
        .await?
        .iter()
        .map(FigureLine::from)
        .collect();
    let id = app.next_id();
    let mut tx = Audited::begin(app, allowed).await?;
    store::insert_dispatch(
        &mut tx,
        &DispatchRow {
            id: id.0,
            campaign_id: c.row.id,
            occurrence_id: Some(o.id),
            held_on: iso(held_on),
            chair: chair.clone(),
            attendees,
            figures: serde_json::json!({ "span": span, "lines": figures }).to_string(),
            created_at: app.now(),
        },
        Some(ctx.actor.account_id.0),
    )
    .await?;
    for d in decisions {
        store::insert_decision(
            &mut tx,
            &DecisionRow {
                id: app.next_id().0,
                dispatch_id: id.0,
                ..d
            },
        )
        .await?;
    }
    store::set_done(&mut tx, o.id, app.now()).await?;
    tx.commit(
        Entry::new(
            "rhythm.dispatch",
            "campaign",
            Some(Id(c.row.id)),
            &c.row.name,
        )
        .unit(Id(c.row.unit_id))
        .after(input),
    )
    .await?;
    Ok(id)
}

fn text(field: &'static str, raw: &str, max: usize, e: &mut Vec<FieldError>) -> String {
    let t = raw.trim().replace("\r\n", "\n");
    if t.is_empty() {
        e.push(FieldError::new(field, "required"));
    } else if t.chars().count() > max {
        e.push(FieldError::new(field, "too_long").with("max", max));
    } else if t.chars().any(|c| c.is_control() && c != '\n') {
        e.push(FieldError::new(field, "control_chars"));
    }
    t
}

/// Generates the issue an occurrence asks for, over the days it covers up
/// to its due day (or today, when made early).
pub async fn issue(app: &App, ctx: &Ctx, occurrence: Id) -> AppResult<Id> {
    let (o, c) = load_occurrence(app, occurrence).await?;
    let allowed = allow(ctx, Action::ManageStudy, &c.path)?;
    let kind = RhythmKind::parse(&o.kind).ok_or(AppError::NotFound)?;
    let bkind = match kind.meets() {
        Meets::Issue(k) => k,
        Meets::IssueAndRanking => BriefingKind::YearEnd,
        Meets::Dispatch => return Err(AppError::Conflict("occurrence_not_issue")),
    };
    if o.briefing_id.is_some() {
        return Err(AppError::Conflict("occurrence_met"));
    }
    let due = from_iso(&o.due_on).ok_or(AppError::NotFound)?;
    let to = due.min(app.clock().today());
    let starts = from_iso(&c.row.starts_on).unwrap_or(to);
    let from = if kind == RhythmKind::YearEnd {
        starts
    } else {
        (to - Duration::days(bkind.usual_days() - 1)).max(starts.min(to))
    };
    let briefing = briefings::generate(
        app,
        ctx,
        Id(c.row.unit_id),
        &NewBriefing {
            kind: bkind.as_str().to_owned(),
            from: iso(from),
            to: iso(to),
            remarks: String::new(),
        },
    )
    .await?;
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::set_briefing(&mut tx, o.id, briefing.0).await? {
        return Err(AppError::Conflict("occurrence_met"));
    }
    if met(kind, true, o.ranking_id.is_some(), false) {
        store::set_done(&mut tx, o.id, app.now()).await?;
    }
    tx.commit(
        Entry::new("rhythm.issue", "campaign", Some(Id(c.row.id)), &c.row.name)
            .unit(Id(c.row.unit_id))
            .after(&serde_json::json!({ "occurrence": o.id, "briefing": briefing })),
    )
    .await?;
    Ok(briefing)
}

/// The year-end review's ranking: the office's measures and how many of the
/// lowest make the 约谈 list, over the campaign so far.
pub async fn year_end_ranking(
    app: &App,
    ctx: &Ctx,
    occurrence: Id,
    input: &YearEndInput,
) -> AppResult<Id> {
    let (o, c) = load_occurrence(app, occurrence).await?;
    let allowed = allow(ctx, Action::ManageStudy, &c.path)?;
    if o.kind != RhythmKind::YearEnd.as_str() {
        return Err(AppError::Conflict("occurrence_not_year_end"));
    }
    if o.ranking_id.is_some() {
        return Err(AppError::Conflict("occurrence_met"));
    }
    if !(1..=50).contains(&input.bottom) {
        return Err(FieldError::new("bottom", "out_of_range")
            .with("min", 1)
            .with("max", 50)
            .with("value", input.bottom)
            .into());
    }
    let due = from_iso(&o.due_on).ok_or(AppError::NotFound)?;
    let to = due.min(app.clock().today());
    let ranking = rankings::define(
        app,
        ctx,
        Id(c.row.unit_id),
        &NewRanking {
            name: format!("{}年终总评", c.row.name),
            depth: input.depth.unwrap_or(1),
            peer_kind: input.peer_kind.clone(),
            from: c.row.starts_on.clone(),
            to: iso(to),
            terms: input.terms.clone(),
            bottom: input.bottom,
        },
    )
    .await?;
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::set_ranking(&mut tx, o.id, ranking.0).await? {
        return Err(AppError::Conflict("occurrence_met"));
    }
    if o.briefing_id.is_some() {
        store::set_done(&mut tx, o.id, app.now()).await?;
    }
    tx.commit(
        Entry::new(
            "rhythm.year_end",
            "campaign",
            Some(Id(c.row.id)),
            &c.row.name,
        )
        .unit(Id(c.row.unit_id))
        .after(input),
    )
    .await?;
    Ok(ranking)
}

async fn load_dispatch(app: &App, id: Id) -> AppResult<(DispatchRow, Campaign)> {
    let d = {
        let mut conn = app.store().read().await?;
        store::dispatch(&mut conn, id.0)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let c = campaign(app, Id(d.campaign_id)).await?;
    Ok((d, c))
}

/// A dispatch meeting's record.
pub async fn dispatch(app: &App, ctx: &Ctx, id: Id) -> AppResult<DispatchView> {
    let (d, c) = load_dispatch(app, id).await?;
    read_allowed(ctx, &c.path)?;
    let decisions = {
        let mut conn = app.store().read().await?;
        store::decisions(&mut conn, d.id).await?
    };
    #[derive(Deserialize)]
    struct Stored {
        span: Span,
        lines: Vec<FigureLine>,
    }
    let stored: Stored =
        serde_json::from_str(&d.figures).map_err(|e| AppError::Internal(e.into()))?;
    Ok(DispatchView {
        id,
        campaign: Id(c.row.id),
        unit: Id(c.row.unit_id),
        unit_name: c.unit_name,
        occurrence: d.occurrence_id.map(Id),
        held_on: d.held_on,
        chair: d.chair,
        attendees: d.attendees,
        figures: stored.lines,
        span: stored.span,
        decisions: decisions
            .into_iter()
            .map(|x| DecisionView {
                id: Id(x.id),
                body: x.body,
                owner: Id(x.owner_unit_id),
                owner_name: x.owner_name,
                due_on: x.due_on,
                task: x.task_id.map(Id),
            })
            .collect(),
        unit_in_reach: may(ctx, Action::ViewTree, &c.path),
        may_write: may(ctx, Action::ManageStudy, &c.path),
    })
}

/// Turns a decision into a draft task of the campaign's unit: 自选动作,
/// led by its owner, for the owner's unit, due when the decision is. The
/// office reviews and publishes it from the task's page.
pub async fn decision_to_task(app: &App, ctx: &Ctx, decision: Id) -> AppResult<Id> {
    let x = {
        let mut conn = app.store().read().await?;
        store::decision(&mut conn, decision.0)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let (_, c) = load_dispatch(app, Id(x.dispatch_id)).await?;
    let allowed = allow(ctx, Action::ManageStudy, &c.path)?;
    if x.task_id.is_some() {
        return Err(AppError::Conflict("decision_has_task"));
    }
    let (urow, owner) = {
        let mut conn = app.store().read().await?;
        (
            units::get(&mut conn, c.row.unit_id)
                .await?
                .ok_or(AppError::NotFound)?,
            units::get(&mut conn, x.owner_unit_id)
                .await?
                .ok_or(AppError::NotFound)?,
        )
    };
    let input = TaskInput {
        kind: "elective".into(),
        title: x.body.chars().take(100).collect(),
        body: x.body.clone(),
        deadline: x.due_on.clone(),
        target_unit: Some(owner.id()),
        target_kinds: vec![owner.kind().as_str().to_owned()],
        evidence: "text".into(),
        lead_unit: Some(owner.id()),
        co_units: Vec::new(),
        organ: None,
    };
    let mut row = tasks::check(app, ctx, &urow, &input).await?;
    let id = app.next_id();
    row.id = id.0;
    let mut tx = Audited::begin(app, allowed).await?;
    xueshi_store::tasks::insert(&mut tx, &row).await?;
    if !store::set_task(&mut tx, x.id, id.0).await? {
        return Err(AppError::Conflict("decision_has_task"));
    }
    tx.commit(
        Entry::new("task.create", "task", Some(id), &row.title)
            .unit(Id(c.row.unit_id))
            .after(&serde_json::json!({ "decision": x.id, "task": input })),
    )
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        from_iso(s).unwrap()
    }

    fn days(kind: RhythmKind, day: i64, from: &str, to: &str) -> Vec<String> {
        due_days(kind, day, d(from), d(to))
            .into_iter()
            .map(iso)
            .collect()
    }

    #[test]
    fn weekly_duties_fall_on_their_weekday() {
        // 2021-03-01 was a Monday.
        assert_eq!(
            days(RhythmKind::WeeklyDispatch, 1, "2021-03-01", "2021-03-21"),
            ["2021-03-01", "2021-03-08", "2021-03-15"]
        );
        assert_eq!(
            days(RhythmKind::WeeklyBriefing, 5, "2021-03-06", "2021-03-12"),
            ["2021-03-12"]
        );
    }

    #[test]
    fn monthly_and_quarterly_duties_keep_to_short_months() {
        assert_eq!(
            days(RhythmKind::MonthlySummary, 28, "2021-01-30", "2021-04-27"),
            ["2021-02-28", "2021-03-28"]
        );
        assert_eq!(
            days(RhythmKind::QuarterlyReview, 25, "2021-02-20", "2022-01-31"),
            ["2021-03-25", "2021-06-25", "2021-09-25", "2021-12-25"]
        );
    }

    #[test]
    fn the_year_end_review_falls_in_december_or_on_the_last_day() {
        assert_eq!(
            days(RhythmKind::YearEnd, 20, "2021-02-20", "2021-12-31"),
            ["2021-12-20"]
        );
        assert_eq!(
            days(RhythmKind::YearEnd, 20, "2021-02-20", "2021-11-30"),
            ["2021-11-30"]
        );
        assert!(days(RhythmKind::WeeklyDispatch, 1, "2021-03-02", "2021-03-01").is_empty());
    }
}
