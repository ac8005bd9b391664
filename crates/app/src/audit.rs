//! Appending to and reading the audit log.

use serde::Serialize;
use sqlx::AnyConnection;
use xueshi_domain::Id;
use xueshi_domain::access::{Action, Role};
use xueshi_store::audit::AuditFilter;
pub use xueshi_store::audit::AuditRow;

use crate::permit::{Allowed, allow_in_scope};
use crate::{App, AppResult, Ctx};

/// What a write did, for the log.
#[derive(Debug)]
pub struct Entry<'a> {
    pub action: &'static str,
    pub object_kind: &'static str,
    pub object_id: Option<Id>,
    pub label: &'a str,
    /// The unit the object belongs to; decides who may read the entry.
    pub unit: Option<Id>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Entry<'a> {
    pub fn new(
        action: &'static str,
        object_kind: &'static str,
        object_id: Option<Id>,
        label: &'a str,
    ) -> Self {
        Entry {
            action,
            object_kind,
            object_id,
            label,
            unit: None,
            before: None,
            after: None,
        }
    }
    pub fn unit(mut self, unit: Id) -> Self {
        self.unit = Some(unit);
        self
    }
    pub fn before(mut self, v: &impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }
    pub fn after(mut self, v: &impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

/// Appends an entry on the caller's connection, inside its transaction.
pub async fn record(
    conn: &mut AnyConnection,
    app: &App,
    ctx: &Ctx,
    e: Entry<'_>,
    outcome: &str,
) -> AppResult<()> {
    let actor = (ctx.actor.account_id.0 != 0).then_some(ctx.actor.account_id.0);
    write(conn, app, actor, &ctx.actor.username, &ctx.ip, e, outcome).await
}

pub(crate) async fn write(
    conn: &mut AnyConnection,
    app: &App,
    actor: Option<i64>,
    actor_name: &str,
    ip: &str,
    e: Entry<'_>,
    outcome: &str,
) -> AppResult<()> {
    let row = row(app, actor, actor_name, ip, e, outcome);
    xueshi_store::audit::insert(conn, &row).await?;
    Ok(())
}

pub(crate) fn row(
    app: &App,
    actor: Option<i64>,
    actor_name: &str,
    ip: &str,
    e: Entry<'_>,
    outcome: &str,
) -> AuditRow {
    AuditRow {
        id: app.next_id().0,
        at: app.now(),
        actor_account_id: actor,
        actor_name: actor_name.chars().take(64).collect(),
        ip: ip.to_owned(),
        action: e.action.to_owned(),
        outcome: outcome.to_owned(),
        object_kind: e.object_kind.to_owned(),
        object_id: e.object_id.map(|i| i.0),
        object_label: e.label.chars().take(200).collect(),
        unit_id: e.unit.map(|u| u.0),
        before_json: e.before.map(|v| v.to_string()),
        after_json: e.after.map(|v| v.to_string()),
    }
}

/// A write transaction that opens only on a permission and can only be
/// committed with the audit entry of what it wrote: a use-case writes
/// through one of these, so a write nobody allowed, or without its entry,
/// cannot be expressed. Dropped without `commit`, it
/// rolls back, entry and all.
pub struct Audited<'a> {
    tx: xueshi_store::WriteTx,
    app: &'a App,
    who: Who<'a>,
}

/// Whom an entry names: a signed-in actor, or someone without a session
/// (a visitor of the public window, a sign-in attempt, the command line).
enum Who<'a> {
    Actor(&'a Ctx),
    Visitor {
        account: Option<i64>,
        name: &'a str,
        ip: &'a str,
    },
}

