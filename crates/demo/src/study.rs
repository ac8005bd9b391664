//! The demo's study: the campaign with its 五个一 quotas and 每日自学1小时,
//! a library of materials, 党史上的今天, a question bank, and — for the
//! district — two weeks of members' check-ins and daily quizzes with their
//! counters, so the dashboards show a campaign under way.

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::Duration;
use xueshi_domain::Id;
use xueshi_domain::date::iso;
use xueshi_domain::quiz::{Question, QuestionKind, draw};
use xueshi_domain::study::StudyKind;
use xueshi_domain::text::fold;
use xueshi_domain::unit::UnitPath;
use xueshi_store::quiz::{AttemptRow, QuestionRow, StreakRow};
use xueshi_store::study::{self, CampaignRow, CheckInRow, Daily, HistoryDayRow, MaterialRow};

use xueshi_app::jobs::Progress;
use xueshi_app::{App, AppResult, campaigns};

/// Days of history the district demo carries.
const HISTORY_DAYS: i64 = 14;

/// (kind, title, source, minutes)
const MATERIALS: &[(StudyKind, &str, &str, i64)] = &[
    (
        StudyKind::Book,
        "中国共产党简史",
        "人民出版社、中共党史出版社",
        600,
    ),
    (
        StudyKind::Book,
        "毛泽东、邓小平、江泽民、胡锦涛关于中国共产党历史论述摘编",
        "中央文献出版社",
        600,
    ),
    (
        StudyKind::Book,
        "习近平新时代中国特色社会主义思想学习问答",
        "学习出版社、人民出版社",
        600,
    ),
    (
        StudyKind::Book,
        "中华人民共和国简史",
        "人民出版社、当代中国出版社",
        600,
    ),
    (
        StudyKind::Book,
        "改革开放简史",
        "人民出版社、中国社会科学出版社",
        600,
    ),
    (
        StudyKind::Book,
        "社会主义发展简史",
        "人民出版社、学习出版社",
        600,
    ),
    (StudyKind::Film, "建党伟业", "电影", 120),
    (StudyKind::Film, "建国大业", "电影", 138),
    (StudyKind::Film, "长津湖", "电影", 176),
    (StudyKind::Film, "我和我的祖国", "电影", 155),
    (StudyKind::Film, "革命者", "电影", 119),
    (StudyKind::Song, "没有共产党就没有新中国", "红色歌曲", 4),
    (StudyKind::Song, "唱支山歌给党听", "红色歌曲", 4),
    (StudyKind::Song, "歌唱祖国", "红色歌曲", 4),
    (StudyKind::Song, "我和我的祖国", "红色歌曲", 4),
    (StudyKind::Song, "映山红", "红色歌曲", 4),
    (StudyKind::Video, "党史百年天天读", "短视频", 5),
    (StudyKind::Video, "百炼成钢：中国共产党的100年", "短视频", 8),
    (
        StudyKind::Article,
        "在党史学习教育动员大会上的讲话",
        "文章",
        40,
    ),
    (
        StudyKind::MicroLecture,
        "微党课：从南湖红船出发",
        "宣讲团",
        15,
    ),
    (
        StudyKind::MicroLecture,
        "微党课：遵义会议的转折意义",
        "宣讲团",
        15,
    ),
    (
        StudyKind::Experiential,
        "参观红色教育基地",
        "体验式学习",
        120,
    ),
];

