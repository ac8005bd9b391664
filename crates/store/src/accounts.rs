//! Accounts: who can log in, with which role and scope, and the lockout state.

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::access::Role;
use xueshi_domain::unit::UnitPath;

use crate::Result;

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub scope_unit_id: i64,
    pub scope_path: String,
    pub scope_name: String,
    pub member_id: Option<i64>,
    pub can_unmask: i64,
    pub locale: String,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub disabled: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl AccountRow {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Member)
    }
    pub fn scope(&self) -> UnitPath {
        UnitPath::parse(&self.scope_path)
            .unwrap_or_else(|| UnitPath::root(xueshi_domain::Id(self.scope_unit_id)))
    }
}

const SELECT: &str = "SELECT a.id, a.username, a.display_name, a.password_hash, a.role, a.scope_unit_id, \
    u.path AS scope_path, u.name AS scope_name, a.member_id, a.can_unmask, a.locale, a.failed_logins, a.locked_until, \
    a.disabled, a.created_at, a.updated_at FROM accounts a JOIN units u ON u.id = a.scope_unit_id";

#[derive(Clone, Debug)]
pub struct NewAccount<'a> {
    pub id: i64,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub scope_unit_id: i64,
    pub member_id: Option<i64>,
    pub can_unmask: bool,
    pub now: i64,
}

pub async fn insert(conn: &mut AnyConnection, a: &NewAccount<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO accounts (id, username, display_name, password_hash, role, scope_unit_id, member_id, can_unmask, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(a.id)
    .bind(a.username)
    .bind(a.display_name)
    .bind(a.password_hash)
    .bind(a.role)
    .bind(a.scope_unit_id)
    .bind(a.member_id)
    .bind(i64::from(a.can_unmask))
    .bind(a.now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<AccountRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn by_username(conn: &mut AnyConnection, username: &str) -> Result<Option<AccountRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.username = $1"
    )))
    .bind(username)
    .fetch_optional(&mut *conn)
    .await
}

/// Accounts whose scope lies inside a subtree.
pub async fn in_subtree(
    conn: &mut AnyConnection,
    root: &UnitPath,
    limit: i64,
) -> Result<Vec<AccountRow>> {
    let (lo, hi) = root.subtree_range();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE u.path >= $1 AND u.path < $2 ORDER BY a.role, a.username LIMIT $3"
    )))
    .bind(lo)
    .bind(hi)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// Records a failed login; locks the account until `lock_until` when given.
pub async fn record_failure(
    conn: &mut AnyConnection,
    id: i64,
    lock_until: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET failed_logins = failed_logins + 1, locked_until = COALESCE($2, locked_until), \
         updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(lock_until)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Clears the failure count and any lock.
pub async fn clear_failures(conn: &mut AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_password(conn: &mut AnyConnection, id: i64, hash: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_locale(conn: &mut AnyConnection, id: i64, locale: &str) -> Result<()> {
    sqlx::query("UPDATE accounts SET locale = $2 WHERE id = $1")
        .bind(id)
        .bind(locale)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_disabled(
    conn: &mut AnyConnection,
    id: i64,
    disabled: bool,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE accounts SET disabled = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(i64::from(disabled))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) FROM accounts")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)
}

/// After locking, the count starts again for when the lock ends.
pub async fn clear_failures_keep_lock(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE accounts SET failed_logins = 0 WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Accounts changed at or after `since` (password, disabling, unlocking);
/// an account made then and not changed since is not among them.
pub async fn changed_since(conn: &mut AnyConnection, since: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM accounts WHERE updated_at >= $1 AND updated_at > created_at")
        .bind(since)
        .fetch_all(&mut *conn)
        .await
}
