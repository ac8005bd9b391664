//! Reminders where staff already are: a unit's group robot (企业微信 or 钉钉
//! 群机器人), off until the office switches it on. A published task is
//! announced to the robots of the units above its target and within it; an
//! assignment sent back, to the robots above its unit; each morning a
//! digest of what is due this week and overdue goes to every robot. The
//! messages wait in an outbox written with the change that caused them, are
//! sent in the JSON both robots accept, and are retried with growing pauses
//! when the robot cannot be reached; every failure is kept and logged.
//! Nothing requires the robot: xueshi works the same offline.

use std::sync::OnceLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::iso;
use xueshi_domain::invalid::FieldError;
use xueshi_domain::unit::UnitPath;
use xueshi_store::webhooks::{self as store, OutboxRow};

use crate::audit::{Audited, Entry};
use crate::clock::BEIJING;
use crate::tree::load_allowed;
use crate::{App, AppError, AppResult, Ctx};

/// Pauses before each retry; after the last the message is given up.
const RETRY_MINUTES: [i64; 5] = [1, 5, 30, 120, 720];
/// Messages tried in one round.
const ROUND: i64 = 50;
/// The hour (Beijing time) from which the day's digest goes out.
const DIGEST_HOUR: u8 = 8;
/// Longest robot address.
const URL_MAX: usize = 500;

/// A unit's robot as its office sets it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WebhookInput {
    /// The robot's address (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
    /// or https://oapi.dingtalk.com/robot/send?access_token=…).
    pub url: String,
    pub enabled: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: Id,
    pub content: String,
    pub created_at: i64,
    pub attempts: i64,
    /// sent, failed (given up) or waiting.
    pub state: &'static str,
    pub last_error: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Webhook {
    pub unit: Id,
    pub unit_name: String,
    pub url: String,
    pub enabled: bool,
    /// The latest messages to it, newest first.
    pub recent: Vec<Delivery>,
}

fn delivery(r: OutboxRow) -> Delivery {
    Delivery {
        id: Id(r.id),
        state: if r.sent_at.is_some() {
            "sent"
        } else if r.failed_at.is_some() {
            "failed"
        } else {
            "waiting"
        },
        content: r.content,
        created_at: r.created_at,
        attempts: r.attempts,
        last_error: r.last_error,
    }
}

/// A unit's robot and its latest messages.
pub async fn get(app: &App, ctx: &Ctx, unit: Id) -> AppResult<Webhook> {
    let (urow, _) = load_allowed(app, ctx, unit, Action::ManageStudy).await?;
    let mut conn = app.store().read().await?;
    let w = store::get(&mut conn, urow.id).await?;
    let recent = store::recent(&mut conn, urow.id, 20).await?;
    Ok(Webhook {
        unit,
        unit_name: urow.name,
        url: w.as_ref().map(|w| w.url.clone()).unwrap_or_default(),
        enabled: w.is_some_and(|w| w.enabled == 1),
        recent: recent.into_iter().map(delivery).collect(),
    })
}

/// Sets a unit's robot. Only the campaign office may: the server posts to
/// whatever address is set here.
pub async fn set(app: &App, ctx: &Ctx, unit: Id, input: &WebhookInput) -> AppResult<()> {
    let (urow, allowed) = load_allowed(app, ctx, unit, Action::ManageStudy).await?;
    let url = input.url.trim();
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if url.is_empty() && input.enabled {
        return Err(AppError::invalid("url", "required"));
    }
    if !url.is_empty() && (!scheme_ok || url.chars().any(|c| c.is_whitespace() || c.is_control())) {
        return Err(FieldError::new("url", "bad_webhook_url")
            .with("value", url)
            .into());
    }
    if url.chars().count() > URL_MAX {
        return Err(FieldError::new("url", "too_long")
            .with("max", URL_MAX)
            .into());
    }
    let before = {
        let mut conn = app.store().read().await?;
        store::get(&mut conn, urow.id).await?
    };
    let mut tx = Audited::begin(app, allowed).await?;
    store::set(&mut tx, urow.id, url, input.enabled, app.now()).await?;
    // The key in a robot's address is its password: the audit keeps the host.
    let host = |u: &str| u.split('?').next().unwrap_or_default().to_owned();
    tx.commit(
        Entry::new("webhook.set", "unit", Some(unit), &urow.name)
            .unit(unit)
            .before(&before.map(|w| (host(&w.url), w.enabled == 1)))
            .after(&(host(url), input.enabled)),
    )
    .await?;
    Ok(())
}

