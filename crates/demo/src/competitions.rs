//! The demo's live competitions (seed 004: 知识竞赛 with 现场竞答): the
//! district's final, eight town teams, played three days ago — each
//! team's phone joined by its code, required questions in turn, buzz-in
//! questions with several teams pressing (each phone's clock measured),
//! risk questions with their stakes, one judgement undone — and the next
//! round set up for today, ready to host. All through the use-cases the
//! host's console and the phones call, the clock wound back and forward.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xueshi_app::live::room::{self, HostAction};
use xueshi_app::live::{self, CompetitionInput, RoundInput, TeamInput};
use xueshi_app::{App, AppResult, Ctx};
use xueshi_domain::Id;
use xueshi_domain::date::iso;
use xueshi_domain::live::{ClockSync, RoundKind, STAKES, UNLOCK_LEAD_MS};
use xueshi_store::competitions as store;

use crate::tasks::{Rewound, office, root_and_towns};

/// How far back the final was played.
const BACK: i64 = 3;

pub async fn seed(app: &App, root: Id, seed: u64) -> AppResult<()> {
    let (root_row, towns) = root_and_towns(app, root).await?;
    if towns.len() < 2 {
        return Ok(());
    }
    let office = office(app, &root_row).await?;
    let teams: Vec<TeamInput> = towns
        .iter()
        .take(8)
        .map(|t| TeamInput {
            name: String::new(),
            unit: Some(t.id()),
        })
        .collect();
    let input = |title: &str, held_on: String| CompetitionInput {
        title: title.into(),
        held_on,
        seats_per_team: 3,
        answer_seconds: 20,
        teams: teams.clone(),
        teams_from_units: false,
        rounds: vec![
            RoundInput {
                kind: "required".into(),
                count: teams.len() as i64,
                points: 10,
                tag: String::new(),
            },
            RoundInput {
                kind: "buzz".into(),
                count: 6,
                points: 10,
                tag: String::new(),
            },
            RoundInput {
                kind: "risk".into(),
                count: 4,
                points: 20,
                tag: String::new(),
            },
        ],
        day_questions: Vec::new(),
    };
    let rewound = Rewound::back(app, BACK);
    let played = async {
        let day = iso(app.clock().today());
        let id = live::create(
            app,
            &office,
            root,
            &input("“学党史、颂党恩”知识竞赛决赛", day),
        )
        .await?;
        play(app, &office, id, seed).await
    }
    .await;
    rewound.forward(app);
    played?;
    let today = iso(app.clock().today());
    live::create(
        app,
        &office,
        root,
        &input("“学党史、颂党恩”知识竞赛复赛", today),
    )
    .await?;
    Ok(())
}

/// Plays a competition through, as its host and its teams' phones would.
async fn play(app: &App, host: &Ctx, id: Id, seed: u64) -> AppResult<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4C49_5645);
    let (teams, questions) = {
        let mut conn = app.store().read().await?;
        (
            store::teams(&mut conn, id.0).await?,
            store::questions(&mut conn, id.0).await?,
        )
    };
    // Each team's phone joins by its code; its clock runs its own way.
    let mut phones = Vec::new();
    for t in &teams {
        room::join(app, &t.join_code, None).await?;
        phones.push(ClockSync {
            offset: rng.random_range(-4_000..4_000),
            rtt: rng.random_range(8..90),
        });
    }
    let room = app.live().room(app, id).await?;
    // The seconds the clock is moved on here are taken back at the end.
    let mut moved = 0;
    let mut undone = false;
    for q in &questions {
        room.act(app, host, &HostAction::Next).await?;
        let kind = RoundKind::parse(&q.round_kind).unwrap_or(RoundKind::Buzz);
        if kind == RoundKind::Buzz {
            room.act(app, host, &HostAction::Unlock).await?;
            let unlock_at = app.now() + UNLOCK_LEAD_MS;
            // Three to five teams press, each after its own reaction.
            let mut pressing: Vec<(i64, usize)> = Vec::new();
            for i in 0..teams.len() {
                if rng.random_bool(0.55) {
                    pressing.push((rng.random_range(350..2_500), i));
                }
            }
            pressing.sort_unstable();
            let mut at = app.now();
            for (reaction, i) in pressing {
                let pressed = unlock_at + reaction;
                let sync = phones[i];
                let arrives = pressed + sync.rtt / 2;
                app.clock().advance_ms(arrives - at);
                moved += arrives - at;
                at = arrives;
                room.buzz(
                    app,
                    teams[i].id,
                    Some(sync),
                    q.position,
                    pressed - sync.offset,
                    reaction,
                )
                .await?;
            }
        }
        // The host judges who answers until one is right or none is left.
        for _ in 0..teams.len() {
            let snap: serde_json::Value =
                serde_json::from_str(&room.snapshot(app.now(), true).await)
                    .map_err(|e| xueshi_app::AppError::Internal(e.into()))?;
            let Some(team) = snap["answering"]
                .as_str()
                .and_then(|t| t.parse::<i64>().ok())
            else {
                break;
            };
            let correct = rng.random_bool(0.7);
            let stake =
                (kind == RoundKind::Risk).then(|| STAKES[rng.random_range(0..STAKES.len())]);
            room.act(
                app,
                host,
                &HostAction::Judge {
                    team: Id(team),
                    correct,
                    stake,
                },
            )
            .await?;
            // Once, a call the host took back and made again.
            if !undone && !correct && kind == RoundKind::Buzz {
                undone = true;
                room.act(app, host, &HostAction::Undo).await?;
                room.act(
                    app,
                    host,
                    &HostAction::Judge {
                        team: Id(team),
                        correct: true,
                        stake: None,
                    },
                )
                .await?;
            }
            if correct || kind != RoundKind::Buzz {
                break;
            }
        }
        room.act(app, host, &HostAction::Reveal).await?;
    }
    room.act(app, host, &HostAction::Finish).await?;
    app.clock().advance_ms(-moved);
    Ok(())
}
