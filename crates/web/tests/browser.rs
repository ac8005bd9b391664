//! The pages in headless Chromium: sign in, open the tree, open a unit,
//! switch to English, on a 360-px phone and on a desktop. Screenshots are
//! kept under `target/artifacts/`.

use std::time::Duration;

use fantoccini::Locator;
use xueshi_testkit::{Browser, Db, TestApp};

async fn wait_for(b: &Browser, css: &str) -> fantoccini::elements::Element {
    b.client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

/// The text of the first element matching `css`, read again when a
/// navigation replaced the element between finding and reading it.
async fn text(b: &Browser, css: &str) -> String {
    for _ in 0..50 {
        if let Ok(t) = wait_for(b, css).await.text().await {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} kept going stale")
}

/// Signs in through the login form and waits for the overview.
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

/// Waits until `script` returns true: a click that navigates returns before
/// the new page is there.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secretary_signs_in_and_walks_the_tree_on_a_phone() {
    let t = TestApp::district(Db::Sqlite).await;
    let b = Browser::start(360, 780).await;
    b.client.goto(&t.url("/login")).await.unwrap();
    assert_eq!(b.eval("return window.innerWidth").await, 360);
    wait_for(&b, "#username")
        .await
        .send_keys("office")
        .await
        .unwrap();
    wait_for(&b, "#password")
        .await
        .send_keys("xueshi2021")
        .await
        .unwrap();
    b.screenshot("login-360").await;
    wait_for(&b, "#login-submit").await.click().await.unwrap();

    assert_eq!(text(&b, "#scope-name").await, "中共岳阳市云溪区委员会");
    assert_eq!(text(&b, "#stat-grassroots").await, "534");
    assert_eq!(text(&b, "#stat-members").await, "11543");
    let overflow = b.eval("return document.documentElement.scrollWidth").await;
    assert!(
        overflow.as_i64().unwrap() <= 360,
        "the overview fits a 360-px screen ({overflow})"
    );
    b.screenshot("home-360").await;

    wait_for(&b, "#nav-tree").await.click().await.unwrap();
    wait_for(&b, "#tree").await;
    b.client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::LinkText("松杨湖街道党工委"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(text(&b, "#unit-name").await, "松杨湖街道党工委");
    let members: i64 = text(&b, "#unit-members").await.parse().unwrap();
    assert!(members > 500, "{members}");
    assert!(
        b.eval("return document.documentElement.scrollWidth")
            .await
            .as_i64()
            .unwrap()
            <= 360
    );
    b.screenshot("unit-360").await;

    wait_for(&b, "#lang-switch").await.click().await.unwrap();
    wait_until(
        &b,
        "return document.readyState === 'complete' && document.documentElement.lang === 'en'",
    )
    .await;
    let heading = text(&b, "#children").await;
    assert!(
        heading.contains("Name") && heading.contains("Members"),
        "{heading}"
    );
    let shot = b.screenshot("unit-360-en").await;
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a real picture was taken"
    );

    b.client.goto(&t.url("/logout")).await.unwrap();
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_on_a_desktop() {
    let t = TestApp::district(Db::Sqlite).await;
    let b = Browser::start(1280, 900).await;
    sign_in(&b, &t, "office").await;
    let charts = b.client.find_all(Locator::Css("svg.chart")).await.unwrap();
    assert!(charts.len() >= 3, "the overview draws its charts");
    b.screenshot("home-1280").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiz_left_past_its_time_is_shown_as_expired_and_never_sent_again() {
    let t = TestApp::district(Db::Sqlite).await;
    let b = Browser::start(360, 780).await;
    sign_in(&b, &t, "member").await;
    b.client.goto(&t.url("/study")).await.unwrap();
    wait_for(&b, "#quiz-ready").await;
    // Twenty minutes on the page before starting cost nothing.
    t.advance_minutes(20);
    b.client.goto(&t.url("/study")).await.unwrap();
    wait_for(&b, "#quiz-start").await.click().await.unwrap();
    let clock = text(&b, "#quiz-clock").await;
    assert!(
        clock.starts_with("10:") || clock.starts_with("9:"),
        "{clock}"
    );
    // The member puts the phone down past the limit and then hands it in.
    t.advance_minutes(11);
    wait_for(&b, "#quiz-submit").await.click().await.unwrap();
    let shown = text(&b, "#quiz-expired").await;
    assert!(shown.contains("已超过时限"), "{shown}");
    assert!(text(&b, "#quiz-error").await.contains("超过"));
    // Nothing is sent again: the page stays the one loaded, with no paper.
    b.eval("window.__stayed = true; return true").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        b.eval("return window.__stayed === true").await.as_bool(),
        Some(true),
        "the page did not submit itself again"
    );
    assert_eq!(
        b.eval("return document.querySelector('#quiz-form') === null")
            .await
            .as_bool(),
        Some(true)
    );
    // Coming back later the same day shows the same, and studying still works.
    b.client.goto(&t.url("/study")).await.unwrap();
    wait_for(&b, "#quiz-expired").await;
    b.eval("document.getElementById('kind').value = 'film'; return true")
        .await;
    wait_for(&b, "#what")
        .await
        .send_keys("观看《觉醒年代》第一集")
        .await
        .unwrap();
    let minutes = wait_for(&b, "#minutes").await;
    minutes.clear().await.unwrap();
    minutes.send_keys("40").await.unwrap();
    wait_for(&b, "#check-in-submit")
        .await
        .click()
        .await
        .unwrap();
    wait_until(&b, "return document.querySelector('.notice') !== null").await;
    assert!(text(&b, "#recent").await.contains("觉醒年代"));
    b.screenshot("quiz-expired-360").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_checks_in_and_takes_the_quiz_on_a_phone() {
    let t = TestApp::district(Db::Sqlite).await;
    let b = Browser::start(360, 780).await;
    sign_in(&b, &t, "member").await;
    wait_for(&b, "#nav-study").await.click().await.unwrap();
    assert_eq!(text(&b, "#study-title").await, "每日学习");
    b.screenshot("study-360").await;

    // Choosing a material sets its kind (a short video counts as one).
    let picked = b
        .eval(
            "const m = document.getElementById('material'); \
             const o = [...m.options].find(o => o.dataset.kind === 'video'); \
             if (!o) return null; m.value = o.value; \
             m.dispatchEvent(new Event('change')); return document.getElementById('kind').value",
        )
        .await;
    assert_eq!(
        picked.as_str(),
        Some("video"),
        "the kind follows the material"
    );
    b.eval("const m = document.getElementById('material'); m.value = ''; document.getElementById('kind').value = 'book'; return true").await;
    wait_for(&b, "#what")
        .await
        .send_keys("中国共产党简史 第一章")
        .await
        .unwrap();
    let minutes = wait_for(&b, "#minutes").await;
    minutes.clear().await.unwrap();
    minutes.send_keys("45").await.unwrap();
    wait_for(&b, "#check-in-submit")
        .await
        .click()
        .await
        .unwrap();
    wait_until(&b, "return document.querySelector('.notice') !== null").await;
    assert!(text(&b, "#recent").await.contains("中国共产党简史 第一章"));

    // Opening the page starts no clock; pressing start does.
    assert!(text(&b, "#quiz-ready").await.contains("开始计时"));
    wait_for(&b, "#quiz-start").await.click().await.unwrap();
    // The countdown runs: the clock reads less than the ten minutes given.
    let first = text(&b, "#quiz-clock").await;
    wait_until(
        &b,
        "const t = document.getElementById('quiz-clock').textContent; \
         return /^\\d+:\\d\\d$/.test(t) && t !== '10:00' && Number(t.split(':')[0]) === 9",
    )
    .await;
    assert!(
        first.starts_with("10:") || first.starts_with("9:"),
        "{first}"
    );

    // Answer every question: the first option, 正确, or a word.
    b.eval(
        "document.querySelectorAll('#quiz-form fieldset').forEach(f => { \
           const c = f.querySelector('input[type=radio], input[type=checkbox]'); \
           if (c) { c.checked = true; } else { f.querySelector('input').value = '上海'; } }); return true",
    )
    .await;
    assert!(
        b.eval("return document.documentElement.scrollWidth")
            .await
            .as_i64()
            .unwrap()
            <= 360,
        "the quiz fits a phone"
    );
    b.screenshot("quiz-360").await;
    wait_for(&b, "#quiz-submit").await.click().await.unwrap();
    let score = text(&b, "#quiz-score").await;
    assert!(
        score.starts_with("答对 ") && score.contains("/ 5 题"),
        "{score}"
    );
    assert!(
        b.eval("return document.querySelectorAll('.graded li').length")
            .await
            .as_i64()
            == Some(5)
    );
    b.screenshot("quiz-result-360").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizens_problem_becomes_a_matter_that_is_claimed_finished_and_rated() {
    let t = TestApp::district(Db::Sqlite).await;
    let b = Browser::start(360, 780).await;
    b.client.goto(&t.url("/public/matters")).await.unwrap();
    // The headless browser asks for English; a citizen's phone switches.
    if b.eval("return document.documentElement.lang")
        .await
        .as_str()
        != Some("zh-CN")
    {
        wait_for(&b, "#lang-switch").await.click().await.unwrap();
        wait_until(
            &b,
            "return document.readyState === 'complete' && document.documentElement.lang === 'zh-CN'",
        )
        .await;
    }
    wait_for(&b, "#raise-link").await.click().await.unwrap();
    assert_eq!(text(&b, "#problem-title").await, "我要反映问题");
    wait_for(&b, "#body")
        .await
        .send_keys("村口山塘的堤坝有裂缝，雨季怕出事，希望尽快维修。")
        .await
        .unwrap();
    wait_for(&b, "#area")
        .await
        .send_keys("枧冲村")
        .await
        .unwrap();
    wait_for(&b, "#contact")
        .await
        .send_keys("13907301234")
        .await
        .unwrap();
    // Work out the sum the form asks.
    let sum = b
        .eval(
            "const l = document.querySelector('#answer').closest('label').textContent; \
             const m = l.match(/(\\d+) \\+ (\\d+)/); return String(Number(m[1]) + Number(m[2]))",
        )
        .await;
    wait_for(&b, "#answer")
        .await
        .send_keys(sum.as_str().unwrap())
        .await
        .unwrap();
    assert!(
        b.eval("return document.documentElement.scrollWidth")
            .await
            .as_i64()
            .unwrap()
            <= 360,
        "the form fits a phone"
    );
    b.screenshot("problem-form-360").await;
    wait_for(&b, "#problem-submit").await.click().await.unwrap();
    let code = text(&b, "#problem-code").await;
    assert_eq!(code.len(), 14, "{code}");
    assert!(text(&b, "#problem-received").await.contains("查询码"));
    let page = b.eval("return document.body.innerText").await;
    assert!(
        !page.as_str().unwrap().contains("1234"),
        "the contact is not shown"
    );
    b.screenshot("problem-followed-360").await;
    // Later, from the lookup box, in lower case.
    b.client.goto(&t.url("/public/problems/new")).await.unwrap();
    wait_for(&b, "#lookup-code")
        .await
        .send_keys(&code.to_lowercase())
        .await
        .unwrap();
    wait_for(&b, "#lookup-submit").await.click().await.unwrap();
    assert_eq!(text(&b, "#problem-code").await, code);
    assert_eq!(text(&b, "#problem-status").await, "已受理，待分办");

    // The office turns it into a matter from the triage queue.
    sign_in(&b, &t, "office").await;
    b.client.goto(&t.url("/problems")).await.unwrap();
    wait_for(&b, &format!("#take-up-{code}"))
        .await
        .click()
        .await
        .unwrap();
    wait_for(&b, "#from-problem").await;
    b.eval("document.querySelector('#deadline').value = '2030-06-30'; return true")
        .await;
    wait_for(&b, "#target")
        .await
        .send_keys("堤坝加固完毕")
        .await
        .unwrap();
    wait_for(&b, "#matter-submit").await.click().await.unwrap();
    let title = text(&b, "#matter-title").await;
    assert!(title.starts_with("村口山塘的堤坝有裂缝"), "{title}");
    let matter = b.eval("return location.pathname.split('/')[2]").await;
    let matter = matter.as_str().unwrap().to_owned();
    wait_for(&b, "#logout").await.click().await.unwrap();
    // Signed out before going on: a navigation started now would race it.
    wait_until(&b, "return location.pathname === '/login'").await;

    // A section-level cadre claims it, reports and finishes it on a phone.
    xueshi_testkit::people::member_of(&t, "section", 7).await;
    b.client.goto(&t.url("/login")).await.unwrap();
    wait_for(&b, "#username")
        .await
        .send_keys("section7")
        .await
        .unwrap();
    wait_for(&b, "#password")
        .await
        .send_keys("xueshi2021")
        .await
        .unwrap();
    wait_for(&b, "#login-submit").await.click().await.unwrap();
    wait_until(&b, "return location.pathname !== '/login'").await;
    b.client
        .goto(&t.url(&format!("/matters/{matter}")))
        .await
        .unwrap();
    wait_for(&b, "#claim-lead").await.click().await.unwrap();
    // The claim posts and the page comes back: read it once it has.
    wait_until(
        &b,
        "return (document.querySelector('#claims')?.textContent ?? '').includes('领办')",
    )
    .await;
    assert!(text(&b, "#claims").await.contains("领办"));
    let progress = wait_for(&b, "#progress").await;
    progress.clear().await.unwrap();
    progress.send_keys("60").await.unwrap();
    wait_for(&b, "#note")
        .await
        .send_keys("已清理裂缝，正在浇筑")
        .await
        .unwrap();
    wait_for(&b, "#report-submit").await.click().await.unwrap();
    wait_for(&b, "#finish-form").await;
    let solved = wait_for(&b, "#problems-solved").await;
    solved.clear().await.unwrap();
    solved.send_keys("1").await.unwrap();
    let people = wait_for(&b, "#people-served").await;
    people.clear().await.unwrap();
    people.send_keys("320").await.unwrap();
    assert!(
        b.eval("return document.documentElement.scrollWidth")
            .await
            .as_i64()
            .unwrap()
            <= 360,
        "the matter page fits a phone"
    );
    b.screenshot("matter-lead-360").await;
    wait_for(&b, "#finish-submit").await.click().await.unwrap();
    wait_until(&b, "return document.querySelector('#matter-status') && document.querySelector('#matter-status').textContent.includes('已办结')").await;
    wait_for(&b, "#logout").await.click().await.unwrap();
    // Signed out before going on: a navigation started now would race it.
    wait_until(&b, "return location.pathname === '/login'").await;

    // The citizen rates it on its public page, and sees where the problem went.
    b.client
        .goto(&t.url(&format!("/public/matters/{matter}")))
        .await
        .unwrap();
    wait_for(&b, "input[name=rating][value=satisfied]")
        .await
        .click()
        .await
        .unwrap();
    let sum = b
        .eval(
            "const l = document.querySelector('#answer').closest('label').textContent; \
             const m = l.match(/(\\d+) \\+ (\\d+)/); return String(Number(m[1]) + Number(m[2]))",
        )
        .await;
    wait_for(&b, "#answer")
        .await
        .send_keys(sum.as_str().unwrap())
        .await
        .unwrap();
    // The citizen who raised the problem rates with its tracking code, as
    // one of the people the matter served.
    wait_for(&b, "#rating-code")
        .await
        .send_keys(&code)
        .await
        .unwrap();
    wait_for(&b, "#rate-submit").await.click().await.unwrap();
    wait_for(&b, "#rated").await;
    assert!(text(&b, "#rating-counts").await.contains("满意 1"));
    assert!(text(&b, "#public-rating-counts").await.contains("满意 0"));
    let lead: String = {
        let mut db = t.app.store().read().await.unwrap();
        sqlx::query_scalar("SELECT p.name FROM members p JOIN accounts a ON a.member_id = p.id WHERE a.username = 'section7'")
            .fetch_one(&mut *db)
            .await
            .unwrap()
    };
    let page = b.eval("return document.body.innerText").await;
    assert!(
        !page.as_str().unwrap().contains(&lead),
        "the public page names nobody"
    );
    b.screenshot("matter-rated-360").await;
    b.client
        .goto(&t.url(&format!("/public/problems/{code}")))
        .await
        .unwrap();
    assert_eq!(text(&b, "#problem-status").await, "已立项办理");
    b.close().await;
}

/// What a page looks like at its width: how wide it is, the smallest chart
/// text as drawn (px), and the same-site links it offers.
const MEASURE: &str = "
  const charts = [...document.querySelectorAll('svg.chart')].filter(s => s.getBoundingClientRect().width > 0);
  let smallest = 100;
  for (const svg of charts) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
  }
  const links = [...document.querySelectorAll('a[href^=\"/\"]')].map(a => a.getAttribute('href'))
    .filter(h => !h.startsWith('//') && !h.startsWith('/assets/') && !h.endsWith('.xlsx') && !h.includes('/download'));
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361 && !e.closest('.table-wrap'))
    .slice(0, 3).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + (e.textContent || '').slice(0, 40));
  return { width: document.documentElement.scrollWidth, smallest, links, wide };";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_every_role_fits_a_phone() {
    let t = TestApp::district_studying(Db::Sqlite).await;
    let b = Browser::start(360, 780).await;
    let mut checked = 0;
    for who in [
        "office",
        "songyanghu",
        "inspector",
        "member",
        "",
        "office/en",
    ] {
        let (user, english) = match who.split_once('/') {
            Some((u, _)) => (u, true),
            None => (who, false),
        };
        if user.is_empty() {
            b.client.goto(&t.url("/public/matters")).await.unwrap();
        } else {
            sign_in(&b, &t, user).await;
        }
        if english {
            wait_for(&b, "#lang-switch").await.click().await.unwrap();
            wait_until(&b, "return document.documentElement.lang === 'en'").await;
        }
        let start = if user.is_empty() {
            "/public/matters"
        } else {
            "/home"
        };
        let mut queue = std::collections::VecDeque::from([start.to_owned()]);
        let mut seen = std::collections::BTreeSet::new();
        let mut shapes: std::collections::BTreeMap<String, usize> = Default::default();
        let mut pages = 0;
        while let Some(path) = queue.pop_front() {
            if pages >= 28 || !seen.insert(path.clone()) {
                continue;
            }
            let shape: String = path
                .split(['/', '?', '&', '='])
                .map(|s| {
                    if s.chars().any(|c| c.is_ascii_digit()) {
                        "#"
                    } else {
                        s
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let n = shapes.entry(shape).or_default();
            *n += 1;
            if *n > 2 {
                continue;
            }
            b.client.goto(&t.url(&path)).await.unwrap();
            wait_until(&b, "return document.readyState === 'complete'").await;
            let m = b.eval(MEASURE).await;
            if who == "songyanghu" && path.ends_with("/study/members") {
                b.screenshot("standing-360").await;
            }
            let width = m["width"].as_i64().unwrap();
            assert!(
                width <= 360,
                "{who}: {path} is {width} px wide at 360: {}",
                m["wide"]
            );
            let smallest = m["smallest"].as_f64().unwrap();
            assert!(
                smallest >= 11.0,
                "{who}: {path} draws chart text at {smallest:.1} px"
            );
            for l in m["links"].as_array().unwrap() {
                let l = l.as_str().unwrap().split('#').next().unwrap().to_owned();
                if !seen.contains(&l) && !l.is_empty() {
                    queue.push_back(l);
                }
            }
            pages += 1;
        }
        assert!(pages >= 8, "{who}: only {pages} pages walked");
        checked += pages;
        if !user.is_empty() {
            b.client.goto(&t.url("/home")).await.unwrap();
            wait_for(&b, "#logout").await.click().await.unwrap();
            wait_until(&b, "return location.pathname === '/login'").await;
        }
    }
    assert!(checked > 80, "{checked} pages");
    b.close().await;
}

/// The office's forms for one question, one material, one day of history,
/// and the rating slips it prints, on a 360-px phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offices_item_forms_and_rating_slips_fit_a_phone() {
    let t = TestApp::district(Db::Sqlite).await;
    let (question, material, history, matter): (i64, i64, i64, i64) = {
        let mut db = t.app.store().read().await.unwrap();
        let one = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
        (
            one("SELECT id FROM questions ORDER BY id LIMIT 1")
                .fetch_one(&mut *db)
                .await
                .unwrap(),
            one("SELECT id FROM materials ORDER BY id LIMIT 1")
                .fetch_one(&mut *db)
                .await
                .unwrap(),
            one("SELECT id FROM history_days ORDER BY id LIMIT 1")
                .fetch_one(&mut *db)
                .await
                .unwrap(),
            one("SELECT id FROM matters WHERE status = 'done' ORDER BY id LIMIT 1")
                .fetch_one(&mut *db)
                .await
                .unwrap(),
        )
    };
    let b = Browser::start(360, 780).await;
    sign_in(&b, &t, "office").await;
    for (path, shot) in [
        ("/questions".to_owned(), "questions-360"),
        ("/questions/new".to_owned(), "question-new-360"),
        (format!("/questions/{question}"), "question-edit-360"),
        ("/library".to_owned(), "library-360"),
        ("/library/materials/new".to_owned(), "material-new-360"),
        (
            format!("/library/materials/{material}"),
            "material-edit-360",
        ),
        (format!("/library/history/{history}"), "history-edit-360"),
        (format!("/matters/{matter}"), "matter-codes-360"),
    ] {
        b.client.goto(&t.url(&path)).await.unwrap();
        wait_until(&b, "return document.readyState === 'complete'").await;
        let width = b.eval("return document.documentElement.scrollWidth").await;
        assert!(width.as_i64().unwrap() <= 360, "{path} is {width} px wide");
        b.screenshot(shot).await;
    }
    // The matter's page prints rating slips: each with its code and QR code.
    let count = wait_for(&b, "#rating-codes-count").await;
    count.clear().await.unwrap();
    count.send_keys("3").await.unwrap();
    wait_for(&b, "#rating-codes-print")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&b, "#slips").await;
    assert_eq!(
        b.eval("return document.querySelectorAll('.slip svg').length")
            .await,
        3
    );
    let width = b.eval("return document.documentElement.scrollWidth").await;
    assert!(
        width.as_i64().unwrap() <= 360,
        "the slips are {width} px wide"
    );
    b.screenshot("rating-slips-360").await;
    b.close().await;
}

/// A branch secretary opens the figures of their town on a phone, and the
/// rows behind one: both fit 360 px (the tables scroll inside their frame).
#[tokio::test]
async fn the_figures_and_their_rows_fit_a_phone() {
    let t = TestApp::district(Db::Sqlite).await;
    let town: i64 = {
        let mut db = t.app.store().read().await.unwrap();
        sqlx::query_scalar("SELECT scope_unit_id FROM accounts WHERE username = 'songyanghu'")
            .fetch_one(&mut *db)
            .await
            .unwrap()
    };
    let b = Browser::start(360, 780).await;
    sign_in(&b, &t, "songyanghu").await;
    for (path, shot) in [
        (format!("/units/{town}/figures"), "figures-360"),
        (
            format!("/units/{town}/figures/rows?figure=members"),
            "figure-rows-360",
        ),
    ] {
        b.client.goto(&t.url(&path)).await.unwrap();
        wait_until(&b, "return document.readyState === 'complete'").await;
        let width = b.eval("return document.documentElement.scrollWidth").await;
        assert!(width.as_i64().unwrap() <= 360, "{path} is {width} px wide");
        b.eval("document.querySelector('h1').scrollIntoView(); return 0")
            .await;
        b.screenshot(shot).await;
    }
    let first = b
        .eval("return document.querySelector('#rows tbody tr td').textContent")
        .await;
    assert!(!first.as_str().unwrap_or("").is_empty());
    b.close().await;
}

/// The office generates this week's briefing on a phone through the form,
/// approves it, and follows one of its figures to the rows behind it.
#[tokio::test]
async fn the_office_generates_this_weeks_briefing_and_follows_a_figure_to_its_rows() {
    let t = TestApp::district_studying(Db::Sqlite).await;
    let root: i64 = {
        let mut db = t.app.store().read().await.unwrap();
        sqlx::query_scalar("SELECT id FROM units WHERE parent_id IS NULL")
            .fetch_one(&mut *db)
            .await
            .unwrap()
    };
    let b = Browser::start(360, 780).await;
    sign_in(&b, &t, "office").await;
    b.client
        .goto(&t.url(&format!("/units/{root}")))
        .await
        .unwrap();
    wait_for(&b, "#unit-briefings").await.click().await.unwrap();
    wait_for(&b, "#briefing-form").await;
    let width = b.eval("return document.documentElement.scrollWidth").await;
    assert!(
        width.as_i64().unwrap() <= 360,
        "the list is {width} px wide"
    );
    b.screenshot("briefings-360").await;
    wait_for(&b, "#briefing-form textarea[name=remarks]")
        .await
        .send_keys("各支部本周内完成专题组织生活会。")
        .await
        .unwrap();
    wait_for(&b, "#briefing-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&b, "#briefing-approve").await;
    // This week's issue is the district's latest weekly one.
    let weeklies: i64 = {
        let mut db = t.app.store().read().await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM briefings WHERE kind = 'weekly' AND unit_id = $1")
            .bind(root)
            .fetch_one(&mut *db)
            .await
            .unwrap()
    };
    let masthead = b
        .eval("return document.querySelector('.masthead').textContent")
        .await;
    let issue = format!("第{weeklies}期");
    assert!(masthead.as_str().unwrap().contains(&issue), "{masthead}");
    let width = b.eval("return document.documentElement.scrollWidth").await;
    assert!(
        width.as_i64().unwrap() <= 360,
        "the issue is {width} px wide"
    );
    b.eval("document.querySelector('h1').scrollIntoView(); return 0")
        .await;
    b.screenshot("briefing-360").await;
    wait_for(&b, "#briefing-approve")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&b, "#briefing-publish").await;
    // The week's check-ins, as the issue says them, open to as many rows.
    let said = b
        .eval("return document.querySelector('#briefing-figures a[data-figure=check_ins]').textContent")
        .await;
    wait_for(&b, "#briefing-figures a[data-figure=check_ins]")
        .await
        .click()
        .await
        .unwrap();
    let summary = wait_for(&b, "#rows-summary").await.text().await.unwrap();
    assert!(
        summary.contains(&format!("即数字 {}", said.as_str().unwrap())),
        "{summary} / {said}"
    );
    assert!(
        b.eval("return document.querySelectorAll('#rows tbody tr').length")
            .await
            .as_i64()
            .unwrap()
            > 0
    );
    b.screenshot("briefing-rows-360").await;
    b.close().await;
}
