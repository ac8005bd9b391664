//! Use-cases: each public function authorises the actor, runs the domain's
//! rules, calls the store inside one transaction, and appends the audit
//! record in that same transaction.
//!
//! Pages, the JSON API and the command line all call these functions; none of
//! them talks to the store directly. This crate must not know about HTTP.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bank;
mod batch;
pub mod briefings;
pub mod campaigns;
pub mod clock;
pub mod compliance;
pub mod consistency;
pub mod contests;
pub mod error;
pub mod exams;
pub mod figures;
pub mod jobs;
pub mod library;
pub mod live;
pub mod load_test;
pub mod maintenance;
pub mod matters;
pub mod meetings;
pub mod member_accounts;
pub mod members;
pub mod menu;
pub mod organs;
pub mod participant;
pub mod permit;
pub mod photo;
mod placement;
pub mod plans;
pub mod problems;
pub mod quiz;
pub mod quotas;
pub mod rankings;
pub mod rhythm;
pub mod roster;
pub mod search;
pub mod sheet;
pub mod standing;
pub mod study;
pub mod tasks;
pub mod tree;
pub mod vault;
pub mod webhooks;

use std::sync::Arc;

use xueshi_domain::access::{Actor, Role};
use xueshi_domain::unit::UnitPath;
use xueshi_domain::{Id, IdGen};
use xueshi_store::Store;

pub use clock::Clock;
pub use error::{AppError, AppResult};
pub use vault::Vault;

/// Policy knobs with safe defaults.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Failed logins in a row that lock an account.
    pub lockout_after: i64,
    pub lockout_ms: i64,
    pub idle_ms: i64,
    pub admin_idle_ms: i64,
    pub absolute_ms: i64,
    /// This server's number among several sharing one database (0–1023).
    pub node: u16,
    /// Largest spreadsheet accepted for import, in bytes.
    pub import_max_bytes: usize,
    /// What one import may hold once unpacked; checked while streaming,
    /// before anything is kept.
    pub import: sheet::Limits,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lockout_after: 5,
            lockout_ms: 15 * 60_000,
            idle_ms: 30 * 60_000,
            admin_idle_ms: 15 * 60_000,
            absolute_ms: 12 * 3_600_000,
            node: 0,
            import_max_bytes: 32 * 1024 * 1024,
            import: sheet::Limits::default(),
        }
    }
}

/// Everything the use-cases need, cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Clock,
    ids: IdGen,
    vault: Vault,
    settings: Settings,
    sessions: auth::SessionCache,
    jobs: jobs::Jobs,
    quiz: quiz::BankCache,
    placement: placement::Placement,
    spent: problems::SpentChallenges,
    quiz_writes: batch::Batches<quiz::Job, Option<i64>>,
    problem_writes: batch::Batches<problems::Raise, problems::Raised>,
    public_totals: matters::PublicTotals,
    live: live::Hub,
    live_writes: batch::Batches<xueshi_store::competitions::BuzzRow, ()>,
    /// Imports read their workbooks one at a time.
    imports: Arc<tokio::sync::Semaphore>,
    /// Photos decoded at once: a phone photo takes ~150 MB while it is.
    photos: Arc<tokio::sync::Semaphore>,
}

/// The app as a background task holds it: it does not keep the app alive.
pub(crate) struct WorkerApp(std::sync::Weak<Inner>);

impl WorkerApp {
    pub(crate) fn upgrade(&self) -> Option<App> {
        self.0.upgrade().map(|inner| App { inner })
    }
}

