//! A demo data set as a plan: the units with how many members each holds,
//! the campaign's organs and the demo accounts. Plans are pure and
//! deterministic for a seed; `super::write` turns one into rows.

use xueshi_domain::access::Role;
use xueshi_domain::organ::OrganKind;
use xueshi_domain::unit::UnitKind;

use super::people::Setting;

#[derive(Clone, Debug)]
pub struct PlanUnit {
    pub parent: Option<usize>,
    pub kind: UnitKind,
    pub name: String,
    pub code: String,
    pub setting: Setting,
    /// Members registered directly here.
    pub members: u32,
    /// How many of them are 副处级以上 and 科级 cadres.
    pub leaders: u32,
    pub sections: u32,
    /// Posts of the first members, in order (书记, 副书记, …).
    pub posts: Vec<&'static str>,
}

/// Someone on an organ: the n-th member of a unit, or a person from outside
/// the roster.
#[derive(Clone, Debug)]
pub enum PlanPerson {
    Member {
        unit: usize,
        nth: u32,
        post: &'static str,
    },
    Outsider {
        name: &'static str,
        post: &'static str,
        affiliation: &'static str,
    },
}

#[derive(Clone, Debug)]
pub struct PlanOrgan {
    pub parent: Option<usize>,
    pub unit: usize,
    pub kind: OrganKind,
    pub name: String,
    pub duties: &'static str,
    pub people: Vec<PlanPerson>,
    pub slice: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct PlanAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub scope: usize,
    pub member: Option<(usize, u32)>,
    pub can_unmask: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub units: Vec<PlanUnit>,
    /// Children added so far under each unit, for their codes.
    children: Vec<u32>,
    pub organs: Vec<PlanOrgan>,
    pub accounts: Vec<PlanAccount>,
    /// Administrative code the members' ID numbers start with, per unit
    /// subtree: (unit index, code), most specific last.
    pub regions: Vec<(usize, String)>,
}

impl Plan {
    /// Adds a unit under `parent` with a code derived from its parent's.
    pub fn unit(
        &mut self,
        parent: Option<usize>,
        kind: UnitKind,
        name: impl Into<String>,
        setting: Setting,
    ) -> usize {
        let code = match parent {
            None => "ROOT".to_owned(),
            Some(p) => {
                self.children[p] += 1;
                let n = self.children[p];
                let width = if n > 99 { 3 } else { 2 };
                format!("{}-{n:0width$}", self.units[p].code)
            }
        };
        self.children.push(0);
        self.units.push(PlanUnit {
            parent,
            kind,
            name: name.into(),
            code,
            setting,
            members: 0,
            leaders: 0,
            sections: 0,
            posts: Vec::new(),
        });
        self.units.len() - 1
    }

    pub fn set_code(&mut self, unit: usize, code: &str) {
        self.units[unit].code = code.to_owned();
    }

    pub fn grassroots(&self) -> usize {
        self.units.iter().filter(|u| u.kind.is_grassroots()).count()
    }

    pub fn member_total(&self) -> u64 {
        self.units.iter().map(|u| u64::from(u.members)).sum()
    }

    /// Spreads `total` members over the units that hold members, in
    /// proportion to `weight(unit index)`, so the total comes out exact. Members
    /// sit in branches without Party groups, and in Party groups.
    pub fn spread_members(&mut self, total: u64, weight: impl Fn(usize) -> f64) {
        let mut has_children = vec![false; self.units.len()];
        for u in &self.units {
            if let Some(p) = u.parent {
                has_children[p] = true;
            }
        }
        let holders: Vec<usize> = (0..self.units.len())
            .filter(|&i| match self.units[i].kind {
                UnitKind::PartyGroup => true,
                UnitKind::Branch | UnitKind::TemporaryBranch => !has_children[i],
                _ => false,
            })
            .collect();
        let weights: Vec<f64> = holders.iter().map(|&i| weight(i).max(0.0)).collect();
        let sum: f64 = weights.iter().sum();
        let mut shares: Vec<(usize, u64, f64)> = holders
            .iter()
            .zip(&weights)
            .map(|(&i, w)| {
                let exact = total as f64 * w / sum;
                (i, exact.floor() as u64, exact - exact.floor())
            })
            .collect();
        let given: u64 = shares.iter().map(|s| s.1).sum();
        let mut by_remainder: Vec<usize> = (0..shares.len()).collect();
        by_remainder.sort_by(|a, b| shares[*b].2.total_cmp(&shares[*a].2).then(a.cmp(b)));
        for k in by_remainder
            .into_iter()
            .take(total.saturating_sub(given) as usize)
        {
            shares[k].1 += 1;
        }
        for (i, n, _) in shares {
            self.units[i].members = n as u32;
        }
    }
}
