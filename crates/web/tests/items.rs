//! One question of the bank and one item of the library at a time, through
//! the real server on both databases: added, refused with the import's own
//! messages, edited, retired and restored, each audited; and the exports and
//! templates, which read back in through the imports.

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_testkit::people::{code_of, member_of, post};
use xueshi_testkit::{Client, TestApp, both};

async fn upload(c: &Client, path: &str, bytes: Vec<u8>) -> (u16, Value) {
    let r = c.upload(path, "file.xlsx", bytes).await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn bytes_of(c: &Client, path: &str) -> Vec<u8> {
    let r = c.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.bytes().await.unwrap().to_vec()
}

/// Codes of an import's refusal, row by row.
fn codes(body: &Value) -> Vec<String> {
    body["rows"].as_array().map_or_else(Vec::new, |rows| {
        rows.iter()
            .map(|r| r["code"].as_str().unwrap_or("").to_owned())
            .collect()
    })
}

async fn actions(t: &TestApp, prefix: &str) -> Vec<String> {
    let mut db = t.app.store().read().await.unwrap();
    sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE $1 ORDER BY id")
        .bind(format!("{prefix}%"))
        .fetch_all(&mut *db)
        .await
        .unwrap()
}

async fn active_ids(t: &TestApp) -> Vec<i64> {
    let mut db = t.app.store().read().await.unwrap();
    xueshi_store::quiz::active_question_ids(&mut db)
        .await
        .unwrap()
}

both!(
    async fn the_office_keeps_the_bank_one_question_at_a_time(db) {
        let t = TestApp::district(db).await;
        let mut office = t.signed_in("office").await;
        let (status, page) = office.page("/questions").await;
        assert_eq!(status, 200);
        for link in ["/questions/new", "/questions.xlsx", "/questions/template.xlsx"] {
            assert!(page.contains(&format!("href=\"{link}\"")), "{link}");
        }
        let (_, form) = office.page("/questions/new").await;
        assert!(form.contains("id=\"question-form\""));
        let before = active_ids(&t).await.len();

        // A wrong answer letter is refused on its field and adds nothing.
        let fields = [
            ("kind", "multiple"), ("stem", "中国共产党第一次全国代表大会在哪些地方召开？"),
            ("option_a", "上海"), ("option_b", "嘉兴南湖"), ("option_c", "北京"), ("option_d", ""),
            ("answer", "AZ"), ("explanation", "一大在上海开幕，在嘉兴南湖闭幕。"), ("tags", "建党"), ("difficulty", "3"),
        ];
        let r = office.form("/questions/add", &fields).await;
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("field-error"), "{body}");
        assert!(body.contains("嘉兴南湖"), "what was typed stays: {body}");
        assert_eq!(active_ids(&t).await.len(), before);

        // Right, it is added and opens on its own page.
        let mut right = fields;
        right[6] = ("answer", "AB");
        let r = office.form("/questions/add", &right).await;
        assert_eq!(r.status(), 303);
        let at = r.headers()["location"].to_str().unwrap().to_owned();
        let id: i64 = at.trim_start_matches("/questions/").split('?').next().unwrap().parse().unwrap();
        assert!(active_ids(&t).await.contains(&id));
        let (_, shown) = office.page(&at).await;
        assert!(shown.contains("一大在上海开幕"), "{shown}");

        // The same question in 繁體 is the same question.
        let mut api = t.client();
        api.api_login("office", "xueshi2021").await;
        let twin = json!({ "kind": "多选题", "stem": "中國共產黨第一次全國代表大會在哪些地方召開？", "options": ["上海", "嘉興南湖", "北京"], "answer": "AB" });
        let (status, body) = post(&api, "/api/v1/questions", twin).await;
        assert_eq!((status, code_of(&body).as_str()), (422, "question_exists"), "{body}");

        // Edited through the API: the answer key corrected, read back.
        let r = api.api(Method::PUT, &format!("/api/v1/questions/{id}"), Some(json!({
            "kind": "single", "stem": "中国共产党第一次全国代表大会在哪里开幕？", "options": ["上海", "嘉兴南湖", "北京"], "answer": "a", "difficulty": 2,
        }))).await;
        assert_eq!(r.status(), 200);
        let q: Value = r.json().await.unwrap();
        assert_eq!((q["kind"].as_str(), q["answer"].as_str()), (Some("single"), Some("A")), "{q}");
        let bad = api.api(Method::PUT, &format!("/api/v1/questions/{id}"), Some(json!({ "kind": "判断题", "stem": "x", "answer": "也许" }))).await;
        assert_eq!(bad.status(), 422);

        // Retired, it is no longer drawn; restored, it is again.
        let r = office.form(&format!("/questions/{id}/retire"), &[]).await;
        assert_eq!(r.status(), 303);
        assert!(!active_ids(&t).await.contains(&id));
        let (_, retired) = office.page(&format!("/questions/{id}")).await;
        assert!(retired.contains("id=\"question-retired\""));
        let r = api.api(Method::POST, &format!("/api/v1/questions/{id}/restore"), None).await;
        assert_eq!(r.status(), 204);
        assert!(active_ids(&t).await.contains(&id));
        assert_eq!(actions(&t, "bank.").await, ["bank.add", "bank.edit", "bank.retire", "bank.restore"]);

        // The export is the import's layout: read back, every row is known.
        let export = bytes_of(&office, "/questions.xlsx").await;
        let (status, body) = upload(&api, "/api/v1/questions/imports", export).await;
        assert_eq!(status, 422, "{body}");
        let found = codes(&body);
        assert!(!found.is_empty() && found.iter().all(|c| c == "question_exists"), "{found:?}");
        // The template reads as an empty bank sheet.
        let template = bytes_of(&office, "/questions/template.xlsx").await;
        let (status, body) = upload(&api, "/api/v1/questions/imports", template).await;
        assert_eq!((status, codes(&body)), (422, vec!["no_rows".to_owned()]), "{body}");

        // A unit admin keeps no bank.
        let mut admin = t.client();
        admin.api_login("songyanghu", "xueshi2021").await;
        let (status, _) = post(&admin, "/api/v1/questions", json!({ "kind": "single", "stem": "x", "options": ["a", "b"], "answer": "A" })).await;
        assert_eq!(status, 403);
        assert_eq!(admin.api(Method::POST, &format!("/api/v1/questions/{id}/retire"), None).await.status(), 403);
        assert!(active_ids(&t).await.contains(&id));
    }
);