impl<'a> Audited<'a> {
    /// Opens the write transaction of a use-case that has decided the
    /// actor may write: the proof names the actor.
    pub async fn begin(app: &'a App, allowed: Allowed<'a>) -> AppResult<Audited<'a>> {
        Ok(Audited {
            tx: app.store().write().await?,
            app,
            who: Who::Actor(allowed.ctx()),
        })
    }

    /// Opens one for someone without a session: the entry names `name`
    /// (and the account, when one is known) at address `ip`.
    pub async fn visitor(
        app: &'a App,
        account: Option<i64>,
        name: &'a str,
        ip: &'a str,
    ) -> AppResult<Audited<'a>> {
        Ok(Audited {
            tx: app.store().write().await?,
            app,
            who: Who::Visitor { account, name, ip },
        })
    }

    async fn append(&mut self, e: Entry<'_>, outcome: &str) -> AppResult<()> {
        match self.who {
            Who::Actor(ctx) => record(&mut self.tx, self.app, ctx, e, outcome).await,
            Who::Visitor { account, name, ip } => {
                write(&mut self.tx, self.app, account, name, ip, e, outcome).await
            }
        }
    }

    /// Appends one more entry inside the transaction, for a use-case that
    /// writes several things worth a line each.
    pub async fn record(&mut self, e: Entry<'_>) -> AppResult<()> {
        self.append(e, "ok").await
    }

    /// Appends the entry and commits, both or neither.
    pub async fn commit(self, e: Entry<'_>) -> AppResult<()> {
        self.commit_as(e, "ok").await
    }

    /// Commits with an entry of another outcome (`failed`, `denied`): a
    /// refused sign-in still writes its counters and its line.
    pub async fn commit_as(mut self, e: Entry<'_>, outcome: &str) -> AppResult<()> {
        self.append(e, outcome).await?;
        self.tx.commit().await?;
        Ok(())
    }
}

impl std::ops::Deref for Audited<'_> {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for Audited<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// Records a refused attempt in a transaction of its own (the attempt's own
/// transaction is rolled back).
pub async fn record_denied(app: &App, ctx: &Ctx, e: Entry<'_>) -> AppResult<()> {
    let mut tx = app.store().write().await?;
    record(&mut tx, app, ctx, e, "denied").await?;
    tx.commit().await?;
    Ok(())
}

/// A request refused for lack of permission, as the web layer saw it, so
/// every refused write, unmask or download is on record, inside the actor's
/// scope or outside it. Filed under the actor's own scope unit: the target
/// may lie where the actor's superiors cannot read.
pub async fn refused(
    app: &App,
    ctx: &Ctx,
    action: &str,
    object_kind: &str,
    object_id: Option<Id>,
    label: &str,
) -> AppResult<()> {
    let actor = (ctx.actor.account_id.0 != 0).then_some(ctx.actor.account_id.0);
    let mut r = row(
        app,
        actor,
        &ctx.actor.username,
        &ctx.ip,
        Entry::new("", "", object_id, label).unit(ctx.actor.scope_unit),
        "denied",
    );
    r.action = action.chars().take(64).collect();
    r.object_kind = object_kind.chars().take(32).collect();
    let mut tx = app.store().write().await?;
    xueshi_store::audit::insert(&mut tx, &r).await?;
    tx.commit().await?;
    Ok(())
}

/// Filters a reader may set.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub before_id: Option<i64>,
}

/// Entries about the actor's subtree, newest first. A system administrator
/// also sees entries tied to no unit (failed logins of unknown names).
pub async fn browse(app: &App, ctx: &Ctx, q: Query, limit: i64) -> AppResult<Vec<AuditRow>> {
    allow_in_scope(ctx, Action::ViewAudit)?;
    let scope = (ctx.actor.role != Role::SystemAdmin).then(|| ctx.actor.scope.clone());
    let f = AuditFilter {
        scope,
        action: q.action.filter(|s| !s.is_empty()),
        actor: q.actor.filter(|s| !s.is_empty()),
        since: q.since,
        until: q.until,
        before_id: q.before_id,
    };
    let mut conn = app.store().read().await?;
    Ok(xueshi_store::audit::list(&mut conn, &f, limit.clamp(1, 500)).await?)
}
