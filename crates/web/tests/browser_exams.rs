//! A member sits an exam on a 360-px phone in headless Chromium: she finds
//! it under her exams, starts it, answers, reloads the page and finds her
//! answer kept, hands it in and reads her score. Screenshots are kept under
//! `target/artifacts/`.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_testkit::people::post;
use xueshi_testkit::{Browser, Db, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_sits_an_exam_on_her_phone() {
    let t = TestApp::district(Db::Sqlite).await;
    let mut office = t.client();
    office.api_login("office", "xueshi2021").await;
    let mut member = t.client();
    member.api_login("member", "xueshi2021").await;
    let me: Value = member
        .api(Method::GET, "/api/v1/me", None)
        .await
        .json()
        .await
        .unwrap();
    let branch = me["scope_unit"].as_str().unwrap().to_owned();
    let now = t.app.now();
    let at = |ms: i64| xueshi_app::clock::format_ms(ms)[..16].replace(' ', "T");
    let (s, made) = post(&office, &format!("/api/v1/units/{branch}/exams"), json!({
        "title": "支部党史知识测试", "opens_at": at(now - 60_000), "closes_at": at(now + 86_400_000), "minutes": 20,
        "pass_mark": 60, "attempts": 1, "blueprint": [{ "kind": "true_false", "count": 3 }], "makeup_days": 3,
    })).await;
    assert_eq!(s, 201, "{made}");

    let b = Browser::start(360, 780).await;
    b.client.goto(&t.url("/login")).await.unwrap();
    b.wait_for("#username")
        .await
        .send_keys("member")
        .await
        .unwrap();
    b.wait_for("#password")
        .await
        .send_keys("xueshi2021")
        .await
        .unwrap();
    b.wait_for("#login-submit").await.click().await.unwrap();
    b.wait_for("#my-exams-link").await.click().await.unwrap();
    b.wait_for(".start-exam").await.click().await.unwrap();
    b.wait_for("#sitting-form").await;
    b.fits(360, "the paper").await;
    let first = b
        .wait_for("#sitting-form fieldset.question input[type=radio]")
        .await;
    let name = first.attr("name").await.unwrap().unwrap();
    first.click().await.unwrap();
    b.screenshot("member-exam-360").await;
    // Saved as given: the row is there before anything is handed in.
    let question: i64 = name.trim_start_matches("q_").parse().unwrap();
    let url = b.client.current_url().await.unwrap();
    let sitting: i64 = url.path().trim_start_matches("/sittings/").parse().unwrap();
    let mut kept = 0;
    for _ in 0..50 {
        let mut db = t.app.store().read().await.unwrap();
        kept = sqlx::query_scalar(
            "SELECT COUNT(*) FROM exam_answers WHERE sitting_id = $1 AND question_id = $2",
        )
        .bind(sitting)
        .bind(question)
        .fetch_one(&mut *db)
        .await
        .unwrap();
        if kept == 1 {
            break;
        }
        drop(db);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(kept, 1, "the answer is saved as it is given");
    // A reload resumes the same sitting with the answer ticked.
    b.client.refresh().await.unwrap();
    let checked = b
        .eval(&format!(
            "return document.querySelector(\"input[name='{name}']:checked\") !== null"
        ))
        .await;
    assert_eq!(checked, Value::Bool(true));
    b.wait_for("#hand-in").await.click().await.unwrap();
    let result = b.wait_for("#sitting-result").await.text().await.unwrap();
    assert!(result.contains("共 3 题"), "{result}");
    b.fits(360, "the result").await;
    b.screenshot("member-exam-result-360").await;
    b.close().await;
}
