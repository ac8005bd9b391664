//! The catalogue read for a subtree: a page of matters by status, level,
//! field and lateness, the figures by level, field and status, and the
//! figures per child unit. A matter is *overdue* when its deadline has
//! passed unfinished, and *behind on reporting* when it is led and its last
//! report is older than its cadence.

use sqlx::{AnyConnection, FromRow};
use xueshi_domain::matter::{MatterLevel, MatterStatus};
use xueshi_domain::unit::UnitPath;

use crate::Result;
use crate::bulk::{Conditions, Value, bind_values};

const DAY_MS: i64 = 86_400_000;

/// What a board is narrowed by. `today` is YYYY-MM-DD and `now` in ms,
/// which decide lateness.
#[derive(Clone, Debug)]
pub struct BoardFilter {
    pub subtree: UnitPath,
    pub status: Option<String>,
    /// Any of these levels; empty: every level.
    pub levels: Vec<MatterLevel>,
    pub field_id: Option<i64>,
    pub overdue: bool,
    pub behind_report: bool,
    pub today: String,
    pub now: i64,
}

#[derive(Clone, Debug, FromRow)]
pub struct BoardRow {
    pub id: i64,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub level: MatterLevel,
    pub field: String,
    pub unit_id: i64,
    pub unit: String,
    #[sqlx(try_from = "String")]
    pub status: MatterStatus,
    pub progress: i64,
    pub deadline: String,
    pub reported_at: Option<i64>,
    pub report_days: i64,
}

/// The SQL condition of a filter and the values it binds, in order.
fn condition(f: &BoardFilter) -> Conditions {
    let (lo, hi) = f.subtree.subtree_range();
    let mut c = Conditions::default();
    c.add(
        "u.path >= ? AND u.path < ?",
        vec![Value::from(lo), Value::from(hi)],
    );
    // Dropped matters are listed only when asked for, as the figures count
    // them apart.
    match &f.status {
        Some(s) => c.add("m.status = ?", vec![Value::from(s.as_str())]),
        None => c.add("m.status <> ?", vec![Value::from("dropped")]),
    }
    if !f.levels.is_empty() {
        let marks = vec!["?"; f.levels.len()].join(", ");
        c.add(
            &format!("m.level IN ({marks})"),
            f.levels.iter().map(|l| Value::from(l.as_str())).collect(),
        );
    }
    if let Some(id) = f.field_id {
        c.add("m.field_id = ?", vec![Value::from(id)]);
    }
    if f.overdue {
        c.add(
            "m.deadline < ? AND m.status NOT IN ('done', 'dropped')",
            vec![Value::from(f.today.as_str())],
        );
    }
    if f.behind_report {
        c.add(
            &format!(
                "m.status IN ('claimed', 'in_progress') AND m.reported_at + m.report_days * {DAY_MS} < ?"
            ),
            vec![Value::from(f.now)],
        );
    }
    c
}

/// A page of a subtree's matters, most urgent deadline first, with how many
/// match.
pub async fn page(
    conn: &mut AnyConnection,
    f: &BoardFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<BoardRow>, i64)> {
    let c = condition(f);
    let cond = c.sql();
    let n = c.values.len();
    let sql = format!(
        "SELECT m.id, m.title, m.level, fd.name AS field, m.unit_id, u.name AS unit, m.status, m.progress, \
         m.deadline, m.reported_at, m.report_days FROM matters m JOIN units u ON u.id = m.unit_id \
         JOIN matter_fields fd ON fd.id = m.field_id WHERE {cond} \
         ORDER BY CASE WHEN m.status IN ('done', 'dropped') THEN 1 ELSE 0 END, m.deadline, m.id \
         LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let q = bind_values!(
        sqlx::query_as::<_, BoardRow>(sqlx::AssertSqlSafe(sql)),
        c.values.clone()
    );
    let rows = q.bind(limit).bind(offset).fetch_all(&mut *conn).await?;
    let count_sql =
        format!("SELECT COUNT(*) FROM matters m JOIN units u ON u.id = m.unit_id WHERE {cond}");
    let c = bind_values!(
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql)),
        c.values
    );
    Ok((rows, c.fetch_one(&mut *conn).await?))
}

