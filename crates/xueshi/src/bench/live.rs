//! `xueshi bench live`: one competition with thousands of phones connected
//! over WebSockets on loopback (a Kahoot room's 2,000). Each phone's clock
//! is set off by up to ±5 s and its link delayed by a fixed 0–20 ms each
//! way plus a random jitter per message. For each buzz question the host
//! unlocks and every phone presses after a reaction of its own; the bench
//! measures the time from the host's unlock to each phone receiving it,
//! each buzz's acknowledgement, and compares the order the server settled
//! on with the order the phones really pressed in (wall clock): any pair
//! pressed further apart than the jitter and ordered the wrong way is an
//! error. Every acknowledged buzz must be in the log.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use xueshi_app::App;
use xueshi_app::live::room::{self, HostAction};
use xueshi_app::live::{self, CompetitionInput, RoundInput, TeamInput};
use xueshi_demo::Scale;

use super::{Loopback, Quiet, root_ctx, summarise};

/// Buzz questions played.
const QUESTIONS: usize = 3;

fn wall() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// What one phone saw of one question.
#[derive(Clone, Debug, Default)]
struct Seen {
    /// From the host's unlock to the announcement reaching the phone.
    fanout: Option<Duration>,
    /// From the buzz leaving the phone to its acknowledgement.
    ack: Option<Duration>,
    result: String,
    /// When it really pressed (wall ms).
    pressed: i64,
}

struct Phone {
    team: i64,
    skew: i64,
    delay: i64,
    jitter: i64,
    seed: u64,
}

/// A press on its way: when it was really made, when it left.
type Press = Arc<std::sync::Mutex<Option<(i64, Instant)>>>;

