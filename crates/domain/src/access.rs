//! Who may do what, where.
//!
//! Owns roles, actions, the actor an authenticated request carries, and the
//! one function every use-case calls before it reads or writes: `authorize`.
//! An actor acts inside one subtree of the organisation tree and never outside
//! it. This module must not look anything up; callers pass the target's path.

use serde::{Deserialize, Serialize};

use crate::id::Id;
use crate::unit::UnitPath;

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Deployer-side administrator of the whole installation.
    SystemAdmin,
    /// Staff of the campaign office (领导小组办公室).
    CampaignOffice,
    /// Secretary or organiser of one unit (党委/党组/党总支/党支部).
    UnitAdmin,
    /// Member of a guidance group (巡回指导组).
    Inspector,
    /// A Party member (党员).
    Member,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::SystemAdmin,
        Role::CampaignOffice,
        Role::UnitAdmin,
        Role::Inspector,
        Role::Member,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::CampaignOffice => "campaign_office",
            Role::UnitAdmin => "unit_admin",
            Role::Inspector => "inspector",
            Role::Member => "member",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == raw.trim())
    }

    /// Administrators get the shorter idle timeout.
    pub fn is_admin(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::CampaignOffice | Role::UnitAdmin
        )
    }

    /// Whether an actor of this role may grant `other` to an account.
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Role::SystemAdmin => true,
            Role::CampaignOffice => other != Role::SystemAdmin,
            Role::UnitAdmin => matches!(other, Role::UnitAdmin | Role::Member),
            Role::Inspector | Role::Member => false,
        }
    }
}

/// Something an actor may try to do to a unit's subtree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ViewTree,
    ViewMembers,
    EditUnits,
    EditMembers,
    ImportRoster,
    ExportRoster,
    /// See a phone or ID number whole; also needs the account's grant.
    UnmaskPii,
    ViewAudit,
    ManageAccounts,
    ViewOrgans,
    ManageOrgans,
    /// Check in and take the daily quiz as oneself (a member's own study).
    Study,
    /// See a subtree's study figures, compliance and leaderboards.
    ViewStudy,
    /// Keep the question bank, the materials and the campaign's quotas.
    ManageStudy,
    /// See the practical matters (我为群众办实事) of a subtree.
    ViewMatters,
    /// Put matters on the catalogue, triage the public's problems, approve,
    /// drop, and report for any matter of the subtree.
    ManageMatters,
    /// Claim a matter as oneself (领办 / 合领合办).
    ClaimMatters,
    /// Read a subtree's briefings (简报) and summaries.
    ReadBriefings,
    /// Generate, edit, approve and publish them.
    WriteBriefings,
    /// Set tasks for the subtree, report one's unit's tasks done (任务清单).
    ManageTasks,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ViewTree => "view_tree",
            Action::ViewMembers => "view_members",
            Action::EditUnits => "edit_units",
            Action::EditMembers => "edit_members",
            Action::ImportRoster => "import_roster",
            Action::ExportRoster => "export_roster",
            Action::UnmaskPii => "unmask_pii",
            Action::ViewAudit => "view_audit",
            Action::ManageAccounts => "manage_accounts",
            Action::ViewOrgans => "view_organs",
            Action::ManageOrgans => "manage_organs",
            Action::Study => "study",
            Action::ViewStudy => "view_study",
            Action::ManageStudy => "manage_study",
            Action::ViewMatters => "view_matters",
            Action::ManageMatters => "manage_matters",
            Action::ClaimMatters => "claim_matters",
            Action::ReadBriefings => "read_briefings",
            Action::WriteBriefings => "write_briefings",
            Action::ManageTasks => "manage_tasks",
        }
    }
}

/// The authenticated account a request acts as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub account_id: Id,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope_unit: Id,
    pub scope: UnitPath,
    pub can_unmask: bool,
    pub member_id: Option<Id>,
}

stored_as_key!(Role, "role");

/// Why an action was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("the target lies outside the actor's subtree")]
    OutOfScope,
    #[error("the actor's role does not allow this action")]
    RoleLacks,
    #[error("the account has not been granted unmasking")]
    NoUnmaskGrant,
    #[error("an actor may not move or delete the root of its own scope")]
    ScopeRoot,
}

/// What each role may do inside its scope.
pub fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::SystemAdmin | Role::CampaignOffice => true,
        Role::UnitAdmin => action != ManageStudy,
        Role::Inspector => matches!(
            action,
            ViewTree
                | ViewMembers
                | ViewOrgans
                | Study
                | ViewStudy
                | ViewMatters
                | ClaimMatters
                | ReadBriefings
        ),
        Role::Member => matches!(
            action,
            ViewTree | ViewOrgans | Study | ViewMatters | ClaimMatters
        ),
    }
}

