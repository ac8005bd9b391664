//! The competition's WebSockets: the hall's screens and the host's console
//! (signed in) and the teams' phones (seated by their cookie). Each socket
//! measures its peer's clock (the server pings, the peer answers with its
//! own clock; the last samples bound its offset, per socket), forwards
//! the room's broadcasts, and on a phone takes buzzes.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use xueshi_app::live::room::{self, Room, View};
use xueshi_app::{App, AppError};
use xueshi_domain::Id;
use xueshi_domain::access::Denied;
use xueshi_domain::live::{self as rules, ClockSync, Sample};

use crate::ctx::{Auth, cookie, cookies};
use crate::error::{HttpError, WebResult};
use crate::state::AppState;

/// The cookie a seated phone carries.
pub const SEAT_COOKIE: &str = "xs_seat";
/// Clock samples kept per socket; the first few are taken quickly.
const SAMPLES: usize = 8;
const QUICK_PINGS: usize = 8;
const QUICK_EVERY: Duration = Duration::from_millis(200);
const PING_EVERY: Duration = Duration::from_secs(10);
/// Longest message a peer may send.
const MESSAGE_MAX: usize = 1_024;

/// A socket may only be opened by this installation's own pages.
fn same_origin(headers: &HeaderMap) -> WebResult<()> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        // Not a browser: no cross-site page can be behind it.
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
    if origin_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(AppError::Forbidden(Denied::OutOfScope).into())
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct HallQuery {
    /// console: the host's feed (answers, timings), for those who may
    /// host; anything else: the hall's.
    role: String,
}

/// The hall's big screen or, for those who may host, the console's feed.
pub async fn hall(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<HallQuery>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> WebResult<Response> {
    same_origin(&headers)?;
    let ctx = a.ctx();
    // Who may watch is settled before whether this is a socket at all.
    let c = xueshi_app::live::get(&state.app, &ctx, id).await?;
    let ws = ws.map_err(|_| HttpError::bad_request())?;
    // The big screen shows the hall's view even to a host signed in on it.
    let view = if c.may_host && q.role == "console" {
        View::Host
    } else {
        View::Hall
    };
    let room = state.app.live().room(&state.app, id).await?;
    let app = state.app.clone();
    Ok(ws
        .max_message_size(MESSAGE_MAX)
        .on_upgrade(move |socket| serve(socket, app, room, view, None)))
}

/// A team's phone, seated by its cookie.
pub async fn phone(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> WebResult<Response> {
    same_origin(&headers)?;
    let all = cookies(&headers);
    let token = cookie(&all, SEAT_COOKIE).ok_or(AppError::Forbidden(Denied::OutOfScope))?;
    let seat = room::seat(&state.app, id, token).await?;
    let ws = ws.map_err(|_| HttpError::bad_request())?;
    let room = state.app.live().room(&state.app, id).await?;
    let app = state.app.clone();
    Ok(ws
        .max_message_size(MESSAGE_MAX)
        .on_upgrade(move |socket| serve(socket, app, room, View::Phone, Some(seat.team.0))))
}

#[derive(Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Incoming {
    /// The answer to a ping: the server's stamp echoed, the peer's clock.
    Pong { s: i64, c: i64 },
    /// A press: the question, the phone's clock, its reaction since its
    /// own unlock.
    Buzz { q: i64, c: i64, r: i64 },
}

fn text(s: &str) -> Message {
    Message::Text(Utf8Bytes::from(s))
}

async fn serve(socket: WebSocket, app: App, room: Arc<Room>, view: View, team: Option<i64>) {
    let (mut out, mut inc) = socket.split();
    let mut feed = room.subscribe(view);
    let mut hello = vec![room.snapshot(app.now(), view).await];
    if let Some(t) = team {
        let s = room.seat_name(t).await;
        hello.push(json!({ "t": "you", "team": Id(t).to_string(), "name": s, "score": room.score(t).await }).to_string());
    }
    for h in hello {
        if out.send(text(&h)).await.is_err() {
            return;
        }
    }
    let mut sent: VecDeque<i64> = VecDeque::new();
    let mut samples: VecDeque<Sample> = VecDeque::new();
    let mut sync: Option<ClockSync> = None;
    let mut pings = 0usize;
    // Sockets opened together (a hall joining) ping out of step, so no
    // trip waits behind every other socket's.
    let mut next_ping = tokio::time::Instant::now()
        + Duration::from_millis(rand::random_range(0..QUICK_EVERY.as_millis() as u64));
    loop {
        tokio::select! {
            msg = feed.recv() => match msg {
                Ok(m) => if out.send(text(&m)).await.is_err() { return },
                Err(RecvError::Lagged(_)) => {
                    let snap = room.snapshot(app.now(), view).await;
                    if out.send(text(&snap)).await.is_err() { return }
                }
                Err(RecvError::Closed) => return,
            },
            _ = tokio::time::sleep_until(next_ping) => {
                let s = app.now();
                sent.push_back(s);
                if sent.len() > SAMPLES { sent.pop_front(); }
                pings += 1;
                next_ping += if pings < QUICK_PINGS { QUICK_EVERY } else { PING_EVERY };
                if out.send(text(&json!({ "t": "ping", "s": s }).to_string())).await.is_err() { return }
            }
            msg = inc.next() => {
                let Some(Ok(msg)) = msg else { return };
                let Message::Text(body) = msg else { continue };
                let Ok(m) = serde_json::from_str::<Incoming>(body.as_str()) else { continue };
                match m {
                    // Only a stamp this socket sent counts: a peer cannot
                    // make up its own round trip.
                    Incoming::Pong { s, c } if sent.contains(&s) => {
                        sent.retain(|x| *x != s);
                        samples.push_back(Sample { sent: s, phone: c, back: app.now() });
                        if samples.len() > SAMPLES { samples.pop_front(); }
                        sync = rules::sync(samples.make_contiguous());
                        if let Some(v) = sync {
                            let m = json!({ "t": "sync", "offset": v.offset, "rtt": v.rtt }).to_string();
                            if out.send(text(&m)).await.is_err() { return }
                        }
                    }
                    Incoming::Pong { .. } => {}
                    Incoming::Buzz { q, c, r } => {
                        let Some(t) = team else { continue };
                        let ack = match room.buzz(&app, t, sync, q, c, r).await {
                            Ok(a) => serde_json::to_string(&a).unwrap_or_default(),
                            Err(e) => {
                                tracing::error!(error = %e, "buzz not logged");
                                json!({ "t": "ack", "q": q, "result": "error" }).to_string()
                            }
                        };
                        if out.send(text(&ack)).await.is_err() { return }
                    }
                }
            }
        }
    }
}
