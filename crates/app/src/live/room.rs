//! A competition while it is played: one room per competition in the
//! server's memory, its state written through to the database on every
//! change (so a host's reload, or the server's restart, loses nothing),
//! and three broadcast channels: what the host sees (answers, timings, the
//! whole standing), what the hall's screens see, and what the phones need
//! (no buzz order, no scoreboard: thousands of them). A host's action is
//! sent at once — an unlock as a few bytes to the phones; buzzes,
//! which come in bursts, are summed up at most every [`COALESCE_MS`], to
//! the phones only who answers, once the burst has settled. A buzz is
//! acknowledged once it is logged.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::{Mutex, Notify, broadcast};
use xueshi_domain::Id;
use xueshi_domain::access::{Action, Denied};
use xueshi_domain::invalid::FieldError;
use xueshi_domain::live::{
    self as rules, Basis, ClockSync, Press, RoundKind, STAKES, UNLOCK_LEAD_MS,
};
use xueshi_store::competitions::{
    self as store, BuzzRow, CompetitionRow, JudgementRow, QuestionRow, TeamRow,
};

use super::standing;
use crate::audit::{Audited, Entry};
use crate::permit::allow;
use crate::{App, AppError, AppResult, Ctx};

/// Buzz bursts are told to the screens at most this often.
pub const COALESCE_MS: u64 = 100;
/// A burst is gathered this long before it is told.
const GATHER_MS: u64 = 25;
/// The phones hear who answers once buzzes have stopped this long …
pub const PHONES_QUIET_MS: u64 = 300;
/// … or this long after it changed, if they keep coming.
pub const PHONES_LATEST_MS: u64 = 2_000;
/// Teams the hall's scoreboard names (the host sees all).
const BOARD_TOP: usize = 10;
/// Buzzes logged in one transaction at most.
pub(crate) const BUZZ_BATCH: usize = 1_000;

/// Every room of the server.
#[derive(Default)]
pub struct Hub {
    rooms: std::sync::Mutex<HashMap<i64, Arc<Room>>>,
    /// Serialises the loading of a room.
    loading: Mutex<()>,
}

pub struct Room {
    pub id: i64,
    state: Mutex<State>,
    host: broadcast::Sender<Arc<str>>,
    hall: broadcast::Sender<Arc<str>>,
    phones: broadcast::Sender<Arc<str>>,
    arrivals: AtomicI64,
    dirty: Notify,
}

/// Who a view is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Host,
    Hall,
    Phone,
}

struct State {
    c: CompetitionRow,
    teams: Vec<TeamRow>,
    questions: Vec<QuestionRow>,
    /// The current question's buzzes.
    buzzes: Vec<BuzzRow>,
    judgements: Vec<JudgementRow>,
}

/// What the host does.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum HostAction {
    /// The next question on the screens (the first starts the competition).
    Next,
    /// Opens buzzing (抢答) from [`UNLOCK_LEAD_MS`] from now.
    Unlock,
    /// Judges the answering team's spoken answer (a risk question's stake
    /// with it).
    Judge {
        team: Id,
        correct: bool,
        #[serde(default)]
        stake: Option<i64>,
    },
    /// Takes the last judgement back.
    Undo,
    /// Shows the answer.
    Reveal,
    Pause,
    Resume,
    Finish,
}

impl HostAction {
    fn name(&self) -> &'static str {
        match self {
            HostAction::Next => "next",
            HostAction::Unlock => "unlock",
            HostAction::Judge { .. } => "judge",
            HostAction::Undo => "undo",
            HostAction::Reveal => "reveal",
            HostAction::Pause => "pause",
            HostAction::Resume => "resume",
            HostAction::Finish => "finish",
        }
    }
}

/// A phone seated with its team.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Seat {
    pub competition: Id,
    pub team: Id,
    pub team_name: String,
    /// The seat's token, for the phone's cookie (only when just joined).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// How a buzz was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BuzzResult {
    /// Logged; `rank` is its place in the order so far.
    Accepted,
    /// The team had buzzed on this question already: nothing changed.
    Duplicate,
    /// Before the unlock: the team is frozen for the question.
    Early,
    /// Not a question open for buzzing (another question, paused, over).
    Closed,
}

