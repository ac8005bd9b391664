//! The public side of practical matters: the disclosed list (公示) and the
//! public's ratings of finished matters (群众评价).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use xueshi_domain::date::iso;
use xueshi_domain::matter::{MatterLevel, MatterStatus};
use xueshi_domain::{FieldError, Id};
use xueshi_store::{matter_board, matters, units};

use super::board::{Figures, sum_figures};
use super::{Outcomes, event_row};
use crate::audit::{Audited, Entry};
use crate::{App, AppError, AppResult};

/// What the public sends to rate a finished matter.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RatingInput {
    /// `satisfied` (满意), `fair` (基本满意) or `unsatisfied` (不满意).
    #[serde(default)]
    pub rating: String,
    #[serde(default)]
    pub challenge: String,
    #[serde(default)]
    pub answer: String,
    /// The tracking code of a problem this matter took up: its holder was
    /// served by it and rates as such. Empty: a member of the public.
    #[serde(default)]
    pub code: String,
}

/// How the round stands after a rating, and whether it sent the matter back.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Rated {
    /// Whether this rating came from someone the matter served.
    pub served: bool,
    /// The served people's ratings this round: only theirs can reopen it.
    pub satisfied: i64,
    pub fair: i64,
    pub unsatisfied: i64,
    /// The wider public's ratings this round, counted apart.
    pub public: (i64, i64, i64),
    pub reopened: bool,
}

/// Public ratings one network address may give one matter per round: a
/// household or a carrier's shared address, not one person.
pub const PUBLIC_RATINGS_PER_ADDRESS: i64 = 3;

/// Rates a finished matter (群众评价): one rating per rater per round of
/// finishing. Who rates decides what the rating can do: the people the
/// matter served — holders of the tracking code of a problem it took up —
/// are told apart by that code, and enough of their 不满意 sends the matter
/// back to work (推进), recorded on its history. Anyone else rates as the
/// public: their ratings are shown apart, capped per network address, and
/// never reopen a matter, since nothing the server can check tells one
/// anonymous browser from another.
pub async fn rate(
    app: &App,
    matter: Id,
    input: RatingInput,
    voter: &str,
    ip: &str,
) -> AppResult<Rated> {
    let mut errors = Vec::new();
    if let Err(e) = crate::problems::check_challenge(app, &input.challenge, &input.answer) {
        errors.push(e);
    }
    let rating = xueshi_domain::matter::Rating::parse(input.rating.trim());
    if rating.is_none() {
        errors.push(FieldError::new("rating", "bad_choice").with("value", input.rating.trim()));
    }
    let (Some(rating), true) = (rating, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let code = input.code.trim();
    let mut tx = Audited::visitor(app, None, "群众", ip).await?;
    let mut m = matters::get_for_update(&mut tx, app.store().backend(), matter.0)
        .await?
        .ok_or(AppError::NotFound)?;
    if m.status != MatterStatus::Done {
        return Err(AppError::Conflict("matter_not_done"));
    }
    // The served show the tracking code of a problem the matter took up,
    // or a rating code printed for it; a code that is neither answers like
    // a wrong one: the form tells nothing about other people's problems.
    let served = match (
        code.is_empty(),
        xueshi_domain::problem::normalise_code(code),
    ) {
        (true, _) => None,
        (false, None) => return Err(AppError::invalid("code", "code_not_for_matter")),
        (false, Some(c)) => {
            if let Some(problem) = matters::served_problem(&mut tx, m.id, &c).await? {
                Some(format!("served|{problem}"))
            } else {
                let d = super::rating_codes::digest(app, &c);
                if !matters::rating_code_for(&mut tx, m.id, &d).await? {
                    return Err(AppError::invalid("code", "code_not_for_matter"));
                }
                Some(format!("code|{d}"))
            }
        }
    };
    let (voter, addr) = match &served {
        Some(key) => (
            app.vault().digest(&format!("matter-rater|{key}")),
            String::new(),
        ),
        None => (
            app.vault().digest(&format!("matter-rater|{voter}")),
            app.vault().digest(&format!("matter-rater-address|{ip}")),
        ),
    };
    if served.is_none()
        && matters::ratings_from(&mut tx, m.id, m.round, &addr).await? >= PUBLIC_RATINGS_PER_ADDRESS
    {
        return Err(AppError::Conflict("rating_ceiling"));
    }
    let now = app.now();
    let added = matters::add_rating(
        &mut tx,
        &matters::NewRating {
            matter: m.id,
            round: m.round,
            voter: &voter,
            rating: rating.as_str(),
            at: now,
            served: served.is_some(),
            addr: &addr,
        },
    )
    .await?;
    if !added {
        return Err(AppError::Conflict("already_rated"));
    }
    let (satisfied, fair, unsatisfied) =
        matters::rating_counts(&mut tx, m.id, m.round, true).await?;
    let public = matters::rating_counts(&mut tx, m.id, m.round, false).await?;
    let reopened = served.is_some() && xueshi_domain::matter::reopens(satisfied, fair, unsatisfied);
    if reopened {
        let from = m.status;
        m.status = MatterStatus::InProgress;
        m.progress = m.progress.min(90);
        m.updated_at = now;
        matters::update_state(&mut tx, &m).await?;
        let note = format!("满意 {satisfied} · 基本满意 {fair} · 不满意 {unsatisfied}");
        matters::insert_event(
            &mut tx,
            &event_row(app, "群众评价", &m, "reopen", from.as_str(), &note),
        )
        .await?;
    }
    tx.commit(
        Entry::new(
            if reopened {
                "matter.reopen"
            } else {
                "matter.rate"
            },
            "matter",
            Some(Id(m.id)),
            &m.title,
        )
        .unit(Id(m.unit_id))
        .after(&serde_json::json!({
            "round": m.round,
            "rating": rating.as_str(),
            "served": served.is_some(),
        })),
    )
    .await?;
    app.catalogue_changed();
    Ok(Rated {
        served: served.is_some(),
        satisfied,
        fair,
        unsatisfied,
        public,
        reopened,
    })
}

/// The public list's filters as a query string gives them.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PublicQuery {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub status: String,
    /// A unit's id: its subtree's matters.
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub page: i64,
}

