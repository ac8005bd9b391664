//! The catalogue of figures (数字): every figure xueshi states is defined
//! here once — its names, the capability that owns it, what it counts and
//! how the reports say it — with the value over a subtree **and the rows
//! behind it**. Pages, briefings and the public summary read figures from
//! here; `xueshi check` holds every figure to the count of its rows.
//!
//! A capability adds its figures by adding a [`Figure`], its
//! [`Definition`] in [`CATALOGUE`], and the two arms that state it and list
//! its rows.

use serde::Serialize;
use time::Date;
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::figure_words::{Wording, in_words};
use xueshi_domain::matter::{MatterLevel, MatterStatus};
use xueshi_domain::unit::{UnitKind, UnitPath};
use xueshi_store::matter_board::{self, BoardFilter, Outcome};
use xueshi_store::units::UnitRow;
use xueshi_store::{members, study, tallies, units};

use crate::audit::{Audited, Entry};
use crate::permit::{allow, may};
use crate::sheet::safe_text;
use crate::tree::load;
use crate::{App, AppError, AppResult, Ctx};

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
}

impl Measure {
    pub fn word_zh(self) -> &'static str {
        match self {
            Measure::Organisations => "个",
            Measure::People => "名",
            Measure::Matters => "件",
            Measure::PersonTimes => "人次",
            Measure::Items => "个",
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
pub const CATALOGUE: [Definition; 10] = [
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
];

/// The days a flow figure counts, both ends included (YYYY-MM-DD).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

/// Rows per page of a drill-down.
pub const PAGE: i64 = 50;
/// Rows a drill-down workbook holds at most; a larger subtree is exported
/// by its parts (the roster export covers members in full).
pub const EXPORT_MAX: i64 = 50_000;

/// A column of a figure's rows.
#[derive(Clone, Copy, Debug, Serialize, utoipa::ToSchema)]
pub struct Column {
    pub zh: &'static str,
    pub en: &'static str,
}

/// A page of the rows behind a figure.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Rows {
    pub stated: Stated,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    /// Every row behind the figure, not only this page's: the figure's
    /// value, unless the figure adds up its rows' amounts.
    pub total: i64,
    /// What the rows' amounts add up to, for a figure that is their sum:
    /// the figure's value.
    pub sum: Option<i64>,
    pub page: i64,
    pub pages: i64,
}

const fn col(zh: &'static str, en: &'static str) -> Column {
    Column { zh, en }
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

/// The figures the public window states (公示), over every root: the
/// catalogue's matters figures, which the public may read.
pub const PUBLIC: [Figure; 6] = [
    Figure::KeyMatters,
    Figure::GeneralMatters,
    Figure::MattersDone,
    Figure::Affairs,
    Figure::ProblemsSolved,
    Figure::Disputes,
];

/// A public figure: its value over every root, and the reports' words.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicFigure {
    pub figure: Figure,
    pub key: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub value: i64,
    pub words: String,
}

/// The [`PUBLIC`] figures summed over every root.
pub async fn public(app: &App) -> AppResult<Vec<PublicFigure>> {
    let roots = {
        let mut conn = app.store().read().await?;
        units::roots(&mut conn).await?
    };
    let mut sums = [0i64; PUBLIC.len()];
    for root in roots {
        let v = values(
            app,
            root.id(),
            &root.path(),
            &Span::week_to(app.clock().today()),
            &PUBLIC,
        )
        .await?;
        for (s, v) in sums.iter_mut().zip(v) {
            *s += v;
        }
    }
    Ok(PUBLIC
        .iter()
        .zip(sums)
        .map(|(f, value)| {
            let d = f.definition();
            PublicFigure {
                figure: *f,
                key: d.key,
                name_zh: d.name_zh,
                name_en: d.name_en,
                value,
                words: d.words(value),
            }
        })
        .collect())
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

fn matter_filter(app: &App, figure: Figure, path: &UnitPath) -> BoardFilter {
    let (levels, status) = match figure {
        Figure::KeyMatters => (
            MatterLevel::ALL
                .into_iter()
                .filter(|l| l.is_key())
                .collect(),
            None,
        ),
        Figure::GeneralMatters => (vec![MatterLevel::General], None),
        _ => (Vec::new(), Some(MatterStatus::Done.as_str().to_owned())),
    };
    BoardFilter {
        subtree: path.clone(),
        status,
        levels,
        field_id: None,
        overdue: false,
        behind_report: false,
        today: iso(app.clock().today()),
        now: app.now(),
    }
}

/// A page of the rows behind a figure over a unit (page 0 first).
pub async fn rows(
    app: &App,
    ctx: &Ctx,
    figure: Figure,
    unit: Id,
    span: &Span,
    page: i64,
) -> AppResult<Rows> {
    let d = figure.definition();
    let row = load(app, ctx, unit, Action::ViewTree).await?;
    allow(ctx, d.open, &row.path())?;
    let v = values(app, row.id(), &row.path(), span, &[figure]).await?;
    let stated = stated(ctx, d, &row, span, v[0]);
    let page = page.max(0);
    let (columns, rows, total, sum) =
        listed(app, figure, &row.path(), span, PAGE, page * PAGE).await?;
    Ok(Rows {
        stated,
        columns,
        rows,
        total,
        sum,
        page,
        pages: (total + PAGE - 1) / PAGE,
    })
}

/// Columns, rows, how many rows in all, and what a summed figure's rows
/// add up to.
type Listed = (Vec<Column>, Vec<Vec<String>>, i64, Option<i64>);

async fn listed(
    app: &App,
    figure: Figure,
    path: &UnitPath,
    span: &Span,
    limit: i64,
    offset: i64,
) -> AppResult<Listed> {
    let mut conn = app.store().read().await?;
    Ok(match figure {
        Figure::QuizTaken => {
            let (rows, total) =
                study::quiz_attempts_in(&mut conn, path, &span.from, &span.to, limit, offset)
                    .await?;
            (
                vec![
                    col("日期", "Day"),
                    col("姓名", "Name"),
                    col("所在组织", "Unit"),
                    col("答对", "Right"),
                    col("题数", "Questions"),
                ],
                rows.into_iter()
                    .map(|r| vec![r.day, r.name, r.unit, r.amount.to_string(), r.what])
                    .collect(),
                total,
                None,
            )
        }
        Figure::CheckIns => {
            let (rows, total) =
                study::check_ins_in(&mut conn, path, &span.from, &span.to, limit, offset).await?;
            (
                vec![
                    col("日期", "Day"),
                    col("姓名", "Name"),
                    col("所在组织", "Unit"),
                    col("学习内容", "Studied"),
                    col("分钟", "Minutes"),
                ],
                rows.into_iter()
                    .map(|r| vec![r.day, r.name, r.unit, r.what, r.amount.to_string()])
                    .collect(),
                total,
                None,
            )
        }
        Figure::GrassrootsUnits => {
            let kinds: Vec<UnitKind> = UnitKind::ALL
                .into_iter()
                .filter(|k| k.is_grassroots())
                .collect();
            let (rows, total) =
                units::page_of_kinds(&mut conn, path, &kinds, limit, offset).await?;
            (
                vec![
                    col("组织代码", "Code"),
                    col("组织名称", "Name"),
                    col("类别", "Kind"),
                ],
                rows.into_iter()
                    .map(|u| vec![u.code, u.name, u.kind.label_zh().to_owned()])
                    .collect(),
                total,
                None,
            )
        }
        Figure::Members => {
            let (rows, total) = members::page_in_subtree(&mut conn, path, limit, offset).await?;
            (
                vec![
                    col("姓名", "Name"),
                    col("所在组织", "Unit"),
                    col("性别", "Gender"),
                    col("党员类别", "Status"),
                ],
                rows.into_iter()
                    .map(|(m, unit)| {
                        vec![
                            m.name,
                            unit,
                            m.gender.label_zh().to_owned(),
                            m.status.label_zh().to_owned(),
                        ]
                    })
                    .collect(),
                total,
                None,
            )
        }
        Figure::Affairs | Figure::ProblemsSolved | Figure::Disputes => {
            let outcome = match figure {
                Figure::Affairs => Outcome::Affairs,
                Figure::ProblemsSolved => Outcome::ProblemsSolved,
                _ => Outcome::Disputes,
            };
            let (rows, total, sum) =
                matter_board::outcome_page(&mut conn, path, outcome, limit, offset).await?;
            (
                vec![
                    col("实事名称", "Matter"),
                    col("层级", "Level"),
                    col("责任单位", "Unit"),
                    col("状态", "Status"),
                    col("数量", "Amount"),
                ],
                rows.into_iter()
                    .map(|m| {
                        vec![
                            m.title,
                            m.level.label_zh().to_owned(),
                            m.unit,
                            m.status.label_zh().to_owned(),
                            m.amount.to_string(),
                        ]
                    })
                    .collect(),
                total,
                Some(sum),
            )
        }
        Figure::KeyMatters | Figure::GeneralMatters | Figure::MattersDone => {
            let f = matter_filter(app, figure, path);
            let (rows, total) = matter_board::page(&mut conn, &f, limit, offset).await?;
            (
                vec![
                    col("实事名称", "Matter"),
                    col("层级", "Level"),
                    col("领域", "Field"),
                    col("责任单位", "Unit"),
                    col("状态", "Status"),
                    col("完成时限", "Deadline"),
                ],
                rows.into_iter()
                    .map(|m| {
                        vec![
                            m.title,
                            m.level.label_zh().to_owned(),
                            m.field,
                            m.unit,
                            m.status.label_zh().to_owned(),
                            m.deadline,
                        ]
                    })
                    .collect(),
                total,
                None,
            )
        }
    })
}

/// Every row behind a figure as a workbook (audited as an export: the rows
/// may name people).
pub async fn rows_workbook(
    app: &App,
    ctx: &Ctx,
    figure: Figure,
    unit: Id,
    span: &Span,
) -> AppResult<(String, Vec<u8>)> {
    let d = figure.definition();
    let (row, allowed) = crate::tree::load_allowed(app, ctx, unit, Action::ViewTree).await?;
    allow(ctx, d.open, &row.path())?;
    let (columns, rows, total, _) = listed(app, figure, &row.path(), span, EXPORT_MAX, 0).await?;
    if total > EXPORT_MAX {
        return Err(AppError::Conflict("figure_too_large"));
    }
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let ws = wb.add_worksheet();
    let title: String = d.name_zh.chars().take(31).collect();
    ws.set_name(title).map_err(xlsx)?;
    let days = if d.flow {
        format!("，{} 至 {}", span.from, span.to)
    } else {
        String::new()
    };
    ws.write_string(
        0,
        0,
        format!(
            "{}：{}（{}{}{days}）",
            row.name,
            d.name_zh,
            total,
            d.measure.word_zh()
        ),
    )
    .map_err(xlsx)?;
    for (c, h) in columns.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, h.zh, &bold)
            .map_err(xlsx)?;
    }
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(r as u32 + 3, c as u16, safe_text(v))
                .map_err(xlsx)?;
        }
    }
    ws.set_column_width(0, 24).map_err(xlsx)?;
    ws.set_column_width(1, 30).map_err(xlsx)?;
    let bytes = wb.save_to_buffer().map_err(xlsx)?;
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("figure.export", "unit", Some(unit), &row.name)
            .unit(unit)
            .after(&serde_json::json!({ "figure": d.key, "rows": total, "span": d.flow.then_some(span) })),
    )
    .await?;
    Ok((format!("{}-{}.xlsx", d.name_zh, row.code), bytes))
}

