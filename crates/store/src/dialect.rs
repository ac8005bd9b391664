//! The few places where SQLite and PostgreSQL differ, and nowhere else:
//! connection set-up, the dialect-only migrations, schema introspection, and
//! consistent copies of a running database.

use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, Connection, Executor, Row};

use crate::{Result, Store};

static COMMON: Migrator = sqlx::migrate!("./migrations/common");
static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/pg");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// SQLite files are created when missing, unless opened read-only.
    pub(crate) fn normalise_url(self, url: &str, read_only: bool) -> String {
        match self {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode={}", if read_only { "ro" } else { "rwc" })
            }
            _ => url.to_owned(),
        }
    }

    /// Per-connection settings. On SQLite: WAL so readers never wait for the
    /// writer, NORMAL sync (durable at checkpoints, safe with WAL), a busy
    /// timeout for writers of other processes, foreign keys on.
    pub(crate) async fn prepare_connection(
        self,
        conn: &mut AnyConnection,
        read_only: bool,
        cache_mib: u32,
    ) -> Result<()> {
        if self == Backend::Sqlite {
            conn.execute(sqlx::AssertSqlSafe(sqlite_pragmas(cache_mib, read_only)))
                .await?;
        }
        Ok(())
    }
}

pub(crate) async fn migrate(store: &Store) -> Result<()> {
    let dialect = match store.backend() {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    let mut conn = store.pool().acquire().await?;
    // Each migrator sees the other's versions in the bookkeeping table.
    for m in [&COMMON, dialect] {
        let m = Migrator {
            migrations: m.migrations.clone(),
            ignore_missing: true,
            ..Migrator::DEFAULT
        };
        m.run(&mut *conn).await.map_err(migrate_err)?;
    }
    Ok(())
}

fn migrate_err(e: sqlx::migrate::MigrateError) -> sqlx::Error {
    match e {
        sqlx::migrate::MigrateError::Execute(e) => e,
        other => sqlx::Error::Migrate(Box::new(other)),
    }
}

/// A table's columns, in order, with the portable type each was declared as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Integer,
    Float,
    Text,
    Bytes,
}

/// The application's tables (not the migration bookkeeping), sorted by name.
pub async fn tables(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '_sqlx%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_type = 'BASE TABLE' AND table_name NOT LIKE '_sqlx%' ORDER BY table_name"
        }
    };
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
}

