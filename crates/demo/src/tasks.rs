//! The demo's task list (任务清单): thirty tasks of both kinds — the
//! office's 规定动作 to the towns and party groups and to 松杨湖's branches,
//! and towns' own 自选动作 for their branches — set, published and worked
//! through the same use-cases the pages call, over the last six weeks: the
//! clock is wound back, the days replayed (reports on time, late, sent
//! back and done again, deadlines extended, a few laggards never
//! reporting), and wound forward to today.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xueshi_app::tasks::{self, ReportInput, TaskInput};
use xueshi_app::{App, AppError, AppResult, Ctx};
use xueshi_domain::Id;
use xueshi_domain::access::{Actor, Role};
use xueshi_domain::date::iso;
use xueshi_domain::task::Evidence;
use xueshi_store::units::{self, UnitRow};

pub(crate) const DAY: i64 = 86_400_000;
/// How far back the replay starts.
const BACK: i64 = 45;

/// Where a task goes: the root's towns and party groups, one town's
/// branches, or a town's own branches (its 自选动作).
#[derive(Clone, Copy)]
enum Aim {
    Towns,
    Branches(usize),
    Own(usize),
}

/// (title, kind, evidence, aim, deadline in days from today)
const TASKS: [(&str, &str, Evidence, Aim, i64); 30] = [
    (
        "党委（党组）理论学习中心组专题学习《中国共产党简史》",
        "study",
        Evidence::Photo,
        Aim::Towns,
        -35,
    ),
    (
        "基层党组织书记党史专题培训",
        "training",
        Evidence::Attendance,
        Aim::Towns,
        -28,
    ),
    (
        "“七一”前后书记讲专题党课",
        "party_lecture",
        Evidence::Photo,
        Aim::Towns,
        -20,
    ),
    (
        "组织宣讲团进村（社区）宣讲",
        "preaching",
        Evidence::Attendance,
        Aim::Towns,
        -14,
    ),
    (
        "形成一篇党史专题研究文章",
        "research",
        Evidence::File,
        Aim::Towns,
        -7,
    ),
    (
        "观看《觉醒年代》专题学习",
        "study",
        Evidence::Photo,
        Aim::Towns,
        -3,
    ),
    (
        "第二阶段集中学习研讨",
        "study",
        Evidence::Text,
        Aim::Towns,
        3,
    ),
    (
        "“百名宣讲员进百村”宣讲",
        "preaching",
        Evidence::Attendance,
        Aim::Towns,
        10,
    ),
    (
        "党务干部业务培训",
        "training",
        Evidence::Attendance,
        Aim::Towns,
        18,
    ),
    (
        "“我为群众办实事”专题党课",
        "party_lecture",
        Evidence::Photo,
        Aim::Towns,
        30,
    ),
    (
        "编印党史学习教育成果汇编",
        "research",
        Evidence::File,
        Aim::Towns,
        45,
    ),
    (
        "召开专题民主生活会",
        "life_meeting",
        Evidence::Text,
        Aim::Towns,
        60,
    ),
    (
        "支部集中学习《论中国共产党历史》",
        "study",
        Evidence::Photo,
        Aim::Branches(2),
        -10,
    ),
    (
        "支部专题组织生活会会前谈心谈话",
        "life_meeting",
        Evidence::Text,
        Aim::Branches(2),
        4,
    ),
    (
        "支部书记讲党课",
        "party_lecture",
        Evidence::Photo,
        Aim::Branches(2),
        20,
    ),
    (
        "红色故事分享会",
        "elective",
        Evidence::Photo,
        Aim::Own(2),
        -12,
    ),
    ("重温入党誓词", "elective", Evidence::Photo, Aim::Own(2), 2),
    (
        "走访慰问困难党员",
        "elective",
        Evidence::Text,
        Aim::Own(2),
        15,
    ),
    (
        "参观红色教育基地",
        "elective",
        Evidence::Photo,
        Aim::Own(0),
        -25,
    ),
    (
        "党史知识竞赛",
        "elective",
        Evidence::Attendance,
        Aim::Own(0),
        8,
    ),
    ("红色歌曲传唱", "elective", Evidence::Text, Aim::Own(0), 22),
    (
        "老党员讲党史",
        "elective",
        Evidence::Attendance,
        Aim::Own(1),
        -18,
    ),
    ("党史读书班", "elective", Evidence::Text, Aim::Own(1), 5),
    ("红色电影展播", "elective", Evidence::Photo, Aim::Own(1), 12),
    (
        "“党史上的今天”每日分享",
        "elective",
        Evidence::Text,
        Aim::Own(3),
        -6,
    ),
    (
        "党员志愿服务日",
        "elective",
        Evidence::Photo,
        Aim::Own(3),
        6,
    ),
    (
        "入户宣讲惠民政策",
        "elective",
        Evidence::Attendance,
        Aim::Own(3),
        26,
    ),
    ("红色家书诵读", "elective", Evidence::Text, Aim::Own(4), -15),
    (
        "党史主题板报评比",
        "elective",
        Evidence::Photo,
        Aim::Own(4),
        1,
    ),
    (
        "青年党员讲党史微视频",
        "elective",
        Evidence::File,
        Aim::Own(4),
        35,
    ),
];

