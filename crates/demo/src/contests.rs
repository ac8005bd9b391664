//! The demo's 红色故事大赛 (seed 004's 讲好红色故事 in small): the office
//! announced it ten days ago with entries closing five days later and three
//! recommendations a level. Branches of three towns told their stories —
//! most as a document, a few as a video link — and since the entries closed
//! the communities have recommended theirs and two towns have chosen theirs
//! for the district; the third town and the district have not yet, so the
//! contest stands in its recommendation round. All through the use-cases
//! the units' pages call, the clock wound back and forward.

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xueshi_app::contests::{self, ContestInput, EntryInput, ForwardInput};
use xueshi_app::{App, AppResult};
use xueshi_domain::Id;
use xueshi_domain::date::iso;
use xueshi_store::members;
use xueshi_store::units::{self, UnitRow};

use crate::tasks::{Rewound, office, root_and_towns, secretary};

/// How far back the contest was announced.
const BACK: i64 = 10;
/// Days it took entries.
const OPEN_DAYS: i64 = 5;
/// Branches of each town that entered.
const PER_TOWN: usize = 3;

const STORIES: [&str; 12] = [
    "半条被子的温暖",
    "八角楼的灯光",
    "一双红军鞋",
    "狱中的红岩家书",
    "刘胡兰：生的伟大，死的光荣",
    "焦裕禄的藤椅",
    "狼牙山上的五壮士",
    "渡江第一船",
    "洞庭湖畔的交通站",
    "一盏马灯照初心",
    "老支书的入党志愿书",
    "长江边的抗洪堤",
];

/// A small document standing for a story's script.
fn script(title: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {title}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

pub async fn seed(app: &App, root: Id, seed: u64) -> AppResult<()> {
    let rewound = Rewound::back(app, BACK);
    let result = replay(app, root, seed).await;
    rewound.forward(app);
    result?;
    recommend(app, root, seed).await
}

/// The units whose entries these are: branches of the first towns.
async fn entrants(app: &App, town: &UnitRow, rng: &mut ChaCha8Rng) -> AppResult<Vec<UnitRow>> {
    let mut conn = app.store().read().await?;
    let mut branches: Vec<UnitRow> = units::subtree(&mut conn, &town.path())
        .await?
        .into_iter()
        .filter(|u| u.kind().as_str() == "branch")
        .collect();
    branches.shuffle(rng);
    branches.truncate(PER_TOWN);
    branches.sort_by(|a, b| a.path.as_str().cmp(b.path.as_str()));
    Ok(branches)
}

async fn replay(app: &App, root: Id, seed: u64) -> AppResult<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC0_7E57);
    let (root_row, towns) = root_and_towns(app, root).await?;
    let office = office(app, &root_row).await?;
    let close = iso(app.clock().today() + time::Duration::days(OPEN_DAYS));
    let contest = contests::create(
        app,
        &office,
        root,
        &ContestInput {
            title: "“学党史·讲好红色故事”红色故事大赛".into(),
            kind: "story".into(),
            entries_close: close,
            quota: Some(3),
            max_score: Some(100),
        },
    )
    .await?;
    let mut stories = STORIES.iter();
    for town in towns.iter().take(3) {
        for branch in entrants(app, town, &mut rng).await? {
            let Some(title) = stories.next() else {
                return Ok(());
            };
            let presenter = {
                let mut conn = app.store().read().await?;
                members::in_unit(&mut conn, branch.id, 5, 0)
                    .await?
                    .choose(&mut rng)
                    .map_or_else(|| format!("{}党员", branch.name), |m| m.name.clone())
            };
            // One in four tells it on video, kept on a video site.
            let (link, file) = if rng.random_bool(0.25) {
                ("https://www.12371.cn/".to_owned(), None)
            } else {
                (String::new(), Some((format!("{title}.pdf"), script(title))))
            };
            contests::submit(
                app,
                &secretary(&branch),
                contest,
                EntryInput {
                    unit: Some(Id(branch.id)),
                    title: (*title).to_owned(),
                    presenter,
                    link,
                    file,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Since the entries closed: every unit between a branch and its town
/// recommends its branches' entries; the first two towns choose two each.
async fn recommend(app: &App, root: Id, seed: u64) -> AppResult<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x2EC0);
    let (root_row, towns) = root_and_towns(app, root).await?;
    let office = office(app, &root_row).await?;
    let Some(contest) = contests::of_unit(app, &office, root)
        .await?
        .contests
        .first()
        .map(|c| c.id)
    else {
        return Ok(());
    };
    for (n, town) in towns.iter().take(3).enumerate() {
        // From the bottom up, so each level sees what the one below sent.
        let mut conn = app.store().read().await?;
        let mut levels: Vec<UnitRow> = units::subtree(&mut conn, &town.path())
            .await?
            .into_iter()
            .filter(|u| u.id != town.id)
            .collect();
        drop(conn);
        levels.sort_by_key(|u| std::cmp::Reverse(u.path.depth()));
        for level in levels.iter().chain(std::iter::once(town)) {
            let ctx = secretary(level);
            let view = contests::get(app, &ctx, contest).await?;
            let Some(mine) = view.levels.first() else {
                continue;
            };
            let mut picks: Vec<Id> = mine.candidates.iter().map(|e| e.id).collect();
            if picks.is_empty() {
                continue;
            }
            if level.id == town.id {
                // The third town has not met yet.
                if n == 2 {
                    continue;
                }
                picks.shuffle(&mut rng);
                picks.truncate(2);
            }
            picks.truncate(mine.remaining as usize);
            contests::forward(
                app,
                &ctx,
                contest,
                &ForwardInput {
                    level: Some(Id(level.id)),
                    entries: picks,
                },
            )
            .await?;
        }
    }
    Ok(())
}
