//! Backups and restores. A backup is always one SQLite file, whatever the
//! database: SQLite copies itself with `VACUUM INTO` while it runs;
//! PostgreSQL is read inside one repeatable-read snapshot and written into a
//! new SQLite file. A restore copies a backup file's rows into an empty
//! database of either kind, so a backup is also the way from SQLite to
//! PostgreSQL when an installation outgrows one file.

use std::path::Path;

use serde::Serialize;
use xueshi_store::dialect::{self, columns};
use xueshi_store::{Backend, Store, StoreOptions, bulk};

use crate::audit::{Audited, Entry};
use crate::jobs::Progress;
use crate::{App, AppError, AppResult};

#[derive(Clone, Debug, Serialize)]
pub struct Copied {
    pub tables: Vec<(String, u64)>,
}

fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

/// Writes a consistent copy of the running database to `file`, which must
/// not exist yet.
pub async fn backup(app: &App, file: &Path, progress: &dyn Progress) -> AppResult<Copied> {
    if file.exists() {
        return Err(AppError::Conflict("file_exists"));
    }
    // Made empty and private first: the copy holds password hashes and names.
    xueshi_store::private_file(file).map_err(|e| AppError::Internal(e.into()))?;
    let copied = match app.store().backend() {
        Backend::Sqlite => {
            progress.stage("stage.backup", 1);
            let mut conn = app.store().read().await?;
            dialect::sqlite_snapshot(&mut conn, &file.display().to_string()).await?;
            progress.advance(1);
            Copied { tables: Vec::new() }
        }
        Backend::Postgres => {
            let dst = Store::connect(&StoreOptions::new(sqlite_url(file))).await?;
            dst.migrate().await?;
            let mut src = app.store().read().await?;
            dialect::begin_snapshot(&mut src, Backend::Postgres).await?;
            let mut out = dst.read().await?;
            let copied = copy_all(&mut src, Backend::Postgres, &mut out, progress).await;
            let _ = sqlx::Executor::execute(&mut *src, "ROLLBACK").await;
            drop(out);
            dst.close().await;
            copied?
        }
    };
    let tx = Audited::visitor(app, None, "cli", "local").await?;
    let label = file.display().to_string();
    tx.commit(Entry::new("backup", "installation", None, &label))
        .await?;
    Ok(copied)
}

/// Copies a backup file into `target`, which must be migrated and empty.
pub async fn restore(target: &Store, file: &Path, progress: &dyn Progress) -> AppResult<Copied> {
    if !file.exists() {
        return Err(AppError::NotFound);
    }
    let src = Store::connect(&StoreOptions {
        max_connections: 1,
        read_only: true,
        ..StoreOptions::new(sqlite_url(file))
    })
    .await?;
    let mut dst = target.read().await?;
    if !xueshi_store::units::roots(&mut dst).await?.is_empty() {
        return Err(AppError::Conflict("database_not_empty"));
    }
    let mut from = src.read().await?;
    sqlx::Executor::execute(&mut *dst, "BEGIN").await?;
    let copied = copy_all(&mut from, Backend::Sqlite, &mut dst, progress).await;
    match copied {
        Ok(c) => {
            sqlx::Executor::execute(&mut *dst, "COMMIT").await?;
            drop(from);
            src.close().await;
            Ok(c)
        }
        Err(e) => {
            let _ = sqlx::Executor::execute(&mut *dst, "ROLLBACK").await;
            Err(e)
        }
    }
}

/// Copies every application table, parents before children. `src_backend`
/// is what `src` runs on; the table order is read from whichever side is
/// SQLite.
async fn copy_all(
    src: &mut sqlx::AnyConnection,
    src_backend: Backend,
    dst: &mut sqlx::AnyConnection,
    progress: &dyn Progress,
) -> AppResult<Copied> {
    let order = match src_backend {
        Backend::Sqlite => dialect::sqlite_table_order(src).await?,
        Backend::Postgres => dialect::sqlite_table_order(dst).await?,
    };
    let mut tables = Vec::new();
    for t in order {
        let cols = columns(src, src_backend, &t).await?;
        let total = dialect::count_rows(src, &t).await?;
        progress.stage("stage.copying", total.max(0) as u64);
        // Units come parents first; every other table by its first column.
        let by = if cols.iter().any(|c| c.name == "depth") {
            "depth, id".to_owned()
        } else {
            cols[0].name.clone()
        };
        let mut last = 0;
        let n = bulk::copy_table(src, dst, &t, &cols, &by, |done| {
            progress.advance(done - last);
            last = done;
        })
        .await?;
        tables.push((t, n));
    }
    Ok(Copied { tables })
}
