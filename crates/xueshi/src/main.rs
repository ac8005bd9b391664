//! `xueshi`: one binary that serves the platform and looks after it.

mod bench;
mod campaign;
mod cli;
mod commands;
mod config;
mod explain;
mod progress;
mod serve;
mod user;

use anyhow::{Context, Result, anyhow};
use clap::Parser;
use xueshi_app::{App, Clock, Ctx, Settings, Vault, accounts};
use xueshi_store::{Store, StoreOptions};

use crate::cli::{Cli, Command};
use crate::config::Config;

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
        import: xueshi_app::sheet::Limits {
            max_rows: cfg.import_max_rows,
            max_cells: cfg.import_max_cells,
            ..Default::default()
        },
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
        let a = account_named(app, name).await?;
        let scope = accounts::unit_path(app, a.scope_unit).await?;
        ctx.actor.role = a.role;
        ctx.actor.scope_unit = a.scope_unit;
        ctx.actor.scope = scope;
        ctx.actor.can_unmask = a.can_unmask;
        ctx.actor.username = format!("cli:{name}");
    }
    Ok(ctx)
}

/// The account of a user name given on the command line.
async fn account_named(app: &App, name: &str) -> Result<accounts::AccountView> {
    accounts::by_username(app, name)
        .await?
        .ok_or_else(|| anyhow!("no account named {name}"))
}

async fn run(cli: Cli) -> Result<()> {
    let mut cfg = Config::load(cli.config.as_deref())?;
    if let Some(url) = cli.database_url {
        cfg.database_url = url;
    }
    init_logging(&cfg);
    match cli.command {
        Command::Serve { bind, demo } => serve::serve(cfg, bind, demo).await,
        Command::Demo { scale, seed } => commands::demo(&cfg, scale, seed).await,
        Command::Init {
            root_name,
            root_code,
            admin,
        } => commands::init(&cfg, &root_name, &root_code, &admin).await,
        Command::Import {
            file,
            as_user,
            lang,
        } => commands::import(&cfg, &file, as_user.as_deref(), &lang).await,
        Command::Export {
            unit,
            output,
            unmasked,
        } => commands::export(&cfg, unit.as_deref(), &output, unmasked).await,
        Command::Template { output } => commands::template(&output),
        Command::Backup { file } => commands::backup(&cfg, &file).await,
        Command::Restore { file } => commands::restore(&cfg, &file).await,
        Command::Migrate => {
            open(&cfg).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Check => commands::check(&cfg).await,
        Command::User { action } => user::user(&cfg, action).await,
        Command::Campaign { action } => campaign::campaign(&cfg, action).await,
        Command::Bench { which } => commands::bench(&cfg, which).await,
    }
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
