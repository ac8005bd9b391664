//! Closed-book exams (闭卷测试) and their make-up sittings (补考). A unit sets
//! an exam for the members of its subtree (or a named list): a window, the
//! minutes a sitting lasts, a pass mark, the attempts allowed, and a paper
//! drawn from the bank by blueprint, fresh for each sitter, or one fixed
//! paper for all. The server keeps every sitting's time: answers are saved
//! as they are given, a reload resumes the same sitting, and a sitting ends
//! at its deadline whether or not the page asks again. When the window
//! closes, everyone on the roster who did not sit — and, if the exam says
//! so, everyone who failed — is put on a make-up with its own window and a
//! fresh draw that repeats none of their first paper; the office adds
//! others by name or by unit, with the reason. Seed 004: a court tested 96
//! people, with make-ups for those absent or failing.

pub mod paper;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::{Action, Denied};
use xueshi_domain::date::from_iso;
use xueshi_domain::exam::{self as rules, BlueprintRow, Candidate, PAPER_MAX};
use xueshi_domain::invalid::FieldError;
use xueshi_domain::quiz::{Question, QuestionKind};
use xueshi_store::exams::{self as store, ExamRow, MakeupRow, SittingRow};
use xueshi_store::{members, units};

use crate::audit::{Audited, Entry};
use crate::clock::{format_ms, start_of};
use crate::participant::me;
use crate::permit::{allow, may};
use crate::tree::load_allowed;
use crate::{App, AppError, AppResult, Ctx};

/// Past its deadline an answer is still taken for the network's sake.
const GRACE_MS: i64 = 5_000;
/// Longest answer kept.
const ANSWER_MAX: usize = 500;
/// Members an exam's roster holds at most.
pub const ROSTER_MAX: usize = 100_000;

/// An exam as its unit sets it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ExamInput {
    pub title: String,
    /// `YYYY-MM-DDTHH:MM`, Beijing time.
    pub opens_at: String,
    pub closes_at: String,
    /// Minutes one sitting lasts.
    pub minutes: i64,
    /// Of 100.
    pub pass_mark: i64,
    pub attempts: i64,
    pub blueprint: Vec<BlueprintRow>,
    /// One paper for all, drawn once; else a fresh draw per sitter.
    pub fixed_paper: bool,
    /// Those who failed sit the make-up too (those absent always do).
    pub makeup_failed: bool,
    /// Days the make-up stays open after the window closes.
    pub makeup_days: i64,
    /// A named list (the 中心组, say); empty: every member under the unit.
    pub members: Vec<Id>,
}

/// Adding people to the make-up by hand.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OverrideInput {
    pub members: Vec<Id>,
    /// Every roster member under this unit.
    pub unit: Option<Id>,
    pub reason: String,
}

/// A question as a sitter sees it: no answer.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PaperQuestion {
    pub id: Id,
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
    /// What the sitter has saved so far.
    pub saved: Option<String>,
}

/// A sitting as its sitter sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SittingView {
    pub id: Id,
    pub exam: Id,
    pub title: String,
    /// 1 the exam, 2 the make-up.
    pub round: i64,
    pub attempt: i64,
    pub deadline_ms: i64,
    /// By the server's clock when this was read; 0 once over.
    pub remaining_ms: i64,
    /// Empty once handed in.
    pub questions: Vec<PaperQuestion>,
    pub submitted: bool,
    pub score: Option<i64>,
    pub passed: Option<bool>,
    pub correct: Option<i64>,
    pub total: i64,
}

/// A member's exam and where they stand with it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MyExam {
    pub id: Id,
    pub title: String,
    pub unit_name: String,
    /// upcoming, open, makeup_open, done, missed.
    pub state: &'static str,
    pub opens_at: String,
    pub closes_at: String,
    pub minutes: i64,
    /// The latest sitting, if any.
    pub sitting: Option<Id>,
    pub score: Option<i64>,
    pub passed: Option<bool>,
}

/// One result: a round's best sitting.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RoundResult {
    pub score: i64,
    pub passed: bool,
    pub source: String,
}

/// A person's line on the result sheet: first result and make-up side by
/// side.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ResultLine {
    pub member: Id,
    pub name: String,
    pub unit: Id,
    pub unit_name: String,
    pub first: Option<RoundResult>,
    /// absent, failed or override: why on the make-up.
    pub makeup_reason: Option<String>,
    pub makeup: Option<RoundResult>,
}

