//! Upkeep the server runs on a timer: ending expired sessions and keeping
//! the query planner's statistics in step with tables that grew.

use xueshi_store::dialect;

use crate::{App, AppResult};

/// Refreshes the planner's statistics of tables that changed a lot since
/// they were last measured. Statistics taken when a table was tiny make
/// SQLite scan it once it is large (seen: 226 ms per session lookup after
/// 150,000 accounts were added to a demo measured with 5).
pub async fn refresh_statistics(app: &App) -> AppResult<()> {
    let mut conn = app.store().read().await?;
    dialect::optimize(&mut conn, app.store().backend()).await?;
    Ok(())
}

/// After a bulk load: statistics measured again and, on SQLite, the whole
/// write-ahead log copied back, so the server that follows starts settled.
pub async fn settle(app: &App) -> AppResult<()> {
    refresh_statistics(app).await?;
    let mut conn = app.store().read().await?;
    dialect::checkpoint_all(&mut conn, app.store().backend()).await?;
    Ok(())
}

/// One round of upkeep: the hourly timer and start-up run it.
pub async fn hourly(app: &App) -> AppResult<u64> {
    refresh_statistics(app).await?;
    crate::auth::purge_sessions(app).await
}