/// The columns of one table.
pub async fn columns(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<Column>> {
    let rows = match backend {
        Backend::Sqlite => {
            sqlx::query("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut *conn)
                .await?
        }
        Backend::Postgres => {
            sqlx::query(
                "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    rows.iter()
        .map(|r| {
            let name: String = r.try_get(0)?;
            let declared: String = r.try_get(1)?;
            let declared = declared.to_ascii_uppercase();
            let kind = if declared.contains("INT") {
                ColumnKind::Integer
            } else if declared.contains("DOUBLE") {
                ColumnKind::Float
            } else if declared.contains("BYTEA") {
                ColumnKind::Bytes
            } else {
                ColumnKind::Text
            };
            Ok(Column { name, kind })
        })
        .collect()
}

/// Writes a consistent copy of a running SQLite database to `file` (a new
/// SQLite file). Readers and the writer carry on meanwhile.
pub async fn sqlite_snapshot(conn: &mut AnyConnection, file: &str) -> Result<()> {
    sqlx::query("VACUUM INTO $1")
        .bind(file)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Starts a read transaction that sees one snapshot of a PostgreSQL database
/// for its whole length.
pub async fn begin_snapshot(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    match backend {
        Backend::Sqlite => conn.execute("BEGIN").await?,
        Backend::Postgres => {
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?
        }
    };
    Ok(())
}

/// Settings for loading millions of rows into a fresh database.
pub async fn bulk_load_mode(conn: &mut AnyConnection, backend: Backend, on: bool) -> Result<()> {
    match (backend, on) {
        (Backend::Sqlite, true) => {
            conn.execute("PRAGMA synchronous = OFF;").await?;
        }
        (Backend::Sqlite, false) => {
            conn.execute("PRAGMA synchronous = NORMAL;").await?;
        }
        (Backend::Postgres, true) => {
            conn.execute("SET synchronous_commit = OFF").await?;
        }
        (Backend::Postgres, false) => {
            conn.execute("SET synchronous_commit = ON").await?;
        }
    }
    Ok(())
}

/// Re-measures tables whose contents changed much since their statistics
/// were taken. SQLite: `PRAGMA optimize`; its 0x10000 bit looks at every
/// table, not only those this connection happened to query (plain
/// `optimize` on the upkeep connection left `accounts` measured at two rows
/// after 150,000 were added, and every session lookup became a scan).
/// PostgreSQL: `ANALYZE` of each table whose size on disk moved by more
/// than a tenth from what its statistics recorded, or with more changed
/// rows than autovacuum's own threshold, without waiting for autovacuum
/// (busy elsewhere for many minutes after a bulk load). The size is read
/// from the file, so a load committed a moment ago by another connection
/// counts before the activity counters report it. With `accounts` still
/// measured at two rows after 60,000 were added, each session lookup
/// walked the whole units index (87 ms).
pub async fn optimize(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    match backend {
        Backend::Sqlite => {
            conn.execute("PRAGMA optimize = 0x1fffe").await?;
        }
        Backend::Postgres => {
            let stale: Vec<String> = sqlx::query_scalar(
                "SELECT CAST(quote_ident(c.relname) AS TEXT) FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid \
                 WHERE n.nspname = current_schema() AND c.relkind = 'r' \
                 AND (abs(pg_relation_size(c.oid) / current_setting('block_size')::bigint - c.relpages) \
                      > 10 + c.relpages / 10 \
                   OR s.n_mod_since_analyze > 50 + s.n_live_tup / 10) \
                 ORDER BY c.relname",
            )
            .fetch_all(&mut *conn)
            .await?;
            for table in stale {
                sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {table}")))
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Refreshes the planner's statistics after a bulk load.
pub async fn analyze(conn: &mut AnyConnection) -> Result<()> {
    conn.execute("ANALYZE").await?;
    Ok(())
}

/// How many rows `table` holds; `table` is one of [`tables`]' names.
pub async fn count_rows(conn: &mut AnyConnection, table: &str) -> Result<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&mut *conn)
        .await
}

/// Checks the connection is alive.
pub async fn ping(conn: &mut AnyConnection) -> Result<()> {
    conn.ping().await
}

/// The application's tables in an order where every table comes after the
/// tables it refers to, read from a SQLite database's foreign keys (the
/// backup format is SQLite; both databases share one schema).
pub async fn sqlite_table_order(conn: &mut AnyConnection) -> Result<Vec<String>> {
    let names = tables(conn, Backend::Sqlite).await?;
    let mut refs: Vec<(String, Vec<String>)> = Vec::new();
    for t in &names {
        let rows = sqlx::query("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)")
            .bind(t.as_str())
            .fetch_all(&mut *conn)
            .await?;
        let targets: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|x| x != t)
            .collect();
        refs.push((t.clone(), targets));
    }
    let mut order: Vec<String> = Vec::new();
    while order.len() < refs.len() {
        let before = order.len();
        for (t, targets) in &refs {
            if !order.contains(t) && targets.iter().all(|x| order.contains(x)) {
                order.push(t.clone());
            }
        }
        if order.len() == before {
            return Err(sqlx::Error::Protocol("foreign keys form a cycle".into()));
        }
    }
    Ok(order)
}

/// Drops a table's secondary indexes (its primary key stays) and returns the
/// statements that build them again. A bulk load into an empty table inserts
/// in key order and builds each index once by sorting, instead of inserting
/// millions of keys into it at random.
pub async fn drop_indexes(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(i.indexname AS TEXT), CAST(i.indexdef AS TEXT) FROM pg_indexes i \
             WHERE i.schemaname = current_schema() AND i.tablename = $1 AND i.indexname NOT IN \
             (SELECT CAST(c.conname AS TEXT) FROM pg_constraint c WHERE c.contype = 'p') ORDER BY 1"
        }
    };
    let rows = sqlx::query(sql).bind(table).fetch_all(&mut *conn).await?;
    let mut rebuild = Vec::with_capacity(rows.len());
    for r in rows {
        let name: String = r.try_get(0)?;
        rebuild.push(r.try_get::<String, _>(1)?);
        conn.execute(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
            .await?;
    }
    Ok(rebuild)
}

/// Runs the statements `drop_indexes` returned.
pub async fn rebuild_indexes(
    conn: &mut AnyConnection,
    backend: Backend,
    statements: &[String],
) -> Result<()> {
    if backend == Backend::Sqlite {
        // SQLite checks CREATE INDEX against the schema this connection
        // cached, which may predate the DROP made on another pooled
        // connection ("index … already exists"); reading the schema table
        // makes it notice the change first.
        sqlx::query("SELECT COUNT(*) FROM sqlite_master")
            .fetch_one(&mut *conn)
            .await?;
    }
    for s in statements {
        conn.execute(sqlx::AssertSqlSafe(s.clone())).await?;
    }
    Ok(())
}

/// What a `SELECT` ends with to hold its rows until the transaction ends:
/// PostgreSQL locks them; SQLite's single writer already serialises.
pub fn row_lock(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    }
}

/// Holds a member's row until the transaction ends, so two of their writes
/// that read what the member did before (a check-in crossing a quota) run
/// one after the other. SQLite's single writer already does.
pub async fn lock_member(conn: &mut AnyConnection, backend: Backend, member: i64) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT id FROM members WHERE id = $1 FOR UPDATE")
            .bind(member)
            .fetch_optional(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The settings of every SQLite connection, the pool's and the direct
/// writer's.
pub(crate) fn sqlite_pragmas(cache_mib: u32, read_only: bool) -> String {
    let kib = i64::from(cache_mib.max(2)) * 1024;
    let mut sql = format!(
        "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; \
         PRAGMA cache_size = -{kib};"
    );
    if !read_only {
        sql.push_str(" PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    }
    sql
}

/// The file a SQLite URL names; `None` for an in-memory database.
pub(crate) fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let opts: sqlx::sqlite::SqliteConnectOptions = url.parse().ok()?;
    let path = opts.get_filename();
    let name = path.to_string_lossy();
    (!name.is_empty() && !name.contains(":memory:") && !url.contains("mode=memory"))
        .then(|| path.to_path_buf())
}

/// Stops a SQLite connection from checkpointing inside its own commits;
/// [`checkpoint_forever`] does it instead.
pub(crate) async fn leave_checkpoints(conn: &mut AnyConnection) -> Result<()> {
    conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
    Ok(())
}

/// Copies the whole write-ahead log back into a SQLite database and empties
/// it, waiting for readers (`TRUNCATE`): after a bulk load, so what follows
/// does not pay for it. Nothing to do on PostgreSQL.
pub async fn checkpoint_all(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    if backend == Backend::Sqlite {
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    Ok(())
}

/// How often the background checkpointer copies the log back: often, so
/// the direct writer's own checkpoints (see `direct`) rarely come due.
const CHECKPOINT_EVERY_MS: u64 = 200;

/// Copies the write-ahead log back into a SQLite database every 200 ms
/// without blocking readers or the writer (`PASSIVE`), until the pool
/// closes.
pub(crate) async fn checkpoint_forever(pool: sqlx::AnyPool) {
    while !pool.is_closed() {
        tokio::time::sleep(std::time::Duration::from_millis(CHECKPOINT_EVERY_MS)).await;
        let done = match pool.acquire().await {
            Ok(mut conn) => conn
                .execute("PRAGMA wal_checkpoint(PASSIVE)")
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        };
        if let Err(e) = done {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "checkpointing the write-ahead log failed");
        }
    }
}