/// A unit's roll-up over its subtree.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RollUp {
    pub unit: Id,
    pub name: String,
    pub roster: i64,
    /// Sat at least once (exam or make-up).
    pub sat: i64,
    /// Passed in the exam or the make-up.
    pub passed: i64,
    /// Mean of each sitter's final score (the make-up's when taken), in
    /// tenths.
    pub mean_tenths: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Results {
    pub exam: Id,
    pub title: String,
    pub lines: Vec<ResultLine>,
    /// The exam's unit, then each unit directly below it.
    pub units: Vec<RollUp>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProctorLine {
    pub member: Id,
    pub name: String,
    pub unit_name: String,
    /// Sitting now: when it ends; done: its score.
    pub deadline: Option<String>,
    pub score: Option<i64>,
}

/// Who has started, who has finished, who is absent, in the round now open
/// (or the last one).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Proctor {
    pub exam: Id,
    pub round: i64,
    pub sitting: Vec<ProctorLine>,
    pub finished: Vec<ProctorLine>,
    pub absent: Vec<ProctorLine>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ExamView {
    pub id: Id,
    pub unit: Id,
    pub unit_name: String,
    pub title: String,
    pub opens_at: String,
    pub closes_at: String,
    pub minutes: i64,
    pub pass_mark: i64,
    pub attempts: i64,
    pub blueprint: Vec<BlueprintRow>,
    pub fixed_paper: bool,
    pub makeup_failed: bool,
    pub makeup_days: i64,
    pub roster: usize,
    pub makeups_made: bool,
    pub may_write: bool,
}

fn view(e: &ExamRow, roster: usize, may_write: bool) -> AppResult<ExamView> {
    Ok(ExamView {
        id: Id(e.id),
        unit: Id(e.unit_id),
        unit_name: e.unit_name.clone(),
        title: e.title.clone(),
        opens_at: format_ms(e.opens_at),
        closes_at: format_ms(e.closes_at),
        minutes: e.minutes,
        pass_mark: e.pass_mark,
        attempts: e.attempts,
        blueprint: serde_json::from_str(&e.blueprint).map_err(|x| AppError::Internal(x.into()))?,
        fixed_paper: e.fixed_paper.is_some(),
        makeup_failed: e.makeup_failed == 1,
        makeup_days: e.makeup_days,
        roster,
        makeups_made: e.makeups_at.is_some(),
        may_write,
    })
}

/// `YYYY-MM-DDTHH:MM` (or with a space) in Beijing time, as epoch ms.
fn parse_local(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let (d, t) = raw.split_once(['T', ' '])?;
    let day = from_iso(d)?;
    let (h, m) = t.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m)).then(|| start_of(day) + (h * 60 + m) * 60_000)
}

