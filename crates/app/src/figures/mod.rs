//! The catalogue of figures (数字): every figure xueshi states is defined
//! here once — its names, the capability that owns it, what it counts and
//! how the reports say it — with the value over a subtree **and the rows
//! behind it**. Pages, briefings and the public summary read figures from
//! here; `xueshi check` holds every figure to the count of its rows.
//!
//! A capability adds its figures by adding a [`Figure`], its
//! [`Definition`] in [`CATALOGUE`], the arm of `values` that states it and
//! the arm of `rows::listed` that lists its rows. `public` holds what the
//! public window states; `overview` a subtree at a glance.

use serde::Serialize;
use time::Date;
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::figure_words::{Wording, in_words};
use xueshi_domain::matter::{MatterLevel, MatterStatus};
use xueshi_domain::unit::UnitPath;
use xueshi_store::matter_board;
use xueshi_store::units::UnitRow;
use xueshi_store::{study, tallies};

use crate::permit::{allow, may};
use crate::tree::load;
use crate::{App, AppError, AppResult, Ctx};

mod overview;
mod public;
mod rows;

pub use overview::{Day, Overview, overview};
pub use public::{PUBLIC, PublicFigure, public};
pub use rows::{Column, EXPORT_MAX, PAGE, Rows, check, rows, rows_workbook};

/// A figure of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// 基层党组织: grassroots organisations in the subtree.
    GrassrootsUnits,
    /// 党员: current members in the subtree.
    Members,
    /// 重点民生实事: province, city and district key matters, not dropped.
    KeyMatters,
    /// 一般实事: general matters, not dropped.
    GeneralMatters,
    /// 已办结实事: matters finished.
    MattersDone,
    /// 答题人次: daily quizzes taken in the span.
    QuizTaken,
    /// 学习打卡人次: check-ins made in the span.
    CheckIns,
    /// 帮办各类事务: affairs handled for the people by matters not dropped.
    Affairs,
    /// 解决"急难愁"事项: urgent problems solved by them.
    ProblemsSolved,
    /// 化解矛盾纠纷: disputes settled by them.
    Disputes,
    /// 下达任务: assignments of published tasks to units of the subtree.
    TasksAssigned,
    /// 完成任务: those reported done (and not sent back).
    TasksDone,
    /// 逾期未完成任务: those not done whose deadline is past.
    TasksOverdue,
    /// 召开专题组织生活会: 专题组织生活会 held in the span.
    MeetingsHeld,
    /// 参加闭卷测试: exam sittings handed in within the span (online or on
    /// paper, first or make-up), by the unit each member sat for.
    ExamSittings,
    /// 闭卷测试合格: those of them that passed.
    ExamPasses,
    /// 举办知识竞赛: live competitions finished on a day of the span.
    CompetitionsHeld,
    /// 参赛作品: contest entries units of the subtree submitted in the span.
    ContestEntries,
}

/// What a figure counts, which decides its measure word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// 个 (organisations).
    Organisations,
    /// 名 (people on a roster).
    People,
    /// 件 (matters).
    Matters,
    /// 人次 (person-times).
    PersonTimes,
    /// 个 (things done, problems solved).
    Items,
    /// 项 (a task's assignments).
    Tasks,
    /// 次 (meetings held).
    Times,
    /// 件 (works entered in a contest).
    Works,
}

impl Measure {
    pub fn word_zh(self) -> &'static str {
        match self {
            Measure::Organisations => "个",
            Measure::People => "名",
            Measure::Matters => "件",
            Measure::PersonTimes => "人次",
            Measure::Items => "个",
            Measure::Tasks => "项",
            Measure::Times => "次",
            Measure::Works => "件",
        }
    }
}