/// Matters and what they achieved, for one combination of level, field and
/// status (a subtree's figures are sums of these).
#[derive(Clone, Debug, Default, FromRow)]
pub struct FigureRow {
    #[sqlx(try_from = "String")]
    pub level: MatterLevel,
    pub field: String,
    #[sqlx(try_from = "String")]
    pub status: MatterStatus,
    pub matters: i64,
    pub overdue: i64,
    pub affairs: i64,
    pub problems_solved: i64,
    pub disputes: i64,
    pub people_served: i64,
    pub enterprises_served: i64,
    pub budget_fen: i64,
    pub spent_fen: i64,
}

const SUMS: &str = "COUNT(*) AS matters, \
    CAST(SUM(CASE WHEN m.deadline < $3 AND m.status NOT IN ('done', 'dropped') THEN 1 ELSE 0 END) AS BIGINT) AS overdue, \
    CAST(SUM(m.affairs) AS BIGINT) AS affairs, CAST(SUM(m.problems_solved) AS BIGINT) AS problems_solved, \
    CAST(SUM(m.disputes) AS BIGINT) AS disputes, CAST(SUM(m.people_served) AS BIGINT) AS people_served, \
    CAST(SUM(m.enterprises_served) AS BIGINT) AS enterprises_served, \
    CAST(SUM(m.budget_fen) AS BIGINT) AS budget_fen, CAST(SUM(m.spent_fen) AS BIGINT) AS spent_fen";

/// A subtree's matters grouped by level, field and status.
///
/// Read from whichever side is smaller: a subtree of more units than there
/// are matters (a province's root) is read by walking the matters and
/// looking up each one's unit, not by walking its units — SQLite would
/// otherwise visit 250,000 units to find a few hundred matters.
pub async fn figures(
    conn: &mut AnyConnection,
    subtree: &UnitPath,
    today: &str,
) -> Result<Vec<FigureRow>> {
    let (lo, hi) = subtree.subtree_range();
    let units_under = crate::tallies::get(conn, subtree.id().0).await?.units_total;
    let matters: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM matters")
        .fetch_one(&mut *conn)
        .await?;
    let within = if units_under > matters {
        "EXISTS (SELECT 1 FROM units u WHERE u.id = m.unit_id AND u.path >= $1 AND u.path < $2)"
    } else {
        "m.unit_id IN (SELECT u.id FROM units u WHERE u.path >= $1 AND u.path < $2)"
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT m.level, fd.name AS field, m.status, {SUMS} FROM matters m \
         JOIN matter_fields fd ON fd.id = m.field_id WHERE {within} \
         GROUP BY m.level, fd.name, m.status"
    )))
    .bind(lo)
    .bind(hi)
    .bind(today)
    .fetch_all(&mut *conn)
    .await
}

/// Matters per unit directly under the subtree's root (the root's own in
/// its own row): (unit path prefix, status, matters, overdue).
pub async fn by_child(
    conn: &mut AnyConnection,
    subtree: &UnitPath,
    today: &str,
) -> Result<Vec<(String, String, i64, i64)>> {
    let (lo, hi) = subtree.subtree_range();
    let len = subtree.as_str().len() + 16;
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT SUBSTR(u.path, 1, {len}) AS child, m.status, COUNT(*), \
         CAST(SUM(CASE WHEN m.deadline < $3 AND m.status NOT IN ('done', 'dropped') THEN 1 ELSE 0 END) AS BIGINT) \
         FROM matters m JOIN units u ON u.id = m.unit_id WHERE u.path >= $1 AND u.path < $2 \
         GROUP BY SUBSTR(u.path, 1, {len}), m.status"
    )))
    .bind(lo)
    .bind(hi)
    .bind(today)
    .fetch_all(&mut *conn)
    .await
}

/// Matters a member takes part in, with their role, newest claim first.
pub async fn of_member(conn: &mut AnyConnection, member: i64) -> Result<Vec<(BoardRow, String)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        m: BoardRow,
        role: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT m.id, m.title, m.level, fd.name AS field, m.unit_id, u.name AS unit, m.status, m.progress, \
         m.deadline, m.reported_at, m.report_days, c.role FROM matter_claims c \
         JOIN matters m ON m.id = c.matter_id JOIN units u ON u.id = m.unit_id \
         JOIN matter_fields fd ON fd.id = m.field_id WHERE c.member_id = $1 ORDER BY c.claimed_at DESC",
    )
    .bind(member)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.m, r.role)).collect())
}

