//! Signing in and out: password checks with lockout, server-side sessions
//! with idle and absolute expiry, and the CSRF token each session carries.
//!
//! Owns the session lifecycle and a short-lived in-process cache of resolved
//! sessions so that busy pages do not read the sessions table on every
//! request. It must not know about cookies or headers; the web layer passes
//! the raw token in and gets an actor out.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use xueshi_domain::access::Actor;
use xueshi_domain::{FieldError, Id};
use xueshi_store::accounts::{self, AccountRow};
use xueshi_store::sessions::{self, SessionRow};

use crate::audit::{Audited, Entry};
use crate::{App, AppError, AppResult};

/// A resolved, live session.
#[derive(Clone, Debug)]
pub struct Session {
    pub actor: Actor,
    pub csrf: String,
    pub locale: String,
    pub token_digest: String,
    /// Signed in with a login slip or an administrator's reset: nothing but
    /// choosing a new password until it is done.
    pub must_change_password: bool,
}

/// What a successful login hands back: the cookie value and the session.
#[derive(Clone, Debug)]
pub struct LoggedIn {
    pub token: String,
    pub session: Session,
}

/// How long a resolved session is trusted without re-reading the row, and
/// how stale `last_seen_at` may get before it is written back.
const CACHE_MS: i64 = 20_000;
const TOUCH_MS: i64 = 60_000;
/// Touches are written together, at most this often: one write transaction
/// per request would make every request queue behind the database writer
/// (the daily quiz fell to 1,000 submissions a second that way).
const FLUSH_MS: i64 = 1_000;
/// How often a server reads the sessions ended and the accounts changed
/// anywhere (another process, the CLI), and how recent its last look must be
/// for a cached session to be trusted past `CACHE_MS`: while the watch runs,
/// a member's requests read nothing, and an ending elsewhere takes effect
/// within seconds.
const WATCH_MS: u64 = 1_000;
const WATCH_FRESH_MS: i64 = 3_000;
/// Each look reads this far back before the previous one, so a transaction
/// that committed late is still seen.
const WATCH_OVERLAP_MS: i64 = 60_000;

#[derive(Default)]
pub(crate) struct SessionCache {
    entries: Mutex<HashMap<String, Cached>>,
    touched: Mutex<Touched>,
    /// When the revocation watch last looked (0: it does not run).
    watched_at: std::sync::atomic::AtomicI64,
}

/// `last_seen_at` values not yet written back, by token digest with the
/// session's id: those waiting (and when the oldest came) and those being
/// written now.
#[derive(Default)]
struct Touched {
    since: i64,
    waiting: HashMap<String, (i64, i64)>,
    writing: HashMap<String, (i64, i64)>,
}

#[derive(Clone)]
struct Cached {
    row: SessionRow,
    session: Session,
    fetched_at: i64,
}

impl SessionCache {
    fn get(&self, digest: &str) -> Option<Cached> {
        self.entries.lock().ok()?.get(digest).cloned()
    }
    fn put(&self, digest: String, c: Cached) {
        if let Ok(mut m) = self.entries.lock() {
            if m.len() > 200_000 {
                m.clear();
            }
            m.insert(digest, c);
        }
    }
    fn forget(&self, digest: &str) {
        if let Ok(mut m) = self.entries.lock() {
            m.remove(digest);
        }
    }
    /// Remembers a touch; returns the batch to write when one is due and no
    /// other batch is being written.
    fn touch(&self, digest: String, id: i64, now: i64) -> Option<Vec<(i64, i64)>> {
        let mut t = self.touched.lock().ok()?;
        if t.waiting.is_empty() {
            t.since = now;
        }
        t.waiting.insert(digest, (id, now));
        if now - t.since < FLUSH_MS || !t.writing.is_empty() {
            return None;
        }
        t.writing = std::mem::take(&mut t.waiting);
        Some(t.writing.values().copied().collect())
    }
    /// The batch being written is in the database now, or, when writing
    /// failed, waits again for the next one.
    fn written(&self, ok: bool) {
        if let Ok(mut t) = self.touched.lock() {
            let batch = std::mem::take(&mut t.writing);
            if !ok {
                for (d, (id, at)) in batch {
                    let newer = t.waiting.get(&d).is_some_and(|w| w.1 > at);
                    if !newer {
                        t.waiting.insert(d, (id, at));
                    }
                }
            }
        }
    }
    /// A touch remembered but not yet in the database.
    fn pending(&self, digest: &str) -> Option<i64> {
        let t = self.touched.lock().ok()?;
        t.waiting
            .get(digest)
            .or_else(|| t.writing.get(digest))
            .map(|w| w.1)
    }
    /// Drops every cached session: the units accounts are scoped to moved.
    pub(crate) fn clear(&self) {
        if let Ok(mut m) = self.entries.lock() {
            m.clear();
        }
    }
    fn trusted(&self, c: &Cached, now: i64) -> bool {
        let watched = self.watched_at.load(std::sync::atomic::Ordering::SeqCst);
        now - c.fetched_at < CACHE_MS || (watched > 0 && now - watched < WATCH_FRESH_MS)
    }
    pub(crate) fn forget_account(&self, account: i64) {
        self.forget_accounts(&HashSet::from([account]));
    }
    fn forget_accounts(&self, accounts: &HashSet<i64>) {
        if let Ok(mut m) = self.entries.lock() {
            m.retain(|_, c| !accounts.contains(&c.row.account_id));
        }
    }
}

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// What the sessions table keeps of a session token (never the token).
pub fn token_digest(token: &str) -> String {
    digest(token)
}

fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Hashes a password with Argon2id off the async threads.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(anyhow::anyhow!("hash: {e}")))
}

pub(crate) async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// Whether `password` is the account's: its login slip's while it holds
/// one, else its Argon2 hash's.
pub(crate) async fn password_matches(app: &App, account: &AccountRow, password: &str) -> bool {
    match &account.slip_sealed {
        Some(sealed) => {
            // The slip's password is random and kept sealed, so comparing it
            // costs no hashing; the comparison is constant-time all the same.
            let slip = app.vault().open(sealed).unwrap_or_default();
            // As long as a hash check, so timing tells no one which
            // accounts are still on their slip.
            let _ = verify_password(password.to_owned(), DUMMY_HASH.to_owned()).await;
            let (a, b) = (slip.as_bytes(), password.as_bytes());
            let mut diff = a.len() ^ b.len();
            for (x, y) in a.iter().zip(b.iter()) {
                diff |= usize::from(x ^ y);
            }
            diff == 0 && !slip.is_empty()
        }
        None => verify_password(password.to_owned(), account.password_hash.clone()).await,
    }
}

/// A password must have at least 8 characters and not be only digits.
pub fn check_password(password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if !(8..=128).contains(&n) || password.chars().all(|c| c.is_ascii_digit()) {
        Err(FieldError::new("password", "weak_password"))
    } else {
        Ok(())
    }
}

pub(crate) fn actor_of(a: &AccountRow) -> Actor {
    Actor {
        account_id: Id(a.id),
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        role: a.role(),
        scope_unit: Id(a.scope_unit_id),
        scope: a.scope(),
        can_unmask: a.can_unmask != 0,
        member_id: a.member_id.map(Id),
    }
}

