//! Every link a page offers leads somewhere its reader may go: for each demo
//! role, the pages reachable from its home are walked and none answers with
//! a refusal, a missing page or an error.

use std::collections::{BTreeSet, VecDeque};

use xueshi_testkit::{TestApp, both};

/// Same-site links of a page (`href="/…"`), without fragments.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.split('#').next().unwrap_or("").replace("&amp;", "&"))
        .filter(|h| !h.is_empty() && !h.starts_with("/assets/"))
        .collect()
}

/// Pages that stand for many alike (page 7 of a list, another member):
/// the first few of each shape are enough.
fn shape(path: &str) -> String {
    path.split(['/', '?', '&', '='])
        .map(|seg| {
            if seg.chars().any(|c| c.is_ascii_digit()) {
                "#"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

both!(
    async fn no_link_of_any_role_leads_to_a_refusal_or_nowhere(db) {
        let t = TestApp::district(db).await;
        for user in ["admin", "office", "songyanghu", "maolingtou", "inspector", "member"] {
            let mut c = t.client();
            assert_eq!(c.login(user, "xueshi2021").await.status(), 303, "{user}");
            let mut seen = BTreeSet::new();
            let mut shapes: std::collections::BTreeMap<String, usize> = Default::default();
            let mut queue = VecDeque::from([("/home".to_owned(), "(sign-in)".to_owned())]);
            let mut walked = 0;
            while let Some((path, from)) = queue.pop_front() {
                if !seen.insert(path.clone()) || walked >= 150 {
                    continue;
                }
                let n = shapes.entry(shape(&path)).or_default();
                *n += 1;
                if *n > 3 {
                    continue;
                }
                walked += 1;
                let r = c.get(&path).await;
                let status = r.status().as_u16();
                assert!(
                    !matches!(status, 403 | 404) && status < 500,
                    "{user}: {path} (linked from {from}) answers {status}"
                );
                let is_html = r
                    .headers()
                    .get("content-type")
                    .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
                if is_html {
                    let body = r.text().await.unwrap();
                    for l in links(&body) {
                        if !seen.contains(&l) {
                            queue.push_back((l, path.clone()));
                        }
                    }
                }
            }
            assert!(walked > 10, "{user}: only {walked} pages reached");
        }
    }
);

both!(
    async fn an_unknown_address_or_code_answers_with_a_page_and_a_way_on(db) {
        let t = TestApp::district(db).await;
        let visitor = t.client();
        let r = visitor.get("/no/such/page").await;
        assert_eq!(r.status(), 404);
        let page = r.text().await.unwrap();
        assert!(page.contains("页面或对象不存在") && page.contains("href=\"/public/matters\""), "{page}");
        let r = visitor.get("/api/v1/no-such-thing").await;
        assert_eq!(r.status(), 404);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "not_found");
        // A well-formed tracking code that matches nothing: the lookup again.
        let r = visitor.get("/public/problems/AAAA-BBBB-CCCC").await;
        assert_eq!(r.status(), 404);
        let page = r.text().await.unwrap();
        assert!(page.contains("id=\"lookup-unknown\"") && page.contains("id=\"lookup-code\""), "{page}");
        let mut staff = t.client();
        staff.login("office", "xueshi2021").await;
        let page = staff.get("/units/123").await.text().await.unwrap();
        assert!(page.contains("href=\"/home\""));
    }
);

both!(
    async fn english_pages_use_english_punctuation_between_words_and_data(db) {
        let t = TestApp::district(db).await;
        let mut c = t.client();
        c.login("office", "xueshi2021").await;
        c.form("/lang", &[("lang", "en"), ("back", "/home")]).await;
        let (_, home) = c.page("/home").await;
        assert!(home.contains("Signed in as: "), "{home}");
        assert!(!home.contains("Signed in as："));
        // Another account, still in Chinese (the language is the account's).
        let mut zh = t.client();
        zh.login("admin", "xueshi2021").await;
        let (_, home) = zh.page("/home").await;
        assert!(home.contains("当前用户："), "Chinese keeps its own");
    }
);
