//! Where each studying member sits, and which campaign governs each unit
//! today, kept in memory: every check-in and quiz request needs both, and at
//! a province's peak reading them from the database was most of a
//! submission's cost.
//!
//! A member's unit changes only through a transfer, leaving the roll, a
//! moved or deleted unit; those use-cases call [`Placement::changed`] after
//! their commit. A lookup that raced such a change is not kept: each entry
//! is filled only if no change happened while it was being read.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use xueshi_domain::unit::UnitPath;
use xueshi_store::study::CampaignRow;

/// Beyond this many members the map starts again rather than grow without
/// bound; a quiz's two requests come minutes apart, so few are read twice.
const MAX_MEMBERS: usize = 1_000_000;

#[derive(Default)]
pub(crate) struct Placement {
    generation: AtomicU64,
    members: Mutex<HashMap<i64, UnitPath>>,
    /// The day the campaigns were looked up for, and per unit the result.
    campaigns: Mutex<(String, HashMap<i64, Option<CampaignRow>>)>,
}

/// A reading of the generation, taken before a lookup goes to the database.
#[derive(Clone, Copy)]
pub(crate) struct Stamp(u64);

impl Placement {
    pub(crate) fn stamp(&self) -> Stamp {
        Stamp(self.generation.load(Ordering::Acquire))
    }

    pub(crate) fn member(&self, member: i64) -> Option<UnitPath> {
        self.members.lock().ok()?.get(&member).cloned()
    }

    pub(crate) fn put_member(&self, stamp: Stamp, member: i64, path: &UnitPath) {
        let Ok(mut m) = self.members.lock() else {
            return;
        };
        // Checked under the lock `changed` also takes, so a change cannot
        // slip between the check and the insert.
        if self.generation.load(Ordering::Acquire) != stamp.0 {
            return;
        }
        if m.len() >= MAX_MEMBERS {
            m.clear();
        }
        m.insert(member, path.clone());
    }

    pub(crate) fn campaign(&self, unit: i64, day: &str) -> Option<Option<CampaignRow>> {
        let c = self.campaigns.lock().ok()?;
        if c.0 != day {
            return None;
        }
        c.1.get(&unit).cloned()
    }

    pub(crate) fn put_campaign(
        &self,
        stamp: Stamp,
        unit: i64,
        day: &str,
        campaign: Option<CampaignRow>,
    ) {
        let Ok(mut c) = self.campaigns.lock() else {
            return;
        };
        if self.generation.load(Ordering::Acquire) != stamp.0 {
            return;
        }
        if c.0 != day {
            *c = (day.to_owned(), HashMap::new());
        }
        c.1.insert(unit, campaign);
    }

    /// Forgets everything: members or units moved, or campaigns changed.
    pub(crate) fn changed(&self) {
        let members = self.members.lock();
        let campaigns = self.campaigns.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut m) = members {
            m.clear();
        }
        if let Ok(mut c) = campaigns {
            c.1.clear();
        }
    }
}
