//! Implementation plans through the real server on both databases: the
//! office drafts, sends a version to towns for comment, answers every
//! comment and publishes; a published plan takes nothing more; units not
//! consulted, members and other subtrees are refused; the demo's plan went
//! through two rounds of comment.

use reqwest::Method;
use serde_json::{Value, json};
use xueshi_testkit::people::{field_codes, get, post, put, signed_in_api};
use xueshi_testkit::{TestApp, both, dump_data};

both!(
    async fn a_plan_goes_out_for_comment_every_comment_is_answered_and_the_published_plan_is_fixed(db) {
        let t = TestApp::district(db).await;
        let office = signed_in_api(&t, "office").await;
        let town = signed_in_api(&t, "songyanghu").await;
        let branch = signed_in_api(&t, "maolingtou").await;
        let member = signed_in_api(&t, "member").await;
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let (_, campaigns) = get(&office, &format!("/api/v1/units/{root}/campaigns")).await;
        let campaign = campaigns["governing"]["id"].as_str().unwrap().to_owned();
        let (_, own) = get(&town, "/api/v1/units").await;
        let songyanghu = own["unit"]["id"].as_str().unwrap().to_owned();
        let other_town = scope["children"].as_array().unwrap().iter().find(|u| u["kind"] == "working_committee" && u["id"] != songyanghu.as_str()).unwrap()["id"].as_str().unwrap().to_owned();

        // Bad input first: nothing is made.
        let before = dump_data(t.app.store()).await;
        let (s, e) = post(&office, &format!("/api/v1/campaigns/{campaign}/plans"), json!({ "title": " ", "body": "" })).await;
        assert_eq!(s, 422);
        assert_eq!(field_codes(&e), ["title:required", "body:required"]);
        // A town admin writes no district plan.
        assert_eq!(post(&town, &format!("/api/v1/campaigns/{campaign}/plans"), json!({ "title": "x", "body": "y" })).await.0, 403);
        assert_eq!(dump_data(t.app.store()).await, before);

        let (s, made) = post(&office, &format!("/api/v1/campaigns/{campaign}/plans"), json!({ "title": "关于开展“学党史、办实事”专项行动的方案", "audience": "全体党员", "body": "一、目标\n二、任务" })).await;
        assert_eq!(s, 201, "{made}");
        let plan = made["id"].as_str().unwrap().to_owned();
        let (_, p) = get(&office, &format!("/api/v1/plans/{plan}")).await;
        assert_eq!(p["versions"].as_array().unwrap().len(), 1);
        let v1 = p["versions"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(p["versions"][0]["status"], "draft");
        // A governed town reads the plan but not the office's draft.
        let (s, seen) = get(&town, &format!("/api/v1/plans/{plan}")).await;
        assert_eq!(s, 200);
        assert!(seen["versions"].as_array().unwrap().is_empty(), "{seen}");
        assert_eq!(get(&member, &format!("/api/v1/plans/{plan}")).await.0, 403);
        assert_eq!(put(&office, &format!("/api/v1/plan-versions/{v1}"), json!({ "body": "一、目标\n二、任务\n三、要求" })).await.0, 204);

        // Out for comment to two towns; the draft is then fixed.
        let today = t.app.clock().today();
        let until = xueshi_domain::date::iso(today + time::Duration::days(5));
        let (s, e) = post(&office, &format!("/api/v1/plan-versions/{v1}/consult"), json!({ "units": [], "until": "2020-01-01" })).await;
        assert_eq!(s, 422);
        assert_eq!(field_codes(&e), ["until:date_in_past", "units:required"]);
        assert_eq!(post(&office, &format!("/api/v1/plan-versions/{v1}/consult"), json!({ "units": [songyanghu, other_town], "until": until })).await.0, 204);
        let (s, e) = put(&office, &format!("/api/v1/plan-versions/{v1}"), json!({ "body": "改" })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("version_not_draft")));

        // The town comments; the branch under it was not consulted.
        let (s, c1) = post(&town, &format!("/api/v1/plan-versions/{v1}/comments"), json!({ "body": "建议增加送学上门。" })).await;
        assert_eq!(s, 201, "{c1}");
        let c1 = c1["id"].as_str().unwrap().to_owned();
        let (s, e) = post(&branch, &format!("/api/v1/plan-versions/{v1}/comments"), json!({ "body": "x" })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["unit:not_consulted".to_owned()]));
        assert_eq!(post(&member, &format!("/api/v1/plan-versions/{v1}/comments"), json!({ "body": "x" })).await.0, 403);

        // Publishing waits for every answer.
        let before = dump_data(t.app.store()).await;
        let (s, e) = post(&office, &format!("/api/v1/plan-versions/{v1}/publish"), json!({})).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["comments:comments_unanswered".to_owned()]));
        let (s, e) = post(&office, &format!("/api/v1/plan-comments/{c1}/answer"), json!({ "answer": "maybe", "reason": "" })).await;
        assert_eq!((s, field_codes(&e)), (422, vec!["answer:bad_choice".to_owned(), "reason:required".to_owned()]));
        assert_eq!(post(&town, &format!("/api/v1/plan-comments/{c1}/answer"), json!({ "answer": "adopted", "reason": "好" })).await.0, 403);
        assert_eq!(dump_data(t.app.store()).await, before);
        assert_eq!(post(&office, &format!("/api/v1/plan-comments/{c1}/answer"), json!({ "answer": "partly", "reason": "送学上门由各支部结合实际安排。" })).await.0, 204);

        // The second draft: the first closes and takes no more comments.
        let (s, v2) = post(&office, &format!("/api/v1/plans/{plan}/versions"), json!({})).await;
        assert_eq!(s, 201);
        let v2 = v2["id"].as_str().unwrap().to_owned();
        let (s, e) = post(&office, &format!("/api/v1/plans/{plan}/versions"), json!({})).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("draft_exists")));
        let (s, e) = post(&town, &format!("/api/v1/plan-versions/{v1}/comments"), json!({ "body": "再提一条。" })).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("consultation_closed")));
        let (s, e) = post(&office, &format!("/api/v1/plan-versions/{v1}/publish"), json!({})).await;
        assert_eq!((s, e["code"].as_str()), (409, Some("version_superseded")));
        assert_eq!(post(&office, &format!("/api/v1/plan-versions/{v2}/publish"), json!({})).await.0, 204);

        let (_, p) = get(&town, &format!("/api/v1/plans/{plan}")).await;
        let statuses: Vec<&str> = p["versions"].as_array().unwrap().iter().map(|v| v["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["closed", "published"]);
        assert_eq!(p["versions"][0]["comments"][0]["answer"], "partly");
        assert_eq!(p["versions"][0]["comments"][0]["unit"]["name"], "松杨湖街道党工委");
        assert_eq!(p["published"], true);

        // Published: fixed.
        let before = dump_data(t.app.store()).await;
        for (method, path, body) in [
            (Method::PUT, format!("/api/v1/plan-versions/{v2}"), json!({ "body": "改" })),
            (Method::POST, format!("/api/v1/plans/{plan}/versions"), json!({})),
            (Method::POST, format!("/api/v1/plan-comments/{c1}/answer"), json!({ "answer": "adopted", "reason": "改" })),
            (Method::POST, format!("/api/v1/plan-versions/{v2}/publish"), json!({})),
            (Method::POST, format!("/api/v1/plan-versions/{v2}/consult"), json!({ "units": [songyanghu], "until": until })),
        ] {
            let r = office.api(method.clone(), &path, Some(body)).await;
            assert_eq!(r.status().as_u16(), 409, "{method} {path}");
            let e: Value = r.json().await.unwrap();
            assert_eq!(e["code"], "plan_published", "{method} {path}");
        }
        assert_eq!(dump_data(t.app.store()).await, before);
        // The page says so in the reader's words.
        let mut page = t.client();
        page.login("office", "xueshi2021").await;
        let (s, html) = page.page(&format!("/plans/{plan}")).await;
        assert_eq!(s, 200);
        assert!(html.contains("已发布") && html.contains("部分采纳") && html.contains("送学上门由各支部结合实际安排。"), "{html}");
        assert!(!html.contains("id=\"publish-form\""), "no publish button on a published plan");
    }
);