/// Queues a test message to a unit's robot.
pub async fn test(app: &App, ctx: &Ctx, unit: Id) -> AppResult<()> {
    let (urow, allowed) = load_allowed(app, ctx, unit, Action::ManageStudy).await?;
    let mut tx = Audited::begin(app, allowed).await?;
    store::enqueue(
        &mut tx,
        app.next_id().0,
        urow.id,
        &format!(
            "【学史】{}的群机器人已接通，任务提醒将发到这里。",
            urow.name
        ),
        app.now(),
    )
    .await?;
    tx.commit(Entry::new("webhook.test", "unit", Some(unit), &urow.name).unit(unit))
        .await?;
    Ok(())
}

/// Queues `content` to the robots switched on at the units of `path` (the
/// unit itself and those above it), inside the caller's transaction.
pub(crate) async fn notify_above(
    app: &App,
    conn: &mut sqlx::AnyConnection,
    path: &UnitPath,
    content: &str,
) -> AppResult<()> {
    let ids: Vec<i64> = path.ids().iter().map(|i| i.0).collect();
    for w in store::enabled_at(conn, &ids).await? {
        store::enqueue(conn, app.next_id().0, w.unit_id, content, app.now()).await?;
    }
    Ok(())
}

/// Queues `content` to the robots at and above `path` and within its
/// subtree (a task published to it).
pub(crate) async fn notify_around(
    app: &App,
    conn: &mut sqlx::AnyConnection,
    path: &UnitPath,
    content: &str,
) -> AppResult<()> {
    let mut targets =
        store::enabled_at(conn, &path.ids().iter().map(|i| i.0).collect::<Vec<_>>()).await?;
    targets.extend(
        store::all_enabled(conn)
            .await?
            .into_iter()
            .filter(|w| w.unit_path.is_within(path) && w.unit_path != *path),
    );
    for w in targets {
        store::enqueue(conn, app.next_id().0, w.unit_id, content, app.now()).await?;
    }
    Ok(())
}

/// Queues each robot's digest of the day, once a day from 08:00: tasks of
/// its subtree due this week and overdue, with the first overdue units
/// named. Returns how many were queued.
pub async fn digest(app: &App) -> AppResult<usize> {
    let hour = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(app.now()) * 1_000_000)
        .map(|t| t.to_offset(BEIJING).hour())
        .unwrap_or(0);
    if hour < DIGEST_HOUR {
        return Ok(0);
    }
    let today = app.clock().today();
    let (day, week_end) = (iso(today), iso(today + time::Duration::days(6)));
    let robots = {
        let mut conn = app.store().read().await?;
        store::all_enabled(&mut conn).await?
    };
    let mut queued = 0;
    for w in robots {
        if w.digest_on.as_deref() >= Some(day.as_str()) {
            continue;
        }
        let mut conn = app.store().read().await?;
        let (due, overdue) =
            xueshi_store::tasks::owed_sum(&mut conn, w.unit_id, &day, &week_end).await?;
        let (late, _) = xueshi_store::tasks::listed_in(
            &mut conn,
            &w.unit_path,
            xueshi_store::tasks::Listed::Overdue(&day),
            20,
            0,
        )
        .await?;
        drop(conn);
        let mut names: Vec<String> = Vec::new();
        for a in late {
            if !names.contains(&a.unit) && names.len() < 5 {
                names.push(a.unit);
            }
        }
        let mut tx = app.store().write().await?;
        if !store::mark_digest(&mut tx, w.unit_id, &day).await? {
            continue;
        }
        if due + overdue > 0 {
            let mut content = format!(
                "【学史·任务提醒】{}：本周到期未完成 {due} 项，已逾期 {overdue} 项。",
                w.unit_name
            );
            if !names.is_empty() {
                content.push_str(&format!("逾期单位：{}等。", names.join("、")));
            }
            store::enqueue(&mut tx, app.next_id().0, w.unit_id, &content, app.now()).await?;
            queued += 1;
        }
        tx.commit().await?;
    }
    Ok(queued)
}

