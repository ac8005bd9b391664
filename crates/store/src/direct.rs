//! The direct writer: on a SQLite file, a connection of its own on a thread
//! of its own (rusqlite), for the write that comes thousands of times a
//! second — the daily quiz's batches. Through the pool every statement and
//! every row returned is a hop between threads; here a whole transaction
//! runs as one call with cached statements (see docs/performance.md). The
//! thread takes its turn with the pool's writers through the same lock for
//! each transaction, so the two never wait on SQLite's busy timeout, and
//! callers may queue their next transaction while one commits. Session
//! touches come here too when it is there: a write by another connection
//! would empty its page cache.

use std::path::PathBuf;
use std::sync::{Arc, Mutex as StdMutex, mpsc};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{Mutex, oneshot};

use crate::Result;

/// The log's bound: past 128 MB the writer checkpoints after its own
/// commit. Below it the pool's checkpointer copies the log back every
/// 200 ms on its own connection, so the writer seldom waits for a
/// checkpoint's fsync. Checkpointing every 4,000 pages in the writer itself
/// held each batch behind the disk: with members spread over a province the
/// quiz wrote 200 MB/s and the writer sat half its time in fsync (figures
/// in docs/performance.md).
/// Without any bound in the writer the log grew past 1 GB (a passive
/// checkpoint never catches a writer that never pauses).
const CHECKPOINT_PAGES: u32 = 32_000;
/// The writer's page cache limit: it touches the indexes of attempts, runs,
/// counters and the log all over a province's trees. A limit, filled only
/// by a database that large.
const WRITER_CACHE_MIB: u32 = 1_024;

type Work = Box<dyn FnOnce(&mut Connection) + Send>;

/// How the direct writer opens its connection.
#[derive(Clone, Debug)]
pub(crate) struct DirectOptions {
    pub path: PathBuf,
    pub cache_mib: u32,
}

#[derive(Debug)]
pub(crate) struct DirectWriter {
    work: StdMutex<Option<mpsc::Sender<Work>>>,
}

impl DirectWriter {
    /// Starts the thread; the connection opens with the first transaction.
    /// `turn` is the store's writer lock: one writer of this process at a
    /// time.
    pub(crate) fn start(opts: DirectOptions, turn: Arc<Mutex<()>>) -> DirectWriter {
        let (tx, rx) = mpsc::channel::<Work>();
        std::thread::Builder::new()
            .name("sqlite-direct".into())
            .spawn(move || {
                let mut conn = None;
                for work in rx {
                    let _turn = turn.blocking_lock();
                    match &mut conn {
                        Some(c) => work(c),
                        None => match open(&opts) {
                            Ok(mut c) => {
                                work(&mut c);
                                conn = Some(c);
                            }
                            // The work's reply is dropped: its caller sees the writer fail.
                            Err(e) => {
                                tracing::error!(error = %e, "opening the direct writer failed")
                            }
                        },
                    }
                }
            })
            .ok();
        DirectWriter {
            work: StdMutex::new(Some(tx)),
        }
    }

    /// Runs `f` in one IMMEDIATE transaction and commits; an error rolls
    /// everything back. Transactions run in the order they are queued.
    pub(crate) async fn transaction<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<R> + Send + 'static,
        R: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let work: Work = Box::new(move |conn: &mut Connection| {
            let run = || {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let r = f(&tx)?;
                tx.commit()?;
                Ok(r)
            };
            let _ = reply.send(run());
        });
        let sent = match self.work.lock() {
            Ok(w) => w.as_ref().is_some_and(|s| s.send(work).is_ok()),
            Err(_) => false,
        };
        if !sent {
            return Err(stopped());
        }
        answer.await.map_err(|_| stopped())?.map_err(to_sqlx)
    }

    /// Ends the thread once the work queued so far is done.
    pub(crate) fn stop(&self) {
        if let Ok(mut w) = self.work.lock() {
            w.take();
        }
    }
}

/// The same settings the pool's connections get.
fn open(opts: &DirectOptions) -> rusqlite::Result<Connection> {
    let conn = Connection::open(&opts.path)?;
    conn.execute_batch(&crate::dialect::sqlite_pragmas(
        opts.cache_mib.max(WRITER_CACHE_MIB),
        false,
    ))?;
    conn.execute_batch(&format!("PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES};"))?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

fn stopped() -> sqlx::Error {
    sqlx::Error::PoolClosed
}

fn to_sqlx(e: rusqlite::Error) -> sqlx::Error {
    sqlx::Error::Protocol(format!("SQLite (direct writer): {e}"))
}
