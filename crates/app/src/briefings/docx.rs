//! An issue as a Word document in the shape of a 公文: A4 with the
//! standard margins, the masthead in red, headings in 黑体, text in 仿宋,
//! remarks in 楷体, and a table whose grid and cells carry explicit widths
//! (WPS lays a table out by its grid). Every figure is a link to its rows.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, Hyperlink, HyperlinkType, LineSpacing, PageMargin, Paragraph, Run,
    RunFonts, Table, TableCell, TableRow, WidthType,
};

use super::review::{Piece, Review};
use super::{Briefing, FigureLine};
use crate::figures::Span;
use crate::{AppError, AppResult};

/// A4 in twentieths of a point.
const PAGE_W: u32 = 11_906;
const PAGE_H: u32 = 16_838;
/// 公文 margins (GB/T 9704): top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
const MARGIN: (i32, i32, i32, i32) = (2_098, 1_984, 1_588, 1_474);
/// The text block's width: the table's columns add up to it.
const TEXT_W: usize = (PAGE_W as usize) - 1_588 - 1_474;

/// Sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt.
const ERHAO: usize = 44;
const SANHAO: usize = 32;
const SIHAO: usize = 28;

fn font(name: &str) -> RunFonts {
    RunFonts::new().east_asia(name).ascii(name).hi_ansi(name)
}

fn text(s: &str, face: &str, size: usize) -> Run {
    Run::new().add_text(s).fonts(font(face)).size(size)
}

fn para(runs: Vec<Run>) -> Paragraph {
    runs.into_iter().fold(
        Paragraph::new().line_spacing(LineSpacing::new().line(560)),
        |p, r| p.add_run(r),
    )
}

fn heading(s: &str) -> Paragraph {
    para(vec![text(s, "黑体", SANHAO)])
}

/// Where a figure's rows are read.
fn rows_link(origin: &str, unit: xueshi_domain::Id, span: &Span, f: &FigureLine) -> String {
    format!("{origin}{}", f.rows_path(unit, span))
}

/// A figure as a link to its rows.
fn figure_link(origin: &str, unit: xueshi_domain::Id, span: &Span, f: &FigureLine) -> Hyperlink {
    Hyperlink::new(rows_link(origin, unit, span, f), HyperlinkType::External).add_run(
        text(&f.words, "仿宋", SANHAO)
            .color("1F4E79")
            .underline("single"),
    )
}

fn a4() -> Docx {
    Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(
            PageMargin::new()
                .top(MARGIN.0)
                .bottom(MARGIN.1)
                .left(MARGIN.2)
                .right(MARGIN.3),
        )
        .default_fonts(font("仿宋"))
        .default_size(SANHAO)
}

fn pack(doc: Docx) -> AppResult<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(out.into_inner())
}

/// The campaign review: a title and its paragraphs, figures linked.
pub fn render_review(r: &Review, origin: &str) -> AppResult<Vec<u8>> {
    let mut doc = a4().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(text(&format!("{}党史学习教育综述", r.unit_name), "宋体", ERHAO).bold()),
    );
    for p in &r.paragraphs {
        let mut para = para(vec![text("　　", "仿宋", SANHAO)]);
        for piece in p {
            para = match piece {
                Piece::Text { text: s } => para.add_run(text(s, "仿宋", SANHAO)),
                Piece::Figure { figure } => {
                    para.add_hyperlink(figure_link(origin, r.unit, &r.span, figure))
                }
            };
        }
        doc = doc.add_paragraph(para);
    }
    pack(doc)
}

fn cell(s: &str, width: usize, bold: bool) -> TableCell {
    let mut r = text(s, "仿宋", SIHAO);
    if bold {
        r = r.bold();
    }
    TableCell::new()
        .add_paragraph(Paragraph::new().add_run(r))
        .width(width, WidthType::Dxa)
}

/// Longest bar of the chart, in blocks.
const BAR_MAX: i64 = 20;

