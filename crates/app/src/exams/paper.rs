//! Paper sittings (纸质考试): a unit whose members sit offline prints its
//! paper and an answer sheet per sitter, then enters each sitter's marks —
//! questions right — and they count like any sitting. The paper is drawn
//! once per unit and round and kept, so the marks are counted against the
//! questions that were printed even if the bank changes afterwards.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::{Action, Denied};
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::exam::{self as rules, BlueprintRow};
use xueshi_domain::invalid::FieldError;
use xueshi_domain::quiz::QuestionKind;
use xueshi_store::exams::{self as store, ExamRow, SittingRow};
use xueshi_store::units::{self, UnitRow};

use super::{candidates, load};
use crate::audit::{Audited, Entry};
use crate::clock::{date_of as day_of, start_of};
use crate::permit::{Allowed, allow};
use crate::{App, AppError, AppResult, Ctx};

/// A question as printed, with its answer for the marker's key.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PrintedQuestion {
    pub number: usize,
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
    pub answer: String,
}

/// Someone who sits a unit's paper.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PaperSitter {
    pub member: Id,
    pub name: String,
    pub unit_name: String,
}

/// A unit's printed paper for a round, with the sitters its answer sheets
/// are made out to.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PrintedPaper {
    pub exam: Id,
    pub title: String,
    pub unit: Id,
    pub unit_name: String,
    pub round: i64,
    pub minutes: i64,
    pub pass_mark: i64,
    /// Empty until the paper is drawn.
    pub questions: Vec<PrintedQuestion>,
    pub sitters: Vec<PaperSitter>,
}

/// Marks for one sitter: questions right; none when they did not sit.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Mark {
    pub member: Id,
    pub correct: Option<i64>,
}

/// A unit's marks for a round's paper sitting.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MarksInput {
    /// The exam's own unit when none is named.
    pub unit: Option<Id>,
    pub round: i64,
    /// `YYYY-MM-DD`: the day the paper was sat.
    pub sat_on: String,
    pub marks: Vec<Mark>,
}

/// A line of the marks form: the sitter and what is recorded for them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MarkLine {
    pub member: Id,
    pub name: String,
    pub unit_name: String,
    pub correct: Option<i64>,
    pub score: Option<i64>,
    /// online when the sitter sat on the phone (not editable here).
    pub source: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MarkSheet {
    pub exam: Id,
    pub title: String,
    pub unit: Id,
    pub unit_name: String,
    pub round: i64,
    /// Questions on the printed paper; 0 until it is drawn.
    pub total: i64,
    pub sat_on: String,
    pub lines: Vec<MarkLine>,
}

/// The exam and the unit, refused unless the unit is under the exam's and
/// the actor runs it.
async fn target<'a>(
    app: &App,
    ctx: &'a Ctx,
    exam: Id,
    unit: Option<Id>,
    round: i64,
) -> AppResult<(ExamRow, UnitRow, Allowed<'a>)> {
    let e = load(app, exam).await?;
    let u = {
        let mut conn = app.store().read().await?;
        units::get(&mut conn, unit.map_or(e.unit_id, |u| u.0))
            .await?
            .ok_or(AppError::NotFound)?
    };
    let allowed = allow(ctx, Action::ManageTasks, &u.path())?;
    if !u.path().is_within(&e.unit_path) {
        return Err(AppError::Forbidden(Denied::OutOfScope));
    }
    if !(1..=2).contains(&round) {
        return Err(FieldError::new("round", "out_of_range")
            .with("min", 1)
            .with("max", 2)
            .with("value", round)
            .into());
    }
    super::make_up(app, &e).await?;
    let e = load(app, exam).await?;
    if round == 2 && e.makeups_at.is_none() {
        return Err(AppError::Conflict("makeup_not_set"));
    }
    Ok((e, u, allowed))
}

fn ids(json: &str) -> AppResult<Vec<i64>> {
    serde_json::from_str(json).map_err(|x| AppError::Internal(x.into()))
}

/// Who sits the unit's paper: the roster under it, or in the make-up
/// round those on the make-up list.
async fn sitters(app: &App, e: &ExamRow, u: &UnitRow, round: i64) -> AppResult<Vec<PaperSitter>> {
    let mut conn = app.store().read().await?;
    let roster = store::roster(&mut conn, e.id).await?;
    let on_makeup: HashSet<i64> = if round == 2 {
        store::makeups(&mut conn, e.id)
            .await?
            .into_iter()
            .map(|m| m.member_id)
            .collect()
    } else {
        HashSet::new()
    };
    Ok(roster
        .into_iter()
        .filter(|r| r.unit_path.is_within(&u.path()))
        .filter(|r| round == 1 || on_makeup.contains(&r.member_id))
        .map(|r| PaperSitter {
            member: Id(r.member_id),
            name: r.name,
            unit_name: r.unit_name,
        })
        .collect())
}

