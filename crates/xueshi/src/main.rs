//! `xueshi`: one binary that serves the platform and looks after it.

mod bench;
mod config;
mod progress;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand, ValueEnum};
use tokio::net::TcpListener;
use xueshi_app::demo::{self, Scale};
use xueshi_app::{
    App, AppError, Clock, Ctx, Settings, Vault, accounts, backup, consistency, roster, tree,
};
use xueshi_domain::access::Role;
use xueshi_domain::unit::UnitDraft;
use xueshi_store::{Store, StoreOptions};
use xueshi_web::{AppState, WebConfig};

use crate::config::Config;
use crate::progress::Bar;

/// 学史 — run a Party-history study campaign (党史学习教育) over a whole
/// organisation tree, on SQLite or PostgreSQL.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Configuration file (TOML); default `xueshi.toml` when present.
    #[arg(long, global = true, env = "XUESHI_CONFIG")]
    config: Option<PathBuf>,
    /// Database: `sqlite://FILE` (default `sqlite://xueshi.db`) or `postgres://…`.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the pages and the API (migrates the database first).
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long)]
        bind: Option<String>,
        /// Build the district demo first if the database is empty, and show
        /// the demo accounts on the login page.
        #[arg(long)]
        demo: bool,
    },
    /// Build demo data into an empty database.
    Demo {
        /// `district`: 534 grassroots units and 11,543 members modelled on
        /// 云溪区; `province`: 5,000,000 members in about 250,000 units.
        #[arg(long, value_enum, default_value_t = DemoScale::District)]
        scale: DemoScale,
        /// The same seed builds the same data.
        #[arg(long, default_value_t = 2021)]
        seed: u64,
    },
    /// Create the root unit and the first system administrator of a new
    /// installation; prints the administrator's password once.
    Init {
        /// Name of the committee running the campaign, e.g. 中共某某区委员会.
        #[arg(long)]
        root_name: String,
        /// Its code, e.g. YX.
        #[arg(long)]
        root_code: String,
        #[arg(long, default_value = "admin")]
        admin: String,
    },
    /// Import a roster workbook (.xlsx, sheets 组织 and 党员). Every row is
    /// checked first; a file with any error writes nothing.
    Import {
        file: PathBuf,
        /// Act within this account's scope (default: the whole tree).
        #[arg(long = "as")]
        as_user: Option<String>,
        /// Messages in `zh-CN` or `en`.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
    },
    /// Export the roster of a unit's subtree to .xlsx.
    Export {
        /// Code of the unit (default: the root).
        #[arg(long)]
        unit: Option<String>,
        #[arg(short, long)]
        output: PathBuf,
        /// Write whole phone and ID numbers (audited).
        #[arg(long)]
        unmasked: bool,
    },
    /// Write the empty roster template to a file.
    Template { output: PathBuf },
    /// Make a consistent copy of the running database (one SQLite file).
    Backup { file: PathBuf },
    /// Copy a backup into an empty database (SQLite or PostgreSQL).
    Restore { file: PathBuf },
    /// Bring the database schema up to date.
    Migrate,
    /// Recompute every counter from the raw records and report differences.
    Check,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Benchmarks that print their figures (see docs/performance.md).
    Bench {
        #[command(subcommand)]
        which: BenchKind,
    },
}

