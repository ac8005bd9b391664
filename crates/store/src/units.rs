//! Units of the organisation tree: rows, the subtree range, moves and search.

use sqlx::{AnyConnection, FromRow, Row};
use xueshi_domain::Id;
use xueshi_domain::text::{SearchPlan, prefix_upper_bound};
use xueshi_domain::unit::{UnitKind, UnitPath};

use crate::Result;

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct UnitRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub path: UnitPath,
    pub depth: i64,
    #[sqlx(try_from = "String")]
    pub kind: UnitKind,
    pub code: String,
    pub name: String,
    pub sort_order: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl UnitRow {
    pub fn id(&self) -> Id {
        Id(self.id)
    }
    pub fn kind(&self) -> UnitKind {
        self.kind
    }
    pub fn path(&self) -> UnitPath {
        self.path.clone()
    }
}

pub(crate) const COLUMNS: &str =
    "id, parent_id, path, depth, kind, code, name, sort_order, created_at, updated_at";

/// A unit about to be written.
#[derive(Clone, Debug)]
pub struct NewUnit<'a> {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub path: &'a str,
    pub depth: i64,
    pub kind: &'a str,
    pub code: &'a str,
    pub name: &'a str,
    pub name_folded: &'a str,
    pub sort_order: i64,
    pub now: i64,
}

pub async fn insert(conn: &mut AnyConnection, u: &NewUnit<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO units (id, parent_id, path, depth, kind, code, name, name_folded, sort_order, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(u.id)
    .bind(u.parent_id)
    .bind(u.path)
    .bind(u.depth)
    .bind(u.kind)
    .bind(u.code)
    .bind(u.name)
    .bind(u.name_folded)
    .bind(u.sort_order)
    .bind(u.now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<UnitRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM units WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn get_by_code(conn: &mut AnyConnection, code: &str) -> Result<Option<UnitRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM units WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(&mut *conn)
    .await
}

/// The roots of the tree (normally one: the committee running the campaign).
pub async fn roots(conn: &mut AnyConnection) -> Result<Vec<UnitRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM units WHERE parent_id IS NULL ORDER BY sort_order, name_folded"
    )))
    .fetch_all(&mut *conn)
    .await
}

pub async fn children(conn: &mut AnyConnection, parent: i64) -> Result<Vec<UnitRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM units WHERE parent_id = $1 ORDER BY sort_order, name_folded, id"
    )))
    .bind(parent)
    .fetch_all(&mut *conn)
    .await
}

pub async fn count_children(conn: &mut AnyConnection, parent: i64) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) FROM units WHERE parent_id = $1")
        .bind(parent)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)
}

/// Rows for the given ids, in no particular order.
pub async fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<UnitRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, ids.len());
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM units WHERE id IN ({list})"
    )));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(&mut *conn).await
}

/// Rows for the given codes.
pub async fn by_codes(conn: &mut AnyConnection, codes: &[String]) -> Result<Vec<UnitRow>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        let list = placeholders(1, chunk.len());
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM units WHERE code IN ({list})"
        )));
        for c in chunk {
            q = q.bind(c.as_str());
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// Every unit in a subtree (the root included), in path order: parents come
/// before their children.
pub async fn subtree(conn: &mut AnyConnection, root: &UnitPath) -> Result<Vec<UnitRow>> {
    let (lo, hi) = root.subtree_range();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM units WHERE path >= $1 AND path < $2 ORDER BY path"
    )))
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await
}

/// A page of a subtree's units of the given kinds, in path order, with how
/// many there are in all.
pub async fn page_of_kinds(
    conn: &mut AnyConnection,
    root: &UnitPath,
    kinds: &[UnitKind],
    limit: i64,
    offset: i64,
) -> Result<(Vec<UnitRow>, i64)> {
    let (lo, hi) = root.subtree_range();
    let marks = placeholders(3, kinds.len());
    let cond = format!("path >= $1 AND path < $2 AND kind IN ({marks})");
    let n = kinds.len() + 2;
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM units WHERE {cond} ORDER BY path LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    )))
    .bind(lo.clone())
    .bind(hi.clone());
    for k in kinds {
        q = q.bind(k.as_str());
    }
    let rows = q.bind(limit).bind(offset).fetch_all(&mut *conn).await?;
    let mut c = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM units WHERE {cond}"
    )))
    .bind(lo)
    .bind(hi);
    for k in kinds {
        c = c.bind(k.as_str());
    }
    Ok((rows, c.fetch_one(&mut *conn).await?))
}

