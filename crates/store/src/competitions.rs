//! Competition rows: the competition and its pace, teams, seated phones,
//! the questions as played, the buzz log and the judgements.

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::unit::UnitPath;

use crate::Result;
use crate::bulk::{Value, insert_rows};

#[derive(Clone, Debug, FromRow)]
pub struct CompetitionRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub unit_path: UnitPath,
    pub title: String,
    pub held_on: String,
    pub seats_per_team: i64,
    pub answer_seconds: i64,
    pub state: String,
    pub position: i64,
    pub phase: String,
    pub unlock_at: Option<i64>,
    pub paused: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

const COMPETITION: &str = "SELECT c.id, c.unit_id, u.name AS unit_name, u.path AS unit_path, c.title, c.held_on, \
    c.seats_per_team, c.answer_seconds, c.state, c.position, c.phase, c.unlock_at, c.paused, c.created_at, \
    c.finished_at FROM competitions c JOIN units u ON u.id = c.unit_id";

pub async fn insert(conn: &mut AnyConnection, c: &CompetitionRow, by: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO competitions (id, unit_id, title, held_on, seats_per_team, answer_seconds, state, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'ready', $7, $8)",
    )
    .bind(c.id)
    .bind(c.unit_id)
    .bind(&c.title)
    .bind(&c.held_on)
    .bind(c.seats_per_team)
    .bind(c.answer_seconds)
    .bind(by)
    .bind(c.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<CompetitionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COMPETITION} WHERE c.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn of_unit(conn: &mut AnyConnection, unit: i64) -> Result<Vec<CompetitionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COMPETITION} WHERE c.unit_id = $1 ORDER BY c.held_on DESC, c.id DESC"
    )))
    .bind(unit)
    .fetch_all(&mut *conn)
    .await
}

/// Competitions of the subtree finished within the days (both included),
/// for the figure; `limit` 0 counts only.
pub async fn finished_in(
    conn: &mut AnyConnection,
    root: &UnitPath,
    (from, to): (&str, &str),
    limit: i64,
    offset: i64,
) -> Result<(Vec<CompetitionRow>, i64)> {
    let (lo, hi) = root.subtree_range();
    const WHERE: &str = "WHERE u.path >= $1 AND u.path < $2 AND c.state = 'finished' AND c.held_on >= $3 AND c.held_on <= $4";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM competitions c JOIN units u ON u.id = c.unit_id {WHERE}"
    )))
    .bind(&lo)
    .bind(&hi)
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await?;
    if limit == 0 {
        return Ok((Vec::new(), total));
    }
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COMPETITION} {WHERE} ORDER BY c.held_on, u.path, c.id LIMIT {limit} OFFSET {offset}"
    )))
    .bind(&lo)
    .bind(&hi)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    Ok((rows, total))
}

/// Keeps the pace: state, position, phase, unlock and pause.
pub async fn set_pace(conn: &mut AnyConnection, c: &CompetitionRow) -> Result<()> {
    sqlx::query(
        "UPDATE competitions SET state = $2, position = $3, phase = $4, unlock_at = $5, paused = $6, \
         finished_at = $7 WHERE id = $1",
    )
    .bind(c.id)
    .bind(&c.state)
    .bind(c.position)
    .bind(&c.phase)
    .bind(c.unlock_at)
    .bind(c.paused)
    .bind(c.finished_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct TeamRow {
    pub id: i64,
    pub competition_id: i64,
    pub position: i64,
    pub name: String,
    pub unit_id: Option<i64>,
    pub join_code: String,
}

pub async fn insert_teams(conn: &mut AnyConnection, teams: &[TeamRow]) -> Result<u64> {
    let rows = teams
        .iter()
        .map(|t| {
            vec![
                t.id.into(),
                t.competition_id.into(),
                t.position.into(),
                t.name.as_str().into(),
                t.unit_id.into(),
                t.join_code.as_str().into(),
            ]
        })
        .collect::<Vec<Vec<Value>>>();
    insert_rows(
        conn,
        "competition_teams",
        &[
            "id",
            "competition_id",
            "position",
            "name",
            "unit_id",
            "join_code",
        ],
        rows,
        "",
    )
    .await
}

const TEAM: &str =
    "SELECT id, competition_id, position, name, unit_id, join_code FROM competition_teams";

pub async fn teams(conn: &mut AnyConnection, competition: i64) -> Result<Vec<TeamRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TEAM} WHERE competition_id = $1 ORDER BY position"
    )))
    .bind(competition)
    .fetch_all(&mut *conn)
    .await
}

pub async fn team_by_code(conn: &mut AnyConnection, code: &str) -> Result<Option<TeamRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{TEAM} WHERE join_code = $1")))
        .bind(code)
        .fetch_optional(&mut *conn)
        .await
}

