//! The daily quiz (每日答题): drawing today's questions, a signed ticket that
//! says what was drawn and when, and grading a submission on the server.
//!
//! Submissions go through one writer task that commits everything waiting in
//! one transaction (group commit) and answers each caller only after its
//! batch is durable, so a province's members can submit at once without each
//! paying for its own commit. Correct answers never leave this module before
//! an attempt is stored.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use time::Date;
use tokio::sync::RwLock;
use xueshi_domain::Id;
use xueshi_domain::date::iso;
use xueshi_domain::quiz::{Question, QuestionKind, draw};
use xueshi_domain::unit::UnitPath;
use xueshi_store::audit::AuditRow;
use xueshi_store::quiz::{AttemptRow, StreakRow};
use xueshi_store::study::{self, CampaignRow, Daily};

use crate::audit::{self, Entry};
use crate::participant::{campaign, me};
use crate::{App, AppError, AppResult, Ctx};

/// Seconds allowed past the deadline for the network.
const GRACE_MS: i64 = 5_000;
/// Most submissions one commit carries.
pub(crate) const MAX_BATCH: usize = 512;

/// A question as the member sees it before answering: no answer.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QuizQuestion {
    pub id: Id,
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
}

/// Today's quiz, not yet taken.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QuizPaper {
    pub day: String,
    /// Signed: who drew which questions when. Sent back with the answers.
    pub ticket: String,
    /// When the server stops accepting this attempt (epoch ms).
    pub deadline_ms: i64,
    /// How long is left, by the server's clock, when the paper is sent.
    pub remaining_ms: i64,
    pub seconds: i64,
    pub questions: Vec<QuizQuestion>,
}

/// One graded question, shown after the attempt.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct GradedQuestion {
    pub id: Id,
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
    pub given: String,
    pub answer: String,
    pub correct: bool,
    pub explanation: String,
}

/// A stored attempt with its grading.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QuizResult {
    pub day: String,
    pub correct: i64,
    pub total: i64,
    pub streak: i64,
    pub questions: Vec<GradedQuestion>,
}

/// What the member's daily quiz page shows.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Today {
    Open(QuizPaper),
    /// Today's quiz waits for the member to start it: its clock has not run.
    Ready {
        questions: i64,
        seconds: i64,
    },
    /// Started and not handed in before its time ran out: over for today.
    Expired,
    Done(QuizResult),
    /// No campaign runs today for the member's unit, or the bank is empty.
    Closed,
    /// Outside the campaign's opening hours (HH:MM, Beijing time).
    NotOpen {
        opens: String,
        closes: String,
    },
}

/// The answers a member sends: question id → answer as the form wrote it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Submission {
    pub ticket: String,
    #[serde(default)]
    pub answers: HashMap<String, String>,
}

/// The question bank as the quiz reads it, loaded once and dropped on change.
#[derive(Default)]
pub(crate) struct BankCache {
    bank: RwLock<Option<Arc<Bank>>>,
    /// When each member first drew today's paper, so reloading the page does
    /// not restart the clock. Kept in memory: a restart forgives.
    starts: Mutex<(String, HashMap<i64, i64>)>,
}

struct Bank {
    ids: Vec<i64>,
    questions: HashMap<i64, (Question, String)>,
}

impl BankCache {
    pub(crate) async fn invalidate(&self) {
        *self.bank.write().await = None;
    }
}

async fn bank(app: &App) -> AppResult<Arc<Bank>> {
    let cache = &app.quiz_cache();
    if let Some(b) = cache.bank.read().await.as_ref() {
        return Ok(b.clone());
    }
    let mut slot = cache.bank.write().await;
    if let Some(b) = slot.as_ref() {
        return Ok(b.clone());
    }
    let mut conn = app.store().read().await?;
    let ids = xueshi_store::quiz::active_question_ids(&mut conn).await?;
    let mut questions = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for r in xueshi_store::quiz::questions_by_id(&mut conn, chunk).await? {
            let q = Question {
                kind: r.kind,
                stem: r.stem,
                options: r.options.0,
                answer: r.answer,
            };
            questions.insert(r.id, (q, r.explanation));
        }
    }
    let b = Arc::new(Bank { ids, questions });
    *slot = Some(b.clone());
    Ok(b)
}

