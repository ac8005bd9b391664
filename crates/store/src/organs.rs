//! The campaign's organs, the people on them and the units they cover.

use sqlx::{AnyConnection, FromRow, Row};

use crate::Result;

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct OrganRow {
    pub id: i64,
    pub unit_id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub duties: String,
    pub sort_order: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str =
    "id, unit_id, parent_id, kind, name, duties, sort_order, created_at, updated_at";

pub async fn insert(conn: &mut AnyConnection, o: &OrganRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO organs (id, unit_id, parent_id, kind, name, duties, sort_order, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(o.id)
    .bind(o.unit_id)
    .bind(o.parent_id)
    .bind(&o.kind)
    .bind(&o.name)
    .bind(&o.duties)
    .bind(o.sort_order)
    .bind(o.created_at)
    .bind(o.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<OrganRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM organs WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// Organs set up by units inside a subtree, leading groups first.
pub async fn in_subtree(conn: &mut AnyConnection, lo: &str, hi: &str) -> Result<Vec<OrganRow>> {
    sqlx::query_as(
        "SELECT o.id, o.unit_id, o.parent_id, o.kind, o.name, o.duties, o.sort_order, o.created_at, o.updated_at \
         FROM organs o JOIN units u ON u.id = o.unit_id WHERE u.path >= $1 AND u.path < $2 \
         ORDER BY u.path, o.sort_order, o.id",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await
}

pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    duties: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE organs SET name = $2, duties = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(name)
        .bind(duties)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn count_children(conn: &mut AnyConnection, id: i64) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) FROM organs WHERE parent_id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM organs WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct OrganPersonRow {
    pub id: i64,
    pub organ_id: i64,
    pub member_id: Option<i64>,
    pub name: String,
    pub post: String,
    pub affiliation: String,
    pub sort_order: i64,
    pub created_at: i64,
}

pub async fn add_person(conn: &mut AnyConnection, p: &OrganPersonRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO organ_people (id, organ_id, member_id, name, post, affiliation, sort_order, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(p.id)
    .bind(p.organ_id)
    .bind(p.member_id)
    .bind(&p.name)
    .bind(&p.post)
    .bind(&p.affiliation)
    .bind(p.sort_order)
    .bind(p.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn people(conn: &mut AnyConnection, organ: i64) -> Result<Vec<OrganPersonRow>> {
    sqlx::query_as(
        "SELECT id, organ_id, member_id, name, post, affiliation, sort_order, created_at FROM organ_people \
         WHERE organ_id = $1 ORDER BY sort_order, id",
    )
    .bind(organ)
    .fetch_all(&mut *conn)
    .await
}

pub async fn get_person(conn: &mut AnyConnection, id: i64) -> Result<Option<OrganPersonRow>> {
    sqlx::query_as(
        "SELECT id, organ_id, member_id, name, post, affiliation, sort_order, created_at FROM organ_people WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn remove_person(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM organ_people WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Assigns units to an organ's slice; units already assigned are kept.
pub async fn assign_units(conn: &mut AnyConnection, organ: i64, units: &[i64]) -> Result<()> {
    let rows = units
        .iter()
        .map(|u| vec![organ.into(), (*u).into()])
        .collect();
    crate::bulk::insert_rows(
        conn,
        "organ_units",
        &["organ_id", "unit_id"],
        rows,
        "ON CONFLICT DO NOTHING",
    )
    .await?;
    Ok(())
}

pub async fn unassign_unit(conn: &mut AnyConnection, organ: i64, unit: i64) -> Result<()> {
    sqlx::query("DELETE FROM organ_units WHERE organ_id = $1 AND unit_id = $2")
        .bind(organ)
        .bind(unit)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The units an organ covers, by path.
pub async fn slice(conn: &mut AnyConnection, organ: i64) -> Result<Vec<crate::units::UnitRow>> {
    sqlx::query_as(
        "SELECT u.id, u.parent_id, u.path, u.depth, u.kind, u.code, u.name, u.sort_order, u.created_at, u.updated_at \
         FROM organ_units ou JOIN units u ON u.id = ou.unit_id WHERE ou.organ_id = $1 ORDER BY u.path",
    )
    .bind(organ)
    .fetch_all(&mut *conn)
    .await
}

/// The organs of a kind that cover a unit or one of its ancestors.
pub async fn covering(
    conn: &mut AnyConnection,
    ancestor_ids: &[i64],
    kind: &str,
) -> Result<Vec<OrganRow>> {
    if ancestor_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::units::placeholders(2, ancestor_ids.len());
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT o.id, o.unit_id, o.parent_id, o.kind, o.name, o.duties, o.sort_order, o.created_at, o.updated_at \
         FROM organ_units ou JOIN organs o ON o.id = ou.organ_id WHERE o.kind = $1 AND ou.unit_id IN ({list}) \
         ORDER BY o.sort_order, o.id"
    )))
    .bind(kind);
    for id in ancestor_ids {
        q = q.bind(*id);
    }
    q.fetch_all(&mut *conn).await
}
