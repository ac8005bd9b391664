//! The rows behind a figure: a page of them, all of them as a workbook,
//! and `xueshi check`'s hold of every figure to the count of its rows.

use serde::Serialize;
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::iso;
use xueshi_domain::matter::{MatterLevel, MatterStatus};
use xueshi_domain::unit::{UnitKind, UnitPath};
use xueshi_store::matter_board::{self, BoardFilter, Outcome};
use xueshi_store::study::{self, StudyRecord};
use xueshi_store::{contests, meetings, members, tasks, units};

use super::{CATALOGUE, Figure, Span, Stated, stated, values};
use crate::audit::{Audited, Entry};
use crate::permit::allow;
use crate::sheet::safe_text;
use crate::tree::load;
use crate::{App, AppError, AppResult, Ctx};

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
            let (rows, total) = study::listed_in(
                &mut conn,
                StudyRecord::QuizAttempts,
                path,
                (&span.from, &span.to),
                limit,
                offset,
            )
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
            let (rows, total) = study::listed_in(
                &mut conn,
                StudyRecord::CheckIns,
                path,
                (&span.from, &span.to),
                limit,
                offset,
            )
            .await?;
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
        Figure::TasksAssigned | Figure::TasksDone | Figure::TasksOverdue => {
            let today = iso(app.clock().today());
            let which = match figure {
                Figure::TasksAssigned => tasks::Listed::All,
                Figure::TasksDone => tasks::Listed::Done,
                _ => tasks::Listed::Overdue(&today),
            };
            let (rows, total) = tasks::listed_in(&mut conn, path, which, limit, offset).await?;
            (
                vec![
                    col("任务", "Task"),
                    col("单位", "Unit"),
                    col("完成时限", "Deadline"),
                    col("状态", "Status"),
                    col("延期次数", "Extensions"),
                ],
                rows.into_iter()
                    .map(|a| {
                        let status = match a.status.as_str() {
                            "done" => "已完成",
                            "returned" => "已退回",
                            _ => "未完成",
                        };
                        vec![
                            a.title,
                            a.unit,
                            a.due_on,
                            status.to_owned(),
                            a.extensions.to_string(),
                        ]
                    })
                    .collect(),
                total,
                None,
            )
        }
        Figure::ExamSittings | Figure::ExamPasses => {
            let passed = figure == Figure::ExamPasses;
            let (rows, total) =
                xueshi_store::exams::handed_in(&mut conn, path, span.ms(), passed, limit, offset)
                    .await?;
            (
                vec![
                    col("交卷时间", "Handed in"),
                    col("姓名", "Name"),
                    col("单位", "Unit"),
                    col("测试", "Exam"),
                    col("轮次", "Round"),
                    col("成绩", "Score"),
                ],
                rows.into_iter()
                    .map(|s| {
                        let round = match (s.round, s.source.as_str()) {
                            (1, "paper") => "初考（纸质）",
                            (1, _) => "初考",
                            (_, "paper") => "补考（纸质）",
                            _ => "补考",
                        };
                        vec![
                            crate::clock::format_ms(s.submitted_at),
                            s.name,
                            s.unit,
                            s.title,
                            round.to_owned(),
                            s.score.map_or(String::new(), |x| x.to_string()),
                        ]
                    })
                    .collect(),
                total,
                None,
            )
        }
        Figure::CompetitionsHeld => {
            let (rows, total) = xueshi_store::competitions::finished_in(
                &mut conn,
                path,
                (&span.from, &span.to),
                limit,
                offset,
            )
            .await?;
            (
                vec![
                    col("比赛日期", "Held on"),
                    col("单位", "Unit"),
                    col("竞赛", "Competition"),
                ],
                rows.into_iter()
                    .map(|c| vec![c.held_on, c.unit_name, c.title])
                    .collect(),
                total,
                None,
            )
        }
        Figure::MeetingsHeld => {
            let (rows, total) = meetings::listed_in(
                &mut conn,
                path,
                "organization_life",
                (&span.from, &span.to),
                limit,
                offset,
            )
            .await?;
            (
                vec![
                    col("召开日期", "Held on"),
                    col("单位", "Unit"),
                    col("实到", "Attended"),
                    col("应到", "Members"),
                ],
                rows.into_iter()
                    .map(|m| {
                        vec![
                            m.held_on,
                            m.unit,
                            m.attendance.to_string(),
                            m.members.to_string(),
                        ]
                    })
                    .collect(),
                total,
                None,
            )
        }
        Figure::ContestEntries => {
            let (rows, total) =
                contests::listed_in(&mut conn, path, span.ms(), limit, offset).await?;
            (
                vec![
                    col("报送时间", "Submitted"),
                    col("作品", "Entry"),
                    col("报送单位", "Entered by"),
                    col("比赛", "Contest"),
                    col("已推荐到", "Reached"),
                ],
                rows.into_iter()
                    .map(|e| {
                        vec![
                            crate::clock::format_ms(e.submitted_at),
                            e.title,
                            e.unit,
                            e.contest,
                            e.at_unit,
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