both!(
    async fn the_demo_plan_was_published_after_two_rounds_of_comment_all_answered(db) {
        let t = TestApp::district(db).await;
        let office = signed_in_api(&t, "office").await;
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let (_, campaigns) = get(&office, &format!("/api/v1/units/{root}/campaigns")).await;
        let campaign = campaigns["governing"]["id"].as_str().unwrap().to_owned();
        let (s, l) = get(&office, &format!("/api/v1/campaigns/{campaign}/plans")).await;
        assert_eq!(s, 200);
        let plans = l["plans"].as_array().unwrap();
        assert_eq!(plans.len(), 2, "{l}");
        assert_eq!(plans[0]["latest"], json!([3, "published"]));
        assert_eq!(plans[1]["audience"], "青少年");
        let (_, p) = get(&office, &format!("/api/v1/plans/{}", plans[0]["id"].as_str().unwrap())).await;
        let consulted: Vec<usize> = p["versions"].as_array().unwrap().iter().map(|v| v["consultees"].as_array().unwrap().len()).collect();
        assert_eq!(consulted, [3, 3, 0]);
        let comments: Vec<&Value> = p["versions"].as_array().unwrap().iter().flat_map(|v| v["comments"].as_array().unwrap()).collect();
        assert_eq!(comments.len(), 6);
        assert!(comments.iter().all(|c| c["answer"].is_string() && c["reason"].is_string()));
        assert_eq!(p["unanswered"], 0);
    }
);
