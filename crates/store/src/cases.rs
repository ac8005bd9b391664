//! Typical-case rounds (典型案例评选): the nominated matters and the
//! public's votes, counted from the votes themselves.

use sqlx::{AnyConnection, FromRow};

use crate::Result;

#[derive(Clone, Debug, FromRow)]
pub struct RoundRow {
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
    pub closes_at: i64,
    pub created_at: i64,
}

pub async fn insert_round(
    conn: &mut AnyConnection,
    r: &RoundRow,
    nominees: &[(i64, String)],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_rounds (id, unit_id, title, closes_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(r.id)
    .bind(r.unit_id)
    .bind(&r.title)
    .bind(r.closes_at)
    .bind(r.created_at)
    .execute(&mut *conn)
    .await?;
    for (matter, blurb) in nominees {
        sqlx::query("INSERT INTO case_nominees (round_id, matter_id, blurb) VALUES ($1, $2, $3)")
            .bind(r.id)
            .bind(*matter)
            .bind(blurb)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn get_round(conn: &mut AnyConnection, id: i64) -> Result<Option<RoundRow>> {
    sqlx::query_as(
        "SELECT id, unit_id, title, closes_at, created_at FROM case_rounds WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// Every round, newest first.
pub async fn rounds(conn: &mut AnyConnection, limit: i64) -> Result<Vec<RoundRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, unit_id, title, closes_at, created_at FROM case_rounds ORDER BY created_at DESC, id DESC \
         LIMIT {limit}"
    )))
    .fetch_all(&mut *conn)
    .await
}

/// A nominee with its votes.
#[derive(Clone, Debug, FromRow)]
pub struct NomineeRow {
    pub matter_id: i64,
    pub title: String,
    pub unit: String,
    pub blurb: String,
    pub votes: i64,
}

/// A round's nominees, most votes first.
pub async fn nominees(conn: &mut AnyConnection, round: i64) -> Result<Vec<NomineeRow>> {
    sqlx::query_as(
        "SELECT n.matter_id, m.title, u.name AS unit, n.blurb, \
         (SELECT COUNT(*) FROM case_votes v WHERE v.round_id = n.round_id AND v.matter_id = n.matter_id) AS votes \
         FROM case_nominees n JOIN matters m ON m.id = n.matter_id JOIN units u ON u.id = m.unit_id \
         WHERE n.round_id = $1 ORDER BY votes DESC, n.matter_id",
    )
    .bind(round)
    .fetch_all(&mut *conn)
    .await
}

/// Counts one more vote from a source unless it has reached `ceiling`;
/// false when it has.
pub async fn take_source_vote(
    conn: &mut AnyConnection,
    round: i64,
    source: &str,
    ceiling: i64,
) -> Result<bool> {
    sqlx::query(
        "INSERT INTO case_vote_sources (round_id, source, votes) VALUES ($1, $2, 0) \
         ON CONFLICT (round_id, source) DO NOTHING",
    )
    .bind(round)
    .bind(source)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        "UPDATE case_vote_sources SET votes = votes + 1 WHERE round_id = $1 AND source = $2 AND votes < $3",
    )
    .bind(round)
    .bind(source)
    .bind(ceiling)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a voter's vote; false when this voter has voted in the round.
pub async fn add_vote(
    conn: &mut AnyConnection,
    round: i64,
    voter: &str,
    matter: i64,
    at: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO case_votes (round_id, voter, matter_id, at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (round_id, voter) DO NOTHING",
    )
    .bind(round)
    .bind(voter)
    .bind(matter)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
