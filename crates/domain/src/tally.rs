//! Subtree tallies: how many units and members lie under a unit, by kind,
//! status, cadre level and gender.
//!
//! Owns the counters' shape and the arithmetic that keeps them true when units
//! and members are added, changed, moved or removed. It must not store them;
//! the store applies the deltas to every ancestor in the same transaction.

use std::ops::{AddAssign, Neg, SubAssign};

use serde::Serialize;

use crate::member::{CadreLevel, Gender, MemberStatus};
use crate::unit::UnitKind;

macro_rules! tally {
    ($($field:ident),* $(,)?) => {
        /// Counters for one unit's whole subtree, the unit itself included.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
        pub struct Tally { $(pub $field: i64,)* }

        impl Tally {
            /// Column names, in the order `values` returns them.
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field),)*];

            pub fn values(&self) -> Vec<i64> {
                vec![$(self.$field,)*]
            }

            pub fn from_values(v: &[i64]) -> Tally {
                let mut it = v.iter().copied();
                Tally { $($field: it.next().unwrap_or(0),)* }
            }

            pub fn is_zero(&self) -> bool {
                $(self.$field == 0 &&)* true
            }

            /// `n` times this tally.
            pub fn times(self, n: i64) -> Tally {
                Tally { $($field: self.$field * n,)* }
            }
        }

        impl AddAssign for Tally {
            fn add_assign(&mut self, o: Tally) { $(self.$field += o.$field;)* }
        }

        impl SubAssign for Tally {
            fn sub_assign(&mut self, o: Tally) { $(self.$field -= o.$field;)* }
        }

        impl Neg for Tally {
            type Output = Tally;
            fn neg(self) -> Tally { Tally { $($field: -self.$field,)* } }
        }
    };
}

tally!(
    units_total,
    units_grassroots,
    kind_local_committee,
    kind_party_committee,
    kind_working_committee,
    kind_leading_party_group,
    kind_organ_committee,
    kind_general_branch,
    kind_branch,
    kind_party_group,
    kind_temporary_branch,
    members_total,
    members_formal,
    members_probationary,
    cadre_leader,
    cadre_section,
    cadre_ordinary,
    gender_male,
    gender_female,
);

impl Tally {
    /// What one unit of `kind` adds to every ancestor's tally (and its own).
    pub fn of_unit(kind: UnitKind) -> Tally {
        let mut t = Tally {
            units_total: 1,
            units_grassroots: i64::from(kind.is_grassroots()),
            ..Tally::default()
        };
        *t.kind_mut(kind) = 1;
        t
    }

    /// What one member adds.
    pub fn of_member(status: MemberStatus, cadre: CadreLevel, gender: Gender) -> Tally {
        let mut t = Tally {
            members_total: 1,
            ..Tally::default()
        };
        match status {
            MemberStatus::Formal => t.members_formal = 1,
            MemberStatus::Probationary => t.members_probationary = 1,
        }
        match cadre {
            CadreLevel::Leader => t.cadre_leader = 1,
            CadreLevel::Section => t.cadre_section = 1,
            CadreLevel::Ordinary => t.cadre_ordinary = 1,
        }
        match gender {
            Gender::Male => t.gender_male = 1,
            Gender::Female => t.gender_female = 1,
        }
        t
    }

    pub fn kind_count(&self, kind: UnitKind) -> i64 {
        let mut copy = *self;
        *copy.kind_mut(kind)
    }

    fn kind_mut(&mut self, kind: UnitKind) -> &mut i64 {
        match kind {
            UnitKind::LocalCommittee => &mut self.kind_local_committee,
            UnitKind::PartyCommittee => &mut self.kind_party_committee,
            UnitKind::WorkingCommittee => &mut self.kind_working_committee,
            UnitKind::LeadingPartyGroup => &mut self.kind_leading_party_group,
            UnitKind::OrganCommittee => &mut self.kind_organ_committee,
            UnitKind::GeneralBranch => &mut self.kind_general_branch,
            UnitKind::Branch => &mut self.kind_branch,
            UnitKind::PartyGroup => &mut self.kind_party_group,
            UnitKind::TemporaryBranch => &mut self.kind_temporary_branch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_add_up() {
        let mut t = Tally::of_unit(UnitKind::Branch);
        t += Tally::of_member(MemberStatus::Formal, CadreLevel::Ordinary, Gender::Female);
        t += Tally::of_member(MemberStatus::Probationary, CadreLevel::Leader, Gender::Male);
        assert_eq!(
            (
                t.units_grassroots,
                t.members_total,
                t.members_formal,
                t.cadre_leader
            ),
            (1, 2, 1, 1)
        );
        assert_eq!(t.kind_count(UnitKind::Branch), 1);
        t += -t;
        assert!(t.is_zero());
        assert_eq!(Tally::COLUMNS.len(), Tally::default().values().len());
        assert_eq!(
            Tally::from_values(&Tally::of_unit(UnitKind::PartyGroup).values()),
            Tally::of_unit(UnitKind::PartyGroup)
        );
        assert_eq!(Tally::of_unit(UnitKind::PartyGroup).units_grassroots, 0);
    }
}