/// 党史上的今天: (month, day, year, title)
const HISTORY: &[(i64, i64, i64, &str)] = &[
    (1, 15, 1935, "遵义会议召开"),
    (1, 31, 1949, "北平和平解放"),
    (3, 5, 1949, "中共七届二中全会在西柏坡召开"),
    (4, 23, 1949, "人民解放军占领南京"),
    (5, 4, 1919, "五四运动爆发"),
    (7, 1, 1921, "中国共产党成立纪念日"),
    (7, 23, 1921, "中国共产党第一次全国代表大会在上海开幕"),
    (8, 1, 1927, "南昌起义"),
    (9, 9, 1927, "湘赣边界秋收起义"),
    (9, 21, 1949, "中国人民政治协商会议第一届全体会议开幕"),
    (10, 1, 1949, "中华人民共和国成立"),
    (10, 10, 1934, "中央红军开始长征"),
    (10, 19, 1950, "中国人民志愿军跨过鸭绿江，抗美援朝"),
    (11, 7, 1931, "中华苏维埃共和国临时中央政府在瑞金成立"),
    (11, 24, 1978, "安徽凤阳小岗村农民按下红手印，实行“大包干”"),
    (12, 9, 1935, "一二·九运动爆发"),
    (12, 12, 1936, "西安事变"),
    (12, 18, 1978, "中共十一届三中全会开幕"),
];

/// (kind, stem, options, answer, explanation)
const QUESTIONS: &[(&str, &str, &[&str], &str, &str)] = &[
    (
        "single",
        "中国共产党第一次全国代表大会最后一天的会议在哪里举行？",
        &["上海", "嘉兴南湖", "北京", "广州"],
        "B",
        "一大在上海开幕，最后一天转移到浙江嘉兴南湖的游船上举行。",
    ),
    (
        "single",
        "确立毛泽东在党中央和红军的领导地位的会议是？",
        &["八七会议", "古田会议", "遵义会议", "洛川会议"],
        "C",
        "1935年1月的遵义会议是党的历史上生死攸关的转折点。",
    ),
    (
        "single",
        "南昌起义发生于哪一年？",
        &["1921年", "1927年", "1931年", "1935年"],
        "B",
        "1927年8月1日南昌起义，打响武装反抗国民党反动派的第一枪。",
    ),
    (
        "single",
        "中华人民共和国成立于哪一年？",
        &["1945年", "1947年", "1949年", "1950年"],
        "C",
        "1949年10月1日，中华人民共和国成立。",
    ),
    (
        "single",
        "提出“两个务必”的会议是？",
        &["中共七大", "七届二中全会", "八大", "十一届三中全会"],
        "B",
        "1949年3月七届二中全会提出“两个务必”。",
    ),
    (
        "single",
        "开启改革开放历史新时期的会议是？",
        &["十一届三中全会", "十二大", "十四大", "十八大"],
        "A",
        "1978年12月十一届三中全会实现了新中国成立以来党的历史上具有深远意义的伟大转折。",
    ),
    (
        "single",
        "中央红军长征于哪一年开始？",
        &["1933年", "1934年", "1935年", "1936年"],
        "B",
        "1934年10月，中央红军开始长征。",
    ),
    (
        "single",
        "中国人民志愿军跨过鸭绿江、抗美援朝是在哪一年？",
        &["1949年", "1950年", "1951年", "1953年"],
        "B",
        "1950年10月19日，中国人民志愿军跨过鸭绿江。",
    ),
    (
        "single",
        "“枪杆子里面出政权”的论断是在哪次会议上提出的？",
        &["八七会议", "遵义会议", "古田会议", "瓦窑堡会议"],
        "A",
        "1927年八七会议上，毛泽东提出“政权是由枪杆子中取得的”。",
    ),
    (
        "single",
        "党史学习教育的总要求是“学史明理、学史增信、学史崇德、”什么？",
        &["学史力行", "学史为民", "学史奋进", "学史修身"],
        "A",
        "总要求为学史明理、学史增信、学史崇德、学史力行。",
    ),
    (
        "multiple",
        "党史学习教育的总要求包括哪些？",
        &["学史明理", "学史增信", "学史崇德", "学史力行"],
        "ABCD",
        "四个方面缺一不可。",
    ),
    (
        "multiple",
        "下列属于“五个一”学习活动的有：",
        &[
            "读一本书",
            "看一部红色电影",
            "唱一首红色歌曲",
            "写一篇长篇小说",
        ],
        "ABC",
        "五个一：读一本书、看一部电影、唱一首歌、看一个短视频、开展一次体验式学习。",
    ),
    (
        "multiple",
        "党史学习教育指定的学习材料包括：",
        &[
            "《中国共产党简史》",
            "《中华人民共和国简史》",
            "《改革开放简史》",
            "《社会主义发展简史》",
        ],
        "ABCD",
        "四本指定学习材料。",
    ),
    (
        "multiple",
        "下列哪些事件发生在1927年？",
        &["南昌起义", "秋收起义", "遵义会议", "八七会议"],
        "ABD",
        "遵义会议在1935年。",
    ),
    (
        "multiple",
        "三大战役包括：",
        &["辽沈战役", "淮海战役", "平津战役", "渡江战役"],
        "ABC",
        "渡江战役不属于三大战役。",
    ),
    (
        "true_false",
        "中国共产党第一次全国代表大会于1921年在上海召开。",
        &[],
        "对",
        "1921年7月23日一大在上海开幕。",
    ),
    (
        "true_false",
        "遵义会议在1936年召开。",
        &[],
        "错",
        "遵义会议于1935年1月召开。",
    ),
    (
        "true_false",
        "小岗村“大包干”拉开了农村改革的序幕。",
        &[],
        "对",
        "1978年冬，小岗村18户农民按下红手印。",
    ),
    (
        "true_false",
        "西柏坡是七届二中全会的召开地。",
        &[],
        "对",
        "七届二中全会于1949年3月在西柏坡召开。",
    ),
    (
        "true_false",
        "秋收起义发生在江西南昌。",
        &[],
        "错",
        "秋收起义发生在湘赣边界，南昌起义发生在南昌。",
    ),
    (
        "true_false",
        "“我为群众办实事”是党史学习教育的重要内容。",
        &[],
        "对",
        "把学习成效转化为为民办实事的动力。",
    ),
    (
        "fill_in",
        "1921年7月，中国共产党第一次全国代表大会在____开幕。",
        &[],
        "上海",
        "一大在上海法租界望志路106号开幕。",
    ),
    (
        "fill_in",
        "1935年1月召开的____会议，是党的历史上一个生死攸关的转折点。",
        &[],
        "遵义|遵义会议",
        "遵义会议。",
    ),
    (
        "fill_in",
        "1949年10月1日，____成立。",
        &[],
        "中华人民共和国|新中国",
        "开国大典。",
    ),
    (
        "fill_in",
        "红军长征胜利结束的标志是1936年10月红军三大主力在____会师。",
        &[],
        "会宁|甘肃会宁|会宁将台堡",
        "三大主力在甘肃会宁地区会师。",
    ),
    (
        "fill_in",
        "中共一大最后一天的会议转移到浙江嘉兴____的游船上举行。",
        &[],
        "南湖",
        "红船精神的源头。",
    ),
];