/// A phone's life: answers pings as its clock and link would, opens at
/// the announced unlock, presses after its reaction, tells what it saw.
async fn run_phone(
    url: String,
    cookie: String,
    p: Phone,
    unlocked: Arc<Mutex<Vec<Instant>>>,
    seen: mpsc::UnboundedSender<(i64, i64, Seen)>,
    synced: mpsc::UnboundedSender<()>,
) -> Result<()> {
    let mut req = url.into_client_request()?;
    req.headers_mut().insert("cookie", cookie.parse()?);
    let (ws, _) = tokio_tungstenite::connect_async(req).await?;
    let (mut tx, mut rx) = ws.split();
    let (out, mut outbox) = mpsc::unbounded_channel::<(String, Option<Press>)>();
    tokio::spawn(async move {
        while let Some((m, press)) = outbox.recv().await {
            if let Some(p) = press
                && let Ok(mut slot) = p.lock()
                && let Some((_, sent)) = slot.as_mut()
            {
                *sent = Instant::now();
            }
            if tx.send(Message::text(m)).await.is_err() {
                return;
            }
        }
    });
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let mut offset: Option<i64> = None;
    let mut samples = 0;
    let mut done_q = 0i64;
    let mut pending: Option<(i64, Seen, Press)> = None;
    while let Some(m) = rx.next().await {
        let Message::Text(text) = m? else { continue };
        let arrived = Instant::now();
        let v: Value = serde_json::from_str(text.as_str())?;
        match v["t"].as_str() {
            Some("ping") => {
                let d1 = p.delay + rng.random_range(0..=p.jitter);
                let d2 = p.delay + rng.random_range(0..=p.jitter);
                let (out, s, skew) = (out.clone(), v["s"].clone(), p.skew);
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(d1 as u64)).await;
                    let c = wall() + skew;
                    tokio::time::sleep(Duration::from_millis(d2 as u64)).await;
                    let _ = out.send((json!({ "t": "pong", "s": s, "c": c }).to_string(), None));
                });
            }
            Some("sync") => {
                offset = v["offset"].as_i64();
                samples += 1;
                if samples == 8 {
                    let _ = synced.send(());
                }
            }
            // The unlock comes as a few bytes (`open`); a phone that
            // reconnects finds it in its first full view.
            Some("open" | "snap")
                if (v["t"] == "open" || v["phase"] == "open")
                    && v["q"].as_i64().or(v["position"].as_i64()) > Some(done_q) =>
            {
                let q = v["q"].as_i64().or(v["position"].as_i64()).unwrap_or(0);
                done_q = q;
                let fanout = unlocked
                    .lock()
                    .await
                    .get(q as usize - 1)
                    .map(|t| arrived.saturating_duration_since(*t));
                let local_unlock = v["unlock_at"].as_i64().unwrap_or(0) - offset.unwrap_or(0);
                // The announcement reaches the phone after its link's delay.
                let seen_in = p.delay + rng.random_range(0..=p.jitter);
                let reaction: i64 = rng.random_range(300..2_300);
                let send_in = p.delay + rng.random_range(0..=p.jitter);
                let press: Press = Arc::default();
                pending = Some((
                    q,
                    Seen {
                        fanout,
                        ..Seen::default()
                    },
                    Arc::clone(&press),
                ));
                let (out, skew) = (out.clone(), p.skew);
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(seen_in as u64)).await;
                    let wait = local_unlock + reaction - (wall() + skew);
                    if wait > 0 {
                        tokio::time::sleep(Duration::from_millis(wait as u64)).await;
                    }
                    let now = wall();
                    let c = now + skew;
                    if let Ok(mut slot) = press.lock() {
                        *slot = Some((now, Instant::now()));
                    }
                    tokio::time::sleep(Duration::from_millis(send_in as u64)).await;
                    let m =
                        json!({ "t": "buzz", "q": q, "c": c, "r": c - local_unlock }).to_string();
                    let _ = out.send((m, Some(press)));
                });
            }
            Some("ack") => {
                if let Some((q, mut s, press)) = pending.take() {
                    s.result = v["result"].as_str().unwrap_or_default().to_owned();
                    if let Ok(slot) = press.lock()
                        && let Some((pressed, sent)) = *slot
                    {
                        s.pressed = pressed;
                        s.ack = Some(arrived.saturating_duration_since(sent));
                    }
                    let _ = seen.send((p.team, q, s));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Pairs the server ordered against the presses as made, counting only
/// presses further apart than `jitter`.
fn order_errors(
    order: &[i64],
    pressed: &std::collections::HashMap<i64, i64>,
    jitter: i64,
) -> usize {
    let times: Vec<i64> = order
        .iter()
        .filter_map(|t| pressed.get(t).copied())
        .collect();
    let mut n = 0;
    for i in 0..times.len() {
        for j in i + 1..times.len() {
            if times[i] > times[j] + jitter {
                n += 1;
            }
        }
    }
    n
}

pub async fn live(app: &App, phones: usize, jitter: i64, json_out: bool) -> Result<()> {
    if xueshi_demo::installed(app).await?.is_none() {
        eprintln!("building the district demo first …");
        xueshi_demo::build_with(app, Scale::District, 2021, false, &Quiet)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let host = root_ctx(app).await?;
    let teams: Vec<TeamInput> = (1..=phones)
        .map(|i| TeamInput {
            name: format!("第{i}队"),
            unit: None,
        })
        .collect();
    let id = live::create(
        app,
        &host,
        host.actor.scope_unit,
        &CompetitionInput {
            title: "压力测试竞赛".into(),
            held_on: xueshi_domain::date::iso(app.clock().today()),
            seats_per_team: 1,
            answer_seconds: 30,
            teams,
            teams_from_units: false,
            rounds: vec![RoundInput {
                kind: "buzz".into(),
                count: QUESTIONS as i64,
                points: 10,
                tag: String::new(),
            }],
            day_questions: Vec::new(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let team_rows = {
        let mut c = app.store().read().await?;
        xueshi_store::competitions::teams(&mut c, id.0).await?
    };
    let server = Loopback::start(app, xueshi_web::WebConfig::default()).await?;
    let ws_url = format!(
        "{}/live/{id}/ws",
        server.base.replacen("http://", "ws://", 1)
    );
    let unlocked: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel();
    let (sync_tx, mut sync_rx) = mpsc::unbounded_channel();
    let mut rng = ChaCha8Rng::seed_from_u64(2021);
    // Server time = phone time − skew, so a phone's true offset is −skew.
    let mut skews = std::collections::HashMap::new();
    eprintln!(
        "{phones} phones join and connect (clocks off by up to ±5 s, links 0–20 ms each way + up to {jitter} ms jitter) …"
    );
    let started = Instant::now();
    for t in &team_rows {
        let seat = room::join(app, &t.join_code, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let token = seat.token.context("a new seat has a token")?;
        let skew = rng.random_range(-5_000..5_000);
        skews.insert(t.id, skew);
        let p = Phone {
            team: t.id,
            skew,
            delay: rng.random_range(0..=20),
            jitter,
            seed: rng.random(),
        };
        let (url, unlocked, seen, synced) = (
            ws_url.clone(),
            Arc::clone(&unlocked),
            seen_tx.clone(),
            sync_tx.clone(),
        );
        tokio::spawn(async move {
            if let Err(e) =
                run_phone(url, format!("xs_seat={token}"), p, unlocked, seen, synced).await
            {
                eprintln!("a phone failed: {e}");
            }
        });
    }
    for _ in 0..phones {
        tokio::time::timeout(Duration::from_secs(120), sync_rx.recv())
            .await
            .context("every phone measured its clock in time")?;
    }
    eprintln!(
        "connected and synchronised in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let room = app
        .live()
        .room(app, id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (mut fanout, mut acks) = (Vec::new(), Vec::new());
    let (mut errors, mut lost, mut accepted) = (0, 0, 0);
    let mut offset_errors = Vec::new();
    let mut by_arrival = 0;
    for q in 1..=QUESTIONS as i64 {
        room.act(app, &host, &HostAction::Next)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        unlocked.lock().await.push(Instant::now());
        room.act(app, &host, &HostAction::Unlock)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut got = Vec::new();
        while got.len() < phones {
            match tokio::time::timeout(Duration::from_secs(60), seen_rx.recv()).await {
                Ok(Some((team, qq, s))) if qq == q => got.push((team, s)),
                Ok(Some(_)) => {}
                _ => break,
            }
        }
        // A phone that never heard back lost its buzz.
        lost += phones - got.len();
        fanout.extend(got.iter().filter_map(|(_, s)| s.fanout));
        acks.extend(got.iter().filter_map(|(_, s)| s.ack));
        accepted += got.iter().filter(|(_, s)| s.result == "accepted").count();
        let logged = {
            let mut c = app.store().read().await?;
            xueshi_store::competitions::buzzes(&mut c, id.0).await?
        };
        let mut mine: Vec<&xueshi_store::competitions::BuzzRow> =
            logged.iter().filter(|b| b.position == q).collect();
        room::order_rows(&mut mine);
        by_arrival += mine.iter().filter(|b| b.basis != "corrected").count();
        offset_errors.extend(mine.iter().filter_map(|b| {
            let truth = -skews.get(&b.team_id)?;
            Some(Duration::from_millis((b.offset_ms - truth).unsigned_abs()))
        }));
        lost += got
            .iter()
            .filter(|(team, s)| s.result == "accepted" && !mine.iter().any(|b| b.team_id == *team))
            .count();
        let pressed: std::collections::HashMap<i64, i64> =
            got.iter().map(|(team, s)| (*team, s.pressed)).collect();
        let order: Vec<i64> = mine.iter().map(|b| b.team_id).collect();
        errors += order_errors(&order, &pressed, jitter);
    }
    server.stop().await;
    let f = summarise(fanout);
    let a = summarise(acks);
    let o = summarise(offset_errors);
    println!(
        "backend                        {}",
        app.store().backend().name()
    );
    println!("phones                         {phones}");
    println!("buzz questions                 {QUESTIONS}");
    println!(
        "unlock to phone p50/p95/p99    {:.1} / {:.1} / {:.1} ms",
        f.p50, f.p95, f.p99
    );
    println!(
        "buzz ack p50/p95/p99           {:.1} / {:.1} / {:.1} ms",
        a.p50, a.p95, a.p99
    );
    println!(
        "clock offset error p50/p99/max {:.0} / {:.0} / {:.0} ms",
        o.p50, o.p99, o.max
    );
    println!("buzzes accepted                {accepted}");
    println!("settled by arrival, not clock  {by_arrival}");
    println!("pairs ordered wrong (> {jitter} ms) {errors}");
    println!("lost                           {lost}");
    if json_out {
        println!(
            "{}",
            json!({ "phones": phones, "fanout_p99_ms": f.p99, "buzz_ack_p99_ms": a.p99, "order_errors": errors, "lost": lost })
        );
    }
    if lost > 0 {
        bail!("{lost} buzzes were lost");
    }
    Ok(())
}
