//! `xueshi serve`: the pages and the API, with the hourly upkeep beside them.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::net::TcpListener;
use xueshi_demo::{self as demo, Scale};
use xueshi_web::{AppState, DemoSignIn, WebConfig};

use crate::config::{self, Config};
use crate::open_with;
use crate::progress::Bar;

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

pub async fn serve(cfg: Config, bind: Option<String>, with_demo: bool) -> Result<()> {
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
    // A tree made before the task list existed gets its kinds.
    xueshi_app::tasks::ensure_kinds(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let show_demo = demo::installed(&app).await?.is_some();
    let web = WebConfig {
        secure_cookies: cfg.secure_cookies(),
        trusted_proxies: cfg.trusted_proxies()?,
        login_per_minute: cfg.login_per_minute,
        problems_per_minute: cfg.problems_per_minute,
        joins_per_minute: cfg.joins_per_minute,
        max_body_bytes: cfg.max_upload_mb * 1024 * 1024 + 64 * 1024,
        demo_sign_in: show_demo.then(|| DemoSignIn::new(demo::DEMO_PASSWORD, &demo::ACCOUNTS)),
    };
    if web.secure_cookies != Some(true) && web.trusted_proxies.is_empty() {
        tracing::warn!(
            "serving plain HTTP: session cookies are not Secure and travel unprotected; \
             for real use put it behind HTTPS (README, TLS)"
        );
        eprintln!(
            "警告：以明文 HTTP 运行，登录凭据未受保护——仅供本机试用；正式使用请配置 HTTPS（见 README 的 TLS 一节）\n\
             WARNING: plain HTTP, cookies not Secure — for a local trial only; see README, TLS"
        );
    }
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
    let robots = app.clone();
    tokio::spawn(async move {
        // Group robots (the morning digest, the outbox tried in rounds) and
        // the make-up lists of exams whose window has just closed.
        let mut every = tokio::time::interval(Duration::from_secs(20));
        loop {
            every.tick().await;
            if let Err(e) = xueshi_app::exams::make_ups_due(&robots).await {
                tracing::warn!(error = %e, "exam make-ups failed");
            }
            if let Err(e) = xueshi_app::webhooks::digest(&robots).await {
                tracing::warn!(error = %e, "webhook digest failed");
            }
            if let Err(e) = xueshi_app::webhooks::deliver(&robots).await {
                tracing::warn!(error = %e, "webhook delivery failed");
            }
        }
    });
    println!("学史 xueshi 已启动：http://{local}/");
    if show_demo {
        println!("演示账号（密码均为 {}）：", demo::DEMO_PASSWORD);
        println!("  admin       系统管理员（全区）");
        println!("  office      区委党史学习教育办公室（全区，可查看完整号码）");
        println!("  songyanghu  松杨湖街道党工委 组织管理员");
        println!("  maolingtou  茅岭头社区第一党支部 支部书记");
        println!("  inspector   第三巡回指导组（绿色化工产业园）");
        println!("  member      茅岭头社区党员");
    }
    tracing::info!(%local, database = %config::redact_url(&cfg.database_url), "serving");
    xueshi_web::serve(listener, AppState::new(app.clone(), web), shutdown_signal()).await?;
    app.store().close().await;
    Ok(())
}