/// The bank's active questions as the draw sees them.
pub(crate) async fn candidates(app: &App) -> AppResult<Vec<Candidate>> {
    let mut conn = app.store().read().await?;
    Ok(xueshi_store::quiz::active_questions(&mut conn)
        .await?
        .into_iter()
        .map(|q| Candidate {
            id: q.id,
            kind: q.kind,
            tags: q
                .tags
                .split([',', '，', ' ', '、'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            difficulty: q.difficulty,
        })
        .collect())
}

/// The member behind the actor; staff accounts sit no exams.
async fn sitter<'a>(
    app: &App,
    ctx: &'a Ctx,
) -> AppResult<(
    Id,
    xueshi_domain::unit::UnitPath,
    crate::permit::Allowed<'a>,
)> {
    if ctx.actor.member_id.is_none() {
        return Err(AppError::Forbidden(Denied::RoleLacks));
    }
    me(app, ctx).await
}

/// Sets an exam for a unit's subtree (or a named list under it).
pub async fn create(app: &App, ctx: &Ctx, unit: Id, input: &ExamInput) -> AppResult<Id> {
    let (urow, allowed) = load_allowed(app, ctx, unit, Action::ManageTasks).await?;
    let mut e = Vec::new();
    let title = input.title.trim().to_owned();
    if title.is_empty() {
        e.push(FieldError::new("title", "required"));
    } else if title.chars().count() > 100 || title.chars().any(char::is_control) {
        e.push(FieldError::new("title", "too_long").with("max", 100));
    }
    let opens = parse_local(&input.opens_at);
    let closes = parse_local(&input.closes_at);
    if opens.is_none() {
        e.push(FieldError::new("opens_at", "bad_time").with("value", input.opens_at.trim()));
    }
    match (opens, closes) {
        (_, None) => {
            e.push(FieldError::new("closes_at", "bad_time").with("value", input.closes_at.trim()))
        }
        (Some(o), Some(c)) if c <= o => e.push(FieldError::new("closes_at", "closes_before_opens")),
        (_, Some(c)) if c <= app.now() => e.push(FieldError::new("closes_at", "date_in_past")),
        _ => {}
    }
    let mut range = |field: &'static str, v: i64, min: i64, max: i64| {
        if !(min..=max).contains(&v) {
            e.push(
                FieldError::new(field, "out_of_range")
                    .with("min", min)
                    .with("max", max)
                    .with("value", v),
            );
        }
    };
    range("minutes", input.minutes, 1, 600);
    range("pass_mark", input.pass_mark, 0, 100);
    range("attempts", input.attempts, 1, 10);
    range("makeup_days", input.makeup_days, 1, 60);
    let total: i64 = input.blueprint.iter().map(|r| r.count).sum();
    if input.blueprint.is_empty() {
        e.push(FieldError::new("blueprint", "required"));
    } else if total > PAPER_MAX {
        e.push(FieldError::new("blueprint", "too_many").with("max", PAPER_MAX));
    }
    for r in &input.blueprint {
        if !r.kind.is_empty() && QuestionKind::parse(&r.kind).is_none() {
            e.push(FieldError::new("blueprint", "bad_choice").with("value", r.kind.as_str()));
        }
        if !(0..=5).contains(&r.difficulty) || r.count < 1 {
            e.push(
                FieldError::new("blueprint", "out_of_range")
                    .with("min", 1)
                    .with("max", PAPER_MAX)
                    .with("value", r.count),
            );
        }
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    // The bank must fill the paper twice: the make-up repeats nothing.
    let bank = candidates(app).await?;
    let twice: Vec<BlueprintRow> = input
        .blueprint
        .iter()
        .flat_map(|r| [r.clone(), r.clone()])
        .collect();
    for (i, (have, want)) in rules::available(&bank, &twice, &HashSet::new())
        .into_iter()
        .zip(twice.iter().map(|r| r.count))
        .enumerate()
    {
        if have < want {
            return Err(FieldError::new("blueprint", "bank_short")
                .with("row", i / 2 + 1)
                .with("value", have)
                .with("max", want)
                .into());
        }
    }
    let id = app.next_id();
    let fixed_paper = if input.fixed_paper {
        let paper = rules::draw(id.0 as u64, &bank, &input.blueprint, &HashSet::new())
            .map_err(|s| FieldError::new("blueprint", "bank_short").with("row", s.row + 1))?;
        Some(serde_json::to_string(&paper).map_err(|x| AppError::Internal(x.into()))?)
    } else {
        None
    };
    // The roster: the named list, each under the unit, or every member.
    let path = urow.path();
    let mut roster: Vec<(i64, i64)> = Vec::new();
    let mut conn = app.store().read().await?;
    if input.members.is_empty() {
        let mut after = 0;
        loop {
            let page = members::in_subtree(&mut conn, &path, after, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            roster.extend(page.iter().map(|m| (m.id, m.unit_id)));
            if roster.len() > ROSTER_MAX {
                return Err(FieldError::new("members", "too_many")
                    .with("max", ROSTER_MAX)
                    .into());
            }
        }
    } else {
        let mut seen = HashSet::new();
        for m in &input.members {
            let row = members::get(&mut conn, m.0)
                .await?
                .ok_or(AppError::NotFound)?;
            let u = units::get(&mut conn, row.unit_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !u.path().is_within(&path) {
                return Err(AppError::Forbidden(Denied::OutOfScope));
            }
            if row.left_at.is_none() && seen.insert(row.id) {
                roster.push((row.id, row.unit_id));
            }
        }
    }
    drop(conn);
    if roster.is_empty() {
        return Err(AppError::invalid("members", "no_members"));
    }
    let row = ExamRow {
        id: id.0,
        unit_id: urow.id,
        unit_name: urow.name.clone(),
        unit_path: path,
        title: title.clone(),
        opens_at: opens.unwrap_or_default(),
        closes_at: closes.unwrap_or_default(),
        minutes: input.minutes,
        pass_mark: input.pass_mark,
        attempts: input.attempts,
        blueprint: serde_json::to_string(&input.blueprint)
            .map_err(|x| AppError::Internal(x.into()))?,
        fixed_paper,
        makeup_failed: i64::from(input.makeup_failed),
        makeup_days: input.makeup_days,
        makeups_at: None,
        created_at: app.now(),
    };
    let mut tx = Audited::begin(app, allowed).await?;
    store::insert(&mut tx, &row, Some(ctx.actor.account_id.0)).await?;
    store::insert_roster(&mut tx, id.0, &roster).await?;
    tx.commit(
        Entry::new("exam.create", "exam", Some(id), &title)
            .unit(unit)
            .after(&serde_json::json!({ "exam": input, "roster": roster.len() })),
    )
    .await?;
    Ok(id)
}

async fn load(app: &App, id: Id) -> AppResult<ExamRow> {
    let mut conn = app.store().read().await?;
    store::get(&mut conn, id.0).await?.ok_or(AppError::NotFound)
}

/// An exam, for those who read its unit's study (not its members: the
/// sheet names everyone's score).
pub async fn get(app: &App, ctx: &Ctx, id: Id) -> AppResult<ExamView> {
    let e = load(app, id).await?;
    allow(ctx, Action::ViewStudy, &e.unit_path)?;
    make_up(app, &e).await?;
    let e = load(app, id).await?;
    let mut conn = app.store().read().await?;
    let roster = store::roster(&mut conn, e.id).await?.len();
    view(&e, roster, may(ctx, Action::ManageTasks, &e.unit_path))
}

/// A unit's own exams.
pub async fn of_unit(app: &App, ctx: &Ctx, unit: Id) -> AppResult<Vec<ExamView>> {
    let (urow, _) = load_allowed(app, ctx, unit, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    let rows = store::of_unit(&mut conn, urow.id).await?;
    let write = may(ctx, Action::ManageTasks, &urow.path());
    let mut out = Vec::with_capacity(rows.len());
    for e in &rows {
        let n = store::roster(&mut conn, e.id).await?.len();
        out.push(view(e, n, write)?);
    }
    Ok(out)
}

/// Grades a sitting from its saved answers and hands it in at `at`.
async fn grade(app: &App, e: &ExamRow, s: &SittingRow, at: i64) -> AppResult<()> {
    let paper: Vec<i64> =
        serde_json::from_str(&s.paper).map_err(|x| AppError::Internal(x.into()))?;
    let mut conn = app.store().read().await?;
    let given: HashMap<i64, String> = store::answers(&mut conn, s.id).await?.into_iter().collect();
    let questions = xueshi_store::quiz::questions_by_id(&mut conn, &paper).await?;
    drop(conn);
    let correct = questions
        .into_iter()
        .filter(|r| {
            let q = Question {
                kind: r.kind,
                stem: r.stem.clone(),
                options: r.options.0.clone(),
                answer: r.answer.clone(),
            };
            given.get(&r.id).is_some_and(|g| q.grade(g))
        })
        .count() as i64;
    let score = rules::score(correct, s.total);
    let mut tx = app.store().write().await?;
    store::finish(&mut tx, s.id, at, correct, score, score >= e.pass_mark).await?;
    tx.commit().await?;
    Ok(())
}

/// Hands in every sitting of an exam whose time is up, at its deadline.
async fn time_out(app: &App, e: &ExamRow) -> AppResult<()> {
    let due = {
        let mut conn = app.store().read().await?;
        store::timed_out(&mut conn, e.id, app.now() - GRACE_MS).await?
    };
    for s in due {
        grade(app, e, &s, s.deadline_at).await?;
    }
    Ok(())
}

/// Once the window has closed: the make-up list, made once — everyone on
/// the roster with no sitting, and those who failed when the exam says so.
async fn make_up(app: &App, e: &ExamRow) -> AppResult<usize> {
    time_out(app, e).await?;
    if e.makeups_at.is_some() || e.closes_at > app.now() {
        return Ok(0);
    }
    let (roster, sittings) = {
        let mut conn = app.store().read().await?;
        (
            store::roster(&mut conn, e.id).await?,
            store::sittings(&mut conn, e.id).await?,
        )
    };
    let mut best: HashMap<i64, bool> = HashMap::new();
    for s in sittings
        .iter()
        .filter(|s| s.round == 1 && s.submitted_at.is_some())
    {
        *best.entry(s.member_id).or_default() |= s.passed == Some(1);
    }
    let mut tx = app.store().write().await?;
    if !store::mark_makeups(&mut tx, e.id, app.now()).await? {
        return Ok(0);
    }
    let mut n = 0;
    for r in &roster {
        let reason = match best.get(&r.member_id) {
            None => "absent",
            Some(false) if e.makeup_failed == 1 => "failed",
            _ => continue,
        };
        let m = MakeupRow {
            exam_id: e.id,
            member_id: r.member_id,
            reason: reason.to_owned(),
            note: String::new(),
            opens_at: e.closes_at,
            closes_at: e.closes_at + e.makeup_days * 86_400_000,
        };
        n += usize::from(store::insert_makeup(&mut tx, &m, app.now()).await?);
    }
    tx.commit().await?;
    tracing::info!(exam = e.id, makeups = n, "make-up sitting set");
    Ok(n)
}

/// Every exam whose window has closed gets its make-up list; for the
/// upkeep loop. Returns how many people were put on one.
pub async fn make_ups_due(app: &App) -> AppResult<usize> {
    let due = {
        let mut conn = app.store().read().await?;
        store::closed_without_makeups(&mut conn, app.now()).await?
    };
    let mut n = 0;
    for e in &due {
        n += make_up(app, e).await?;
    }
    Ok(n)
}

/// Adds people to the make-up by name or by unit, with the reason.
pub async fn add_makeups(
    app: &App,
    ctx: &Ctx,
    exam: Id,
    input: &OverrideInput,
) -> AppResult<usize> {
    let e = load(app, exam).await?;
    let allowed = allow(ctx, Action::ManageTasks, &e.unit_path)?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "required"));
    }
    if reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        return Err(FieldError::new("reason", "too_long")
            .with("max", 200)
            .into());
    }
    let roster = {
        let mut conn = app.store().read().await?;
        store::roster(&mut conn, e.id).await?
    };
    let mut picked: Vec<i64> = Vec::new();
    if let Some(u) = input.unit {
        let mut conn = app.store().read().await?;
        let urow = units::get(&mut conn, u.0)
            .await?
            .ok_or(AppError::NotFound)?;
        allow(ctx, Action::ManageTasks, &urow.path())?;
        picked.extend(
            roster
                .iter()
                .filter(|r| r.unit_path.is_within(&urow.path()))
                .map(|r| r.member_id),
        );
    }
    for m in &input.members {
        if !roster.iter().any(|r| r.member_id == m.0) {
            return Err(FieldError::new("members", "not_on_roster")
                .with("value", m.0)
                .into());
        }
        picked.push(m.0);
    }
    if picked.is_empty() {
        return Err(AppError::invalid("members", "required"));
    }
    let now = app.now();
    let opens = e.closes_at.max(now);
    let closes = (e.closes_at + e.makeup_days * 86_400_000).max(now + e.makeup_days * 86_400_000);
    let mut tx = Audited::begin(app, allowed).await?;
    let mut n = 0;
    for m in &picked {
        let row = MakeupRow {
            exam_id: e.id,
            member_id: *m,
            reason: "override".into(),
            note: reason.to_owned(),
            opens_at: opens,
            closes_at: closes,
        };
        n += usize::from(store::insert_makeup(&mut tx, &row, now).await?);
    }
    tx.commit(
        Entry::new("exam.makeup", "exam", Some(exam), &e.title)
            .unit(Id(e.unit_id))
            .after(&serde_json::json!({ "members": picked, "reason": reason })),
    )
    .await?;
    Ok(n)
}

