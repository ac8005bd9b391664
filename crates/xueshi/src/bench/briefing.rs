//! `xueshi bench briefing`: a weekly briefing with all its sections
//! generated for the root and for a county-sized unit below it, the root's
//! overview read as a reader opens it, and every figure of the catalogue
//! held to its rows.

use std::time::Instant;

use anyhow::{Result, anyhow};
use xueshi_app::App;
use xueshi_app::briefings::{self, NewBriefing};
use xueshi_app::jobs::Quiet;
use xueshi_demo::{self as demo, Scale};

use xueshi_app::figures::{self, Span};

use super::{largest_child, root_ctx, summarise};

/// Reads of the root's overview timed for its percentiles.
const OVERVIEW_RUNS: usize = 200;

/// Builds `scale`'s demo into an empty database (the province: 5,000,000
/// members, about 90 s), then times the root's weekly briefing and the
/// largest child's, `runs` times each, and checks the catalogue.
pub async fn briefing(app: &App, scale: Scale, runs: usize, json: bool) -> Result<()> {
    if demo::installed(app).await?.is_none() {
        eprintln!("building the {scale:?} demo first …");
        demo::build_with(app, scale, 2021, false, &Quiet)
            .await
            .map_err(|e| anyhow!("{e}"))?;
    }
    let ctx = root_ctx(app).await?;
    let root = ctx.actor.scope_unit;
    let (county, _) = largest_child(app, root).await?;
    let mut seconds = Vec::new();
    for unit in [root, county] {
        let mut best = f64::MAX;
        for _ in 0..runs.max(1) {
            let started = Instant::now();
            let id = briefings::generate(
                app,
                &ctx,
                unit,
                &NewBriefing {
                    kind: "weekly".into(),
                    ..NewBriefing::default()
                },
            )
            .await
            .map_err(|e| anyhow!("{e}"))?;
            briefings::document(app, &ctx, id, "http://localhost")
                .await
                .map_err(|e| anyhow!("{e}"))?;
            best = best.min(started.elapsed().as_secs_f64());
        }
        seconds.push(best);
    }
    // The overview a reader opens at the root: this week's figures, the
    // trend and the units behind.
    let week = Span::week_to(app.clock().today());
    let mut took = Vec::new();
    for _ in 0..OVERVIEW_RUNS {
        let started = Instant::now();
        figures::overview(app, &ctx, root, &week)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        took.push(started.elapsed());
    }
    let overview = summarise(took);
    let started = Instant::now();
    let drift = xueshi_app::figures::check(app)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let check_s = started.elapsed().as_secs_f64();
    let backend = app.store().backend().name();
    println!("backend                        {backend}");
    println!(
        "weekly briefing, root          {:.3} s (best of {runs}, with its Word document)",
        seconds[0]
    );
    println!("weekly briefing, largest child {:.3} s", seconds[1]);
    println!(
        "overview at the root           p50 {:.2} ms, p95 {:.2} ms ({OVERVIEW_RUNS} reads)",
        overview.p50, overview.p95
    );
    println!(
        "figures equal to their rows    {} of {} ({check_s:.1} s to check)",
        xueshi_app::figures::CATALOGUE.len() - drift.len(),
        xueshi_app::figures::CATALOGUE.len()
    );
    for d in &drift {
        println!("  differs: {d}");
    }
    if json {
        println!(
            "{{\"backend\":\"{backend}\",\"root_briefing_s\":{:.3},\"county_briefing_s\":{:.3},\"overview_p95_ms\":{:.3},\"figures\":{},\"figures_equal_recomputation\":{}}}",
            seconds[0],
            seconds[1],
            overview.p95,
            xueshi_app::figures::CATALOGUE.len(),
            drift.is_empty()
        );
    }
    Ok(())
}
