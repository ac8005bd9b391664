//! The study library through the real server, on both databases: a workbook
//! of materials and 党史上的今天 in, every bad cell named by row and column,
//! nothing half-applied, and the export that reads back in.

use reqwest::Method;
use rust_xlsxwriter::Workbook;
use serde_json::Value;
use xueshi_testkit::{Client, TestApp, both, dump};

type Rows<'a> = &'a [&'a [&'a str]];

fn workbook(materials: Option<Rows>, history: Option<Rows>) -> Vec<u8> {
    let mut wb = Workbook::new();
    let sheets = [
        (
            "学习资料",
            &["类型", "标题", "来源", "时长（分钟）", "链接", "正文"][..],
            materials,
        ),
        (
            "党史上的今天",
            &["月", "日", "年份", "标题", "内容"][..],
            history,
        ),
    ];
    for (name, headers, rows) in sheets {
        let Some(rows) = rows else { continue };
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn upload(c: &Client, bytes: Vec<u8>) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("资料.xlsx");
    let form = reqwest::multipart::Form::new().part("file", part);
    let r = c
        .http
        .post(c.url("/api/v1/library/imports"))
        .header("x-csrf-token", c.csrf.clone().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn problems(body: &Value) -> Vec<String> {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {}",
                r["sheet"].as_str().unwrap_or(""),
                r["row"],
                r["column"].as_str().unwrap_or("-"),
                r["code"].as_str().unwrap_or("")
            )
        })
        .collect()
}

both!(
    async fn library_imports_name_every_bad_cell_and_change_nothing(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let before: Value = office.api(Method::GET, "/api/v1/library", None).await.json().await.unwrap();
        let materials_before = before["materials"].as_array().unwrap().len();
        let history_before = before["history_days"].as_array().unwrap().len();
        assert!(materials_before >= 20 && history_before >= 10, "the demo library");
        let demo_title = before["materials"][0]["title"].as_str().unwrap().to_owned();
        let demo_kind = match before["materials"][0]["kind"].as_str().unwrap() {
            "book" => "书籍",
            "film" => "红色电影",
            "song" => "红色歌曲",
            "video" => "短视频",
            "article" => "文章",
            "micro_lecture" => "微党课",
            _ => "体验式学习",
        };
        let snapshot = dump(t.app.store()).await;
        let bad = workbook(
            Some(&[
                &["书籍", "论中国共产党历史", "中央文献出版社", "600", "", ""],
                &["小说", "红岩", "", "", "", ""],
                &["红色电影", "", "", "", "", ""],
                &["短视频", "百年党史", "", "半小时", "javascript:alert(1)", ""],
                &["书籍", "論中國共產黨歷史", "", "", "", ""],
                &[demo_kind, &demo_title, "", "", "", ""],
            ]),
            Some(&[
                &["7", "1", "1921", "中国共产党成立", ""],
                &["2", "30", "1935", "不存在的日子", ""],
                &["13", "1", "1949", "月份出错", ""],
                &["10", "1", "1949", "", ""],
                &["10", "1", "2999", "未来的事", ""],
            ]),
        );
        let (status, body) = upload(&office, bad).await;
        assert_eq!(status, 422, "{body}");
        let found = problems(&body);
        for want in [
            "materials 3 A bad_choice",
            "materials 4 B required",
            "materials 5 D bad_number",
            "materials 5 E bad_link",
            "materials 6 B duplicate_in_file",
            "materials 7 B material_exists",
            "history 3 B bad_date",
            "history 4 A out_of_range",
            "history 5 D required",
            "history 6 C out_of_range",
        ] {
            assert!(found.iter().any(|f| f == want), "{want} in {found:?}");
        }
        assert!(!found.iter().any(|f| f.starts_with("materials 2 ") || f.starts_with("history 2 ")), "good rows pass: {found:?}");
        assert!(dump(t.app.store()).await == snapshot, "a bad file changes nothing");

        let (status, body) = upload(&office, b"PK\x03\x04 not really".to_vec()).await;
        assert_eq!(status, 422, "{body}");
        let (status, body) = upload(&office, workbook(None, None)).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.to_string().contains("no_expected_sheet") && body.to_string().contains("学习资料、党史上的今天"), "names the sheets expected: {body}");

        let good = workbook(
            Some(&[
                &["书籍", "论中国共产党历史", "中央文献出版社", "600", "", "收入相关文稿40篇。"],
                &["微党课", "红船精神", "区委党校", "15", "https://example.org/hcjs", ""],
            ]),
            Some(&[&["7", "1", "1921", "中国共产党成立", "中国共产党第一次全国代表大会召开。"]]),
        );
        let (status, body) = upload(&office, good).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["materials"], 2);
        assert_eq!(body["history_days"], 1);
        let after: Value = office.api(Method::GET, "/api/v1/library", None).await.json().await.unwrap();
        assert_eq!(after["materials"].as_array().unwrap().len(), materials_before + 2);
        assert_eq!(after["history_days"].as_array().unwrap().len(), history_before + 1);
        let mut db = t.app.store().read().await.unwrap();
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'library.import'").fetch_one(&mut *db).await.unwrap();
        assert_eq!(audited, 1);
        drop(db);

        // The export is the import's own layout: everything in it is known.
        let mut page = t.signed_in("office").await;
        let (status, html) = page.page("/library").await;
        assert_eq!(status, 200);
        assert!(html.contains("红船精神") && html.contains("id=\"library-export\""));
        let r = page.get("/library.xlsx").await;
        assert_eq!(r.status(), 200);
        let exported = r.bytes().await.unwrap().to_vec();
        let (status, body) = upload(&office, exported).await;
        assert_eq!(status, 422);
        let found = problems(&body);
        assert_eq!(
            found.iter().filter(|f| f.ends_with("material_exists")).count(),
            materials_before + 2,
            "{found:?}"
        );
        assert_eq!(
            found.iter().filter(|f| f.ends_with("history_exists")).count(),
            history_before + 1,
            "{found:?}"
        );

        // Members read the library through their day; they do not keep it.
        let mut member = t.client();
        member.api_login("member", "xueshi2021").await;
        let (status, _) = upload(&member, workbook(Some(&[&["书籍", "新书", "", "", "", ""]]), None)).await;
        assert_eq!(status, 403);
    }
);