fn ticket_payload(member: Id, day: &str, issued: i64, questions: &[i64]) -> String {
    let qs: Vec<String> = questions.iter().map(i64::to_string).collect();
    format!("{}.{day}.{issued}.{}", member.0, qs.join("-"))
}

fn sign(app: &App, payload: &str) -> String {
    app.vault().digest(&format!("quiz-ticket|{payload}"))
}

struct Ticket {
    member: i64,
    day: String,
    issued: i64,
    questions: Vec<i64>,
}

fn open_ticket(app: &App, raw: &str) -> Option<Ticket> {
    let (payload, sig) = raw.rsplit_once('.')?;
    let want = sign(app, payload);
    if want.len() != sig.len() || !subtle_eq(want.as_bytes(), sig.as_bytes()) {
        return None;
    }
    let mut parts = payload.splitn(4, '.');
    let member = parts.next()?.parse().ok()?;
    let day = parts.next()?.to_owned();
    let issued = parts.next()?.parse().ok()?;
    let questions = parts
        .next()?
        .split('-')
        .map(|q| q.parse().ok())
        .collect::<Option<Vec<i64>>>()?;
    Some(Ticket {
        member,
        day,
        issued,
        questions,
    })
}

fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn day_index(campaign: &CampaignRow, day: Date) -> i64 {
    xueshi_domain::date::from_iso(&campaign.starts_on).map_or(0, |s| (day - s).whole_days())
}

/// Today's quiz for the signed-in member, starting its clock: the paper to
/// answer, or the result when it was taken. (Fetching the paper is starting
/// it: the API's way, and the study page's start button.)
pub async fn today(app: &App, ctx: &Ctx) -> AppResult<Today> {
    paper(app, ctx, true).await
}

/// Today's quiz as the study page shows it before anything is pressed: the
/// clock starts only when the member starts the quiz.
pub async fn status(app: &App, ctx: &Ctx) -> AppResult<Today> {
    paper(app, ctx, false).await
}

async fn paper(app: &App, ctx: &Ctx, start: bool) -> AppResult<Today> {
    let (member, path, _) = me(app, ctx).await?;
    let day = app.clock().today();
    let day_s = iso(day);
    if let Some(done) = result(app, member, &day_s).await? {
        return Ok(Today::Done(done));
    }
    let Some(c) = campaign(app, &path, day).await? else {
        return Ok(Today::Closed);
    };
    let bank = bank(app).await?;
    let picked = draw(
        member.0,
        day_index(&c, day),
        &bank.ids,
        c.quiz_size as usize,
    );
    if picked.is_empty() {
        return Ok(Today::Closed);
    }
    let minute = (app.now() - crate::clock::start_of(day)) / 60_000;
    let open = (c.quiz_opens..c.quiz_closes).contains(&minute);
    let issued = {
        let mut starts = app
            .quiz_cache()
            .starts
            .lock()
            .map_err(|_| anyhow::anyhow!("quiz clock poisoned"))?;
        if starts.0 != day_s {
            *starts = (day_s.clone(), HashMap::new());
        }
        match (starts.1.get(&member.0), start) {
            (Some(at), _) => *at,
            // A quiz begun before closing time may be finished after it.
            (None, _) if !open => {
                let hhmm = |m: i64| format!("{:02}:{:02}", m / 60, m % 60);
                return Ok(Today::NotOpen {
                    opens: hhmm(c.quiz_opens),
                    closes: hhmm(c.quiz_closes),
                });
            }
            (None, true) => *starts.1.entry(member.0).or_insert_with(|| app.now()),
            (None, false) => {
                return Ok(Today::Ready {
                    questions: picked.len() as i64,
                    seconds: c.quiz_seconds,
                });
            }
        }
    };
    if app.now() > issued + c.quiz_seconds * 1000 + GRACE_MS {
        return Ok(Today::Expired);
    }
    let payload = ticket_payload(member, &day_s, issued, &picked);
    let ticket = format!("{payload}.{}", sign(app, &payload));
    let questions = picked
        .iter()
        .filter_map(|id| bank.questions.get(id).map(|(q, _)| (id, q)))
        .map(|(id, q)| QuizQuestion {
            id: Id(*id),
            kind: q.kind,
            stem: q.stem.clone(),
            options: q.options.clone(),
        })
        .collect();
    Ok(Today::Open(QuizPaper {
        day: day_s,
        ticket,
        deadline_ms: issued + c.quiz_seconds * 1000,
        remaining_ms: (issued + c.quiz_seconds * 1000 - app.now()).max(0),
        seconds: c.quiz_seconds,
        questions,
    }))
}

