//! Demo data: a living campaign for a newcomer (`district`, modelled on
//! 云溪区) and millions of members for scale tests (`province`).
//!
//! Plans are built in memory from a seed; `write` turns a plan into rows
//! through the store's bulk inserts, keeping tallies exact, and leaves one
//! audit record. Members are generated on a blocking thread and written as
//! they come, so the province never sits in memory whole.

pub mod competitions;
pub mod contests;
pub mod district;
pub mod exams;
pub mod matters;
pub mod meetings;
pub mod people;
pub mod plan;
pub mod province;
pub mod rhythm;
pub mod study;
pub mod tasks;

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use xueshi_domain::Id;
use xueshi_domain::access::Role;
use xueshi_domain::date::iso;
use xueshi_domain::member::CadreLevel;
use xueshi_domain::tally::Tally;
use xueshi_domain::text::fold;
use xueshi_domain::unit::UnitPath;
use xueshi_store::accounts::{self, NewAccount};
use xueshi_store::members::{self, NewMember};
use xueshi_store::organs::{self, OrganPersonRow, OrganRow};
use xueshi_store::units::{self, NewUnit};
use xueshi_store::{dialect, meta, tallies};

use self::people::{People, position_for};
use self::plan::{Plan, PlanPerson};
use xueshi_app::audit::{Entry, record};
use xueshi_app::auth::hash_password;
use xueshi_app::jobs::Progress;
use xueshi_app::{App, AppError, AppResult, Ctx};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "xueshi2021";

/// The district demo's accounts, one per role, as the login page lists them.
pub const ACCOUNTS: [(&str, Role); 6] = [
    ("admin", Role::SystemAdmin),
    ("office", Role::CampaignOffice),
    ("songyanghu", Role::UnitAdmin),
    ("maolingtou", Role::UnitAdmin),
    ("inspector", Role::Inspector),
    ("member", Role::Member),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    District,
    Province,
}

impl Scale {
    pub fn plan(self, seed: u64) -> Plan {
        match self {
            Scale::District => district::plan(seed),
            Scale::Province => province::plan(seed),
        }
    }
}

/// What a demo build made.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub scale: Scale,
    pub units: u64,
    pub grassroots: u64,
    pub members: u64,
    pub accounts: Vec<(String, Role, String)>,
    pub elapsed_ms: u128,
}

/// Members generated and sealed per batch, and batches per transaction.
const BATCH: usize = 4_000;
const BATCHES_PER_COMMIT: usize = 25;

/// Builds a demo data set into an empty database; the district comes with
/// two weeks of members' study.
pub async fn build(
    app: &App,
    scale: Scale,
    seed: u64,
    progress: &dyn Progress,
) -> AppResult<Summary> {
    build_with(app, scale, seed, scale == Scale::District, progress).await
}

/// Builds a demo data set, with or without the members' study history.
pub async fn build_with(
    app: &App,
    scale: Scale,
    seed: u64,
    study_history: bool,
    progress: &dyn Progress,
) -> AppResult<Summary> {
    let started = Instant::now();
    {
        let mut conn = app.store().read().await?;
        if !units::roots(&mut conn).await?.is_empty() {
            return Err(AppError::Conflict("database_not_empty"));
        }
    }
    progress.stage("stage.planning", 1);
    let plan = tokio::task::spawn_blocking(move || scale.plan(seed))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    progress.advance(1);
    let summary = write(app, &plan, scale, seed, study_history, progress).await?;
    xueshi_app::matters::add_default_fields(app).await?;
    xueshi_app::tasks::ensure_kinds(app).await?;
    if scale == Scale::District {
        let root = {
            let mut conn = app.store().read().await?;
            units::roots(&mut conn).await?.first().map(|u| Id(u.id))
        };
        if let Some(root) = root {
            matters::seed(app, root, seed, progress).await?;
            tasks::seed(app, root, seed, &matters::site_photo()?).await?;
            meetings::seed(app, root, seed).await?;
            rhythm::seed(app, root, seed).await?;
            exams::seed(app, root, seed).await?;
            competitions::seed(app, root, seed).await?;
            contests::seed(app, root, seed).await?;
            briefings(app, root).await?;
        }
    }
    // Whatever was looked up before the data existed is wrong now.
    app.bulk_loaded().await;
    Ok(Summary {
        elapsed_ms: started.elapsed().as_millis(),
        ..summary
    })
}

