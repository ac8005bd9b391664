//! The public window through the real server, on both databases: raising a
//! problem without an account, the challenge, folding repeats, the rate
//! limit, photos checked by their bytes, and follow-up pages that carry no
//! personal data.

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_testkit::{Client, TestApp, both, dump};

const PHONE: &str = "13907301234";

/// A visitor with the anonymous CSRF token a first page hands out.
async fn visitor(t: &TestApp) -> Client {
    let mut c = t.client();
    let (status, _) = c.page("/login").await;
    assert_eq!(status, 200);
    assert!(c.csrf.is_some());
    c
}

async fn solved(c: &Client) -> (String, String) {
    let ch: Value = c
        .api(Method::GET, "/api/v1/public/problems/challenge", None)
        .await
        .json()
        .await
        .unwrap();
    let q = ch["question"].as_str().unwrap();
    let sum: u32 = q.split('+').map(|n| n.trim().parse::<u32>().unwrap()).sum();
    (ch["token"].as_str().unwrap().to_owned(), sum.to_string())
}

async fn raise(c: &Client, body: &str, area: &str, contact: &str) -> reqwest::Response {
    let (token, answer) = solved(c).await;
    c.api(
        Method::POST,
        "/api/v1/public/problems",
        Some(json!({ "body": body, "area": area, "contact": contact, "challenge": token, "answer": answer })),
    )
    .await
}

/// Problems raised in the last hour: the demo's own are days old.
async fn problems(t: &TestApp) -> i64 {
    let mut c = t.app.store().read().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM problems WHERE created_at > $1")
        .bind(t.app.now() - 3_600_000)
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

both!(
    async fn the_public_raises_a_problem_and_follows_it_by_code(db) {
        let t = TestApp::district(db).await;
        let c = visitor(&t).await;
        let (status, html) = { let mut p = t.client(); p.page("/public/problems/new").await };
        assert_eq!(status, 200);
        assert!(html.contains("id=\"problem-form\"") && html.contains("= ?"), "the form with its sum");

        let r = raise(&c, "云溪大道与长岭路交叉口的路灯坏了两个月，晚上过马路很危险。", "云溪街道", PHONE).await;
        assert_eq!(r.status(), 201);
        let raised: Value = r.json().await.unwrap();
        assert_eq!(raised["folded"], false);
        let code = raised["code"].as_str().unwrap().to_owned();
        assert_eq!(code.len(), 14);

        // Stored sealed and masked; the follow-up shows neither.
        {
            let mut db = t.app.store().read().await.unwrap();
            let row = xueshi_store::problems::by_code(&mut db, &code).await.unwrap().unwrap();
            assert_eq!(row.contact_masked, "139****1234");
            let sealed = row.contact_sealed.unwrap();
            assert!(!String::from_utf8_lossy(&sealed).contains(PHONE));
            assert_eq!(t.app.vault().open(&sealed).as_deref(), Some(PHONE));
        }
        let f: Value = c.api(Method::GET, &format!("/api/v1/public/problems/{}", code.to_lowercase()), None).await.json().await.unwrap();
        assert_eq!(f["status"], "new");
        assert_eq!(f["reports"], 1);
        let (status, page) = { let mut p = t.client(); p.page(&format!("/public/problems/{code}?new=1")).await };
        assert_eq!(status, 200);
        assert!(page.contains(&code) && page.contains("已受理"), "{page}");
        for text in [f.to_string(), page.clone()] {
            assert!(!text.contains(PHONE) && !text.contains("139****1234") && !text.contains("1234"), "no contact on public pages");
        }

        // The same problem in 繁體, punctuation aside, folds into the first.
        let r = raise(&c, "雲溪大道與長嶺路交叉口的路燈壞了兩個月 晚上過馬路很危險", "云溪街道", "").await;
        assert_eq!(r.status(), 201);
        let again: Value = r.json().await.unwrap();
        assert_eq!(again["folded"], true);
        assert_eq!(again["code"], code.as_str());
        assert_eq!(problems(&t).await, 1);
        let f: Value = c.api(Method::GET, &format!("/api/v1/public/problems/{code}"), None).await.json().await.unwrap();
        assert_eq!(f["reports"], 2);

        // Every submission is audited, without the contact.
        let mut db = t.app.store().read().await.unwrap();
        let rows: Vec<(String, Option<String>)> = sqlx::query_as("SELECT ip, after_json FROM audit_log WHERE action = 'problem.raise'")
            .fetch_all(&mut *db).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|(_, after)| !after.clone().unwrap_or_default().contains(PHONE)));
        drop(db);

        // A code nobody was given finds nothing.
        assert_eq!(c.api(Method::GET, "/api/v1/public/problems/2345-6789-ABCD", None).await.status(), 404);
        assert_eq!(c.api(Method::GET, "/api/v1/public/problems/not-a-code", None).await.status(), 404);
    }
);

