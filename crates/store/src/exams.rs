//! Exam rows: exams, their rosters, make-up lists, sittings and the answers
//! saved as they are given.

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::unit::UnitPath;

use crate::Result;
use crate::bulk::{Value, insert_rows};

#[derive(Clone, Debug, FromRow)]
pub struct ExamRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub unit_path: UnitPath,
    pub title: String,
    pub opens_at: i64,
    pub closes_at: i64,
    pub minutes: i64,
    pub pass_mark: i64,
    pub attempts: i64,
    pub blueprint: String,
    pub fixed_paper: Option<String>,
    pub makeup_failed: i64,
    pub makeup_days: i64,
    pub makeups_at: Option<i64>,
    pub created_at: i64,
}

const EXAM: &str = "SELECT e.id, e.unit_id, u.name AS unit_name, u.path AS unit_path, e.title, e.opens_at, \
    e.closes_at, e.minutes, e.pass_mark, e.attempts, e.blueprint, e.fixed_paper, e.makeup_failed, e.makeup_days, \
    e.makeups_at, e.created_at FROM exams e JOIN units u ON u.id = e.unit_id";

pub async fn insert(conn: &mut AnyConnection, e: &ExamRow, by: Option<i64>) -> Result<()> {
    sqlx::query(
        "INSERT INTO exams (id, unit_id, title, opens_at, closes_at, minutes, pass_mark, attempts, blueprint, \
         fixed_paper, makeup_failed, makeup_days, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(e.id)
    .bind(e.unit_id)
    .bind(&e.title)
    .bind(e.opens_at)
    .bind(e.closes_at)
    .bind(e.minutes)
    .bind(e.pass_mark)
    .bind(e.attempts)
    .bind(&e.blueprint)
    .bind(e.fixed_paper.as_deref())
    .bind(e.makeup_failed)
    .bind(e.makeup_days)
    .bind(by)
    .bind(e.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<ExamRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{EXAM} WHERE e.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// A unit's own exams, latest first.
pub async fn of_unit(conn: &mut AnyConnection, unit: i64) -> Result<Vec<ExamRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{EXAM} WHERE e.unit_id = $1 ORDER BY e.opens_at DESC, e.id DESC"
    )))
    .bind(unit)
    .fetch_all(&mut *conn)
    .await
}

/// Exams a member is on the roster or the make-up list of.
pub async fn of_member(conn: &mut AnyConnection, member: i64) -> Result<Vec<ExamRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{EXAM} WHERE e.id IN (SELECT exam_id FROM exam_roster WHERE member_id = $1) \
         OR e.id IN (SELECT exam_id FROM exam_makeups WHERE member_id = $1) ORDER BY e.opens_at DESC, e.id DESC"
    )))
    .bind(member)
    .fetch_all(&mut *conn)
    .await
}

/// Exams whose window has closed and whose make-ups are not made yet.
pub async fn closed_without_makeups(conn: &mut AnyConnection, now: i64) -> Result<Vec<ExamRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{EXAM} WHERE e.makeups_at IS NULL AND e.closes_at <= $1 ORDER BY e.closes_at"
    )))
    .bind(now)
    .fetch_all(&mut *conn)
    .await
}