/// The team a phone's token seats it with.
pub async fn seat(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<TeamRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TEAM} WHERE id = (SELECT team_id FROM competition_seats WHERE token_hash = $1)"
    )))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn seats_taken(conn: &mut AnyConnection, team: i64) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM competition_seats WHERE team_id = $1")
        .bind(team)
        .fetch_one(&mut *conn)
        .await
}

pub async fn insert_seat(
    conn: &mut AnyConnection,
    token_hash: &str,
    team: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO competition_seats (token_hash, team_id, joined_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(team)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct QuestionRow {
    pub competition_id: i64,
    pub position: i64,
    pub round_kind: String,
    pub question_id: Option<i64>,
    pub stem: String,
    pub options: String,
    pub answer: String,
    pub points: i64,
    pub team_id: Option<i64>,
}

pub async fn insert_questions(conn: &mut AnyConnection, qs: &[QuestionRow]) -> Result<u64> {
    let rows = qs
        .iter()
        .map(|q| {
            vec![
                q.competition_id.into(),
                q.position.into(),
                q.round_kind.as_str().into(),
                q.question_id.into(),
                q.stem.as_str().into(),
                q.options.as_str().into(),
                q.answer.as_str().into(),
                q.points.into(),
                q.team_id.into(),
            ]
        })
        .collect::<Vec<Vec<Value>>>();
    insert_rows(
        conn,
        "competition_questions",
        &[
            "competition_id",
            "position",
            "round_kind",
            "question_id",
            "stem",
            "options",
            "answer",
            "points",
            "team_id",
        ],
        rows,
        "",
    )
    .await
}

pub async fn questions(conn: &mut AnyConnection, competition: i64) -> Result<Vec<QuestionRow>> {
    sqlx::query_as(
        "SELECT competition_id, position, round_kind, question_id, stem, options, answer, points, team_id \
         FROM competition_questions WHERE competition_id = $1 ORDER BY position",
    )
    .bind(competition)
    .fetch_all(&mut *conn)
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct BuzzRow {
    pub competition_id: i64,
    pub position: i64,
    pub team_id: i64,
    pub arrived_at: i64,
    pub arrival_seq: i64,
    pub client_at: i64,
    pub reaction_ms: i64,
    pub offset_ms: i64,
    pub rtt_ms: i64,
    pub pressed_at: i64,
    pub basis: String,
}

/// Logs buzzes; a team's second buzz on a question is not kept.
pub async fn insert_buzzes(conn: &mut AnyConnection, buzzes: &[BuzzRow]) -> Result<u64> {
    let rows = buzzes
        .iter()
        .map(|b| {
            vec![
                b.competition_id.into(),
                b.position.into(),
                b.team_id.into(),
                b.arrived_at.into(),
                b.arrival_seq.into(),
                b.client_at.into(),
                b.reaction_ms.into(),
                b.offset_ms.into(),
                b.rtt_ms.into(),
                b.pressed_at.into(),
                b.basis.as_str().into(),
            ]
        })
        .collect::<Vec<Vec<Value>>>();
    insert_rows(
        conn,
        "competition_buzzes",
        &[
            "competition_id",
            "position",
            "team_id",
            "arrived_at",
            "arrival_seq",
            "client_at",
            "reaction_ms",
            "offset_ms",
            "rtt_ms",
            "pressed_at",
            "basis",
        ],
        rows,
        " ON CONFLICT (competition_id, position, team_id) DO NOTHING",
    )
    .await
}

pub async fn buzzes(conn: &mut AnyConnection, competition: i64) -> Result<Vec<BuzzRow>> {
    sqlx::query_as(
        "SELECT competition_id, position, team_id, arrived_at, arrival_seq, client_at, reaction_ms, offset_ms, \
         rtt_ms, pressed_at, basis FROM competition_buzzes WHERE competition_id = $1 ORDER BY position, arrival_seq",
    )
    .bind(competition)
    .fetch_all(&mut *conn)
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct JudgementRow {
    pub id: i64,
    pub competition_id: i64,
    pub position: i64,
    pub team_id: i64,
    pub correct: i64,
    pub points: i64,
    pub judged_at: i64,
    pub undone_at: Option<i64>,
}

pub async fn insert_judgement(conn: &mut AnyConnection, j: &JudgementRow, by: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO competition_judgements (id, competition_id, position, team_id, correct, points, judged_by, \
         judged_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(j.id)
    .bind(j.competition_id)
    .bind(j.position)
    .bind(j.team_id)
    .bind(j.correct)
    .bind(j.points)
    .bind(by)
    .bind(j.judged_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn undo_judgement(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE competition_judgements SET undone_at = $2 WHERE id = $1 AND undone_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn judgements(conn: &mut AnyConnection, competition: i64) -> Result<Vec<JudgementRow>> {
    sqlx::query_as(
        "SELECT id, competition_id, position, team_id, correct, points, judged_at, undone_at \
         FROM competition_judgements WHERE competition_id = $1 ORDER BY judged_at, id",
    )
    .bind(competition)
    .fetch_all(&mut *conn)
    .await
}