/// Draws the unit's paper for a round, once. The make-up paper repeats
/// nothing of the unit's first paper nor, where the bank allows, of the
/// first papers its make-up sitters sat online.
pub async fn draw(app: &App, ctx: &Ctx, exam: Id, unit: Option<Id>, round: i64) -> AppResult<()> {
    let (e, u, allowed) = target(app, ctx, exam, unit, round).await?;
    let existing = {
        let mut conn = app.store().read().await?;
        store::printed_paper(&mut conn, e.id, u.id, round).await?
    };
    if existing.is_some() {
        return Ok(());
    }
    let paper = match (&e.fixed_paper, round) {
        (Some(p), 1) => ids(p)?,
        _ => {
            let blueprint: Vec<BlueprintRow> =
                serde_json::from_str(&e.blueprint).map_err(|x| AppError::Internal(x.into()))?;
            let mut must: HashSet<i64> = HashSet::new();
            if let Some(p) = &e.fixed_paper {
                must.extend(ids(p)?);
            }
            let mut rather = HashSet::new();
            if round == 2 {
                let mut conn = app.store().read().await?;
                if let Some(p) = store::printed_paper(&mut conn, e.id, u.id, 1).await? {
                    must.extend(ids(&p)?);
                }
                let sat: HashSet<i64> = sitters(app, &e, &u, 2)
                    .await?
                    .iter()
                    .map(|s| s.member.0)
                    .collect();
                for s in store::sittings(&mut conn, e.id).await? {
                    if s.round == 1 && sat.contains(&s.member_id) {
                        rather.extend(ids(&s.paper)?);
                    }
                }
            }
            let bank = candidates(app).await?;
            let seed =
                (e.id as u64) ^ (u.id as u64).rotate_left(23) ^ (round as u64).rotate_left(47);
            let wide: HashSet<i64> = must.union(&rather).copied().collect();
            rules::draw(seed, &bank, &blueprint, &wide)
                .or_else(|_| rules::draw(seed, &bank, &blueprint, &must))
                .map_err(|_| AppError::Conflict("bank_short"))?
        }
    };
    let json = serde_json::to_string(&paper).map_err(|x| AppError::Internal(x.into()))?;
    let mut tx = Audited::begin(app, allowed).await?;
    store::insert_printed_paper(
        &mut tx,
        e.id,
        u.id,
        round,
        &json,
        ctx.actor.account_id.0,
        app.now(),
    )
    .await?;
    tx.commit(
        Entry::new("exam.paper", "exam", Some(exam), &e.title)
            .unit(u.id())
            .after(
                &serde_json::json!({ "unit": u.id(), "round": round, "questions": paper.len() }),
            ),
    )
    .await?;
    Ok(())
}

/// The unit's paper as printed (questions empty until it is drawn).
pub async fn printed(
    app: &App,
    ctx: &Ctx,
    exam: Id,
    unit: Option<Id>,
    round: i64,
) -> AppResult<PrintedPaper> {
    let (e, u, _) = target(app, ctx, exam, unit, round).await?;
    let mut conn = app.store().read().await?;
    let paper = match store::printed_paper(&mut conn, e.id, u.id, round).await? {
        Some(p) => ids(&p)?,
        None => Vec::new(),
    };
    let mut rows: HashMap<i64, _> = xueshi_store::quiz::questions_by_id(&mut conn, &paper)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    drop(conn);
    let questions = paper
        .iter()
        .filter_map(|id| rows.remove(id))
        .enumerate()
        .map(|(i, r)| PrintedQuestion {
            number: i + 1,
            kind: r.kind,
            stem: r.stem,
            options: r.options.0,
            answer: r.answer,
        })
        .collect();
    Ok(PrintedPaper {
        exam,
        title: e.title.clone(),
        unit: u.id(),
        unit_name: u.name.clone(),
        round,
        minutes: e.minutes,
        pass_mark: e.pass_mark,
        questions,
        sitters: sitters(app, &e, &u, round).await?,
    })
}

/// The marks form: each sitter with what is recorded for the round.
pub async fn sheet(
    app: &App,
    ctx: &Ctx,
    exam: Id,
    unit: Option<Id>,
    round: i64,
) -> AppResult<MarkSheet> {
    let (e, u, _) = target(app, ctx, exam, unit, round).await?;
    let (paper, sittings) = {
        let mut conn = app.store().read().await?;
        (
            store::printed_paper(&mut conn, e.id, u.id, round).await?,
            store::sittings(&mut conn, e.id).await?,
        )
    };
    let total = match &paper {
        Some(p) => ids(p)?.len() as i64,
        None => 0,
    };
    let mut sat_on = None;
    let lines = sitters(app, &e, &u, round)
        .await?
        .into_iter()
        .map(|s| {
            let done = latest(&sittings, s.member.0, round);
            if let Some(d) = done.filter(|d| d.source == "paper") {
                sat_on = Some(iso(day_of(d.started_at)));
            }
            MarkLine {
                member: s.member,
                name: s.name,
                unit_name: s.unit_name,
                correct: done.and_then(|d| d.correct),
                score: done.and_then(|d| d.score),
                source: done.map(|d| d.source.clone()),
            }
        })
        .collect();
    Ok(MarkSheet {
        exam,
        title: e.title,
        unit: u.id(),
        unit_name: u.name,
        round,
        total,
        sat_on: sat_on.unwrap_or_else(|| iso(day_of(app.now()))),
        lines,
    })
}