/// Someone acting for a unit: its secretary (any unit admin scoped there).
pub(crate) fn secretary(u: &UnitRow) -> Ctx {
    Ctx::new(
        Actor {
            account_id: Id(0),
            username: format!("unit-{}", u.id),
            display_name: format!("{}书记", u.name),
            role: Role::UnitAdmin,
            scope_unit: Id(u.id),
            scope: u.path(),
            can_unmask: false,
            member_id: None,
        },
        "local",
    )
}

/// The office as the office's own account acts.
pub(crate) async fn office(app: &App, root: &UnitRow) -> AppResult<Ctx> {
    let a = xueshi_app::accounts::by_username(app, "office")
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Ctx::new(
        Actor {
            account_id: a.id,
            username: a.username,
            display_name: a.display_name,
            role: a.role,
            scope_unit: Id(root.id),
            scope: root.path(),
            can_unmask: a.can_unmask,
            member_id: a.member_id,
        },
        "local",
    ))
}

/// How a unit works its tasks: most on time, some late, a few never.
fn habit(unit: i64, seed: u64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (unit as u64).wrapping_mul(0x9E37_79B9));
    rng.random::<f64>()
}

fn evidence(e: Evidence, photo: &[u8]) -> ReportInput {
    let mut r = ReportInput {
        note: "已按要求完成。".into(),
        ..ReportInput::default()
    };
    match e {
        Evidence::Text => r.note = "已组织全体党员按要求完成，形成会议记录和学习笔记。".into(),
        Evidence::Photo => r.photo = Some(photo.to_vec()),
        Evidence::File => {
            r.file = Some((
                "材料.pdf".into(),
                b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec(),
            ))
        }
        Evidence::Attendance => r.attendance = Some(18),
        Evidence::Link => r.link = "/units/".into(),
    }
    r
}

/// Sets, publishes and works the thirty tasks; leaves the clock as it was.
pub async fn seed(app: &App, root: Id, seed: u64, photo: &[u8]) -> AppResult<()> {
    let rewound = Rewound::back(app, BACK);
    let result = replay(app, root, seed, photo).await;
    rewound.forward(app);
    result
}

/// The clock wound back some whole days, to replay them.
pub(crate) struct Rewound {
    at: i64,
    started: std::time::Instant,
}

impl Rewound {
    pub(crate) fn back(app: &App, days: i64) -> Rewound {
        let r = Rewound {
            at: app.now(),
            started: std::time::Instant::now(),
        };
        app.clock().advance_ms(-days * DAY);
        r
    }

    /// Back to today whatever happened, so nothing later runs in the past:
    /// the clock was only ever moved by whole days.
    pub(crate) fn forward(self, app: &App) {
        let drift = app.now() - self.at - self.started.elapsed().as_millis() as i64;
        let days = (drift as f64 / DAY as f64).round() as i64;
        app.clock().advance_ms(-days * DAY);
    }
}

