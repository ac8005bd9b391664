//! Storage: the SQL for SQLite and PostgreSQL, written once.
//!
//! Owns the connection pool, the migrations, and one module per aggregate with
//! the queries it needs. Every function takes a connection (`&mut
//! AnyConnection`), so a use-case decides what runs in one transaction. This
//! crate returns sqlx results and never decides a rule: what is allowed is the
//! domain's business, who may do it the app's. The only `match` on the
//! database kind lives in `dialect`.

pub mod accounts;
pub mod audit;
pub mod briefings;
pub mod bulk;
pub mod cases;
pub mod competitions;
pub mod contests;
pub mod dialect;
mod direct;
pub mod exams;
pub mod grams;
pub mod matter_board;
pub mod matters;
pub mod meetings;
pub mod members;
pub mod meta;
pub mod organs;
pub mod plans;
pub mod problems;
pub mod quiz;
pub mod quota_met;
pub mod rankings;
pub mod rhythm;
pub mod sessions;
pub mod study;
pub mod tallies;
pub mod tasks;
pub mod units;
pub mod webhooks;

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use dialect::Backend;
pub use sqlx::Error;

pub type Result<T, E = sqlx::Error> = std::result::Result<T, E>;

/// How to reach the database.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    pub url: String,
    pub max_connections: u32,
    /// Opens a SQLite file without writing to it (a backup being restored).
    pub read_only: bool,
    /// SQLite's page cache per connection, in MiB. Bulk loads of millions
    /// of rows want their indexes to fit (see docs/performance.md).
    pub sqlite_cache_mib: u32,
    /// On SQLite, copy the write-ahead log into the database from a task of
    /// its own instead of inside whichever commit crosses 1,000 pages: a
    /// server's writer then never stalls on a checkpoint (the quiz's p99).
    pub background_checkpoints: bool,
}

impl StoreOptions {
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions {
            url: url.into(),
            max_connections: 8,
            read_only: false,
            sqlite_cache_mib: 64,
            background_checkpoints: false,
        }
    }
}

/// The database behind the app: a pool plus, on SQLite, the lock that makes
/// this process's writers take turns instead of failing on a busy database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    writer: Option<Arc<Mutex<()>>>,
    direct: Option<Arc<direct::DirectWriter>>,
}

impl Store {
    /// Connects; creates a SQLite file when it does not exist yet.
    pub async fn connect(opts: &StoreOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(&opts.url).ok_or_else(|| {
            sqlx::Error::Configuration(format!("unsupported database url: {}", opts.url).into())
        })?;
        let url = backend.normalise_url(&opts.url, opts.read_only);
        let read_only = opts.read_only;
        let cache_mib = opts.sqlite_cache_mib;
        let background = opts.background_checkpoints && backend == Backend::Sqlite && !read_only;
        if backend == Backend::Sqlite
            && !read_only
            && let Some(file) = dialect::sqlite_file(&url)
        {
            private_file(&file).map_err(sqlx::Error::Io)?;
        }
        let connect: AnyConnectOptions = url.parse()?;
        let pool = AnyPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    backend
                        .prepare_connection(conn, read_only, cache_mib)
                        .await?;
                    if background {
                        dialect::leave_checkpoints(conn).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await?;
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        let direct = match (&writer, dialect::sqlite_file(&url)) {
            (Some(turn), Some(path)) if !read_only => Some(Arc::new(direct::DirectWriter::start(
                direct::DirectOptions { path, cache_mib },
                turn.clone(),
            ))),
            _ => None,
        };
        if background {
            tokio::spawn(dialect::checkpoint_forever(pool.clone()));
        }
        Ok(Store {
            pool,
            backend,
            writer,
            direct,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Brings the schema up to date: the portable migrations, then the few
    /// that only one dialect needs.
    pub async fn migrate(&self) -> Result<()> {
        dialect::migrate(self).await
    }

    /// A connection for reading.
    pub async fn read(&self) -> Result<PoolConnection<Any>> {
        self.pool.acquire().await
    }

    /// A write transaction. On SQLite, writers of this process queue here and
    /// the transaction starts IMMEDIATE, so a concurrent writer elsewhere
    /// (the CLI) makes it wait rather than fail half-way.
    pub async fn write(&self) -> Result<WriteTx> {
        let guard = match &self.writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _guard: guard })
    }

    /// Whether [`Store::write_direct`] is there: on a SQLite file opened
    /// for writing.
    pub fn has_direct_writer(&self) -> bool {
        self.direct.is_some()
    }

    /// Runs `f` in one write transaction on the direct writer (see
    /// `direct`), in turn with this process's other writers. Without one
    /// (PostgreSQL, an in-memory database) it fails: ask
    /// [`Store::has_direct_writer`] first.
    pub async fn write_direct<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<R> + Send + 'static,
        R: Send + 'static,
    {
        match &self.direct {
            Some(d) => d.transaction(f).await,
            None => Err(sqlx::Error::Configuration(
                "this database has no direct writer".into(),
            )),
        }
    }

    pub async fn close(&self) {
        if let Some(d) = &self.direct {
            d.stop();
        }
        self.pool.close().await;
    }
}

/// A write transaction; dropped without `commit`, it rolls back.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// True when a database error is a unique-constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// Converts a stored flag (BIGINT 0/1).
pub fn flag(v: i64) -> bool {
    v != 0
}

/// Makes `path` a file only its owner may read: created empty with mode
/// 0600 when missing, narrowed to 0600 when present, with any SQLite
/// journal beside it. A database holds password hashes and names; SQLite
/// gives its WAL and shared-memory files the database file's mode.
pub fn private_file(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            }
            Err(e) => return Err(e),
        }
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            let side = std::path::PathBuf::from(side);
            if side.exists() {
                std::fs::set_permissions(&side, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    if !path.exists() {
        std::fs::File::create(path)?;
    }
    Ok(())
}
