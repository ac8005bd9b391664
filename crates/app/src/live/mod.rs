//! Live knowledge competitions (现场竞答, seed 004): a unit sets up teams
//! (units below it or named groups, each joined on its phones by its own
//! code), the day's questions in rounds — 必答 (each team in turn), 抢答
//! (buzz-in), 风险题 (a stake lost if wrong) — drawn from the bank or
//! entered for the day; a host then runs it from a console while the hall
//! watches the big screen (see [`room`]). Everything played is kept: the
//! questions, every buzz with its timing, every judgement (undone ones
//! marked), and the standing, exportable as a workbook.

use std::collections::{HashMap, HashSet};

use rand::Rng;
use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::from_iso;
use xueshi_domain::exam::{self as rules, BlueprintRow};
use xueshi_domain::invalid::FieldError;
use xueshi_domain::live::RoundKind;
use xueshi_store::competitions::{self as store, CompetitionRow, QuestionRow, TeamRow};
use xueshi_store::units;

use crate::audit::{Audited, Entry};
use crate::permit::{allow, may};
use crate::tree::load_allowed;
use crate::{App, AppError, AppResult, Ctx};

pub mod room;

pub use room::{HostAction, Hub, Seat};

/// Most teams a competition seats (a Kahoot room holds 2,000 players).
pub const TEAMS_MAX: usize = 2_000;
/// Most questions one competition plays.
pub const QUESTIONS_MAX: usize = 500;
/// Join codes: no 0/O or 1/I to misread from a projector.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 6;

/// A team as set up: a named group, or a unit (its name taken).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TeamInput {
    pub name: String,
    pub unit: Option<Id>,
}

/// A round drawn from the bank: `count` questions (of a tag, if given),
/// each worth `points`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RoundInput {
    /// required, buzz or risk.
    pub kind: String,
    pub count: i64,
    pub points: i64,
    pub tag: String,
}

