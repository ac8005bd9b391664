//! The question bank (题库): importing questions from a workbook with every
//! bad row reported by row and column, duplicates found across 繁體 and 简体;
//! one question added, edited, retired or restored; the bank's listing, its
//! export in the import's layout and the empty template. A single question
//! is checked by the same rules as a row of the workbook.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use xueshi_domain::access::Action;
use xueshi_domain::quiz::{Question, QuestionKind, QuestionOptions};
use xueshi_domain::{FieldError, Id};
use xueshi_store::quiz::QuestionRow;

use crate::audit::{Audited, Entry};
use crate::permit::{Allowed, allow_in_scope};
use crate::roster::{Column, RowError};
use crate::sheet::{self, FormulaCells, RowErrors, Wanted, gaps, layout, safe_text};
use crate::{App, AppError, AppResult, Ctx};

pub const QUESTION_SHEET: &str = "题库";

pub const QUESTION_COLUMNS: [Column; 14] = [
    Column::text("kind", "题型", true),
    Column::text("stem", "题干", true),
    Column::text("option_a", "选项A", false),
    Column::text("option_b", "选项B", false),
    Column::text("option_c", "选项C", false),
    Column::text("option_d", "选项D", false),
    Column::text("option_e", "选项E", false),
    Column::text("option_f", "选项F", false),
    Column::text("option_g", "选项G", false),
    Column::text("option_h", "选项H", false),
    Column::text("answer", "答案", true),
    Column::text("explanation", "解析", false),
    Column::text("tags", "标签", false),
    Column::text("difficulty", "难度", false),
];

const OPTION_FIELDS: [&str; 8] = [
    "option_a", "option_b", "option_c", "option_d", "option_e", "option_f", "option_g", "option_h",
];

/// A question of the bank as the office sees it, answer included.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BankQuestion {
    pub id: Id,
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
    pub answer: String,
    pub explanation: String,
    pub tags: String,
    pub difficulty: i64,
    /// False once retired: kept, but no longer drawn for a paper.
    pub active: bool,
}

/// One question as a form or the API gives it: the same fields as a row of
/// the workbook, the kind as its code (`single`) or its label (单选题).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct QuestionInput {
    pub kind: String,
    pub stem: String,
    /// Options A, B, … in order; blanks at the end are dropped.
    pub options: Vec<String>,
    pub answer: String,
    pub explanation: String,
    pub tags: String,
    /// 1 (easy) to 5; 2 when not given.
    pub difficulty: Option<i64>,
}

const MAX_EXPLANATION: usize = 2000;
const MAX_TAGS: usize = 200;

/// Checks one question by the workbook's rules; on success the row to store
/// (id 0) and its fingerprint.
fn check(
    kind_raw: &str,
    stem: &str,
    options: Vec<String>,
    answer: &str,
    explanation: &str,
    tags: &str,
    difficulty_raw: &str,
) -> Result<(QuestionRow, String), Vec<FieldError>> {
    let mut bad = Vec::new();
    let kind = QuestionKind::from_label(kind_raw);
    if kind.is_none() {
        bad.push(FieldError::new("kind", "bad_choice").with("value", kind_raw));
    }
    let difficulty = match difficulty_raw.trim() {
        "" => 2,
        d => match d.parse::<i64>() {
            Ok(n) if (1..=5).contains(&n) => n,
            _ => {
                bad.push(FieldError::new("difficulty", "bad_difficulty").with("value", d));
                2
            }
        },
    };
    if explanation.chars().count() > MAX_EXPLANATION {
        bad.push(FieldError::new("explanation", "too_long").with("max", MAX_EXPLANATION));
    }
    if tags.chars().count() > MAX_TAGS {
        bad.push(FieldError::new("tags", "too_long").with("max", MAX_TAGS));
    }
    let Some(kind) = kind else {
        return Err(bad);
    };
    match Question::new(kind, stem, options, answer) {
        Err(es) => {
            bad.extend(es);
            Err(bad)
        }
        Ok(_) if !bad.is_empty() => Err(bad),
        Ok(q) => {
            let print = q.fingerprint();
            Ok((
                QuestionRow {
                    id: 0,
                    kind: q.kind,
                    stem: q.stem,
                    options: QuestionOptions(q.options),
                    answer: q.answer,
                    explanation: explanation.trim().to_owned(),
                    tags: tags.trim().to_owned(),
                    difficulty,
                    active: 1,
                },
                print,
            ))
        }
    }
}