/// The member's exams and where they stand.
pub async fn mine(app: &App, ctx: &Ctx) -> AppResult<Vec<MyExam>> {
    let (member, _, _) = sitter(app, ctx).await?;
    let exams = {
        let mut conn = app.store().read().await?;
        store::of_member(&mut conn, member.0).await?
    };
    let now = app.now();
    let mut out = Vec::new();
    for e in exams {
        make_up(app, &e).await?;
        let mut conn = app.store().read().await?;
        let sittings = store::sittings_of(&mut conn, e.id, member.0).await?;
        let makeup = store::makeups(&mut conn, e.id)
            .await?
            .into_iter()
            .find(|m| m.member_id == member.0);
        drop(conn);
        let last = sittings.last();
        let state = if now < e.opens_at {
            "upcoming"
        } else if now < e.closes_at {
            "open"
        } else if makeup
            .as_ref()
            .is_some_and(|m| now >= m.opens_at && now < m.closes_at)
        {
            "makeup_open"
        } else if last.is_some_and(|s| s.submitted_at.is_some()) {
            "done"
        } else {
            "missed"
        };
        out.push(MyExam {
            id: Id(e.id),
            title: e.title.clone(),
            unit_name: e.unit_name.clone(),
            state,
            opens_at: format_ms(e.opens_at),
            closes_at: format_ms(e.closes_at),
            minutes: e.minutes,
            sitting: last.map(|s| Id(s.id)),
            score: last.and_then(|s| s.score),
            passed: last.and_then(|s| s.passed).map(|p| p == 1),
        });
    }
    Ok(out)
}