/// The one check every read and write goes through: the role must allow the
/// action, and the target must lie in the actor's subtree.
pub fn authorize(actor: &Actor, action: Action, target: &UnitPath) -> Result<(), Denied> {
    if !role_allows(actor.role, action) {
        return Err(Denied::RoleLacks);
    }
    if !target.is_within(&actor.scope) {
        return Err(Denied::OutOfScope);
    }
    if action == Action::UnmaskPii && !actor.can_unmask {
        return Err(Denied::NoUnmaskGrant);
    }
    Ok(())
}

/// The account id of the deployer at the shell (`xueshi init`, `xueshi
/// user …`), who answers for the whole installation.
pub const SHELL: Id = Id(0);

/// Whether `actor` may manage an account holding `role` over `scope` (create
/// it, reset its password, lock, unlock or disable it): only one of lower
/// standing, whose scope lies strictly inside the actor's subtree, or in the
/// same scope with a lesser role, and whose role the actor may grant. Never a
/// peer, never oneself (`target` is the account's id when it exists).
pub fn may_manage(
    actor: &Actor,
    role: Role,
    scope: &UnitPath,
    target: Option<Id>,
) -> Result<(), Denied> {
    if actor.account_id == SHELL {
        return Ok(());
    }
    if !role_allows(actor.role, Action::ManageAccounts) {
        return Err(Denied::RoleLacks);
    }
    if !scope.is_within(&actor.scope) {
        return Err(Denied::OutOfScope);
    }
    if target == Some(actor.account_id) {
        return Err(Denied::RoleLacks);
    }
    let below = *scope != actor.scope || role > actor.role;
    if !below || !actor.role.may_grant(role) {
        return Err(Denied::RoleLacks);
    }
    Ok(())
}

/// Moving or deleting a unit changes where its subtree hangs, so the unit must
/// lie strictly under the actor's scope root, and a move's new parent must be
/// in scope too.
pub fn authorize_restructure(
    actor: &Actor,
    unit: &UnitPath,
    new_parent: Option<&UnitPath>,
) -> Result<(), Denied> {
    authorize(actor, Action::EditUnits, unit)?;
    if *unit == actor.scope {
        return Err(Denied::ScopeRoot);
    }
    if let Some(p) = new_parent {
        authorize(actor, Action::EditUnits, p)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, scope: &UnitPath) -> Actor {
        Actor {
            account_id: Id(1),
            username: "u".into(),
            display_name: "u".into(),
            role,
            scope_unit: scope.id(),
            scope: scope.clone(),
            can_unmask: false,
            member_id: None,
        }
    }

    #[test]
    fn scope_is_a_subtree() {
        let root = UnitPath::root(Id(1));
        let town = root.child(Id(2));
        let village = town.child(Id(3));
        let other = root.child(Id(4));
        let admin = actor(Role::UnitAdmin, &town);
        assert_eq!(authorize(&admin, Action::EditMembers, &village), Ok(()));
        assert_eq!(authorize(&admin, Action::EditMembers, &town), Ok(()));
        assert_eq!(
            authorize(&admin, Action::ViewTree, &other),
            Err(Denied::OutOfScope)
        );
        assert_eq!(
            authorize(&admin, Action::ViewTree, &root),
            Err(Denied::OutOfScope)
        );
        assert_eq!(
            authorize_restructure(&admin, &town, None),
            Err(Denied::ScopeRoot)
        );
        assert_eq!(
            authorize_restructure(&admin, &village, Some(&other)),
            Err(Denied::OutOfScope)
        );
    }

    #[test]
    fn roles_limit_actions_and_unmasking_needs_a_grant() {
        let root = UnitPath::root(Id(1));
        let inspector = actor(Role::Inspector, &root);
        assert_eq!(authorize(&inspector, Action::ViewMembers, &root), Ok(()));
        assert_eq!(
            authorize(&inspector, Action::EditMembers, &root),
            Err(Denied::RoleLacks)
        );
        let mut office = actor(Role::CampaignOffice, &root);
        assert_eq!(
            authorize(&office, Action::UnmaskPii, &root),
            Err(Denied::NoUnmaskGrant)
        );
        office.can_unmask = true;
        assert_eq!(authorize(&office, Action::UnmaskPii, &root), Ok(()));
        assert!(!Role::UnitAdmin.may_grant(Role::CampaignOffice));
    }
}
