//! Live competitions through the real server and real WebSockets on both
//! databases: the office sets one up (bad set-ups refused, nothing
//! written); phones join their teams by code (a full team, a bad code and
//! a closed competition refused; a phone that joins again keeps its seat);
//! each phone's clock is skewed and its link delayed, and the server
//! still orders the buzzes as they were pressed, freezes the team that
//! pressed before the unlock, takes one buzz per team however often it
//! taps or reconnects, and refuses a buzz for a closed question; the
//! host's judgements (a wrong team, a bad stake refused), an undo and the
//! standing; the record keeps the buzz log and the workbook carries it.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use xueshi_testkit::people::{field_codes, get, post, signed_in_api, visitor};
use xueshi_testkit::{TestApp, both, dump_data};

/// Real wall-clock milliseconds.
fn wall() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A team's phone: its clock runs `skew` ms off, and every message takes
/// `delay` ms each way.
struct Phone {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    skew: i64,
    delay: i64,
    offset: Option<i64>,
    snap: Value,
    team: String,
}

impl Phone {
    async fn connect(t: &TestApp, competition: &str, cookie: &str, skew: i64, delay: i64) -> Phone {
        let mut req = format!("ws://{}/live/{competition}/ws", t.addr)
            .into_client_request()
            .unwrap();
        req.headers_mut().insert("cookie", cookie.parse().unwrap());
        let (ws, _) = connect_async(req).await.unwrap();
        let mut p = Phone {
            ws,
            skew,
            delay,
            offset: None,
            snap: Value::Null,
            team: String::new(),
        };
        // The server measures the clock: five quick pings.
        while p.offset.is_none() || p.team.is_empty() {
            p.next().await;
        }
        for _ in 0..4 {
            p.next().await;
        }
        p
    }

    fn clock(&self) -> i64 {
        wall() + self.skew
    }

    /// Handles one message from the server (answering pings as a phone
    /// with this clock and link would); returns it.
    async fn next(&mut self) -> Value {
        let m = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
            .await
            .expect("a message in time")
            .unwrap()
            .unwrap();
        let Message::Text(text) = m else {
            return Value::Null;
        };
        let v: Value = serde_json::from_str(text.as_str()).unwrap();
        match v["t"].as_str() {
            Some("ping") => {
                // Seen after the delay; the answer takes as long again.
                tokio::time::sleep(Duration::from_millis(self.delay as u64)).await;
                let c = self.clock();
                tokio::time::sleep(Duration::from_millis(self.delay as u64)).await;
                self.ws
                    .send(Message::text(
                        json!({ "t": "pong", "s": v["s"], "c": c }).to_string(),
                    ))
                    .await
                    .unwrap();
            }
            Some("sync") => self.offset = v["offset"].as_i64(),
            Some("you") => self.team = v["team"].as_str().unwrap().to_owned(),
            Some("snap") => self.snap = v.clone(),
            _ => {}
        }
        v
    }

    /// Reads until a message of this type (and passing `want`) arrives.
    async fn until(&mut self, t: &str, want: impl Fn(&Value) -> bool) -> Value {
        loop {
            let v = self.next().await;
            if v["t"] == t && want(&v) {
                return v;
            }
        }
    }

    /// Presses `reaction` ms after the unlock, by this phone's clock and
    /// the offset the server measured for it; the press reaches the server
    /// after the link's delay.
    async fn press(&mut self, unlock_at: i64, reaction: i64) {
        let local_unlock = unlock_at - self.offset.unwrap();
        let at = local_unlock + reaction;
        let wait = at - self.clock();
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
        let c = self.clock();
        let q = self.snap["position"].as_i64().unwrap();
        tokio::time::sleep(Duration::from_millis(self.delay as u64)).await;
        self.ws
            .send(Message::text(
                json!({ "t": "buzz", "q": q, "c": c, "r": c - local_unlock }).to_string(),
            ))
            .await
            .unwrap();
    }

    async fn send_buzz(&mut self, q: i64) {
        let c = self.clock();
        self.ws
            .send(Message::text(
                json!({ "t": "buzz", "q": q, "c": c, "r": 300 }).to_string(),
            ))
            .await
            .unwrap();
    }
}