#[derive(Clone, Debug, Serialize)]
pub struct BuzzAck {
    pub t: &'static str,
    pub q: i64,
    pub result: BuzzResult,
    pub rank: Option<usize>,
}

/// Orders a question's buzzes: settled press time, ties by arrival, early
/// ones last.
pub fn order_rows<B: std::borrow::Borrow<BuzzRow>>(buzzes: &mut [B]) {
    rules::order(buzzes, |b| {
        let b = b.borrow();
        let basis = match b.basis.as_str() {
            "early" => Basis::Early,
            "arrival" => Basis::Arrival,
            _ => Basis::Corrected,
        };
        (b.pressed_at, basis, b.arrival_seq)
    });
}

impl Hub {
    /// The competition's room, loaded from its rows the first time.
    pub async fn room(&self, app: &App, id: Id) -> AppResult<Arc<Room>> {
        if let Some(r) = self.get(id.0) {
            return Ok(r);
        }
        let _one = self.loading.lock().await;
        if let Some(r) = self.get(id.0) {
            return Ok(r);
        }
        let mut conn = app.store().read().await?;
        let c = store::get(&mut conn, id.0)
            .await?
            .ok_or(AppError::NotFound)?;
        let teams = store::teams(&mut conn, c.id).await?;
        let questions = store::questions(&mut conn, c.id).await?;
        let judgements = store::judgements(&mut conn, c.id).await?;
        let buzzes: Vec<BuzzRow> = store::buzzes(&mut conn, c.id)
            .await?
            .into_iter()
            .filter(|b| b.position == c.position)
            .collect();
        drop(conn);
        let arrivals = buzzes.iter().map(|b| b.arrival_seq).max().unwrap_or(0);
        let room = Arc::new(Room {
            id: c.id,
            state: Mutex::new(State {
                c,
                teams,
                questions,
                buzzes,
                judgements,
            }),
            host: broadcast::channel(64).0,
            hall: broadcast::channel(64).0,
            phones: broadcast::channel(64).0,
            arrivals: AtomicI64::new(arrivals),
            dirty: Notify::new(),
        });
        tokio::spawn(coalesce(Arc::clone(&room), app.clone()));
        self.rooms
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.0, Arc::clone(&room));
        Ok(room)
    }

    fn get(&self, id: i64) -> Option<Arc<Room>> {
        self.rooms
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }
}

/// Sends what changed in a burst of buzzes to the hall and the host at
/// most every [`COALESCE_MS`]. The phones hear only who answers, as a few
/// bytes, once the burst has gone quiet for [`PHONES_QUIET_MS`] (or at the
/// latest [`PHONES_LATEST_MS`] after the change): while a burst lasts, a
/// later-arriving earlier press can still go first, and thousands of phones
/// told mid-burst would hold up the buzzes still arriving — the presses
/// that decide who answers are the earliest ones.
async fn coalesce(room: Arc<Room>, app: App) {
    // Who answers, by question, as the phones were last told.
    let mut told: Option<(i64, Option<i64>)> = None;
    let mut owed_since: Option<tokio::time::Instant> = None;
    loop {
        let notified = room.dirty.notified();
        if let Some(since) = owed_since {
            let quiet = Duration::from_millis(PHONES_QUIET_MS).min(
                (since + Duration::from_millis(PHONES_LATEST_MS))
                    .saturating_duration_since(tokio::time::Instant::now()),
            );
            let burst_on =
                quiet > Duration::ZERO && tokio::time::timeout(quiet, notified).await.is_ok();
            if !burst_on {
                owed_since = None;
                let st = room.state.lock().await;
                let current = (st.c.position, st.answering());
                if told != Some(current) {
                    let _ = room.phones.send(Arc::from(st.answering_note().to_string()));
                    told = Some(current);
                }
                continue;
            }
        } else {
            notified.await;
        }
        tokio::time::sleep(Duration::from_millis(GATHER_MS)).await;
        let st = room.state.lock().await;
        room.send(&st, app.now(), false);
        drop(st);
        owed_since.get_or_insert_with(tokio::time::Instant::now);
        tokio::time::sleep(Duration::from_millis(COALESCE_MS)).await;
    }
}

