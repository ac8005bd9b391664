//! The district's practical matters (我为群众办实事), as seed 001 counts
//! them: 28 provincial, city and district key matters and 146 general ones
//! in the seed's fields, led by the district's cadres by the rules (a few
//! leaders still owe a claim), at believable states along the loop — with
//! their weekly reports, outcomes, the public's problems and ratings, one
//! matter reopened by 不满意, and two typical-case rounds (one closed with
//! its counts, one open).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xueshi_domain::Id;
use xueshi_domain::date::iso;
use xueshi_domain::matter::{DEFAULT_FIELDS, MatterLevel, MatterStatus};
use xueshi_domain::problem::{ProblemDraft, tracking_code};
use xueshi_domain::text::fold;
use xueshi_domain::unit::UnitPath;
use xueshi_store::cases::{self, RoundRow};
use xueshi_store::matters::{self, ClaimRow, EventRow, MatterRow};
use xueshi_store::problems::{self, ProblemRow};
use xueshi_store::{matter_board, units};

use xueshi_app::jobs::Progress;
use xueshi_app::{App, AppError, AppResult};

pub const KEY_MATTERS: usize = 28;
pub const GENERAL_MATTERS: usize = 146;
/// Proposed beside the catalogue and dropped as duplicates.
pub const DROPPED_MATTERS: usize = 3;

const DAY: i64 = 86_400_000;

/// Seed 001's outcomes: "为群众帮办各类事务600多件，解决“急难愁”事项1400多个，
/// 化解矛盾纠纷320件" — the finished matters' outcomes add up to these.
pub const AFFAIRS: i64 = 612;
pub const PROBLEMS_SOLVED: i64 = 1_437;
pub const DISPUTES: i64 = 320;

/// Scales one outcome of the finished matters so they add up to `target`,
/// each keeping its share (the remainder goes one by one to the largest).
fn fit_total(rows: &mut [MatterRow], field: fn(&mut MatterRow) -> &mut i64, target: i64) {
    let mut done: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].status != MatterStatus::Dropped && *field(&mut rows[i]) > 0)
        .collect();
    let sum: i64 = done.iter().map(|&i| *field(&mut rows[i])).sum();
    if sum == 0 {
        return;
    }
    for &i in &done {
        let v = field(&mut rows[i]);
        *v = *v * target / sum;
    }
    done.sort_by_key(|&i| std::cmp::Reverse(*field(&mut rows[i])));
    let mut left = target - done.iter().map(|&i| *field(&mut rows[i])).sum::<i64>();
    for &i in done.iter().cycle() {
        if left <= 0 {
            break;
        }
        *field(&mut rows[i]) += 1;
        left -= 1;
    }
}

/// What each field's matters are about: `{}` takes a place.
const SUBJECTS: [&[&str]; 8] = [
    // 产业发展
    &[
        "{}特色农产品电商直播助农",
        "{}小微企业融资对接服务",
        "{}绿色化工园区项目帮办代办",
        "{}返乡创业孵化基地建设",
        "{}就业招聘“家门口”专场",
    ],
    // 生态保护
    &[
        "{}水上公园环境专项治理",
        "{}黑臭水体整治",
        "{}长江岸线垃圾清理",
        "{}农村生活污水治理",
        "{}裸露山体复绿",
    ],
    // 乡村振兴
    &[
        "{}农村公路提质改造",
        "{}高标准农田建设",
        "{}村级集体经济项目",
        "{}农村人居环境整治",
        "{}安全饮水巩固提升",
    ],
    // 民生改善
    &[
        "{}老旧小区改造",
        "{}农贸市场提质升级",
        "{}背街小巷路灯安装",
        "{}居家养老服务站建设",
        "{}社区卫生服务站设备更新",
        "{}停车难问题整治",
    ],
    // 安全稳定
    &[
        "{}消防通道清障",
        "{}矛盾纠纷多元化解",
        "{}防溺水安全设施完善",
        "{}电动车充电桩安装",
        "{}校园周边交通安全整治",
    ],
    // 党的建设
    &[
        "{}党群服务中心功能提升",
        "{}党员志愿服务队组建",
        "{}红色教育阵地修缮",
        "{}流动党员服务站建设",
    ],
    // 企业服务
    &[
        "{}企业开办“一件事”集成服务",
        "{}涉企政策直达快享",
        "{}企业用工需求对接",
        "{}项目审批帮办代办",
    ],
    // 基层治理
    &[
        "{}网格化服务管理提升",
        "{}物业管理矛盾化解",
        "{}违章建设拆除",
        "{}“小区议事会”建设",
    ],
];