both!(
    async fn teams_buzz_in_the_order_they_pressed_whatever_their_clocks_and_links(db) {
        let t = TestApp::district(db).await;
        let office = signed_in_api(&t, "office").await;
        let member = signed_in_api(&t, "member").await;
        let (_, me) = get(&office, "/api/v1/me").await;
        let root = me["scope_unit_id"].as_str().or(me["scope_unit"].as_str()).unwrap().to_owned();
        let today = xueshi_domain::date::iso(t.app.clock().today());
        let setup = |teams: Value, rounds: Value| json!({
            "title": "党史知识竞赛", "held_on": today, "seats_per_team": 1, "answer_seconds": 20,
            "teams": teams, "rounds": rounds,
            "day_questions": [{ "kind": "buzz", "stem": "中国共产党第一次全国代表大会在哪里召开？", "answer": "上海", "points": 10 }],
        });
        let teams = json!([{ "name": "甲队" }, { "name": "乙队" }, { "name": "丙队" }]);
        let rounds = json!([{ "kind": "required", "count": 1, "points": 10 }, { "kind": "risk", "count": 1, "points": 20 }]);

        // Bad set-ups: named, nothing written; a member may not set one up.
        let before = dump_data(t.app.store()).await;
        let (s, e) = post(&office, &format!("/api/v1/units/{root}/competitions"), setup(json!([{ "name": "甲队" }, { "name": "甲队" }]), json!([{ "kind": "essay", "count": 1, "points": 10 }]))).await;
        assert_eq!(s, 422, "{e}");
        let c = field_codes(&e);
        assert!(c.contains(&"teams:team_twice".to_owned()) && c.contains(&"rounds:bad_choice".to_owned()), "{c:?}");
        let (s, e) = post(&office, &format!("/api/v1/units/{root}/competitions"), setup(json!([{ "name": "甲队" }]), rounds.clone())).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["teams:out_of_range".to_owned()]), "{e}");
        assert_eq!(post(&member, &format!("/api/v1/units/{root}/competitions"), setup(teams.clone(), rounds.clone())).await.0, 403);
        assert_eq!(dump_data(t.app.store()).await, before);

        let (s, made) = post(&office, &format!("/api/v1/units/{root}/competitions"), setup(teams, rounds)).await;
        assert_eq!(s, 201, "{made}");
        let id = made["id"].as_str().unwrap().to_owned();
        let (_, c) = get(&office, &format!("/api/v1/competitions/{id}")).await;
        assert_eq!(c["questions"], 3, "{c}");
        let code = |name: &str| c["teams"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap()["join_code"].as_str().unwrap().to_owned();
        // A member of the district reads no join code.
        assert_eq!(get(&member, &format!("/api/v1/competitions/{id}")).await.0, 403);

        // Phones join: a bad code, a full team refused; joining again keeps the seat.
        let mut phones_http = Vec::new();
        for name in ["甲队", "乙队", "丙队"] {
            let v = visitor(&t).await;
            let (s, seat) = post(&v, "/api/v1/live/join", json!({ "code": code(name).to_lowercase() })).await;
            assert_eq!((s, seat["team_name"].as_str()), (200, Some(name)), "{seat}");
            phones_http.push(v);
        }
        let stranger = visitor(&t).await;
        let (s, e) = post(&stranger, "/api/v1/live/join", json!({ "code": "ZZZZZZ" })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["code:bad_join_code".to_owned()]));
        let (s, e) = post(&stranger, "/api/v1/live/join", json!({ "code": code("甲队") })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("team_full")), "one seat a team here");
        let (s, again) = post(&phones_http[0], "/api/v1/live/join", json!({ "code": code("甲队") })).await;
        assert_eq!((s, again["team_name"].as_str()), (200, Some("甲队")));
        let seats: i64 = {
            let mut db = t.app.store().read().await.unwrap();
            sqlx::query_scalar("SELECT COUNT(*) FROM competition_seats s JOIN competition_teams t ON t.id = s.team_id WHERE t.competition_id = $1").bind(id.parse::<i64>().unwrap()).fetch_one(&mut *db).await.unwrap()
        };
        assert_eq!(seats, 3);
        // A socket without a seat is refused.
        let bare = format!("ws://{}/live/{id}/ws", t.addr).into_client_request().unwrap();
        assert!(connect_async(bare).await.is_err());

        // 甲 is far (80 ms each way) with a clock 3 s fast; 乙 is near with a
        // clock 2 s slow; 丙 is near and exact.
        let mut a = Phone::connect(&t, &id, &phones_http[0].cookies(), 3_000, 80).await;
        let mut b = Phone::connect(&t, &id, &phones_http[1].cookies(), -2_000, 0).await;
        let mut c3 = Phone::connect(&t, &id, &phones_http[2].cookies(), 0, 0).await;
        for p in [&a, &b, &c3] {
            let off = p.offset.unwrap();
            assert!((off + p.skew).abs() <= 25, "offset {off} for a clock {} ms off", p.skew);
        }

        let host = |action: Value| { let office = &office; let id = id.clone(); async move { post(office, &format!("/api/v1/competitions/{id}/host"), action).await } };
        // Nothing before the first question; then the required one, 甲's turn.
        let (s, e) = host(json!({ "action": "unlock" })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("competition_not_started")));
        let (_, snap) = host(json!({ "action": "next" })).await;
        assert_eq!((snap["question"]["round"].as_str(), snap["answering_name"].as_str()), (Some("required"), Some("甲队")), "{snap}");
        let (s, e) = host(json!({ "action": "judge", "team": b.team, "correct": true })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("not_answering")));
        let (s, _) = host(json!({ "action": "judge", "team": a.team, "correct": true })).await;
        assert_eq!(s, 200);
        let team_a = json!(a.team);
        let score = a.until("score", |v| v["team"] == team_a).await;
        assert_eq!(score["score"], 10);
        // The risk question, 甲's turn again (each round starts with the
        // first team): a stake outside 10/20/30 refused; wrong loses it.
        host(json!({ "action": "next" })).await;
        let (s, e) = host(json!({ "action": "judge", "team": a.team, "correct": false, "stake": 25 })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["stake:bad_choice".to_owned()]));
        let (s, snap) = host(json!({ "action": "judge", "team": a.team, "correct": false, "stake": 20 })).await;
        assert_eq!(s, 200);
        assert_eq!(snap["board"].as_array().unwrap().iter().find(|x| x["name"] == "甲队").unwrap()["score"], -10);

        // The buzz question: opened for buzzing at a server time ahead.
        host(json!({ "action": "next" })).await;
        let (_, snap) = host(json!({ "action": "unlock" })).await;
        let unlock_at = snap["unlock_at"].as_i64().unwrap();
        // Phones hear of it as a few bytes, not a full view.
        for p in [&mut a, &mut b, &mut c3] {
            let open = p.until("open", |_| true).await;
            assert_eq!((open["q"].clone(), open["unlock_at"].as_i64()), (p.snap["position"].clone(), Some(unlock_at)));
        }
        // 乙 presses before the unlock: frozen for this question.
        let q = c3.snap["position"].as_i64().unwrap();
        b.send_buzz(q).await;
        let ack = b.until("ack", |_| true).await;
        assert_eq!(ack["result"], "early", "{ack}");
        // 甲 presses 200 ms after the unlock, 丙 at 260 ms: 甲's press
        // arrives after 丙's (its link is slower) but was made first.
        let (ra, rc) = tokio::join!(a.press(unlock_at, 200), c3.press(unlock_at, 260));
        let _ = (ra, rc);
        let ack_a = a.until("ack", |_| true).await;
        let ack_c = c3.until("ack", |_| true).await;
        // Phones hear who answers as a few bytes once the burst settles.
        let note = c3.until("answering", |v| v["team"].is_string()).await;
        assert_eq!((note["q"].as_i64(), note["name"].as_str()), (Some(q), Some("甲队")), "{note}");
        assert_eq!((ack_a["result"].as_str(), ack_c["result"].as_str()), (Some("accepted"), Some("accepted")));
        // Taps again, and after a reconnect: still one buzz, same seat.
        a.send_buzz(q).await;
        assert_eq!(a.until("ack", |_| true).await["result"], "duplicate");
        drop(a);
        let mut a = Phone::connect(&t, &id, &phones_http[0].cookies(), 3_000, 80).await;
        assert_eq!(a.snap["position"].as_i64(), Some(q), "the question is still on");
        assert_eq!((a.snap["phase"].as_str(), a.snap["unlock_at"].as_i64()), (Some("open"), Some(unlock_at)), "a phone that reconnects finds it open");
        a.send_buzz(q).await;
        assert_eq!(a.until("ack", |_| true).await["result"], "duplicate");
        // A buzz for a question no longer open.
        a.send_buzz(q - 1).await;
        assert_eq!(a.until("ack", |_| true).await["result"], "closed");

        let (_, snap) = get(&office, &format!("/api/v1/competitions/{id}/record")).await;
        let buzzes = snap["questions"][2]["buzzes"].as_array().unwrap().clone();
        let order: Vec<&str> = buzzes.iter().map(|b| b["team"].as_str().unwrap()).collect();
        assert_eq!(order, ["甲队", "丙队", "乙队"], "{buzzes:?}");
        let basis: Vec<&str> = buzzes.iter().map(|b| b["basis"].as_str().unwrap()).collect();
        assert_eq!(basis, ["corrected", "corrected", "early"]);
        assert!(buzzes[0]["arrived_ms"].as_i64() > buzzes[1]["arrived_ms"].as_i64(), "甲 arrived later: {buzzes:?}");
        let pressed_a = buzzes[0]["pressed_ms"].as_i64().unwrap() - unlock_at;
        assert!((150..=260).contains(&pressed_a), "甲 pressed at +{pressed_a} ms");

        // 甲 answers wrong (a buzz question costs its points), 丙 next;
        // the host takes 丙's call back and makes it again.
        let (_, snap) = host(json!({ "action": "judge", "team": a.team, "correct": false })).await;
        assert_eq!(snap["answering_name"], "丙队", "{snap}");
        host(json!({ "action": "judge", "team": c3.team, "correct": true })).await;
        let (_, snap) = host(json!({ "action": "undo" })).await;
        assert_eq!(snap["answering_name"], "丙队");
        let (_, snap) = host(json!({ "action": "judge", "team": c3.team, "correct": true })).await;
        let board: Vec<(String, i64)> = snap["board"].as_array().unwrap().iter().map(|x| (x["name"].as_str().unwrap().to_owned(), x["score"].as_i64().unwrap())).collect();
        assert_eq!(board, [("丙队".to_owned(), 10), ("乙队".to_owned(), 0), ("甲队".to_owned(), -20)]);
        let (s, e) = host(json!({ "action": "next" })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("no_more_questions")));
        let (s, _) = host(json!({ "action": "finish" })).await;
        assert_eq!(s, 200);
        let (s, e) = host(json!({ "action": "reveal" })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("competition_finished")));
        let (s, e) = post(&visitor(&t).await, "/api/v1/live/join", json!({ "code": code("丙队") })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("competition_closed")));

        // The record: judgements with the undone one kept; the workbook.
        let (_, record) = get(&office, &format!("/api/v1/competitions/{id}/record")).await;
        let judged: Vec<(String, bool, i64, bool)> = record["questions"][2]["judgements"].as_array().unwrap().iter()
            .map(|j| (j["team"].as_str().unwrap().to_owned(), j["correct"].as_bool().unwrap(), j["points"].as_i64().unwrap(), j["undone"].as_bool().unwrap())).collect();
        assert_eq!(judged, [("甲队".to_owned(), false, -10, false), ("丙队".to_owned(), true, 10, true), ("丙队".to_owned(), true, 10, false)]);
        let places: Vec<i64> = record["competition"]["teams"].as_array().unwrap().iter().map(|t| t["place"].as_i64().unwrap()).collect();
        assert_eq!(places, [1, 2, 3]);
        let mut pages = t.signed_in("office").await;
        let r = pages.get(&format!("/competitions/{id}/record.xlsx")).await;
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        let log = book.worksheet_range("抢答记录").unwrap();
        assert_eq!(log.height(), 4, "a header and three buzzes");
        let standing = book.worksheet_range("名次").unwrap();
        assert_eq!(standing.get((1, 1)).map(|c| c.to_string()), Some("丙队".to_owned()));
        assert_eq!(standing.get((3, 2)).map(|c| c.to_string()), Some("-20".to_owned()));
        let (s, page) = pages.page(&format!("/competitions/{id}")).await;
        assert!(s == 200 && page.contains("丙队") && page.contains("抢跑冻结"), "{s}");
    }
);
