//! The bigram index behind Chinese name search (see `xueshi_domain::text`).

use sqlx::AnyConnection;
use xueshi_domain::text::bigrams;

use crate::Result;
use crate::bulk::{Value, insert_rows};

/// Which table's names are indexed.
#[derive(Clone, Copy, Debug)]
pub enum Indexed {
    Unit,
    Member,
}

impl Indexed {
    fn table(self) -> &'static str {
        match self {
            Indexed::Unit => "unit_grams",
            Indexed::Member => "member_grams",
        }
    }
    fn column(self) -> &'static str {
        match self {
            Indexed::Unit => "unit_id",
            Indexed::Member => "member_id",
        }
    }
}

/// Indexes a folded name, replacing what was indexed for the row before.
pub async fn replace(
    conn: &mut AnyConnection,
    which: Indexed,
    id: i64,
    folded: &str,
) -> Result<()> {
    let delete = match which {
        Indexed::Unit => "DELETE FROM unit_grams WHERE unit_id = $1",
        Indexed::Member => "DELETE FROM member_grams WHERE member_id = $1",
    };
    sqlx::query(delete).bind(id).execute(&mut *conn).await?;
    add(conn, which, &[(id, folded)]).await
}

/// Indexes the folded names of new rows.
pub async fn add(conn: &mut AnyConnection, which: Indexed, rows: &[(i64, &str)]) -> Result<()> {
    let mut pairs: Vec<(String, i64)> = rows
        .iter()
        .flat_map(|(id, folded)| bigrams(folded).into_iter().map(move |g| (g, *id)))
        .collect();
    // In key order, a batch walks the index once instead of jumping about.
    pairs.sort_unstable();
    let values: Vec<Vec<Value>> = pairs
        .into_iter()
        .map(|(g, id)| vec![Value::from(g), Value::from(id)])
        .collect();
    if values.is_empty() {
        return Ok(());
    }
    insert_rows(
        conn,
        which.table(),
        &["gram", which.column()],
        values,
        "ON CONFLICT DO NOTHING",
    )
    .await?;
    Ok(())
}
