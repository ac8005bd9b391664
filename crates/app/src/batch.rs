//! Group commit: callers hand their write to one task, which commits
//! everything waiting in one transaction (two such batches at most at
//! once) and answers each caller after the commit. Under load a
//! transaction carries hundreds of writes, so the per-transaction cost
//! (and, on SQLite, the single writer's turn) is paid once per batch;
//! alone, a write waits for nothing.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{OnceCell, Semaphore, mpsc, oneshot};

use crate::{App, AppError, AppResult, WorkerApp};

type Item<J, R> = (J, oneshot::Sender<AppResult<R>>);

/// Batches committing at once: while one commits, the next is gathered,
/// prepared and queued, so the database's writer never waits for the task
/// that feeds it (on SQLite the direct writer runs them one after the
/// other; on PostgreSQL they are concurrent transactions).
const IN_FLIGHT: usize = 2;

/// The queue of one kind of write; its task starts with the first write.
pub(crate) struct Batches<J, R> {
    sender: OnceCell<mpsc::Sender<Item<J, R>>>,
    max: usize,
    name: &'static str,
}

impl<J: Send + 'static, R: Send + 'static> Batches<J, R> {
    /// At most `max` writes a transaction; `name` is for the log.
    pub(crate) fn new(max: usize, name: &'static str) -> Self {
        Batches {
            sender: OnceCell::new(),
            max,
            name,
        }
    }

    /// Queues `job` and waits for its batch's commit. `commit` writes a
    /// batch in one transaction and returns one answer per job, in order.
    pub(crate) async fn run<F, Fut>(&self, app: &App, job: J, commit: F) -> AppResult<R>
    where
        F: Fn(App, Vec<J>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = AppResult<Vec<R>>> + Send + 'static,
    {
        let sender = self
            .sender
            .get_or_init(|| async {
                let (tx, rx) = mpsc::channel(8 * self.max);
                // The task holds the app weakly: it ends when every sender
                // (kept in the app) is gone.
                tokio::spawn(drain(
                    app.clone_for_worker(),
                    rx,
                    self.max,
                    self.name,
                    commit,
                ));
                tx
            })
            .await;
        let (reply, answer) = oneshot::channel();
        sender
            .send((job, reply))
            .await
            .map_err(|_| anyhow::anyhow!("the {} writer stopped", self.name))?;
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the {} writer dropped a write", self.name))?
    }
}

async fn drain<J, R, F, Fut>(
    app: WorkerApp,
    mut rx: mpsc::Receiver<Item<J, R>>,
    max: usize,
    name: &'static str,
    commit: F,
) where
    J: Send + 'static,
    R: Send + 'static,
    F: Fn(App, Vec<J>) -> Fut,
    Fut: Future<Output = AppResult<Vec<R>>> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let mut items = Vec::with_capacity(max);
        if rx.recv_many(&mut items, max).await == 0 {
            return;
        }
        let Some(app) = app.upgrade() else { return };
        let (jobs, replies): (Vec<J>, Vec<_>) = items.into_iter().unzip();
        let written = commit(app, jobs);
        tokio::spawn(async move {
            answer(written.await, replies, name);
            drop(slot);
        });
    }
}

/// Tells each caller of a batch how its write went.
fn answer<R>(result: AppResult<Vec<R>>, replies: Vec<oneshot::Sender<AppResult<R>>>, name: &str) {
    match result {
        Ok(answers) => {
            for (reply, a) in replies.into_iter().zip(answers) {
                let _ = reply.send(Ok(a));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, writer = name, "batch failed");
            for reply in replies {
                let _ = reply.send(Err(AppError::Internal(anyhow::anyhow!(
                    "the {name} batch failed"
                ))));
            }
        }
    }
}
