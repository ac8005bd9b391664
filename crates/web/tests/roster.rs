//! Roster import and export through the real server, on both databases: a
//! good file writes everything; every kind of bad file is reported row by
//! row, column by column, and writes nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::Method;
use rust_xlsxwriter::Workbook;
use serde_json::Value;
use xueshi_domain::pii::check_char;
use xueshi_testkit::{Client, TestApp, both, dump};

fn id_number(first17: &str) -> String {
    format!("{first17}{}", check_char(first17.as_bytes()) as char)
}

const UNIT_HEADERS: [&str; 5] = [
    "组织编码*",
    "组织名称*",
    "组织类型*",
    "上级组织编码*",
    "排序",
];
const MEMBER_HEADERS: [&str; 10] = [
    "姓名*",
    "性别",
    "出生日期",
    "入党日期",
    "党员状态*",
    "干部层级",
    "职务",
    "手机号",
    "身份证号",
    "所在组织编码*",
];

/// A workbook with a 组织 sheet and a 党员 sheet (either may be left out).
fn workbook(
    units: Option<(&[&str], Vec<Vec<String>>)>,
    members: Option<(&[&str], Vec<Vec<String>>)>,
) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, sheet) in [("组织", units), ("党员", members)] {
        let Some((headers, rows)) = sheet else {
            continue;
        };
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, v).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

