//! The campaign office on a 360-px phone in headless Chromium: from the
//! campaign's page to its rhythm, records this week's dispatch meeting with
//! a decision through the form, makes the decision a task, and reads the
//! published plan with its answered comments; a town's secretary answers a
//! consultation. Screenshots are kept under `target/artifacts/`.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_testkit::people::post;
use xueshi_testkit::{Browser, Db, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_keeps_the_rhythm_and_reads_its_plan_from_a_phone() {
    let t = TestApp::district(Db::Sqlite).await;
    let mut office = t.client();
    office.api_login("office", "xueshi2021").await;
    let scope: Value = office
        .api(Method::GET, "/api/v1/units", None)
        .await
        .json()
        .await
        .unwrap();
    let root = scope["unit"]["id"].as_str().unwrap().to_owned();
    let campaigns: Value = office
        .api(
            Method::GET,
            &format!("/api/v1/units/{root}/campaigns"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let campaign = campaigns["governing"]["id"].as_str().unwrap().to_owned();

    let b = Browser::start(360, 780).await;
    b.sign_in(&t, "office").await;
    b.client
        .goto(&t.url(&format!("/campaigns/{campaign}")))
        .await
        .unwrap();
    b.wait_for("#campaign-links a[href$='/rhythm']")
        .await
        .click()
        .await
        .unwrap();
    b.wait_for("#occurrences").await;
    let count = b.wait_for("#rhythm-count").await.text().await.unwrap();
    assert!(count.contains("逾期未完成 1 项"), "{count}");
    b.fits(360, "the rhythm").await;
    b.screenshot("office-rhythm-360").await;

    // This week's dispatch meeting, through its form.
    let next = b
        .eval("return [...document.querySelectorAll('#occurrences tr.due a, #occurrences tr.upcoming a')].find(a => a.textContent.includes('每周调度会')).getAttribute('href')")
        .await;
    b.client.goto(&t.url(next.as_str().unwrap())).await.unwrap();
    b.wait_for("#dispatch-form").await;
    b.fits(360, "the dispatch form").await;
    b.wait_for("#dispatch-form input[name=chair]")
        .await
        .send_keys("区委常委、组织部部长")
        .await
        .unwrap();
    b.wait_for("#dispatch-form textarea[name=attendees]")
        .await
        .send_keys("领导小组办公室成员")
        .await
        .unwrap();
    b.wait_for("#dispatch-form input[name=decision_0]")
        .await
        .send_keys("未召开组织生活会的支部本月内召开")
        .await
        .unwrap();
    let due = xueshi_domain::date::iso(t.app.clock().today() + time::Duration::days(7));
    b.eval(&format!(
        "document.querySelector('#dispatch-form input[name=due_0]').value = '{due}'; return 0"
    ))
    .await;
    b.screenshot("office-dispatch-form-360").await;
    b.wait_for("#dispatch-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    b.wait_for("#figures-reviewed").await;
    let decisions = b.wait_for("#decisions").await.text().await.unwrap();
    assert!(
        decisions.contains("未召开组织生活会的支部本月内召开"),
        "{decisions}"
    );
    b.fits(360, "the dispatch record").await;
    b.screenshot("office-dispatch-360").await;
    // The decision becomes a draft task led by its owner.
    b.wait_for("#decisions form button")
        .await
        .click()
        .await
        .unwrap();
    let mut url = b.client.current_url().await.unwrap();
    for _ in 0..150 {
        if url.path().starts_with("/tasks/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        url = b.client.current_url().await.unwrap();
    }
    assert!(url.path().starts_with("/tasks/"), "{url}");
    let notice = b.wait_for("p[role=status]").await.text().await.unwrap();
    assert!(notice.contains("已转为任务草稿"), "{notice}");

    // The published plan, its drafts and the towns' comments answered.
    b.client
        .goto(&t.url(&format!("/campaigns/{campaign}/plans")))
        .await
        .unwrap();
    b.wait_for("#plans a").await.click().await.unwrap();
    b.wait_for("#plan-body").await;
    let status = b.wait_for("#version-status").await.text().await.unwrap();
    assert_eq!(status, "已发布");
    let comments = b.wait_for("#comments").await.text().await.unwrap();
    assert!(
        comments.contains("部分采纳") && comments.contains("未采纳"),
        "{comments}"
    );
    b.fits(360, "the plan").await;
    b.screenshot("office-plan-360").await;
    b.close().await;

    // A draft out for comment, and the town's secretary answers from her phone.
    let (s, made) = post(&office, &format!("/api/v1/campaigns/{campaign}/plans"), json!({ "title": "关于开展“红色故事进万家”活动的方案", "body": "一、活动内容\n二、时间安排" })).await;
    assert_eq!(s, 201);
    let plan = made["id"].as_str().unwrap().to_owned();
    let p: Value = office
        .api(Method::GET, &format!("/api/v1/plans/{plan}"), None)
        .await
        .json()
        .await
        .unwrap();
    let version = p["versions"][0]["id"].as_str().unwrap().to_owned();
    let town = scope["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "松杨湖街道党工委")
        .unwrap()["id"]
        .clone();
    let (s, _) = post(
        &office,
        &format!("/api/v1/plan-versions/{version}/consult"),
        json!({ "units": [town], "until": due }),
    )
    .await;
    assert_eq!(s, 204);
    let b = Browser::start(360, 780).await;
    b.sign_in(&t, "songyanghu").await;
    // Her home's to-do holds the plan she is asked about.
    b.wait_for("#todo-consulting a")
        .await
        .click()
        .await
        .unwrap();
    b.wait_for("#comment-form textarea[name=comment]")
        .await
        .send_keys("建议增加进社区的安排。")
        .await
        .unwrap();
    b.fits(360, "the comment form").await;
    b.wait_for("#comment-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    let comments = b.wait_for("#comments").await.text().await.unwrap();
    assert!(
        comments.contains("建议增加进社区的安排。") && comments.contains("待答复"),
        "{comments}"
    );
    b.screenshot("town-comment-360").await;
    b.close().await;
}