fn check_input(input: &QuestionInput) -> AppResult<(QuestionRow, String)> {
    let mut options = input.options.clone();
    while options.last().is_some_and(|o| o.trim().is_empty()) {
        options.pop();
    }
    check(
        &input.kind,
        &input.stem,
        options,
        &input.answer,
        &input.explanation,
        &input.tags,
        &input.difficulty.map(|d| d.to_string()).unwrap_or_default(),
    )
    .map_err(AppError::Invalid)
}

/// How a stored question reads (the store parsed its kind and options).
fn view(r: QuestionRow) -> BankQuestion {
    BankQuestion {
        id: Id(r.id),
        kind: r.kind,
        stem: r.stem,
        options: r.options.0,
        answer: r.answer,
        explanation: r.explanation,
        tags: r.tags,
        difficulty: r.difficulty,
        active: r.active == 1,
    }
}

/// What a question import added.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionsImported {
    pub questions: u64,
    /// Cells that held formulas, read as their saved values.
    pub formulas: FormulaCells,
}

/// Checks a question workbook and, when every row is right, adds all of it
/// in one transaction.
pub async fn import(
    app: &App,
    ctx: &Ctx,
    name: &str,
    bytes: Vec<u8>,
) -> AppResult<QuestionsImported> {
    let allowed = allow_in_scope(ctx, Action::ManageStudy)?;
    let mut book = sheet::read(
        app,
        bytes,
        &[Wanted {
            name: QUESTION_SHEET,
            key: "questions",
            columns: &QUESTION_COLUMNS,
        }],
    )
    .await?;
    let formulas = book.formula_cells();
    let sheet = book
        .sheets
        .pop()
        .flatten()
        .ok_or_else(|| AppError::Rejected(vec![RowError::file("no_question_sheet")]))?;
    let mut errors = RowErrors::new(&app.settings().import);
    let l = layout("questions", &sheet, &QUESTION_COLUMNS, &mut errors);
    gaps(&l, &sheet, &mut errors);
    if !errors.is_empty() {
        return Err(errors.into_rejected(&["questions"]));
    }
    let mut fresh: Vec<(u32, QuestionRow, String)> = Vec::new();
    let mut first_row: HashMap<String, u32> = HashMap::new();
    for cells in &sheet.rows {
        let row = cells.num;
        let options: Vec<String> = OPTION_FIELDS
            .iter()
            .map(|f| l.cell(cells, f).to_owned())
            .collect();
        match check(
            l.cell(cells, "kind"),
            l.cell(cells, "stem"),
            options,
            l.cell(cells, "answer"),
            l.cell(cells, "explanation"),
            l.cell(cells, "tags"),
            l.cell(cells, "difficulty"),
        ) {
            Err(es) => errors.extend(es.into_iter().map(|e| l.error(row, e))),
            Ok((q, print)) => {
                if let Some(first) = first_row.get(&print) {
                    errors.push(l.error(
                        row,
                        FieldError::new("stem", "duplicate_in_file").with("row", first),
                    ));
                    continue;
                }
                first_row.insert(print.clone(), row);
                fresh.push((row, q, print));
            }
        }
    }
    if fresh.is_empty() && errors.is_empty() {
        errors.push(RowError::file("no_rows"));
    }
    let prints: Vec<String> = fresh.iter().map(|f| f.2.clone()).collect();
    let known = {
        let mut conn = app.store().read().await?;
        xueshi_store::quiz::known_fingerprints(&mut conn, &prints).await?
    };
    for k in &known {
        if let Some(row) = first_row.get(k) {
            errors.push(l.error(*row, FieldError::new("stem", "question_exists")));
        }
    }
    if !errors.is_empty() {
        return Err(errors.into_rejected(&["questions"]));
    }
    let rows: Vec<(QuestionRow, String)> = fresh
        .into_iter()
        .map(|(_, mut q, print)| {
            q.id = app.next_id().0;
            (q, print)
        })
        .collect();
    let n = rows.len() as u64;
    let mut tx = Audited::begin(app, allowed).await?;
    xueshi_store::quiz::insert_questions(&mut tx, &rows, app.now()).await?;
    tx.commit(
        Entry::new("bank.import", "questions", None, name)
            .unit(ctx.actor.scope_unit)
            .after(&serde_json::json!({ "file": name, "questions": n })),
    )
    .await?;
    app.quiz_cache().invalidate().await;
    Ok(QuestionsImported {
        questions: n,
        formulas,
    })
}