/// Every figure over every root against the count of its rows: the
/// figures that disagree, in words (empty when all agree).
pub async fn check(app: &App) -> AppResult<Vec<String>> {
    let roots = {
        let mut conn = app.store().read().await?;
        units::roots(&mut conn).await?
    };
    // Flow figures over all time.
    let ever = Span {
        from: "0000-01-01".to_owned(),
        to: "9999-12-31".to_owned(),
    };
    let mut out = Vec::new();
    for root in roots {
        let all: Vec<Figure> = CATALOGUE.iter().map(|d| d.figure).collect();
        let values = values(app, root.id(), &root.path(), &ever, &all).await?;
        for (d, v) in CATALOGUE.iter().zip(values) {
            let (_, _, total, sum) = listed(app, d.figure, &root.path(), &ever, 1, 0).await?;
            let rows = sum.unwrap_or(total);
            if v != rows {
                out.push(format!("{} {}: figure {v}, rows {rows}", root.name, d.key));
            }
        }
    }
    Ok(out)
}

/// One day of a subtree's study, for the overview's trend.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Day {
    pub day: String,
    pub quiz_taken: i64,
    pub check_ins: i64,
}

/// A subtree at a glance: the catalogue's figures, each day of the span,
/// and the units below that lag behind.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Overview {
    pub figures: Vec<Stated>,
    pub days: Vec<Day>,
    pub behind: Vec<crate::briefings::UnitLine>,
}

