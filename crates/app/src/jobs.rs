//! Long work run in the background (imports, exports) with progress that a
//! page can poll and a terminal can draw.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use xueshi_domain::Id;

use crate::AppError;

/// Where long work reports how far it got.
pub trait Progress: Send + Sync {
    /// A new stage begins (a message key such as `stage.checking`), with the
    /// number of steps it has.
    fn stage(&self, key: &'static str, total: u64);
    fn advance(&self, n: u64);
}

/// Progress nobody watches.
pub struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: &'static str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// What finished work produced.
#[derive(Debug)]
pub enum Output {
    Imported {
        units: u64,
        members: u64,
        /// Cells that held formulas, read as their saved values.
        formulas: crate::sheet::FormulaCells,
    },
    /// An export of `unit`'s roster; `unmasked` when it holds whole phone
    /// and ID numbers, and is then handed out once.
    File {
        name: String,
        bytes: Vec<u8>,
        unit: Id,
        unmasked: bool,
    },
    /// An unmasked export already downloaded: the job no longer holds it.
    Taken,
}

/// A finished export's file, as handed out.
pub struct Download {
    pub name: String,
    pub bytes: Vec<u8>,
    pub unit: Id,
    pub unmasked: bool,
}

pub struct Job {
    pub id: Id,
    pub owner: Id,
    pub started_at: i64,
    stage: Mutex<&'static str>,
    done: AtomicU64,
    total: AtomicU64,
    result: Mutex<Option<Result<Arc<Output>, Arc<AppError>>>>,
}

impl Job {
    /// (stage key, done, total)
    pub fn progress(&self) -> (&'static str, u64, u64) {
        let stage = self.stage.lock().map(|s| *s).unwrap_or("stage.working");
        (
            stage,
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    pub fn result(&self) -> Option<Result<Arc<Output>, Arc<AppError>>> {
        self.result.lock().ok()?.clone()
    }

    /// The file this job produced: a copy, or for an unmasked export the
    /// file itself, once, after which the job forgets it.
    pub(crate) fn take_file(&self) -> Option<Download> {
        let mut slot = self.result.lock().ok()?;
        let Some(Ok(out)) = slot.as_ref() else {
            return None;
        };
        let Output::File {
            name,
            bytes,
            unit,
            unmasked,
        } = out.as_ref()
        else {
            return None;
        };
        let d = Download {
            name: name.clone(),
            bytes: bytes.clone(),
            unit: *unit,
            unmasked: *unmasked,
        };
        if d.unmasked {
            *slot = Some(Ok(Arc::new(Output::Taken)));
        }
        Some(d)
    }

    fn finish(&self, r: Result<Output, AppError>) {
        if let Ok(mut slot) = self.result.lock() {
            *slot = Some(r.map(Arc::new).map_err(Arc::new));
        }
    }
}

impl Progress for Job {
    fn stage(&self, key: &'static str, total: u64) {
        if let Ok(mut s) = self.stage.lock() {
            *s = key;
        }
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }
    fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
}

/// Jobs of this process, kept for an hour after they start.
#[derive(Default)]
pub struct Jobs {
    map: Mutex<HashMap<Id, Arc<Job>>>,
}

const KEEP_MS: i64 = 3_600_000;

impl Jobs {
    /// Starts `work` on the runtime and returns its job at once.
    pub fn spawn<F, Fut>(&self, id: Id, owner: Id, now: i64, work: F) -> Arc<Job>
    where
        F: FnOnce(Arc<Job>) -> Fut,
        Fut: std::future::Future<Output = Result<Output, AppError>> + Send + 'static,
    {
        let job = Arc::new(Job {
            id,
            owner,
            started_at: now,
            stage: Mutex::new("stage.queued"),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            result: Mutex::new(None),
        });
        if let Ok(mut m) = self.map.lock() {
            m.retain(|_, j| now - j.started_at < KEEP_MS);
            m.insert(id, job.clone());
        }
        let fut = work(job.clone());
        let j = job.clone();
        tokio::spawn(async move {
            let r = fut.await;
            j.finish(r);
        });
        job
    }

    /// A job, only for the account that started it.
    pub fn get(&self, id: Id, owner: Id) -> Option<Arc<Job>> {
        self.map
            .lock()
            .ok()?
            .get(&id)
            .filter(|j| j.owner == owner)
            .cloned()
    }
}
