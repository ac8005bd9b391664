//! The audit log: appended by every write, never changed.

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::unit::UnitPath;

use crate::Result;
use crate::bulk::{Value, insert_row_direct, insert_rows};

#[derive(Clone, Debug, FromRow, PartialEq, Eq, serde::Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_account_id: Option<i64>,
    pub actor_name: String,
    pub ip: String,
    pub action: String,
    pub outcome: String,
    pub object_kind: String,
    pub object_id: Option<i64>,
    pub object_label: String,
    pub unit_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

pub async fn insert(conn: &mut AnyConnection, r: &AuditRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_account_id, actor_name, ip, action, outcome, object_kind, object_id, \
         object_label, unit_id, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(r.id)
    .bind(r.at)
    .bind(r.actor_account_id)
    .bind(&r.actor_name)
    .bind(&r.ip)
    .bind(&r.action)
    .bind(&r.outcome)
    .bind(&r.object_kind)
    .bind(r.object_id)
    .bind(&r.object_label)
    .bind(r.unit_id)
    .bind(&r.before_json)
    .bind(&r.after_json)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Appends many entries, many per statement (a batch of quiz submissions).
pub async fn insert_many(conn: &mut AnyConnection, rows: &[AuditRow]) -> Result<()> {
    let values = rows.iter().map(audit_values).collect();
    insert_rows(conn, "audit_log", &AUDIT_COLUMNS, values, "").await?;
    Ok(())
}

/// As [`insert_many`], on the direct writer.
pub fn insert_many_direct(
    tx: &rusqlite::Transaction<'_>,
    rows: &[AuditRow],
) -> rusqlite::Result<()> {
    for r in rows {
        insert_row_direct(tx, "audit_log", &AUDIT_COLUMNS, &audit_values(r), "")?;
    }
    Ok(())
}

const AUDIT_COLUMNS: [&str; 13] = [
    "id",
    "at",
    "actor_account_id",
    "actor_name",
    "ip",
    "action",
    "outcome",
    "object_kind",
    "object_id",
    "object_label",
    "unit_id",
    "before_json",
    "after_json",
];

fn audit_values(r: &AuditRow) -> Vec<Value> {
    vec![
        Value::from(r.id),
        Value::from(r.at),
        Value::from(r.actor_account_id),
        Value::from(r.actor_name.as_str()),
        Value::from(r.ip.as_str()),
        Value::from(r.action.as_str()),
        Value::from(r.outcome.as_str()),
        Value::from(r.object_kind.as_str()),
        Value::from(r.object_id),
        Value::from(r.object_label.as_str()),
        Value::from(r.unit_id),
        Value::from(r.before_json.clone()),
        Value::from(r.after_json.clone()),
    ]
}

/// What to look for in the log.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Only entries about units in this subtree; `None` for everything,
    /// including entries tied to no unit (failed logins of unknown names).
    pub scope: Option<UnitPath>,
    pub action: Option<String>,
    pub actor: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Entries older than this id (the next page).
    pub before_id: Option<i64>,
}

/// Newest first.
pub async fn list(conn: &mut AnyConnection, f: &AuditFilter, limit: i64) -> Result<Vec<AuditRow>> {
    let mut sql = String::from(
        "SELECT a.id, a.at, a.actor_account_id, a.actor_name, a.ip, a.action, a.outcome, a.object_kind, a.object_id, \
         a.object_label, a.unit_id, a.before_json, a.after_json FROM audit_log a",
    );
    let mut conds: Vec<String> = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    let range = f.scope.as_ref().map(|s| s.subtree_range());
    if range.is_some() {
        sql.push_str(" JOIN units u ON u.id = a.unit_id");
        conds.push(format!("u.path >= {} AND u.path < {}", next(), next()));
    }
    if f.action.is_some() {
        conds.push(format!("a.action = {}", next()));
    }
    if f.actor.is_some() {
        conds.push(format!("a.actor_name = {}", next()));
    }
    if f.since.is_some() {
        conds.push(format!("a.at >= {}", next()));
    }
    if f.until.is_some() {
        conds.push(format!("a.at < {}", next()));
    }
    if f.before_id.is_some() {
        conds.push(format!("a.id < {}", next()));
    }
    if !conds.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conds.join(" AND "));
    }
    sql.push_str(&format!(" ORDER BY a.id DESC LIMIT {}", next()));
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    if let Some((lo, hi)) = range {
        q = q.bind(lo).bind(hi);
    }
    for v in [&f.action, &f.actor].into_iter().flatten() {
        q = q.bind(v.clone());
    }
    for v in [f.since, f.until, f.before_id].into_iter().flatten() {
        q = q.bind(v);
    }
    q.bind(limit).fetch_all(&mut *conn).await
}