#[derive(Subcommand)]
enum BenchKind {
    /// Import a generated roster workbook into the district demo (built first
    /// when the database is empty).
    Import {
        #[arg(long, default_value_t = 100_000)]
        members: usize,
    },
    /// Time the tree's hot reads on a database holding a tree (build one
    /// with `xueshi demo --scale province`).
    Tree,
    /// Members taking today's quiz over HTTP, driven by wrk (Debian's `wrk`)
    /// on loopback; checks every acknowledged submission is stored once.
    /// Builds the demo first when the database is empty.
    Quiz {
        /// Members prepared with a session and today's paper, taken evenly
        /// over the whole roster; each submits once, in shuffled order, a
        /// minute and a half after drawing (so each submission also records
        /// its session's activity).
        #[arg(long, default_value_t = 150_000)]
        members: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 64)]
        connections: u32,
        /// The demo to build into an empty database.
        #[arg(long, value_enum, default_value_t = DemoScale::Province)]
        scale: DemoScale,
        /// End with one JSON line of the figures.
        #[arg(long)]
        json: bool,
    },
    /// The public window under load: the public list of matters with its
    /// filters, and problems raised from many addresses at once (each with
    /// its own solved sum); checks every acknowledged problem is stored.
    /// Builds the district demo first when the database is empty, then
    /// fills the catalogue to `--matters`.
    Matters {
        #[arg(long, default_value_t = 20_470)]
        matters: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 64)]
        connections: u32,
        /// End with one JSON line: backend, list_p95_ms, problems_per_s,
        /// acknowledged, stored.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Create an account; prints a generated password.
    Add {
        username: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Code of the unit whose subtree the account works in.
        #[arg(long)]
        scope: String,
        #[arg(long)]
        name: Option<String>,
        /// May see whole phone and ID numbers.
        #[arg(long)]
        unmask: bool,
    },
    /// Set a new generated password and end the account's sessions.
    Passwd { username: String },
    /// Lift a lockout.
    Unlock { username: String },
    /// List accounts.
    List,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DemoScale {
    District,
    Province,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    SystemAdmin,
    CampaignOffice,
    UnitAdmin,
    Inspector,
    Member,
}

impl RoleArg {
    fn role(self) -> Role {
        match self {
            RoleArg::SystemAdmin => Role::SystemAdmin,
            RoleArg::CampaignOffice => Role::CampaignOffice,
            RoleArg::UnitAdmin => Role::UnitAdmin,
            RoleArg::Inspector => Role::Inspector,
            RoleArg::Member => Role::Member,
        }
    }
}

fn init_logging(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&cfg.log));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open(cfg: &Config) -> Result<App> {
    open_with(cfg, false).await
}

/// Opens the database for a long-running server, which checkpoints SQLite's
/// log from a task of its own.
async fn open_with(cfg: &Config, serving: bool) -> Result<App> {
    let store = Store::connect(&StoreOptions {
        url: cfg.database_url.clone(),
        max_connections: cfg.max_connections,
        read_only: false,
        sqlite_cache_mib: cfg.sqlite_cache_mb,
        background_checkpoints: serving,
    })
    .await
    .with_context(|| format!("connecting to {}", config::redact_url(&cfg.database_url)))?;
    store.migrate().await.context("migrating the database")?;
    let settings = Settings {
        node: cfg.node,
        idle_ms: cfg.idle_minutes * 60_000,
        admin_idle_ms: cfg.admin_idle_minutes * 60_000,
        import_max_bytes: cfg.max_upload_mb * 1024 * 1024,
        ..Settings::default()
    };
    Ok(App::new(
        store,
        Clock::system(),
        Vault::new(&cfg.secret()?),
        settings,
    ))
}

/// A context acting over the whole tree, or within one account's scope.
async fn cli_ctx(app: &App, as_user: Option<&str>) -> Result<Ctx> {
    let mut conn = app.store().read().await?;
    let root = xueshi_store::units::roots(&mut conn).await?.into_iter().next().ok_or_else(|| {
        anyhow!("the database has no organisation tree yet: run `xueshi init` or `xueshi demo` first")
    })?;
    drop(conn);
    let mut ctx = Ctx::system(&root.path());
    if let Some(name) = as_user {
        let a = accounts::by_username(app, name)
            .await?
            .ok_or_else(|| anyhow!("no account named {name}"))?;
        let scope = accounts::unit_path(app, a.scope_unit).await?;
        ctx.actor.role = a.role;
        ctx.actor.scope_unit = a.scope_unit;
        ctx.actor.scope = scope;
        ctx.actor.can_unmask = a.can_unmask;
        ctx.actor.username = format!("cli:{name}");
    }
    Ok(ctx)
}

fn generated_password() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..14)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