/// A figure's definition.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Definition {
    pub figure: Figure,
    /// Stable key, in URLs and in briefings' links.
    pub key: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// The capability whose records it counts.
    pub owner: &'static str,
    pub measure: Measure,
    /// Counted over a span of days (else as it stands now).
    pub flow: bool,
    /// The sum of its rows' amounts (else how many rows there are).
    pub adds_up: bool,
    #[serde(skip)]
    pub wording: Wording,
    /// Who may read the value over a unit.
    #[serde(skip)]
    pub see: Action,
    /// Who may open its rows (they may name people).
    #[serde(skip)]
    pub open: Action,
}

impl Definition {
    /// A value as the reports write it, measure word included ("534个").
    pub fn words(&self, value: i64) -> String {
        format!(
            "{}{}",
            in_words(value, self.wording),
            self.measure.word_zh()
        )
    }
}

/// Every figure, in the order a unit's page lists them.
pub const CATALOGUE: [Definition; 18] = [
    Definition {
        figure: Figure::GrassrootsUnits,
        key: "grassroots_units",
        name_zh: "基层党组织",
        name_en: "Grassroots Party organisations",
        owner: "tree",
        measure: Measure::Organisations,
        flow: false,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewTree,
        open: Action::ViewTree,
    },
    Definition {
        figure: Figure::Members,
        key: "members",
        name_zh: "党员",
        name_en: "Party members",
        owner: "tree",
        measure: Measure::People,
        flow: false,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewTree,
        open: Action::ViewMembers,
    },
    Definition {
        figure: Figure::KeyMatters,
        key: "key_matters",
        name_zh: "重点民生实事",
        name_en: "Key practical matters",
        owner: "matters",
        measure: Measure::Matters,
        flow: false,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewMatters,
        open: Action::ViewMatters,
    },
    Definition {
        figure: Figure::GeneralMatters,
        key: "general_matters",
        name_zh: "一般实事",
        name_en: "General practical matters",
        owner: "matters",
        measure: Measure::Matters,
        flow: false,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewMatters,
        open: Action::ViewMatters,
    },
    Definition {
        figure: Figure::MattersDone,
        key: "matters_done",
        name_zh: "已办结实事",
        name_en: "Practical matters finished",
        owner: "matters",
        measure: Measure::Matters,
        flow: false,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewMatters,
        open: Action::ViewMatters,
    },
    Definition {
        figure: Figure::QuizTaken,
        key: "quiz_taken",
        name_zh: "每日答题",
        name_en: "Daily quizzes taken",
        owner: "quiz",
        measure: Measure::PersonTimes,
        flow: true,
        adds_up: false,
        wording: Wording::Rounded,
        see: Action::ViewTree,
        open: Action::ViewStudy,
    },
    Definition {
        figure: Figure::CheckIns,
        key: "check_ins",
        name_zh: "学习打卡",
        name_en: "Study check-ins",
        owner: "study",
        measure: Measure::PersonTimes,
        flow: true,
        adds_up: false,
        wording: Wording::Rounded,
        see: Action::ViewTree,
        open: Action::ViewStudy,
    },
    Definition {
        figure: Figure::Affairs,
        key: "affairs",
        name_zh: "为群众帮办各类事务",
        name_en: "Affairs handled for the people",
        owner: "matters",
        measure: Measure::Matters,
        flow: false,
        adds_up: true,
        wording: Wording::More,
        see: Action::ViewMatters,
        open: Action::ViewMatters,
    },
    Definition {
        figure: Figure::ProblemsSolved,
        key: "problems_solved",
        name_zh: "解决“急难愁”事项",
        name_en: "Urgent problems solved",
        owner: "matters",
        measure: Measure::Items,
        flow: false,
        adds_up: true,
        wording: Wording::More,
        see: Action::ViewMatters,
        open: Action::ViewMatters,
    },
    Definition {
        figure: Figure::Disputes,
        key: "disputes",
        name_zh: "化解矛盾纠纷",
        name_en: "Disputes settled",
        owner: "matters",
        measure: Measure::Matters,
        flow: false,
        adds_up: true,
        wording: Wording::Exact,
        see: Action::ViewMatters,
        open: Action::ViewMatters,
    },
    Definition {
        figure: Figure::TasksAssigned,
        key: "tasks_assigned",
        name_zh: "下达任务",
        name_en: "Tasks assigned",
        owner: "tasks",
        measure: Measure::Tasks,
        flow: false,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewTree,
        open: Action::ViewTree,
    },
    Definition {
        figure: Figure::TasksDone,
        key: "tasks_done",
        name_zh: "完成任务",
        name_en: "Tasks done",
        owner: "tasks",
        measure: Measure::Tasks,
        flow: false,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewTree,
        open: Action::ViewTree,
    },
    Definition {
        figure: Figure::TasksOverdue,
        key: "tasks_overdue",
        name_zh: "逾期未完成任务",
        name_en: "Tasks overdue",
        owner: "tasks",
        measure: Measure::Tasks,
        flow: false,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewTree,
        open: Action::ViewTree,
    },
    Definition {
        figure: Figure::MeetingsHeld,
        key: "meetings_held",
        name_zh: "召开专题组织生活会",
        name_en: "Organisation-life meetings held",
        owner: "meetings",
        measure: Measure::Times,
        flow: true,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewTree,
        open: Action::ViewTree,
    },
    Definition {
        figure: Figure::ExamSittings,
        key: "exam_sittings",
        name_zh: "参加闭卷测试",
        name_en: "Exam sittings",
        owner: "exams",
        measure: Measure::PersonTimes,
        flow: true,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewTree,
        open: Action::ViewStudy,
    },
    Definition {
        figure: Figure::ExamPasses,
        key: "exam_passes",
        name_zh: "闭卷测试合格",
        name_en: "Exam sittings passed",
        owner: "exams",
        measure: Measure::PersonTimes,
        flow: true,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewTree,
        open: Action::ViewStudy,
    },
    Definition {
        figure: Figure::CompetitionsHeld,
        key: "competitions_held",
        name_zh: "举办知识竞赛",
        name_en: "Knowledge competitions held",
        owner: "live",
        measure: Measure::Times,
        flow: true,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewTree,
        open: Action::ViewTree,
    },
    Definition {
        figure: Figure::ContestEntries,
        key: "contest_entries",
        name_zh: "参赛作品",
        name_en: "Contest entries",
        owner: "contests",
        measure: Measure::Works,
        flow: true,
        adds_up: false,
        wording: Wording::Exact,
        see: Action::ViewTree,
        // Entries are the units' papers, which members do not read.
        open: Action::ViewStudy,
    },
];

