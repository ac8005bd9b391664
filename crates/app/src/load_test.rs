//! Members signed in for a load test (压测), as `xueshi bench quiz` needs
//! them: a session each without the password hashing of a sign-in, which
//! would take longer than the run it prepares.

use xueshi_domain::Id;
use xueshi_domain::access::Role;
use xueshi_store::accounts::NewAccount;
use xueshi_store::sessions::SessionRow;

use crate::audit::{Audited, Entry};
use crate::auth::{hash_password, random_token, token_digest};
use crate::permit::allow_shell;
use crate::{App, AppResult, Ctx, maintenance};

/// Members whose accounts and sessions are committed at once.
const CHUNK: usize = 5_000;

/// A member with a fresh account and an open session.
pub struct SignedIn {
    pub member: Id,
    /// The session cookie's value.
    pub token: String,
    pub csrf: String,
}

/// Gives up to `members` members without an account, spread over the tree,
/// an account (member role, an unknown random password) and a session.
/// Only the deployer at the shell may: it opens sessions nobody signed in to.
pub async fn sign_in_members(app: &App, ctx: &Ctx, members: usize) -> AppResult<Vec<SignedIn>> {
    let allowed = allow_shell(ctx)?;
    let picked = {
        let mut c = app.store().read().await?;
        xueshi_store::members::without_account(&mut c, members as i64).await?
    };
    let hash = hash_password(random_token()).await?;
    let now = app.now();
    let mut out = Vec::with_capacity(picked.len());
    // Committed in chunks, with the statistics measured after the first: on
    // PostgreSQL the foreign-key checks of one long transaction keep the
    // plan made while accounts and sessions were nearly empty (a scan), so
    // each insert read every row inserted before it (60,000 members ran
    // for more than five minutes).
    for (chunk_no, chunk) in picked.chunks(CHUNK).enumerate() {
        let mut tx = Audited::begin(app, allowed).await?;
        for (member, unit, _) in chunk {
            let id = app.next_id().0;
            let username = format!("bench{now}-{}", out.len());
            xueshi_store::accounts::insert(
                &mut tx,
                &NewAccount {
                    id,
                    username: &username,
                    display_name: &username,
                    password_hash: &hash,
                    role: Role::Member.as_str(),
                    scope_unit_id: *unit,
                    member_id: Some(*member),
                    can_unmask: false,
                    now,
                },
            )
            .await?;
            let token = random_token();
            let row = SessionRow {
                id: app.next_id().0,
                token_digest: token_digest(&token),
                account_id: id,
                csrf_token: random_token(),
                created_at: now,
                last_seen_at: now,
                idle_timeout_ms: app.settings().idle_ms,
                expires_at: now + app.settings().absolute_ms,
                revoked_at: None,
            };
            xueshi_store::sessions::insert(&mut tx, &row, &ctx.ip, "load test").await?;
            out.push(SignedIn {
                member: Id(*member),
                token,
                csrf: row.csrf_token,
            });
        }
        let label = format!("{} members", chunk.len());
        tx.commit(Entry::new("load_test.sign_in", "account", None, &label))
            .await?;
        if chunk_no == 0 {
            maintenance::refresh_statistics(app).await?;
        }
    }
    maintenance::refresh_statistics(app).await?;
    Ok(out)
}
