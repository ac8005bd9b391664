//! Contests with recommendation and selection (红色故事大赛, 宣讲推荐评选).
//!
//! A unit runs a contest; units below it submit entries (作品) — a document
//! or a web link — until the entries close. Then comes the recommendation
//! round (层层推荐): each level up the tree admits at most the contest's
//! quota of the entries standing at the units directly below it, and the
//! entries the contest's own unit admits are the finalists (决赛作品). The
//! contest's unit names judges (评委), who score each finalist within the
//! contest's range, and publishes the results, after which nothing changes.
//!
//! Results rank the finalists by their mean score; every judge has scored
//! every finalist by then, so equal means share a rank (1, 2, 2, 4) and are
//! listed in the order the entries came.

use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::{Action, Denied, Role};
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::invalid::FieldError;
use xueshi_domain::task::check_document;
use xueshi_store::contests::{self as store, ContestRow, EntryRow, NewContest, NewEntry};
use xueshi_store::{accounts, units};

use crate::audit::{Audited, Entry};
use crate::permit::{Allowed, allow, allow_from_below, allow_if, may};
use crate::plans::UnitBrief;
use crate::{App, AppError, AppResult, Ctx};

/// Most entries one level may admit.
pub const QUOTA_MAX: i64 = 100;
/// Highest top score a contest may set.
pub const SCORE_MAX: i64 = 1000;
/// Most judges of one contest.
pub const JUDGES_MAX: usize = 30;
/// Longest entry link.
pub const LINK_MAX: usize = 500;

/// What the contest is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContestKind {
    /// 红色故事 (story telling).
    Story,
    /// 宣讲 (lecturing).
    Lecture,
}

impl ContestKind {
    pub const ALL: [ContestKind; 2] = [ContestKind::Story, ContestKind::Lecture];
    pub fn as_str(self) -> &'static str {
        match self {
            ContestKind::Story => "story",
            ContestKind::Lecture => "lecture",
        }
    }
    pub fn parse(s: &str) -> Option<ContestKind> {
        ContestKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }
}

/// Where a contest stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Round {
    /// Units submit entries, until the entries close.
    Entries,
    /// Each level admits entries from the level below (推荐).
    Recommending,
    /// Judges score the finalists (评审).
    Judging,
    /// Results published; nothing more changes.
    Published,
}

impl Round {
    pub fn as_str(self) -> &'static str {
        match self {
            Round::Entries => "entries",
            Round::Recommending => "recommending",
            Round::Judging => "judging",
            Round::Published => "published",
        }
    }
}

fn round_of(app: &App, c: &ContestRow) -> Round {
    match c.status.as_str() {
        "published" => Round::Published,
        "judging" => Round::Judging,
        _ if iso(app.clock().today()).as_str() > c.entries_close.as_str() => Round::Recommending,
        _ => Round::Entries,
    }
}

/// A new contest.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ContestInput {
    pub title: String,
    /// story or lecture.
    pub kind: String,
    /// The last day entries are taken, YYYY-MM-DD.
    pub entries_close: String,
    /// Most entries each level admits from the level below.
    pub quota: Option<i64>,
    /// The top score a judge may give; 100 when absent.
    pub max_score: Option<i64>,
}

/// An entry as submitted: a document or a link, not both.
#[derive(Clone, Debug, Default)]
pub struct EntryInput {
    /// The unit submitting; the actor's own unit when absent.
    pub unit: Option<Id>,
    pub title: String,
    /// Who tells the story or gives the lecture (讲述人 / 宣讲人).
    pub presenter: String,
    pub link: String,
    /// (file name, bytes).
    pub file: Option<(String, Vec<u8>)>,
}

/// A level admitting entries from the units directly below it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ForwardInput {
    /// The admitting unit; the actor's own unit when absent.
    pub level: Option<Id>,
    pub entries: Vec<Id>,
}

/// The judges named when judging begins.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct JudgingInput {
    /// Accounts (not members') of the contest's subtree.
    pub judges: Vec<Id>,
}

/// A judge's score of a finalist.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ScoreInput {
    /// From 0 to the contest's top score, at most two decimals.
    pub score: Option<f64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ContestBrief {
    pub id: Id,
    pub title: String,
    pub kind: ContestKind,
    pub unit: UnitBrief,
    pub entries_close: String,
    pub round: Round,
}

