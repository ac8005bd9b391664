//! The question bank (题库): importing questions from a workbook with every
//! bad row reported by row and column, duplicates found across 繁體 and 简体,
//! and the bank's listing.

use std::collections::HashMap;

use serde::Serialize;
use xueshi_domain::access::{Action, authorize};
use xueshi_domain::quiz::{Question, QuestionKind};
use xueshi_domain::{FieldError, Id};
use xueshi_store::quiz::QuestionRow;

use crate::audit::{Entry, record};
use crate::roster::{Column, RowError};
use crate::sheet::{self, RowErrors, Wanted, gaps, layout};
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
}

/// Checks a question workbook and, when every row is right, adds all of it
/// in one transaction. Returns how many questions were added.
pub async fn import(app: &App, ctx: &Ctx, name: &str, bytes: Vec<u8>) -> AppResult<u64> {
    authorize(&ctx.actor, Action::ManageStudy, &ctx.actor.scope)?;
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
        let row = &cells.num;
        let kind_raw = l.cell(cells, "kind");
        let Some(kind) = QuestionKind::from_label(kind_raw) else {
            errors.push(l.error(
                *row,
                FieldError::new("kind", "bad_choice").with("value", kind_raw),
            ));
            continue;
        };
        let options: Vec<String> = OPTION_FIELDS
            .iter()
            .map(|f| l.cell(cells, f).to_owned())
            .collect();
        let difficulty = match l.cell(cells, "difficulty") {
            "" => 2,
            d => match d.parse::<i64>() {
                Ok(n) if (1..=5).contains(&n) => n,
                _ => {
                    errors.push(l.error(
                        *row,
                        FieldError::new("difficulty", "bad_difficulty").with("value", d),
                    ));
                    continue;
                }
            },
        };
        let explanation = l.cell(cells, "explanation");
        if explanation.chars().count() > 2000 {
            errors.push(l.error(
                *row,
                FieldError::new("explanation", "too_long").with("max", 2000),
            ));
            continue;
        }
        match Question::new(
            kind,
            l.cell(cells, "stem"),
            options,
            l.cell(cells, "answer"),
        ) {
            Err(es) => errors.extend(es.into_iter().map(|e| l.error(*row, e))),
            Ok(q) => {
                let print = q.fingerprint();
                if let Some(first) = first_row.get(&print) {
                    errors.push(l.error(
                        *row,
                        FieldError::new("stem", "duplicate_in_file").with("row", first),
                    ));
                    continue;
                }
                first_row.insert(print.clone(), *row);
                fresh.push((
                    *row,
                    QuestionRow {
                        id: 0,
                        kind: q.kind.as_str().to_owned(),
                        stem: q.stem,
                        options: serde_json::to_string(&q.options)
                            .map_err(|e| AppError::Internal(e.into()))?,
                        answer: q.answer,
                        explanation: explanation.to_owned(),
                        tags: l.cell(cells, "tags").to_owned(),
                        difficulty,
                    },
                    print,
                ));
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
    let mut tx = app.store().write().await?;
    xueshi_store::quiz::insert_questions(&mut tx, &rows, app.now()).await?;
    record(
        &mut tx,
        app,
        ctx,
        Entry::new("bank.import", "questions", None, name)
            .unit(ctx.actor.scope_unit)
            .after(&serde_json::json!({ "file": name, "questions": n })),
        "ok",
    )
    .await?;
    tx.commit().await?;
    app.quiz_cache().invalidate().await;
    Ok(n)
}

/// Refuses actors who may not keep the bank, before an upload is read.
pub fn authorize_manage(ctx: &Ctx) -> AppResult<()> {
    authorize(&ctx.actor, Action::ManageStudy, &ctx.actor.scope)?;
    Ok(())
}

/// A page of the bank, with the total.
pub async fn list(app: &App, ctx: &Ctx, page: i64) -> AppResult<(Vec<BankQuestion>, i64)> {
    authorize(&ctx.actor, Action::ManageStudy, &ctx.actor.scope)?;
    let mut conn = app.store().read().await?;
    let total = xueshi_store::quiz::count_questions(&mut conn).await?;
    let rows = xueshi_store::quiz::questions(&mut conn, 50, page.max(0) * 50).await?;
    Ok((
        rows.into_iter()
            .map(|r| BankQuestion {
                id: Id(r.id),
                kind: QuestionKind::parse(&r.kind).unwrap_or(QuestionKind::FillIn),
                stem: r.stem,
                options: serde_json::from_str(&r.options).unwrap_or_default(),
                answer: r.answer,
                explanation: r.explanation,
                tags: r.tags,
                difficulty: r.difficulty,
            })
            .collect(),
        total,
    ))
}