async fn result(app: &App, member: Id, day: &str) -> AppResult<Option<QuizResult>> {
    let mut conn = app.store().read().await?;
    let Some(a) = xueshi_store::quiz::attempt(&mut conn, member.0, day).await? else {
        return Ok(None);
    };
    let streak = xueshi_store::quiz::streaks(&mut conn, &[member.0])
        .await?
        .get(&member.0)
        .map_or(0, |s| s.current_run);
    drop(conn);
    let ids: Vec<i64> = serde_json::from_str(&a.questions).unwrap_or_default();
    let given: HashMap<String, String> = serde_json::from_str(&a.answers).unwrap_or_default();
    let bank = bank(app).await?;
    let mut missing = Vec::new();
    let mut graded = Vec::with_capacity(ids.len());
    for id in &ids {
        match bank.questions.get(id) {
            Some((q, explanation)) => graded.push(graded_view(*id, q, explanation, &given)),
            None => missing.push(*id),
        }
    }
    if !missing.is_empty() {
        // Retired since: still shown as they were asked.
        let mut conn = app.store().read().await?;
        for r in xueshi_store::quiz::questions_by_id(&mut conn, &missing).await? {
            let q = Question {
                kind: r.kind,
                stem: r.stem,
                options: r.options.0,
                answer: r.answer,
            };
            graded.push(graded_view(r.id, &q, &r.explanation, &given));
        }
    }
    Ok(Some(QuizResult {
        day: a.day,
        correct: a.correct,
        total: a.total,
        streak,
        questions: graded,
    }))
}

fn graded_view(
    id: i64,
    q: &Question,
    explanation: &str,
    given: &HashMap<String, String>,
) -> GradedQuestion {
    let g = given.get(&id.to_string()).cloned().unwrap_or_default();
    GradedQuestion {
        id: Id(id),
        kind: q.kind,
        stem: q.stem.clone(),
        options: q.options.clone(),
        correct: q.grade(&g),
        given: g,
        answer: q.answer.clone(),
        explanation: explanation.to_owned(),
    }
}

fn refused(code: &'static str) -> AppError {
    AppError::invalid("ticket", code)
}