/// The office's weekly briefing for the week ending today, published (第1
/// 期), and this month's summary in draft: made by the use-cases the
/// office's pages call.
async fn briefings(app: &App, root: Id) -> AppResult<()> {
    use xueshi_app::briefings::{self, NewBriefing};
    use xueshi_domain::briefing::BriefingStatus;

    let path = {
        let mut conn = app.store().read().await?;
        units::get(&mut conn, root.0)
            .await?
            .ok_or(AppError::NotFound)?
            .path()
    };
    let ctx = Ctx::system(&path);
    let weekly = briefings::generate(
        app,
        &ctx,
        root,
        &NewBriefing {
            kind: "weekly".into(),
            remarks:
                "各基层党组织要对照“五个一”学习任务逐人跟进，\n未完成每日答题的党员由支部书记提醒。"
                    .into(),
            ..NewBriefing::default()
        },
    )
    .await?;
    for to in [BriefingStatus::Approved, BriefingStatus::Published] {
        briefings::set_status(app, &ctx, weekly, to.as_str()).await?;
    }
    briefings::generate(
        app,
        &ctx,
        root,
        &NewBriefing {
            kind: "monthly_summary".into(),
            ..NewBriefing::default()
        },
    )
    .await?;
    ranking(app, &ctx, root).await
}

/// The office's quarterly 比学赶超 among the units directly below it, with
/// the three lowest as the 约谈 list.
async fn ranking(app: &App, ctx: &Ctx, root: Id) -> AppResult<()> {
    use xueshi_app::rankings::{self, NewRanking};
    use xueshi_domain::ranking::{RankingMeasure as M, Term};

    let today = app.clock().today();
    let terms = [
        (M::QuizParticipation, 30),
        (M::QuizAccuracy, 10),
        (M::QuotaCompliance, 30),
        (M::MattersOnTime, 20),
        (M::MattersSatisfied, 10),
    ];
    rankings::define(
        app,
        ctx,
        root,
        &NewRanking {
            name: "本季度比学赶超".into(),
            depth: 1,
            from: iso(today - time::Duration::days(89)),
            to: iso(today),
            terms: terms
                .into_iter()
                .map(|(measure, weight)| Term { measure, weight })
                .collect(),
            bottom: 3,
            ..NewRanking::default()
        },
    )
    .await?;
    Ok(())
}

/// A member the organs or accounts refer to.
type Picked = HashMap<(usize, u32), (Id, String)>;