/// Matters open to claims from a member of the unit with these ancestors
/// (the unit itself included): approved, claimed or under way.
pub async fn open_to(conn: &mut AnyConnection, units: &[i64], limit: i64) -> Result<Vec<BoardRow>> {
    let list = crate::units::placeholders(1, units.len());
    let mut q = sqlx::query_as::<_, BoardRow>(sqlx::AssertSqlSafe(format!(
        "SELECT m.id, m.title, m.level, fd.name AS field, m.unit_id, u.name AS unit, m.status, m.progress, \
         m.deadline, m.reported_at, m.report_days FROM matters m JOIN units u ON u.id = m.unit_id \
         JOIN matter_fields fd ON fd.id = m.field_id \
         WHERE m.unit_id IN ({list}) AND m.status IN ('approved', 'claimed', 'in_progress') \
         ORDER BY m.deadline, m.id LIMIT {limit}"
    )));
    for u in units {
        q = q.bind(*u);
    }
    q.fetch_all(&mut *conn).await
}

/// Leaders (副处级以上) of a subtree who lead no matter, the rules' debt:
/// (member id, name, unit name), a page of them, with how many there are.
pub async fn owing_leaders(
    conn: &mut AnyConnection,
    subtree: &UnitPath,
    limit: i64,
) -> Result<(Vec<(i64, String, String)>, i64)> {
    let (lo, hi) = subtree.subtree_range();
    let from = "FROM members p JOIN units u ON u.id = p.unit_id \
        WHERE u.path >= $1 AND u.path < $2 AND p.cadre_level = 'leader' AND p.left_at IS NULL \
        AND NOT EXISTS (SELECT 1 FROM matter_claims c WHERE c.member_id = p.id AND c.role = 'lead')";
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT p.id, p.name, u.name {from} ORDER BY u.path, p.id LIMIT {limit}"
    )))
    .bind(&lo)
    .bind(&hi)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from}")))
        .bind(&lo)
        .bind(&hi)
        .fetch_one(&mut *conn)
        .await?;
    Ok((rows, total))
}

/// Members of a subtree at a cadre level, still in the Party roll:
/// (member, unit), in tree order.
pub async fn cadres(
    conn: &mut AnyConnection,
    subtree: &UnitPath,
    level: &str,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    let (lo, hi) = subtree.subtree_range();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT p.id, p.unit_id FROM members p JOIN units u ON u.id = p.unit_id \
         WHERE u.path >= $1 AND u.path < $2 AND p.cadre_level = $3 AND p.left_at IS NULL \
         ORDER BY u.path, p.id LIMIT {limit}"
    )))
    .bind(lo)
    .bind(hi)
    .bind(level)
    .fetch_all(&mut *conn)
    .await
}

/// What a matter's outcome counts (its column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Affairs,
    ProblemsSolved,
    Disputes,
}

impl Outcome {
    fn column(self) -> &'static str {
        match self {
            Outcome::Affairs => "m.affairs",
            Outcome::ProblemsSolved => "m.problems_solved",
            Outcome::Disputes => "m.disputes",
        }
    }
}

/// A matter with something of one outcome to its name.
#[derive(Clone, Debug, FromRow)]
pub struct OutcomeRow {
    pub title: String,
    #[sqlx(try_from = "String")]
    pub level: MatterLevel,
    pub unit: String,
    #[sqlx(try_from = "String")]
    pub status: MatterStatus,
    pub amount: i64,
}

/// A page of a subtree's matters (not dropped) with some of `outcome`,
/// largest first, with how many there are and what they add up to.
pub async fn outcome_page(
    conn: &mut AnyConnection,
    subtree: &UnitPath,
    outcome: Outcome,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OutcomeRow>, i64, i64)> {
    let (lo, hi) = subtree.subtree_range();
    let col = outcome.column();
    let cond = format!(
        "FROM matters m JOIN units u ON u.id = m.unit_id WHERE u.path >= $1 AND u.path < $2 \
         AND m.status <> 'dropped' AND {col} > 0"
    );
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT m.title, m.level, u.name AS unit, m.status, {col} AS amount {cond} \
         ORDER BY {col} DESC, m.id LIMIT $3 OFFSET $4"
    )))
    .bind(lo.clone())
    .bind(hi.clone())
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let (count, sum): (i64, Option<i64>) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*), CAST(SUM({col}) AS BIGINT) {cond}"
    )))
    .bind(lo)
    .bind(hi)
    .fetch_one(&mut *conn)
    .await?;
    Ok((rows, count, sum.unwrap_or(0)))
}