/// A page of the public list (公示): the matters with their progress, and
/// the fields to filter by.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicList {
    pub matters: Vec<PublicMatter>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub fields: Vec<String>,
    /// The units to filter by: those directly under each root, (id, name).
    pub units: Vec<(Id, String)>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicMatter {
    pub id: Id,
    pub title: String,
    pub level: String,
    pub field: String,
    pub unit: String,
    pub status: String,
    pub progress: i64,
    pub deadline: String,
}

pub const PUBLIC_PER_PAGE: i64 = 20;
/// Above this many matches a subtree's page is read along the catalogue's
/// newest-first order (it fills in a few hundred rows); below, by its units.
const WIDE: i64 = 1_000;

/// The public list's totals by filter, kept until the catalogue changes
/// (every write to matters, and every move of units, says so): counting a
/// filter over the whole catalogue is most of a page's work, and the public
/// reads far more than the office writes.
#[derive(Default)]
pub(crate) struct PublicTotals {
    generation: AtomicU64,
    totals: Mutex<HashMap<String, (u64, i64)>>,
}

impl PublicTotals {
    pub(crate) fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
    fn current(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
    fn get(&self, key: &str) -> Option<i64> {
        let now = self.current();
        let m = self.totals.lock().ok()?;
        m.get(key).filter(|(g, _)| *g == now).map(|(_, n)| *n)
    }
    /// Keeps a total counted when the generation was `generation`: a change
    /// while counting leaves it stale, and the next read counts again.
    fn put(&self, key: String, generation: u64, total: i64) {
        if let Ok(mut m) = self.totals.lock() {
            if m.len() > 10_000 {
                m.clear();
            }
            m.insert(key, (generation, total));
        }
    }
}

/// The disclosed matters, for anyone: what, where, how far — never who.
/// Unknown filter values match nothing rather than everything.
pub async fn public_list(app: &App, q: &PublicQuery) -> AppResult<PublicList> {
    let mut conn = app.store().read().await?;
    let fields = matters::fields(&mut conn).await?;
    let mut f = matters::PublicFilter::default();
    let mut impossible = false;
    if !q.level.is_empty() {
        match MatterLevel::parse(&q.level) {
            Some(l) => f.level = Some(l.as_str().to_owned()),
            None => impossible = true,
        }
    }
    if !q.field.is_empty() {
        match fields.iter().find(|(_, name)| *name == q.field) {
            Some((id, _)) => f.field_id = Some(*id),
            None => impossible = true,
        }
    }
    if !q.status.is_empty() {
        match MatterStatus::parse(&q.status) {
            Some(s) => f.status = Some(s.as_str().to_owned()),
            None => impossible = true,
        }
    }
    if !q.unit.is_empty() {
        let unit = match q.unit.trim().parse::<i64>() {
            Ok(id) => units::get(&mut conn, id).await?,
            Err(_) => None,
        };
        match unit {
            Some(u) => f.subtree = Some(u.path().subtree_range()),
            None => impossible = true,
        }
    }
    let mut unit_choices = Vec::new();
    for root in units::roots(&mut conn).await? {
        for c in units::children(&mut conn, root.id).await? {
            unit_choices.push((Id(c.id), c.name));
        }
    }
    let page = q.page.max(0);
    let (rows, total) = if impossible {
        (Vec::new(), 0)
    } else {
        let key = format!("{:?}", f);
        let total = match app.public_totals().get(&key) {
            Some(n) => n,
            None => {
                let generation = app.public_totals().current();
                let n = matters::public_count(&mut conn, &f).await?;
                app.public_totals().put(key, generation, n);
                n
            }
        };
        f.wide = total > WIDE;
        let rows =
            matters::public_page(&mut conn, &f, PUBLIC_PER_PAGE, page * PUBLIC_PER_PAGE).await?;
        (rows, total)
    };
    Ok(PublicList {
        matters: rows
            .into_iter()
            .map(|r| PublicMatter {
                id: Id(r.id),
                title: r.title,
                level: r.level,
                field: r.field,
                unit: r.unit,
                status: r.status,
                progress: r.progress,
                deadline: r.deadline,
            })
            .collect(),
        total,
        page,
        per_page: PUBLIC_PER_PAGE,
        fields: fields.into_iter().map(|(_, n)| n).collect(),
        units: unit_choices,
    })
}

/// A matter as its public page shows it: what, where, how far, what it
/// achieved and how the public rated it — never who.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicDetail {
    pub matter: PublicMatter,
    pub description: String,
    pub target: String,
    pub outcomes: Outcomes,
    /// The loop's steps: (when, event, progress).
    pub history: Vec<(i64, String, Option<i64>)>,
    /// This round's ratings by the people it served: satisfied, fair,
    /// unsatisfied.
    pub ratings: (i64, i64, i64),
    /// This round's ratings by the wider public, counted apart.
    pub public_ratings: (i64, i64, i64),
    pub round: i64,
}