/// (label, kind, count, period, minutes)
/// Writes the study content; with `history`, two weeks of members' study.
pub async fn seed(
    app: &App,
    root: Id,
    history: bool,
    seed: u64,
    progress: &dyn Progress,
) -> AppResult<()> {
    let today = app.clock().today();
    let now = app.now();
    let materials: Vec<(MaterialRow, String)> = MATERIALS
        .iter()
        .map(|(kind, title, source, minutes)| {
            (
                MaterialRow {
                    active: 1,
                    id: app.next_id().0,
                    kind: *kind,
                    title: (*title).into(),
                    source: (*source).into(),
                    minutes: *minutes,
                    link: String::new(),
                    body: String::new(),
                },
                fold(title),
            )
        })
        .collect();
    let history_days: Vec<HistoryDayRow> = HISTORY
        .iter()
        .map(|(month, day, year, title)| HistoryDayRow {
            id: app.next_id().0,
            month: *month,
            day: *day,
            year: *year,
            title: (*title).into(),
            body: String::new(),
        })
        .collect();
    let mut bank: Vec<(i64, Question)> = Vec::new();
    let mut question_rows = Vec::new();
    for (kind, stem, options, answer, explanation) in QUESTIONS {
        let kind = QuestionKind::parse(kind).unwrap_or(QuestionKind::FillIn);
        let q = Question::new(
            kind,
            stem,
            options.iter().map(|s| s.to_string()).collect(),
            answer,
        )
        .map_err(|e| anyhow::anyhow!("demo question {stem}: {e:?}"))?;
        let id = app.next_id().0;
        question_rows.push((
            QuestionRow {
                id,
                kind,
                stem: q.stem.clone(),
                options: xueshi_domain::quiz::QuestionOptions(q.options.clone()),
                answer: q.answer.clone(),
                explanation: (*explanation).into(),
                tags: "党史".into(),
                difficulty: 2,
                active: 1,
            },
            q.fingerprint(),
        ));
        bank.push((id, q));
    }
    // The office sets the campaign up as its page does: the 五个一
    // template, begun two months ago.
    let path = {
        let mut conn = app.store().read().await?;
        xueshi_store::units::get(&mut conn, root.0)
            .await?
            .ok_or(xueshi_app::AppError::NotFound)?
            .path()
    };
    let ctx = xueshi_app::Ctx::system(&path);
    let mut setup = campaigns::template(today - Duration::days(60));
    setup.name = "党史学习教育".into();
    setup.ends_on = iso(today + Duration::days(120));
    let last = setup.phases.len() - 1;
    setup.phases[last].ends_on = setup.ends_on.clone();
    let id = campaigns::create(app, &ctx, root, &setup).await?;
    let campaign = {
        let mut conn = app.store().read().await?;
        study::campaign(&mut conn, id.0)
            .await?
            .ok_or(xueshi_app::AppError::NotFound)?
    };
    let mut tx = app.store().write().await?;
    study::insert_materials(&mut tx, &materials, now).await?;
    study::insert_history_days(&mut tx, &history_days).await?;
    xueshi_store::quiz::insert_questions(&mut tx, &question_rows, now).await?;
    tx.commit().await?;
    if history {
        activity(app, &campaign, &bank, &materials, seed, progress).await?;
    }
    app.bulk_loaded().await;
    Ok(())
}