/// Marks the make-ups made; false when another writer did first.
pub async fn mark_makeups(conn: &mut AnyConnection, exam: i64, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE exams SET makeups_at = $2 WHERE id = $1 AND makeups_at IS NULL")
        .bind(exam)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn insert_roster(
    conn: &mut AnyConnection,
    exam: i64,
    rows: &[(i64, i64)],
) -> Result<u64> {
    let values = rows
        .iter()
        .map(|(member, unit)| vec![exam.into(), (*member).into(), (*unit).into()])
        .collect::<Vec<Vec<Value>>>();
    insert_rows(
        conn,
        "exam_roster",
        &["exam_id", "member_id", "unit_id"],
        values,
        "",
    )
    .await
}

/// A roster line with the member's name and the unit sat for.
#[derive(Clone, Debug, FromRow)]
pub struct RosterRow {
    pub member_id: i64,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub unit_path: UnitPath,
}

/// The roster in the tree's order.
pub async fn roster(conn: &mut AnyConnection, exam: i64) -> Result<Vec<RosterRow>> {
    sqlx::query_as(
        "SELECT r.member_id, m.name, r.unit_id, u.name AS unit_name, u.path AS unit_path FROM exam_roster r \
         JOIN members m ON m.id = r.member_id JOIN units u ON u.id = r.unit_id WHERE r.exam_id = $1 \
         ORDER BY u.path, m.name, r.member_id",
    )
    .bind(exam)
    .fetch_all(&mut *conn)
    .await
}

pub async fn on_roster(conn: &mut AnyConnection, exam: i64, member: i64) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM exam_roster WHERE exam_id = $1 AND member_id = $2")
            .bind(exam)
            .bind(member)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

#[derive(Clone, Debug, FromRow)]
pub struct MakeupRow {
    pub exam_id: i64,
    pub member_id: i64,
    pub reason: String,
    pub note: String,
    pub opens_at: i64,
    pub closes_at: i64,
}

pub async fn insert_makeup(conn: &mut AnyConnection, m: &MakeupRow, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO exam_makeups (exam_id, member_id, reason, note, opens_at, closes_at, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS \
         (SELECT 1 FROM exam_makeups WHERE exam_id = $1 AND member_id = $2)",
    )
    .bind(m.exam_id)
    .bind(m.member_id)
    .bind(&m.reason)
    .bind(&m.note)
    .bind(m.opens_at)
    .bind(m.closes_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn makeups(conn: &mut AnyConnection, exam: i64) -> Result<Vec<MakeupRow>> {
    sqlx::query_as(
        "SELECT exam_id, member_id, reason, note, opens_at, closes_at FROM exam_makeups WHERE exam_id = $1",
    )
    .bind(exam)
    .fetch_all(&mut *conn)
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct SittingRow {
    pub id: i64,
    pub exam_id: i64,
    pub member_id: i64,
    pub round: i64,
    pub attempt: i64,
    pub paper: String,
    pub started_at: i64,
    pub deadline_at: i64,
    pub submitted_at: Option<i64>,
    pub correct: Option<i64>,
    pub total: i64,
    pub score: Option<i64>,
    pub passed: Option<i64>,
    pub source: String,
}

const SITTING: &str = "SELECT id, exam_id, member_id, round, attempt, paper, started_at, deadline_at, submitted_at, \
    correct, total, score, passed, source FROM exam_sittings";

pub async fn insert_sitting(conn: &mut AnyConnection, s: &SittingRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO exam_sittings (id, exam_id, member_id, round, attempt, paper, started_at, deadline_at, \
         submitted_at, correct, total, score, passed, source) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(s.id)
    .bind(s.exam_id)
    .bind(s.member_id)
    .bind(s.round)
    .bind(s.attempt)
    .bind(&s.paper)
    .bind(s.started_at)
    .bind(s.deadline_at)
    .bind(s.submitted_at)
    .bind(s.correct)
    .bind(s.total)
    .bind(s.score)
    .bind(s.passed)
    .bind(&s.source)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn sitting(conn: &mut AnyConnection, id: i64) -> Result<Option<SittingRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SITTING} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// A member's sittings of an exam, first first.
pub async fn sittings_of(
    conn: &mut AnyConnection,
    exam: i64,
    member: i64,
) -> Result<Vec<SittingRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SITTING} WHERE exam_id = $1 AND member_id = $2 ORDER BY round, attempt"
    )))
    .bind(exam)
    .bind(member)
    .fetch_all(&mut *conn)
    .await
}

/// Every sitting of an exam.
pub async fn sittings(conn: &mut AnyConnection, exam: i64) -> Result<Vec<SittingRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SITTING} WHERE exam_id = $1 ORDER BY member_id, round, attempt"
    )))
    .bind(exam)
    .fetch_all(&mut *conn)
    .await
}

/// Sittings of an exam not handed in whose deadline is before `before`.
pub async fn timed_out(
    conn: &mut AnyConnection,
    exam: i64,
    before: i64,
) -> Result<Vec<SittingRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SITTING} WHERE exam_id = $1 AND submitted_at IS NULL AND deadline_at < $2"
    )))
    .bind(exam)
    .bind(before)
    .fetch_all(&mut *conn)
    .await
}

