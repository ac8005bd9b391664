//! A fresh database for each test: a SQLite file in a temporary folder, or a
//! new schema in the PostgreSQL server at `XUESHI_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/test`), dropped afterwards. A missing
//! PostgreSQL server fails the test; it is never skipped.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor, PgConnection, Row};
use xueshi_store::{Store, StoreOptions};

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub fn pg_url() -> String {
    std::env::var("XUESHI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A database that exists for one test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);
static SWEEP: Once = Once::new();

impl TestDb {
    pub async fn new(db: Db) -> TestDb {
        match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}", dir.path().join("xueshi.db").display());
                TestDb {
                    db,
                    url,
                    dir: Some(dir),
                    schema: None,
                }
            }
            Db::Postgres => {
                let base = pg_url();
                let mut admin = PgConnection::connect(&base).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL at {base} is required by the tests: {e}")
                });
                sweep_stale_schemas(&mut admin).await;
                let n = COUNTER.fetch_add(1, Ordering::Relaxed);
                let schema = format!("xt_{}_{n}", std::process::id());
                admin
                    .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .await
                    .expect("create test schema");
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                TestDb {
                    db,
                    url,
                    dir: None,
                    schema: Some(schema),
                }
            }
        }
    }

    /// A migrated store on this database.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&StoreOptions {
            max_connections: 4,
            ..StoreOptions::new(self.url.clone())
        })
        .await
        .expect("connect");
        store.migrate().await.expect("migrate");
        store
    }

    /// The folder a SQLite test database lives in (for backups, say).
    pub fn dir(&self) -> std::path::PathBuf {
        match &self.dir {
            Some(d) => d.path().to_owned(),
            None => std::env::temp_dir(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(schema) = self.schema.take() {
            // Drop runs outside any runtime guarantee; use a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(mut c) = PgConnection::connect(&pg_url()).await {
                            let _ = c
                                .execute(sqlx::AssertSqlSafe(format!(
                                    "DROP SCHEMA {schema} CASCADE"
                                )))
                                .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// Drops schemas left behind by test processes that no longer run.
async fn sweep_stale_schemas(admin: &mut PgConnection) {
    let mut first = false;
    SWEEP.call_once(|| first = true);
    if !first {
        return;
    }
    let rows = sqlx::query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'xt\\_%'")
        .fetch_all(&mut *admin)
        .await
        .unwrap_or_default();
    for row in rows {
        let name: String = row.try_get(0).unwrap_or_default();
        let pid = name.split('_').nth(1).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS {name} CASCADE"
                )))
                .await;
        }
    }
}

/// Runs one test body on SQLite and on PostgreSQL: `both!(async fn name(db) { … })`
/// makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($(#[$meta:meta])* async fn $name:ident($db:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $db = $crate::Db::Sqlite;
                $body
            }
            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $db = $crate::Db::Postgres;
                $body
            }
        }
    };
}

/// Every row of every application table, as text, sorted: two databases
/// hold the same data when their dumps are equal.
pub async fn dump(store: &xueshi_store::Store) -> std::collections::BTreeMap<String, Vec<String>> {
    use xueshi_store::dialect::{ColumnKind, columns, tables};
    let mut c = store.read().await.expect("connection");
    let backend = store.backend();
    let mut out = std::collections::BTreeMap::new();
    for t in tables(&mut c, backend).await.expect("tables") {
        let cols = columns(&mut c, backend, &t).await.expect("columns");
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM {t}",
            names.join(", ")
        )))
        .fetch_all(&mut *c)
        .await
        .expect("rows");
        let mut lines: Vec<String> = rows
            .iter()
            .map(|r| {
                cols.iter()
                    .enumerate()
                    .map(|(i, col)| match col.kind {
                        ColumnKind::Integer => format!("{:?}", r.get::<Option<i64>, _>(i)),
                        ColumnKind::Float => format!("{:?}", r.get::<Option<f64>, _>(i)),
                        ColumnKind::Text => format!("{:?}", r.get::<Option<String>, _>(i)),
                        ColumnKind::Bytes => format!("{:?}", r.get::<Option<Vec<u8>>, _>(i)),
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        lines.sort();
        out.insert(t, lines);
    }
    out
}

/// A dump without the audit log's records of refused requests: a refusal
/// is put on record (the log only grows) and changes nothing else.
pub fn without_refusals(
    mut d: std::collections::BTreeMap<String, Vec<String>>,
) -> std::collections::BTreeMap<String, Vec<String>> {
    if let Some(rows) = d.get_mut("audit_log") {
        rows.retain(|r| !r.contains("\"denied\""));
    }
    d
}

/// Everything but the audit log and the sessions: what a refused request
/// must leave as it was (refusals and sign-ins are recorded on purpose).
pub async fn dump_data(
    store: &xueshi_store::Store,
) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut d = dump(store).await;
    d.remove("audit_log");
    d.remove("sessions");
    d
}