/// Starts a sitting, or resumes the one still running. Refused outside the
/// window and once the attempts are spent.
pub async fn start(app: &App, ctx: &Ctx, exam: Id) -> AppResult<SittingView> {
    let (member, _, allowed) = sitter(app, ctx).await?;
    let e = load(app, exam).await?;
    make_up(app, &e).await?;
    let now = app.now();
    let (on_roster, makeup, sittings) = {
        let mut conn = app.store().read().await?;
        (
            store::on_roster(&mut conn, e.id, member.0).await?,
            store::makeups(&mut conn, e.id)
                .await?
                .into_iter()
                .find(|m| m.member_id == member.0),
            store::sittings_of(&mut conn, e.id, member.0).await?,
        )
    };
    let (round, window_end) = if on_roster && now >= e.opens_at && now < e.closes_at {
        (1, e.closes_at)
    } else if let Some(m) = makeup
        .as_ref()
        .filter(|m| now >= m.opens_at && now < m.closes_at)
    {
        (2, m.closes_at)
    } else if !on_roster && makeup.is_none() {
        return Err(AppError::Forbidden(Denied::OutOfScope));
    } else {
        return Err(AppError::Conflict("exam_not_open"));
    };
    let of_round: Vec<&SittingRow> = sittings.iter().filter(|s| s.round == round).collect();
    if let Some(s) = of_round.iter().find(|s| s.submitted_at.is_none()) {
        if now <= s.deadline_at + GRACE_MS {
            return sitting_view(app, &e, s).await;
        }
        grade(app, &e, s, s.deadline_at).await?;
    }
    if of_round.len() as i64 >= e.attempts {
        return Err(AppError::Conflict("attempts_spent"));
    }
    let blueprint: Vec<BlueprintRow> =
        serde_json::from_str(&e.blueprint).map_err(|x| AppError::Internal(x.into()))?;
    let paper: Vec<i64> = match (&e.fixed_paper, round) {
        (Some(p), 1) => serde_json::from_str(p).map_err(|x| AppError::Internal(x.into()))?,
        _ => {
            // A make-up repeats nothing of the sitter's first papers.
            let mut seen = HashSet::new();
            for s in sittings.iter().filter(|s| s.round == 1) {
                let p: Vec<i64> =
                    serde_json::from_str(&s.paper).map_err(|x| AppError::Internal(x.into()))?;
                seen.extend(p);
            }
            if let Some(p) = &e.fixed_paper {
                let p: Vec<i64> =
                    serde_json::from_str(p).map_err(|x| AppError::Internal(x.into()))?;
                seen.extend(p);
            }
            let seed = (e.id as u64)
                ^ (member.0 as u64).rotate_left(17)
                ^ ((round * 31 + of_round.len() as i64) as u64).rotate_left(41);
            rules::draw(seed, &candidates(app).await?, &blueprint, &seen)
                .map_err(|_| AppError::Conflict("bank_short"))?
        }
    };
    let s = SittingRow {
        id: app.next_id().0,
        exam_id: e.id,
        member_id: member.0,
        round,
        attempt: of_round.len() as i64 + 1,
        total: paper.len() as i64,
        paper: serde_json::to_string(&paper).map_err(|x| AppError::Internal(x.into()))?,
        started_at: now,
        deadline_at: (now + e.minutes * 60_000).min(window_end),
        submitted_at: None,
        correct: None,
        score: None,
        passed: None,
        source: "online".into(),
    };
    let mut tx = Audited::begin(app, allowed).await?;
    store::insert_sitting(&mut tx, &s).await?;
    tx.commit(
        Entry::new("exam.start", "exam", Some(exam), &e.title)
            .after(&serde_json::json!({ "round": round, "attempt": s.attempt })),
    )
    .await?;
    sitting_view(app, &e, &s).await
}