/// Checks a username and password. Five failures in a row lock the account
/// for fifteen minutes; every attempt is audited.
pub async fn login(
    app: &App,
    username: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
) -> AppResult<LoggedIn> {
    let username = username.trim();
    let now = app.now();
    let s = app.settings();
    let mut conn = app.store().read().await?;
    let account = accounts::by_username(&mut conn, username).await?;
    drop(conn);
    let stale_before = now - s.lockout_ms;
    let Some(account) = account else {
        // An unknown name is counted and locked like a real one, with the same
        // work per attempt, so neither the answer nor its timing tells them apart.
        let name: String = username.chars().take(64).collect();
        let reserved = {
            let mut tx = app.store().write().await?;
            let r = accounts::reserve_unknown_attempt(
                &mut tx,
                &name,
                now,
                s.lockout_after,
                stale_before,
            )
            .await?;
            tx.commit().await?;
            r
        };
        let outcome = if reserved.is_some() {
            "failed"
        } else {
            "denied"
        };
        if reserved.is_some() {
            let _ = verify_password(password.to_owned(), DUMMY_HASH.to_owned()).await;
        }
        let mut tx = Audited::visitor(app, None, username, ip).await?;
        let locked = match reserved {
            None => Some(
                accounts::unknown_locked_until(&mut tx, &name)
                    .await?
                    .filter(|u| *u > now)
                    .unwrap_or(now + s.lockout_ms),
            ),
            Some(n) if n >= s.lockout_after => {
                accounts::lock_unknown(&mut tx, &name, now + s.lockout_ms, s.lockout_after).await?;
                Some(now + s.lockout_ms)
            }
            Some(_) => None,
        };
        tx.commit_as(Entry::new("login", "account", None, username), outcome)
            .await?;
        return Err(match locked {
            Some(until) => AppError::Locked { until },
            None => AppError::invalid("password", "bad_credentials"),
        });
    };
    let entry = || {
        Entry::new("login", "account", Some(Id(account.id)), &account.username)
            .unit(Id(account.scope_unit_id))
    };
    // The attempt is counted before the password is checked, in its own
    // transaction, so parallel guesses cannot all pass one stale count.
    let reserved = {
        let mut tx = app.store().write().await?;
        let r = accounts::reserve_attempt(&mut tx, account.id, now, s.lockout_after, stale_before)
            .await?;
        tx.commit().await?;
        r
    };
    let Some(attempt) = reserved else {
        let mut tx = Audited::visitor(app, Some(account.id), username, ip).await?;
        let until = accounts::locked_until(&mut tx, account.id)
            .await?
            .filter(|u| *u > now)
            .unwrap_or(now + s.lockout_ms);
        tx.commit_as(entry(), "denied").await?;
        return Err(AppError::Locked { until });
    };
    let ok = password_matches(app, &account, password).await && account.disabled == 0;
    let mut tx = Audited::visitor(app, Some(account.id), username, ip).await?;
    if !ok {
        let lock = (attempt >= s.lockout_after).then_some(now + s.lockout_ms);
        if let Some(until) = lock {
            accounts::lock(&mut tx, account.id, until, s.lockout_after).await?;
        }
        tx.commit_as(entry(), "failed").await?;
        return Err(match lock {
            Some(until) => AppError::Locked { until },
            None => AppError::invalid("password", "bad_credentials"),
        });
    }
    accounts::clear_failures(&mut tx, account.id, now).await?;
    let token = random_token();
    let idle = if account.role().is_admin() {
        s.admin_idle_ms
    } else {
        s.idle_ms
    };
    let row = SessionRow {
        id: app.next_id().0,
        token_digest: digest(&token),
        account_id: account.id,
        csrf_token: random_token(),
        created_at: now,
        last_seen_at: now,
        idle_timeout_ms: idle,
        expires_at: now + s.absolute_ms,
        revoked_at: None,
    };
    let ua: String = user_agent.chars().take(200).collect();
    sessions::insert(&mut tx, &row, ip, &ua).await?;
    tx.commit(entry()).await?;
    let session = Session {
        actor: actor_of(&account),
        csrf: row.csrf_token.clone(),
        locale: account.locale.clone(),
        token_digest: row.token_digest.clone(),
        must_change_password: account.must_change_password != 0,
    };
    app.sessions().put(
        row.token_digest.clone(),
        Cached {
            row,
            session: session.clone(),
            fetched_at: now,
        },
    );
    Ok(LoggedIn { token, session })
}

/// A valid Argon2 hash of a random string, for timing-equal failures.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3mXqHK8eFjJQ7jm6CXbtUYy5Kq9wJ0+1zRr3D7BsmJI";

/// The live session a cookie token stands for, if any. Expired, idle and
/// revoked sessions resolve to `None`.
pub async fn resolve(app: &App, token: &str) -> AppResult<Option<Session>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let d = digest(token);
    let now = app.now();
    let cached = app
        .sessions()
        .get(&d)
        .filter(|c| app.sessions().trusted(c, now));
    let mut c = match cached {
        Some(c) => c,
        None => {
            // Read what is waiting to be written before the row: a batch that
            // commits in between is then in one or the other.
            let waiting = app.sessions().pending(&d);
            let mut conn = app.store().read().await?;
            let Some(mut row) = sessions::get(&mut conn, &d).await? else {
                return Ok(None);
            };
            if let Some(at) = waiting {
                row.last_seen_at = row.last_seen_at.max(at);
            }
            let Some(account) = accounts::get(&mut conn, row.account_id).await? else {
                return Ok(None);
            };
            if account.disabled != 0 {
                return Ok(None);
            }
            let session = Session {
                actor: actor_of(&account),
                csrf: row.csrf_token.clone(),
                locale: account.locale.clone(),
                token_digest: d.clone(),
                must_change_password: account.must_change_password != 0,
            };
            Cached {
                row,
                session,
                fetched_at: now,
            }
        }
    };
    let r = &c.row;
    if r.revoked_at.is_some() || now >= r.expires_at || now - r.last_seen_at > r.idle_timeout_ms {
        app.sessions().forget(&d);
        return Ok(None);
    }
    if now - c.row.last_seen_at > TOUCH_MS {
        c.row.last_seen_at = now;
        if let Some(batch) = app.sessions().touch(d.clone(), c.row.id, now) {
            // Written off the request's path; the cache holds the truth meanwhile.
            let app = app.clone();
            tokio::spawn(async move {
                let result = write_touches(&app, &batch).await;
                if let Err(e) = &result {
                    tracing::warn!(error = %e, "recording session activity failed");
                }
                app.sessions().written(result.is_ok());
            });
        }
    }
    let session = c.session.clone();
    app.sessions().put(d, c);
    Ok(Some(session))
}

