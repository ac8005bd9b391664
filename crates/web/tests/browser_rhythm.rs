//! The campaign office on a 360-px phone in headless Chromium: from the
//! campaign's page to its rhythm, records this week's dispatch meeting with
//! a decision through the form, makes the decision a task, and reads the
//! published plan with its answered comments; a town's secretary answers a
//! consultation. Screenshots are kept under `target/artifacts/`.

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
    sign_in(&b, &t, "office").await;
    b.client
        .goto(&t.url(&format!("/campaigns/{campaign}")))
        .await
        .unwrap();
    wait_for(&b, "#campaign-links a[href$='/rhythm']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&b, "#occurrences").await;
    let count = wait_for(&b, "#rhythm-count").await.text().await.unwrap();
    assert!(count.contains("逾期未完成 1 项"), "{count}");
    fits_the_phone(&b, "the rhythm").await;
    b.screenshot("office-rhythm-360").await;

    // This week's dispatch meeting, through its form.
    let next = b
        .eval("return [...document.querySelectorAll('#occurrences tr.due a, #occurrences tr.upcoming a')].find(a => a.textContent.includes('每周调度会')).getAttribute('href')")
        .await;
    b.client.goto(&t.url(next.as_str().unwrap())).await.unwrap();
    wait_for(&b, "#dispatch-form").await;
    fits_the_phone(&b, "the dispatch form").await;
    wait_for(&b, "#dispatch-form input[name=chair]")
        .await
        .send_keys("区委常委、组织部部长")
        .await
        .unwrap();
    wait_for(&b, "#dispatch-form textarea[name=attendees]")
        .await
        .send_keys("领导小组办公室成员")
        .await
        .unwrap();
    wait_for(&b, "#dispatch-form input[name=decision_0]")
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
    wait_for(&b, "#dispatch-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&b, "#figures-reviewed").await;
    let decisions = wait_for(&b, "#decisions").await.text().await.unwrap();
    assert!(
        decisions.contains("未召开组织生活会的支部本月内召开"),
        "{decisions}"
    );
    fits_the_phone(&b, "the dispatch record").await;
    b.screenshot("office-dispatch-360").await;
    // The decision becomes a draft task led by its owner.
    wait_for(&b, "#decisions form button")
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
    let notice = wait_for(&b, "p[role=status]").await.text().await.unwrap();
    assert!(notice.contains("已转为任务草稿"), "{notice}");

    // The published plan, its drafts and the towns' comments answered.
    b.client
        .goto(&t.url(&format!("/campaigns/{campaign}/plans")))
        .await
        .unwrap();
    wait_for(&b, "#plans a").await.click().await.unwrap();
    wait_for(&b, "#plan-body").await;
    let status = wait_for(&b, "#version-status").await.text().await.unwrap();
    assert_eq!(status, "已发布");
    let comments = wait_for(&b, "#comments").await.text().await.unwrap();
    assert!(
        comments.contains("部分采纳") && comments.contains("未采纳"),
        "{comments}"
    );
    fits_the_phone(&b, "the plan").await;
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
    sign_in(&b, &t, "songyanghu").await;
    // Her home's to-do holds the plan she is asked about.
    wait_for(&b, "#todo-consulting a")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&b, "#comment-form textarea[name=comment]")
        .await
        .send_keys("建议增加进社区的安排。")
        .await
        .unwrap();
    fits_the_phone(&b, "the comment form").await;
    wait_for(&b, "#comment-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    let comments = wait_for(&b, "#comments").await.text().await.unwrap();
    assert!(
        comments.contains("建议增加进社区的安排。") && comments.contains("待答复"),
        "{comments}"
    );
    b.screenshot("town-comment-360").await;
    b.close().await;
}