async fn sitting_view(app: &App, e: &ExamRow, s: &SittingRow) -> AppResult<SittingView> {
    let now = app.now();
    let submitted = s.submitted_at.is_some();
    let questions = if submitted {
        Vec::new()
    } else {
        let paper: Vec<i64> =
            serde_json::from_str(&s.paper).map_err(|x| AppError::Internal(x.into()))?;
        let mut conn = app.store().read().await?;
        let saved: HashMap<i64, String> =
            store::answers(&mut conn, s.id).await?.into_iter().collect();
        let mut rows: HashMap<i64, _> = xueshi_store::quiz::questions_by_id(&mut conn, &paper)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        paper
            .iter()
            .filter_map(|id| rows.remove(id))
            .map(|r| PaperQuestion {
                id: Id(r.id),
                kind: r.kind,
                stem: r.stem,
                options: r.options.0,
                saved: saved.get(&r.id).cloned(),
            })
            .collect()
    };
    Ok(SittingView {
        id: Id(s.id),
        exam: Id(e.id),
        title: e.title.clone(),
        round: s.round,
        attempt: s.attempt,
        deadline_ms: s.deadline_at,
        remaining_ms: if submitted {
            0
        } else {
            (s.deadline_at - now).max(0)
        },
        questions,
        submitted,
        score: s.score,
        passed: s.passed.map(|p| p == 1),
        correct: s.correct,
        total: s.total,
    })
}