/// The days a flow figure counts, both ends included (YYYY-MM-DD).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Span {
    pub from: String,
    pub to: String,
}

/// Longest span a figure is counted over.
pub const SPAN_MAX_DAYS: i64 = 400;

impl Span {
    /// The seven days ending `today`: a weekly briefing's week.
    pub fn week_to(today: Date) -> Span {
        Span::between(today - time::Duration::days(6), today)
    }

    /// The span as epoch milliseconds, `[first day's start, the day after
    /// the last's start)` in Beijing time.
    pub fn ms(&self) -> (i64, i64) {
        let from = from_iso(&self.from).map_or(i64::MIN, crate::clock::start_of);
        let to = from_iso(&self.to)
            .and_then(Date::next_day)
            .map_or(i64::MAX, crate::clock::start_of);
        (from, to)
    }

    pub fn between(from: Date, to: Date) -> Span {
        Span {
            from: iso(from),
            to: iso(to),
        }
    }

    /// A span from a reader's `from` and `to` (YYYY-MM-DD, either may be
    /// empty: the week ending today, or ending `to`).
    pub fn parse(from: &str, to: &str, today: Date) -> AppResult<Span> {
        let day = |field: &'static str, s: &str| {
            from_iso(s.trim()).ok_or_else(|| {
                xueshi_domain::FieldError::new(field, "bad_date").with("value", s.trim())
            })
        };
        let mut errors = Vec::new();
        let to = if to.trim().is_empty() {
            Some(today)
        } else {
            day("to", to).map_err(|e| errors.push(e)).ok()
        };
        let from = if from.trim().is_empty() {
            to.map(|t| t - time::Duration::days(6))
        } else {
            day("from", from).map_err(|e| errors.push(e)).ok()
        };
        let (Some(from), Some(to)) = (from, to) else {
            return Err(AppError::Invalid(errors));
        };
        if from > to || (to - from).whole_days() >= SPAN_MAX_DAYS {
            return Err(AppError::Invalid(vec![
                xueshi_domain::FieldError::new("from", "bad_span").with("max", SPAN_MAX_DAYS),
            ]));
        }
        Ok(Span::between(from, to))
    }
}