impl App {
    pub fn new(store: Store, clock: Clock, vault: Vault, settings: Settings) -> App {
        let ids = IdGen::new(settings.node);
        App {
            inner: Arc::new(Inner {
                store,
                clock,
                ids,
                vault,
                settings,
                sessions: auth::SessionCache::default(),
                jobs: jobs::Jobs::default(),
                quiz: quiz::BankCache::default(),
                placement: placement::Placement::default(),
                spent: problems::SpentChallenges::default(),
                quiz_writes: batch::Batches::new(quiz::MAX_BATCH, "quiz"),
                problem_writes: batch::Batches::new(problems::MAX_BATCH, "problems"),
                public_totals: matters::PublicTotals::default(),
                live: live::Hub::default(),
                live_writes: batch::Batches::new(live::room::BUZZ_BATCH, "buzzes"),
                imports: Arc::new(tokio::sync::Semaphore::new(1)),
                photos: Arc::new(tokio::sync::Semaphore::new(1)),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }
    pub fn vault(&self) -> &Vault {
        &self.inner.vault
    }
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }
    pub fn jobs(&self) -> &jobs::Jobs {
        &self.inner.jobs
    }
    pub(crate) fn quiz_cache(&self) -> &quiz::BankCache {
        &self.inner.quiz
    }
    pub(crate) fn placement(&self) -> &placement::Placement {
        &self.inner.placement
    }
    pub(crate) fn spent_challenges(&self) -> &problems::SpentChallenges {
        &self.inner.spent
    }
    pub(crate) fn clone_for_worker(&self) -> WorkerApp {
        WorkerApp(Arc::downgrade(&self.inner))
    }
    pub(crate) fn quiz_writes(&self) -> &batch::Batches<quiz::Job, Option<i64>> {
        &self.inner.quiz_writes
    }
    pub(crate) fn problem_writes(&self) -> &batch::Batches<problems::Raise, problems::Raised> {
        &self.inner.problem_writes
    }
    /// Waits until no other import is reading a workbook.
    pub(crate) async fn photo_turn(&self) -> tokio::sync::OwnedSemaphorePermit {
        Arc::clone(&self.inner.photos)
            .acquire_owned()
            .await
            .expect("the photo semaphore is never closed")
    }

    pub(crate) async fn import_turn(&self) -> tokio::sync::OwnedSemaphorePermit {
        Arc::clone(&self.inner.imports)
            .acquire_owned()
            .await
            .expect("the import semaphore is never closed")
    }

    /// The competitions being played.
    pub fn live(&self) -> &live::Hub {
        &self.inner.live
    }
    pub(crate) fn live_writes(&self) -> &batch::Batches<xueshi_store::competitions::BuzzRow, ()> {
        &self.inner.live_writes
    }
    pub(crate) fn public_totals(&self) -> &matters::PublicTotals {
        &self.inner.public_totals
    }
    /// Matters or the units above them changed: what is kept of the public
    /// list is counted again.
    pub(crate) fn catalogue_changed(&self) {
        self.inner.public_totals.changed();
    }
    /// Rows were written behind the use-cases by a bulk loader (the demo, a
    /// restore): whatever was looked up or counted before is forgotten.
    pub async fn bulk_loaded(&self) {
        self.placement().changed();
        self.catalogue_changed();
        self.quiz_cache().invalidate().await;
    }
    pub(crate) fn sessions(&self) -> &auth::SessionCache {
        &self.inner.sessions
    }
    pub fn now(&self) -> i64 {
        self.inner.clock.now_ms()
    }
    pub fn next_id(&self) -> Id {
        self.inner.ids.next(self.now())
    }
}

/// Who is acting and from where: what every use-case needs to authorise and
/// to write the audit record.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub actor: Actor,
    pub ip: String,
}

impl Ctx {
    pub fn new(actor: Actor, ip: impl Into<String>) -> Ctx {
        Ctx {
            actor,
            ip: ip.into(),
        }
    }

    /// The deployer at the shell (import, demo, restore): a system
    /// administrator over the whole tree.
    pub fn system(root: &UnitPath) -> Ctx {
        Ctx {
            actor: Actor {
                account_id: Id(0),
                username: "cli".into(),
                display_name: "命令行".into(),
                role: Role::SystemAdmin,
                scope_unit: root.id(),
                scope: root.clone(),
                can_unmask: true,
                member_id: None,
            },
            ip: "local".into(),
        }
    }
}