/// Two weeks of check-ins and quiz attempts: most members take part most
/// days, some fall behind, a few never start.
async fn activity(
    app: &App,
    campaign: &CampaignRow,
    bank: &[(i64, Question)],
    materials: &[(MaterialRow, String)],
    seed: u64,
    progress: &dyn Progress,
) -> AppResult<()> {
    let people: Vec<(i64, i64, UnitPath)> = {
        let mut conn = app.store().read().await?;
        xueshi_store::members::all_with_paths(&mut conn)
            .await?
            .into_iter()
            .filter_map(|(member, unit, path)| Some((member, unit, UnitPath::parse(&path)?)))
            .collect()
    };
    progress.stage("stage.study", people.len() as u64);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x57_0d_1e);
    let today = app.clock().today();
    let start = xueshi_domain::date::from_iso(&campaign.starts_on).unwrap_or(today);
    let ids: Vec<i64> = bank.iter().map(|(id, _)| *id).collect();
    let by_id: HashMap<i64, &Question> = bank.iter().map(|(id, q)| (*id, q)).collect();
    let mut attempts = Vec::new();
    let mut check_ins = Vec::new();
    let mut counters: HashMap<(i64, String), Daily> = HashMap::new();
    let mut streaks = Vec::new();
    let day_ms = 86_400_000;
    for (member, unit, path) in &people {
        // How keen this member is: a few never start, most come most days.
        let keen: f64 = match rng.random_range(0..100) {
            0..8 => 0.0,
            8..25 => 0.35,
            _ => 0.85,
        };
        let mut streak = StreakRow {
            member_id: *member,
            ..StreakRow::default()
        };
        for back in (1..=HISTORY_DAYS).rev() {
            let day = today - Duration::days(back);
            let day_s = iso(day);
            let at = app.now() - back * day_ms;
            let mut delta = Daily::default();
            if rng.random_bool(keen) {
                let picked = draw(
                    *member,
                    (day - start).whole_days(),
                    &ids,
                    campaign.quiz_size as usize,
                );
                let mut answers = serde_json::Map::new();
                let mut correct = 0;
                for q in &picked {
                    let Some(question) = by_id.get(q) else {
                        continue;
                    };
                    let given = if rng.random_bool(0.8) {
                        question.answer.clone()
                    } else {
                        wrong(question)
                    };
                    if question.grade(&given) {
                        correct += 1;
                    }
                    answers.insert(q.to_string(), given.into());
                }
                attempts.push(AttemptRow {
                    member_id: *member,
                    day: day_s.clone(),
                    unit_id: *unit,
                    questions: serde_json::to_string(&picked).map_err(|e| anyhow::anyhow!(e))?,
                    answers: serde_json::Value::Object(answers).to_string(),
                    correct,
                    total: picked.len() as i64,
                    started_at: at,
                    submitted_at: at + rng.random_range(60_000..400_000),
                });
                delta.quiz_takers = 1;
                delta.quiz_correct = correct;
                delta.quiz_questions = picked.len() as i64;
                xueshi_app::quiz::count_quiz_day(&mut streak, &day_s, correct);
            }
            let sessions = if rng.random_bool(keen) {
                rng.random_range(1..=2)
            } else {
                0
            };
            for _ in 0..sessions {
                let (m, _) = &materials[rng.random_range(0..materials.len())];
                let minutes = match m.kind.as_str() {
                    "song" | "video" => rng.random_range(5..=20),
                    _ => rng.random_range(20..=70),
                };
                check_ins.push(CheckInRow {
                    id: app.next_id().0,
                    member_id: *member,
                    unit_id: *unit,
                    day: day_s.clone(),
                    kind: m.kind,
                    material_id: Some(m.id),
                    what: m.title.clone(),
                    minutes,
                    note: String::new(),
                    created_at: at,
                });
                delta.check_ins += 1;
                delta.study_minutes += minutes;
            }
            if delta != Daily::default() {
                for id in path.ids() {
                    *counters.entry((id.0, day_s.clone())).or_default() += delta;
                }
            }
        }
        if streak.quizzes > 0 {
            streaks.push(streak);
        }
        progress.advance(1);
    }
    let mut tx = app.store().write().await?;
    for chunk in check_ins.chunks(5_000) {
        study::insert_check_ins(&mut tx, chunk).await?;
    }
    for chunk in attempts.chunks(5_000) {
        xueshi_store::quiz::insert_attempts_bulk(&mut tx, chunk).await?;
    }
    study::add_daily(&mut tx, &counters).await?;
    for chunk in streaks.chunks(5_000) {
        xueshi_store::quiz::put_streaks(&mut tx, chunk).await?;
    }
    tx.commit().await?;
    // The quota counters are those the check-ins would have raised one by one.
    let met = xueshi_app::compliance::recount(app).await?;
    let mut tx = app.store().write().await?;
    xueshi_store::quota_met::add(&mut tx, &met).await?;
    tx.commit().await?;
    Ok(())
}

/// A believable wrong answer.
fn wrong(q: &Question) -> String {
    match q.kind {
        QuestionKind::Single => if q.answer == "A" { "B" } else { "A" }.into(),
        QuestionKind::Multiple => "A".into(),
        QuestionKind::TrueFalse => if q.answer == "true" { "false" } else { "true" }.into(),
        QuestionKind::FillIn => "不记得".into(),
    }
}
