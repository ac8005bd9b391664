//! Practical matters (`matters`), their claims, their history, and the
//! public's problems they take up.

use sqlx::{AnyConnection, FromRow};

use xueshi_domain::matter::{MatterLevel, MatterStatus};

use crate::Result;
use crate::bulk::{Conditions, Value, bind_values, insert_rows};

#[derive(Clone, Debug, Default, FromRow)]
pub struct MatterRow {
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
    pub title_folded: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub level: MatterLevel,
    pub field_id: i64,
    #[sqlx(try_from = "String")]
    pub status: MatterStatus,
    pub deadline: String,
    pub target: String,
    pub budget_fen: i64,
    pub progress: i64,
    pub affairs: i64,
    pub problems_solved: i64,
    pub disputes: i64,
    pub people_served: i64,
    pub enterprises_served: i64,
    pub spent_fen: i64,
    pub round: i64,
    pub reason: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    /// Days between progress reports (the campaign's cadence).
    pub report_days: i64,
    pub reported_at: Option<i64>,
}

const COLUMNS: &str = "id, unit_id, title, title_folded, description, level, field_id, status, deadline, target, \
    budget_fen, progress, affairs, problems_solved, disputes, people_served, enterprises_served, spent_fen, \
    round, reason, created_at, updated_at, finished_at, report_days, reported_at";