/// The member's own sitting, graded first if its time ran out.
async fn own_sitting<'a>(
    app: &App,
    ctx: &'a Ctx,
    id: Id,
) -> AppResult<(ExamRow, SittingRow, crate::permit::Allowed<'a>)> {
    let (member, _, allowed) = sitter(app, ctx).await?;
    let s = {
        let mut conn = app.store().read().await?;
        store::sitting(&mut conn, id.0)
            .await?
            .ok_or(AppError::NotFound)?
    };
    // Another's sitting is refused like any object out of reach.
    if s.member_id != member.0 {
        return Err(AppError::Forbidden(Denied::OutOfScope));
    }
    let e = load(app, Id(s.exam_id)).await?;
    if s.submitted_at.is_none() && app.now() > s.deadline_at + GRACE_MS {
        grade(app, &e, &s, s.deadline_at).await?;
        let mut conn = app.store().read().await?;
        let s = store::sitting(&mut conn, id.0)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok((e, s, allowed));
    }
    Ok((e, s, allowed))
}

/// Refused unless the sitting is the actor's own (before a body is read).
pub async fn authorize_sitting(app: &App, ctx: &Ctx, id: Id) -> AppResult<()> {
    own_sitting(app, ctx, id).await.map(|_| ())
}

/// A sitting as its sitter sees it (the paper while it runs, the score
/// after).
pub async fn sitting(app: &App, ctx: &Ctx, id: Id) -> AppResult<SittingView> {
    let (e, s, _) = own_sitting(app, ctx, id).await?;
    sitting_view(app, &e, &s).await
}

