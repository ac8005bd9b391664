//! The demo's closed-book exam (seed 004: a court tested 96 people, with
//! make-ups for those absent or failing): a district organ's exam set by
//! the office twelve days ago and open for two days; most of its members
//! sit it, some fail, some never come; when it closes the make-up list is
//! made by itself, and most on it sit and pass. All through the use-cases a
//! member's and the office's pages call, the clock wound back and forward.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xueshi_app::exams::{self, ExamInput};
use xueshi_app::{App, AppError, AppResult, Ctx};
use xueshi_domain::Id;
use xueshi_domain::access::{Actor, Role};
use xueshi_domain::exam::BlueprintRow;
use xueshi_store::{members, tallies, units};

use crate::tasks::{DAY, Rewound, office};

/// How far back the exam opened.
const BACK: i64 = 12;

pub async fn seed(app: &App, root: Id, seed: u64) -> AppResult<()> {
    let rewound = Rewound::back(app, BACK);
    let result = replay(app, root, seed).await;
    rewound.forward(app);
    result
}

/// A member acting for themself (as their own account would).
async fn sitter(app: &App, member: Id) -> AppResult<Ctx> {
    let mut conn = app.store().read().await?;
    let m = members::get(&mut conn, member.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = units::get(&mut conn, m.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Ctx::new(
        Actor {
            account_id: Id(0),
            username: format!("member-{}", m.id),
            display_name: m.name,
            role: Role::Member,
            scope_unit: u.id(),
            scope: u.path(),
            can_unmask: false,
            member_id: Some(member),
        },
        "local",
    ))
}

/// Sits a paper, answering each question right with the odds given.
async fn sit(app: &App, ctx: &Ctx, exam: Id, skill: f64, rng: &mut ChaCha8Rng) -> AppResult<()> {
    let s = exams::start(app, ctx, exam).await?;
    let ids: Vec<i64> = s.questions.iter().map(|q| q.id.0).collect();
    let rows = {
        let mut conn = app.store().read().await?;
        xueshi_store::quiz::questions_by_id(&mut conn, &ids).await?
    };
    let mut answers = std::collections::HashMap::new();
    for r in rows {
        let right = r.answer.split('|').next().unwrap_or_default().to_owned();
        let given = if rng.random_bool(skill) {
            right
        } else {
            "A".into()
        };
        answers.insert(r.id.to_string(), given);
    }
    exams::submit(app, ctx, s.id, &answers).await?;
    Ok(())
}

async fn replay(app: &App, root: Id, seed: u64) -> AppResult<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4558);
    // The district organ nearest the court's 96 people.
    let (root_row, organ) = {
        let mut conn = app.store().read().await?;
        let r = units::get(&mut conn, root.0)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut best: Option<(i64, Id)> = None;
        for u in units::children(&mut conn, root.0).await? {
            if !matches!(
                u.kind().as_str(),
                "organ_committee" | "leading_party_group" | "party_committee"
            ) {
                continue;
            }
            let n = tallies::get(&mut conn, u.id).await?.members_total;
            if n >= 20 && best.is_none_or(|(m, _)| (n - 96).abs() < (m - 96).abs()) {
                best = Some((n, u.id()));
            }
        }
        (r, best.map(|(_, id)| id))
    };
    let Some(organ) = organ else {
        return Ok(());
    };
    let office = office(app, &root_row).await?;
    let now = app.now();
    let at = |ms: i64| xueshi_app::clock::format_ms(ms)[..16].replace(' ', "T");
    let exam = exams::create(
        app,
        &office,
        organ,
        &ExamInput {
            title: "党史知识闭卷测试".into(),
            opens_at: at(now),
            closes_at: at(now + 2 * DAY),
            minutes: 30,
            pass_mark: 60,
            attempts: 1,
            blueprint: vec![
                BlueprintRow {
                    kind: "single".into(),
                    count: 4,
                    ..BlueprintRow::default()
                },
                BlueprintRow {
                    kind: "true_false".into(),
                    count: 3,
                    ..BlueprintRow::default()
                },
            ],
            fixed_paper: false,
            makeup_failed: true,
            makeup_days: 5,
            members: Vec::new(),
        },
    )
    .await?;
    let roster: Vec<Id> = exams::results(app, &office, exam)
        .await?
        .lines
        .iter()
        .map(|l| l.member)
        .collect();
    // The first day: most sit; a few never come.
    for m in &roster {
        if rng.random_bool(0.85) {
            let skill = rng.random_range(0.35..0.98);
            sit(app, &sitter(app, *m).await?, exam, skill, &mut rng).await?;
        }
    }
    // The window closes; the make-up list makes itself.
    app.clock().advance_ms(2 * DAY + 60_000);
    exams::make_ups_due(app).await?;
    app.clock().advance_ms(DAY - 60_000);
    let r = exams::results(app, &office, exam).await?;
    for l in r.lines.iter().filter(|l| l.makeup_reason.is_some()) {
        if rng.random_bool(0.8) {
            sit(app, &sitter(app, l.member).await?, exam, 0.85, &mut rng).await?;
        }
    }
    Ok(())
}