/// The public's problems the demo has raised: (body, area, phone).
pub const PROBLEMS: [(&str, &str, &str); 24] = [
    (
        "小区门口的路灯坏了快两个月，晚上老人出门不安全。",
        "长岭街道长炼社区",
        "13907301234",
    ),
    (
        "菜市场下雨天积水严重，希望把排水沟疏通一下。",
        "云溪街道云溪社区",
        "",
    ),
    (
        "村里到镇上的公路坑洼多，校车走得很慢。",
        "路口镇枧冲村",
        "13873015678",
    ),
    ("楼道里堆满杂物，消防通道被堵。", "松杨湖街道湖滨社区", ""),
    (
        "河边没有防护栏，暑假孩子容易去玩水。",
        "陆城镇桃林村",
        "15807302468",
    ),
    (
        "小区电动车没有充电的地方，只能飞线充电。",
        "长岭街道和平社区",
        "18673011357",
    ),
    ("企业招工难，希望政府组织一次招聘会。", "绿色化工产业园", ""),
    (
        "老年人去医院看病不方便，希望社区有健康义诊。",
        "云溪街道青坡社区",
        "13975024680",
    ),
    ("公园里杂草丛生，垃圾没人清理。", "长岭街道", ""),
    (
        "自来水时有时无，水压很低。",
        "陆城镇白泥湖村",
        "13397309876",
    ),
    ("学校门口早晚高峰车太多，孩子过马路危险。", "云溪街道", ""),
    (
        "物业和业主因为停车费吵了半年，希望有人调解。",
        "松杨湖街道天鹅社区",
        "17708305432",
    ),
    ("村里的老党员活动室漏雨。", "路口镇云峰村", ""),
    (
        "办营业执照要跑好几个地方。",
        "区政务服务中心",
        "13607306543",
    ),
    ("农田灌溉渠淤堵，影响春耕。", "陆城镇旭东村", ""),
    (
        "背街小巷没有垃圾桶，垃圾随处扔。",
        "长岭街道高炼社区",
        "15907307788",
    ),
    ("独居老人没人照看，希望社区上门看看。", "云溪街道八里村", ""),
    (
        "夜市油烟和噪音很大，影响休息。",
        "松杨湖街道松杨湖社区",
        "13117309900",
    ),
    ("村里的快递点太远，取件要走三公里。", "路口镇宋家坳村", ""),
    ("小区化粪池满了往外冒。", "长岭街道建设社区", "18907301122"),
    (
        "希望社区开办四点半课堂，解决孩子放学没人接。",
        "云溪街道滨江社区",
        "",
    ),
    (
        "路口的红绿灯时间太短，老人走不过去。",
        "陆城镇陆城社区",
        "13807303344",
    ),
    ("山上有人乱倒建筑垃圾。", "路口镇大岭村", ""),
    (
        "厂区附近的违章建筑十几年没拆，占了人行道。",
        "长岭街道长岭村",
        "15073015566",
    ),
];

struct Unit {
    id: i64,
    name: String,
}