/// Grades and stores today's attempt. A second attempt, a late one, or one
/// naming questions the ticket did not draw is refused and changes nothing.
pub async fn submit(app: &App, ctx: &Ctx, s: Submission) -> AppResult<QuizResult> {
    let (member, path, _) = me(app, ctx).await?;
    let now = app.now();
    let day = iso(app.clock().today());
    let t = open_ticket(app, &s.ticket).ok_or_else(|| refused("quiz_tampered"))?;
    if t.member != member.0 {
        return Err(refused("quiz_tampered"));
    }
    if t.day != day {
        return Err(refused("quiz_expired"));
    }
    let c = campaign(app, &path, app.clock().today())
        .await?
        .ok_or_else(|| refused("quiz_expired"))?;
    if now > t.issued + c.quiz_seconds * 1000 + GRACE_MS {
        return Err(refused("quiz_late"));
    }
    let drawn: HashSet<String> = t.questions.iter().map(i64::to_string).collect();
    if s.answers.keys().any(|k| !drawn.contains(k)) {
        return Err(refused("quiz_tampered"));
    }
    let bank = bank(app).await?;
    let mut correct = 0;
    for q in &t.questions {
        let given = s.answers.get(&q.to_string()).map_or("", String::as_str);
        match bank.questions.get(q) {
            Some((question, _)) if question.grade(given) => correct += 1,
            _ => {}
        }
    }
    let answers: HashMap<&String, &String> = s
        .answers
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let attempt = AttemptRow {
        member_id: member.0,
        day: day.clone(),
        unit_id: path.id().0,
        questions: serde_json::to_string(&t.questions).map_err(|e| AppError::Internal(e.into()))?,
        answers: serde_json::to_string(&answers).map_err(|e| AppError::Internal(e.into()))?,
        correct,
        total: t.questions.len() as i64,
        started_at: t.issued,
        submitted_at: now,
    };
    let job = Job {
        ctx: ctx.clone(),
        attempt,
        path,
    };
    let Some(streak) = app.quiz_writes().run(app, job, commit).await? else {
        return Err(AppError::Conflict("quiz_already_taken"));
    };
    // What was just stored, told without reading it back.
    let given: HashMap<String, String> = s
        .answers
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let questions = t
        .questions
        .iter()
        .filter_map(|q| {
            bank.questions
                .get(q)
                .map(|(question, explanation)| graded_view(*q, question, explanation, &given))
        })
        .collect();
    Ok(QuizResult {
        day,
        correct,
        total: t.questions.len() as i64,
        streak,
        questions,
    })
}

pub(crate) struct Job {
    ctx: Ctx,
    attempt: AttemptRow,
    path: UnitPath,
}

/// One transaction for a batch: attempts (a member's second of the day is
/// skipped), counters up the tree, streaks, audit records. Answers each job
/// with the member's run of days, or `None` for a second attempt. On a
/// SQLite file the direct writer runs it; elsewhere the pool.
async fn commit(app: App, batch: Vec<Job>) -> AppResult<Vec<Option<i64>>> {
    let mut seen = HashSet::new();
    let fresh: Vec<&Job> = batch
        .iter()
        .filter(|j| seen.insert((j.attempt.member_id, j.attempt.day.clone())))
        .collect();
    let rows: Vec<AttemptRow> = fresh.iter().map(|j| j.attempt.clone()).collect();
    let paths: Vec<Vec<i64>> = fresh
        .iter()
        .map(|j| j.path.ids().into_iter().map(|i| i.0).collect())
        .collect();
    // Built for every fresh attempt; only those stored are written.
    let audit: Vec<AuditRow> = fresh
        .iter()
        .map(|j| {
            let ctx = &j.ctx;
            let label = format!(
                "{} {}/{}",
                j.attempt.day, j.attempt.correct, j.attempt.total
            );
            let e = Entry::new(
                "quiz.submit",
                "member",
                Some(Id(j.attempt.member_id)),
                &label,
            )
            .unit(j.path.id());
            let actor = (ctx.actor.account_id.0 != 0).then_some(ctx.actor.account_id.0);
            audit::row(&app, actor, &ctx.actor.username, &ctx.ip, e, "ok")
        })
        .collect();
    let runs = if app.store().has_direct_writer() {
        app.store()
            .write_direct(move |tx| {
                let stored = xueshi_store::quiz::insert_attempts_direct(tx, &rows)?;
                let written = Written::new(&rows, &paths, &audit, &stored);
                study::add_daily_direct(tx, &written.deltas())?;
                let mut streaks = xueshi_store::quiz::streaks_direct(tx, &written.members())?;
                let changed = written.advance(&mut streaks);
                xueshi_store::quiz::put_streaks_direct(tx, &changed)?;
                xueshi_store::audit::insert_many_direct(tx, &written.audit())?;
                Ok(runs_of(&changed))
            })
            .await?
    } else {
        let mut tx = app.store().write().await?;
        let stored = xueshi_store::quiz::insert_attempts(&mut tx, &rows).await?;
        let written = Written::new(&rows, &paths, &audit, &stored);
        study::add_daily(&mut tx, &written.deltas()).await?;
        let mut streaks = xueshi_store::quiz::streaks(&mut tx, &written.members()).await?;
        let changed = written.advance(&mut streaks);
        if !changed.is_empty() {
            xueshi_store::quiz::put_streaks(&mut tx, &changed).await?;
        }
        xueshi_store::audit::insert_many(&mut tx, &written.audit()).await?;
        tx.commit().await?;
        runs_of(&changed)
    };
    let mut answered = HashSet::new();
    Ok(batch
        .iter()
        .map(|j| {
            let key = (j.attempt.member_id, j.attempt.day.as_str());
            // Only the first job of a stored pair reports success.
            runs.get(&j.attempt.member_id)
                .copied()
                .filter(|_| answered.insert(key))
        })
        .collect())
}