/// A member's last handed-in sitting of a round.
fn latest(sittings: &[SittingRow], member: i64, round: i64) -> Option<&SittingRow> {
    sittings
        .iter()
        .filter(|s| s.member_id == member && s.round == round && s.submitted_at.is_some())
        .max_by_key(|s| s.attempt)
}

/// Records a unit's marks for its paper sitting, all or none: each is
/// scored and passed like an online sitting; a mark entered again
/// corrects the last; a blank leaves a sitter as they are. A first-round
/// sitter put on the make-up as absent comes off it (or stays as failed,
/// when the exam sends those who fail).
pub async fn enter(app: &App, ctx: &Ctx, exam: Id, input: &MarksInput) -> AppResult<usize> {
    let (e, u, allowed) = target(app, ctx, exam, input.unit, input.round).await?;
    let round = input.round;
    let (paper, sittings) = {
        let mut conn = app.store().read().await?;
        (
            store::printed_paper(&mut conn, e.id, u.id, round).await?,
            store::sittings(&mut conn, e.id).await?,
        )
    };
    let Some(paper) = paper else {
        return Err(AppError::Conflict("paper_not_printed"));
    };
    let total = ids(&paper)?.len() as i64;
    let who: HashMap<i64, PaperSitter> = sitters(app, &e, &u, round)
        .await?
        .into_iter()
        .map(|s| (s.member.0, s))
        .collect();
    let mut errors = Vec::new();
    let opens = if round == 1 { e.opens_at } else { e.closes_at };
    let sat_on = from_iso(input.sat_on.trim());
    match sat_on {
        None => {
            errors.push(FieldError::new("sat_on", "bad_date").with("value", input.sat_on.trim()))
        }
        Some(d) if d < day_of(opens) || d > day_of(app.now()) => errors.push(
            FieldError::new("sat_on", "out_of_range")
                .with("min", iso(day_of(opens)))
                .with("max", iso(day_of(app.now())))
                .with("value", iso(d)),
        ),
        _ => {}
    }
    let mut seen = HashSet::new();
    let mut given = Vec::new();
    for (i, m) in input.marks.iter().enumerate() {
        let row = i + 1;
        let Some(s) = who.get(&m.member.0) else {
            errors.push(
                FieldError::new("marks", "row_not_on_roster")
                    .with("row", row)
                    .with("value", m.member.0),
            );
            continue;
        };
        if !seen.insert(m.member.0) {
            errors.push(
                FieldError::new("marks", "row_duplicate")
                    .with("row", row)
                    .with("value", s.name.as_str()),
            );
            continue;
        }
        let Some(correct) = m.correct else { continue };
        if !(0..=total).contains(&correct) {
            errors.push(
                FieldError::new("marks", "correct_out_of_range")
                    .with("row", row)
                    .with("min", 0)
                    .with("max", total)
                    .with("value", correct),
            );
            continue;
        }
        if latest(&sittings, m.member.0, round).is_some_and(|d| d.source != "paper")
            || sittings
                .iter()
                .any(|d| d.member_id == m.member.0 && d.round == round && d.submitted_at.is_none())
        {
            errors.push(
                FieldError::new("marks", "row_sat_online")
                    .with("row", row)
                    .with("value", s.name.as_str()),
            );
            continue;
        }
        given.push((m.member.0, correct));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    // The hour a paper is sat is not recorded; nine in the morning stands.
    let started = sat_on.map_or(now, |d| start_of(d) + 9 * 3_600_000);
    let mut tx = Audited::begin(app, allowed).await?;
    for (member, correct) in &given {
        let score = rules::score(*correct, total);
        let passed = score >= e.pass_mark;
        match latest(&sittings, *member, round) {
            Some(d) => store::remark(&mut tx, d.id, now, *correct, score, passed).await?,
            None => {
                let attempt = sittings
                    .iter()
                    .filter(|d| d.member_id == *member && d.round == round)
                    .count() as i64
                    + 1;
                store::insert_sitting(
                    &mut tx,
                    &SittingRow {
                        id: app.next_id().0,
                        exam_id: e.id,
                        member_id: *member,
                        round,
                        attempt,
                        paper: paper.clone(),
                        started_at: started,
                        deadline_at: started + e.minutes * 60_000,
                        submitted_at: Some(now),
                        correct: Some(*correct),
                        total,
                        score: Some(score),
                        passed: Some(i64::from(passed)),
                        source: "paper".into(),
                    },
                )
                .await?;
            }
        }
        if round == 1 && e.makeups_at.is_some() {
            let stays = !passed && e.makeup_failed == 1;
            store::settle_absent_makeup(&mut tx, e.id, *member, stays).await?;
        }
    }
    tx.commit(
        Entry::new("exam.paper_marks", "exam", Some(exam), &e.title)
            .unit(u.id())
            .after(&serde_json::json!({
                "unit": u.id(), "round": round, "sat_on": input.sat_on.trim(), "marks": given,
            })),
    )
    .await?;
    Ok(given.len())
}