impl State {
    fn current(&self) -> Option<&QuestionRow> {
        (self.c.position >= 1)
            .then(|| self.questions.get(self.c.position as usize - 1))
            .flatten()
    }

    fn standing_on(&self, position: i64) -> impl Iterator<Item = &JudgementRow> {
        self.judgements
            .iter()
            .filter(move |j| j.position == position && j.undone_at.is_none())
    }

    fn ordered(&self) -> Vec<&BuzzRow> {
        let mut v: Vec<&BuzzRow> = self.buzzes.iter().collect();
        order_rows(&mut v);
        v
    }

    /// The team whose answer the host judges next, if any.
    fn answering(&self) -> Option<i64> {
        let q = self.current()?;
        let judged: Vec<&JudgementRow> = self.standing_on(q.position).collect();
        if judged.iter().any(|j| j.correct == 1) {
            return None;
        }
        match RoundKind::parse(&q.round_kind)? {
            RoundKind::Buzz => self
                .ordered()
                .into_iter()
                .filter(|b| b.basis != "early")
                .map(|b| b.team_id)
                .find(|t| !judged.iter().any(|j| j.team_id == *t)),
            _ => q
                .team_id
                .filter(|t| !judged.iter().any(|j| j.team_id == *t)),
        }
    }

    /// Who answers, for the phones: a few bytes.
    fn answering_note(&self) -> Value {
        let answering = self.answering();
        json!({
            "t": "answering",
            "q": self.c.position,
            "team": answering.map(|t| Id(t).to_string()),
            "name": answering.map(|t| self.team_name(t)),
        })
    }

    fn team_name(&self, id: i64) -> String {
        self.teams
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    }

    fn score(&self, team: i64) -> i64 {
        self.judgements
            .iter()
            .filter(|j| j.team_id == team && j.undone_at.is_none())
            .map(|j| j.points)
            .sum()
    }

    /// What the screens show; the host's view adds the answer, the
    /// timings and the whole standing.
    fn snapshot(&self, now: i64, view: View) -> Value {
        let host = view == View::Host;
        // Phones show neither the buzz order nor the scoreboard.
        let listed = match view {
            View::Host => usize::MAX,
            View::Hall => BOARD_TOP,
            View::Phone => 0,
        };
        let question = self.current().map(|q| {
            let show_answer = host || self.c.phase == "revealed";
            json!({
                "position": q.position,
                "round": q.round_kind,
                "stem": q.stem,
                "options": serde_json::from_str::<Value>(&q.options).unwrap_or(Value::Null),
                "points": q.points,
                "team": q.team_id.map(|t| Id(t).to_string()),
                "team_name": q.team_id.map(|t| self.team_name(t)),
                "answer": show_answer.then(|| q.answer.clone()),
            })
        });
        let order: Vec<Value> = self
            .ordered()
            .into_iter()
            .take(listed)
            .map(|b| {
                let mut v = json!({
                    "team": Id(b.team_id).to_string(),
                    "name": self.team_name(b.team_id),
                    "basis": b.basis,
                });
                if host {
                    v["arrived_at"] = json!(b.arrived_at);
                    v["pressed_at"] = json!(b.pressed_at);
                    v["reaction_ms"] = json!(b.reaction_ms);
                    v["offset_ms"] = json!(b.offset_ms);
                    v["rtt_ms"] = json!(b.rtt_ms);
                }
                v
            })
            .collect();
        let board = if listed == 0 {
            Vec::new()
        } else {
            standing(&self.teams, &self.judgements, false)
        };
        let board: Vec<Value> = board
            .iter()
            .take(listed)
            .map(|t| json!({ "team": t.id.to_string(), "name": t.name, "score": t.score, "place": t.place }))
            .collect();
        let judged: Vec<Value> = self
            .current()
            .map(|q| {
                self.standing_on(q.position)
                    .map(|j| json!({ "team": Id(j.team_id).to_string(), "name": self.team_name(j.team_id), "correct": j.correct == 1, "points": j.points }))
                    .collect()
            })
            .unwrap_or_default();
        let answering = self.answering();
        json!({
            "t": "snap",
            "id": Id(self.c.id).to_string(),
            "title": self.c.title,
            "state": self.c.state,
            "phase": self.c.phase,
            "paused": self.c.paused == 1,
            "position": self.c.position,
            "count": self.questions.len(),
            "question": question,
            "unlock_at": self.c.unlock_at,
            "answer_seconds": self.c.answer_seconds,
            "order": order,
            "answering": answering.map(|t| Id(t).to_string()),
            "answering_name": answering.map(|t| self.team_name(t)),
            "frozen": self.buzzes.iter().filter(|b| b.basis == "early").map(|b| Id(b.team_id).to_string()).collect::<Vec<_>>(),
            "judged": judged,
            "board": board,
            "teams": self.teams.len(),
            "can_undo": host && self.judgements.iter().any(|j| j.undone_at.is_none()),
            "now": now,
        })
    }
}

