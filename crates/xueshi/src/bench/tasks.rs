//! `xueshi bench tasks`: one task published to every 党支部 of the demo
//! (the province by default: about 200,000 branches), twenty-nine more to
//! the branches of a county (the largest city's largest), a share of them reported, and the
//! completion matrix (units × 30 tasks) read at the root and at the county
//! — all through the use-cases the pages call; then the counters held to
//! a recount from the assignments.

use std::time::Instant;

use anyhow::{Result, anyhow};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xueshi_app::jobs::Quiet;
use xueshi_app::tasks::{self, ReportInput, TaskInput};
use xueshi_app::{App, consistency};
use xueshi_demo::{self as demo, Scale};
use xueshi_domain::Id;

use super::{largest_child, root_ctx, summarise};

/// Reads of each matrix timed for their percentiles.
const MATRIX_RUNS: usize = 200;
/// Reports made before the matrix is read, so its cells are not all zero.
const REPORTS: usize = 2_000;

pub async fn tasks(app: &App, scale: Scale, json: bool) -> Result<()> {
    let e = |e: xueshi_app::AppError| anyhow!("{e}");
    if demo::installed(app).await?.is_none() {
        eprintln!("building the {scale:?} demo first …");
        demo::build_with(app, scale, 2021, false, &Quiet)
            .await
            .map_err(e)?;
    }
    let ctx = root_ctx(app).await?;
    let root = ctx.actor.scope_unit;
    // A county: the largest unit two levels down (a province's city's),
    // or one level down when the tree is no deeper (a district's town).
    let (city, _) = largest_child(app, root).await?;
    let (county, county_name) = match largest_child(app, city).await {
        Ok(c) => c,
        Err(_) => largest_child(app, root).await?,
    };
    let deadline = xueshi_domain::date::iso(app.clock().today() + time::Duration::days(30));
    let task = |title: String, target: Id| TaskInput {
        kind: "study".into(),
        title,
        deadline: deadline.clone(),
        target_unit: Some(target),
        target_kinds: vec!["branch".into()],
        evidence: "text".into(),
        ..TaskInput::default()
    };
    // The one the issue times: to every branch under the root.
    let first = tasks::create(app, &ctx, root, &task("全省党支部专题学习".into(), root))
        .await
        .map_err(e)?;
    let started = Instant::now();
    let assigned = tasks::publish(app, &ctx, first).await.map_err(e)?;
    let publish_s = started.elapsed().as_secs_f64();
    let mut county_publish = Vec::new();
    for n in 2..=30 {
        let id = tasks::create(app, &ctx, root, &task(format!("专题任务{n}"), county))
            .await
            .map_err(e)?;
        let started = Instant::now();
        tasks::publish(app, &ctx, id).await.map_err(e)?;
        county_publish.push(started.elapsed());
    }
    let county_publish = summarise(county_publish);
    // Some of the county's branches report, each through the use-case.
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let detail = tasks::detail(app, &ctx, first).await.map_err(e)?;
    let mut reported = 0;
    let started = Instant::now();
    for a in detail
        .not_done
        .iter()
        .filter(|_| rng.random_bool(0.6))
        .take(REPORTS)
    {
        let r = ReportInput {
            note: "已完成".into(),
            ..ReportInput::default()
        };
        tasks::report(app, &ctx, a.id, r).await.map_err(e)?;
        reported += 1;
    }
    let report_ms = started.elapsed().as_secs_f64() * 1000.0 / reported.max(1) as f64;
    let (mut at_root, mut at_county) = (
        Vec::with_capacity(MATRIX_RUNS),
        Vec::with_capacity(MATRIX_RUNS),
    );
    let mut widths = (0, 0);
    for _ in 0..MATRIX_RUNS {
        let started = Instant::now();
        let m = tasks::matrix(app, &ctx, root).await.map_err(e)?;
        at_root.push(started.elapsed());
        widths.0 = m.tasks.len();
        let started = Instant::now();
        let m = tasks::matrix(app, &ctx, county).await.map_err(e)?;
        at_county.push(started.elapsed());
        widths.1 = m.rows.len();
    }
    let (root_m, county_m) = (summarise(at_root), summarise(at_county));
    let started = Instant::now();
    let drift = consistency::check_tasks(app).await.map_err(e)?;
    let check_s = started.elapsed().as_secs_f64();
    let units = {
        let mut c = app.store().read().await?;
        xueshi_store::tallies::get(&mut c, root.0)
            .await?
            .units_total
    };
    let backend = app.store().backend().name();
    println!("backend                          {backend}");
    println!("units                            {units}");
    println!("publish to every branch          {publish_s:.2} s ({assigned} assignments)");
    println!(
        "publish to the county's branches p50 {:.1} ms, p95 {:.1} ms (29 tasks, {county_name})",
        county_publish.p50, county_publish.p95
    );
    println!("report one assignment            {report_ms:.2} ms on average ({reported} reports)");
    println!(
        "matrix at the root               p50 {:.2} ms, p95 {:.2} ms ({} tasks, {MATRIX_RUNS} reads)",
        root_m.p50, root_m.p95, widths.0
    );
    println!(
        "matrix at the county             p50 {:.2} ms, p95 {:.2} ms ({} units below it)",
        county_m.p50, county_m.p95, widths.1
    );
    println!(
        "counters equal a recount         {} ({check_s:.1} s to recount)",
        if drift.is_empty() { "yes" } else { "NO" }
    );
    if json {
        println!(
            "{{\"backend\":\"{backend}\",\"units\":{units},\"publish_s\":{publish_s:.3},\"matrix_root_p95_ms\":{:.3},\"matrix_county_p95_ms\":{:.3},\"recomputed_equal\":{}}}",
            root_m.p95,
            county_m.p95,
            drift.is_empty()
        );
    }
    if !drift.is_empty() {
        anyhow::bail!("{} task counters differ from the assignments", drift.len());
    }
    Ok(())
}
