//! The demo's implementation plan and rhythm. The office drafts the
//! district's plan, sends it to the towns for comment twice, answers every
//! comment and publishes the second draft (seed 000's 近20稿、6次征求意见 in
//! small), and starts a plan for young people in draft (seed 003). It sets
//! the rhythm of seeds 001 and 002 and keeps it over the last six weeks —
//! the clock wound back and the days replayed: each week's dispatch meeting
//! recorded with its decisions (one missed, left overdue), each weekly
//! briefing generated and published, the monthly papers made — all through
//! the use-cases the pages call.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xueshi_app::briefings;
use xueshi_app::plans::{self, AnswerInput, CommentInput, ConsultInput, PlanInput};
use xueshi_app::rhythm::{
    self, DecisionInput, DispatchInput, OccurrenceState, RhythmKind, ScheduleInput,
};
use xueshi_app::{App, AppError, AppResult, Ctx};
use xueshi_domain::Id;
use xueshi_domain::briefing::BriefingStatus;
use xueshi_domain::date::iso;
use xueshi_store::units::UnitRow;

use crate::tasks::{DAY, Rewound, office, root_and_towns, secretary};

/// How far back the replay starts.
const BACK: i64 = 42;

const PLAN: &str = "一、总体要求\n以习近平新时代中国特色社会主义思想为指导，在全区党员中开展党史学习教育，\
做到学史明理、学史增信、学史崇德、学史力行。\n\n二、主要任务\n（一）开展专题学习。（二）组织专题培训。\
（三）讲好专题党课。（四）开展专题宣讲。（五）加强专题研究宣传阐释。（六）召开专题民主生活会和组织生活会。\
\n\n三、方法步骤\n分学习教育、专题培训、总结提升三个阶段推进。\n\n四、组织领导\n成立区委党史学习教育领导小组，\
下设办公室和综合组、宣传组、指导组。";

const COMMENTS: [(&str, &str, &str); 6] = [
    (
        "建议把“我为群众办实事”实践活动单列为一项主要任务，明确办结时限。",
        "adopted",
        "已在主要任务中增加一项，并明确办结时限。",
    ),
    (
        "街道流动党员较多，建议明确线上学习的组织方式。",
        "partly",
        "增加线上学习要求，具体组织方式由各街道结合实际确定。",
    ),
    (
        "建议将专题党课时间由一个月延长至两个月。",
        "not",
        "全区统一安排，时间节点不宜推迟；确有困难的可报备延期。",
    ),
    (
        "建议明确村（社区）党组织书记讲党课的次数要求。",
        "adopted",
        "明确每季度至少讲一次。",
    ),
    (
        "建议增加对离退休党员送学上门的安排。",
        "adopted",
        "在方法步骤中增加送学上门。",
    ),
    (
        "调度会频次建议改为每两周一次。",
        "not",
        "按市委要求坚持一周一调度。",
    ),
];

const DECISIONS: [&str; 4] = [
    "各街道本周内完成未参加每日答题党员的提醒，下周调度会通报",
    "专题组织生活会未召开的支部月底前全部召开",
    "重点民生实事逾期未报进度的，牵头单位说明情况",
    "青年党员讲党史微视频本月底前报送区委办公室",
];

pub async fn seed(app: &App, root: Id, seed: u64) -> AppResult<()> {
    let rewound = Rewound::back(app, BACK);
    let result = replay(app, root, seed).await;
    rewound.forward(app);
    result
}