impl Figure {
    pub fn definition(self) -> &'static Definition {
        CATALOGUE
            .iter()
            .find(|d| d.figure == self)
            .unwrap_or(&CATALOGUE[0])
    }
    pub fn parse(key: &str) -> Option<Figure> {
        CATALOGUE.iter().find(|d| d.key == key).map(|d| d.figure)
    }
    pub fn key(self) -> &'static str {
        self.definition().key
    }
}

/// A figure over a unit's subtree: the exact value and the reports' words.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Stated {
    pub figure: Figure,
    pub key: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub unit: Id,
    pub unit_name: String,
    pub value: i64,
    /// As a briefing writes it, measure word included ("534个").
    pub words: String,
    /// The days counted, for a flow figure.
    pub span: Option<Span>,
    /// The value is what its rows' amounts add up to (else how many rows).
    pub adds_up: bool,
    /// Whether the reader may open the rows.
    pub can_open: bool,
}

/// The catalogue's figures over a unit that the reader may see.
pub async fn of_unit(app: &App, ctx: &Ctx, unit: Id, span: &Span) -> AppResult<Vec<Stated>> {
    let row = load(app, ctx, unit, Action::ViewTree).await?;
    let path = row.path();
    let seen: Vec<&'static Definition> = CATALOGUE
        .iter()
        .filter(|d| may(ctx, d.see, &path))
        .collect();
    let wanted: Vec<Figure> = seen.iter().map(|d| d.figure).collect();
    let values = values(app, row.id(), &path, span, &wanted).await?;
    Ok(seen
        .into_iter()
        .zip(values)
        .map(|(d, v)| stated(ctx, d, &row, span, v))
        .collect())
}

/// One figure over a unit (a flow figure over `span`).
pub async fn state(
    app: &App,
    ctx: &Ctx,
    figure: Figure,
    unit: Id,
    span: &Span,
) -> AppResult<Stated> {
    let d = figure.definition();
    let row = load(app, ctx, unit, Action::ViewTree).await?;
    allow(ctx, d.see, &row.path())?;
    let v = values(app, row.id(), &row.path(), span, &[figure]).await?;
    Ok(stated(ctx, d, &row, span, v[0]))
}

fn stated(ctx: &Ctx, d: &'static Definition, unit: &UnitRow, span: &Span, value: i64) -> Stated {
    Stated {
        figure: d.figure,
        key: d.key,
        name_zh: d.name_zh,
        name_en: d.name_en,
        unit: unit.id(),
        unit_name: unit.name.clone(),
        value,
        words: d.words(value),
        span: d.flow.then(|| span.clone()),
        adds_up: d.adds_up,
        can_open: may(ctx, d.open, &unit.path()),
    }
}