/// Writes the district's matters, their people, history, problems, ratings
/// and typical-case rounds.
pub async fn seed(app: &App, root: Id, seed: u64, progress: &dyn Progress) -> AppResult<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0A11_5EED);
    let now = app.now();
    let today = app.clock().today();
    let mut conn = app.store().read().await?;
    let root_row = units::get(&mut conn, root.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let root_path: UnitPath = root_row.path();
    let fields = matters::fields(&mut conn).await?;
    // The towns, the departments and their first units below: the units a
    // matter is put on.
    let mut pool: Vec<Unit> = Vec::new();
    for c in units::children(&mut conn, root.0).await? {
        for g in units::children(&mut conn, c.id).await?.into_iter().take(6) {
            pool.push(Unit {
                id: g.id,
                name: g.name,
            });
        }
        pool.push(Unit {
            id: c.id,
            name: c.name,
        });
    }
    let leaders = matter_board::cadres(&mut conn, &root_path, "leader", 10_000).await?;
    let sections = matter_board::cadres(&mut conn, &root_path, "section", 10_000).await?;
    let ordinary = matter_board::cadres(&mut conn, &root_path, "ordinary", 2_000).await?;
    let names: Vec<(i64, String)> = {
        let ids: Vec<i64> = leaders
            .iter()
            .chain(sections.iter())
            .map(|(id, _)| *id)
            .collect();
        let mut out = Vec::new();
        for id in ids {
            if let Some(m) = xueshi_store::members::get(&mut conn, id).await? {
                out.push((id, m.name));
            }
        }
        out
    };
    drop(conn);
    if pool.is_empty() || fields.len() < DEFAULT_FIELDS.len() || leaders.is_empty() {
        return Ok(());
    }
    let name_of = |id: i64| {
        names
            .iter()
            .find(|(m, _)| *m == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| "党员".to_owned())
    };
    // The report's 174 matters, and a few more proposed and dropped as
    // duplicates beside them (counted apart, as the board counts them).
    let total = KEY_MATTERS + GENERAL_MATTERS;
    let proposed = total + DROPPED_MATTERS;
    progress.stage("stage.matters", proposed as u64);

    // Most leaders lead one matter each, a few still owe theirs; the rest
    // are led by section-level cadres alone.
    let owing = (leaders.len() / 12).max(2).min(leaders.len() - 1);
    let mut leading: Vec<i64> = leaders[owing..].iter().map(|(id, _)| *id).collect();
    leading.extend(sections.iter().take(total).map(|(id, _)| *id));

    let mut rows: Vec<MatterRow> = Vec::with_capacity(total);
    let mut claims: Vec<ClaimRow> = Vec::new();
    let mut events: Vec<EventRow> = Vec::new();
    let mut ratings: Vec<(i64, i64, String, &'static str, i64)> = Vec::new();
    // Finish reports that carry a site photo (matter, event, when): most
    // do; a few were reported done without one.
    let mut photos: Vec<(i64, i64, i64)> = Vec::new();
    let mut titles = std::collections::HashSet::new();
    let mut next_lead = 0;
    let mut next_join = 0;
    for i in 0..proposed {
        let level = match i {
            0..=2 => MatterLevel::ProvinceKey,
            3..=10 => MatterLevel::CityKey,
            11..KEY_MATTERS => MatterLevel::DistrictKey,
            _ => MatterLevel::General,
        };
        let f = i % DEFAULT_FIELDS.len();
        let field_id = fields
            .iter()
            .find(|(_, n)| n == DEFAULT_FIELDS[f])
            .map_or(fields[0].0, |(id, _)| *id);
        let unit = &pool[(i * 7 + f) % pool.len()];
        let subjects = SUBJECTS[f];
        let mut title = String::new();
        for k in 0..subjects.len() * 2 {
            let t = subjects[(i + k) % subjects.len()].replace("{}", &short_place(&unit.name));
            let t = if k >= subjects.len() {
                format!("{t}（二期）")
            } else {
                t
            };
            if titles.insert(t.clone()) {
                title = t;
                break;
            }
        }
        if title.is_empty() {
            continue;
        }
        let created = now - (50 + rng.random_range(0..10)) * DAY;
        // Where along the loop: by the matter's number, so the demo has
        // every state at believable shares.
        let stage = match i % 20 {
            _ if i >= total => "dropped",
            0..=8 => "done",
            9..=15 => "in_progress",
            16 | 17 => "claimed",
            18 => "approved",
            _ => "in_progress",
        };
        let deadline_days: i64 = match stage {
            "done" => rng.random_range(-20..40),
            // A few unfinished matters are past their deadline.
            _ if i % 11 == 0 => -rng.random_range(1..15),
            _ => rng.random_range(10..120),
        };
        let mut m = MatterRow {
            id: app.next_id().0,
            unit_id: unit.id,
            title_folded: fold(&title),
            title,
            description: String::new(),
            level,
            field_id,
            status: MatterStatus::Approved,
            deadline: iso(today + time::Duration::days(deadline_days)),
            target: target_of(f, &mut rng),
            budget_fen: rng.random_range(5..200) * 1_000_000,
            report_days: 7,
            created_at: created,
            updated_at: created,
            ..MatterRow::default()
        };
        let mut at = created;
        let mut push =
            |m: &MatterRow, at: i64, actor: &str, event: &str, from: &str, note: &str| {
                events.push(EventRow {
                    id: app.next_id().0,
                    matter_id: m.id,
                    at,
                    actor_name: actor.to_owned(),
                    event: event.to_owned(),
                    from_status: from.to_owned(),
                    to_status: m.status.as_str().to_owned(),
                    progress: Some(m.progress),
                    note: note.to_owned(),
                });
            };
        if stage == "dropped" {
            m.status = MatterStatus::Dropped;
            m.reason = "与已立项的区级重点实事重复，并入办理".into();
            push(
                &m,
                created,
                "区委党史学习教育领导小组办公室",
                "drop",
                "collected",
                &m.reason.clone(),
            );
            m.updated_at = created;
            rows.push(m);
            continue;
        }
        push(
            &m,
            created,
            "区委党史学习教育领导小组办公室",
            "approve",
            "collected",
            "",
        );
        if stage != "approved" {
            let Some(lead) = leading.get(next_lead).copied() else {
                rows.push(m);
                continue;
            };
            next_lead += 1;
            at += rng.random_range(1..5) * DAY;
            m.status = MatterStatus::Claimed;
            m.reported_at = Some(at);
            claims.push(ClaimRow {
                matter_id: m.id,
                member_id: lead,
                role: "lead".into(),
                claimed_at: at,
            });
            let lead_name = name_of(lead);
            push(&m, at, &lead_name, "lead", "approved", "");
            for _ in 0..rng.random_range(0..4) {
                if let Some((o, _)) = ordinary.get(next_join % ordinary.len().max(1)) {
                    next_join += 1;
                    claims.push(ClaimRow {
                        matter_id: m.id,
                        member_id: *o,
                        role: "join".into(),
                        claimed_at: at + DAY,
                    });
                }
            }
            if stage != "claimed" {
                // Weekly reports; some matters have fallen behind on them.
                let reports = if stage == "done" {
                    5
                } else {
                    rng.random_range(2..6)
                };
                let gap = if i % 13 == 0 { 11 } else { 7 };
                for r in 1..=reports {
                    at += gap * DAY;
                    if at > now - DAY {
                        break;
                    }
                    let from = m.status;
                    m.status = MatterStatus::InProgress;
                    m.progress = (m.progress + rng.random_range(10..25)).min(95);
                    m.reported_at = Some(at);
                    push(
                        &m,
                        at,
                        &lead_name,
                        "report",
                        from.as_str(),
                        REPORTS[(i + r) % REPORTS.len()],
                    );
                }
                if m.status == MatterStatus::Claimed {
                    m.status = MatterStatus::InProgress;
                }
                if stage == "done" {
                    at = (at + 3 * DAY).min(now - DAY);
                    m.status = MatterStatus::Done;
                    m.progress = 100;
                    m.round = 1;
                    m.finished_at = Some(at);
                    m.affairs = rng.random_range(0..12);
                    m.problems_solved = rng.random_range(1..25);
                    m.disputes = if f == 4 || f == 7 {
                        rng.random_range(1..12)
                    } else {
                        0
                    };
                    m.people_served = rng.random_range(30..3_000);
                    m.enterprises_served = if f == 0 || f == 6 {
                        rng.random_range(1..40)
                    } else {
                        0
                    };
                    m.spent_fen = m.budget_fen / 100 * rng.random_range(60..100);
                    push(
                        &m,
                        at,
                        &lead_name,
                        "finish",
                        "in_progress",
                        "已按目标任务完成，群众反映良好",
                    );
                    if i % 7 != 3
                        && let Some(e) = events.last()
                    {
                        photos.push((m.id, e.id, at));
                    }
                    for v in 0..rng.random_range(3..12) {
                        let rating = match rng.random_range(0..20) {
                            0 => "unsatisfied",
                            1..=3 => "fair",
                            _ => "satisfied",
                        };
                        ratings.push((
                            m.id,
                            1,
                            format!("demo-{}-{v}", m.id),
                            rating,
                            at + (v + 1) * 3_600_000,
                        ));
                    }
                }
            }
        }
        m.updated_at = at;
        rows.push(m);
        progress.advance(1);
    }
    let reopened = reopen_one(app, &mut rows, &mut events, &mut ratings);
    fit_total(&mut rows, |m| &mut m.affairs, AFFAIRS);
    fit_total(&mut rows, |m| &mut m.problems_solved, PROBLEMS_SOLVED);
    fit_total(&mut rows, |m| &mut m.disputes, DISPUTES);

    let mut tx = app.store().write().await?;
    for m in &rows {
        matters::insert(&mut tx, m).await?;
    }
    for c in &claims {
        matters::insert_claim(&mut tx, c).await?;
    }
    for e in &events {
        matters::insert_event(&mut tx, e).await?;
    }
    let photo = site_photo()?;
    for (m, e, at) in &photos {
        matters::insert_photo(&mut tx, app.next_id().0, *m, *e, &photo, "image/jpeg", *at).await?;
    }
    for (m, round, voter, rating, at) in &ratings {
        // The ratings that sent a matter back are its served people's.
        let served = reopened == Some(*m);
        let voter = app.vault().digest(&format!("matter-rater|{voter}"));
        let addr = if served {
            String::new()
        } else {
            app.vault().digest(&format!("matter-rater-address|{voter}"))
        };
        matters::add_rating(
            &mut tx,
            &matters::NewRating {
                matter: *m,
                round: *round,
                voter: &voter,
                rating,
                at: *at,
                served,
                addr: &addr,
            },
        )
        .await?;
    }
    public_problems(app, &mut tx, &rows, &mut rng).await?;
    case_rounds(app, &mut tx, root.0, &rows, &mut rng).await?;
    tx.commit().await?;
    app.bulk_loaded().await;
    Ok(())
}

const REPORTS: [&str; 6] = [
    "召开专题会议，制定实施方案，明确责任分工",
    "完成现场走访摸排，收集群众意见",
    "施工队伍进场，工程有序推进",
    "主体工程完工，开展验收前检查",
    "联合相关部门现场办公，解决推进中的难点",
    "组织党员志愿者参与，群众积极配合",
];

fn short_place(unit: &str) -> String {
    for suffix in ["党工委", "党委", "党支部", "党总支", "机关", "委员会"] {
        if let Some(s) = unit.strip_suffix(suffix) {
            return s.to_owned();
        }
    }
    unit.to_owned()
}

fn target_of(field: usize, rng: &mut ChaCha8Rng) -> String {
    match field {
        0 => format!("带动就业 {} 人", rng.random_range(20..300)),
        1 => format!("治理面积 {} 亩", rng.random_range(10..500)),
        2 => format!("惠及农户 {} 户", rng.random_range(50..2_000)),
        3 => format!("惠及居民 {} 户", rng.random_range(100..3_000)),
        4 => format!("排查整治隐患 {} 处", rng.random_range(5..80)),
        5 => "建成标准化阵地并投入使用".to_owned(),
        6 => format!("服务企业 {} 家", rng.random_range(5..60)),
        _ => format!("化解矛盾纠纷 {} 件", rng.random_range(5..50)),
    }
}

/// One finished matter the public judged not done: two of three 不满意 sent
/// it back to work, as its history shows.
/// A small site photo for the finish reports: a sky over a field.
pub(crate) fn site_photo() -> AppResult<Vec<u8>> {
    let img = image::RgbImage::from_fn(160, 120, |_, y| {
        if y < 70 {
            image::Rgb([120, 170, 220])
        } else {
            image::Rgb([90, 140, 70])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(out.into_inner())
}

fn reopen_one(
    app: &App,
    rows: &mut [MatterRow],
    events: &mut Vec<EventRow>,
    ratings: &mut Vec<(i64, i64, String, &'static str, i64)>,
) -> Option<i64> {
    let m = rows
        .iter_mut()
        .rev()
        .find(|m| m.status == MatterStatus::Done)?;
    ratings.retain(|r| r.0 != m.id);
    let at = m.finished_at.unwrap_or(m.updated_at);
    for (v, rating) in ["unsatisfied", "satisfied", "unsatisfied"]
        .iter()
        .enumerate()
    {
        ratings.push((
            m.id,
            1,
            format!("demo-{}-{v}", m.id),
            rating,
            at + (v as i64 + 1) * 3_600_000,
        ));
    }
    m.status = MatterStatus::InProgress;
    m.progress = 90;
    m.reported_at = Some(at + 4 * 3_600_000);
    m.updated_at = at + 4 * 3_600_000;
    events.push(EventRow {
        id: app.next_id().0,
        matter_id: m.id,
        at: at + 3 * 3_600_000,
        actor_name: "群众评价".into(),
        event: "reopen".into(),
        from_status: "done".into(),
        to_status: "in_progress".into(),
        progress: Some(90),
        note: "满意 1 · 基本满意 0 · 不满意 2".into(),
    });
    Some(m.id)
}

/// The public's problems: some waiting for triage, some taken up into
/// matters or merged, some turned down with a reason.
async fn public_problems(
    app: &App,
    tx: &mut sqlx::AnyConnection,
    rows: &[MatterRow],
    rng: &mut ChaCha8Rng,
) -> AppResult<()> {
    let now = app.now();
    let open: Vec<&MatterRow> = rows
        .iter()
        .filter(|m| m.status != MatterStatus::Dropped)
        .collect();
    for (k, (body, area, phone)) in PROBLEMS.iter().enumerate() {
        let Ok(draft) = ProblemDraft::parse(body, area, phone, None) else {
            continue;
        };
        let at = now - rng.random_range(1..45) * DAY;
        let (status, reason, matter) = match k % 6 {
            0 | 1 => ("new", "", None),
            2 | 3 => ("accepted", "", open.get(k * 5 % open.len().max(1))),
            4 => ("merged", "", open.get(k * 3 % open.len().max(1))),
            _ => (
                "rejected",
                "该事项属于企业内部管理，已告知向所在单位反映",
                None,
            ),
        };
        let row = ProblemRow {
            id: app.next_id().0,
            code: tracking_code(rng.random()),
            unit_id: None,
            area: draft.area.clone(),
            body: draft.body.clone(),
            fingerprint: draft.fingerprint(),
            contact_masked: draft
                .contact
                .as_ref()
                .map(|p| p.masked())
                .unwrap_or_default(),
            contact_sealed: draft.contact.as_ref().map(|p| app.vault().seal(p.as_str())),
            photo: None,
            photo_type: String::new(),
            reports: rng.random_range(1..4),
            status: "new".into(),
            reason: String::new(),
            created_at: at,
            updated_at: at,
        };
        problems::insert_many(tx, std::slice::from_ref(&row)).await?;
        if status != "new" {
            matters::settle_problem(tx, row.id, status, reason, matter.map(|m| m.id), at + DAY)
                .await?;
        }
    }
    Ok(())
}

/// A closed round with its counts and an open one taking votes.
async fn case_rounds(
    app: &App,
    tx: &mut sqlx::AnyConnection,
    root: i64,
    rows: &[MatterRow],
    rng: &mut ChaCha8Rng,
) -> AppResult<()> {
    let now = app.now();
    let done: Vec<&MatterRow> = rows
        .iter()
        .filter(|m| m.status == MatterStatus::Done)
        .collect();
    if done.len() < 14 {
        return Ok(());
    }
    let rounds = [
        (
            "第一批“我为群众办实事”典型案例评选",
            now - 3 * DAY,
            &done[..6],
        ),
        (
            "第二批“我为群众办实事”典型案例评选",
            now + 14 * DAY,
            &done[6..14],
        ),
    ];
    for (k, (title, closes_at, nominees)) in rounds.iter().enumerate() {
        let r = RoundRow {
            id: app.next_id().0,
            unit_id: root,
            title: (*title).to_owned(),
            closes_at: *closes_at,
            created_at: closes_at - 21 * DAY,
        };
        let list: Vec<(i64, String)> = nominees
            .iter()
            .map(|m| {
                (
                    m.id,
                    format!("{}，{}", m.title, "群众满意度高，做法可复制可推广"),
                )
            })
            .collect();
        cases::insert_round(tx, &r, &list).await?;
        let voters = if k == 0 { 640 } else { 210 };
        for v in 0..voters {
            // Earlier nominees draw more votes, so the counts differ.
            let pick =
                (rng.random_range(0..nominees.len() * nominees.len()) as f64).sqrt() as usize;
            let m = nominees[nominees.len() - 1 - pick.min(nominees.len() - 1)];
            let voter = app.vault().digest(&format!("case-voter|demo-{k}-{v}"));
            cases::add_vote(tx, r.id, &voter, m.id, r.created_at + v * 60_000).await?;
            let source = app.vault().digest(&format!("case-source|demo-{}", v % 97));
            cases::take_source_vote(tx, r.id, &source, i64::MAX).await?;
        }
    }
    Ok(())
}