/// Refuses actors who may not keep the bank, before an upload is read.
pub fn authorize_manage(ctx: &Ctx) -> AppResult<Allowed<'_>> {
    allow_in_scope(ctx, Action::ManageStudy)
}

/// A page of the bank, with the total.
pub async fn list(app: &App, ctx: &Ctx, page: i64) -> AppResult<(Vec<BankQuestion>, i64)> {
    allow_in_scope(ctx, Action::ManageStudy)?;
    let mut conn = app.store().read().await?;
    let total = xueshi_store::quiz::count_questions(&mut conn).await?;
    let rows = xueshi_store::quiz::questions(&mut conn, 50, page.max(0) * 50).await?;
    Ok((rows.into_iter().map(view).collect(), total))
}

/// One question of the bank.
pub async fn get(app: &App, ctx: &Ctx, id: Id) -> AppResult<BankQuestion> {
    allow_in_scope(ctx, Action::ManageStudy)?;
    let mut conn = app.store().read().await?;
    let row = xueshi_store::quiz::question(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(view(row))
}

/// Adds one question, refused like a workbook row when it is malformed or
/// the bank already holds it (in either script).
pub async fn add(app: &App, ctx: &Ctx, input: &QuestionInput) -> AppResult<Id> {
    let allowed = allow_in_scope(ctx, Action::ManageStudy)?;
    let (mut q, print) = check_input(input)?;
    let mut tx = Audited::begin(app, allowed).await?;
    if xueshi_store::quiz::fingerprint_owner(&mut tx, &print)
        .await?
        .is_some()
    {
        return Err(AppError::invalid("stem", "question_exists"));
    }
    q.id = app.next_id().0;
    xueshi_store::quiz::insert_questions(&mut tx, &[(q.clone(), print)], app.now()).await?;
    let after = view(q.clone());
    tx.commit(
        Entry::new("bank.add", "question", Some(Id(q.id)), &q.stem)
            .unit(ctx.actor.scope_unit)
            .after(&after),
    )
    .await?;
    app.quiz_cache().invalidate().await;
    Ok(Id(q.id))
}

/// Rewrites one question. Attempts already submitted keep their scores; a
/// paper drawn today is marked against the corrected answer.
pub async fn edit(app: &App, ctx: &Ctx, id: Id, input: &QuestionInput) -> AppResult<()> {
    let allowed = allow_in_scope(ctx, Action::ManageStudy)?;
    let (mut q, print) = check_input(input)?;
    let mut tx = Audited::begin(app, allowed).await?;
    let before = xueshi_store::quiz::question(&mut tx, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    if xueshi_store::quiz::fingerprint_owner(&mut tx, &print)
        .await?
        .is_some_and(|owner| owner != id.0)
    {
        return Err(AppError::invalid("stem", "question_exists"));
    }
    q.id = id.0;
    q.active = before.active;
    xueshi_store::quiz::update_question(&mut tx, &q, &print).await?;
    let (before, after) = (view(before), view(q.clone()));
    tx.commit(
        Entry::new("bank.edit", "question", Some(id), &q.stem)
            .unit(ctx.actor.scope_unit)
            .before(&before)
            .after(&after),
    )
    .await?;
    app.quiz_cache().invalidate().await;
    Ok(())
}

/// Retires a question (no longer drawn; kept behind the attempts that drew
/// it) or puts it back in use.
pub async fn set_active(app: &App, ctx: &Ctx, id: Id, active: bool) -> AppResult<()> {
    let allowed = allow_in_scope(ctx, Action::ManageStudy)?;
    let mut tx = Audited::begin(app, allowed).await?;
    let q = xueshi_store::quiz::question(&mut tx, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    if (q.active == 1) == active {
        return Ok(());
    }
    xueshi_store::quiz::set_question_active(&mut tx, id.0, active).await?;
    tx.commit(
        Entry::new(
            if active {
                "bank.restore"
            } else {
                "bank.retire"
            },
            "question",
            Some(id),
            &q.stem,
        )
        .unit(ctx.actor.scope_unit)
        .before(&serde_json::json!({ "active": !active }))
        .after(&serde_json::json!({ "active": active })),
    )
    .await?;
    app.quiz_cache().invalidate().await;
    Ok(())
}

type XlsxResult<T> = Result<T, rust_xlsxwriter::XlsxError>;

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("xlsx: {e}"))
}

/// The 题库 sheet's header, its kind drop-down and text columns.
fn question_sheet(ws: &mut rust_xlsxwriter::Worksheet) -> XlsxResult<()> {
    ws.set_name(QUESTION_SHEET)?;
    crate::roster::export::header(ws, &QUESTION_COLUMNS)?;
    let kinds: Vec<&str> = QuestionKind::ALL.iter().map(|k| k.label_zh()).collect();
    crate::roster::export::list(ws, 0, &kinds)?;
    ws.set_column_width(1, 48)?;
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    ws.set_column_format(10, &text)?;
    Ok(())
}

/// The empty question workbook, with a sheet that explains each column.
pub fn template() -> AppResult<Vec<u8>> {
    let build = || -> XlsxResult<Vec<u8>> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        crate::roster::export::instructions(
            &mut wb,
            &[
                "题库导入模板（学史）",
                "1. 「题库」表：每行一道题。带 * 的列必填。",
                "2. 题型：单选题、多选题、判断题、填空题。",
                "3. 单选、多选题填选项A起的选项（至少两个，最多八个）；答案填选项字母，多选如 ABD。",
                "4. 判断题答案填 对 或 错；填空题答案填正确内容，可接受的几种写法用 | 分隔。",
                "5. 难度 1–5，不填为 2；标签可填多个，用逗号分隔。",
                "6. 与题库中已有题目（含繁简体写法不同）重复的题会被指出。",
                "7. 导入前会检查全部行；任何一行有误，整个文件都不会导入，并列出每个错误的行和列。",
            ],
        )?;
        question_sheet(wb.add_worksheet())?;
        wb.save_to_buffer()
    };
    build().map_err(xlsx_err)
}

