//! A branch secretary on a 360-px phone in headless Chromium: she opens her
//! to-do, reports the office's task done with a photo from her phone, and
//! the office's completion matrix counts it. Screenshots are kept under
//! `target/artifacts/`.

use std::time::Duration;

use fantoccini::Locator;
use reqwest::Method;
use serde_json::{Value, json};
use xueshi_testkit::people::post;
use xueshi_testkit::{Browser, Db, TestApp};

async fn wait_for(b: &Browser, css: &str) -> fantoccini::elements::Element {
    b.client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

async fn wait_until(b: &Browser, script: &str) {
    for _ in 0..150 {
        if b.client
            .execute(script, vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            == Some(true)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("waited 15 s for `{script}`")
}

async fn sign_in(b: &Browser, t: &TestApp, username: &str) {
    b.client.goto(&t.url("/login")).await.unwrap();
    wait_for(b, "#username")
        .await
        .send_keys(username)
        .await
        .unwrap();
    wait_for(b, "#password")
        .await
        .send_keys("xueshi2021")
        .await
        .unwrap();
    wait_for(b, "#login-submit").await.click().await.unwrap();
    wait_for(b, "#scope-name, #study-title").await;
}

async fn fits_the_phone(b: &Browser, what: &str) {
    let w = b
        .eval("return document.documentElement.scrollWidth")
        .await
        .as_i64()
        .unwrap();
    assert!(w <= 360, "{what} is {w} px wide on a 360-px phone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_secretary_reports_a_task_with_a_photo_from_her_phone() {
    let t = TestApp::district(Db::Sqlite).await;
    // The office sends every branch of 松杨湖 a photo task due today.
    let mut office = t.client();
    office.api_login("office", "xueshi2021").await;
    let scope: Value = office
        .api(Method::GET, "/api/v1/units", None)
        .await
        .json()
        .await
        .unwrap();
    let root = scope["unit"]["id"].as_str().unwrap().to_owned();
    let town = scope["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "松杨湖街道党工委")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let today = xueshi_domain::date::iso(t.app.clock().today());
    let (s, made) = post(
        &office,
        &format!("/api/v1/units/{root}/tasks"),
        json!({
            "kind": "party_lecture", "title": "七一专题党课", "deadline": today,
            "target_unit": town, "target_kinds": ["branch"], "evidence": "photo",
        }),
    )
    .await;
    assert_eq!(s, 201, "{made}");
    let task = made["id"].as_str().unwrap().to_owned();
    let (s, _) = post(&office, &format!("/api/v1/tasks/{task}/publish"), json!({})).await;
    assert_eq!(s, 200);

    let b = Browser::start(360, 780).await;
    sign_in(&b, &t, "maolingtou").await;
    // Her home page's to-do holds it, due this week.
    let link = wait_for(&b, "#todo-week a[href^='/assignments/']").await;
    assert_eq!(link.text().await.unwrap(), "七一专题党课");
    fits_the_phone(&b, "the home page").await;
    b.screenshot("secretary-todo-360").await;
    link.click().await.unwrap();
    wait_for(&b, "#report-form").await;
    fits_the_phone(&b, "the report form").await;
    // A photo from the phone's camera.
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("dangke.jpg");
    let img = image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x / 4) as u8, (y / 3) as u8, 90])
    });
    img.save(&photo).unwrap();
    wait_for(&b, "#report-form input[name=photo]")
        .await
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    wait_for(&b, "#report-form textarea[name=note]")
        .await
        .send_keys("全体党员参加，书记讲授《百年党史中的初心使命》。")
        .await
        .unwrap();
    b.screenshot("secretary-report-360").await;
    wait_for(&b, "#report").await.click().await.unwrap();
    wait_until(&b, "return !!document.querySelector('#evidence img')").await;
    let status = wait_for(&b, "#assignment-status")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        status.contains("已完成") || status.contains("Done"),
        "{status}"
    );
    // The kept photo is shown, shrunk, and the page still fits.
    let natural = b.eval("const i = document.querySelector('#evidence img'); return i.complete ? i.naturalWidth : -1").await;
    assert!(natural.as_i64().unwrap() != 0, "the photo loads");
    fits_the_phone(&b, "the reported assignment").await;
    b.screenshot("secretary-reported-360").await;
    b.close().await;

    // The office's matrix counts her branch done.
    let m: Value = office
        .api(
            Method::GET,
            &format!("/api/v1/units/{town}/task-matrix"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let col = m["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .position(|x| x["id"] == task.as_str())
        .unwrap();
    assert_eq!(m["total"]["cells"][col]["done"], 1, "{m}");
    // Her community's line: her branch done, the others still owing.
    let row = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"].as_str().unwrap().contains("茅岭头"))
        .unwrap();
    assert_eq!(row["cells"][col]["done"].as_i64(), Some(1), "{row}");
    assert!(row["cells"][col]["assigned"].as_i64().unwrap() >= 1);
    let b = Browser::start(360, 780).await;
    sign_in(&b, &t, "office").await;
    b.client
        .goto(&t.url(&format!("/units/{town}/tasks")))
        .await
        .unwrap();
    let table = wait_for(&b, "#matrix").await.text().await.unwrap();
    let total = m["total"]["cells"][col]["assigned"].as_i64().unwrap();
    assert!(table.contains(&format!("1/{total}")), "{table}");
    b.screenshot("office-matrix-360").await;
    b.close().await;
}