/// The attempts of a batch that were stored, with what goes with them.
struct Written<'a> {
    rows: Vec<(&'a AttemptRow, &'a [i64], &'a AuditRow)>,
}

impl<'a> Written<'a> {
    fn new(
        rows: &'a [AttemptRow],
        paths: &'a [Vec<i64>],
        audit: &'a [AuditRow],
        stored: &[bool],
    ) -> Self {
        Written {
            rows: rows
                .iter()
                .zip(paths)
                .zip(audit)
                .zip(stored)
                .filter(|(_, s)| **s)
                .map(|(((a, p), e), _)| (a, p.as_slice(), e))
                .collect(),
        }
    }

    /// Each stored attempt counted at its unit and every unit above.
    fn deltas(&self) -> HashMap<(i64, String), Daily> {
        let mut deltas: HashMap<(i64, String), Daily> = HashMap::new();
        for (a, path, _) in &self.rows {
            let d = Daily {
                quiz_takers: 1,
                quiz_correct: a.correct,
                quiz_questions: a.total,
                ..Daily::default()
            };
            for id in *path {
                *deltas.entry((*id, a.day.clone())).or_default() += d;
            }
        }
        deltas
    }

    fn members(&self) -> Vec<i64> {
        self.rows.iter().map(|(a, _, _)| a.member_id).collect()
    }

    /// Moves each member's run of days on by today's attempt: one more
    /// when the last was yesterday, else a new run of one.
    fn advance(&self, streaks: &mut HashMap<i64, StreakRow>) -> Vec<StreakRow> {
        let mut changed = Vec::with_capacity(self.rows.len());
        for (a, _, _) in &self.rows {
            let s = streaks.entry(a.member_id).or_insert_with(|| StreakRow {
                member_id: a.member_id,
                ..StreakRow::default()
            });
            count_quiz_day(s, &a.day, a.correct);
            changed.push(s.clone());
        }
        changed
    }

    fn audit(&self) -> Vec<AuditRow> {
        self.rows.iter().map(|(_, _, e)| (*e).clone()).collect()
    }
}

/// A quiz taken on `day` (ISO) moves the member's run on: one day longer
/// when the last was the day before, else a new run of one.
pub fn count_quiz_day(s: &mut StreakRow, day: &str, correct: i64) {
    let yesterday = xueshi_domain::date::from_iso(day)
        .and_then(|d| d.previous_day())
        .map(iso);
    s.current_run = if yesterday.as_deref() == Some(s.last_day.as_str()) {
        s.current_run + 1
    } else {
        1
    };
    s.best_run = s.best_run.max(s.current_run);
    s.last_day = day.to_owned();
    s.quizzes += 1;
    s.correct += correct;
}

fn runs_of(changed: &[StreakRow]) -> HashMap<i64, i64> {
    changed
        .iter()
        .map(|s| (s.member_id, s.current_run))
        .collect()
}
