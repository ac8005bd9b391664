//! Members: rows, lists, search, and the sealed personal numbers.

use sqlx::{AnyConnection, FromRow, Row};
use xueshi_domain::Id;
use xueshi_domain::member::{CadreLevel, Gender, MemberStatus};
use xueshi_domain::text::{SearchPlan, prefix_upper_bound};
use xueshi_domain::unit::UnitPath;

use crate::Result;
use crate::bulk::{Value, insert_rows};
use crate::units::{escape_like, placeholders};

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct MemberRow {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub gender: Gender,
    pub birth_date: Option<String>,
    pub join_date: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: MemberStatus,
    #[sqlx(try_from = "String")]
    pub cadre_level: CadreLevel,
    pub position: String,
    pub phone_masked: Option<String>,
    pub id_number_masked: Option<String>,
    pub left_at: Option<i64>,
    pub left_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl MemberRow {
    pub fn id(&self) -> Id {
        Id(self.id)
    }
    pub fn gender(&self) -> Gender {
        self.gender
    }
    pub fn status(&self) -> MemberStatus {
        self.status
    }
    pub fn cadre_level(&self) -> CadreLevel {
        self.cadre_level
    }
}

const COLUMNS: &str = "m.id, m.unit_id, m.name, m.gender, m.birth_date, m.join_date, m.status, m.cadre_level, \
    m.position, m.phone_masked, m.id_number_masked, m.left_at, m.left_reason, m.created_at, m.updated_at";

/// A member about to be written, personal numbers already sealed.
#[derive(Clone, Debug)]
pub struct NewMember {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub name_folded: String,
    pub gender: &'static str,
    pub birth_date: Option<String>,
    pub join_date: Option<String>,
    pub status: &'static str,
    pub cadre_level: &'static str,
    pub position: String,
    pub phone_masked: Option<String>,
    pub phone_sealed: Option<Vec<u8>>,
    pub id_number_masked: Option<String>,
    pub id_number_sealed: Option<Vec<u8>>,
    pub id_number_digest: Option<String>,
    pub now: i64,
}

const INSERT_COLUMNS: [&str; 17] = [
    "id",
    "unit_id",
    "name",
    "name_folded",
    "gender",
    "birth_date",
    "join_date",
    "status",
    "cadre_level",
    "position",
    "phone_masked",
    "phone_sealed",
    "id_number_masked",
    "id_number_sealed",
    "id_number_digest",
    "created_at",
    "updated_at",
];

impl NewMember {
    fn into_values(self) -> Vec<Value> {
        vec![
            self.id.into(),
            self.unit_id.into(),
            self.name.into(),
            self.name_folded.into(),
            self.gender.into(),
            self.birth_date.into(),
            self.join_date.into(),
            self.status.into(),
            self.cadre_level.into(),
            self.position.into(),
            self.phone_masked.into(),
            self.phone_sealed.into(),
            self.id_number_masked.into(),
            self.id_number_sealed.into(),
            self.id_number_digest.into(),
            self.now.into(),
            self.now.into(),
        ]
    }
}

/// Inserts members, many per statement, and indexes their names.
pub async fn insert_many(conn: &mut AnyConnection, members: Vec<NewMember>) -> Result<u64> {
    let grams: Vec<(i64, String)> = members
        .iter()
        .map(|m| (m.id, m.name_folded.clone()))
        .collect();
    let rows = members.into_iter().map(NewMember::into_values).collect();
    let n = insert_rows(conn, "members", &INSERT_COLUMNS, rows, "").await?;
    let refs: Vec<(i64, &str)> = grams.iter().map(|(id, f)| (*id, f.as_str())).collect();
    crate::grams::add(conn, crate::grams::Indexed::Member, &refs).await?;
    Ok(n)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<MemberRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members m WHERE m.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// The sealed phone and ID number of a member.
pub async fn sealed(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>)> {
    let row = sqlx::query("SELECT phone_sealed, id_number_sealed FROM members WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Fields an edit may change; personal numbers are replaced only when given.
#[derive(Clone, Debug)]
pub struct MemberUpdate {
    pub name: String,
    pub name_folded: String,
    pub gender: &'static str,
    pub birth_date: Option<String>,
    pub join_date: Option<String>,
    pub status: &'static str,
    pub cadre_level: &'static str,
    pub position: String,
    pub phone: Option<(String, Vec<u8>)>,
    pub id_number: Option<(String, Vec<u8>, String)>,
    pub now: i64,
}

pub async fn update(conn: &mut AnyConnection, id: i64, u: &MemberUpdate) -> Result<()> {
    sqlx::query(
        "UPDATE members SET name = $2, name_folded = $3, gender = $4, birth_date = $5, join_date = $6, status = $7, \
         cadre_level = $8, position = $9, updated_at = $10 WHERE id = $1",
    )
    .bind(id)
    .bind(&u.name)
    .bind(&u.name_folded)
    .bind(u.gender)
    .bind(&u.birth_date)
    .bind(&u.join_date)
    .bind(u.status)
    .bind(u.cadre_level)
    .bind(&u.position)
    .bind(u.now)
    .execute(&mut *conn)
    .await?;
    if let Some((masked, sealed)) = &u.phone {
        sqlx::query("UPDATE members SET phone_masked = $2, phone_sealed = $3 WHERE id = $1")
            .bind(id)
            .bind(masked)
            .bind(sealed.clone())
            .execute(&mut *conn)
            .await?;
    }
    if let Some((masked, sealed, digest)) = &u.id_number {
        sqlx::query("UPDATE members SET id_number_masked = $2, id_number_sealed = $3, id_number_digest = $4 WHERE id = $1")
            .bind(id)
            .bind(masked)
            .bind(sealed.clone())
            .bind(digest)
            .execute(&mut *conn)
            .await?;
    }
    crate::grams::replace(conn, crate::grams::Indexed::Member, id, &u.name_folded).await
}

pub async fn set_unit(conn: &mut AnyConnection, id: i64, unit: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE members SET unit_id = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(unit)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records that a member left the roster (transferred out, died, expelled).
/// The row stays; lists and tallies leave it out.
pub async fn set_left(conn: &mut AnyConnection, id: i64, reason: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE members SET left_at = $2, left_reason = $3, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Current members registered directly in one unit, by name.
pub async fn in_unit(
    conn: &mut AnyConnection,
    unit: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<MemberRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members m WHERE m.unit_id = $1 AND m.left_at IS NULL \
         ORDER BY m.name_folded, m.id LIMIT $2 OFFSET $3"
    )))
    .bind(unit)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await
}

pub async fn count_in_unit(conn: &mut AnyConnection, unit: i64) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) FROM members WHERE unit_id = $1 AND left_at IS NULL")
        .bind(unit)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)
}

