//! The district's office works the demo's story contest on a 360-px phone
//! in headless Chromium: the contest page fits, one entry from a town is
//! ticked and recommended to the district, and the page then says how many
//! more it may recommend; the tick is taken back again. Screenshots are
//! kept under `target/artifacts/`.

use xueshi_testkit::{Browser, Db, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_recommends_an_entry_on_its_phone() {
    let t = TestApp::district(Db::Sqlite).await;
    let contest: i64 = {
        let mut db = t.app.store().read().await.unwrap();
        sqlx::query_scalar("SELECT id FROM contests ORDER BY id LIMIT 1")
            .fetch_one(&mut *db)
            .await
            .unwrap()
    };
    let b = Browser::start(360, 780).await;
    b.sign_in(&t, "office").await;
    b.client
        .goto(&t.url(&format!("/contests/{contest}")))
        .await
        .unwrap();
    let room = b.wait_for("#level-room").await.text().await.unwrap();
    assert!(room.contains("还可推荐 3 件"), "{room}");
    b.fits(360, "the contest").await;
    b.screenshot("contest-360").await;
    b.wait_for("#forward-form input[name=entry]")
        .await
        .click()
        .await
        .unwrap();
    b.wait_for("#forward-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    // The page after the write carries its notice.
    let notice = b.wait_for("p.notice").await.text().await.unwrap();
    assert_eq!(notice, "已推荐");
    let room = b.wait_for("#level-room").await.text().await.unwrap();
    assert!(room.contains("已推荐 1 件，还可推荐 2 件"), "{room}");
    b.fits(360, "the contest after recommending").await;
    let finalists = b.wait_for("#finalists").await.text().await.unwrap();
    assert!(finalists.contains("决赛作品"), "{finalists}");
    b.screenshot("contest-picked-360").await;
    // A wrong tick is taken back: the entry leaves the list, the place is free.
    let picked = b.wait_for("#picked").await.text().await.unwrap();
    assert!(picked.contains("撤回推荐"), "{picked}");
    b.wait_for(".withdraw-form button")
        .await
        .click()
        .await
        .unwrap();
    // The next page's notice (the old page's is there until it loads).
    let mut notice = serde_json::Value::Null;
    for _ in 0..50 {
        notice = b
            .eval("var n = document.querySelector('p.notice'); return n ? n.textContent : ''")
            .await;
        if notice == "已撤回推荐" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(notice, "已撤回推荐");
    let room = b.wait_for("#level-room").await.text().await.unwrap();
    assert!(room.contains("已推荐 0 件，还可推荐 3 件"), "{room}");
    assert_eq!(
        b.eval("return document.querySelectorAll('#picked li').length")
            .await,
        serde_json::json!(0)
    );
    b.close().await;
}