async fn replay(app: &App, root: Id, seed: u64) -> AppResult<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5259);
    let (root_row, towns) = root_and_towns(app, root).await?;
    let office = office(app, &root_row).await?;
    let campaign = xueshi_app::campaigns::of_unit(app, &office, root)
        .await?
        .governing
        .ok_or(AppError::NotFound)?
        .id;
    plan(app, &office, campaign, &towns).await?;
    let schedules: Vec<ScheduleInput> = RhythmKind::ALL
        .into_iter()
        .map(|k| ScheduleInput {
            kind: k.as_str().to_owned(),
            day: k.usual_day(),
        })
        .collect();
    rhythm::configure(app, &office, campaign, &schedules).await?;
    // One week's dispatch meeting is missed and stays overdue.
    let missed = rng.random_range(2..5);
    let mut weeks = 0;
    let mut decision = 0;
    for _ in 0..BACK {
        let today = app.clock().today();
        let due: Vec<_> = rhythm::of_campaign(app, &office, campaign)
            .await?
            .occurrences
            .into_iter()
            .filter(|o| o.due_on == iso(today) && o.state != OccurrenceState::Done)
            .collect();
        for o in due {
            match o.kind {
                RhythmKind::WeeklyDispatch | RhythmKind::MonthlyDispatch => {
                    weeks += 1;
                    if weeks == missed {
                        continue;
                    }
                    let decisions = (0..2)
                        .map(|i| {
                            decision += 1;
                            DecisionInput {
                                body: DECISIONS[(decision + i) % DECISIONS.len()].into(),
                                owner: Some(towns[(decision + i) % towns.len()].id()),
                                due_on: iso(today + time::Duration::days(7)),
                            }
                        })
                        .collect();
                    rhythm::record_dispatch(
                        app,
                        &office,
                        o.id,
                        &DispatchInput {
                            held_on: iso(today),
                            chair: "区委常委、组织部部长".into(),
                            attendees:
                                "区委党史学习教育领导小组办公室成员，各街道党工委分管负责同志"
                                    .into(),
                            decisions,
                        },
                    )
                    .await?;
                }
                RhythmKind::YearEnd => {}
                _ => {
                    let b = rhythm::issue(app, &office, o.id).await?;
                    // The office publishes its weekly briefings and notices;
                    // the last summary is still a draft.
                    if matches!(
                        o.kind,
                        RhythmKind::WeeklyBriefing | RhythmKind::MonthlyNotice
                    ) {
                        for to in [BriefingStatus::Approved, BriefingStatus::Published] {
                            briefings::set_status(app, &office, b, to.as_str()).await?;
                        }
                    }
                }
            }
        }
        app.clock().advance_ms(DAY);
    }
    // The latest meeting's first decision goes down as a task, in draft
    // for the office to check and publish.
    let r = rhythm::of_campaign(app, &office, campaign).await?;
    if let Some(d) = r.dispatches.first() {
        let view = rhythm::dispatch(app, &office, d.id).await?;
        if let Some(x) = view.decisions.first() {
            rhythm::decision_to_task(app, &office, x.id).await?;
        }
    }
    Ok(())
}

/// The district's plan through two rounds of comment to publication, and a
/// plan for young people in draft.
async fn plan(app: &App, office: &Ctx, campaign: Id, towns: &[UnitRow]) -> AppResult<()> {
    let id = plans::create(
        app,
        office,
        campaign,
        &PlanInput {
            title: "关于在全区开展党史学习教育的实施方案".into(),
            audience: "全体党员".into(),
            body: PLAN.into(),
        },
    )
    .await?;
    let mut comments = COMMENTS.iter();
    for round in 0..2 {
        let p = plans::get(app, office, id).await?;
        let version = p.versions.last().ok_or(AppError::NotFound)?.id;
        let asked: Vec<&UnitRow> = towns.iter().skip(round).step_by(2).take(3).collect();
        plans::consult(
            app,
            office,
            version,
            &ConsultInput {
                units: asked.iter().map(|u| u.id()).collect(),
                until: iso(app.clock().today() + time::Duration::days(5)),
            },
        )
        .await?;
        for town in asked {
            let Some((body, answer, reason)) = comments.next() else {
                break;
            };
            let c = plans::comment(
                app,
                &secretary(town),
                version,
                &CommentInput {
                    unit: Some(town.id()),
                    body: (*body).into(),
                },
            )
            .await?;
            plans::answer(
                app,
                office,
                c,
                &AnswerInput {
                    answer: (*answer).into(),
                    reason: (*reason).into(),
                },
            )
            .await?;
        }
        let next = plans::next_version(app, office, id).await?;
        plans::edit(
            app,
            office,
            next,
            &format!(
                "{PLAN}\n\n五、我为群众办实事\n各级党组织建立实事清单，逐项明确责任单位和办结时限。"
            ),
        )
        .await?;
    }
    let p = plans::get(app, office, id).await?;
    plans::publish(app, office, p.versions.last().ok_or(AppError::NotFound)?.id).await?;
    plans::create(
        app,
        office,
        campaign,
        &PlanInput {
            title: "关于在全区青少年中开展党史学习教育的工作方案".into(),
            audience: "青少年".into(),
            body:
                "一、目标任务\n引导青少年学党史、强信念、跟党走。\n\n二、主要活动\n红色故事进校园、\
                   “请党放心、强国有我”主题团日、红色研学。"
                    .into(),
        },
    )
    .await?;
    Ok(())
}