async fn write(
    app: &App,
    plan: &Plan,
    scale: Scale,
    seed: u64,
    study_history: bool,
    progress: &dyn Progress,
) -> AppResult<Summary> {
    let now = app.now();
    let ids: Vec<Id> = plan.units.iter().map(|_| app.next_id()).collect();
    let mut paths: Vec<UnitPath> = Vec::with_capacity(plan.units.len());
    for (i, u) in plan.units.iter().enumerate() {
        let path = match u.parent {
            Some(p) => paths[p].child(ids[i]),
            None => UnitPath::root(ids[i]),
        };
        paths.push(path);
    }
    let root_path = paths.first().cloned().ok_or(AppError::NotFound)?;
    let ctx = Ctx::system(&root_path);
    let backend = app.store().backend();
    {
        let mut c = app.store().read().await?;
        dialect::bulk_load_mode(&mut c, backend, true).await?;
    }

    progress.stage("stage.units", plan.units.len() as u64);
    let folded: Vec<String> = plan.units.iter().map(|u| fold(&u.name)).collect();
    for chunk in (0..plan.units.len()).collect::<Vec<_>>().chunks(20_000) {
        let rows: Vec<NewUnit<'_>> = chunk
            .iter()
            .map(|&i| {
                let u = &plan.units[i];
                NewUnit {
                    id: ids[i].0,
                    parent_id: u.parent.map(|p| ids[p].0),
                    path: paths[i].as_str(),
                    depth: paths[i].depth(),
                    kind: u.kind.as_str(),
                    code: &u.code,
                    name: &u.name,
                    name_folded: &folded[i],
                    sort_order: i as i64,
                    now,
                }
            })
            .collect();
        let mut tx = app.store().write().await?;
        units::insert_many(&mut tx, &rows).await?;
        tx.commit().await?;
        progress.advance(chunk.len() as u64);
    }

    // The tables are empty: load them bare and build their indexes once.
    let mut rebuild = Vec::new();
    {
        let mut tx = app.store().write().await?;
        for table in ["member_grams", "members"] {
            rebuild.extend(dialect::drop_indexes(&mut tx, app.store().backend(), table).await?);
        }
        tx.commit().await?;
    }
    let (picked, direct) = write_members(app, plan, &ids, seed, progress).await?;
    progress.stage("stage.indexing", rebuild.len() as u64);
    {
        let mut tx = app.store().write().await?;
        for s in &rebuild {
            dialect::rebuild_indexes(&mut tx, app.store().backend(), std::slice::from_ref(s))
                .await?;
            progress.advance(1);
        }
        tx.commit().await?;
    }

    progress.stage("stage.tallies", plan.units.len() as u64);
    let mut totals: Vec<Tally> = direct;
    for (i, u) in plan.units.iter().enumerate() {
        totals[i] += Tally::of_unit(u.kind);
    }
    for i in (0..plan.units.len()).rev() {
        if let Some(p) = plan.units[i].parent {
            let t = totals[i];
            totals[p] += t;
        }
    }
    for chunk in (0..plan.units.len()).collect::<Vec<_>>().chunks(20_000) {
        let deltas: HashMap<Id, Tally> = chunk.iter().map(|&i| (ids[i], totals[i])).collect();
        let mut tx = app.store().write().await?;
        tallies::add(&mut tx, &deltas).await?;
        tx.commit().await?;
        progress.advance(chunk.len() as u64);
    }

    progress.stage(
        "stage.organs",
        (plan.organs.len() + plan.accounts.len()) as u64,
    );
    let mut tx = app.store().write().await?;
    let mut organ_ids: Vec<i64> = Vec::new();
    for (k, o) in plan.organs.iter().enumerate() {
        let row = OrganRow {
            id: app.next_id().0,
            unit_id: ids[o.unit].0,
            parent_id: o.parent.map(|p| organ_ids[p]),
            kind: o.kind.as_str().into(),
            name: o.name.clone(),
            duties: o.duties.into(),
            sort_order: k as i64,
            created_at: now,
            updated_at: now,
        };
        organs::insert(&mut tx, &row).await?;
        for (n, person) in o.people.iter().enumerate() {
            let (member_id, name, post, affiliation) = match person {
                PlanPerson::Member { unit, nth, post } => {
                    let Some((id, name)) = picked.get(&(*unit, *nth)) else {
                        continue;
                    };
                    (Some(id.0), name.clone(), *post, "")
                }
                PlanPerson::Outsider {
                    name,
                    post,
                    affiliation,
                } => (None, (*name).to_owned(), *post, *affiliation),
            };
            let p = OrganPersonRow {
                id: app.next_id().0,
                organ_id: row.id,
                member_id,
                name,
                post: post.into(),
                affiliation: affiliation.into(),
                sort_order: n as i64,
                created_at: now,
            };
            // The same member may be drawn twice for one group; once is enough.
            if member_id.is_none()
                || !organs::people(&mut tx, row.id)
                    .await?
                    .iter()
                    .any(|q| q.member_id == member_id)
            {
                organs::add_person(&mut tx, &p).await?;
            }
        }
        if o.kind.has_slice() && !o.slice.is_empty() {
            let slice: Vec<i64> = o.slice.iter().map(|&u| ids[u].0).collect();
            organs::assign_units(&mut tx, row.id, &slice).await?;
        }
        organ_ids.push(row.id);
        progress.advance(1);
    }
    let hash = hash_password(DEMO_PASSWORD.to_owned()).await?;
    let mut made = Vec::new();
    for a in &plan.accounts {
        let member = a.member.and_then(|m| picked.get(&m)).map(|(id, _)| id.0);
        accounts::insert(
            &mut tx,
            &NewAccount {
                id: app.next_id().0,
                username: a.username,
                display_name: a.display_name,
                password_hash: &hash,
                role: a.role.as_str(),
                scope_unit_id: ids[a.scope].0,
                member_id: member,
                can_unmask: a.can_unmask,
                now,
            },
        )
        .await?;
        made.push((
            a.username.to_owned(),
            a.role,
            plan.units[a.scope].name.clone(),
        ));
        progress.advance(1);
    }
    let summary = Summary {
        scale,
        units: plan.units.len() as u64,
        grassroots: plan.grassroots() as u64,
        members: plan.member_total(),
        accounts: made,
        elapsed_ms: 0,
    };
    meta::set(
        &mut tx,
        "demo",
        if scale == Scale::District {
            "district"
        } else {
            "province"
        },
    )
    .await?;
    let e = Entry::new("demo.build", "installation", None, &plan.units[0].name)
        .unit(ids[0])
        .after(&summary);
    record(&mut tx, app, &ctx, e, "ok").await?;
    tx.commit().await?;
    study::seed(app, ids[0], study_history, seed, progress).await?;
    let mut c = app.store().read().await?;
    dialect::bulk_load_mode(&mut c, backend, false).await?;
    dialect::analyze(&mut c).await?;
    Ok(summary)
}