/// Reads, once a second while the app lives, the sessions ended and the
/// accounts changed since the last look, and drops them from the cache.
pub async fn watch_revocations(app: App) {
    let weak = app.clone_for_worker();
    drop(app);
    let mut since = i64::MIN;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(WATCH_MS)).await;
        let Some(app) = weak.upgrade() else { return };
        let started = app.now();
        if since == i64::MIN {
            since = started - WATCH_OVERLAP_MS;
        }
        let seen = async {
            let mut conn = app.store().read().await?;
            let ended = sessions::revoked_since(&mut conn, since).await?;
            let changed = accounts::changed_since(&mut conn, since).await?;
            Ok::<_, sqlx::Error>((ended, changed))
        }
        .await;
        match seen {
            Ok((ended, changed)) => {
                for d in ended {
                    app.sessions().forget(&d);
                }
                if !changed.is_empty() {
                    let changed: HashSet<i64> = changed.into_iter().collect();
                    app.sessions().forget_accounts(&changed);
                }
                app.sessions()
                    .watched_at
                    .store(started, std::sync::atomic::Ordering::SeqCst);
                since = started - WATCH_OVERLAP_MS;
            }
            Err(e) => {
                app.sessions()
                    .watched_at
                    .store(0, std::sync::atomic::Ordering::SeqCst);
                if app.store().pool().is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "reading ended sessions failed");
            }
        }
    }
}

/// Writes a batch of touches in one transaction, on the direct writer when
/// there is one (the quiz's batches keep their page cache that way).
async fn write_touches(app: &App, batch: &[(i64, i64)]) -> AppResult<()> {
    if app.store().has_direct_writer() {
        let batch = batch.to_vec();
        app.store()
            .write_direct(move |tx| sessions::touch_many_direct(tx, &batch))
            .await?;
        return Ok(());
    }
    let mut tx = app.store().write().await?;
    sessions::touch_many(&mut tx, batch).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends a session on the server: the token is worthless afterwards.
pub async fn logout(app: &App, session: &Session, ip: &str) -> AppResult<()> {
    let now = app.now();
    let a = &session.actor;
    let mut tx = Audited::visitor(app, Some(a.account_id.0), &a.username, ip).await?;
    sessions::revoke(&mut tx, &session.token_digest, now).await?;
    let e = Entry::new("logout", "account", Some(a.account_id), &a.username).unit(a.scope_unit);
    tx.commit(e).await?;
    app.sessions().forget(&session.token_digest);
    Ok(())
}

/// Ends every session of an account, in this process's cache too.
pub(crate) async fn end_sessions(
    app: &App,
    conn: &mut sqlx::AnyConnection,
    account: i64,
) -> AppResult<()> {
    sessions::revoke_account(conn, account, app.now()).await?;
    app.sessions().forget_account(account);
    Ok(())
}

/// Remembers the language a signed-in user chose.
pub async fn set_locale(app: &App, session: &Session, locale: &str) -> AppResult<()> {
    let mut tx = app.store().write().await?;
    accounts::set_locale(&mut tx, session.actor.account_id.0, locale).await?;
    tx.commit().await?;
    app.sessions().forget(&session.token_digest);
    Ok(())
}

/// Deletes long-dead sessions; run now and then.
pub async fn purge_sessions(app: &App) -> AppResult<u64> {
    let mut tx = app.store().write().await?;
    let now = app.now();
    let n = sessions::purge(&mut tx, now).await?;
    accounts::purge_throttle(&mut tx, now - app.settings().lockout_ms).await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_parses() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(check_password("12345678").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("xueshi-2021").is_ok());
    }
}