both!(
    async fn the_office_keeps_the_library_one_item_at_a_time(db) {
        let t = TestApp::district(db).await;
        let mut office = t.signed_in("office").await;
        let (_, page) = office.page("/library").await;
        for link in ["/library/materials/new", "/library/history/new", "/library.xlsx", "/library/template.xlsx"] {
            assert!(page.contains(&format!("href=\"{link}\"")), "{link}");
        }
        office.page("/library/materials/new").await;
        let fields = [
            ("kind", "video"), ("title", "《觉醒年代》第一集"), ("source", "央视"), ("minutes", "45"),
            ("link", "javascript:alert(1)"), ("body", ""),
        ];
        let r = office.form("/library/materials", &fields).await;
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("觉醒年代") && body.contains("field-error"), "{body}");

        let mut right = fields;
        right[4] = ("link", "https://tv.cctv.com/juexing/1");
        assert_eq!(office.form("/library/materials", &right).await.status(), 303);
        let mut api = t.client();
        api.api_login("office", "xueshi2021").await;
        let lib: Value = api.api(Method::GET, "/api/v1/library", None).await.json().await.unwrap();
        let m = lib["materials"].as_array().unwrap().iter().find(|m| m["title"] == "《觉醒年代》第一集").unwrap().clone();
        let id = m["id"].as_str().unwrap().to_owned();
        assert_eq!((m["kind"].as_str(), m["minutes"].as_i64()), (Some("video"), Some(45)));
        // A second of the same kind and title (繁體) is the same material.
        let (status, body) = post(&api, "/api/v1/library/materials", json!({ "kind": "短视频", "title": "《覺醒年代》第一集" })).await;
        assert_eq!((status, code_of(&body).as_str()), (422, "material_exists"), "{body}");

        // A member picks it and checks in with it; once retired it leaves
        // the list and a check-in naming it is refused.
        let member = member_of(&t, "ordinary", 0).await;
        let me: Value = member.api(Method::GET, "/api/v1/study/me", None).await.json().await.unwrap();
        assert!(me["materials"].as_array().unwrap().iter().any(|x| x["id"] == id.as_str()));
        let (status, _) = post(&member, "/api/v1/study/check-ins", json!({ "material_id": id, "minutes": "45" })).await;
        assert_eq!(status, 201);
        assert_eq!(api.api(Method::POST, &format!("/api/v1/library/materials/{id}/retire"), None).await.status(), 204);
        let me: Value = member.api(Method::GET, "/api/v1/study/me", None).await.json().await.unwrap();
        assert!(me["materials"].as_array().unwrap().iter().all(|x| x["id"] != id.as_str()));
        let (status, body) = post(&member, "/api/v1/study/check-ins", json!({ "material_id": id, "minutes": "30" })).await;
        assert_eq!((status, code_of(&body).as_str()), (422, "material_retired"), "{body}");
        let (_, shown) = office.page(&format!("/library/materials/{id}")).await;
        assert!(shown.contains("id=\"material-retired\""));
        assert_eq!(office.form(&format!("/library/materials/{id}/restore"), &[]).await.status(), 303);
        let r = api.api(Method::PUT, &format!("/api/v1/library/materials/{id}"), Some(json!({ "kind": "video", "title": "《觉醒年代》第一集（精编）", "minutes": 40 }))).await;
        assert_eq!(r.status(), 200);

        // 党史上的今天: added by form, a day that does not exist refused,
        // edited, removed.
        office.page("/library/history/new").await;
        let r = office.form("/library/history", &[("year", "1921"), ("month", "2"), ("day", "30"), ("title", "不存在的一天")]).await;
        assert_eq!(r.status(), 422);
        let r = office.form("/library/history", &[("year", "1949"), ("month", "10"), ("day", "1"), ("title", "中华人民共和国中央人民政府成立")]).await;
        assert_eq!(r.status(), 303);
        let lib: Value = api.api(Method::GET, "/api/v1/library", None).await.json().await.unwrap();
        let h = lib["history_days"].as_array().unwrap().iter().find(|h| h["title"] == "中华人民共和国中央人民政府成立").unwrap().clone();
        let hid = h["id"].as_str().unwrap().to_owned();
        let r = api.api(Method::PUT, &format!("/api/v1/library/history/{hid}"), Some(json!({ "year": 1949, "month": 10, "day": 1, "title": "开国大典" }))).await;
        assert_eq!(r.status(), 200);
        office.page(&format!("/library/history/{hid}")).await;
        assert_eq!(office.form(&format!("/library/history/{hid}/delete"), &[]).await.status(), 303);
        let lib = api.api(Method::GET, "/api/v1/library", None).await.text().await.unwrap();
        assert!(!lib.contains("开国大典"), "{lib}");
        assert_eq!(
            actions(&t, "library.").await,
            ["library.material_add", "library.material_retire", "library.material_restore", "library.material_edit", "library.history_add", "library.history_edit", "library.history_delete"]
        );

        // The export reads back in: every row already there. The template
        // reads as two empty sheets.
        let export = bytes_of(&office, "/library.xlsx").await;
        let (status, body) = upload(&api, "/api/v1/library/imports", export).await;
        assert_eq!(status, 422, "{body}");
        let found = codes(&body);
        assert!(found.iter().any(|c| c == "material_exists") && found.iter().any(|c| c == "history_exists"), "{found:?}");
        assert!(found.iter().all(|c| c == "material_exists" || c == "history_exists"), "{found:?}");
        let template = bytes_of(&office, "/library/template.xlsx").await;
        let (status, body) = upload(&api, "/api/v1/library/imports", template).await;
        assert_eq!((status, codes(&body)), (422, vec!["no_rows".to_owned()]), "{body}");

        // An inspector reads the library but keeps none of it.
        let mut inspector = t.client();
        inspector.api_login("inspector", "xueshi2021").await;
        assert_eq!(inspector.api(Method::POST, &format!("/api/v1/library/materials/{id}/retire"), None).await.status(), 403);
        assert_eq!(inspector.api(Method::DELETE, &format!("/api/v1/library/history/{}", h["id"].as_str().unwrap()), None).await.status(), 403);
    }
);

