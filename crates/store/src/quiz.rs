//! Quiz rows: the question bank, daily-quiz attempts (one per member per
//! day) and members' streaks.

use std::collections::HashMap;

use sqlx::{AnyConnection, FromRow, Row};
use xueshi_domain::quiz::{QuestionKind, QuestionOptions};

use crate::Result;
use crate::bulk::{Value, insert_row_direct, insert_rows, insert_rows_returning};
use crate::units::placeholders;
#[derive(Clone, Debug, FromRow)]
pub struct QuestionRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: QuestionKind,
    pub stem: String,
    #[sqlx(try_from = "String")]
    pub options: QuestionOptions,
    pub answer: String,
    pub explanation: String,
    pub tags: String,
    pub difficulty: i64,
    /// 0 once the office retires it: no longer drawn for a paper.
    pub active: i64,
}

const QUESTION_COLUMNS: &str =
    "id, kind, stem, options, answer, explanation, tags, difficulty, active";

pub async fn insert_questions(
    conn: &mut AnyConnection,
    rows: &[(QuestionRow, String)],
    now: i64,
) -> Result<u64> {
    let values = rows
        .iter()
        .map(|(q, fingerprint)| {
            vec![
                Value::from(q.id),
                Value::from(q.kind.as_str()),
                Value::from(q.stem.as_str()),
                Value::from(fingerprint.as_str()),
                Value::from(q.options.to_json()),
                Value::from(q.answer.as_str()),
                Value::from(q.explanation.as_str()),
                Value::from(q.tags.as_str()),
                Value::from(q.difficulty),
                Value::from(now),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "questions",
        &[
            "id",
            "kind",
            "stem",
            "fingerprint",
            "options",
            "answer",
            "explanation",
            "tags",
            "difficulty",
            "created_at",
        ],
        values,
        "",
    )
    .await
}

/// Which of these fingerprints the bank already holds.
pub async fn known_fingerprints(
    conn: &mut AnyConnection,
    prints: &[String],
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for chunk in prints.chunks(500) {
        let list = placeholders(1, chunk.len());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT fingerprint FROM questions WHERE fingerprint IN ({list})"
        )));
        for p in chunk {
            q = q.bind(p.as_str());
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push(row.try_get(0)?);
        }
    }
    Ok(out)
}

/// Ids of the questions in use, in id order.
pub async fn active_question_ids(conn: &mut AnyConnection) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT id FROM questions WHERE active = 1 ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

pub async fn questions_by_id(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<QuestionRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, ids.len());
    let mut q = sqlx::query_as::<_, QuestionRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {QUESTION_COLUMNS} FROM questions WHERE id IN ({list})"
    )));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(&mut *conn).await
}

pub async fn questions(
    conn: &mut AnyConnection,
    limit: i64,
    offset: i64,
) -> Result<Vec<QuestionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {QUESTION_COLUMNS} FROM questions ORDER BY id LIMIT $1 OFFSET $2"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await
}

/// Every question in use, in id order.
pub async fn active_questions(conn: &mut AnyConnection) -> Result<Vec<QuestionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {QUESTION_COLUMNS} FROM questions WHERE active = 1 ORDER BY id"
    )))
    .fetch_all(&mut *conn)
    .await
}

pub async fn question(conn: &mut AnyConnection, id: i64) -> Result<Option<QuestionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {QUESTION_COLUMNS} FROM questions WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// The question holding a fingerprint, if any.
pub async fn fingerprint_owner(conn: &mut AnyConnection, print: &str) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM questions WHERE fingerprint = $1")
        .bind(print)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// Rewrites a question's fields (not its id, nor whether it is in use).
