//! Accounts: creating them inside one's scope, passwords, unlocking.

use serde::Serialize;
use xueshi_domain::access::{Action, Denied, Role};
use xueshi_domain::invalid::{Checks, FieldError, required_text};
use xueshi_domain::{Id, unit::UnitPath};
use xueshi_store::accounts::{self, AccountRow, NewAccount};
use xueshi_store::{members, units};

use crate::audit::{Audited, Entry};
use crate::auth::{check_password, end_sessions, hash_password, password_matches};
use crate::permit::{Allowed, allow_account, allow_in_scope, allow_own};
use crate::{App, AppError, AppResult, Ctx};

/// An account as shown to administrators: never the hash.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope_unit: Id,
    pub scope_name: String,
    pub member_id: Option<Id>,
    pub can_unmask: bool,
    pub locked_until: Option<i64>,
    pub disabled: bool,
}

impl From<&AccountRow> for AccountView {
    fn from(a: &AccountRow) -> Self {
        AccountView {
            id: Id(a.id),
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role(),
            scope_unit: Id(a.scope_unit_id),
            scope_name: a.scope_name.clone(),
            member_id: a.member_id.map(Id),
            can_unmask: a.can_unmask != 0,
            locked_until: a.locked_until,
            disabled: a.disabled != 0,
        }
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewAccountInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: String,
    pub scope_unit: Option<Id>,
    #[serde(default)]
    pub scope_code: String,
    pub member_id: Option<Id>,
    #[serde(default)]
    pub can_unmask: bool,
}

fn parse_username(raw: &str) -> Result<String, FieldError> {
    let t = required_text("username", raw, 32)?;
    let ok = t.chars().count() >= 3
        && t.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(t)
    } else {
        Err(FieldError::new("username", "bad_username"))
    }
}

/// Creates an account. The scope must lie in the creator's subtree, the role
/// must be one the creator may grant, and unmasking can only be granted by
/// someone who holds it.
pub async fn create(app: &App, ctx: &Ctx, input: NewAccountInput) -> AppResult<AccountView> {
    let mut c = Checks::new();
    let username = c.take(parse_username(&input.username));
    let display_name = c.take(required_text("display_name", &input.display_name, 30));
    let role =
        c.take(Role::parse(&input.role).ok_or_else(|| FieldError::new("role", "bad_choice")));
    c.take(check_password(&input.password));
    let mut conn = app.store().read().await?;
    // A member's account belongs where the member is registered, and only
    // to a current member who has none yet.
    let member = match input.member_id {
        Some(m) => match members::get(&mut conn, m.0).await? {
            None => {
                c.push(FieldError::new("member_id", "unknown_member"));
                None
            }
            Some(row) if row.left_at.is_some() => {
                c.push(FieldError::new("member_id", "member_left"));
                None
            }
            Some(row) => {
                if accounts::of_member(&mut conn, row.id).await?.is_some() {
                    c.push(FieldError::new("member_id", "member_has_account"));
                }
                if role.is_some_and(|r| r != Role::Member) {
                    c.push(FieldError::new("role", "member_account_role"));
                }
                Some(row)
            }
        },
        None => None,
    };
    let scope = match (&member, input.scope_unit, input.scope_code.trim()) {
        (Some(m), _, _) => units::get(&mut conn, m.unit_id).await?,
        (None, Some(id), _) => units::get(&mut conn, id.0).await?,
        (None, None, code) if !code.is_empty() => units::get_by_code(&mut conn, code).await?,
        _ => None,
    };
    if scope.is_none() && input.member_id.is_none() {
        c.push(FieldError::new("scope", "unknown_unit"));
    }
    drop(conn);
    let (Some(username), Some(display_name), Some(role), Some(scope)) =
        (username, display_name, role, scope)
    else {
        return Err(AppError::Invalid(c.into_errors()));
    };
    if !c.is_empty() {
        return Err(AppError::Invalid(c.into_errors()));
    }
    let allowed = allow_account(ctx, role, &scope.path(), None)?;
    if input.can_unmask && !ctx.actor.can_unmask {
        return Err(AppError::Forbidden(Denied::NoUnmaskGrant));
    }
    let hash = hash_password(input.password).await?;
    let id = app.next_id();
    let mut tx = Audited::begin(app, allowed).await?;
    accounts::insert(
        &mut tx,
        &NewAccount {
            id: id.0,
            username: &username,
            display_name: &display_name,
            password_hash: &hash,
            role: role.as_str(),
            scope_unit_id: scope.id,
            member_id: member.as_ref().map(|m| m.id),
            can_unmask: input.can_unmask,
            now: app.now(),
        },
    )
    .await
    .map_err(|e| {
        if xueshi_store::is_unique_violation(&e) {
            AppError::invalid("username", "taken")
        } else {
            e.into()
        }
    })?;
    let row = accounts::get(&mut tx, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let view = AccountView::from(&row);
    tx.commit(
        Entry::new("account.create", "account", Some(id), &username)
            .unit(scope.id())
            .after(&view),
    )
    .await?;
    Ok(view)
}

async fn load_in_scope<'a>(
    app: &App,
    ctx: &'a Ctx,
    id: Id,
) -> AppResult<(AccountRow, Allowed<'a>)> {
    let mut conn = app.store().read().await?;
    let row = accounts::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = allow_account(ctx, row.role(), &row.scope(), Some(Id(row.id)))?;
    Ok((row, allowed))
}