pub async fn public_detail(app: &App, id: Id) -> AppResult<PublicDetail> {
    let mut conn = app.store().read().await?;
    let m = matters::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    if matches!(m.status.as_str(), "collected" | "dropped") {
        return Err(AppError::NotFound);
    }
    let unit = units::get(&mut conn, m.unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let field = matters::fields(&mut conn)
        .await?
        .into_iter()
        .find(|f| f.0 == m.field_id)
        .map(|f| f.1)
        .unwrap_or_default();
    let history = matters::events(&mut conn, m.id)
        .await?
        .into_iter()
        .map(|e| (e.at, e.event, e.progress))
        .collect();
    let ratings = matters::rating_counts(&mut conn, m.id, m.round, true).await?;
    let public_ratings = matters::rating_counts(&mut conn, m.id, m.round, false).await?;
    Ok(PublicDetail {
        description: m.description.clone(),
        target: m.target.clone(),
        outcomes: Outcomes::of(&m),
        history,
        ratings,
        public_ratings,
        round: m.round,
        matter: PublicMatter {
            id: Id(m.id),
            title: m.title,
            level: m.level.as_str().to_owned(),
            field,
            unit,
            status: m.status.as_str().to_owned(),
            progress: m.progress,
            deadline: m.deadline,
        },
    })
}

/// The figures the public summary shows: every root's matters.
pub async fn public_summary(app: &App) -> AppResult<Figures> {
    let today = iso(app.clock().today());
    let mut conn = app.store().read().await?;
    let fields = matters::fields(&mut conn).await?;
    let mut rows = Vec::new();
    for root in units::roots(&mut conn).await? {
        rows.extend(matter_board::figures(&mut conn, &root.path(), &today).await?);
    }
    Ok(sum_figures(&rows, &fields))
}