/// Number of units in a subtree, counted over the path index.
pub async fn count_subtree(conn: &mut AnyConnection, root: &UnitPath) -> Result<i64> {
    let (lo, hi) = root.subtree_range();
    sqlx::query("SELECT COUNT(*) FROM units WHERE path >= $1 AND path < $2")
        .bind(lo)
        .bind(hi)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)
}

/// What an edit of a unit may change.
pub struct UnitEdit<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub name_folded: &'a str,
    pub kind: &'a str,
    pub sort_order: i64,
}

pub async fn update(conn: &mut AnyConnection, id: i64, e: &UnitEdit<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE units SET code = $2, name = $3, name_folded = $4, kind = $5, sort_order = $6, updated_at = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(e.code)
    .bind(e.name)
    .bind(e.name_folded)
    .bind(e.kind)
    .bind(e.sort_order)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves the subtree rooted at `unit` (whose path is `old`) under a new
/// parent: one UPDATE rewrites the paths and depths of the whole subtree.
pub async fn move_subtree(
    conn: &mut AnyConnection,
    unit: i64,
    old: &UnitPath,
    new_parent: Option<(i64, &UnitPath)>,
    now: i64,
) -> Result<u64> {
    let new_path = old.rebase(old, new_parent.map(|(_, p)| p));
    let (lo, hi) = old.subtree_range();
    let keep_from = old.as_str().len() - 16 + 1;
    let prefix = &new_path.as_str()[..new_path.as_str().len() - 16];
    let delta = new_path.depth() - old.depth();
    let moved = sqlx::query(
        "UPDATE units SET path = $1 || substr(path, CAST($2 AS INTEGER)), depth = depth + $3, updated_at = $4 \
         WHERE path >= $5 AND path < $6",
    )
    .bind(prefix)
    .bind(keep_from as i64)
    .bind(delta)
    .bind(now)
    .bind(lo)
    .bind(hi)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query("UPDATE units SET parent_id = $2 WHERE id = $1")
        .bind(unit)
        .bind(new_parent.map(|(id, _)| id))
        .execute(&mut *conn)
        .await?;
    Ok(moved)
}

/// Deletes a unit and its assignments to organs' slices, which mean nothing
/// without it.
pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM organ_units WHERE unit_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM units WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Units whose folded name matches, inside a subtree.
pub async fn search(
    conn: &mut AnyConnection,
    plan: &SearchPlan,
    scope: &UnitPath,
    limit: i64,
) -> Result<Vec<UnitRow>> {
    let (lo, hi) = scope.subtree_range();
    let cols = "u.id, u.parent_id, u.path, u.depth, u.kind, u.code, u.name, u.sort_order, u.created_at, u.updated_at";
    match plan {
        SearchPlan::Empty => Ok(Vec::new()),
        SearchPlan::Prefix(p) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {cols} FROM units u WHERE u.name_folded >= $1 AND u.name_folded < $2 \
                 AND u.path >= $3 AND u.path < $4 ORDER BY u.depth, u.name_folded LIMIT $5"
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
                "SELECT {cols} FROM unit_grams g JOIN units u ON u.id = g.unit_id \
                 WHERE g.gram = $1 AND u.path >= $2 AND u.path < $3 AND u.name_folded LIKE $4 \
                 ORDER BY u.depth, u.name_folded LIMIT $5"
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

/// `$start, $start+1, …` for an IN list of `n` values.
pub(crate) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Drops LIKE wildcards from user text so it matches literally; the two
/// databases disagree on LIKE's default escape character.
pub(crate) fn escape_like(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '%' | '_')).collect()
}

/// What keeps a unit from being deleted, as a message key: sub-units, member
/// records (current or past), accounts scoped to it, organs it set up,
/// campaigns it runs, tasks it set or was given, meetings, a plan's
/// consultation or a dispatch meeting's decisions it took part in, a
/// contest it runs, entered or recommended entries in, a competition it
/// held or played in.
pub async fn dependants(conn: &mut AnyConnection, id: i64) -> Result<Option<&'static str>> {
    let checks: [(&'static str, &'static str); 14] = [
        (
            "SELECT COUNT(*) FROM units WHERE parent_id = $1",
            "unit_has_children",
        ),
        (
            "SELECT COUNT(*) FROM members WHERE unit_id = $1",
            "unit_has_members",
        ),
        (
            "SELECT COUNT(*) FROM accounts WHERE scope_unit_id = $1",
            "unit_has_accounts",
        ),
        (
            "SELECT COUNT(*) FROM organs WHERE unit_id = $1",
            "unit_has_organs",
        ),
        (
            "SELECT COUNT(*) FROM campaigns WHERE unit_id = $1",
            "unit_has_campaigns",
        ),
        (
            "SELECT COUNT(*) FROM tasks WHERE unit_id = $1 OR target_unit_id = $1",
            "unit_has_tasks",
        ),
        (
            "SELECT COUNT(*) FROM task_assignments WHERE unit_id = $1",
            "unit_has_tasks",
        ),
        (
            "SELECT COUNT(*) FROM meetings WHERE unit_id = $1",
            "unit_has_meetings",
        ),
        (
            "SELECT COUNT(*) FROM plan_consultees WHERE unit_id = $1",
            "unit_has_plan_comments",
        ),
        (
            "SELECT COUNT(*) FROM dispatch_decisions WHERE owner_unit_id = $1",
            "unit_has_decisions",
        ),
        (
            "SELECT (SELECT COUNT(*) FROM unit_webhooks WHERE unit_id = $1) \
             + (SELECT COUNT(*) FROM webhook_outbox WHERE unit_id = $1)",
            "unit_has_webhook",
        ),
        (
            "SELECT (SELECT COUNT(*) FROM exams WHERE unit_id = $1) \
             + (SELECT COUNT(*) FROM exam_roster WHERE unit_id = $1)",
            "unit_has_exams",
        ),
        (
            "SELECT (SELECT COUNT(*) FROM contests WHERE unit_id = $1) \
             + (SELECT COUNT(*) FROM contest_entries WHERE unit_id = $1 OR at_unit_id = $1) \
             + (SELECT COUNT(*) FROM contest_forwards WHERE from_unit_id = $1 OR to_unit_id = $1)",
            "unit_has_contests",
        ),
        (
            "SELECT (SELECT COUNT(*) FROM competitions WHERE unit_id = $1) \
             + (SELECT COUNT(*) FROM competition_teams WHERE unit_id = $1)",
            "unit_has_competitions",
        ),
    ];
    for (sql, code) in checks {
        let n: i64 = sqlx::query(sql)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        if n > 0 {
            return Ok(Some(code));
        }
    }
    Ok(None)
}