/// Accounts scoped inside the actor's subtree.
pub async fn list(app: &App, ctx: &Ctx) -> AppResult<Vec<AccountView>> {
    allow_in_scope(ctx, Action::ManageAccounts)?;
    let mut conn = app.store().read().await?;
    let rows = accounts::in_subtree(&mut conn, &ctx.actor.scope, 1000).await?;
    Ok(rows.iter().map(AccountView::from).collect())
}

/// Sets a new password for an account in scope and ends its sessions.
pub async fn reset_password(app: &App, ctx: &Ctx, id: Id, password: String) -> AppResult<()> {
    check_password(&password)?;
    let (row, allowed) = load_in_scope(app, ctx, id).await?;
    let hash = hash_password(password).await?;
    // Someone else's password, typed by an administrator: its holder
    // chooses their own at the next sign-in.
    let must_change = row.id != ctx.actor.account_id.0;
    let mut tx = Audited::begin(app, allowed).await?;
    accounts::set_password(&mut tx, id.0, &hash, must_change, app.now()).await?;
    end_sessions(app, &mut tx, id.0).await?;
    tx.commit(
        Entry::new("account.password", "account", Some(id), &row.username)
            .unit(Id(row.scope_unit_id)),
    )
    .await?;
    Ok(())
}

/// Changes one's own password, given the current one.
pub async fn change_own_password(
    app: &App,
    ctx: &Ctx,
    current: &str,
    new: String,
) -> AppResult<()> {
    check_password(&new)?;
    if new == current {
        return Err(AppError::invalid("new", "same_password"));
    }
    let mut conn = app.store().read().await?;
    let row = accounts::get(&mut conn, ctx.actor.account_id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    if !password_matches(app, &row, current).await {
        return Err(AppError::invalid("current_password", "bad_credentials"));
    }
    let hash = hash_password(new).await?;
    let mut tx = Audited::begin(app, allow_own(ctx)).await?;
    accounts::set_password(&mut tx, row.id, &hash, false, app.now()).await?;
    tx.commit(
        Entry::new(
            "account.password",
            "account",
            Some(Id(row.id)),
            &row.username,
        )
        .unit(Id(row.scope_unit_id)),
    )
    .await?;
    // The cached session still says a change is owed; read it afresh.
    app.sessions().forget_account(row.id);
    Ok(())
}

/// Lifts a lockout.
pub async fn unlock(app: &App, ctx: &Ctx, id: Id) -> AppResult<()> {
    let (row, allowed) = load_in_scope(app, ctx, id).await?;
    let mut tx = Audited::begin(app, allowed).await?;
    accounts::clear_failures(&mut tx, id.0, app.now()).await?;
    tx.commit(
        Entry::new("account.unlock", "account", Some(id), &row.username)
            .unit(Id(row.scope_unit_id)),
    )
    .await?;
    Ok(())
}

/// Disables or re-enables an account; disabling ends its sessions.
pub async fn set_disabled(app: &App, ctx: &Ctx, id: Id, disabled: bool) -> AppResult<()> {
    let (row, allowed) = load_in_scope(app, ctx, id).await?;
    let mut tx = Audited::begin(app, allowed).await?;
    accounts::set_disabled(&mut tx, id.0, disabled, app.now()).await?;
    if disabled {
        end_sessions(app, &mut tx, id.0).await?;
    }
    let action = if disabled {
        "account.disable"
    } else {
        "account.enable"
    };
    tx.commit(Entry::new(action, "account", Some(id), &row.username).unit(Id(row.scope_unit_id)))
        .await?;
    Ok(())
}

/// Finds an account by name, for the command line.
pub async fn by_username(app: &App, username: &str) -> AppResult<Option<AccountView>> {
    let mut conn = app.store().read().await?;
    Ok(accounts::by_username(&mut conn, username)
        .await?
        .as_ref()
        .map(AccountView::from))
}

/// The scope path of a unit, for building a context.
pub async fn unit_path(app: &App, unit: Id) -> AppResult<UnitPath> {
    let mut conn = app.store().read().await?;
    Ok(units::get(&mut conn, unit.0)
        .await?
        .ok_or(AppError::NotFound)?
        .path())
}
