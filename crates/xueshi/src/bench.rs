//! `xueshi bench …`: benchmarks that print their figures. Each runs against a
//! real database (a fresh SQLite file unless `--database-url` says
//! otherwise) through the same use-cases the server calls.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::SeedableRng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::Workbook;
use xueshi_app::demo::people::{People, Setting, position_for};
use xueshi_app::demo::{self, Scale};
use xueshi_app::jobs::{Output, Quiet};
use xueshi_app::{App, Ctx, roster, tree};
use xueshi_domain::date::iso;
use xueshi_domain::member::CadreLevel;
use xueshi_domain::text::plan_search;

/// p50, p95 and p99 of some durations, in milliseconds.
pub struct Summary {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

pub fn summarise(mut d: Vec<Duration>) -> Summary {
    d.sort();
    let ms = |x: Duration| x.as_secs_f64() * 1000.0;
    let at = |q: f64| ms(d[((d.len() as f64 - 1.0) * q).round() as usize]);
    Summary {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
    }
}

async fn root_ctx(app: &App) -> Result<Ctx> {
    let mut c = app.store().read().await?;
    let root = xueshi_store::units::roots(&mut c)
        .await?
        .into_iter()
        .next()
        .context("the database holds no tree")?;
    Ok(Ctx::system(&root.path()))
}

/// A roster workbook of `n` made-up members spread over `codes`.
fn workbook(n: usize, codes: &[String]) -> Result<Vec<u8>> {
    let mut people = People::new(ChaCha8Rng::seed_from_u64(99), "430682");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("党员")?;
    let headers = [
        "姓名",
        "性别",
        "出生日期",
        "入党日期",
        "党员状态",
        "干部层级",
        "职务",
        "手机号",
        "身份证号",
        "所在组织编码",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for r in 0..n {
        let position = position_for(Setting::Village, &mut rng);
        let d = people.member(Setting::Village, position, CadreLevel::Ordinary);
        let code = codes.choose(&mut rng).cloned().unwrap_or_default();
        let cells = [
            d.name.clone(),
            d.gender.label_zh().to_owned(),
            d.birth_date.map(iso).unwrap_or_default(),
            d.join_date.map(iso).unwrap_or_default(),
            d.status.label_zh().to_owned(),
            d.cadre_level.label_zh().to_owned(),
            d.position.clone(),
            d.phone
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            d.id_number
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            code,
        ];
        for (c, v) in cells.into_iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// Records when each stage of long work began.
#[derive(Default)]
struct Stages {
    marks: std::sync::Mutex<Vec<(&'static str, Instant)>>,
}

impl xueshi_app::jobs::Progress for Stages {
    fn stage(&self, key: &'static str, _total: u64) {
        if let Ok(mut m) = self.marks.lock() {
            m.push((key, Instant::now()));
        }
    }
    fn advance(&self, _n: u64) {}
}

impl Stages {
    fn report(&self, end: Instant) -> String {
        let m = self.marks.lock().map(|m| m.clone()).unwrap_or_default();
        m.iter()
            .enumerate()
            .map(|(i, (k, t))| {
                let next = m.get(i + 1).map_or(end, |n| n.1);
                format!(
                    "{} {:.2} s",
                    k.trim_start_matches("stage."),
                    (next - *t).as_secs_f64()
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Imports a workbook of `members` new members into the district demo.
pub async fn import(app: &App, members: usize) -> Result<()> {
    if demo::installed(app).await?.is_none() {
        eprintln!("building the district demo first …");
        demo::build(app, Scale::District, 2021, &Quiet)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let ctx = root_ctx(app).await?;
    let codes: Vec<String> = {
        let mut c = app.store().read().await?;
        xueshi_store::units::subtree(&mut c, &ctx.actor.scope)
            .await?
            .into_iter()
            .filter(|u| u.kind() == xueshi_domain::unit::UnitKind::Branch)
            .map(|u| u.code)
            .collect()
    };
    let started = Instant::now();
    let bytes = workbook(members, &codes)?;
    let made = started.elapsed();
    let before = tree::tally(app, &ctx, ctx.actor.scope_unit)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .members_total;
    let started = Instant::now();
    let stages = Stages::default();
    let out = roster::import::run(app, &ctx, "bench.xlsx", bytes.clone(), &stages)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let took = started.elapsed();
    let stage_times = stages.report(Instant::now());
    let after = tree::tally(app, &ctx, ctx.actor.scope_unit)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .members_total;
    let Output::Imported { members: n, .. } = out else {
        bail!("the import wrote no members")
    };
    if after - before != n as i64 || n as usize != members {
        bail!(
            "expected {members} new members, the tally moved by {}",
            after - before
        );
    }
    println!("backend           {}", app.store().backend().name());
    println!(
        "workbook          {members} members, {:.1} MB, made in {:.2} s",
        bytes.len() as f64 / 1e6,
        made.as_secs_f64()
    );
    println!(
        "import            {:.2} s  ({:.0} members/s, checked, sealed, written in one transaction)",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );
    println!("stages            {stage_times}");
    println!(
        "{{\"bench\":\"import\",\"backend\":\"{}\",\"members\":{members},\"seconds\":{:.3}}}",
        app.store().backend().name(),
        took.as_secs_f64()
    );
    Ok(())
}

fn line(name: &str, s: &Summary) {
    println!(
        "{name:<44} p50 {:>8.3} ms   p95 {:>8.3} ms   p99 {:>8.3} ms",
        s.p50, s.p95, s.p99
    );
}

async fn time<F, Fut, T>(runs: usize, mut f: F) -> Result<Summary>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut d = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await?;
        d.push(t.elapsed());
    }
    Ok(summarise(d))
}

/// Times the tree's hot reads on whatever database holds the province demo
/// (or any tree): the subtree counts at the root, the root's overview, the
/// same counts by scanning the path index, and name search.
pub async fn tree(app: &App) -> Result<()> {
    let ctx = root_ctx(app).await?;
    let root = ctx.actor.scope_unit;
    let t = tree::tally(app, &ctx, root)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "backend {}: {} units, {} members under the root",
        app.store().backend().name(),
        t.units_total,
        t.members_total
    );
    let tally = time(500, || async {
        tree::tally(app, &ctx, root)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await?;
    line("units and members under the root (tally)", &tally);
    let overview = time(100, || async {
        tree::overview(app, &ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await?;
    line("root overview (tally + children)", &overview);
    let scope = ctx.actor.scope.clone();
    let scan = time(5, || async {
        let mut c = app.store().read().await?;
        Ok(xueshi_store::units::count_subtree(&mut c, &scope).await?)
    })
    .await?;
    line("units under the root by index range scan", &scan);
    let search = time(50, || async {
        let mut c = app.store().read().await?;
        Ok(xueshi_store::members::search(&mut c, &plan_search("王伟"), &scope, 50).await?)
    })
    .await?;
    line("member search 王伟 under the root", &search);
    let single = time(50, || async {
        let mut c = app.store().read().await?;
        Ok(xueshi_store::members::search(&mut c, &plan_search("彭"), &scope, 50).await?)
    })
    .await?;
    line("member search 彭 (one character) under the root", &single);
    println!(
        "{{\"bench\":\"tree\",\"backend\":\"{}\",\"units\":{},\"members\":{},\"tally_p95_ms\":{:.3},\"overview_p95_ms\":{:.3},\"scan_p50_ms\":{:.1},\"search_p95_ms\":{:.3}}}",
        app.store().backend().name(),
        t.units_total,
        t.members_total,
        tally.p95,
        overview.p95,
        scan.p50,
        search.p95
    );
    Ok(())
}
