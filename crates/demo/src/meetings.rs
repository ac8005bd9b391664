//! The demo's 专题组织生活会: every branch of the district records its
//! meeting in the last five weeks, with the problems found and their
//! rectification, except a few named laggards; the towns' leadership teams
//! record their 专题民主生活会. All through `meetings::record`, as a
//! secretary's page does.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xueshi_app::meetings::{self, ItemInput, MeetingInput};
use xueshi_app::{App, AppResult};
use xueshi_domain::Id;
use xueshi_domain::date::iso;
use xueshi_store::{tallies, units};

use crate::tasks::secretary;

/// Branches that have not held theirs: the laggards the office chases.
pub const LAGGARDS: usize = 6;

const PROBLEMS: [(&str, &str); 4] = [
    (
        "学习党史不够系统，存在碎片化现象",
        "制定支部学习计划，每月集中学习不少于一次",
    ),
    (
        "联系服务群众不够经常",
        "每名党员联系一至两户群众，每季度走访一次",
    ),
    (
        "组织生活质量不高，批评和自我批评辣味不足",
        "严格落实“三会一课”，会前开展谈心谈话",
    ),
    (
        "为群众办实事的主动性不强",
        "对照群众反映的问题建立清单，逐项办结销号",
    ),
];

pub async fn seed(app: &App, root: Id, seed: u64) -> AppResult<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4D45);
    let today = app.clock().today();
    let (branches, towns) = {
        let mut conn = app.store().read().await?;
        let root_row = units::get(&mut conn, root.0)
            .await?
            .ok_or(xueshi_app::AppError::NotFound)?;
        let branches = xueshi_store::tasks::targets(
            &mut conn,
            &root_row.path(),
            &["branch", "general_branch", "temporary_branch"],
        )
        .await?;
        let towns = units::children(&mut conn, root.0).await?;
        (branches, towns)
    };
    // The laggards are spread over the tree, not one town's.
    let every = (branches.len() / LAGGARDS.max(1)).max(1);
    for (i, b) in branches.iter().enumerate() {
        if i % every == every / 2 && i / every < LAGGARDS {
            continue;
        }
        let (row, members) = {
            let mut conn = app.store().read().await?;
            let row = units::get(&mut conn, b.id)
                .await?
                .ok_or(xueshi_app::AppError::NotFound)?;
            (row, tallies::get(&mut conn, b.id).await?.members_total)
        };
        let n = rng.random_range(0..3);
        let items = (0..n)
            .map(|k| {
                let (p, m) = PROBLEMS[(i + k) % PROBLEMS.len()];
                ItemInput {
                    problem: p.into(),
                    measure: m.into(),
                    due_on: iso(today + time::Duration::days(rng.random_range(10..60))),
                }
            })
            .collect();
        let input = MeetingInput {
            kind: "organization_life".into(),
            held_on: iso(today - time::Duration::days(rng.random_range(1..35))),
            attendance: (members as f64 * rng.random_range(0.8..1.0)).round() as i64,
            topics: "学党史、悟思想、办实事、开新局，对照党章党规查摆问题，开展批评和自我批评。"
                .into(),
            items,
        };
        meetings::record(app, &secretary(&row), Id(b.id), &input).await?;
    }
    for t in towns
        .iter()
        .filter(|t| t.kind().as_str() == "working_committee")
    {
        let input = MeetingInput {
            kind: "democratic_life".into(),
            held_on: iso(today - time::Duration::days(rng.random_range(1..20))),
            // The leadership team: its nine members.
            attendance: 9,
            topics: "领导班子专题民主生活会：学习党史、检视问题、整改落实。".into(),
            items: vec![ItemInput {
                problem: PROBLEMS[3].0.into(),
                measure: PROBLEMS[3].1.into(),
                due_on: String::new(),
            }],
        };
        meetings::record(app, &secretary(t), Id(t.id), &input).await?;
    }
    Ok(())
}