/// Keeps an answer as given (again: the latest stands).
pub async fn save_answer(
    conn: &mut AnyConnection,
    sitting: i64,
    question: i64,
    answer: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO exam_answers (sitting_id, question_id, answer, saved_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sitting_id, question_id) DO UPDATE SET answer = excluded.answer, saved_at = excluded.saved_at",
    )
    .bind(sitting)
    .bind(question)
    .bind(answer)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn answers(conn: &mut AnyConnection, sitting: i64) -> Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT question_id, answer FROM exam_answers WHERE sitting_id = $1")
        .bind(sitting)
        .fetch_all(&mut *conn)
        .await
}

/// Hands a sitting in with its score; false when it already was.
pub async fn finish(
    conn: &mut AnyConnection,
    id: i64,
    at: i64,
    correct: i64,
    score: i64,
    passed: bool,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE exam_sittings SET submitted_at = $2, correct = $3, score = $4, passed = $5 \
         WHERE id = $1 AND submitted_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .bind(correct)
    .bind(score)
    .bind(i64::from(passed))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Answers kept for an exam's sittings, for the bench's check.
pub async fn answers_stored(conn: &mut AnyConnection, exam: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM exam_answers a JOIN exam_sittings s ON s.id = a.sitting_id WHERE s.exam_id = $1",
    )
    .bind(exam)
    .fetch_one(&mut *conn)
    .await
}

/// The paper a unit printed for a round, as JSON question ids.
pub async fn printed_paper(
    conn: &mut AnyConnection,
    exam: i64,
    unit: i64,
    round: i64,
) -> Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT paper FROM exam_papers WHERE exam_id = $1 AND unit_id = $2 AND round = $3",
    )
    .bind(exam)
    .bind(unit)
    .bind(round)
    .fetch_optional(&mut *conn)
    .await
}

/// Every paper printed for an exam's round: (unit, JSON question ids).
pub async fn printed_papers(
    conn: &mut AnyConnection,
    exam: i64,
    round: i64,
) -> Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT unit_id, paper FROM exam_papers WHERE exam_id = $1 AND round = $2")
        .bind(exam)
        .bind(round)
        .fetch_all(&mut *conn)
        .await
}

/// Keeps a unit's printed paper; false when one was already drawn.
pub async fn insert_printed_paper(
    conn: &mut AnyConnection,
    exam: i64,
    unit: i64,
    round: i64,
    paper: &str,
    by: i64,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO exam_papers (exam_id, unit_id, round, paper, drawn_by, drawn_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (exam_id, unit_id, round) DO NOTHING",
    )
    .bind(exam)
    .bind(unit)
    .bind(round)
    .bind(paper)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Corrects the marks of a paper sitting.
pub async fn remark(
    conn: &mut AnyConnection,
    id: i64,
    at: i64,
    correct: i64,
    score: i64,
    passed: bool,
) -> Result<()> {
    sqlx::query(
        "UPDATE exam_sittings SET submitted_at = $2, correct = $3, score = $4, passed = $5 \
         WHERE id = $1 AND source = 'paper'",
    )
    .bind(id)
    .bind(at)
    .bind(correct)
    .bind(score)
    .bind(i64::from(passed))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes a member off the make-up list made for absence, once paper marks
/// show they sat; or records that they failed instead.
pub async fn settle_absent_makeup(
    conn: &mut AnyConnection,
    exam: i64,
    member: i64,
    failed_stays: bool,
) -> Result<()> {
    let sql = if failed_stays {
        "UPDATE exam_makeups SET reason = 'failed' WHERE exam_id = $1 AND member_id = $2 AND reason = 'absent'"
    } else {
        "DELETE FROM exam_makeups WHERE exam_id = $1 AND member_id = $2 AND reason = 'absent' \
         AND NOT EXISTS (SELECT 1 FROM exam_sittings s WHERE s.exam_id = $1 AND s.member_id = $2 AND s.round = 2)"
    };
    sqlx::query(sql)
        .bind(exam)
        .bind(member)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