/// Generates every unit's members on a blocking thread and writes them in
/// batches. Returns the members organs and accounts refer to, and each
/// unit's own member tally.
async fn write_members(
    app: &App,
    plan: &Plan,
    ids: &[Id],
    seed: u64,
    progress: &dyn Progress,
) -> AppResult<(Picked, Vec<Tally>)> {
    let total = plan.member_total();
    progress.stage("stage.members", total);
    let wanted: HashSet<(usize, u32)> = plan
        .organs
        .iter()
        .flat_map(|o| o.people.iter())
        .filter_map(|p| match p {
            PlanPerson::Member { unit, nth, .. } => Some((*unit, *nth)),
            PlanPerson::Outsider { .. } => None,
        })
        .chain(plan.accounts.iter().filter_map(|a| a.member))
        .collect();
    // Which region code each unit's members' ID numbers start with.
    let mut region = vec![String::new(); plan.units.len()];
    let own: HashMap<usize, &String> = plan.regions.iter().map(|(u, r)| (*u, r)).collect();
    for (i, u) in plan.units.iter().enumerate() {
        region[i] = match (own.get(&i), u.parent) {
            (Some(r), _) => (*r).clone(),
            (None, Some(p)) => region[p].clone(),
            (None, None) => "110101".to_owned(),
        };
    }
    // Per unit: id, members, leaders, section-level cadres, posts, setting.
    type UnitPlan = (Id, u32, u32, u32, Vec<&'static str>, people::Setting);
    let units: Vec<UnitPlan> = plan
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            (
                ids[i],
                u.members,
                u.leaders,
                u.sections,
                u.posts.clone(),
                u.setting,
            )
        })
        .collect();
    let (tx_batches, mut rx) = tokio::sync::mpsc::channel::<Vec<(usize, u32, NewMember, Tally)>>(4);
    let gen_app = app.clone();
    let generator = tokio::task::spawn_blocking(move || {
        let mut people = People::new(ChaCha8Rng::seed_from_u64(seed ^ 0x5eed), "430000");
        let mut batch = Vec::with_capacity(BATCH);
        for (i, (unit_id, n, leaders, sections, posts, setting)) in units.into_iter().enumerate() {
            if n == 0 {
                continue;
            }
            people.set_region(&region[i]);
            for k in 0..n {
                let cadre = if k < leaders {
                    CadreLevel::Leader
                } else if k < leaders + sections || (k == 0 && setting == people::Setting::Organ) {
                    CadreLevel::Section
                } else {
                    CadreLevel::Ordinary
                };
                let position = match posts.get(k as usize) {
                    Some(p) => *p,
                    None => position_for(setting, people.rng()),
                };
                let d = people.member(setting, position, cadre);
                let row = demo_member(&gen_app, unit_id, &d);
                batch.push((
                    i,
                    k,
                    row,
                    Tally::of_member(d.status, d.cadre_level, d.gender),
                ));
                if batch.len() == BATCH
                    && tx_batches
                        .blocking_send(std::mem::take(&mut batch))
                        .is_err()
                {
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx_batches.blocking_send(batch);
        }
    });
    let mut picked = Picked::new();
    let mut direct = vec![Tally::default(); plan.units.len()];
    let mut tx = app.store().write().await?;
    let mut in_tx = 0;
    while let Some(batch) = rx.recv().await {
        let n = batch.len() as u64;
        let mut rows = Vec::with_capacity(batch.len());
        for (i, k, row, tally) in batch {
            if wanted.contains(&(i, k)) {
                picked.insert((i, k), (Id(row.id), row.name.clone()));
            }
            direct[i] += tally;
            rows.push(row);
        }
        members::insert_many(&mut tx, rows).await?;
        progress.advance(n);
        in_tx += 1;
        if in_tx == BATCHES_PER_COMMIT {
            tx.commit().await?;
            tx = app.store().write().await?;
            in_tx = 0;
        }
    }
    tx.commit().await?;
    generator.await.map_err(|e| AppError::Internal(e.into()))?;
    // Organs refer to members by position; a unit smaller than the plan
    // assumed stands in with its first member.
    for &(u, nth) in &wanted {
        if !picked.contains_key(&(u, nth))
            && let Some(first) = picked
                .iter()
                .find(|((pu, _), _)| *pu == u)
                .map(|(_, v)| v.clone())
        {
            picked.insert((u, nth), first);
        }
    }
    Ok((picked, direct))
}

/// The row for a generated member. Generated names are simplified Chinese
/// without spaces, so they are their own folded form.
fn demo_member(app: &App, unit: Id, d: &xueshi_domain::member::MemberDraft) -> NewMember {
    let v = app.vault();
    NewMember {
        id: app.next_id().0,
        unit_id: unit.0,
        name: d.name.clone(),
        name_folded: d.name.clone(),
        gender: d.gender.as_str(),
        birth_date: d.birth_date.map(iso),
        join_date: d.join_date.map(iso),
        status: d.status.as_str(),
        cadre_level: d.cadre_level.as_str(),
        position: d.position.clone(),
        phone_masked: d.phone.as_ref().map(|p| p.masked()),
        phone_sealed: d.phone.as_ref().map(|p| v.seal(p.as_str())),
        id_number_masked: d.id_number.as_ref().map(|n| n.masked()),
        id_number_sealed: d.id_number.as_ref().map(|n| v.seal(n.as_str())),
        id_number_digest: d.id_number.as_ref().map(|n| v.digest(n.as_str())),
        now: app.now(),
    }
}

/// Whether the database holds a demo, and which.
pub async fn installed(app: &App) -> AppResult<Option<String>> {
    let mut c = app.store().read().await?;
    Ok(meta::get(&mut c, "demo").await?)
}
