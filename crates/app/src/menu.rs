//! What an account may open from its menu: every entry shown is one the
//! account's role and scope allow, so no menu link answers with a refusal.

use xueshi_domain::Id;
use xueshi_domain::access::{Action, Actor, Role, role_allows};

/// The menu's entries for one account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Menu {
    /// The account stands for a member: its own day of study.
    pub my_study: bool,
    /// The study figures of the account's subtree (学习统计).
    pub study_figures: Option<Id>,
    pub import: bool,
    pub audit: bool,
    /// The question bank and the library (题库, 学习资料).
    pub bank: bool,
    /// The public's problems to triage (群众诉求分办): the office at the top.
    pub triage: bool,
    /// Typical-case rounds (典型案例).
    pub cases: bool,
    pub accounts: bool,
    /// The task list of the account's unit (任务清单) and its own to-do.
    pub tasks: Option<Id>,
}

impl Menu {
    pub fn of(actor: &Actor) -> Menu {
        let may = |a: Action| role_allows(actor.role, a);
        let at_top = actor.scope.parent().is_none();
        Menu {
            my_study: actor.member_id.is_some(),
            study_figures: (actor.role != Role::Member && may(Action::ViewStudy))
                .then_some(actor.scope_unit),
            import: may(Action::ImportRoster),
            audit: may(Action::ViewAudit),
            bank: may(Action::ManageStudy),
            triage: may(Action::ManageMatters) && at_top,
            cases: may(Action::ManageMatters),
            accounts: may(Action::ManageAccounts),
            tasks: may(Action::ManageTasks).then_some(actor.scope_unit),
        }
    }
}