pub async fn update_question(conn: &mut AnyConnection, q: &QuestionRow, print: &str) -> Result<()> {
    sqlx::query(
        "UPDATE questions SET kind = $1, stem = $2, fingerprint = $3, options = $4, answer = $5, explanation = $6, tags = $7, difficulty = $8 WHERE id = $9",
    )
    .bind(q.kind.as_str())
    .bind(q.stem.as_str())
    .bind(print)
    .bind(q.options.to_json())
    .bind(q.answer.as_str())
    .bind(q.explanation.as_str())
    .bind(q.tags.as_str())
    .bind(q.difficulty)
    .bind(q.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_question_active(conn: &mut AnyConnection, id: i64, active: bool) -> Result<()> {
    sqlx::query("UPDATE questions SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn count_questions(conn: &mut AnyConnection) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) FROM questions")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)
}

#[derive(Clone, Debug, FromRow)]
pub struct AttemptRow {
    pub member_id: i64,
    pub day: String,
    pub unit_id: i64,
    pub questions: String,
    pub answers: String,
    pub correct: i64,
    pub total: i64,
    pub started_at: i64,
    pub submitted_at: i64,
}

/// Stores attempts, many per statement; a member's second attempt of a day
/// is ignored. Returns which of `rows` were stored.
pub async fn insert_attempts(conn: &mut AnyConnection, rows: &[AttemptRow]) -> Result<Vec<bool>> {
    let stored: std::collections::HashSet<(i64, String)> = insert_rows_returning(
        conn,
        "quiz_attempts",
        &ATTEMPT_COLUMNS,
        rows.iter().map(attempt_values).collect(),
        &format!("{ATTEMPT_ONCE} RETURNING member_id, day"),
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect::<Result<_>>()?;
    Ok(rows
        .iter()
        .map(|a| stored.contains(&(a.member_id, a.day.clone())))
        .collect())
}

/// As [`insert_attempts`], on the direct writer.
pub fn insert_attempts_direct(
    tx: &rusqlite::Transaction<'_>,
    rows: &[AttemptRow],
) -> rusqlite::Result<Vec<bool>> {
    rows.iter()
        .map(|a| {
            Ok(insert_row_direct(
                tx,
                "quiz_attempts",
                &ATTEMPT_COLUMNS,
                &attempt_values(a),
                ATTEMPT_ONCE,
            )? == 1)
        })
        .collect()
}

/// A member's second attempt of a day is not stored.
const ATTEMPT_ONCE: &str = "ON CONFLICT (member_id, day) DO NOTHING";

const ATTEMPT_COLUMNS: [&str; 9] = [
    "member_id",
    "day",
    "unit_id",
    "questions",
    "answers",
    "correct",
    "total",
    "started_at",
    "submitted_at",
];

fn attempt_values(a: &AttemptRow) -> Vec<Value> {
    vec![
        Value::from(a.member_id),
        Value::from(a.day.as_str()),
        Value::from(a.unit_id),
        Value::from(a.questions.as_str()),
        Value::from(a.answers.as_str()),
        Value::from(a.correct),
        Value::from(a.total),
        Value::from(a.started_at),
        Value::from(a.submitted_at),
    ]
}

/// Stores attempts known to be new (demo data), many per statement.
pub async fn insert_attempts_bulk(conn: &mut AnyConnection, rows: &[AttemptRow]) -> Result<u64> {
    insert_rows(
        conn,
        "quiz_attempts",
        &ATTEMPT_COLUMNS,
        rows.iter().map(attempt_values).collect(),
        "",
    )
    .await
}

pub async fn count_attempts(conn: &mut AnyConnection) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) FROM quiz_attempts")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)
}

pub async fn attempt(
    conn: &mut AnyConnection,
    member: i64,
    day: &str,
) -> Result<Option<AttemptRow>> {
    sqlx::query_as(
        "SELECT member_id, day, unit_id, questions, answers, correct, total, started_at, submitted_at \
         FROM quiz_attempts WHERE member_id = $1 AND day = $2",
    )
    .bind(member)
    .bind(day)
    .fetch_optional(&mut *conn)
    .await
}

#[derive(Clone, Debug, Default, FromRow, PartialEq, Eq)]
pub struct StreakRow {
    pub member_id: i64,
    pub last_day: String,
    pub current_run: i64,
    pub best_run: i64,
    pub quizzes: i64,
    pub correct: i64,
}

pub async fn streaks(conn: &mut AnyConnection, members: &[i64]) -> Result<HashMap<i64, StreakRow>> {
    let mut out = HashMap::new();
    for chunk in members.chunks(500) {
        let list = placeholders(1, chunk.len());
        let mut q = sqlx::query_as::<_, StreakRow>(sqlx::AssertSqlSafe(format!(
            "SELECT member_id, last_day, current_run, best_run, quizzes, correct FROM member_streaks WHERE member_id IN ({list})"
        )));
        for m in chunk {
            q = q.bind(*m);
        }
        for s in q.fetch_all(&mut *conn).await? {
            out.insert(s.member_id, s);
        }
    }
    Ok(out)
}