type Https = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    http_body_util::Full<hyper::body::Bytes>,
>;

/// The client, made once: the system's roots, read on first use.
fn client() -> Result<&'static Https, String> {
    static CLIENT: OnceLock<Result<Https, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            // ring lacks post-quantum key exchange, which a robot's
            // notification does not need; aws-lc would need cmake to build.
            #[allow(deprecated)]
            let provider = rustls::crypto::ring::default_provider();
            let https = hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_native_roots(provider)
                .map_err(|e| format!("TLS roots: {e}"))?
                .https_or_http()
                .enable_http1()
                .build();
            Ok(
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build(https),
            )
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Posts one message in the robots' JSON; the error in words when the
/// robot did not take it (both answer `{"errcode":0}` when they do).
async fn post(url: &str, content: &str) -> Result<(), String> {
    use http_body_util::BodyExt;
    let body = serde_json::json!({ "msgtype": "text", "text": { "content": content } });
    let req = hyper::Request::post(url)
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(hyper::body::Bytes::from(
            body.to_string(),
        )))
        .map_err(|e| format!("{e}"))?;
    let sent = tokio::time::timeout(Duration::from_secs(10), client()?.request(req));
    let r = sent
        .await
        .map_err(|_| "timed out after 10 s".to_owned())?
        .map_err(|e| format!("{e}"))?;
    let status = r.status();
    let bytes = r
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("{e}"))?
        .to_bytes();
    let text = String::from_utf8_lossy(&bytes);
    if !status.is_success() {
        return Err(format!(
            "HTTP {status}: {}",
            text.chars().take(200).collect::<String>()
        ));
    }
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) if v["errcode"].as_i64().unwrap_or(0) != 0 => {
            Err(format!("errcode {}: {}", v["errcode"], v["errmsg"]))
        }
        _ => Ok(()),
    }
}

/// Tries every message due: sent, or tried again later, or given up after
/// the last pause. Returns (sent, failed attempts).
pub async fn deliver(app: &App) -> AppResult<(usize, usize)> {
    let due = {
        let mut conn = app.store().read().await?;
        store::due(&mut conn, app.now(), ROUND).await?
    };
    let (mut sent, mut failed) = (0, 0);
    for m in due {
        let robot = {
            let mut conn = app.store().read().await?;
            store::get(&mut conn, m.unit_id).await?
        };
        let result = match robot {
            Some(w) if w.enabled == 1 => post(&w.url, &m.content).await,
            _ => Err("webhook_off".to_owned()),
        };
        let mut tx = app.store().write().await?;
        match result {
            Ok(()) => {
                store::mark_sent(&mut tx, m.id, app.now()).await?;
                sent += 1;
            }
            Err(e) => {
                let next = RETRY_MINUTES
                    .get(m.attempts as usize)
                    .filter(|_| e != "webhook_off")
                    .map(|min| app.now() + min * 60_000);
                tracing::warn!(message = m.id, unit = m.unit_id, attempt = m.attempts + 1, error = %e, given_up = next.is_none(), "webhook delivery failed");
                store::mark_failed(&mut tx, m.id, &e, next, app.now()).await?;
                failed += 1;
            }
        }
        tx.commit().await?;
    }
    Ok((sent, failed))
}
