//! Permission as a value: a use-case decides who may act and receives an
//! [`Allowed`], and a write transaction ([`crate::audit::Audited`]) opens
//! only on one. A write whose use-case never decided does not compile.
//!
//! Every decision goes through `domain::access`; this module only turns its
//! verdict into the proof. Reads check the same way and keep the proof for
//! nothing but the record of having checked.

use xueshi_domain::Id;
use xueshi_domain::access::{self, Action, Denied, Role, SHELL};
use xueshi_domain::unit::UnitPath;

use crate::{AppError, AppResult, Ctx};

/// Proof that the actor of `ctx` may do what the use-case is about to do.
/// Only the functions of this module make one.
#[derive(Clone, Copy)]
pub struct Allowed<'a> {
    ctx: &'a Ctx,
}

impl<'a> Allowed<'a> {
    /// The actor the proof was made for.
    pub fn ctx(self) -> &'a Ctx {
        self.ctx
    }
}

/// `action` on something that belongs to `target`: the role must allow it
/// and `target` must lie in the actor's subtree.
pub fn allow<'a>(ctx: &'a Ctx, action: Action, target: &UnitPath) -> AppResult<Allowed<'a>> {
    access::authorize(&ctx.actor, action, target)?;
    Ok(Allowed { ctx })
}

/// `action` over the actor's whole scope (a bank, a catalogue kept for the
/// scope, a list of everything the actor sees).
pub fn allow_in_scope(ctx: &Ctx, action: Action) -> AppResult<Allowed<'_>> {
    allow(ctx, action, &ctx.actor.scope)
}

/// Whether `action` on `target` would be allowed, for a page that offers
/// or hides a button; the use-case behind the button decides again.
pub fn may(ctx: &Ctx, action: Action, target: &UnitPath) -> bool {
    access::authorize(&ctx.actor, action, target).is_ok()
}

/// Managing an account holding `role` over `scope` (`target`: the account,
/// when it exists): see [`access::may_manage`].
pub fn allow_account<'a>(
    ctx: &'a Ctx,
    role: Role,
    scope: &UnitPath,
    target: Option<Id>,
) -> AppResult<Allowed<'a>> {
    access::may_manage(&ctx.actor, role, scope, target)?;
    Ok(Allowed { ctx })
}

/// Moving or deleting a unit: see [`access::authorize_restructure`].
pub fn allow_restructure<'a>(
    ctx: &'a Ctx,
    unit: &UnitPath,
    new_parent: Option<&UnitPath>,
) -> AppResult<Allowed<'a>> {
    access::authorize_restructure(&ctx.actor, unit, new_parent)?;
    Ok(Allowed { ctx })
}

/// `action` on a catalogue kept above the actor (matters set by a higher
/// unit, which units below claim and report on): the role must allow it and
/// the actor's scope must lie under `target`; within the subtree, as
/// [`allow`].
pub fn allow_from_below<'a>(
    ctx: &'a Ctx,
    action: Action,
    target: &UnitPath,
) -> AppResult<Allowed<'a>> {
    if ctx.actor.scope.is_within(target) {
        if !access::role_allows(ctx.actor.role, action) {
            return Err(AppError::Forbidden(Denied::RoleLacks));
        }
        return Ok(Allowed { ctx });
    }
    allow(ctx, action, target)
}

/// Allowed by a right the use-case read from the records (the lead of a
/// matter may report on it), or else as [`allow`].
pub fn allow_if<'a>(
    ctx: &'a Ctx,
    granted: bool,
    action: Action,
    target: &UnitPath,
) -> AppResult<Allowed<'a>> {
    if granted {
        return Ok(Allowed { ctx });
    }
    allow(ctx, action, target)
}

/// What every signed-in account may do to itself (change its password,
/// choose its language): nothing of anyone else's is touched.
pub fn allow_own(ctx: &Ctx) -> Allowed<'_> {
    Allowed { ctx }
}

/// What only the deployer at the shell may do (create the root, load-test
/// sessions).
pub fn allow_shell(ctx: &Ctx) -> AppResult<Allowed<'_>> {
    if ctx.actor.account_id != SHELL {
        return Err(AppError::Forbidden(Denied::RoleLacks));
    }
    Ok(Allowed { ctx })
}