/// Current members anywhere in a subtree, a page at a time in id order:
/// pass the last id of the previous page.
pub async fn in_subtree(
    conn: &mut AnyConnection,
    root: &UnitPath,
    after: i64,
    limit: i64,
) -> Result<Vec<MemberRow>> {
    let (lo, hi) = root.subtree_range();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members m JOIN units u ON u.id = m.unit_id \
         WHERE u.path >= $1 AND u.path < $2 AND m.left_at IS NULL AND m.id > $3 ORDER BY m.id LIMIT $4"
    )))
    .bind(lo)
    .bind(hi)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// A page of a subtree's current members in id order (the primary key's,
/// so a province's first page reads little more than it shows), with their
/// unit's name, and how many there are in all.
pub async fn page_in_subtree(
    conn: &mut AnyConnection,
    root: &UnitPath,
    limit: i64,
    offset: i64,
) -> Result<(Vec<(MemberRow, String)>, i64)> {
    let (lo, hi) = root.subtree_range();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, u.name AS unit_name FROM members m JOIN units u ON u.id = m.unit_id \
         WHERE u.path >= $1 AND u.path < $2 AND m.left_at IS NULL ORDER BY m.id LIMIT $3 OFFSET $4"
    )))
    .bind(lo.clone())
    .bind(hi.clone())
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let rows = rows
        .iter()
        .map(|r| Ok((MemberRow::from_row(r)?, r.try_get("unit_name")?)))
        .collect::<Result<Vec<_>>>()?;
    let total = sqlx::query_scalar(
        "SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id \
         WHERE u.path >= $1 AND u.path < $2 AND m.left_at IS NULL",
    )
    .bind(lo)
    .bind(hi)
    .fetch_one(&mut *conn)
    .await?;
    Ok((rows, total))
}