impl Room {
    fn send(&self, st: &State, now: i64, phones: bool) {
        if phones {
            let _ = self
                .phones
                .send(Arc::from(st.snapshot(now, View::Phone).to_string()));
        }
        let _ = self
            .hall
            .send(Arc::from(st.snapshot(now, View::Hall).to_string()));
        let _ = self
            .host
            .send(Arc::from(st.snapshot(now, View::Host).to_string()));
    }

    pub fn subscribe(&self, view: View) -> broadcast::Receiver<Arc<str>> {
        match view {
            View::Host => self.host.subscribe(),
            View::Hall => self.hall.subscribe(),
            View::Phone => self.phones.subscribe(),
        }
    }

    /// The room as it stands, for a screen that has just connected.
    pub async fn snapshot(&self, now: i64, view: View) -> String {
        self.state.lock().await.snapshot(now, view).to_string()
    }

    pub async fn title(&self) -> String {
        self.state.lock().await.c.title.clone()
    }

    /// A team's name, for its phone.
    pub async fn seat_name(&self, team: i64) -> String {
        self.state.lock().await.team_name(team)
    }

    /// A team's score, for its phone.
    pub async fn score(&self, team: i64) -> i64 {
        self.state.lock().await.score(team)
    }

    /// The host's action, written and told to every screen at once.
    pub async fn act(&self, app: &App, ctx: &Ctx, action: &HostAction) -> AppResult<Value> {
        let mut st = self.state.lock().await;
        let allowed = allow(ctx, Action::ManageTasks, &st.c.unit_path)?;
        if st.c.state == "finished" {
            return Err(AppError::Conflict("competition_finished"));
        }
        let now = app.now();
        let mut c = st.c.clone();
        let mut judgement: Option<JudgementRow> = None;
        let mut undo: Option<i64> = None;
        let needs_running = !matches!(action, HostAction::Next | HostAction::Finish);
        if needs_running && c.state != "running" {
            return Err(AppError::Conflict("competition_not_started"));
        }
        if c.paused == 1
            && !matches!(
                action,
                HostAction::Resume | HostAction::Finish | HostAction::Undo
            )
        {
            return Err(AppError::Conflict("competition_paused"));
        }
        let round = st.current().and_then(|q| RoundKind::parse(&q.round_kind));
        match action {
            HostAction::Next => {
                if c.position as usize >= st.questions.len() {
                    return Err(AppError::Conflict("no_more_questions"));
                }
                c.state = "running".into();
                c.position += 1;
                c.phase = "shown".into();
                c.unlock_at = None;
            }
            HostAction::Unlock => {
                if round != Some(RoundKind::Buzz) || c.phase != "shown" {
                    return Err(AppError::Conflict("not_unlockable"));
                }
                c.phase = "open".into();
                c.unlock_at = Some(now + UNLOCK_LEAD_MS);
            }
            HostAction::Judge {
                team,
                correct,
                stake,
            } => {
                let q = st.current().ok_or(AppError::Conflict("no_question"))?;
                if st.answering() != Some(team.0) {
                    return Err(AppError::Conflict("not_answering"));
                }
                let kind = round.unwrap_or(RoundKind::Buzz);
                let stake = match (kind, stake) {
                    (RoundKind::Risk, Some(s)) if STAKES.contains(s) => *s,
                    (RoundKind::Risk, s) => {
                        return Err(FieldError::new("stake", "bad_choice")
                            .with("value", s.unwrap_or_default())
                            .into());
                    }
                    _ => 0,
                };
                judgement = Some(JudgementRow {
                    id: app.next_id().0,
                    competition_id: c.id,
                    position: q.position,
                    team_id: team.0,
                    correct: i64::from(*correct),
                    points: kind.points(q.points, stake, *correct),
                    judged_at: now,
                    undone_at: None,
                });
            }
            HostAction::Undo => {
                let last = st
                    .judgements
                    .iter()
                    .filter(|j| j.undone_at.is_none())
                    .max_by_key(|j| (j.judged_at, j.id))
                    .ok_or(AppError::Conflict("nothing_to_undo"))?;
                undo = Some(last.id);
            }
            HostAction::Reveal => {
                if st.current().is_none() {
                    return Err(AppError::Conflict("no_question"));
                }
                c.phase = "revealed".into();
            }
            HostAction::Pause => c.paused = 1,
            HostAction::Resume => c.paused = 0,
            HostAction::Finish => {
                c.state = "finished".into();
                c.paused = 0;
                c.finished_at = Some(now);
            }
        }
        let mut tx = Audited::begin(app, allowed).await?;
        store::set_pace(&mut tx, &c).await?;
        if let Some(j) = &judgement {
            store::insert_judgement(&mut tx, j, ctx.actor.account_id.0).await?;
        }
        if let Some(id) = undo {
            store::undo_judgement(&mut tx, id, now).await?;
        }
        tx.commit(
            Entry::new("competition.host", "competition", Some(Id(c.id)), &c.title)
                .unit(Id(c.unit_id))
                .after(&json!({ "action": action, "position": c.position })),
        )
        .await?;
        if c.position != st.c.position {
            st.buzzes.clear();
        }
        st.c = c;
        let mut moved = Vec::new();
        if let Some(j) = judgement {
            moved.push(j.team_id);
            st.judgements.push(j);
        }
        if let Some(id) = undo
            && let Some(j) = st.judgements.iter_mut().find(|j| j.id == id)
        {
            j.undone_at = Some(now);
            moved.push(j.team_id);
        }
        for team in moved {
            let m: Arc<str> = Arc::from(
                json!({ "t": "score", "team": Id(team).to_string(), "score": st.score(team) })
                    .to_string(),
            );
            let _ = self.phones.send(m);
        }
        if let HostAction::Unlock = action {
            // A few bytes to every phone, and nothing more: a full view
            // to thousands of phones would still be on its way while the
            // unlock is, and hold up its last arrivals. A phone that
            // connects later gets the open question in its first view.
            let _ = self.phones.send(Arc::from(
                json!({ "t": "open", "q": st.c.position, "unlock_at": st.c.unlock_at }).to_string(),
            ));
            self.send(&st, now, false);
        } else {
            self.send(&st, now, true);
        }
        tracing::info!(competition = self.id, action = action.name(), "host");
        Ok(st.snapshot(now, View::Host))
    }