/// The contests a unit runs or may enter (those of its ancestors).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitContests {
    pub unit: UnitBrief,
    pub contests: Vec<ContestBrief>,
    /// Whether the reader may start a contest of this unit.
    pub may_create: bool,
    /// Whether the unit lies in the reader's scope (its page opens).
    pub in_scope: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub id: Id,
    pub title: String,
    pub presenter: String,
    /// The unit that submitted it.
    pub unit: UnitBrief,
    /// The highest level it has reached.
    pub at: UnitBrief,
    pub link: Option<String>,
    pub file_name: Option<String>,
    pub submitted_at: i64,
    pub finalist: bool,
}

/// A level the reader admits entries at.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LevelView {
    pub unit: UnitBrief,
    pub admitted: i64,
    /// How many more it may admit.
    pub remaining: i64,
    /// Entries standing at the units directly below it.
    pub candidates: Vec<EntryView>,
    /// Entries it has admitted (standing at it now), which it may take back.
    pub picked: Vec<EntryView>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FinalistView {
    pub entry: EntryView,
    /// How many judges have scored it.
    pub scored: usize,
    /// The reader's own score, when the reader is a judge.
    pub my_score: Option<f64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ResultView {
    /// 1 for the best; equal means share a rank.
    pub rank: usize,
    pub entry: EntryView,
    /// Mean of the judges' scores, to two decimals.
    pub mean: f64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ContestView {
    pub id: Id,
    pub title: String,
    pub kind: ContestKind,
    pub unit: UnitBrief,
    pub entries_close: String,
    pub quota: i64,
    pub max_score: i64,
    pub round: Round,
    /// The entries the reader may see: those of its subtree, and the
    /// finalists for the contest's unit, the judges, and everyone once
    /// published.
    pub entries: Vec<EntryView>,
    /// Levels the reader admits entries at, in the recommendation round.
    pub levels: Vec<LevelView>,
    pub finalists: Vec<FinalistView>,
    pub judges: Vec<String>,
    pub results: Vec<ResultView>,
    /// The unit the reader submits for while entries are open.
    pub submit_for: Option<UnitBrief>,
    /// Whether the reader runs the contest (names judges, publishes).
    pub may_run: bool,
    pub is_judge: bool,
}

fn text(field: &'static str, raw: &str, max: usize, e: &mut Vec<FieldError>) -> String {
    let t = raw.trim().to_owned();
    if t.is_empty() {
        e.push(FieldError::new(field, "required"));
    } else if t.chars().count() > max {
        e.push(FieldError::new(field, "too_long").with("max", max));
    } else if t.chars().any(char::is_control) {
        e.push(FieldError::new(field, "control_chars"));
    }
    t
}

/// A web link anyone may open: http or https, a host, no spaces.
fn check_link(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !t.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(FieldError::new("link", "bad_link"));
    }
    if t.chars().count() > LINK_MAX {
        return Err(FieldError::new("link", "too_long").with("max", LINK_MAX));
    }
    Ok(t.to_owned())
}

/// A score in hundredths of a point, within `[0, max]`.
fn points(score: Option<f64>, max: i64) -> Result<i64, FieldError> {
    let Some(s) = score else {
        return Err(FieldError::new("score", "required"));
    };
    if !s.is_finite() || s < 0.0 || s > max as f64 {
        return Err(FieldError::new("score", "out_of_range")
            .with("min", 0)
            .with("max", max)
            .with("value", s));
    }
    let hundredths = (s * 100.0).round();
    if (s * 100.0 - hundredths).abs() > 1e-6 {
        return Err(FieldError::new("score", "too_precise").with("value", s));
    }
    Ok(hundredths as i64)
}

fn brief(id: i64, name: &str) -> UnitBrief {
    UnitBrief {
        id: Id(id),
        name: name.to_owned(),
    }
}

fn entry_view(e: &EntryRow, contest_unit: i64) -> EntryView {
    EntryView {
        id: Id(e.id),
        title: e.title.clone(),
        presenter: e.presenter.clone(),
        unit: brief(e.unit_id, &e.unit_name),
        at: brief(e.at_unit_id, &e.at_unit_name),
        link: e.link.clone(),
        file_name: e.file_name.clone(),
        submitted_at: e.submitted_at,
        finalist: e.at_unit_id == contest_unit,
    }
}

async fn load(app: &App, id: Id) -> AppResult<ContestRow> {
    let mut conn = app.store().read().await?;
    store::get(&mut conn, id.0).await?.ok_or(AppError::NotFound)
}

async fn is_judge(app: &App, ctx: &Ctx, contest: i64) -> AppResult<bool> {
    let mut conn = app.store().read().await?;
    Ok(store::judges(&mut conn, contest)
        .await?
        .iter()
        .any(|j| j.account_id == ctx.actor.account_id.0))
}

/// Who reads a contest: its judges, and the administrators of its subtree
/// and above it (members do not: entries are the units' papers).
async fn read<'a>(app: &App, ctx: &'a Ctx, c: &ContestRow) -> AppResult<(Allowed<'a>, bool)> {
    if is_judge(app, ctx, c.id).await? {
        return Ok((allow_if(ctx, true, Action::ViewTree, &c.unit_path)?, true));
    }
    if ctx.actor.role == Role::Member {
        return Err(AppError::Forbidden(Denied::RoleLacks));
    }
    Ok((
        allow_from_below(ctx, Action::ViewTree, &c.unit_path)?,
        false,
    ))
}