/// The overview of a unit's subtree over `span` (at most the last 31 days
/// of it are drawn day by day).
pub async fn overview(app: &App, ctx: &Ctx, unit: Id, span: &Span) -> AppResult<Overview> {
    let row = load(app, ctx, unit, Action::ViewTree).await?;
    let figures = of_unit(app, ctx, unit, span).await?;
    let days = if may(ctx, Action::ViewStudy, &row.path()) {
        let to = from_iso(&span.to).unwrap_or_else(|| app.clock().today());
        let from = from_iso(&span.from)
            .unwrap_or(to)
            .max(to - time::Duration::days(30));
        let counted = {
            let mut conn = app.store().read().await?;
            study::daily(&mut conn, &[unit.0], &iso(from), &iso(to)).await?
        };
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            let c = counted.get(&(unit.0, iso(d))).copied().unwrap_or_default();
            out.push(Day {
                day: iso(d),
                quiz_taken: c.quiz_takers,
                check_ins: c.check_ins,
            });
            d = d.next_day().unwrap_or(to + time::Duration::days(1));
        }
        out
    } else {
        Vec::new()
    };
    let behind = if may(ctx, Action::ViewStudy, &row.path()) {
        crate::briefings::units_below(app, &row, span).await?.1
    } else {
        Vec::new()
    };
    Ok(Overview {
        figures,
        days,
        behind,
    })
}