/// The questions in use as a workbook in the import's layout (audited as an
/// export: it carries every answer).
pub async fn export(app: &App, ctx: &Ctx) -> AppResult<(String, Vec<u8>)> {
    let allowed = allow_in_scope(ctx, Action::ManageStudy)?;
    let rows = {
        let mut conn = app.store().read().await?;
        xueshi_store::quiz::active_questions(&mut conn).await?
    };
    let questions: Vec<BankQuestion> = rows.into_iter().map(view).collect();
    let build = || -> XlsxResult<Vec<u8>> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        question_sheet(ws)?;
        for (r, q) in questions.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, q.kind.label_zh())?;
            ws.write_string(r, 1, safe_text(&q.stem))?;
            for (i, o) in q.options.iter().enumerate().take(OPTION_FIELDS.len()) {
                ws.write_string(r, 2 + i as u16, safe_text(o))?;
            }
            ws.write_string(r, 10, safe_text(&q.answer))?;
            ws.write_string(r, 11, safe_text(&q.explanation))?;
            ws.write_string(r, 12, safe_text(&q.tags))?;
            ws.write_number(r, 13, q.difficulty as f64)?;
        }
        wb.save_to_buffer()
    };
    let bytes = build().map_err(xlsx_err)?;
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("bank.export", "questions", None, "")
            .unit(ctx.actor.scope_unit)
            .after(&serde_json::json!({ "questions": questions.len() })),
    )
    .await?;
    Ok((
        format!(
            "题库-{}.xlsx",
            xueshi_domain::date::iso(app.clock().today())
        ),
        bytes,
    ))
}
