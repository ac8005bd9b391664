//! Subtree tallies (`unit_tallies`): read one row, add deltas to many.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};
use xueshi_domain::Id;
use xueshi_domain::tally::Tally;

use crate::Result;
use crate::bulk::{Value, insert_rows};

fn select_sql(filter: &str) -> String {
    format!(
        "SELECT unit_id, {} FROM unit_tallies {filter}",
        Tally::COLUMNS.join(", ")
    )
}

fn tally_of(row: &sqlx::any::AnyRow) -> Result<(i64, Tally)> {
    let id: i64 = row.try_get(0)?;
    let values: Vec<i64> = (1..=Tally::COLUMNS.len())
        .map(|i| row.try_get(i))
        .collect::<Result<_>>()?;
    Ok((id, Tally::from_values(&values)))
}

/// The tally of one unit's subtree; zero when nothing was ever counted.
pub async fn get(conn: &mut AnyConnection, unit: i64) -> Result<Tally> {
    let row = sqlx::query(sqlx::AssertSqlSafe(select_sql("WHERE unit_id = $1")))
        .bind(unit)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row
        .map(|r| tally_of(&r))
        .transpose()?
        .map(|(_, t)| t)
        .unwrap_or_default())
}

/// Tallies of several units.
pub async fn get_many(conn: &mut AnyConnection, units: &[i64]) -> Result<HashMap<i64, Tally>> {
    let mut out = HashMap::new();
    for chunk in units.chunks(500) {
        let list = crate::units::placeholders(1, chunk.len());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(select_sql(&format!(
            "WHERE unit_id IN ({list})"
        ))));
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let (id, t) = tally_of(&row)?;
            out.insert(id, t);
        }
    }
    Ok(out)
}

/// Every stored tally, for the consistency check.
pub async fn all(conn: &mut AnyConnection) -> Result<HashMap<i64, Tally>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(select_sql("")))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(tally_of).collect()
}

/// Adds each delta to its unit's tally, creating rows as needed.
pub async fn add(conn: &mut AnyConnection, deltas: &HashMap<Id, Tally>) -> Result<()> {
    let cols = Tally::COLUMNS;
    let set: Vec<String> = cols
        .iter()
        .map(|c| format!("{c} = unit_tallies.{c} + excluded.{c}"))
        .collect();
    let suffix = format!("ON CONFLICT (unit_id) DO UPDATE SET {}", set.join(", "));
    let mut columns = vec!["unit_id"];
    columns.extend_from_slice(cols);
    let mut sorted: Vec<(&Id, &Tally)> = deltas.iter().filter(|(_, t)| !t.is_zero()).collect();
    // A stable order keeps concurrent PostgreSQL writers from deadlocking.
    sorted.sort_by_key(|(id, _)| **id);
    let rows: Vec<Vec<Value>> = sorted
        .into_iter()
        .map(|(id, t)| {
            std::iter::once(Value::from(id.0))
                .chain(t.values().into_iter().map(Value::from))
                .collect()
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    insert_rows(conn, "unit_tallies", &columns, rows, &suffix).await?;
    Ok(())
}