/// Refuses every write once the results are out.
fn not_published(c: &ContestRow) -> AppResult<()> {
    if c.status == "published" {
        return Err(AppError::Conflict("contest_published"));
    }
    Ok(())
}

/// Starts a contest of a unit, open for entries until the day given.
pub async fn create(app: &App, ctx: &Ctx, unit: Id, input: &ContestInput) -> AppResult<Id> {
    let u = {
        let mut conn = app.store().read().await?;
        units::get(&mut conn, unit.0)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let allowed = allow(ctx, Action::ManageTasks, &u.path)?;
    let mut e = Vec::new();
    let title = text("title", &input.title, 100, &mut e);
    let kind = ContestKind::parse(&input.kind);
    if kind.is_none() {
        let code = if input.kind.trim().is_empty() {
            "required"
        } else {
            "bad_choice"
        };
        e.push(FieldError::new("kind", code).with("value", input.kind.trim()));
    }
    let close = input.entries_close.trim();
    match from_iso(close) {
        None if close.is_empty() => e.push(FieldError::new("entries_close", "required")),
        None => e.push(FieldError::new("entries_close", "bad_date").with("value", close)),
        Some(d) if d < app.clock().today() => {
            e.push(FieldError::new("entries_close", "date_in_past"));
        }
        Some(_) => {}
    }
    match input.quota {
        None => e.push(FieldError::new("quota", "required")),
        Some(n) if !(1..=QUOTA_MAX).contains(&n) => e.push(
            FieldError::new("quota", "out_of_range")
                .with("min", 1)
                .with("max", QUOTA_MAX)
                .with("value", n),
        ),
        Some(_) => {}
    }
    let max_score = input.max_score.unwrap_or(100);
    if !(1..=SCORE_MAX).contains(&max_score) {
        e.push(
            FieldError::new("max_score", "out_of_range")
                .with("min", 1)
                .with("max", SCORE_MAX)
                .with("value", max_score),
        );
    }
    let (Some(kind), Some(quota)) = (kind.filter(|_| e.is_empty()), input.quota) else {
        return Err(AppError::Invalid(e));
    };
    let id = app.next_id();
    let mut tx = Audited::begin(app, allowed).await?;
    store::insert(
        &mut tx,
        &NewContest {
            id: id.0,
            unit_id: u.id,
            title: &title,
            kind: kind.as_str(),
            entries_close: close,
            quota,
            max_score,
            by: Some(ctx.actor.account_id.0),
            now: app.now(),
        },
    )
    .await?;
    tx.commit(
        Entry::new("contest.create", "contest", Some(id), &title)
            .unit(unit)
            .after(input),
    )
    .await?;
    Ok(id)
}

/// Refuses a submission before its body is read: the contest must be one
/// the actor reads, still taking entries.
pub async fn authorize_submit(app: &App, ctx: &Ctx, contest: Id) -> AppResult<()> {
    let c = load(app, contest).await?;
    read(app, ctx, &c).await?;
    open_for_entries(app, &c)
}

fn open_for_entries(app: &App, c: &ContestRow) -> AppResult<()> {
    not_published(c)?;
    if round_of(app, c) != Round::Entries {
        return Err(AppError::Conflict("entries_closed"));
    }
    Ok(())
}

/// A unit below the contest's unit submits an entry.
pub async fn submit(app: &App, ctx: &Ctx, contest: Id, input: EntryInput) -> AppResult<Id> {
    let c = load(app, contest).await?;
    read(app, ctx, &c).await?;
    open_for_entries(app, &c)?;
    let unit = input.unit.unwrap_or(ctx.actor.scope_unit);
    let u = {
        let mut conn = app.store().read().await?;
        units::get(&mut conn, unit.0)
            .await?
            .ok_or_else(|| AppError::invalid("unit", "unit_not_in_contest"))?
    };
    let allowed = allow(ctx, Action::ManageTasks, &u.path)?;
    let mut e = Vec::new();
    if !u.path.is_within(&c.unit_path) || u.id == c.unit_id {
        e.push(FieldError::new("unit", "unit_not_in_contest").with("value", &u.name));
    }
    let title = text("title", &input.title, 100, &mut e);
    let presenter = text("presenter", &input.presenter, 50, &mut e);
    let mut link = None;
    let mut file = None;
    match (input.link.trim().is_empty(), input.file) {
        (false, Some(_)) => e.push(FieldError::new("link", "file_or_link")),
        (true, None) => e.push(FieldError::new("file", "file_or_link")),
        (false, None) => match check_link(&input.link) {
            Ok(l) => link = Some(l),
            Err(f) => e.push(f),
        },
        (true, Some((name, bytes))) => match check_document(&bytes) {
            Ok(kind) => {
                let name: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
                file = Some((name, kind, bytes));
            }
            Err(f) => e.push(f),
        },
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let id = app.next_id();
    let mut tx = Audited::begin(app, allowed).await?;
    store::insert_entry(
        &mut tx,
        &NewEntry {
            id: id.0,
            contest_id: c.id,
            unit_id: u.id,
            title: &title,
            presenter: &presenter,
            link: link.as_deref(),
            file: file
                .as_ref()
                .map(|(n, k, b)| (n.as_str(), *k, b.as_slice())),
            by: Some(ctx.actor.account_id.0),
            now: app.now(),
        },
    )
    .await?;
    tx.commit(
        Entry::new("contest.entry", "contest", Some(contest), &c.title)
            .unit(Id(u.id))
            .after(&serde_json::json!({
                "entry": id, "title": title, "presenter": presenter, "link": link,
                "file": file.as_ref().map(|f| &f.0),
            })),
    )
    .await?;
    Ok(id)
}

/// A level admits entries standing at the units directly below it, no more
/// than the contest's quota in all.
pub async fn forward(app: &App, ctx: &Ctx, contest: Id, input: &ForwardInput) -> AppResult<()> {
    let c = load(app, contest).await?;
    read(app, ctx, &c).await?;
    not_published(&c)?;
    if round_of(app, &c) != Round::Recommending {
        return Err(AppError::Conflict("not_recommending"));
    }
    let level = input.level.unwrap_or(ctx.actor.scope_unit);
    let (lu, entries, admitted) = {
        let mut conn = app.store().read().await?;
        let lu = units::get(&mut conn, level.0)
            .await?
            .ok_or_else(|| AppError::invalid("level", "unit_not_in_contest"))?;
        let entries = store::entries(&mut conn, c.id).await?;
        let admitted = store::admitted(&mut conn, c.id, lu.id).await?;
        (lu, entries, admitted)
    };
    let allowed = allow(ctx, Action::ManageTasks, &lu.path)?;
    if !lu.path.is_within(&c.unit_path) {
        return Err(AppError::invalid("level", "unit_not_in_contest"));
    }
    let mut ids = input.entries.clone();
    ids.sort_by_key(|i| i.0);
    ids.dedup();
    let mut e = Vec::new();
    if ids.is_empty() {
        e.push(FieldError::new("entries", "required"));
    }
    let mut picked = Vec::new();
    for id in &ids {
        match entries.iter().find(|x| x.id == id.0) {
            Some(x) if x.at_unit_path.parent().as_ref() == Some(&lu.path) => picked.push(x),
            _ => e.push(FieldError::new("entries", "entry_not_from_below").with("value", id)),
        }
    }
    let room = c.quota - admitted;
    if e.is_empty() && picked.len() as i64 > room {
        e.push(
            FieldError::new("entries", "too_many_forwarded")
                .with("max", c.quota)
                .with("n", room.max(0)),
        );
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let now = app.now();
    let mut tx = Audited::begin(app, allowed).await?;
    // Holding the contest's row serialises forwards, so two admins of one
    // level cannot pass the quota between them.
    if !store::hold(&mut tx, c.id, "open", now).await? {
        return Err(AppError::Conflict("not_recommending"));
    }
    if store::admitted(&mut tx, c.id, lu.id).await? + picked.len() as i64 > c.quota {
        return Err(AppError::Conflict("too_many_forwarded"));
    }
    for x in &picked {
        let by = Some(ctx.actor.account_id.0);
        if !store::forward(&mut tx, c.id, x.id, x.at_unit_id, lu.id, by, now).await? {
            return Err(AppError::Conflict("already_forwarded"));
        }
    }
    let titles: Vec<&str> = picked.iter().map(|x| x.title.as_str()).collect();
    tx.commit(
        Entry::new("contest.forward", "contest", Some(contest), &c.title)
            .unit(level)
            .after(&serde_json::json!({ "level": lu.name, "entries": ids, "titles": titles })),
    )
    .await?;
    Ok(())
}

/// The level an entry stands at takes back its recommendation while the
/// round is open (a wrong tick is not for ever): the entry stands again at
/// the unit that put it forward and the level's place is free.
pub async fn withdraw(app: &App, ctx: &Ctx, entry: Id) -> AppResult<Id> {
    let (x, steps) = {
        let mut conn = app.store().read().await?;
        let x = store::entry(&mut conn, entry.0)
            .await?
            .ok_or(AppError::NotFound)?;
        let steps = store::forwards(&mut conn, x.contest_id).await?;
        (x, steps)
    };
    let c = load(app, Id(x.contest_id)).await?;
    read(app, ctx, &c).await?;
    let allowed = allow(ctx, Action::ManageTasks, &x.at_unit_path)?;
    not_published(&c)?;
    if round_of(app, &c) != Round::Recommending {
        return Err(AppError::Conflict("not_recommending"));
    }
    let Some(&(_, from, to)) = steps
        .iter()
        .rev()
        .find(|(e, _, to)| *e == x.id && *to == x.at_unit_id)
    else {
        return Err(AppError::Conflict("not_forwarded"));
    };
    let mut tx = Audited::begin(app, allowed).await?;
    // Held like a forward, so a withdrawal and a pick of the same level do
    // not cross.
    if !store::hold(&mut tx, c.id, "open", app.now()).await? {
        return Err(AppError::Conflict("not_recommending"));
    }
    if !store::withdraw(&mut tx, x.id, from, to).await? {
        return Err(AppError::Conflict("not_forwarded"));
    }
    tx.commit(
        Entry::new("contest.withdraw", "contest", Some(Id(c.id)), &c.title)
            .unit(Id(to))
            .after(
                &serde_json::json!({ "entry": entry, "title": x.title, "level": x.at_unit_name }),
            ),
    )
    .await?;
    Ok(Id(c.id))
}

/// The contest's unit closes the recommendation round and names the judges.
pub async fn start_judging(
    app: &App,
    ctx: &Ctx,
    contest: Id,
    input: &JudgingInput,
) -> AppResult<()> {
    let c = load(app, contest).await?;
    read(app, ctx, &c).await?;
    let allowed = allow(ctx, Action::ManageTasks, &c.unit_path)?;
    not_published(&c)?;
    if round_of(app, &c) != Round::Recommending {
        return Err(AppError::Conflict("not_recommending"));
    }
    let mut ids = input.judges.clone();
    ids.sort_by_key(|i| i.0);
    ids.dedup();
    let mut e = Vec::new();
    if ids.is_empty() {
        e.push(FieldError::new("judges", "required"));
    } else if ids.len() > JUDGES_MAX {
        e.push(FieldError::new("judges", "too_many").with("max", JUDGES_MAX));
    }
    let mut conn = app.store().read().await?;
    for id in &ids {
        let ok = accounts::get(&mut conn, id.0).await?.is_some_and(|a| {
            a.role != Role::Member && a.disabled == 0 && a.scope_path.is_within(&c.unit_path)
        });
        if !ok {
            e.push(FieldError::new("judges", "judge_not_eligible").with("value", id));
        }
    }
    let finalists = store::entries(&mut conn, c.id)
        .await?
        .iter()
        .filter(|x| x.at_unit_id == c.unit_id)
        .count();
    drop(conn);
    if finalists == 0 {
        e.push(FieldError::new("finalists", "no_finalists"));
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::set_status(&mut tx, c.id, "open", "judging", app.now()).await? {
        return Err(AppError::Conflict("not_recommending"));
    }
    for id in &ids {
        store::add_judge(&mut tx, c.id, id.0).await?;
    }
    tx.commit(
        Entry::new("contest.judging", "contest", Some(contest), &c.title)
            .unit(Id(c.unit_id))
            .after(&serde_json::json!({ "judges": ids, "finalists": finalists })),
    )
    .await?;
    Ok(())
}

/// A judge scores a finalist (again, until the results are published).
pub async fn score(app: &App, ctx: &Ctx, entry: Id, input: &ScoreInput) -> AppResult<()> {
    let x = {
        let mut conn = app.store().read().await?;
        store::entry(&mut conn, entry.0)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let c = load(app, Id(x.contest_id)).await?;
    let (_, judge) = read(app, ctx, &c).await?;
    not_published(&c)?;
    if c.status != "judging" {
        return Err(AppError::Conflict("not_judging"));
    }
    if !judge {
        return Err(AppError::Forbidden(Denied::RoleLacks));
    }
    let allowed = allow_if(ctx, judge, Action::ManageTasks, &c.unit_path)?;
    if x.at_unit_id != c.unit_id {
        return Err(AppError::invalid("entry", "not_finalist"));
    }
    let p = points(input.score, c.max_score)?;
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::hold(&mut tx, c.id, "judging", app.now()).await? {
        return Err(AppError::Conflict("not_judging"));
    }
    store::score(&mut tx, x.id, ctx.actor.account_id.0, p, app.now()).await?;
    tx.commit(
        Entry::new("contest.score", "contest", Some(Id(c.id)), &c.title)
            .unit(Id(c.unit_id))
            .after(
                &serde_json::json!({ "entry": entry, "title": x.title, "score": p as f64 / 100.0 }),
            ),
    )
    .await?;
    Ok(())
}

/// Publishes the results once every judge has scored every finalist.
pub async fn publish(app: &App, ctx: &Ctx, contest: Id) -> AppResult<()> {
    let c = load(app, contest).await?;
    read(app, ctx, &c).await?;
    let allowed = allow(ctx, Action::ManageTasks, &c.unit_path)?;
    not_published(&c)?;
    if c.status != "judging" {
        return Err(AppError::Conflict("not_judging"));
    }
    let (finalists, judges, scores) = {
        let mut conn = app.store().read().await?;
        let f = store::entries(&mut conn, c.id)
            .await?
            .into_iter()
            .filter(|x| x.at_unit_id == c.unit_id)
            .count();
        (
            f,
            store::judges(&mut conn, c.id).await?.len(),
            store::scores(&mut conn, c.id).await?.len(),
        )
    };
    let missing = finalists * judges - scores.min(finalists * judges);
    if missing > 0 {
        return Err(FieldError::new("scores", "scores_missing")
            .with("n", missing)
            .into());
    }
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::set_status(&mut tx, c.id, "judging", "published", app.now()).await? {
        return Err(AppError::Conflict("not_judging"));
    }
    tx.commit(
        Entry::new("contest.publish", "contest", Some(contest), &c.title)
            .unit(Id(c.unit_id))
            .after(&serde_json::json!({ "finalists": finalists, "judges": judges })),
    )
    .await?;
    Ok(())
}

/// The finalists ranked by mean score: (rank, entry, mean).
fn ranked(finalists: &[i64], scores: &[(i64, i64, i64)]) -> Vec<(usize, i64, f64)> {
    let mut totals: Vec<(i64, i64, i64)> = finalists
        .iter()
        .map(|&f| {
            let mine = scores.iter().filter(|s| s.0 == f);
            let (sum, n) = mine.fold((0, 0), |(s, n), x| (s + x.2, n + 1));
            (f, sum, n)
        })
        .collect();
    // Compared as sum × the other's count, exactly, with no rounding.
    let key = |t: &(i64, i64, i64)| (t.1 as i128, t.2.max(1) as i128);
    totals.sort_by(|a, b| {
        let ((sa, na), (sb, nb)) = (key(a), key(b));
        (sb * na).cmp(&(sa * nb))
    });
    let mut out: Vec<(usize, i64, f64)> = Vec::with_capacity(totals.len());
    for (i, t) in totals.iter().enumerate() {
        let (s, n) = key(t);
        let rank = match i.checked_sub(1).map(|j| (key(&totals[j]), out[j].0)) {
            Some(((ps, pn), r)) if ps * n == s * pn => r,
            _ => i + 1,
        };
        let mean = (t.1 as f64 / t.2.max(1) as f64).round() / 100.0;
        out.push((rank, t.0, mean));
    }
    out
}

/// A contest as its reader may see it.
pub async fn get(app: &App, ctx: &Ctx, id: Id) -> AppResult<ContestView> {
    let c = load(app, id).await?;
    let (_, judge) = read(app, ctx, &c).await?;
    let mut conn = app.store().read().await?;
    let rows = store::entries(&mut conn, c.id).await?;
    let judges = store::judges(&mut conn, c.id).await?;
    let scores = store::scores(&mut conn, c.id).await?;
    let round = round_of(app, &c);
    let runs = may(ctx, Action::ManageTasks, &c.unit_path);
    let sees_all = c.unit_path.is_within(&ctx.actor.scope);
    let finalists_open = sees_all || judge || round == Round::Published;
    let visible = |x: &EntryRow| {
        x.unit_path.is_within(&ctx.actor.scope) || (x.at_unit_id == c.unit_id && finalists_open)
    };
    let entries: Vec<EntryView> = rows
        .iter()
        .filter(|x| visible(x))
        .map(|x| entry_view(x, c.unit_id))
        .collect();
    let mut levels = Vec::new();
    let own = &ctx.actor.scope;
    if round == Round::Recommending
        && own.is_within(&c.unit_path)
        && may(ctx, Action::ManageTasks, own)
    {
        let admitted = store::admitted(&mut conn, c.id, own.id().0).await?;
        let name = units::get(&mut conn, own.id().0)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        levels.push(LevelView {
            unit: brief(own.id().0, &name),
            admitted,
            remaining: (c.quota - admitted).max(0),
            candidates: rows
                .iter()
                .filter(|x| x.at_unit_path.parent().as_ref() == Some(own))
                .map(|x| entry_view(x, c.unit_id))
                .collect(),
            picked: rows
                .iter()
                .filter(|x| x.at_unit_id == own.id().0 && x.unit_id != x.at_unit_id)
                .map(|x| entry_view(x, c.unit_id))
                .collect(),
        });
    }
    let submit_for = if round == Round::Entries
        && own.is_within(&c.unit_path)
        && *own != c.unit_path
        && may(ctx, Action::ManageTasks, own)
    {
        let name = units::get(&mut conn, own.id().0)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        Some(brief(own.id().0, &name))
    } else {
        None
    };
    drop(conn);
    let final_rows: Vec<&EntryRow> = rows.iter().filter(|x| x.at_unit_id == c.unit_id).collect();
    let finalists = if finalists_open {
        final_rows
            .iter()
            .map(|x| FinalistView {
                entry: entry_view(x, c.unit_id),
                scored: scores.iter().filter(|s| s.0 == x.id).count(),
                my_score: scores
                    .iter()
                    .find(|s| s.0 == x.id && s.1 == ctx.actor.account_id.0)
                    .map(|s| s.2 as f64 / 100.0),
            })
            .collect()
    } else {
        Vec::new()
    };
    let results = if round == Round::Published {
        let ids: Vec<i64> = final_rows.iter().map(|x| x.id).collect();
        ranked(&ids, &scores)
            .into_iter()
            .filter_map(|(rank, eid, mean)| {
                let x = final_rows.iter().find(|x| x.id == eid)?;
                Some(ResultView {
                    rank,
                    entry: entry_view(x, c.unit_id),
                    mean,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ContestView {
        id,
        title: c.title,
        kind: ContestKind::parse(&c.kind).unwrap_or(ContestKind::Story),
        unit: brief(c.unit_id, &c.unit_name),
        entries_close: c.entries_close,
        quota: c.quota,
        max_score: c.max_score,
        round,
        entries,
        levels,
        finalists,
        judges: judges.into_iter().map(|j| j.display_name).collect(),
        results,
        submit_for,
        may_run: runs,
        is_judge: judge,
    })
}

/// The contests a unit runs or may enter: its own and its ancestors'.
pub async fn of_unit(app: &App, ctx: &Ctx, unit: Id) -> AppResult<UnitContests> {
    if ctx.actor.role == Role::Member {
        return Err(AppError::Forbidden(Denied::RoleLacks));
    }
    let mut conn = app.store().read().await?;
    let u = units::get(&mut conn, unit.0)
        .await?
        .ok_or(AppError::NotFound)?;
    // A unit above the reader's own is listed too: its contests are the
    // ones the reader enters.
    allow_from_below(ctx, Action::ViewTree, &u.path)?;
    let ids: Vec<i64> = u.path.ids().into_iter().map(|i| i.0).collect();
    let rows = store::of_units(&mut conn, &ids).await?;
    drop(conn);
    Ok(UnitContests {
        unit: brief(u.id, &u.name),
        contests: rows
            .iter()
            .map(|c| ContestBrief {
                id: Id(c.id),
                title: c.title.clone(),
                kind: ContestKind::parse(&c.kind).unwrap_or(ContestKind::Story),
                unit: brief(c.unit_id, &c.unit_name),
                entries_close: c.entries_close.clone(),
                round: round_of(app, c),
            })
            .collect(),
        may_create: may(ctx, Action::ManageTasks, &u.path),
        in_scope: may(ctx, Action::ViewTree, &u.path),
    })
}

/// The accounts the contest's unit may name as judges, for the form.
pub async fn judge_choices(app: &App, ctx: &Ctx, contest: Id) -> AppResult<Vec<(Id, String)>> {
    let c = load(app, contest).await?;
    allow(ctx, Action::ManageTasks, &c.unit_path)?;
    let mut conn = app.store().read().await?;
    Ok(accounts::in_subtree(&mut conn, &c.unit_path, 200)
        .await?
        .into_iter()
        .filter(|a| a.disabled == 0)
        .map(|a| (Id(a.id), format!("{}（{}）", a.display_name, a.scope_name)))
        .collect())
}

/// An entry's contest, for a reader of it (a page returning to it).
pub async fn contest_of(app: &App, ctx: &Ctx, entry: Id) -> AppResult<Id> {
    let x = {
        let mut conn = app.store().read().await?;
        store::entry(&mut conn, entry.0)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let c = load(app, Id(x.contest_id)).await?;
    read(app, ctx, &c).await?;
    Ok(Id(c.id))
}

/// An entry's document, for those who may see the entry.
pub async fn entry_file(app: &App, ctx: &Ctx, entry: Id) -> AppResult<(String, String, Vec<u8>)> {
    let c_id = contest_of(app, ctx, entry).await?;
    let view = get(app, ctx, c_id).await?;
    if !view.entries.iter().any(|x| x.id == entry) {
        return Err(AppError::Forbidden(Denied::OutOfScope));
    }
    let mut conn = app.store().read().await?;
    store::file(&mut conn, entry.0)
        .await?
        .ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_hundredths_within_the_range() {
        assert_eq!(points(Some(92.5), 100).unwrap(), 9250);
        assert_eq!(points(Some(0.0), 100).unwrap(), 0);
        assert_eq!(points(Some(100.0), 100).unwrap(), 10_000);
        assert_eq!(points(Some(100.5), 100).unwrap_err().code, "out_of_range");
        assert_eq!(points(Some(-1.0), 100).unwrap_err().code, "out_of_range");
        assert_eq!(
            points(Some(f64::NAN), 100).unwrap_err().code,
            "out_of_range"
        );
        assert_eq!(points(Some(90.125), 100).unwrap_err().code, "too_precise");
        assert_eq!(points(None, 100).unwrap_err().code, "required");
    }

    #[test]
    fn equal_means_share_a_rank_in_the_order_the_entries_came() {
        // Entries 1..=4, two judges each: means 90, 95, 90, 80.
        let scores = [
            (1, 7, 9000),
            (1, 8, 9000),
            (2, 7, 9400),
            (2, 8, 9600),
            (3, 7, 8500),
            (3, 8, 9500),
            (4, 7, 8000),
            (4, 8, 8000),
        ];
        let r = ranked(&[1, 2, 3, 4], &scores);
        assert_eq!(
            r,
            vec![(1, 2, 95.0), (2, 1, 90.0), (2, 3, 90.0), (4, 4, 80.0)]
        );
        assert_eq!(
            ranked(&[5], &[(5, 7, 9025), (5, 8, 9000)]),
            vec![(1, 5, 90.13)]
        );
    }

    #[test]
    fn links_are_web_links() {
        assert!(check_link("https://v.qq.com/x/abc").is_ok());
        assert!(check_link("http://example.cn/a").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://x",
            "https://",
            "https:///x",
            "https://a b",
        ] {
            assert!(check_link(bad).is_err(), "{bad}");
        }
    }
}