async fn replay(app: &App, root: Id, seed: u64, photo: &[u8]) -> AppResult<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7A5C);
    let (root_row, towns) = root_and_towns(app, root).await?;
    let office = office(app, &root_row).await?;
    // Real today is BACK days ahead of the wound-back clock.
    let start = app.clock().today();
    let today = start + time::Duration::days(BACK);
    // The office's tasks are each a working group's (领导小组各组).
    let groups = tasks::form_choices(app, &office, root).await?.0;
    let mut ids = Vec::new();
    for (n, (title, kind, ev, aim, due)) in TASKS.into_iter().enumerate() {
        let deadline = iso(today + time::Duration::days(due));
        let (ctx, unit, kinds) = match aim {
            Aim::Towns => (
                office.clone(),
                root_row.clone(),
                vec![
                    "working_committee".to_owned(),
                    "leading_party_group".to_owned(),
                ],
            ),
            Aim::Branches(t) => (office.clone(), towns[t].clone(), vec!["branch".to_owned()]),
            Aim::Own(t) => (
                secretary(&towns[t]),
                towns[t].clone(),
                vec!["branch".to_owned()],
            ),
        };
        let input = TaskInput {
            kind: kind.into(),
            title: title.into(),
            body: format!("按照区委党史学习教育领导小组安排，{title}，按期报送完成情况。"),
            deadline: deadline.clone(),
            target_unit: Some(Id(unit.id)),
            target_kinds: kinds,
            evidence: ev.as_str().into(),
            lead_unit: Some(Id(unit.id)),
            co_units: Vec::new(),
            organ: match aim {
                Aim::Own(_) => None,
                _ if groups.is_empty() => None,
                _ => Some(groups[n % groups.len()].0),
            },
        };
        // A task goes out two to four weeks before its deadline (the
        // earliest on the first day replayed, the latest today).
        let lead = rng.random_range(14..30);
        let out = (due - lead).clamp(-BACK, 0);
        ids.push((ctx, input, out, ev));
    }
    let mut published: Vec<(Id, Evidence)> = Vec::new();
    for day in -BACK..=0 {
        for (ctx, input, out, ev) in &ids {
            if *out == day {
                let id = tasks::create(app, ctx, Id(input.target_unit.map_or(0, |u| u.0)), input)
                    .await?;
                tasks::publish(app, ctx, id).await?;
                published.push((id, *ev));
            }
        }
        for (id, ev) in &published {
            let d = tasks::detail(app, &office, *id).await?;
            for a in &d.not_done {
                let h = habit(a.unit.0, seed);
                let due = a.due_on.as_str();
                // Laggards (about one in twelve) never report.
                if h < 0.08 {
                    continue;
                }
                let days_left = xueshi_domain::date::from_iso(due)
                    .map_or(0, |d| (d - app.clock().today()).whole_days());
                let sent_back = a.status == "returned";
                let ready = if sent_back {
                    rng.random_bool(0.4)
                } else if h < 0.25 {
                    // Habitually late: a few days past the deadline.
                    days_left <= -rng.random_range(1..5)
                } else {
                    days_left <= (h * 8.0) as i64 && rng.random_bool(0.5)
                };
                if !ready {
                    // Now and then a unit near its deadline is given more time.
                    if a.extensions == 0 && days_left == 1 && h < 0.3 && rng.random_bool(0.5) {
                        let to = iso(app.clock().today() + time::Duration::days(7));
                        tasks::extend(app, &office, a.id, &to, "村（社区）两委换届，申请延期一周")
                            .await?;
                    }
                    continue;
                }
                let unit = unit_ctx(app, a.unit).await?;
                tasks::report(app, &unit, a.id, evidence(*ev, photo)).await?;
                // The office checks photos and sends one in fifteen back.
                if *ev == Evidence::Photo && !sent_back && rng.random_bool(0.07) {
                    tasks::send_back(app, &office, a.id, "照片看不清活动现场，请补充清晰照片")
                        .await?;
                }
            }
        }
        app.clock().advance_ms(DAY);
    }
    // The office's comments (批示) and a followed task.
    if let Some((first, _)) = published.first() {
        tasks::comment(
            app,
            &office,
            *first,
            "各单位要把专题学习同解决实际问题结合起来，未完成的抓紧补课。",
        )
        .await?;
        tasks::follow(app, &office, *first, true).await?;
    }
    Ok(())
}

/// The district and its towns (街道党工委).
pub(crate) async fn root_and_towns(app: &App, root: Id) -> AppResult<(UnitRow, Vec<UnitRow>)> {
    let mut conn = app.store().read().await?;
    let r = units::get(&mut conn, root.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let towns: Vec<UnitRow> = units::children(&mut conn, root.0)
        .await?
        .into_iter()
        .filter(|u| u.kind().as_str() == "working_committee")
        .collect();
    Ok((r, towns))
}

async fn unit_ctx(app: &App, unit: Id) -> AppResult<Ctx> {
    let mut conn = app.store().read().await?;
    let u = units::get(&mut conn, unit.0)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(secretary(&u))
}