    /// A team's buzz, settled against the phone's measured clock, logged,
    /// then acknowledged.
    pub async fn buzz(
        &self,
        app: &App,
        team: i64,
        sync: Option<ClockSync>,
        q: i64,
        phone_at: i64,
        reaction: i64,
    ) -> AppResult<BuzzAck> {
        let arrived = app.now();
        let seq = self.arrivals.fetch_add(1, Ordering::Relaxed) + 1;
        let ack = |result, rank| BuzzAck {
            t: "ack",
            q,
            result,
            rank,
        };
        let row = {
            let mut st = self.state.lock().await;
            let open = st.c.state == "running"
                && st.c.paused == 0
                && st.c.position == q
                && st.c.phase == "open"
                && st.current().is_some_and(|c| c.round_kind == "buzz")
                && !st.standing_on(q).any(|j| j.correct == 1);
            if !open {
                return Ok(ack(BuzzResult::Closed, None));
            }
            if let Some(i) = st.ordered().iter().position(|b| b.team_id == team) {
                return Ok(ack(BuzzResult::Duplicate, Some(i + 1)));
            }
            let unlock_at = st.c.unlock_at.unwrap_or(arrived);
            let (pressed, basis) = rules::settle(
                Press {
                    arrived,
                    phone_at,
                    reaction,
                },
                sync,
                unlock_at,
            );
            let s = sync.unwrap_or_default();
            let row = BuzzRow {
                competition_id: self.id,
                position: q,
                team_id: team,
                arrived_at: arrived,
                arrival_seq: seq,
                client_at: phone_at,
                reaction_ms: reaction,
                offset_ms: s.offset,
                rtt_ms: s.rtt,
                pressed_at: pressed,
                basis: basis.as_str().to_owned(),
            };
            st.buzzes.push(row.clone());
            row
        };
        self.dirty.notify_one();
        let early = row.basis == "early";
        app.live_writes()
            .run(app, row, |app, rows: Vec<BuzzRow>| async move {
                let mut tx = app.store().write().await?;
                store::insert_buzzes(&mut tx, &rows).await?;
                tx.commit().await?;
                Ok(vec![(); rows.len()])
            })
            .await?;
        if early {
            return Ok(ack(BuzzResult::Early, None));
        }
        let st = self.state.lock().await;
        let rank = st
            .ordered()
            .iter()
            .filter(|b| b.basis != "early")
            .position(|b| b.team_id == team)
            .map(|i| i + 1);
        Ok(ack(BuzzResult::Accepted, rank))
    }
}

