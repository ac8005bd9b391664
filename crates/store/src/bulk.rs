//! Multi-row INSERTs with `$n` placeholders numbered by hand, for imports,
//! demo data and restores: one statement carries hundreds of rows.

use sqlx::AnyConnection;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;

use crate::Result;

/// One value of a row, in the four types every table uses.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_owned()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}
impl From<Option<Vec<u8>>> for Value {
    fn from(v: Option<Vec<u8>>) -> Self {
        Value::Bytes(v)
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Value::Int(x) => x.to_sql(),
            Value::Float(x) => x.to_sql(),
            Value::Text(x) => x.to_sql(),
            Value::Bytes(x) => x.to_sql(),
        }
    }
}

/// Writes one row on the direct writer with a cached one-row statement
/// built as [`insert_rows`] builds its own; returns the rows changed (0 when
/// `ON CONFLICT DO NOTHING` skipped it).
pub fn insert_row_direct(
    tx: &rusqlite::Transaction<'_>,
    table: &str,
    columns: &[&str],
    row: &[Value],
    suffix: &str,
) -> rusqlite::Result<usize> {
    debug_assert_eq!(row.len(), columns.len());
    let sql = insert_sql(table, columns, 1, suffix, true);
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(row.iter()))
}

/// Binds one value to a query.
pub fn bind(q: Query<'_, sqlx::Any, AnyArguments>, v: Value) -> Query<'_, sqlx::Any, AnyArguments> {
    match v {
        Value::Int(x) => q.bind(x),
        Value::Float(x) => q.bind(x),
        Value::Text(x) => q.bind(x),
        Value::Bytes(x) => q.bind(x),
    }
}

/// Binds values, in order, to any kind of query (`query`, `query_as`,
/// `query_scalar`): for conditions built from optional filters.
macro_rules! bind_values {
    ($q:expr, $values:expr) => {{
        let mut q = $q;
        for v in $values {
            q = match v {
                $crate::bulk::Value::Int(x) => q.bind(x),
                $crate::bulk::Value::Float(x) => q.bind(x),
                $crate::bulk::Value::Text(x) => q.bind(x),
                $crate::bulk::Value::Bytes(x) => q.bind(x),
            };
        }
        q
    }};
}
pub(crate) use bind_values;

/// A WHERE clause built from optional filters: each condition's `?` marks
/// are numbered `$n` in order, its values kept to bind in the same order.
#[derive(Clone, Debug, Default)]
pub struct Conditions {
    clauses: Vec<String>,
    pub values: Vec<Value>,
}

impl Conditions {
    pub fn add(&mut self, sql: &str, values: Vec<Value>) {
        let mut out = String::with_capacity(sql.len() + 8);
        for (i, part) in sql.split('?').enumerate() {
            if i > 0 {
                out.push_str(&format!("${}", self.values.len() + i));
            }
            out.push_str(part);
        }
        self.values.extend(values);
        self.clauses.push(out);
    }
    /// The conditions joined with AND.
    pub fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }
    /// The number the next placeholder after these takes.
    pub fn next(&self) -> usize {
        self.values.len() + 1
    }
}

/// Both databases take far more, but statements of this size are fastest.
const MAX_PARAMS: usize = 16_000;
const MAX_ROWS: usize = 500;
const SQLITE_MAX_PARAMS: usize = 2_000;

/// How many rows of `width` values one statement carries, and whether its
/// placeholders are anonymous.
pub(crate) fn per_statement(conn: &AnyConnection, width: usize) -> (usize, bool) {
    let per = (MAX_PARAMS / width.max(1)).clamp(1, MAX_ROWS);
    // sqlx looks up each numbered SQLite parameter by name, a linear walk
    // per parameter; anonymous `?` parameters skip it (import went from 33 s
    // to a few seconds for 100,000 members).
    let anonymous = conn.backend_name() == "SQLite";
    // SQLite copies every page a statement touches into its statement
    // journal; with several random indexes, shorter statements copy less.
    if anonymous {
        ((SQLITE_MAX_PARAMS / width.max(1)).clamp(1, per), true)
    } else {
        (per, false)
    }
}

/// Inserts rows of `columns.len()` values each into `table`, many per
/// statement. `suffix` is appended to every statement (an `ON CONFLICT`
/// clause, say). Returns the number of rows written.
pub async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    suffix: &str,
) -> Result<u64> {
    let width = columns.len();
    let (per, anonymous) = per_statement(conn, width);
    let mut written = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per).collect();
        let sql = insert_sql(table, columns, chunk.len(), suffix, anonymous);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            debug_assert_eq!(row.len(), width);
            for v in row {
                q = bind(q, v);
            }
        }
        written += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
}

/// As [`insert_rows`], with a `RETURNING` clause ending `suffix`: the rows
/// the statements return (those written, after `ON CONFLICT DO NOTHING`).
pub async fn insert_rows_returning(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    suffix: &str,
) -> Result<Vec<AnyRow>> {
    let width = columns.len();
    let (per, anonymous) = per_statement(conn, width);
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per).collect();
        let sql = insert_sql(table, columns, chunk.len(), suffix, anonymous);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = bind(q, v);
            }
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

fn insert_sql(table: &str, columns: &[&str], rows: usize, suffix: &str, anonymous: bool) -> String {
    let mut sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        values_list(rows, columns.len(), anonymous)
    );
    if !suffix.is_empty() {
        sql.push(' ');
        sql.push_str(suffix);
    }
    sql
}

/// `rows` parenthesised tuples of `width` placeholders each, numbered from
/// `$1` across rows (or anonymous `?`).
pub(crate) fn values_list(rows: usize, width: usize, anonymous: bool) -> String {
    let mut sql = String::with_capacity(rows * width * 5);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            n += 1;
            if c > 0 {
                sql.push_str(", ");
            }
            if anonymous {
                sql.push('?');
            } else {
                sql.push('$');
                sql.push_str(&n.to_string());
            }
        }
        sql.push(')');
    }
    sql
}

/// Copies every row of `table` from one database to another, in `order`,
/// a few hundred rows per INSERT. Returns the number of rows copied.
pub async fn copy_table(
    src: &mut AnyConnection,
    dst: &mut AnyConnection,
    table: &str,
    columns: &[crate::dialect::Column],
    order: &str,
    mut on_rows: impl FnMut(u64),
) -> Result<u64> {
    use futures_util::TryStreamExt;
    use sqlx::Row;

    use crate::dialect::ColumnKind;

    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let sql = format!("SELECT {} FROM {table} ORDER BY {order}", names.join(", "));
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *src);
    let mut pending: Vec<Vec<Value>> = Vec::new();
    let mut copied = 0;
    while let Some(row) = rows.try_next().await? {
        let mut values = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            values.push(match c.kind {
                ColumnKind::Integer => Value::Int(row.try_get(i)?),
                ColumnKind::Float => Value::Float(row.try_get(i)?),
                ColumnKind::Text => Value::Text(row.try_get(i)?),
                ColumnKind::Bytes => Value::Bytes(row.try_get(i)?),
            });
        }
        pending.push(values);
        if pending.len() == MAX_ROWS {
            copied += insert_rows(dst, table, &names, std::mem::take(&mut pending), "").await?;
            on_rows(copied);
        }
    }
    if !pending.is_empty() {
        copied += insert_rows(dst, table, &names, pending, "").await?;
        on_rows(copied);
    }
    Ok(copied)
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_across_rows() {
        assert_eq!(
            super::insert_sql("t", &["a", "b"], 2, "ON CONFLICT DO NOTHING", false),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            super::insert_sql("t", &["a", "b"], 2, "", true),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }
}