/// Inserts many units, parents before children, and indexes their names.
pub async fn insert_many(conn: &mut AnyConnection, units: &[NewUnit<'_>]) -> Result<u64> {
    use crate::bulk::{Value, insert_rows};
    let rows: Vec<Vec<Value>> = units
        .iter()
        .map(|u| {
            vec![
                u.id.into(),
                u.parent_id.into(),
                u.path.into(),
                u.depth.into(),
                u.kind.into(),
                u.code.into(),
                u.name.into(),
                u.name_folded.into(),
                u.sort_order.into(),
                u.now.into(),
                u.now.into(),
            ]
        })
        .collect();
    let cols = [
        "id",
        "parent_id",
        "path",
        "depth",
        "kind",
        "code",
        "name",
        "name_folded",
        "sort_order",
        "created_at",
        "updated_at",
    ];
    let n = insert_rows(conn, "units", &cols, rows, "").await?;
    let grams: Vec<(i64, &str)> = units.iter().map(|u| (u.id, u.name_folded)).collect();
    crate::grams::add(conn, crate::grams::Indexed::Unit, &grams).await?;
    Ok(n)
}

/// Every unit's id, path and kind, for recomputing tallies.
pub async fn all_brief(conn: &mut AnyConnection) -> Result<Vec<(i64, UnitPath, UnitKind)>> {
    let rows = sqlx::query("SELECT id, path, kind FROM units")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            let decode = |e: String| sqlx::Error::Decode(e.into());
            let path = UnitPath::try_from(r.try_get::<String, _>(1)?).map_err(decode)?;
            let kind = UnitKind::try_from(r.try_get::<String, _>(2)?).map_err(decode)?;
            Ok((id, path, kind))
        })
        .collect()
}
