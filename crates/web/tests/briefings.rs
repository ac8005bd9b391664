//! Briefings through the real server, on both databases: generated from the
//! figure catalogue, refused on bad input with nothing written, moved along
//! draft → approved → published and no further, fixed once published while
//! the records change, and a Word document LibreOffice opens without repair
//! whose figures link to their rows.

use std::io::Read;

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_testkit::people::post;
use xueshi_testkit::{Client, TestApp, both, dump};

async fn get(c: &Client, path: &str) -> (u16, Value) {
    let r = c.api(Method::GET, path, None).await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn scope_of(c: &Client) -> String {
    get(c, "/api/v1/units").await.1["unit"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn figure<'a>(b: &'a Value, key: &str) -> &'a Value {
    b["content"]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap()
}

/// The text LibreOffice reads from a .docx, converted headless.
fn text_of_docx(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("issue.docx");
    std::fs::write(&file, bytes).unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("profile").display()
    );
    let out = std::process::Command::new("soffice")
        .args([
            &profile,
            "--headless",
            "--convert-to",
            "txt:Text",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("soffice (apt-get install libreoffice-writer-nogui)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(dir.path().join("issue.txt")).expect("LibreOffice wrote the text")
}

both!(
    async fn the_office_generates_approves_and_publishes_a_briefing_that_stays_as_published(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let root = scope_of(&office).await;
        let (_, listed) = get(&office, &format!("/api/v1/units/{root}/briefings")).await;
        assert_eq!(listed["may_write"], true);
        // The demo kept the rhythm for six weeks: a weekly issue each week
        // and this week's, the monthly papers.
        let items = listed["items"].as_array().unwrap();
        let weeklies = items.iter().filter(|i| i["kind"] == "weekly").count();
        assert!(weeklies >= 6, "{listed}");
        assert!(items.iter().any(|i| i["kind"] == "monthly_summary" && i["status"] == "draft"), "{listed}");
        let next = format!("第{}期", weeklies + 1);

        // Bad requests name their field and write nothing.
        let before = dump(t.app.store()).await;
        for (body, field) in [
            (json!({ "kind": "daily" }), "kind"),
            (json!({ "kind": "weekly", "from": "2021-07-01", "to": "2021-06-01" }), "from"),
            (json!({ "kind": "weekly", "to": "2021-02-30" }), "to"),
            (json!({ "kind": "weekly", "remarks": "a\u{7}b" }), "remarks"),
        ] {
            let (status, e) = post(&office, &format!("/api/v1/units/{root}/briefings"), body).await;
            assert_eq!(status, 422, "{e}");
            assert_eq!(e["fields"][0]["field"], field, "{e}");
        }
        assert!(dump(t.app.store()).await == before);

        let (status, made) = post(&office, &format!("/api/v1/units/{root}/briefings"), json!({
            "kind": "weekly", "remarks": "各支部书记本周内逐人提醒未答题党员。",
        })).await;
        assert_eq!(status, 201, "{made}");
        let id = made["id"].as_str().unwrap().to_owned();
        let (_, b) = get(&office, &format!("/api/v1/briefings/{id}")).await;
        assert_eq!(b["issue"], next);
        assert_eq!(b["status"], "draft");
        assert_eq!(figure(&b, "members")["words"], "11543名");
        assert_eq!(figure(&b, "grassroots_units")["words"], "534个");
        // Every unit below the district is in the table; the lagging list is
        // the fewest quizzes per member first.
        let (_, scope) = get(&office, "/api/v1/units").await;
        assert_eq!(b["content"]["units"].as_array().unwrap().len(), scope["children"].as_array().unwrap().len());
        let lag: Vec<i64> = b["content"]["lagging"].as_array().unwrap().iter().map(|l| l["quiz_permille"].as_i64().unwrap()).collect();
        assert!(lag.len() <= 5 && lag.windows(2).all(|w| w[0] <= w[1]), "{lag:?}");

        // The road: no publishing a draft, and nothing after publishing.
        let step = |to: &'static str| json!({ "status": to });
        assert_eq!(post(&office, &format!("/api/v1/briefings/{id}/status"), step("published")).await.0, 409);
        assert_eq!(post(&office, &format!("/api/v1/briefings/{id}/regenerate"), json!({ "remarks": "改" })).await.0, 204);
        assert_eq!(post(&office, &format!("/api/v1/briefings/{id}/status"), step("approved")).await.0, 204);
        assert_eq!(post(&office, &format!("/api/v1/briefings/{id}/regenerate"), json!({})).await.0, 409);
        assert_eq!(post(&office, &format!("/api/v1/briefings/{id}/status"), step("published")).await.0, 204);
        for to in ["draft", "approved"] {
            assert_eq!(post(&office, &format!("/api/v1/briefings/{id}/status"), step(to)).await.0, 409, "{to}");
        }
        assert_eq!(post(&office, &format!("/api/v1/briefings/{id}/status"), step("sent")).await.0, 422);

        // A member joins after publication: the issue keeps its figure and
        // says what has changed since.
        let mut member = t.client();
        member.api_login("member", "xueshi2021").await;
        let branch = scope_of(&member).await;
        let (status, m) = post(&office, &format!("/api/v1/units/{branch}/members"), json!({ "name": "欧阳新", "status": "预备党员", "gender": "女" })).await;
        assert_eq!(status, 201, "{m}");
        let (_, b) = get(&office, &format!("/api/v1/briefings/{id}")).await;
        assert_eq!(figure(&b, "members")["value"], 11_543);
        assert_eq!(b["changed"][0][0]["key"], "members");
        assert_eq!(b["changed"][0][1], 11_544);
        let mut browser = t.signed_in("office").await;
        let (_, page) = browser.page(&format!("/briefings/{id}")).await;
        assert!(page.contains("id=\"briefing-changed\"") && page.contains("11543 → 11544"), "{page}");
        assert!(page.contains(&format!("href=\"/units/{root}/figures/rows?figure=members\"")));
        assert!(!page.contains("id=\"briefing-approve\"") && !page.contains("id=\"briefing-publish\""));

        // The Word document: LibreOffice reads it without repair, the figures
        // are in it, and each links to its rows on this server.
        let r = browser.get(&format!("/briefings/{id}/document.docx")).await;
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap().to_vec();
        let text = text_of_docx(&bytes);
        // The remarks are the ones it was generated again with.
        for words in ["党史学习教育工作简报", next.as_str(), "11543名", "534个", "四、工作要求", "改"] {
            assert!(text.contains(words), "{words} in {text}");
        }
        assert!(!text.contains("各支部书记"));
        // The chart of daily quizzes per member is drawn when there is
        // anything to draw.
        let studied = b["content"]["units"].as_array().unwrap().iter().any(|u| u["quiz_permille"].as_i64().unwrap() > 0);
        assert_eq!(text.contains("各单位人均每日答题（%）"), studied, "{text}");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut rels = String::new();
        zip.by_name("word/_rels/document.xml.rels").unwrap().read_to_string(&mut rels).unwrap();
        assert!(rels.contains(&format!("{}/units/{root}/figures/rows?figure=members", browser.url(""))), "{rels}");
        let mut body = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut body).unwrap();
        assert!(body.contains("w:gridCol") && body.contains("仿宋") && body.contains("黑体"));

        let mut conn = t.app.store().read().await.unwrap();
        let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log WHERE object_kind = 'briefing' AND object_id = $1 ORDER BY id")
            .bind(id.parse::<i64>().unwrap())
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        assert_eq!(actions, ["briefing.generate", "briefing.regenerate", "briefing.approve", "briefing.publish", "briefing.export"]);
    }
);

both!(
    async fn readers_and_writers_of_briefings_are_who_the_roles_say(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        // The inspector's round covers the park: the office briefs it, the
        // inspector reads the issue and cannot move it.
        let mut inspector = t.client();
        inspector.api_login("inspector", "xueshi2021").await;
        let park = scope_of(&inspector).await;
        let (status, made) = post(&office, &format!("/api/v1/units/{park}/briefings"), json!({ "kind": "monthly_notice" })).await;
        assert_eq!(status, 201, "{made}");
        let id = made["id"].as_str().unwrap();
        let (status, b) = get(&inspector, &format!("/api/v1/briefings/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(b["may_write"], false);
        assert_eq!(b["issue"], "第1期");
        assert_eq!(post(&inspector, &format!("/api/v1/briefings/{id}/status"), json!({ "status": "approved" })).await.0, 403);
        assert_eq!(post(&inspector, &format!("/api/v1/units/{park}/briefings"), json!({ "kind": "weekly" })).await.0, 403);
        // A member reads no briefings, not even their own branch's.
        let mut member = t.client();
        member.api_login("member", "xueshi2021").await;
        let branch = scope_of(&member).await;
        assert_eq!(get(&member, &format!("/api/v1/units/{branch}/briefings")).await.0, 403);
        assert_eq!(get(&member, &format!("/api/v1/briefings/{id}")).await.0, 403);
        // A town's admin briefs the town, and numbers start again there.
        let mut town = t.client();
        town.api_login("songyanghu", "xueshi2021").await;
        let own = scope_of(&town).await;
        let (status, made) = post(&town, &format!("/api/v1/units/{own}/briefings"), json!({ "kind": "weekly" })).await;
        assert_eq!(status, 201, "{made}");
        let (_, b) = get(&town, &format!("/api/v1/briefings/{}", made["id"].as_str().unwrap())).await;
        assert_eq!(b["issue"], "第1期");
        assert_eq!(b["content"]["unit_name"], "松杨湖街道党工委");
    }
);

/// A review's paragraph as read: its words and its figures' words.
fn read(paragraph: &Value) -> String {
    paragraph
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["text"]
                .as_str()
                .or(p["figure"]["words"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect()
}

both!(
    async fn the_review_says_the_districts_figures_in_the_reports_words(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let root = scope_of(&office).await;
        let (status, r) = get(&office, &format!("/api/v1/units/{root}/review")).await;
        assert_eq!(status, 200, "{r}");
        let text: Vec<String> = r["paragraphs"].as_array().unwrap().iter().map(read).collect();
        // Seed 001's figures, as the district models them.
        assert_eq!(text[0], "中共岳阳市云溪区委员会党史学习教育覆盖534个基层党组织、11543名党员。");
        assert!(text[2].starts_with("围绕“我为群众办实事”，确定重点民生实事28件、一般实事146件，已办结"), "{}", text[2]);
        assert_eq!(text[3], "截至目前，11543名党员为群众帮办各类事务600多件，解决“急难愁”事项1400多个，化解矛盾纠纷320件。");
        // Each figure is the catalogue's, and opens to its rows.
        let (_, figures) = get(&office, &format!("/api/v1/units/{root}/figures")).await;
        for piece in r["paragraphs"][3].as_array().unwrap().iter().filter(|p| p["type"] == "figure") {
            let key = piece["figure"]["key"].as_str().unwrap();
            let f = figures.as_array().unwrap().iter().find(|f| f["key"] == key).unwrap();
            assert_eq!(piece["figure"]["value"], f["value"], "{key}");
            assert_eq!(piece["figure"]["words"], f["words"], "{key}");
        }
        let mut browser = t.signed_in("office").await;
        let (_, page) = browser.page(&format!("/units/{root}/review")).await;
        assert!(page.contains(&format!("href=\"/units/{root}/figures/rows?figure=affairs\"")), "{page}");
        let link = format!("/units/{root}/review.docx?from={}&to={}", r["span"]["from"].as_str().unwrap(), r["span"]["to"].as_str().unwrap());
        let r = browser.get(&link).await;
        assert_eq!(r.status(), 200);
        let doc = text_of_docx(&r.bytes().await.unwrap());
        for line in &text {
            assert!(doc.contains(line.as_str()), "{line} in {doc}");
        }
        // The inspector reads the review of their round's park; a member
        // reads none.
        let mut inspector = t.client();
        inspector.api_login("inspector", "xueshi2021").await;
        let park = scope_of(&inspector).await;
        let (status, r) = get(&inspector, &format!("/api/v1/units/{park}/review")).await;
        assert_eq!(status, 200);
        assert_eq!(r["paragraphs"].as_array().unwrap().len(), 4);
        let mut member = t.client();
        member.api_login("member", "xueshi2021").await;
        let branch = scope_of(&member).await;
        assert_eq!(get(&member, &format!("/api/v1/units/{branch}/review")).await.0, 403);
    }
);
