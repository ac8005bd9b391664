//! `xueshi bench study`: a unit's study dashboard as its page reads it, at
//! the root and at its largest unit, and the export of who is behind.

use anyhow::Result;
use xueshi_app::App;
use xueshi_app::jobs::Quiet;
use xueshi_demo::{self as demo, Scale};

use super::{largest_child, line, root_ctx, time};

/// A unit's study dashboard as its page reads it — the trend, the
/// leaderboard and every quota's compliance — at the root and at the
/// largest unit below it. Builds the district demo with two weeks of study
/// when the database is empty (a province needs `xueshi demo --scale
/// province` first).
pub async fn study(app: &App, runs: usize) -> Result<()> {
    if demo::installed(app).await?.is_none() {
        eprintln!("building the district demo with its study first …");
        demo::build(app, Scale::District, 2021, &Quiet)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let ctx = root_ctx(app).await?;
    let root = ctx.actor.scope_unit;
    let largest = largest_child(app, root).await?;
    let mut figures = Vec::new();
    for (unit, name) in [(root, "the root".to_owned()), largest] {
        let members = xueshi_app::tree::tally(app, &ctx, unit)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .members_total;
        let page = time(runs, || async {
            xueshi_app::study::dashboard(app, &ctx, unit, 14)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            xueshi_app::compliance::compliance(app, &ctx, unit)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
        })
        .await?;
        line(
            &format!("study dashboard, {name} ({members} members)"),
            &page,
        );
        figures.push(format!(
            "\"{}_p95_ms\":{:.3}",
            if unit == root {
                "root"
            } else {
                "largest_child"
            },
            page.p95
        ));
        if unit == root {
            let export = time(5, || async {
                xueshi_app::compliance::behind_workbook(app, &ctx, unit)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))
            })
            .await?;
            line("who is behind, as a workbook, at the root", &export);
            figures.push(format!("\"behind_export_p50_ms\":{:.1}", export.p50));
        }
    }
    println!(
        "{{\"bench\":\"study\",\"backend\":\"{}\",{}}}",
        app.store().backend().name(),
        figures.join(",")
    );
    Ok(())
}
