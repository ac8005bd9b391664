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
        for user in ["admin", "office", "songyanghu", "inspector", "member"] {
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