fn app_error(e: AppError, lang: xueshi_web::i18n::Lang) -> anyhow::Error {
    match e {
        AppError::Rejected(rows) => {
            let mut out = String::new();
            let shown = xueshi_web::pages::roster::problems(lang, &rows, usize::MAX);
            for p in shown {
                out.push_str(&format!("{}：{}\n", p.place, p.message));
            }
            anyhow!(
                "{}\n{out}",
                xueshi_web::i18n::fill(
                    lang.msg().import_rejected,
                    &[("n", rows.len().to_string())]
                )
            )
        }
        other => {
            let h = xueshi_web::error::HttpError::from(other);
            let details: Vec<String> = h
                .fields
                .iter()
                .map(|f| xueshi_web::error::field_message(lang, f))
                .collect();
            anyhow!("{} {}", h.message(lang), details.join("; "))
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

async fn serve(cfg: Config, bind: Option<String>, with_demo: bool) -> Result<()> {
    let app = open_with(&cfg, true).await?;
    if with_demo && demo::installed(&app).await?.is_none() {
        let empty = {
            let mut c = app.store().read().await?;
            xueshi_store::units::roots(&mut c).await?.is_empty()
        };
        if empty {
            eprintln!("构建演示数据（云溪区：534 个基层党组织、11543 名党员）…");
            let bar = Bar::new();
            let s = demo::build(&app, Scale::District, 2021, &bar).await?;
            bar.finish();
            eprintln!(
                "演示数据已就绪：{} 个组织、{} 名党员，用时 {:.1} 秒",
                s.units,
                s.members,
                s.elapsed_ms as f64 / 1000.0
            );
        }
    }
    let show_demo = demo::installed(&app).await?.is_some();
    let web = WebConfig {
        secure_cookies: cfg.secure_cookies(),
        trust_proxy: cfg.trust_proxy,
        login_per_minute: cfg.login_per_minute,
        problems_per_minute: cfg.problems_per_minute,
        max_body_bytes: cfg.max_upload_mb * 1024 * 1024 + 64 * 1024,
        show_demo_accounts: show_demo,
    };
    let addr = bind.unwrap_or(cfg.bind.clone());
    let listener = TcpListener::bind(&addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let local: SocketAddr = listener.local_addr()?;
    let maintenance = app.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(e) = xueshi_app::maintenance::hourly(&maintenance).await {
                tracing::warn!(error = %e, "upkeep failed");
            }
        }
    });
    println!("学史 xueshi 已启动：http://{local}/");
    if show_demo {
        println!("演示账号（密码均为 {}）：", demo::DEMO_PASSWORD);
        println!("  admin       系统管理员（全区）");
        println!("  office      区委党史学习教育办公室（全区，可查看完整号码）");
        println!("  songyanghu  松杨湖街道党工委 组织管理员");
        println!("  inspector   第三巡回指导组（绿色化工产业园）");
        println!("  member      茅岭头社区党员");
    }
    tracing::info!(%local, database = %config::redact_url(&cfg.database_url), "serving");
    xueshi_web::serve(listener, AppState::new(app.clone(), web), shutdown_signal()).await?;
    app.store().close().await;
    Ok(())
}

async fn run(cli: Cli) -> Result<()> {
    let mut cfg = Config::load(cli.config.as_deref())?;
    if let Some(url) = cli.database_url {
        cfg.database_url = url;
    }
    init_logging(&cfg);
    match cli.command {
        Command::Serve { bind, demo } => serve(cfg, bind, demo).await,
        Command::Demo { scale, seed } => {
            let mut cfg = cfg.clone();
            if scale == DemoScale::Province {
                // Millions of rows into random-order indexes: keep them in memory.
                cfg.sqlite_cache_mb = cfg.sqlite_cache_mb.max(2048);
            }
            let app = open(&cfg).await?;
            let scale = match scale {
                DemoScale::District => Scale::District,
                DemoScale::Province => Scale::Province,
            };
            let bar = Bar::new();
            let s = demo::build(&app, scale, seed, &bar)
                .await
                .map_err(|e| app_error(e, Default::default()))?;
            // The province's load leaves most of a gigabyte in SQLite's
            // write-ahead log: copy it back now, not on the server's first start.
            xueshi_app::maintenance::settle(&app)
                .await
                .map_err(|e| app_error(e, Default::default()))?;
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
        Command::Init {
            root_name,
            root_code,
            admin,
        } => {
            let app = open(&cfg).await?;
            let draft = UnitDraft::parse(&root_code, &root_name, "local_committee", Some(0))
                .map_err(|e| app_error(AppError::Invalid(e), Default::default()))?;
            let (root, path) = tree::create_root(&app, &draft)
                .await
                .map_err(|e| app_error(e, Default::default()))?;
            let password = generated_password();
            accounts::create(
                &app,
                &Ctx::system(&path),
                accounts::NewAccountInput {
                    username: admin.clone(),
                    display_name: "系统管理员".into(),
                    password: password.clone(),
                    role: Role::SystemAdmin.as_str().into(),
                    scope_unit: Some(root),
                    can_unmask: true,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| app_error(e, Default::default()))?;
            println!(
                "created {root_name} ({root_code}) and account {admin} with password {password}"
            );
            Ok(())
        }
        Command::Import {
            file,
            as_user,
            lang,
        } => {
            let lang = xueshi_web::i18n::Lang::parse(&lang).unwrap_or_default();
            let app = open(&cfg).await?;
            let ctx = cli_ctx(&app, as_user.as_deref()).await?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let started = Instant::now();
            let bar = Bar::new();
            let out = roster::import::run(&app, &ctx, &name, bytes, &bar).await;
            bar.finish();
            match out.map_err(|e| app_error(e, lang))? {
                xueshi_app::jobs::Output::Imported { units, members } => {
                    println!(
                        "{} ({:.2} s)",
                        xueshi_web::i18n::fill(
                            lang.msg().import_done,
                            &[
                                ("units", units.to_string()),
                                ("members", members.to_string())
                            ]
                        ),
                        started.elapsed().as_secs_f64()
                    );
                }
                xueshi_app::jobs::Output::File { .. } => {}
            }
            Ok(())
        }
        Command::Export {
            unit,
            output,
            unmasked,
        } => {
            let app = open(&cfg).await?;
            let ctx = cli_ctx(&app, None).await?;
            let unit = match unit {
                Some(code) => {
                    tree::by_code(&app, &ctx, &code)
                        .await
                        .map_err(|e| app_error(e, Default::default()))?
                        .id
                }
                None => ctx.actor.scope_unit,
            };
            let bar = Bar::new();
            let out = roster::export::roster(&app, &ctx, unit, unmasked, &bar)
                .await
                .map_err(|e| app_error(e, Default::default()))?;
            bar.finish();
            if let xueshi_app::jobs::Output::File { bytes, .. } = out {
                std::fs::write(&output, bytes)
                    .with_context(|| format!("writing {}", output.display()))?;
                println!("wrote {}", output.display());
            }
            Ok(())
        }
        Command::Template { output } => {
            std::fs::write(
                &output,
                roster::export::template().map_err(|e| app_error(e, Default::default()))?,
            )?;
            println!("wrote {}", output.display());
            Ok(())
        }
        Command::Backup { file } => {
            let app = open(&cfg).await?;
            let bar = Bar::new();
            backup::backup(&app, &file, &bar)
                .await
                .map_err(|e| app_error(e, Default::default()))?;
            bar.finish();
            println!("backup written to {}", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            let store = Store::connect(&StoreOptions::new(cfg.database_url.clone())).await?;
            store.migrate().await?;
            let bar = Bar::new();
            let copied = backup::restore(&store, &file, &bar)
                .await
                .map_err(|e| app_error(e, Default::default()))?;
            bar.finish();
            let rows: u64 = copied.tables.iter().map(|(_, n)| n).sum();
            println!(
                "restored {rows} rows in {} tables from {}",
                copied.tables.len(),
                file.display()
            );
            Ok(())
        }
        Command::Migrate => {
            open(&cfg).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Check => {
            let app = open(&cfg).await?;
            let drift = consistency::check(&app)
                .await
                .map_err(|e| app_error(e, Default::default()))?;
            let study = consistency::check_study(&app)
                .await
                .map_err(|e| app_error(e, Default::default()))?;
            let quotas = consistency::check_quotas(&app)
                .await
                .map_err(|e| app_error(e, Default::default()))?;
            let streaks = consistency::check_streaks(&app)
                .await
                .map_err(|e| app_error(e, Default::default()))?;
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
            if drift.is_empty() && study.is_empty() && quotas.is_empty() && streaks.is_empty() {
                println!("every counter matches the records");
                Ok(())
            } else {
                bail!(
                    "{} unit tallies, {} study counters, {} quota counters and {} members' runs differ from the records",
                    drift.len(),
                    study.len(),
                    quotas.len(),
                    streaks.len()
                )
            }
        }
        Command::User { action } => user(&cfg, action).await,
        Command::Bench { which } => {
            // Never into the installation's own database by accident.
            let scratch = tempfile::tempdir()?;
            let mut cfg = cfg;
            if cfg.database_url == Config::default().database_url {
                cfg.database_url =
                    format!("sqlite://{}", scratch.path().join("bench.db").display());
                cfg.secret_key_file = scratch.path().join("bench.key");
            }
            let app = open_with(&cfg, true).await?;
            match which {
                BenchKind::Import { members } => bench::import(&app, members).await,
                BenchKind::Tree => bench::tree(&app).await,
                BenchKind::Quiz {
                    members,
                    seconds,
                    connections,
                    scale,
                    json,
                } => {
                    let scale = match scale {
                        DemoScale::District => Scale::District,
                        DemoScale::Province => Scale::Province,
                    };
                    bench::quiz(&app, members, seconds, connections, scale, json).await
                }
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
    }
}

async fn user(cfg: &Config, action: UserAction) -> Result<()> {
    let app = open(cfg).await?;
    let ctx = cli_ctx(&app, None).await?;
    let find = |name: String| {
        let app = app.clone();
        async move {
            accounts::by_username(&app, &name)
                .await?
                .ok_or_else(|| anyhow!("no account named {name}"))
        }
    };
    match action {
        UserAction::Add {
            username,
            role,
            scope,
            name,
            unmask,
        } => {
            let password = generated_password();
            accounts::create(
                &app,
                &ctx,
                accounts::NewAccountInput {
                    display_name: name.unwrap_or_else(|| username.clone()),
                    username: username.clone(),
                    password: password.clone(),
                    role: role.role().as_str().into(),
                    scope_code: scope,
                    can_unmask: unmask,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| app_error(e, Default::default()))?;
            println!("created {username} with password {password}");
        }
        UserAction::Passwd { username } => {
            let a = find(username.clone()).await?;
            let password = generated_password();
            accounts::reset_password(&app, &ctx, a.id, password.clone())
                .await
                .map_err(|e| app_error(e, Default::default()))?;
            println!("new password for {username}: {password}");
        }
        UserAction::Unlock { username } => {
            let a = find(username.clone()).await?;
            accounts::unlock(&app, &ctx, a.id)
                .await
                .map_err(|e| app_error(e, Default::default()))?;
            println!("unlocked {username}");
        }
        UserAction::List => {
            for a in accounts::list(&app, &ctx)
                .await
                .map_err(|e| app_error(e, Default::default()))?
            {
                let state = if a.disabled {
                    "disabled"
                } else if a.locked_until.is_some() {
                    "locked?"
                } else {
                    "active"
                };
                println!(
                    "{:<16} {:<16} {:<8} {}",
                    a.username,
                    a.role.as_str(),
                    state,
                    a.scope_name
                );
            }
        }
    }
    Ok(())
}

// Imports and demo builds allocate and free millions of short strings;
// glibc's allocator spent a third of an import in malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