/// As [`streaks`], on the direct writer: one cached lookup a member.
pub fn streaks_direct(
    tx: &rusqlite::Transaction<'_>,
    members: &[i64],
) -> rusqlite::Result<HashMap<i64, StreakRow>> {
    let mut st = tx.prepare_cached(
        "SELECT member_id, last_day, current_run, best_run, quizzes, correct FROM member_streaks WHERE member_id = ?",
    )?;
    let mut out = HashMap::new();
    for m in members {
        let mut rows = st.query([m])?;
        if let Some(r) = rows.next()? {
            out.insert(
                *m,
                StreakRow {
                    member_id: r.get(0)?,
                    last_day: r.get(1)?,
                    current_run: r.get(2)?,
                    best_run: r.get(3)?,
                    quizzes: r.get(4)?,
                    correct: r.get(5)?,
                },
            );
        }
    }
    Ok(out)
}

/// Up to `limit` attempts (member, day, correct answers) of the members
/// after `after`, member by member and day by day.
pub async fn attempt_days(
    conn: &mut AnyConnection,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT member_id, day, correct FROM quiz_attempts WHERE member_id > $1 \
         ORDER BY member_id, day LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// The stored runs of the members with ids between `after` and `before`
/// (both excluded), by member.
pub async fn streaks_between(
    conn: &mut AnyConnection,
    after: i64,
    before: i64,
) -> Result<Vec<StreakRow>> {
    sqlx::query_as(
        "SELECT member_id, last_day, current_run, best_run, quizzes, correct FROM member_streaks \
         WHERE member_id > $1 AND member_id < $2 ORDER BY member_id",
    )
    .bind(after)
    .bind(before)
    .fetch_all(&mut *conn)
    .await
}

pub async fn put_streaks(conn: &mut AnyConnection, rows: &[StreakRow]) -> Result<()> {
    let values = rows.iter().map(streak_values).collect();
    insert_rows(
        conn,
        "member_streaks",
        &STREAK_COLUMNS,
        values,
        STREAK_UPSERT,
    )
    .await?;
    Ok(())
}

/// As [`put_streaks`], on the direct writer.
pub fn put_streaks_direct(
    tx: &rusqlite::Transaction<'_>,
    rows: &[StreakRow],
) -> rusqlite::Result<()> {
    for s in rows {
        insert_row_direct(
            tx,
            "member_streaks",
            &STREAK_COLUMNS,
            &streak_values(s),
            STREAK_UPSERT,
        )?;
    }
    Ok(())
}

const STREAK_COLUMNS: [&str; 6] = [
    "member_id",
    "last_day",
    "current_run",
    "best_run",
    "quizzes",
    "correct",
];
const STREAK_UPSERT: &str = "ON CONFLICT (member_id) DO UPDATE SET last_day = excluded.last_day, \
     current_run = excluded.current_run, best_run = excluded.best_run, quizzes = excluded.quizzes, \
     correct = excluded.correct";

fn streak_values(s: &StreakRow) -> Vec<Value> {
    vec![
        Value::from(s.member_id),
        Value::from(s.last_day.as_str()),
        Value::from(s.current_run),
        Value::from(s.best_run),
        Value::from(s.quizzes),
        Value::from(s.correct),
    ]
}

/// The members under a subtree with the longest runs still going (their
/// last quiz on or after `since`). A large subtree walks the runs from the
/// longest down and stops at `limit`; a small one starts from its units.
pub async fn top_streaks(
    conn: &mut AnyConnection,
    range: &(String, String),
    since: &str,
    limit: i64,
    large: bool,
) -> Result<Vec<(i64, String, i64, i64)>> {
    let sql = if large {
        // CROSS JOIN keeps SQLite to this order; PostgreSQL plans it freely.
        // The unit's path is looked up per member rather than joined: with
        // statistics, SQLite builds a Bloom filter over every unit first
        // (60 ms at a province root, against 0.2 ms for the walk itself).
        "SELECT m.id, m.name, s.current_run, s.correct FROM member_streaks s CROSS JOIN members m \
         WHERE m.id = s.member_id AND (SELECT u.path FROM units u WHERE u.id = m.unit_id) >= $1 \
         AND (SELECT u.path FROM units u WHERE u.id = m.unit_id) < $2 AND s.last_day >= $3 \
         ORDER BY s.current_run DESC, s.correct DESC, s.member_id DESC LIMIT $4"
    } else {
        "SELECT m.id, m.name, s.current_run, s.correct FROM units u JOIN members m ON m.unit_id = u.id \
         JOIN member_streaks s ON s.member_id = m.id WHERE u.path >= $1 AND u.path < $2 AND s.last_day >= $3 \
         ORDER BY s.current_run DESC, s.correct DESC, s.member_id DESC LIMIT $4"
    };
    let rows = sqlx::query(sql)
        .bind(&range.0)
        .bind(&range.1)
        .bind(since)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect()
}
