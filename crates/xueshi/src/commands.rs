//! The subcommands that look after an installation: demo data, the first
//! administrator, roster files, backups, the consistency check, benchmarks.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use xueshi_app::jobs::Output;
use xueshi_app::{AppError, Ctx, accounts, backup, consistency, roster, tree};
use xueshi_demo as demo;
use xueshi_domain::access::Role;
use xueshi_domain::unit::UnitDraft;
use xueshi_store::{Store, StoreOptions};
use xueshi_web::i18n::{Lang, fill};

use crate::cli::{BenchKind, DemoScale};
use crate::config::Config;
use crate::explain::{Explained, app_error};
use crate::progress::Bar;
use crate::user::generated_password;
use crate::{bench, cli_ctx, open, open_with};

/// `xueshi demo`: builds the demo data into an empty database.
pub async fn demo(cfg: &Config, scale: DemoScale, seed: u64) -> Result<()> {
    let mut cfg = cfg.clone();
    if scale == DemoScale::Province {
        // Millions of rows into random-order indexes: keep them in memory.
        cfg.sqlite_cache_mb = cfg.sqlite_cache_mb.max(2048);
    }
    let app = open(&cfg).await?;
    let bar = Bar::new();
    let s = demo::build(&app, scale.into(), seed, &bar)
        .await
        .explained()?;
    // The province's load leaves most of a gigabyte in SQLite's
    // write-ahead log: copy it back now, not on the server's first start.
    xueshi_app::maintenance::settle(&app).await.explained()?;
    app.store().close().await;
    bar.finish();
    println!(
        "built {:?}: {} units ({} grassroots), {} members in {:.1} s",
        s.scale,
        s.units,
        s.grassroots,
        s.members,
        s.elapsed_ms as f64 / 1000.0
    );
    for (name, role, scope) in s.accounts {
        println!("  account {name:<12} {:<16} {scope}", role.as_str());
    }
    println!("  password {}", demo::DEMO_PASSWORD);
    Ok(())
}

/// `xueshi init`: the root unit and the first system administrator.
pub async fn init(cfg: &Config, root_name: &str, root_code: &str, admin: &str) -> Result<()> {
    let app = open(cfg).await?;
    let draft = UnitDraft::parse(root_code, root_name, "local_committee", Some(0))
        .map_err(AppError::Invalid)
        .explained()?;
    let (root, path) = tree::create_root(&app, &draft).await.explained()?;
    let password = generated_password();
    accounts::create(
        &app,
        &Ctx::system(&path),
        accounts::NewAccountInput {
            username: admin.to_owned(),
            display_name: "系统管理员".into(),
            password: password.clone(),
            role: Role::SystemAdmin.as_str().into(),
            scope_unit: Some(root),
            can_unmask: true,
            ..Default::default()
        },
    )
    .await
    .explained()?;
    println!("created {root_name} ({root_code}) and account {admin} with password {password}");
    Ok(())
}

/// `xueshi import`: a roster workbook, checked whole before anything is written.
pub async fn import(cfg: &Config, file: &Path, as_user: Option<&str>, lang: &str) -> Result<()> {
    let lang = Lang::parse(lang).unwrap_or_default();
    let app = open(cfg).await?;
    let ctx = cli_ctx(&app, as_user).await?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let started = Instant::now();
    let bar = Bar::new();
    let out = roster::import::run(&app, &ctx, &name, bytes, &bar).await;
    bar.finish();
    if let Output::Imported {
        units,
        members,
        formulas,
    } = out.map_err(|e| app_error(e, lang))?
    {
        println!(
            "{} ({:.2} s)",
            fill(
                lang.msg().import_done,
                &[
                    ("units", units.to_string()),
                    ("members", members.to_string())
                ]
            ),
            started.elapsed().as_secs_f64()
        );
        if let Some(note) = xueshi_web::import_report::formula_message(lang, &formulas) {
            println!("{note}");
        }
    }
    Ok(())
}

/// `xueshi export`: the roster of a unit's subtree as .xlsx.
pub async fn export(cfg: &Config, unit: Option<&str>, output: &Path, unmasked: bool) -> Result<()> {
    let app = open(cfg).await?;
    let ctx = cli_ctx(&app, None).await?;
    let unit = match unit {
        Some(code) => tree::by_code(&app, &ctx, code).await.explained()?.id,
        None => ctx.actor.scope_unit,
    };
    let bar = Bar::new();
    let out = roster::export::roster(&app, &ctx, unit, unmasked, &bar)
        .await
        .explained()?;
    bar.finish();
    if let Output::File { bytes, .. } = out {
        std::fs::write(output, bytes).with_context(|| format!("writing {}", output.display()))?;
        println!("wrote {}", output.display());
    }
    Ok(())
}

