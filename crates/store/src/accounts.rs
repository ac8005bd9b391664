//! Accounts: who can log in, with which role and scope, and the lockout state.

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::access::Role;
use xueshi_domain::unit::UnitPath;

use crate::Result;
use crate::bulk::{Value, insert_rows};

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub scope_unit_id: i64,
    #[sqlx(try_from = "String")]
    pub scope_path: UnitPath,
    pub scope_name: String,
    pub member_id: Option<i64>,
    pub can_unmask: i64,
    pub locale: String,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub disabled: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub must_change_password: i64,
    /// The login slip's password, sealed, until its holder changes it.
    pub slip_sealed: Option<Vec<u8>>,
}

impl AccountRow {
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn scope(&self) -> UnitPath {
        self.scope_path.clone()
    }
}

const SELECT: &str = "SELECT a.id, a.username, a.display_name, a.password_hash, a.role, a.scope_unit_id, \
    u.path AS scope_path, u.name AS scope_name, a.member_id, a.can_unmask, a.locale, a.failed_logins, a.locked_until, \
    a.disabled, a.created_at, a.updated_at, a.must_change_password, a.slip_sealed FROM accounts a JOIN units u ON u.id = a.scope_unit_id";

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

/// Staff accounts (every role but member) whose scope lies inside a
/// subtree; members' accounts are kept with their units.
pub async fn in_subtree(
    conn: &mut AnyConnection,
    root: &UnitPath,
    limit: i64,
) -> Result<Vec<AccountRow>> {
    let (lo, hi) = root.subtree_range();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE u.path >= $1 AND u.path < $2 AND a.role <> 'member' ORDER BY a.role, a.username LIMIT $3"
    )))
    .bind(lo)
    .bind(hi)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// Reserves one password check for an account, counting it as a failure
/// until it succeeds: one statement, so however many attempts arrive at once
/// at most `max` are ever evaluated before the account locks. `None` when the
/// account is locked or its checks are all in use. A count left at `max`
/// without a lock (a server stopped mid-check) is stale after `stale_before`.
pub async fn reserve_attempt(
    conn: &mut AnyConnection,
    id: i64,
    now: i64,
    max: i64,
    stale_before: i64,
) -> Result<Option<i64>> {
    sqlx::query_scalar(
        "UPDATE accounts SET failed_logins = CASE WHEN failed_logins >= $3 THEN 1 ELSE failed_logins + 1 END, \
         locked_until = NULL, updated_at = $2 \
         WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) \
         AND (failed_logins < $3 OR updated_at <= $4) RETURNING failed_logins",
    )
    .bind(id)
    .bind(now)
    .bind(max)
    .bind(stale_before)
    .fetch_optional(&mut *conn)
    .await
}

/// After a failed check that used the last reserved attempt: locks the
/// account until `until`, and the count starts again for when it ends.
pub async fn lock(conn: &mut AnyConnection, id: i64, until: i64, max: i64) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET locked_until = $2, failed_logins = 0 WHERE id = $1 AND failed_logins >= $3",
    )
    .bind(id)
    .bind(until)
    .bind(max)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Until when an account is locked, if it is.
pub async fn locked_until(conn: &mut AnyConnection, id: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("SELECT locked_until FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten(),
    )
}

/// [`reserve_attempt`] for a name that matches no account.
pub async fn reserve_unknown_attempt(
    conn: &mut AnyConnection,
    name: &str,
    now: i64,
    max: i64,
    stale_before: i64,
) -> Result<Option<i64>> {
    sqlx::query_scalar(
        "INSERT INTO login_throttle (name, failures, locked_until, updated_at) VALUES ($1, 1, NULL, $2) \
         ON CONFLICT (name) DO UPDATE SET \
         failures = CASE WHEN login_throttle.failures >= $3 THEN 1 ELSE login_throttle.failures + 1 END, \
         locked_until = NULL, updated_at = $2 \
         WHERE login_throttle.locked_until IS NULL OR login_throttle.locked_until <= $2 \
         AND (login_throttle.failures < $3 OR login_throttle.updated_at <= $4) \
         RETURNING failures",
    )
    .bind(name)
    .bind(now)
    .bind(max)
    .bind(stale_before)
    .fetch_optional(&mut *conn)
    .await
}

/// [`lock`] for a name that matches no account.
pub async fn lock_unknown(
    conn: &mut AnyConnection,
    name: &str,
    until: i64,
    max: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE login_throttle SET locked_until = $2, failures = 0 WHERE name = $1 AND failures >= $3",
    )
    .bind(name)
    .bind(until)
    .bind(max)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Until when a name that matches no account is locked, if it is.
pub async fn unknown_locked_until(conn: &mut AnyConnection, name: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT locked_until FROM login_throttle WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?
    .flatten())
}

/// Forgets unknown names whose lock ended and whose count went stale.
pub async fn purge_throttle(conn: &mut AnyConnection, stale_before: i64) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM login_throttle WHERE updated_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)",
    )
    .bind(stale_before)
    .execute(&mut *conn)
    .await?
    .rows_affected())
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