/// Members whose folded name matches, inside a subtree.
pub async fn search(
    conn: &mut AnyConnection,
    plan: &SearchPlan,
    scope: &UnitPath,
    limit: i64,
) -> Result<Vec<MemberRow>> {
    let (lo, hi) = scope.subtree_range();
    match plan {
        SearchPlan::Empty => Ok(Vec::new()),
        SearchPlan::Prefix(p) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM members m JOIN units u ON u.id = m.unit_id \
                 WHERE m.name_folded >= $1 AND m.name_folded < $2 AND u.path >= $3 AND u.path < $4 \
                 AND m.left_at IS NULL ORDER BY m.name_folded, m.id LIMIT $5"
            )))
            .bind(p.as_str())
            .bind(prefix_upper_bound(p))
            .bind(lo)
            .bind(hi)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await
        }
        SearchPlan::Gram { gram, contains } => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM member_grams g JOIN members m ON m.id = g.member_id JOIN units u ON u.id = m.unit_id \
                 WHERE g.gram = $1 AND u.path >= $2 AND u.path < $3 AND m.name_folded LIKE $4 AND m.left_at IS NULL \
                 ORDER BY m.name_folded, m.id LIMIT $5"
            )))
            .bind(gram.as_str())
            .bind(lo)
            .bind(hi)
            .bind(format!("%{}%", escape_like(contains)))
            .bind(limit)
            .fetch_all(&mut *conn)
            .await
        }
    }
}

/// Which of these ID-number digests are already on the roster.
pub async fn existing_digests(conn: &mut AnyConnection, digests: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for chunk in digests.chunks(500) {
        let list = placeholders(1, chunk.len());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id_number_digest FROM members WHERE id_number_digest IN ({list})"
        )));
        for d in chunk {
            q = q.bind(d.as_str());
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push(row.try_get(0)?);
        }
    }
    Ok(out)
}

/// The member holding an ID-number digest.
pub async fn by_digest(conn: &mut AnyConnection, digest: &str) -> Result<Option<MemberRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members m WHERE m.id_number_digest = $1"
    )))
    .bind(digest)
    .fetch_optional(&mut *conn)
    .await
}

/// Direct member counts per (unit, status, cadre level, gender), from the raw
/// rows, for checking the tallies.
pub async fn direct_counts(
    conn: &mut AnyConnection,
) -> Result<Vec<(i64, String, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT unit_id, status, cadre_level, gender, COUNT(*) FROM members WHERE left_at IS NULL \
         GROUP BY unit_id, status, cadre_level, gender",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
            ))
        })
        .collect()
}

/// Sealed numbers of many members, for an unmasked export.
pub async fn sealed_many(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<(i64, Option<Vec<u8>>, Option<Vec<u8>>)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let list = placeholders(1, chunk.len());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, phone_sealed, id_number_sealed FROM members WHERE id IN ({list})"
        )));
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
        }
    }
    Ok(out)
}

/// The members still in the party under a subtree: id, name, unit name, by
/// unit then name.
pub async fn names_in_subtree(
    conn: &mut AnyConnection,
    range: &(String, String),
) -> Result<Vec<(i64, String, String)>> {
    let rows = sqlx::query(
        "SELECT m.id, m.name, u.name FROM members m JOIN units u ON u.id = m.unit_id \
         WHERE u.path >= $1 AND u.path < $2 AND m.left_at IS NULL ORDER BY u.path, m.name_folded, m.id",
    )
    .bind(&range.0)
    .bind(&range.1)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Every member with their unit and its path, in id order (the demo's
/// study history walks them all).
pub async fn all_with_paths(conn: &mut AnyConnection) -> Result<Vec<(i64, i64, String)>> {
    let rows = sqlx::query(
        "SELECT m.id, m.unit_id, u.path FROM members m JOIN units u ON u.id = m.unit_id ORDER BY m.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// `limit` members that no account belongs to yet, with their unit and its
/// path, taken evenly over the whole roster in id order (every n-th), so a
/// load test that gives them accounts reaches every part of the tree the way
/// a real peak hour does, not one county's consecutive rows.
pub async fn without_account(
    conn: &mut AnyConnection,
    limit: i64,
) -> Result<Vec<(i64, i64, String)>> {
    let free: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM members m WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = m.id)",
    )
    .fetch_one(&mut *conn)
    .await?;
    let every = (free / limit.max(1)).max(1);
    let rows = sqlx::query(
        "SELECT f.id, f.unit_id, u.path FROM (\
         SELECT m.id, m.unit_id, ROW_NUMBER() OVER (ORDER BY m.id) AS n FROM members m \
         WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = m.id)) f \
         JOIN units u ON u.id = f.unit_id WHERE f.n % $1 = 0 ORDER BY f.id LIMIT $2",
    )
    .bind(every)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}