both!(
    async fn a_formula_cell_is_read_as_its_saved_value_and_named(db) {
        let t = TestApp::district(db).await;
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("题库").unwrap();
        for (c, h) in ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "选项G", "选项H", "答案"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "单选题").unwrap();
        ws.write_string(1, 1, "遵义会议于哪一年召开？").unwrap();
        ws.write_string(1, 2, "1934年").unwrap();
        ws.write_string(1, 3, "1935年").unwrap();
        // The answer is worked out by a formula; the file saved its value.
        ws.write_formula(1, 10, rust_xlsxwriter::Formula::new("=CHAR(66)").set_result("B")).unwrap();
        let bytes = wb.save_to_buffer().unwrap();

        let mut office = t.signed_in("office").await;
        office.page("/questions").await;
        let r = office.upload("/questions", "题库.xlsx", bytes).await;
        assert_eq!(r.status(), 303);
        let to = r.headers()["location"].to_str().unwrap().to_owned();
        let (_, page) = office.page(&to).await;
        assert!(page.contains("有 1 个单元格是公式") && page.contains("题库!K2"), "{page}");
        let mut db = t.app.store().read().await.unwrap();
        let answer: String = sqlx::query_scalar("SELECT answer FROM questions WHERE stem = '遵义会议于哪一年召开？'").fetch_one(&mut *db).await.unwrap();
        assert_eq!(answer, "B", "the saved value, not an empty cell");
    }
);