both!(
    async fn bad_answers_bad_input_and_floods_change_nothing(db) {
        let t = TestApp::district(db).await;
        let c = visitor(&t).await;
        let before = dump(t.app.store()).await;
        let code = |v: &Value, field: &str| v["fields"].as_array().unwrap().iter().find(|f| f["field"] == field).map(|f| f["code"].as_str().unwrap().to_owned());
        // A wrong sum, a forged token, a short text, a bad phone.
        let (token, answer) = solved(&c).await;
        let wrong = (answer.parse::<u32>().unwrap() + 1).to_string();
        let r = c.api(Method::POST, "/api/v1/public/problems", Some(json!({ "body": "小区垃圾无人清运已经一周了。", "challenge": token, "answer": wrong }))).await;
        assert_eq!(r.status(), 422);
        assert_eq!(code(&r.json().await.unwrap(), "answer").as_deref(), Some("challenge_failed"));
        let forged = format!("{}x", &token[..token.len() - 1]);
        let r = c.api(Method::POST, "/api/v1/public/problems", Some(json!({ "body": "小区垃圾无人清运已经一周了。", "challenge": forged, "answer": answer }))).await;
        assert_eq!(code(&r.json().await.unwrap(), "answer").as_deref(), Some("challenge_failed"));
        let (token, answer) = solved(&c).await;
        let r = c.api(Method::POST, "/api/v1/public/problems", Some(json!({ "body": "太短", "contact": "12345", "challenge": token, "answer": answer }))).await;
        let body: Value = r.json().await.unwrap();
        assert_eq!(code(&body, "body").as_deref(), Some("too_short"));
        assert!(code(&body, "contact").is_some(), "{body}");
        assert!(dump(t.app.store()).await == before, "refused problems change nothing");
        assert_eq!(problems(&t).await, 0);

        // A solved sum is good for one problem only.
        let (token, answer) = solved(&c).await;
        let send = |body: &'static str| {
            c.api(Method::POST, "/api/v1/public/problems", Some(json!({ "body": body, "challenge": token.clone(), "answer": answer.clone() })))
        };
        assert_eq!(send("桥头的护栏被撞坏了，还没人修。").await.status(), 201);
        let r = send("另一处护栏也坏了，希望尽快修好。").await;
        assert_eq!(r.status(), 422);
        assert_eq!(code(&r.json().await.unwrap(), "answer").as_deref(), Some("challenge_used"));

        // Five problems a minute from one address, refused ones included:
        // the five above used the minute up.
        for i in 0..3 {
            let r = raise(&c, &format!("第{i}号楼下水道堵塞，污水外溢。"), "", "").await;
            assert_eq!(r.status(), 429);
        }
        assert_eq!(problems(&t).await, 1, "only the one accepted problem");
    }
);

both!(
    async fn the_phone_form_checks_photos_by_their_bytes(db) {
        let t = TestApp::district(db).await;
        let mut c = visitor(&t).await;
        let (_, html) = c.page("/public/problems/new").await;
        let token = html.split("name=\"challenge\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let q = html.split("请计算：").nth(1).unwrap().split(" = ?").next().unwrap().to_owned();
        let sum: u32 = q.split('+').map(|n| n.trim().parse::<u32>().unwrap()).sum();
        let csrf = c.csrf.clone().unwrap();
        let post = |photo: Vec<u8>, name: &'static str, token: String, answer: u32| {
            let form = reqwest::multipart::Form::new()
                .text("csrf", csrf.clone())
                .text("body", "村口山塘的堤坝有裂缝，雨季怕出事。")
                .text("area", "枧冲村")
                .text("challenge", token)
                .text("answer", answer.to_string())
                .part("photo", reqwest::multipart::Part::bytes(photo).file_name(name));
            c.http.post(c.url("/public/problems")).multipart(form).send()
        };
        // A GIF named .jpg is refused, with the form shown again in words.
        let r = post(b"GIF89a....".to_vec(), "dam.jpg", token.clone(), sum).await.unwrap();
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("照片只能是 JPG 或 PNG 格式"), "{page}");
        assert!(page.contains("村口山塘的堤坝有裂缝"), "what was typed is kept");
        assert_eq!(problems(&t).await, 0);
        // A photo straight from a phone (12 megapixels, several MB): with a
        // wrong sum the form comes back holding the photo, shrunk; sent
        // again with the right sum and no new file, the photo is kept.
        let phone = phone_photo();
        assert!((2 << 20..=10 << 20).contains(&phone.len()), "{} bytes", phone.len());
        let html = c.get("/public/problems/new").await.text().await.unwrap();
        let token = html.split("name=\"challenge\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let r = post(phone, "IMG_2041.JPG", token, 999).await.unwrap();
        assert_eq!(r.status(), 422, "a wrong sum");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"kept-photo\""), "{html}");
        let kept = html.split("name=\"kept_photo\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let token = html.split("name=\"challenge\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let q = html.split("请计算：").nth(1).unwrap().split(" = ?").next().unwrap().to_owned();
        let sum2: u32 = q.split('+').map(|n| n.trim().parse::<u32>().unwrap()).sum();
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("body", "村口山塘的堤坝有裂缝，雨季怕出事。")
            .text("kept_photo", kept)
            .text("challenge", token)
            .text("answer", sum2.to_string())
            .part("photo", reqwest::multipart::Part::bytes(Vec::new()).file_name(""));
        let r = c.http.post(c.url("/public/problems")).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let to = r.headers()["location"].to_str().unwrap().to_owned();
        let (status, page) = c.page(&to).await;
        assert_eq!(status, 200);
        assert!(page.contains("id=\"problem-code\""));
        let mut db = t.app.store().read().await.unwrap();
        let (kind, photo): (String, Vec<u8>) = sqlx::query_as("SELECT photo_type, photo FROM problems WHERE photo IS NOT NULL").fetch_one(&mut *db).await.unwrap();
        assert_eq!(kind, "image/jpeg");
        assert!(photo.len() < 1 << 20, "kept at {} bytes", photo.len());
        let img = image::load_from_memory(&photo).unwrap();
        assert_eq!((img.width(), img.height()), (1600, 1200));
    }
);

/// A 4000×3000 JPEG with a phone photo's grain: several megabytes.
fn phone_photo() -> Vec<u8> {
    let mut seed: u32 = 7;
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let n = (seed >> 27) as u8;
        image::Rgb([(x / 16) as u8 ^ n, (y / 12) as u8 ^ n, 120 + n])
    });
    let mut out = Vec::new();
    img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
        &mut out, 90,
    ))
    .unwrap();
    out
}