pub async fn insert(conn: &mut AnyConnection, m: &MatterRow) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO matters ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"
    )))
    .bind(m.id)
    .bind(m.unit_id)
    .bind(&m.title)
    .bind(&m.title_folded)
    .bind(&m.description)
    .bind(m.level.as_str())
    .bind(m.field_id)
    .bind(m.status.as_str())
    .bind(&m.deadline)
    .bind(&m.target)
    .bind(m.budget_fen)
    .bind(m.progress)
    .bind(m.affairs)
    .bind(m.problems_solved)
    .bind(m.disputes)
    .bind(m.people_served)
    .bind(m.enterprises_served)
    .bind(m.spent_fen)
    .bind(m.round)
    .bind(&m.reason)
    .bind(m.created_at)
    .bind(m.updated_at)
    .bind(m.finished_at)
    .bind(m.report_days)
    .bind(m.reported_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<MatterRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM matters WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// Writes back what a step of the loop changed: status, progress, outcomes,
/// round, reason and when progress was last reported.
pub async fn update_state(conn: &mut AnyConnection, m: &MatterRow) -> Result<()> {
    sqlx::query(
        "UPDATE matters SET status = $2, progress = $3, affairs = $4, problems_solved = $5, disputes = $6, \
         people_served = $7, enterprises_served = $8, spent_fen = $9, round = $10, reason = $11, \
         updated_at = $12, finished_at = $13, reported_at = $14 WHERE id = $1",
    )
    .bind(m.id)
    .bind(m.status.as_str())
    .bind(m.progress)
    .bind(m.affairs)
    .bind(m.problems_solved)
    .bind(m.disputes)
    .bind(m.people_served)
    .bind(m.enterprises_served)
    .bind(m.spent_fen)
    .bind(m.round)
    .bind(&m.reason)
    .bind(m.updated_at)
    .bind(m.finished_at)
    .bind(m.reported_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The matter's row, held until the transaction ends on PostgreSQL (SQLite's
/// single writer already serialises), so two steps at once take turns.
pub async fn get_for_update(
    conn: &mut AnyConnection,
    backend: crate::Backend,
    id: i64,
) -> Result<Option<MatterRow>> {
    let lock = crate::dialect::row_lock(backend);
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM matters WHERE id = $1{lock}"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct ClaimRow {
    pub matter_id: i64,
    pub member_id: i64,
    pub role: String,
    pub claimed_at: i64,
}

pub async fn claims(conn: &mut AnyConnection, matter: i64) -> Result<Vec<ClaimRow>> {
    sqlx::query_as(
        "SELECT matter_id, member_id, role, claimed_at FROM matter_claims WHERE matter_id = $1 \
         ORDER BY claimed_at, member_id",
    )
    .bind(matter)
    .fetch_all(&mut *conn)
    .await
}

pub async fn insert_claim(conn: &mut AnyConnection, c: &ClaimRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO matter_claims (matter_id, member_id, role, claimed_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(c.matter_id)
    .bind(c.member_id)
    .bind(&c.role)
    .bind(c.claimed_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub matter_id: i64,
    pub at: i64,
    pub actor_name: String,
    pub event: String,
    pub from_status: String,
    pub to_status: String,
    pub progress: Option<i64>,
    pub note: String,
}

pub async fn insert_event(conn: &mut AnyConnection, e: &EventRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO matter_events (id, matter_id, at, actor_name, event, from_status, to_status, progress, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(e.id)
    .bind(e.matter_id)
    .bind(e.at)
    .bind(&e.actor_name)
    .bind(&e.event)
    .bind(&e.from_status)
    .bind(&e.to_status)
    .bind(e.progress)
    .bind(&e.note)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A matter's history, oldest first.
pub async fn events(conn: &mut AnyConnection, matter: i64) -> Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT id, matter_id, at, actor_name, event, from_status, to_status, progress, note \
         FROM matter_events WHERE matter_id = $1 ORDER BY at, id",
    )
    .bind(matter)
    .fetch_all(&mut *conn)
    .await
}

/// The field's id when it exists.
pub async fn field_id(conn: &mut AnyConnection, name: &str) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM matter_fields WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *conn)
        .await
}

/// Adds fields that are not there yet: (id, name, order).
pub async fn add_fields(conn: &mut AnyConnection, fields: &[(i64, &str, i64)]) -> Result<()> {
    for (id, name, order) in fields {
        sqlx::query(
            "INSERT INTO matter_fields (id, name, sort_order) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(*id)
        .bind(*name)
        .bind(*order)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Every field, in order: (id, name).
pub async fn fields(conn: &mut AnyConnection) -> Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM matter_fields ORDER BY sort_order, id")
        .fetch_all(&mut *conn)
        .await
}

/// Takes a problem up into a matter, or turns it down with a reason.
pub async fn settle_problem(
    conn: &mut AnyConnection,
    problem: i64,
    status: &str,
    reason: &str,
    matter: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE problems SET status = $2, reason = $3, updated_at = $4 WHERE id = $1")
        .bind(problem)
        .bind(status)
        .bind(reason)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    if let Some(m) = matter {
        sqlx::query("INSERT INTO matter_problems (problem_id, matter_id) VALUES ($1, $2)")
            .bind(problem)
            .bind(m)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// How many matters each of some members leads: (member, leads).
pub async fn leads_of(conn: &mut AnyConnection, members: &[i64]) -> Result<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    for chunk in members.chunks(500) {
        let list = crate::units::placeholders(1, chunk.len());
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(format!(
            "SELECT member_id, COUNT(*) FROM matter_claims WHERE role = 'lead' AND member_id IN ({list}) \
             GROUP BY member_id"
        )));
        for m in chunk {
            q = q.bind(*m);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// One rating of a finished matter's round.
pub struct NewRating<'a> {
    pub matter: i64,
    pub round: i64,
    /// Keyed digest standing for the rater.
    pub voter: &'a str,
    pub rating: &'a str,
    pub at: i64,
    /// Rated by someone the matter served (a tracking-code holder).
    pub served: bool,
    /// Keyed digest of a public rater's address; empty for the served.
    pub addr: &'a str,
}

/// Adds a rating; `false` when this rater already rated this round.
pub async fn add_rating(conn: &mut AnyConnection, r: &NewRating<'_>) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO matter_ratings (matter_id, round, voter, rating, at, served, addr) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (matter_id, round, voter) DO NOTHING",
    )
    .bind(r.matter)
    .bind(r.round)
    .bind(r.voter)
    .bind(r.rating)
    .bind(r.at)
    .bind(i64::from(r.served))
    .bind(r.addr)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How a round was rated by the served or by the public:
/// (satisfied, fair, unsatisfied).
pub async fn rating_counts(
    conn: &mut AnyConnection,
    matter: i64,
    round: i64,
    served: bool,
) -> Result<(i64, i64, i64)> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT rating, COUNT(*) FROM matter_ratings WHERE matter_id = $1 AND round = $2 AND served = $3 \
         GROUP BY rating",
    )
    .bind(matter)
    .bind(round)
    .bind(i64::from(served))
    .fetch_all(&mut *conn)
    .await?;
    let of = |r: &str| rows.iter().find(|(k, _)| k == r).map_or(0, |(_, n)| *n);
    Ok((of("satisfied"), of("fair"), of("unsatisfied")))
}

/// Public ratings of a round sent from one address (its digest).
pub async fn ratings_from(
    conn: &mut AnyConnection,
    matter: i64,
    round: i64,
    addr: &str,
) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM matter_ratings WHERE matter_id = $1 AND round = $2 AND addr = $3",
    )
    .bind(matter)
    .bind(round)
    .bind(addr)
    .fetch_one(&mut *conn)
    .await
}

/// The problem with tracking code `code` that matter `matter` took up.
pub async fn served_problem(
    conn: &mut AnyConnection,
    matter: i64,
    code: &str,
) -> Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT p.id FROM problems p JOIN matter_problems mp ON mp.problem_id = p.id \
         WHERE mp.matter_id = $1 AND p.code = $2",
    )
    .bind(matter)
    .bind(code)
    .fetch_optional(&mut *conn)
    .await
}

/// Keeps the digests of freshly printed rating codes for a matter.
pub async fn insert_rating_codes(
    conn: &mut AnyConnection,
    matter: i64,
    digests: &[String],
    now: i64,
    by: Option<i64>,
) -> Result<u64> {
    let values = digests
        .iter()
        .map(|d| {
            vec![
                Value::from(d.as_str()),
                Value::from(matter),
                Value::from(now),
                Value::from(by),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "matter_rating_codes",
        &["digest", "matter_id", "issued_at", "issued_by"],
        values,
        "",
    )
    .await
}

/// Whether a rating code's digest was printed for this matter.
pub async fn rating_code_for(conn: &mut AnyConnection, matter: i64, digest: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM matter_rating_codes WHERE matter_id = $1 AND digest = $2",
    )
    .bind(matter)
    .bind(digest)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// Rating codes printed for a matter.
pub async fn rating_codes_issued(conn: &mut AnyConnection, matter: i64) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM matter_rating_codes WHERE matter_id = $1")
        .bind(matter)
        .fetch_one(&mut *conn)
        .await
}

/// What the public list may be narrowed by.
#[derive(Clone, Debug, Default)]
pub struct PublicFilter {
    pub level: Option<String>,
    pub field_id: Option<i64>,
    pub status: Option<String>,
    /// The responsible unit's subtree, as `[lo, hi)` path bounds.
    pub subtree: Option<(String, String)>,
    /// The subtree holds many matters: read the catalogue newest first and
    /// stop at the page, rather than gathering the subtree's all to sort.
    pub wide: bool,
}

/// A matter as the public list shows it: no people.
#[derive(Clone, Debug, FromRow)]
pub struct PublicRow {
    pub id: i64,
    pub title: String,
    pub level: String,
    pub field: String,
    pub unit: String,
    pub status: String,
    pub progress: i64,
    pub deadline: String,
}

/// The condition of a public filter and its values, in order.
fn public_condition(f: &PublicFilter) -> Conditions {
    let mut c = Conditions::default();
    c.add("m.status NOT IN ('collected', 'dropped')", vec![]);
    if let Some(l) = &f.level {
        c.add("m.level = ?", vec![Value::from(l.as_str())]);
    }
    if let Some(id) = f.field_id {
        c.add("m.field_id = ?", vec![Value::from(id)]);
    }
    if let Some(st) = &f.status {
        c.add("m.status = ?", vec![Value::from(st.as_str())]);
    }
    if let Some((lo, hi)) = &f.subtree {
        // `+` keeps the planner off the unit index (portable: a no-op sign).
        let column = if f.wide { "+m.unit_id" } else { "m.unit_id" };
        c.add(
            &format!("{column} IN (SELECT id FROM units WHERE path >= ? AND path < ?)"),
            vec![Value::from(lo.as_str()), Value::from(hi.as_str())],
        );
    }
    c
}

/// A page of the disclosed matters (approved onwards, never those dropped),
/// newest first.
pub async fn public_page(
    conn: &mut AnyConnection,
    f: &PublicFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<PublicRow>> {
    let c = public_condition(f);
    let n = c.next();
    let sql = format!(
        "SELECT m.id, m.title, m.level, f.name AS field, u.name AS unit, m.status, m.progress, m.deadline \
         FROM matters m JOIN matter_fields f ON f.id = m.field_id JOIN units u ON u.id = m.unit_id \
         WHERE {} ORDER BY m.id DESC LIMIT ${n} OFFSET ${}",
        c.sql(),
        n + 1
    );
    let q = bind_values!(
        sqlx::query_as::<_, PublicRow>(sqlx::AssertSqlSafe(sql)),
        c.values
    );
    q.bind(limit).bind(offset).fetch_all(&mut *conn).await
}

/// How many disclosed matters a filter matches.
pub async fn public_count(conn: &mut AnyConnection, f: &PublicFilter) -> Result<i64> {
    let c = public_condition(f);
    let sql = format!("SELECT COUNT(*) FROM matters m WHERE {}", c.sql());
    bind_values!(
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)),
        c.values
    )
    .fetch_one(&mut *conn)
    .await
}

/// A photo a progress report carries.
pub async fn insert_photo(
    conn: &mut AnyConnection,
    id: i64,
    matter: i64,
    event: i64,
    photo: &[u8],
    photo_type: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO matter_photos (id, matter_id, event_id, photo, photo_type, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(matter)
    .bind(event)
    .bind(photo)
    .bind(photo_type)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A matter's photos: (photo id, event id), in order.
pub async fn photos_of(conn: &mut AnyConnection, matter: i64) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT id, event_id FROM matter_photos WHERE matter_id = $1 ORDER BY id")
        .bind(matter)
        .fetch_all(&mut *conn)
        .await
}

/// One photo of a matter: (bytes, type).
pub async fn photo(
    conn: &mut AnyConnection,
    matter: i64,
    id: i64,
) -> Result<Option<(Vec<u8>, String)>> {
    sqlx::query_as("SELECT photo, photo_type FROM matter_photos WHERE matter_id = $1 AND id = $2")
        .bind(matter)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The matter of this responsible unit with this folded title, if any.
pub async fn find_by_title(
    conn: &mut AnyConnection,
    unit: i64,
    title_folded: &str,
) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM matters WHERE unit_id = $1 AND title_folded = $2")
        .bind(unit)
        .bind(title_folded)
        .fetch_optional(&mut *conn)
        .await
}

/// The reporting cadence of the campaign that governs a unit on a day (the
/// nearest ancestor's, `ancestors` root first): (campaign id, the
/// campaign's unit, days).
pub async fn cadence_for(
    conn: &mut AnyConnection,
    ancestors: &[i64],
    day: &str,
) -> Result<Option<(i64, i64, i64)>> {
    if ancestors.is_empty() {
        return Ok(None);
    }
    let list = crate::units::placeholders(2, ancestors.len());
    let mut q = sqlx::query_as::<_, (i64, i64, i64)>(sqlx::AssertSqlSafe(format!(
        "SELECT unit_id, id, matter_report_days FROM campaigns \
         WHERE unit_id IN ({list}) AND starts_on <= $1 AND ends_on >= $1"
    )))
    .bind(day);
    for a in ancestors {
        q = q.bind(*a);
    }
    let found = q.fetch_all(&mut *conn).await?;
    Ok(ancestors.iter().rev().find_map(|a| {
        found
            .iter()
            .find(|(u, _, _)| u == a)
            .map(|(unit, id, days)| (*id, *unit, *days))
    }))
}

/// Sets a campaign's cadence and carries it to the unfinished matters of
/// its unit's subtree.
pub async fn set_cadence(
    conn: &mut AnyConnection,
    campaign: i64,
    subtree: &xueshi_domain::unit::UnitPath,
    days: i64,
) -> Result<u64> {
    sqlx::query("UPDATE campaigns SET matter_report_days = $2 WHERE id = $1")
        .bind(campaign)
        .bind(days)
        .execute(&mut *conn)
        .await?;
    let (lo, hi) = subtree.subtree_range();
    let done = sqlx::query(
        "UPDATE matters SET report_days = $3 WHERE status NOT IN ('done', 'dropped') \
         AND unit_id IN (SELECT id FROM units WHERE path >= $1 AND path < $2)",
    )
    .bind(lo)
    .bind(hi)
    .bind(days)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM matters")
        .fetch_one(&mut *conn)
        .await
}
