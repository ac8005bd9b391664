//! Login sessions, stored server-side so logout and expiry are real.

use sqlx::{AnyConnection, FromRow};

use crate::Result;

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct SessionRow {
    /// Time-ordered, from the id generator: the key of its activity row.
    pub id: i64,
    pub token_digest: String,
    pub account_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub idle_timeout_ms: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

pub async fn insert(
    conn: &mut AnyConnection,
    s: &SessionRow,
    ip: &str,
    user_agent: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, token_digest, account_id, csrf_token, created_at, idle_timeout_ms, \
         expires_at, revoked_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9)",
    )
    .bind(s.id)
    .bind(&s.token_digest)
    .bind(s.account_id)
    .bind(&s.csrf_token)
    .bind(s.created_at)
    .bind(s.idle_timeout_ms)
    .bind(s.expires_at)
    .bind(ip)
    .bind(user_agent)
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO session_activity (session_id, last_seen_at) VALUES ($1, $2)")
        .bind(s.id)
        .bind(s.last_seen_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, token_digest: &str) -> Result<Option<SessionRow>> {
    sqlx::query_as(
        "SELECT s.id, s.token_digest, s.account_id, s.csrf_token, s.created_at, a.last_seen_at, s.idle_timeout_ms, \
         s.expires_at, s.revoked_at FROM sessions s JOIN session_activity a ON a.session_id = s.id \
         WHERE s.token_digest = $1",
    )
    .bind(token_digest)
    .fetch_optional(&mut *conn)
    .await
}

/// Records when sessions (by id) were last used, many per statement; a
/// value older than the stored one changes nothing. VALUES names its columns
/// `column1`, `column2` on both databases.
pub async fn touch_many(conn: &mut AnyConnection, touches: &[(i64, i64)]) -> Result<()> {
    let (per, anonymous) = crate::bulk::per_statement(conn, 2);
    for chunk in touches.chunks(per) {
        let sql = format!(
            "UPDATE session_activity SET last_seen_at = v.column2 FROM (VALUES {}) AS v \
             WHERE session_activity.session_id = v.column1 AND session_activity.last_seen_at < v.column2",
            crate::bulk::values_list(chunk.len(), 2, anonymous)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, at) in chunk {
            q = q.bind(*id).bind(*at);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// [`touch_many`] on the direct writer (see `Store::write_direct`): one
/// cached statement per session, no hop between threads. Touching through
/// the pool would also make the direct writer drop its page cache (SQLite
/// clears a connection's cache whenever another connection has written).
pub fn touch_many_direct(
    tx: &rusqlite::Transaction<'_>,
    touches: &[(i64, i64)],
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "UPDATE session_activity SET last_seen_at = ?2 WHERE session_id = ?1 AND last_seen_at < ?2",
    )?;
    for (id, at) in touches {
        stmt.execute(rusqlite::params![id, at])?;
    }
    Ok(())
}

pub async fn revoke(conn: &mut AnyConnection, token_digest: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET revoked_at = $2 WHERE token_digest = $1 AND revoked_at IS NULL",
    )
    .bind(token_digest)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Digests of the sessions ended at or after `since`.
pub async fn revoked_since(conn: &mut AnyConnection, since: i64) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT token_digest FROM sessions WHERE revoked_at >= $1")
        .bind(since)
        .fetch_all(&mut *conn)
        .await
}

/// Ends every session of an account (password change, disabling).
pub async fn revoke_account(conn: &mut AnyConnection, account_id: i64, now: i64) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
    )
    .bind(account_id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Deletes sessions that ended more than a day ago.
pub async fn purge(conn: &mut AnyConnection, now: i64) -> Result<u64> {
    let cutoff = now - 86_400_000;
    Ok(sqlx::query(
        "DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1 OR id IN \
         (SELECT a.session_id FROM session_activity a JOIN sessions s ON s.id = a.session_id \
         WHERE a.last_seen_at + s.idle_timeout_ms < $1)",
    )
    .bind(cutoff)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}
