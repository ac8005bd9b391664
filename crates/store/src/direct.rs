//! The direct writer: on a SQLite file, a connection of its own on a thread
//! of its own (rusqlite), for the write that comes thousands of times a
//! second — the daily quiz's batches. Through the pool every statement and
//! every row returned is a hop between threads; here a whole transaction
//! runs as one call with cached statements (the quiz went from about
//! 6,000 to 6,400–7,900 submissions a second, see docs/performance.md). It takes its turn with the pool's writers through
//! the same lock, so the two never wait on SQLite's busy timeout.

use std::path::PathBuf;
use std::sync::{Arc, Mutex as StdMutex, mpsc};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{Mutex, oneshot};

use crate::Result;

const CHECKPOINT_PAGES: u32 = 4_000;

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
    /// The store's writer lock: one writer of this process at a time.
    turn: Arc<Mutex<()>>,
}

impl DirectWriter {
    /// Starts the thread; the connection opens with the first transaction.
    pub(crate) fn start(opts: DirectOptions, turn: Arc<Mutex<()>>) -> DirectWriter {
        let (tx, rx) = mpsc::channel::<Work>();
        std::thread::Builder::new()
            .name("sqlite-direct".into())
            .spawn(move || {
                let mut conn = None;
                for work in rx {
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
            turn,
        }
    }

    /// Runs `f` in one IMMEDIATE transaction and commits; an error rolls
    /// everything back.
    pub(crate) async fn transaction<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<R> + Send + 'static,
        R: Send + 'static,
    {
        let _turn = self.turn.lock().await;
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
    conn.execute_batch(&crate::dialect::sqlite_pragmas(opts.cache_mib, false))?;
    // The direct writer checkpoints after its own commits, every 16 MB of
    // log: the background checkpointer alone cannot keep up with it (a
    // passive checkpoint never catches a writer that never pauses, and the
    // log grew by 60 MB a second). At 1,000 pages the quiz fell to about
    // 6,000/s; without, the log had no bound and the p99 reached 350 ms.
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