/// The values of `wanted`, in its order, as the counters and the
/// catalogue's queries keep them: each source (the tallies, the study
/// counters, the matters' sums) read once however many figures it gives.
async fn values(
    app: &App,
    unit: Id,
    path: &UnitPath,
    span: &Span,
    wanted: &[Figure],
) -> AppResult<Vec<i64>> {
    let wants = |fs: &[Figure]| wanted.iter().any(|w| fs.contains(w));
    let mut conn = app.store().read().await?;
    let daily = if wants(&[Figure::QuizTaken, Figure::CheckIns]) {
        study::daily_sum(&mut conn, unit.0, &span.from, &span.to).await?
    } else {
        study::Daily::default()
    };
    let tally = if wants(&[Figure::GrassrootsUnits, Figure::Members]) {
        tallies::get(&mut conn, unit.0).await?
    } else {
        Default::default()
    };
    let matters = if wants(&[
        Figure::KeyMatters,
        Figure::GeneralMatters,
        Figure::MattersDone,
        Figure::Affairs,
        Figure::ProblemsSolved,
        Figure::Disputes,
    ]) {
        let today = iso(app.clock().today());
        matter_board::figures(&mut conn, path, &today).await?
    } else {
        Vec::new()
    };
    let today = iso(app.clock().today());
    let tasks = if wants(&[
        Figure::TasksAssigned,
        Figure::TasksDone,
        Figure::TasksOverdue,
    ]) {
        xueshi_store::tasks::tally_sum(&mut conn, unit.0, &today).await?
    } else {
        (0, 0, 0)
    };
    let meetings = if wants(&[Figure::MeetingsHeld]) {
        xueshi_store::meetings::listed_in(
            &mut conn,
            path,
            "organization_life",
            (&span.from, &span.to),
            0,
            0,
        )
        .await?
        .1
    } else {
        0
    };
    let mut sittings = [0, 0];
    for (i, f) in [Figure::ExamSittings, Figure::ExamPasses]
        .into_iter()
        .enumerate()
    {
        if wants(&[f]) {
            let passed = f == Figure::ExamPasses;
            sittings[i] = xueshi_store::exams::handed_in(&mut conn, path, span.ms(), passed, 0, 0)
                .await?
                .1;
        }
    }
    let competitions = if wants(&[Figure::CompetitionsHeld]) {
        xueshi_store::competitions::finished_in(&mut conn, path, (&span.from, &span.to), 0, 0)
            .await?
            .1
    } else {
        0
    };
    let entries = if wants(&[Figure::ContestEntries]) {
        xueshi_store::contests::listed_in(&mut conn, path, span.ms(), 0, 0)
            .await?
            .1
    } else {
        0
    };
    let live = || matters.iter().filter(|r| r.status != MatterStatus::Dropped);
    Ok(wanted
        .iter()
        .map(|f| match f {
            Figure::QuizTaken => daily.quiz_takers,
            Figure::CheckIns => daily.check_ins,
            Figure::GrassrootsUnits => tally.units_grassroots,
            Figure::Members => tally.members_total,
            Figure::KeyMatters | Figure::GeneralMatters | Figure::MattersDone => matters
                .iter()
                .filter(|r| matter_counts(*f, r.level, r.status))
                .map(|r| r.matters)
                .sum(),
            Figure::Affairs => live().map(|r| r.affairs).sum(),
            Figure::ProblemsSolved => live().map(|r| r.problems_solved).sum(),
            Figure::Disputes => live().map(|r| r.disputes).sum(),
            Figure::TasksAssigned => tasks.0,
            Figure::TasksDone => tasks.1,
            Figure::TasksOverdue => tasks.2,
            Figure::MeetingsHeld => meetings,
            Figure::ExamSittings => sittings[0],
            Figure::ExamPasses => sittings[1],
            Figure::CompetitionsHeld => competitions,
            Figure::ContestEntries => entries,
        })
        .collect())
}

/// Figures over a unit the caller has already shown the reader may see
/// (a briefing's table of the units below its own).
pub async fn values_over(
    app: &App,
    unit: &UnitRow,
    span: &Span,
    wanted: &[Figure],
) -> AppResult<Vec<i64>> {
    values(app, unit.id(), &unit.path(), span, wanted).await
}

/// Whether a matter of this level and status counts towards `figure`.
fn matter_counts(figure: Figure, level: MatterLevel, status: MatterStatus) -> bool {
    match figure {
        Figure::KeyMatters => level.is_key() && status != MatterStatus::Dropped,
        Figure::GeneralMatters => level == MatterLevel::General && status != MatterStatus::Dropped,
        Figure::MattersDone => status == MatterStatus::Done,
        _ => false,
    }
}