/// The units' daily quizzes per member as a bar chart drawn in the text
/// (blocks of █ in a table with explicit widths): it prints, and Word,
/// WPS and LibreOffice draw it alike without an embedded picture.
fn chart(doc: Docx, units: &[super::UnitLine]) -> Docx {
    let top = units.iter().map(|u| u.quiz_permille).max().unwrap_or(0);
    if top == 0 {
        return doc;
    }
    let widths = [2_800, TEXT_W - 2_800 - 1_300, 1_300];
    let rows = units
        .iter()
        .map(|u| {
            let blocks = (u.quiz_permille * BAR_MAX + top / 2) / top;
            let bar = Run::new()
                .add_text("█".repeat(blocks as usize))
                .fonts(font("宋体"))
                .size(SIHAO)
                .color("C00000");
            TableRow::new(vec![
                cell(&u.name, widths[0], false),
                TableCell::new()
                    .add_paragraph(Paragraph::new().add_run(bar))
                    .width(widths[1], WidthType::Dxa),
                cell(
                    &format!("{}.{}%", u.quiz_permille / 10, u.quiz_permille % 10),
                    widths[2],
                    false,
                ),
            ])
        })
        .collect();
    doc.add_paragraph(para(vec![text("各单位人均每日答题（%）", "黑体", SIHAO)]))
        .add_table(
            Table::new(rows)
                .set_grid(widths.to_vec())
                .width(TEXT_W, WidthType::Dxa),
        )
}

pub fn render(b: &Briefing, origin: &str) -> AppResult<Vec<u8>> {
    let c = &b.content;
    let mut doc = a4()
        .add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(
                text(b.kind.label_zh(), "宋体", ERHAO)
                    .bold()
                    .color("C00000"),
            ),
        )
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(text(&b.issue, "仿宋", SANHAO)),
        )
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(text(
            &format!("{}　{} 至 {}", c.unit_name, b.span.from, b.span.to),
            "楷体",
            SANHAO,
        )))
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(text(&"━".repeat(24), "宋体", SIHAO).color("C00000")),
        );

    doc = doc.add_paragraph(heading("一、主要数字"));
    for f in &c.figures {
        doc = doc.add_paragraph(
            para(vec![text(&format!("　　{}：", f.name_zh), "仿宋", SANHAO)])
                .add_hyperlink(figure_link(origin, b.unit, &b.span, f)),
        );
    }

    if !c.units.is_empty() {
        doc = doc.add_paragraph(heading("二、各单位情况"));
        let widths = [TEXT_W - 4 * 1_500, 1_500, 1_500, 1_500, 1_500];
        let head = ["单位", "党员", "每日答题", "学习打卡", "办结实事"];
        let mut rows = vec![TableRow::new(
            head.iter()
                .zip(widths)
                .map(|(h, w)| cell(h, w, true))
                .collect(),
        )];
        for u in &c.units {
            let cells = [
                u.name.clone(),
                u.members.to_string(),
                u.quiz_taken.to_string(),
                u.check_ins.to_string(),
                u.matters_done.to_string(),
            ];
            rows.push(TableRow::new(
                cells
                    .iter()
                    .zip(widths)
                    .map(|(v, w)| cell(v, w, false))
                    .collect(),
            ));
        }
        doc = doc.add_table(
            Table::new(rows)
                .set_grid(widths.to_vec())
                .width(TEXT_W, WidthType::Dxa),
        );
        doc = chart(doc, &c.units);
    }

    if !c.lagging.is_empty() {
        doc = doc.add_paragraph(heading("三、需要加强的单位"));
        for (i, l) in c.lagging.iter().enumerate() {
            doc = doc.add_paragraph(para(vec![text(
                &format!(
                    "　　{}. {}：党员{}名，每日答题{}人次（人均每天{}.{}%）",
                    i + 1,
                    l.name,
                    l.members,
                    l.quiz_taken,
                    l.quiz_permille / 10,
                    l.quiz_permille % 10
                ),
                "仿宋",
                SANHAO,
            )]));
        }
    }

    if !b.remarks.is_empty() {
        doc = doc.add_paragraph(heading("四、工作要求"));
        for line in b.remarks.lines().filter(|l| !l.trim().is_empty()) {
            doc = doc.add_paragraph(para(vec![text(
                &format!("　　{}", line.trim()),
                "楷体",
                SANHAO,
            )]));
        }
    }

    pack(doc)
}