/// Keeps one answer as given. Refused after the deadline and for a
/// question not on the paper.
pub async fn save(app: &App, ctx: &Ctx, id: Id, question: Id, answer: &str) -> AppResult<()> {
    let (_, s, _) = own_sitting(app, ctx, id).await?;
    if s.submitted_at.is_some() {
        return Err(AppError::Conflict("sitting_closed"));
    }
    let paper: Vec<i64> =
        serde_json::from_str(&s.paper).map_err(|x| AppError::Internal(x.into()))?;
    if !paper.contains(&question.0) {
        return Err(FieldError::new("question", "not_on_paper")
            .with("value", question.0)
            .into());
    }
    if answer.chars().count() > ANSWER_MAX || answer.chars().any(|c| c.is_control()) {
        return Err(FieldError::new("answer", "too_long")
            .with("max", ANSWER_MAX)
            .into());
    }
    let mut tx = app.store().write().await?;
    store::save_answer(&mut tx, s.id, question.0, answer.trim(), app.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Hands a sitting in: the answers sent with it are saved first, then it
/// is graded from everything saved.
pub async fn submit(
    app: &App,
    ctx: &Ctx,
    id: Id,
    answers: &HashMap<String, String>,
) -> AppResult<SittingView> {
    let (e, s, allowed) = own_sitting(app, ctx, id).await?;
    if s.submitted_at.is_some() {
        return Err(AppError::Conflict("sitting_closed"));
    }
    for (q, a) in answers {
        let q: i64 = q
            .parse()
            .map_err(|_| FieldError::new("question", "not_on_paper").with("value", q.as_str()))?;
        save(app, ctx, id, Id(q), a).await?;
    }
    grade(app, &e, &s, app.now()).await?;
    let s = {
        let mut conn = app.store().read().await?;
        store::sitting(&mut conn, id.0)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("exam.submit", "exam", Some(Id(e.id)), &e.title)
            .after(&serde_json::json!({ "round": s.round, "score": s.score })),
    )
    .await?;
    sitting_view(app, &e, &s).await
}

/// Each person's best sitting of a round.
fn best(sittings: &[SittingRow], member: i64, round: i64) -> Option<RoundResult> {
    sittings
        .iter()
        .filter(|s| s.member_id == member && s.round == round && s.submitted_at.is_some())
        .max_by_key(|s| s.score.unwrap_or(0))
        .map(|s| RoundResult {
            score: s.score.unwrap_or(0),
            passed: s.passed == Some(1),
            source: s.source.clone(),
        })
}

/// The result sheet: first result and make-up side by side, and the
/// roll-up for the exam's unit and each unit below it.
pub async fn results(app: &App, ctx: &Ctx, exam: Id) -> AppResult<Results> {
    let e = load(app, exam).await?;
    allow(ctx, Action::ViewStudy, &e.unit_path)?;
    make_up(app, &e).await?;
    let (roster, sittings, makeups, children) = {
        let mut conn = app.store().read().await?;
        (
            store::roster(&mut conn, e.id).await?,
            store::sittings(&mut conn, e.id).await?,
            store::makeups(&mut conn, e.id).await?,
            units::children(&mut conn, e.unit_id).await?,
        )
    };
    let lines: Vec<ResultLine> = roster
        .iter()
        .map(|r| ResultLine {
            member: Id(r.member_id),
            name: r.name.clone(),
            unit: Id(r.unit_id),
            unit_name: r.unit_name.clone(),
            first: best(&sittings, r.member_id, 1),
            makeup_reason: makeups
                .iter()
                .find(|m| m.member_id == r.member_id)
                .map(|m| m.reason.clone()),
            makeup: best(&sittings, r.member_id, 2),
        })
        .collect();
    let roll = |id: Id, name: &str, within: &xueshi_domain::unit::UnitPath| {
        let mine: Vec<&ResultLine> = lines
            .iter()
            .zip(&roster)
            .filter(|(_, r)| r.unit_path.is_within(within))
            .map(|(l, _)| l)
            .collect();
        let finals: Vec<&RoundResult> = mine
            .iter()
            .filter_map(|l| l.makeup.as_ref().or(l.first.as_ref()))
            .collect();
        RollUp {
            unit: id,
            name: name.to_owned(),
            roster: mine.len() as i64,
            sat: finals.len() as i64,
            passed: mine
                .iter()
                .filter(|l| {
                    l.first.as_ref().is_some_and(|r| r.passed)
                        || l.makeup.as_ref().is_some_and(|r| r.passed)
                })
                .count() as i64,
            mean_tenths: (!finals.is_empty()).then(|| {
                (finals.iter().map(|r| r.score).sum::<i64>() * 10 + finals.len() as i64 / 2)
                    / finals.len() as i64
            }),
        }
    };
    let mut rolled = vec![roll(Id(e.unit_id), &e.unit_name, &e.unit_path)];
    rolled.extend(
        children
            .iter()
            .map(|c| roll(c.id(), &c.name, &c.path()))
            .filter(|r| r.roster > 0),
    );
    Ok(Results {
        exam,
        title: e.title,
        lines,
        units: rolled,
    })
}

/// Who is sitting, who has finished, who is absent, now.
pub async fn proctor(app: &App, ctx: &Ctx, exam: Id) -> AppResult<Proctor> {
    let e = load(app, exam).await?;
    allow(ctx, Action::ViewStudy, &e.unit_path)?;
    make_up(app, &e).await?;
    let (roster, sittings, makeups) = {
        let mut conn = app.store().read().await?;
        (
            store::roster(&mut conn, e.id).await?,
            store::sittings(&mut conn, e.id).await?,
            store::makeups(&mut conn, e.id).await?,
        )
    };
    let round = if app.now() < e.closes_at { 1 } else { 2 };
    let expected: Vec<_> = roster
        .iter()
        .filter(|r| round == 1 || makeups.iter().any(|m| m.member_id == r.member_id))
        .collect();
    let mut out = Proctor {
        exam,
        round,
        sitting: Vec::new(),
        finished: Vec::new(),
        absent: Vec::new(),
    };
    for r in expected {
        let latest = sittings
            .iter()
            .filter(|s| s.member_id == r.member_id && s.round == round)
            .max_by_key(|s| s.attempt);
        let line = |deadline: Option<String>, score: Option<i64>| ProctorLine {
            member: Id(r.member_id),
            name: r.name.clone(),
            unit_name: r.unit_name.clone(),
            deadline,
            score,
        };
        match latest {
            Some(s) if s.submitted_at.is_none() => {
                out.sitting.push(line(Some(format_ms(s.deadline_at)), None))
            }
            Some(s) => out.finished.push(line(None, s.score)),
            None => out.absent.push(line(None, None)),
        }
    }
    Ok(out)
}