/// Seats a phone with the team whose code it gives; a phone that already
/// holds a seat of that competition keeps it (a reload, a reconnect).
pub async fn join(app: &App, code: &str, token: Option<&str>) -> AppResult<Seat> {
    let code: String = code
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    let mut conn = app.store().read().await?;
    let Some(team) = store::team_by_code(&mut conn, &code).await? else {
        return Err(FieldError::new("code", "bad_join_code")
            .with("value", code.as_str())
            .into());
    };
    let c = store::get(&mut conn, team.competition_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if c.state == "finished" {
        return Err(AppError::Conflict("competition_closed"));
    }
    if let Some(t) = token {
        let digest = crate::auth::token_digest(t);
        if let Some(held) = store::seat(&mut conn, &digest).await?
            && held.id == team.id
        {
            return Ok(Seat {
                competition: Id(c.id),
                team: Id(held.id),
                team_name: held.name,
                token: None,
            });
        }
    }
    drop(conn);
    let token = crate::auth::random_token();
    let mut tx = app.store().write().await?;
    // Counted inside the writer's transaction, so two phones racing for
    // the last seat cannot both take it.
    if store::seats_taken(&mut tx, team.id).await? >= c.seats_per_team {
        return Err(AppError::Conflict("team_full"));
    }
    store::insert_seat(
        &mut tx,
        &crate::auth::token_digest(&token),
        team.id,
        app.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Seat {
        competition: Id(c.id),
        team: Id(team.id),
        team_name: team.name,
        token: Some(token),
    })
}

/// The seat a phone's token holds in a competition.
pub async fn seat(app: &App, competition: Id, token: &str) -> AppResult<Seat> {
    let mut conn = app.store().read().await?;
    let team = store::seat(&mut conn, &crate::auth::token_digest(token))
        .await?
        .filter(|t| t.competition_id == competition.0)
        .ok_or(AppError::Forbidden(Denied::OutOfScope))?;
    Ok(Seat {
        competition,
        team: Id(team.id),
        team_name: team.name,
        token: None,
    })
}