/// Uploads through the API and waits for the job to finish.
async fn import(c: &Client, name: &str, bytes: Vec<u8>) -> Value {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    let r = c
        .http
        .post(c.url("/api/v1/imports"))
        .header("x-csrf-token", c.csrf.clone().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let job: Value = r.json().await.unwrap();
    let id = job["id"].as_str().unwrap().to_owned();
    for _ in 0..600 {
        let v: Value = c
            .api(Method::GET, &format!("/api/v1/jobs/{id}"), None)
            .await
            .json()
            .await
            .unwrap();
        if v["running"] == false {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import did not finish");
}

/// The problems of a rejected import as "sheet row column: message".
fn problems(job: &Value) -> Vec<String> {
    job["error"]["rows"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|r| {
            format!(
                "{} {} {}: {}",
                r["sheet"].as_str().unwrap_or(""),
                r["row"],
                r["column"].as_str().unwrap_or("-"),
                r["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

async fn without_audit(t: &TestApp) -> BTreeMap<String, Vec<String>> {
    let mut d = dump(t.app.store()).await;
    d.remove("audit_log");
    d.remove("sessions");
    d
}

async fn own_codes(c: &Client) -> (String, String) {
    let v: Value = c
        .api(Method::GET, "/api/v1/units", None)
        .await
        .json()
        .await
        .unwrap();
    let branch = v["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "branch")
        .unwrap();
    (
        v["unit"]["code"].as_str().unwrap().to_owned(),
        branch["code"].as_str().unwrap().to_owned(),
    )
}

both!(
    async fn a_good_roster_is_imported_whole_and_every_count_follows(db) {
        let t = TestApp::district(db).await;
        let mut c = t.client();
        c.api_login("songyanghu", "xueshi2021").await;
        let (scope_code, branch_code) = own_codes(&c).await;
        let units = vec![
            row(&["SY-NEW", "湖滨新村党总支", "党总支", &scope_code, "1"]),
            row(&["SY-NEW-1", "湖滨新村第一党支部", "党支部", "SY-NEW", ""]),
            row(&["SY-NEW-2", "湖滨新村第二党支部", "黨支部", "SY-NEW", ""]),
        ];
        let members = vec![
            row(&["刘红梅", "女", "1976-05-02", "2001-07-01", "正式党员", "一般", "居民", "13907301234", &id_number("43060319760502222"), "SY-NEW-1"]),
            row(&["周建國", "", "", "2019/6/30", "预备党员", "", "网格员", "", &id_number("43060319900811331"), "SY-NEW-2"]),
            row(&["彭志明", "男", "1968年3月9日", "1990.7.1", "正式", "科级", "书记", "+86 139 0730 9876", "", &branch_code]),
        ];
        let before: Value = c.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let job = import(&c, "roster.xlsx", workbook(Some((&UNIT_HEADERS, units)), Some((&MEMBER_HEADERS, members)))).await;
        assert!(job["error"].is_null(), "{job}");
        assert_eq!(job["imported"]["units"], 3);
        assert_eq!(job["imported"]["members"], 3);
        let after: Value = c.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let n = |v: &Value, k: &str| v["unit"]["tally"][k].as_i64().unwrap();
        assert_eq!(n(&after, "members_total") - n(&before, "members_total"), 3);
        assert_eq!(n(&after, "units_grassroots") - n(&before, "units_grassroots"), 3);
        assert_eq!(n(&after, "members_probationary") - n(&before, "members_probationary"), 1);
        assert!(xueshi_app::consistency::check(&t.app).await.unwrap().is_empty());
        // Traditional input is found by its simplified name, masked as stored.
        let found: Value = c.api(Method::GET, "/api/v1/search?q=周建国", None).await.json().await.unwrap();
        let zhou = &found["members"][0];
        assert_eq!(zhou["name"], "周建國");
        assert_eq!(zhou["gender"], "male", "from the ID number");
        assert_eq!(zhou["birth_date"], "1990-08-11");
        let liu: Value = c.api(Method::GET, "/api/v1/search?q=刘红梅", None).await.json().await.unwrap();
        assert_eq!(liu["members"][0]["phone"], "139****1234");
        assert!(!liu.to_string().contains("13907301234"));
        let audit: Value = c.api(Method::GET, "/api/v1/audit?action=roster.import", None).await.json().await.unwrap();
        assert_eq!(audit[0]["after"]["members"], 3);
    }
);

both!(
    async fn bad_files_name_every_row_and_column_and_change_nothing(db) {
        let t = TestApp::district(db).await;
        let mut c = t.client();
        c.api_login("songyanghu", "xueshi2021").await;
        let (_, branch) = own_codes(&c).await;
        let start = without_audit(&t).await;
        let good = |name: &str, id: &str| row(&[name, "男", "", "", "正式党员", "", "", "", id, &branch]);

        // Wrong headers: one unknown, one required missing.
        let mut headers = MEMBER_HEADERS;
        headers[0] = "名字";
        let job = import(&c, "a.xlsx", workbook(None, Some((&headers, vec![good("王伟", "")])))).await;
        let p = problems(&job);
        assert!(p.contains(&"members 1 A: 无法识别的列名「名字」".to_owned()), "{p:?}");
        assert!(p.contains(&"members 1 -: 缺少必需的列「姓名」".to_owned()), "{p:?}");

        // Bad dates, a bad check digit, an unknown unit, all reported together.
        let rows = vec![
            row(&["王伟", "男", "2021-02-30", "", "正式党员", "", "", "", "", &branch]),
            row(&["李娜", "女", "1980-01-01", "1979-01-01", "正式党员", "", "", "12345", "430603198001010000", "NO-SUCH"]),
        ];
        let job = import(&c, "b.xlsx", workbook(None, Some((&MEMBER_HEADERS, rows)))).await;
        let p = problems(&job);
        assert_eq!(job["error"]["code"], "file_rejected");
        for want in [
            "members 2 C: 日期格式不正确：2021-02-30",
            "members 3 D: 入党日期早于出生日期",
            "members 3 H: 手机号格式不正确",
            "members 3 I: 身份证号校验位不正确",
            "members 3 J: 组织编码「NO-SUCH」不存在",
        ] {
            assert!(p.iter().any(|x| x == want), "{want} in {p:?}");
        }

        // Duplicate ID numbers within the file, and one already on the roster.
        let dup = id_number("43060319850101123");
        let job = import(&c, "c.xlsx", workbook(None, Some((&MEMBER_HEADERS, vec![good("张三", &dup), good("李四", &dup)])))).await;
        assert_eq!(problems(&job), vec!["members 3 I: 与第 2 行重复".to_owned()]);

        // An empty row between data rows; trailing empty rows are ignored.
        let rows = vec![good("张三", ""), row(&["", "", "", "", "", "", "", "", "", ""]), good("李四", ""), row(&[""; 10])];
        let job = import(&c, "d.xlsx", workbook(None, Some((&MEMBER_HEADERS, rows)))).await;
        assert_eq!(problems(&job), vec!["members 3 -: 空行（数据中间不能有空行）".to_owned()]);

        // Out of scope: a parent and a unit outside 松杨湖街道.
        let units = vec![row(&["X-1", "外部党支部", "党支部", "YX", ""])];
        let job = import(&c, "e.xlsx", workbook(Some((&UNIT_HEADERS, units)), None)).await;
        assert_eq!(problems(&job), vec!["units 2 D: 「YX」不在您的管理范围内".to_owned()]);

        // 10 MB of junk, and a text file with an .xlsx name.
        let junk: Vec<u8> = (0..10 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let job = import(&c, "junk.xlsx", junk).await;
        assert_eq!(job["error"]["rows"][0]["message"], "不是有效的 Excel（.xlsx）文件");
        let job = import(&c, "roster.xlsx", "姓名,性别\n王伟,男\n".as_bytes().to_vec()).await;
        assert_eq!(job["error"]["rows"][0]["message"], "不是有效的 Excel（.xlsx）文件");
        let job = import(&c, "empty.xlsx", workbook(None, Some((&MEMBER_HEADERS, vec![])))).await;
        assert_eq!(job["error"]["rows"][0]["message"], "文件中没有数据行");

        assert_eq!(without_audit(&t).await, start, "no rejected file changed anything");
    }
);

both!(
    async fn the_import_page_reports_problems_in_the_users_language(db) {
        let t = TestApp::district(db).await;
        let mut c = t.signed_in("songyanghu").await;
        let (status, page) = c.page("/import").await;
        assert_eq!(status, 200);
        assert!(page.contains("/import/template.xlsx"));
        let template = c.get("/import/template.xlsx").await;
        assert_eq!(template.status(), 200);
        let bytes = template.bytes().await.unwrap().to_vec();
        let wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        assert_eq!(wb.sheet_names(), vec!["说明", "组织", "党员"]);
        let rows = vec![row(&["王伟", "男", "2021-02-30", "", "正式党员", "", "", "", "", "NO-SUCH"])];
        let r = c.upload("/import", "bad.xlsx", workbook(None, Some((&MEMBER_HEADERS, rows)))).await;
        assert_eq!(r.status(), 303);
        let job = r.headers()["location"].to_str().unwrap().to_owned();
        let mut html = String::new();
        for _ in 0..100 {
            html = c.page(&job).await.1;
            if !html.contains("data-running=\"true\"") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(html.contains("文件中的任何内容都没有写入"), "{html}");
        assert!(html.contains("「党员」表第 2 行，第 C 列（出生日期）"), "{html}");
        assert!(html.contains("日期格式不正确：2021-02-30"));
        // The same report in English.
        let lang = c.form("/lang", &[("lang", "en"), ("back", &job)]).await;
        assert_eq!(lang.status(), 303);
        let html = c.page(&job).await.1;
        assert!(html.contains("Sheet 「党员 (members)」, row 2, column C (出生日期)"), "{html}");
        assert!(html.contains("Not a date: 2021-02-30"));
    }
);

both!(
    async fn an_export_masks_numbers_unless_unmasking_is_granted_and_asked_for(db) {
        let t = TestApp::district(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let scope: Value = office.api(Method::GET, "/api/v1/units", None).await.json().await.unwrap();
        let town = scope["children"].as_array().unwrap().iter().find(|u| u["name"] == "松杨湖街道党工委").unwrap().clone();
        let town_id = town["id"].as_str().unwrap();
        let members_in_town = town["tally"]["members_total"].as_i64().unwrap();
        let mut sheets = Vec::new();
        for unmasked in [false, true] {
            let r = office.api(Method::POST, &format!("/api/v1/units/{town_id}/exports"), Some(serde_json::json!({ "unmasked": unmasked }))).await;
            assert_eq!(r.status(), 202);
            let job: Value = r.json().await.unwrap();
            let id = job["id"].as_str().unwrap().to_owned();
            let mut done = Value::Null;
            for _ in 0..200 {
                done = office.api(Method::GET, &format!("/api/v1/jobs/{id}"), None).await.json().await.unwrap();
                if done["running"] == false {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let file = office.get(done["download"].as_str().unwrap()).await.bytes().await.unwrap().to_vec();
            let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(file)).unwrap();
            use calamine::Reader;
            let range = wb.worksheet_range("党员").unwrap();
            assert_eq!(range.height() as i64, members_in_town + 1, "one row per member and a header");
            let phone = range.get((1, 7)).unwrap().to_string();
            sheets.push(phone);
        }
        assert!(sheets[0].contains("****"), "masked: {}", sheets[0]);
        assert!(sheets[1].len() == 11 && sheets[1].chars().all(|c| c.is_ascii_digit()), "unmasked: {}", sheets[1]);
        // Without the grant, asking for whole numbers is refused and recorded.
        let mut ua = t.client();
        ua.api_login("songyanghu", "xueshi2021").await;
        let r = ua.api(Method::POST, &format!("/api/v1/units/{town_id}/exports"), Some(serde_json::json!({ "unmasked": true }))).await;
        let job: Value = r.json().await.unwrap();
        let id = job["id"].as_str().unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let done: Value = ua.api(Method::GET, &format!("/api/v1/jobs/{id}"), None).await.json().await.unwrap();
        assert_eq!(done["error"]["code"], "forbidden");
        let audit: Value = office.api(Method::GET, "/api/v1/audit?action=roster.export", None).await.json().await.unwrap();
        let outcomes: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, vec!["denied", "ok", "ok"]);
        assert_eq!(audit[1]["after"]["unmasked"], true);
    }
);

both!(
    async fn a_roster_is_found_under_another_name_below_a_title_and_numbers_typed_as_numbers_are_refused(db) {
        let t = TestApp::district(db).await;
        let mut c = t.client();
        c.api_login("songyanghu", "xueshi2021").await;
        let (_, branch_code) = own_codes(&c).await;
        // A sheet called Sheet1 with a title and a date above the header.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "松杨湖街道党员名册").unwrap();
        ws.write_string(1, 0, "2021年3月").unwrap();
        for (c, h) in MEMBER_HEADERS.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        for (c, v) in ["李四", "男", "", "", "正式党员", "", "", "", "", &branch_code].iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(3, c as u16, *v).unwrap();
            }
        }
        let job = import(&c, "sheet1.xlsx", wb.save_to_buffer().unwrap()).await;
        assert!(job["error"].is_null(), "{job}");
        assert_eq!(job["imported"]["members"], 1);

        // Sheets that are neither named nor laid out as the template: the
        // answer names what was expected and what was found.
        let mut wb = Workbook::new();
        wb.add_worksheet().set_name("通讯录").unwrap().write_string(0, 0, "电话").unwrap();
        let job = import(&c, "other.xlsx", wb.save_to_buffer().unwrap()).await;
        let found = problems(&job);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("组织、党员") && found[0].contains("通讯录"), "{found:?}");

        // An 18-digit ID number typed as a number lost its last digits.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("党员").unwrap();
        for (c, h) in MEMBER_HEADERS.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "王五").unwrap();
        ws.write_string(1, 4, "正式党员").unwrap();
        ws.write_number(1, 8, 430603197605022224.0).unwrap();
        ws.write_string(1, 9, &branch_code).unwrap();
        let job = import(&c, "numbers.xlsx", wb.save_to_buffer().unwrap()).await;
        let found = problems(&job);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("members 2 I:") && found[0].contains("文本"), "{found:?}");
    }
);
