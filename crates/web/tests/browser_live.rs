//! A live competition in headless Chromium: the hall's big screen at
//! 1920×1080 (signed in as the office) and a team's phone at 360 px (joined
//! by its code, no account). The host opens a buzz question; the phone's
//! buzzer opens at the announced time, the team presses, and the big
//! screen shows it first in the buzz order, then on top of the scoreboard
//! once the host judges it right. Screenshots under `target/artifacts/`.

use std::time::Duration;

use serde_json::{Value, json};
use xueshi_testkit::people::{get, post, signed_in_api};
use xueshi_testkit::{Browser, Db, TestApp};

async fn text_of(b: &Browser, css: &str) -> String {
    b.eval(&format!(
        "var e = document.querySelector({css:?}); return e ? e.textContent : ''"
    ))
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Waits until the element's text contains `want`.
async fn until_text(b: &Browser, css: &str, want: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        last = text_of(b, css).await;
        if last.contains(want) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {want:?}; it shows {last:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_big_screen_shows_the_team_that_buzzed_and_the_scoreboard() {
    let t = TestApp::district(Db::Sqlite).await;
    let office = signed_in_api(&t, "office").await;
    let (_, me) = get(&office, "/api/v1/me").await;
    let root = me["scope_unit"].as_str().unwrap().to_owned();
    let (s, made) = post(
        &office,
        &format!("/api/v1/units/{root}/competitions"),
        json!({
            "title": "知识竞赛（测试）", "held_on": xueshi_domain::date::iso(t.app.clock().today()),
            "seats_per_team": 2, "answer_seconds": 30,
            "teams": [{ "name": "红旗队" }, { "name": "星火队" }],
            "rounds": [{ "kind": "buzz", "count": 2, "points": 10 }],
        }),
    )
    .await;
    assert_eq!(s, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let (_, c) = get(&office, &format!("/api/v1/competitions/{id}")).await;
    let code = c["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "红旗队")
        .unwrap()["join_code"]
        .as_str()
        .unwrap()
        .to_owned();

    let screen = Browser::start(1920, 1080).await;
    screen.sign_in(&t, "office").await;
    screen
        .client
        .goto(&t.url(&format!("/competitions/{id}/screen")))
        .await
        .unwrap();
    until_text(&screen, "#stem", "比赛即将开始").await;

    // The team's phone joins from the QR code's link (the code filled in).
    let phone = Browser::start(360, 780).await;
    phone
        .client
        .goto(&t.url(&format!("/live?code={code}")))
        .await
        .unwrap();
    phone
        .wait_for("#join-form button")
        .await
        .click()
        .await
        .unwrap();
    phone.wait_for("#buzz").await;
    until_text(&phone, "#team", "红旗队").await;
    phone.fits(360, "the phone's buzzer").await;

    // The host shows a buzz question and opens buzzing.
    let host = |action: Value| {
        let office = &office;
        let id = id.clone();
        async move { post(office, &format!("/api/v1/competitions/{id}/host"), action).await }
    };
    assert_eq!(host(json!({ "action": "next" })).await.0, 200);
    // The phone reads in its browser's language: its messages from the page.
    let said = |key: &str| {
        let phone = &phone;
        let key = key.to_owned();
        async move {
            phone
                .eval(&format!(
                    "return document.getElementById('live').dataset.{key}"
                ))
                .await
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    until_text(&phone, "#countdown", &said("locked").await).await;
    assert_eq!(
        phone
            .eval("return document.getElementById('buzz').disabled")
            .await,
        json!(true),
        "locked until the unlock"
    );
    assert_eq!(host(json!({ "action": "unlock" })).await.0, 200);
    // The buzzer opens by itself at the announced time.
    let mut open = false;
    for _ in 0..60 {
        if phone
            .eval("return document.getElementById('buzz').disabled")
            .await
            == json!(false)
        {
            open = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(open, "the buzzer opened");
    phone.screenshot("live-phone-360").await;
    phone.wait_for("#buzz").await.click().await.unwrap();
    until_text(&phone, "#ack", &said("ackAccepted").await).await;

    // The big screen: first in the buzz order, answering; then on top.
    until_text(&screen, "#order", "红旗队").await;
    until_text(&screen, "#answering", "红旗队").await;
    // The phone hears it too, once the burst has settled.
    until_text(&phone, "#answering", "红旗队").await;
    let (_, snap) = host(json!({ "action": "judge", "team": c["teams"].as_array().unwrap().iter().find(|t| t["name"] == "红旗队").unwrap()["id"], "correct": true })).await;
    assert_eq!(snap["board"][0]["name"], "红旗队", "{snap}");
    let board = until_text(&screen, "#board", "红旗队 10").await;
    assert!(board.starts_with("1. 红旗队 10"), "{board}");
    until_text(&phone, "#score", "10").await;
    // The hall sees the answer only once the host shows it, even though
    // the screen is signed in as someone who may host.
    assert_eq!(
        text_of(&screen, "#answer").await,
        "",
        "no answer before it is shown"
    );
    assert_eq!(host(json!({ "action": "reveal" })).await.0, 200);
    let answer = until_text(&screen, "#answer", "").await;
    let mut shown = answer;
    for _ in 0..50 {
        if !shown.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        shown = text_of(&screen, "#answer").await;
    }
    assert!(
        !shown.is_empty() && shown != "true" && shown != "false",
        "the answer in words: {shown:?}"
    );
    screen.fits(1920, "the big screen").await;
    screen.screenshot("live-screen-1920").await;
    screen.close().await;
    phone.close().await;
}