/// A question entered for the day, played in its round.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DayQuestion {
    pub kind: String,
    pub stem: String,
    pub answer: String,
    pub points: i64,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CompetitionInput {
    pub title: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    /// Phones one team may join with.
    pub seats_per_team: i64,
    /// Seconds a buzz question's countdown runs.
    pub answer_seconds: i64,
    pub teams: Vec<TeamInput>,
    /// Every unit directly below, one team each (with `teams`, if any).
    pub teams_from_units: bool,
    pub rounds: Vec<RoundInput>,
    pub day_questions: Vec<DayQuestion>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TeamView {
    pub id: Id,
    pub name: String,
    /// Shown only to those who run the competition.
    pub join_code: Option<String>,
    pub score: i64,
    pub right: i64,
    pub wrong: i64,
    /// 1 for the first; teams level on points share a place.
    pub place: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CompetitionView {
    pub id: Id,
    pub unit: Id,
    pub unit_name: String,
    pub title: String,
    pub held_on: String,
    pub seats_per_team: i64,
    pub answer_seconds: i64,
    /// ready, running or finished.
    pub state: String,
    pub questions: usize,
    /// In standing order.
    pub teams: Vec<TeamView>,
    pub may_host: bool,
}

/// A buzz as the record keeps it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BuzzLine {
    pub team: String,
    pub rank: i64,
    /// Server time it arrived, the phone's clock, its reaction, offset and
    /// round trip, and the press the server settled on.
    pub arrived_at: String,
    pub arrived_ms: i64,
    pub client_ms: i64,
    pub reaction_ms: i64,
    pub offset_ms: i64,
    pub rtt_ms: i64,
    pub pressed_ms: i64,
    pub basis: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct JudgementLine {
    pub team: String,
    pub correct: bool,
    pub points: i64,
    pub judged_at: String,
    pub undone: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlayedQuestion {
    pub position: i64,
    pub round: RoundKind,
    pub stem: String,
    pub answer: String,
    pub points: i64,
    /// The team whose turn it was (必答, 风险题).
    pub team: Option<String>,
    pub buzzes: Vec<BuzzLine>,
    pub judgements: Vec<JudgementLine>,
}

/// What was played: the standing, and each question with its buzz order
/// and judgements.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Record {
    pub competition: CompetitionView,
    pub questions: Vec<PlayedQuestion>,
}

fn join_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

fn text(field: &'static str, raw: &str, max: usize, e: &mut Vec<FieldError>) -> String {
    let v = raw.trim().to_owned();
    if v.is_empty() {
        e.push(FieldError::new(field, "required"));
    } else if v.chars().count() > max || v.chars().any(char::is_control) {
        e.push(FieldError::new(field, "too_long").with("max", max));
    }
    v
}

/// Sets up a competition for a unit: its teams and its questions.
pub async fn create(app: &App, ctx: &Ctx, unit: Id, input: &CompetitionInput) -> AppResult<Id> {
    let (urow, allowed) = load_allowed(app, ctx, unit, Action::ManageTasks).await?;
    let mut e = Vec::new();
    let title = text("title", &input.title, 100, &mut e);
    if from_iso(input.held_on.trim()).is_none() {
        e.push(FieldError::new("held_on", "bad_date").with("value", input.held_on.trim()));
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
    range("seats_per_team", input.seats_per_team, 1, 20);
    range("answer_seconds", input.answer_seconds, 5, 300);
    // Teams: the units below (if asked), then the named ones.
    let mut teams: Vec<(String, Option<i64>)> = Vec::new();
    {
        let mut conn = app.store().read().await?;
        if input.teams_from_units {
            for c in units::children(&mut conn, urow.id).await? {
                teams.push((c.name.clone(), Some(c.id)));
            }
        }
        for (i, t) in input.teams.iter().enumerate() {
            match t.unit {
                Some(u) => {
                    let Some(row) = units::get(&mut conn, u.0).await? else {
                        e.push(FieldError::new("teams", "not_found").with("row", i + 1));
                        continue;
                    };
                    if !row.path().is_within(&urow.path()) {
                        return Err(AppError::Forbidden(
                            xueshi_domain::access::Denied::OutOfScope,
                        ));
                    }
                    let name = if t.name.trim().is_empty() {
                        row.name.clone()
                    } else {
                        t.name.trim().to_owned()
                    };
                    teams.push((name, Some(row.id)));
                }
                None => {
                    let name = t.name.trim().to_owned();
                    if name.is_empty() {
                        continue;
                    }
                    if name.chars().count() > 50 || name.chars().any(char::is_control) {
                        e.push(
                            FieldError::new("teams", "too_long")
                                .with("max", 50)
                                .with("row", i + 1),
                        );
                    }
                    teams.push((name, None));
                }
            }
        }
    }
    let mut names = HashSet::new();
    for (name, _) in &teams {
        if !names.insert(name.clone()) {
            e.push(FieldError::new("teams", "team_twice").with("value", name.as_str()));
        }
    }
    if teams.len() < 2 || teams.len() > TEAMS_MAX {
        e.push(
            FieldError::new("teams", "out_of_range")
                .with("min", 2)
                .with("max", TEAMS_MAX)
                .with("value", teams.len()),
        );
    }
    // Rounds from the bank, and the day's questions.
    let mut kinds = Vec::new();
    for r in &input.rounds {
        match RoundKind::parse(r.kind.trim()) {
            Some(k) => kinds.push(k),
            None => e.push(FieldError::new("rounds", "bad_choice").with("value", r.kind.as_str())),
        }
        if !(0..=100).contains(&r.count) || !(1..=100).contains(&r.points) {
            e.push(
                FieldError::new("rounds", "out_of_range")
                    .with("min", 1)
                    .with("max", 100)
                    .with(
                        "value",
                        if (1..=100).contains(&r.points) {
                            r.count
                        } else {
                            r.points
                        },
                    ),
            );
        }
    }
    let mut day = Vec::new();
    for (i, q) in input.day_questions.iter().enumerate() {
        let row = i + 1;
        let Some(k) = RoundKind::parse(q.kind.trim()) else {
            e.push(
                FieldError::new("day_questions", "bad_choice")
                    .with("row", row)
                    .with("value", q.kind.as_str()),
            );
            continue;
        };
        let stem = q.stem.trim();
        let answer = q.answer.trim();
        if stem.is_empty() || answer.is_empty() {
            e.push(FieldError::new("day_questions", "row_incomplete").with("row", row));
            continue;
        }
        if stem.chars().count() > 500 || answer.chars().count() > 200 {
            e.push(
                FieldError::new("day_questions", "too_long")
                    .with("row", row)
                    .with("max", 500),
            );
            continue;
        }
        if !(1..=100).contains(&q.points) {
            e.push(
                FieldError::new("day_questions", "out_of_range")
                    .with("row", row)
                    .with("min", 1)
                    .with("max", 100)
                    .with("value", q.points),
            );
            continue;
        }
        day.push((k, stem.to_owned(), answer.to_owned(), q.points));
    }
    let drawn: i64 = input.rounds.iter().map(|r| r.count.max(0)).sum();
    let total = drawn as usize + day.len();
    if total == 0 || total > QUESTIONS_MAX {
        e.push(
            FieldError::new("rounds", "out_of_range")
                .with("min", 1)
                .with("max", QUESTIONS_MAX)
                .with("value", total),
        );
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let id = app.next_id();
    // The bank's questions for each round, none twice.
    let bank = crate::exams::candidates(app).await?;
    let blueprint: Vec<BlueprintRow> = input
        .rounds
        .iter()
        .map(|r| BlueprintRow {
            kind: String::new(),
            tag: r.tag.trim().to_owned(),
            difficulty: 0,
            count: r.count,
        })
        .collect();
    let picked = rules::draw(id.0 as u64, &bank, &blueprint, &HashSet::new()).map_err(|s| {
        FieldError::new("rounds", "bank_short_rounds")
            .with("row", s.row + 1)
            .with("value", s.available)
            .with("max", s.wanted)
    })?;
    let rows = {
        let mut conn = app.store().read().await?;
        xueshi_store::quiz::questions_by_id(&mut conn, &picked).await?
    };
    let mut by_id: HashMap<i64, _> = rows.into_iter().map(|r| (r.id, r)).collect();
    let team_rows: Vec<TeamRow> = teams
        .iter()
        .enumerate()
        .map(|(i, (name, unit))| TeamRow {
            id: app.next_id().0,
            competition_id: id.0,
            position: i as i64 + 1,
            name: name.clone(),
            unit_id: *unit,
            join_code: join_code(),
        })
        .collect();
    let mut questions: Vec<QuestionRow> = Vec::new();
    let mut turn: HashMap<RoundKind, usize> = HashMap::new();
    let mut push = |kind: RoundKind,
                    qid: Option<i64>,
                    stem: String,
                    options: Vec<String>,
                    answer: String,
                    points: i64| {
        // 必答 and 风险题 go to each team in turn.
        let team = (kind != RoundKind::Buzz).then(|| {
            let n = turn.entry(kind).or_default();
            let t = team_rows[*n % team_rows.len()].id;
            *n += 1;
            t
        });
        questions.push(QuestionRow {
            competition_id: id.0,
            position: questions.len() as i64 + 1,
            round_kind: kind.as_str().to_owned(),
            question_id: qid,
            stem,
            options: serde_json::to_string(&options).unwrap_or_else(|_| "[]".into()),
            answer,
            points,
            team_id: team,
        });
    };
    let mut taken = picked.iter();
    for (r, kind) in input.rounds.iter().zip(&kinds) {
        for qid in taken.by_ref().take(r.count.max(0) as usize) {
            if let Some(q) = by_id.remove(qid) {
                push(*kind, Some(q.id), q.stem, q.options.0, q.answer, r.points);
            }
        }
        for (k, stem, answer, points) in day.iter().filter(|d| d.0 == *kind) {
            push(*k, None, stem.clone(), Vec::new(), answer.clone(), *points);
        }
    }
    // Day questions of a kind no bank round has are played last.
    for (k, stem, answer, points) in day.iter().filter(|d| !kinds.contains(&d.0)) {
        push(*k, None, stem.clone(), Vec::new(), answer.clone(), *points);
    }
    let row = CompetitionRow {
        id: id.0,
        unit_id: urow.id,
        unit_name: urow.name.clone(),
        unit_path: urow.path(),
        title: title.clone(),
        held_on: input.held_on.trim().to_owned(),
        seats_per_team: input.seats_per_team,
        answer_seconds: input.answer_seconds,
        state: "ready".into(),
        position: 0,
        phase: "lobby".into(),
        unlock_at: None,
        paused: 0,
        created_at: app.now(),
        finished_at: None,
    };
    let mut tx = Audited::begin(app, allowed).await?;
    store::insert(&mut tx, &row, ctx.actor.account_id.0).await?;
    store::insert_teams(&mut tx, &team_rows).await?;
    store::insert_questions(&mut tx, &questions).await?;
    tx.commit(
        Entry::new("competition.create", "competition", Some(id), &title)
            .unit(unit)
            .after(&serde_json::json!({
                "teams": team_rows.len(), "questions": questions.len(), "held_on": row.held_on,
            })),
    )
    .await?;
    Ok(id)
}

pub(crate) async fn load(app: &App, id: Id) -> AppResult<CompetitionRow> {
    let mut conn = app.store().read().await?;
    store::get(&mut conn, id.0).await?.ok_or(AppError::NotFound)
}

/// Points, right and wrong answers per team from the judgements that
/// stand, and each team's place.
pub(crate) fn standing(
    teams: &[TeamRow],
    judgements: &[store::JudgementRow],
    codes: bool,
) -> Vec<TeamView> {
    let mut out: Vec<TeamView> = teams
        .iter()
        .map(|t| {
            let mine = judgements
                .iter()
                .filter(|j| j.team_id == t.id && j.undone_at.is_none());
            let (mut score, mut right, mut wrong) = (0, 0, 0);
            for j in mine {
                score += j.points;
                if j.correct == 1 {
                    right += 1;
                } else {
                    wrong += 1;
                }
            }
            TeamView {
                id: Id(t.id),
                name: t.name.clone(),
                join_code: codes.then(|| t.join_code.clone()),
                score,
                right,
                wrong,
                place: 0,
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then(b.right.cmp(&a.right)));
    for i in 0..out.len() {
        out[i].place = if i > 0 && out[i].score == out[i - 1].score {
            out[i - 1].place
        } else {
            i as i64 + 1
        };
    }
    out
}

async fn view(app: &App, ctx: &Ctx, c: &CompetitionRow) -> AppResult<CompetitionView> {
    let may_host = may(ctx, Action::ManageTasks, &c.unit_path);
    let mut conn = app.store().read().await?;
    let teams = store::teams(&mut conn, c.id).await?;
    let judgements = store::judgements(&mut conn, c.id).await?;
    let questions = store::questions(&mut conn, c.id).await?.len();
    Ok(CompetitionView {
        id: Id(c.id),
        unit: Id(c.unit_id),
        unit_name: c.unit_name.clone(),
        title: c.title.clone(),
        held_on: c.held_on.clone(),
        seats_per_team: c.seats_per_team,
        answer_seconds: c.answer_seconds,
        state: c.state.clone(),
        questions,
        teams: standing(&teams, &judgements, may_host),
        may_host,
    })
}

/// A competition with its standing, for those who read the unit's study;
/// its hosts also see the join codes.
pub async fn get(app: &App, ctx: &Ctx, id: Id) -> AppResult<CompetitionView> {
    let c = load(app, id).await?;
    allow(ctx, Action::ViewStudy, &c.unit_path)?;
    view(app, ctx, &c).await
}

/// Refused unless the actor may host the competition.
pub async fn authorize_host(app: &App, ctx: &Ctx, id: Id) -> AppResult<()> {
    let c = load(app, id).await?;
    allow(ctx, Action::ManageTasks, &c.unit_path)?;
    Ok(())
}

/// A unit's own competitions.
pub async fn of_unit(app: &App, ctx: &Ctx, unit: Id) -> AppResult<Vec<CompetitionView>> {
    let (urow, _) = load_allowed(app, ctx, unit, Action::ViewStudy).await?;
    let rows = {
        let mut conn = app.store().read().await?;
        store::of_unit(&mut conn, urow.id).await?
    };
    let mut out = Vec::with_capacity(rows.len());
    for c in &rows {
        out.push(view(app, ctx, c).await?);
    }
    Ok(out)
}

/// Everything played: each question with its buzz order and judgements.
pub async fn record(app: &App, ctx: &Ctx, id: Id) -> AppResult<Record> {
    let c = load(app, id).await?;
    allow(ctx, Action::ViewStudy, &c.unit_path)?;
    let competition = view(app, ctx, &c).await?;
    let mut conn = app.store().read().await?;
    let teams: HashMap<i64, String> = store::teams(&mut conn, c.id)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let buzzes = store::buzzes(&mut conn, c.id).await?;
    let judgements = store::judgements(&mut conn, c.id).await?;
    let name = |t: i64| teams.get(&t).cloned().unwrap_or_default();
    let questions = store::questions(&mut conn, c.id)
        .await?
        .into_iter()
        .filter(|q| q.position <= c.position)
        .map(|q| {
            let mut mine: Vec<&store::BuzzRow> =
                buzzes.iter().filter(|b| b.position == q.position).collect();
            room::order_rows(&mut mine);
            PlayedQuestion {
                position: q.position,
                round: RoundKind::parse(&q.round_kind).unwrap_or(RoundKind::Buzz),
                stem: q.stem,
                answer: q.answer,
                points: q.points,
                team: q.team_id.map(name),
                buzzes: mine
                    .iter()
                    .enumerate()
                    .map(|(i, b)| BuzzLine {
                        team: name(b.team_id),
                        rank: i as i64 + 1,
                        arrived_at: crate::clock::format_ms(b.arrived_at),
                        arrived_ms: b.arrived_at,
                        client_ms: b.client_at,
                        reaction_ms: b.reaction_ms,
                        offset_ms: b.offset_ms,
                        rtt_ms: b.rtt_ms,
                        pressed_ms: b.pressed_at,
                        basis: b.basis.clone(),
                    })
                    .collect(),
                judgements: judgements
                    .iter()
                    .filter(|j| j.position == q.position)
                    .map(|j| JudgementLine {
                        team: name(j.team_id),
                        correct: j.correct == 1,
                        points: j.points,
                        judged_at: crate::clock::format_ms(j.judged_at),
                        undone: j.undone_at.is_some(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Record {
        competition,
        questions,
    })
}

/// The record as a workbook: the standing, the questions with their
/// judgements, and the buzz log.
pub async fn workbook(app: &App, ctx: &Ctx, id: Id) -> AppResult<(String, Vec<u8>)> {
    let c = load(app, id).await?;
    let allowed = allow(ctx, Action::ViewStudy, &c.unit_path)?;
    let r = record(app, ctx, id).await?;
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let safe = crate::sheet::safe_text;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let head = |ws: &mut rust_xlsxwriter::Worksheet,
                cols: &[&str]|
     -> Result<(), rust_xlsxwriter::XlsxError> {
        for (i, h) in cols.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &bold)?;
        }
        Ok(())
    };
    let ws = wb.add_worksheet();
    ws.set_name("名次").map_err(xlsx)?;
    head(ws, &["名次", "队伍", "得分", "答对", "答错"]).map_err(xlsx)?;
    for (i, t) in r.competition.teams.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number(row, 0, t.place as f64).map_err(xlsx)?;
        ws.write_string(row, 1, safe(&t.name)).map_err(xlsx)?;
        ws.write_number(row, 2, t.score as f64).map_err(xlsx)?;
        ws.write_number(row, 3, t.right as f64).map_err(xlsx)?;
        ws.write_number(row, 4, t.wrong as f64).map_err(xlsx)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("题目与评判").map_err(xlsx)?;
    head(
        ws,
        &[
            "序号",
            "题型",
            "题目",
            "答案",
            "分值",
            "答题队伍",
            "评判",
            "得失分",
            "撤销",
        ],
    )
    .map_err(xlsx)?;
    let mut row = 1;
    for q in &r.questions {
        let lines = q.judgements.len().max(1);
        for k in 0..lines {
            ws.write_number(row, 0, q.position as f64).map_err(xlsx)?;
            ws.write_string(row, 1, q.round.label_zh()).map_err(xlsx)?;
            ws.write_string(row, 2, safe(&q.stem)).map_err(xlsx)?;
            let answer = match q.answer.as_str() {
                "true" => "对",
                "false" => "错",
                a => a,
            };
            ws.write_string(row, 3, safe(answer)).map_err(xlsx)?;
            ws.write_number(row, 4, q.points as f64).map_err(xlsx)?;
            if let Some(j) = q.judgements.get(k) {
                ws.write_string(row, 5, safe(&j.team)).map_err(xlsx)?;
                ws.write_string(row, 6, if j.correct { "正确" } else { "错误" })
                    .map_err(xlsx)?;
                ws.write_number(row, 7, j.points as f64).map_err(xlsx)?;
                ws.write_string(row, 8, if j.undone { "已撤销" } else { "" })
                    .map_err(xlsx)?;
            }
            row += 1;
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("抢答记录").map_err(xlsx)?;
    head(
        ws,
        &[
            "序号",
            "顺位",
            "队伍",
            "到达时间",
            "到达(ms)",
            "手机时钟(ms)",
            "反应(ms)",
            "时差(ms)",
            "往返(ms)",
            "判定按下(ms)",
            "依据",
        ],
    )
    .map_err(xlsx)?;
    let mut row = 1;
    for q in &r.questions {
        for b in &q.buzzes {
            ws.write_number(row, 0, q.position as f64).map_err(xlsx)?;
            ws.write_number(row, 1, b.rank as f64).map_err(xlsx)?;
            ws.write_string(row, 2, safe(&b.team)).map_err(xlsx)?;
            ws.write_string(row, 3, &b.arrived_at).map_err(xlsx)?;
            for (col, v) in [
                (4, b.arrived_ms),
                (5, b.client_ms),
                (6, b.reaction_ms),
                (7, b.offset_ms),
                (8, b.rtt_ms),
                (9, b.pressed_ms),
            ] {
                ws.write_number(row, col, v as f64).map_err(xlsx)?;
            }
            ws.write_string(row, 10, &b.basis).map_err(xlsx)?;
            row += 1;
        }
    }
    let bytes = wb.save_to_buffer().map_err(xlsx)?;
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("competition.export", "competition", Some(id), &c.title).unit(Id(c.unit_id)),
    )
    .await?;
    Ok((format!("{}-{}.xlsx", c.title, c.held_on), bytes))
}