/// Sets a password by its hash, dropping any login slip; `must_change`
/// obliges its holder to choose another at the next sign-in.
pub async fn set_password(
    conn: &mut AnyConnection,
    id: i64,
    hash: &str,
    must_change: bool,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET password_hash = $2, must_change_password = $3, slip_sealed = NULL, \
         updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(hash)
    .bind(i64::from(must_change))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives an account a fresh login slip: its sealed password replaces the
/// one it had, and must be changed at the next sign-in.
pub async fn set_slip(conn: &mut AnyConnection, id: i64, sealed: &[u8], now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET password_hash = '', must_change_password = 1, slip_sealed = $2, \
         updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(sealed)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A member account made in bulk, signing in by its slip until changed.
#[derive(Clone, Debug)]
pub struct NewMemberAccount {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub scope_unit_id: i64,
    pub member_id: i64,
    pub slip_sealed: Vec<u8>,
}

/// Inserts member accounts in one statement per batch.
pub async fn insert_members(
    conn: &mut AnyConnection,
    rows: &[NewMemberAccount],
    now: i64,
) -> Result<()> {
    let values = rows
        .iter()
        .map(|a| {
            vec![
                Value::from(a.id),
                Value::from(a.username.as_str()),
                Value::from(a.display_name.as_str()),
                Value::from(""),
                Value::from("member"),
                Value::from(a.scope_unit_id),
                Value::from(a.member_id),
                Value::Bytes(Some(a.slip_sealed.clone())),
                Value::from(1i64),
                Value::from(now),
                Value::from(now),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "accounts",
        &[
            "id",
            "username",
            "display_name",
            "password_hash",
            "role",
            "scope_unit_id",
            "member_id",
            "slip_sealed",
            "must_change_password",
            "created_at",
            "updated_at",
        ],
        values,
        "",
    )
    .await?;
    Ok(())
}

/// A member with no account yet, for issuing one.
#[derive(Clone, Debug, FromRow)]
pub struct Unaccounted {
    pub member_id: i64,
    pub name: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub phone_sealed: Option<Vec<u8>>,
}

/// The current members of a subtree who have no account, by unit.
pub async fn unaccounted_members(
    conn: &mut AnyConnection,
    root: &UnitPath,
) -> Result<Vec<Unaccounted>> {
    let (lo, hi) = root.subtree_range();
    sqlx::query_as(
        "SELECT m.id AS member_id, m.name, m.unit_id, u.code AS unit_code, m.phone_sealed \
         FROM members m JOIN units u ON u.id = m.unit_id \
         WHERE u.path >= $1 AND u.path < $2 AND m.left_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = m.id) \
         ORDER BY u.path, m.id",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await
}

/// User names that start with `prefix` (a unit code and `-`), for numbering
/// the next member codes.
pub async fn usernames_with_prefix(conn: &mut AnyConnection, prefix: &str) -> Result<Vec<String>> {
    let hi = format!("{prefix}\u{10FFFF}");
    sqlx::query_scalar("SELECT username FROM accounts WHERE username >= $1 AND username < $2")
        .bind(prefix)
        .bind(hi)
        .fetch_all(&mut *conn)
        .await
}

/// Which of some user names are taken.
pub async fn taken(conn: &mut AnyConnection, names: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for chunk in names.chunks(500) {
        let list = crate::units::placeholders(1, chunk.len());
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT username FROM accounts WHERE username IN ({list})"
        )));
        for n in chunk {
            q = q.bind(n);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// A member account still holding its login slip, with where it belongs.
#[derive(Clone, Debug, FromRow)]
pub struct SlipRow {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub slip_sealed: Vec<u8>,
}

/// The member accounts of a subtree that have not yet signed in with their
/// slip, by unit and name.
pub async fn slips_in_subtree(
    conn: &mut AnyConnection,
    root: &UnitPath,
    limit: i64,
) -> Result<Vec<SlipRow>> {
    let (lo, hi) = root.subtree_range();
    sqlx::query_as(
        "SELECT a.id AS account_id, a.username, a.display_name, u.id AS unit_id, u.name AS unit_name, \
         a.slip_sealed FROM accounts a JOIN units u ON u.id = a.scope_unit_id \
         WHERE u.path >= $1 AND u.path < $2 AND a.slip_sealed IS NOT NULL AND a.disabled = 0 \
         ORDER BY u.path, a.username LIMIT $3",
    )
    .bind(lo)
    .bind(hi)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// The account linked to a member, if any.
pub async fn of_member(conn: &mut AnyConnection, member: i64) -> Result<Option<AccountRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.member_id = $1"
    )))
    .bind(member)
    .fetch_optional(&mut *conn)
    .await
}

/// Moves a member's account with them; returns its id when there is one.
pub async fn follow_member(
    conn: &mut AnyConnection,
    member: i64,
    unit: i64,
    now: i64,
) -> Result<Option<i64>> {
    sqlx::query_scalar(
        "UPDATE accounts SET scope_unit_id = $2, updated_at = $3 WHERE member_id = $1 AND role = 'member' \
         RETURNING id",
    )
    .bind(member)
    .bind(unit)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await
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

/// Accounts changed at or after `since` (password, disabling, unlocking);
/// an account made then and not changed since is not among them.
pub async fn changed_since(conn: &mut AnyConnection, since: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM accounts WHERE updated_at >= $1 AND updated_at > created_at")
        .bind(since)
        .fetch_all(&mut *conn)
        .await
}