/// `xueshi template`: the empty roster workbook.
pub fn template(output: &Path) -> Result<()> {
    std::fs::write(output, roster::export::template().explained()?)
        .with_context(|| format!("writing {}", output.display()))?;
    println!("wrote {}", output.display());
    Ok(())
}

/// `xueshi backup`: a consistent copy of the running database in one SQLite file.
pub async fn backup(cfg: &Config, file: &Path) -> Result<()> {
    let app = open(cfg).await?;
    let bar = Bar::new();
    backup::backup(&app, file, &bar).await.explained()?;
    bar.finish();
    println!("backup written to {}", file.display());
    Ok(())
}

/// `xueshi restore`: a backup copied into an empty database of either kind.
pub async fn restore(cfg: &Config, file: &Path) -> Result<()> {
    let store = Store::connect(&StoreOptions::new(cfg.database_url.clone())).await?;
    store.migrate().await?;
    let bar = Bar::new();
    let copied = backup::restore(&store, file, &bar).await.explained()?;
    bar.finish();
    let rows: u64 = copied.tables.iter().map(|(_, n)| n).sum();
    println!(
        "restored {rows} rows in {} tables from {}",
        copied.tables.len(),
        file.display()
    );
    Ok(())
}

/// `xueshi check`: every counter recomputed from the records; any
/// difference is printed and fails the command.
pub async fn check(cfg: &Config) -> Result<()> {
    let app = open(cfg).await?;
    let drift = consistency::check(&app).await.explained()?;
    let study = consistency::check_study(&app).await.explained()?;
    let quotas = consistency::check_quotas(&app).await.explained()?;
    let streaks = consistency::check_streaks(&app).await.explained()?;
    let tasks = consistency::check_tasks(&app).await.explained()?;
    let figures = xueshi_app::figures::check(&app).await.explained()?;
    for d in &drift {
        println!(
            "unit {}: stored {:?}, recomputed {:?}",
            d.unit, d.stored, d.recomputed
        );
    }
    for d in &study {
        println!(
            "unit {} on {}: study counters stored {:?}, recomputed {:?}",
            d.unit, d.day, d.stored, d.recomputed
        );
    }
    for d in &quotas {
        println!(
            "unit {}, quota {} from {}: members meeting it stored {}, recomputed {}",
            d.unit, d.quota, d.window_from, d.stored, d.recomputed
        );
    }
    for d in &streaks {
        println!(
            "member {}: run of quiz days stored {:?}, recomputed {:?}",
            d.member, d.stored, d.recomputed
        );
    }
    for d in &tasks {
        println!(
            "unit {}, task {} due {}: (assigned, done, late) stored {:?}, recomputed {:?}",
            d.unit, d.task, d.due_on, d.stored, d.recomputed
        );
    }
    for f in &figures {
        println!("figure {f}");
    }
    if drift.is_empty()
        && study.is_empty()
        && quotas.is_empty()
        && streaks.is_empty()
        && tasks.is_empty()
        && figures.is_empty()
    {
        println!("every counter matches the records");
        Ok(())
    } else {
        bail!(
            "{} unit tallies, {} study counters, {} quota counters, {} members' runs, {} task counters and {} figures differ from the records",
            drift.len(),
            study.len(),
            quotas.len(),
            streaks.len(),
            tasks.len(),
            figures.len()
        )
    }
}

/// `xueshi bench …`: never into the installation's own database by accident.
pub async fn bench(cfg: &Config, which: BenchKind) -> Result<()> {
    let scratch = tempfile::tempdir()?;
    let mut cfg = cfg.clone();
    if cfg.database_url == Config::default().database_url {
        cfg.database_url = format!("sqlite://{}", scratch.path().join("bench.db").display());
        cfg.secret_key_file = scratch.path().join("bench.key");
    }
    let app = open_with(&cfg, true).await?;
    match which {
        BenchKind::Import { members } => bench::import(&app, members).await,
        BenchKind::Tree => bench::tree(&app).await,
        BenchKind::Study { runs } => bench::study::study(&app, runs).await,
        BenchKind::Tasks { scale, json } => bench::tasks::tasks(&app, scale.into(), json).await,
        BenchKind::Briefing { scale, runs, json } => {
            bench::briefing::briefing(&app, scale.into(), runs, json).await
        }
        BenchKind::Live {
            phones,
            jitter,
            json,
        } => bench::live::live(&app, phones, jitter, json).await,
        BenchKind::Exam {
            members,
            concurrency,
            json,
        } => bench::exam::exam(&app, members, concurrency, json).await,
        BenchKind::Quiz {
            members,
            seconds,
            connections,
            scale,
            json,
        } => bench::quiz(&app, members, seconds, connections, scale.into(), json).await,
        BenchKind::Matters {
            matters,
            seconds,
            connections,
            json,
        } => {
            bench::matters::prepare(&app, matters).await?;
            app.store().close().await;
            let app = open_with(&cfg, true).await?;
            bench::matters::matters(&app, seconds, connections, json).await
        }
    }
}
