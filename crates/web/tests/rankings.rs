//! Rankings through the real server, on both databases: every unit's parts
//! equal a recount from the raw records, the score and the places follow
//! the stated rule, the 约谈 list is the lowest of each group, bad
//! definitions are refused with nothing written, and the office defines one
//! through its page and exports it.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;
use xueshi_testkit::people::post;
use xueshi_testkit::{TestApp, both, dump};

async fn get(c: &xueshi_testkit::Client, path: &str) -> (u16, Value) {
    let r = c.api(Method::GET, path, None).await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// What the raw rows say of one peer over the span: quizzes taken, right
/// answers, questions, matters due, finished on time with a photo,
/// satisfied verdicts, verdicts.
async fn recount(t: &TestApp, peer: &str, from: &str, to: &str) -> [i64; 7] {
    let mut db = t.app.store().read().await.unwrap();
    let path: String = sqlx::query_scalar("SELECT path FROM units WHERE id = $1")
        .bind(peer.parse::<i64>().unwrap())
        .fetch_one(&mut *db)
        .await
        .unwrap();
    let under = "substr(u.path, 1, length($1)) = $1";
    let q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(a.correct), 0) AS BIGINT), CAST(COALESCE(SUM(a.total), 0) AS BIGINT) \
         FROM quiz_attempts a JOIN units u ON u.id = a.unit_id WHERE {under} AND a.day >= $2 AND a.day <= $3"
    )))
    .bind(&path)
    .bind(from)
    .bind(to)
    .fetch_one(&mut *db)
    .await
    .unwrap();
    let (taken, right, asked): (i64, i64, i64) = (q.get(0), q.get(1), q.get(2));
    let due = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT m.deadline, m.status, m.finished_at, (SELECT COUNT(*) FROM matter_photos p WHERE p.matter_id = m.id) \
         FROM matters m JOIN units u ON u.id = m.unit_id WHERE {under} AND m.status <> 'dropped' \
         AND m.deadline >= $2 AND m.deadline <= $3"
    )))
    .bind(&path)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *db)
    .await
    .unwrap();
    let on_time = due
        .iter()
        .filter(|r| {
            let finished: Option<i64> = r.get(2);
            let deadline: String = r.get(0);
            r.get::<String, _>(1) == "done"
                && r.get::<i64, _>(3) > 0
                && finished.is_some_and(|f| {
                    let day = time::OffsetDateTime::from_unix_timestamp(f / 1000).unwrap()
                        + time::Duration::hours(8);
                    day.date().to_string() <= deadline
                })
        })
        .count() as i64;
    let from_ms = time::Date::parse(from, &time::format_description::well_known::Iso8601::DATE)
        .unwrap()
        .midnight()
        .assume_utc()
        .unix_timestamp()
        * 1000
        - 8 * 3_600_000;
    let to_ms = time::Date::parse(to, &time::format_description::well_known::Iso8601::DATE)
        .unwrap()
        .midnight()
        .assume_utc()
        .unix_timestamp()
        * 1000
        + 16 * 3_600_000;
    let v = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN r.rating = 'satisfied' THEN 1 ELSE 0 END), 0) AS BIGINT), COUNT(*) \
         FROM matter_ratings r JOIN matters m ON m.id = r.matter_id JOIN units u ON u.id = m.unit_id \
         WHERE {under} AND m.status = 'done' AND r.round = m.round AND r.at >= $2 AND r.at < $3"
    )))
    .bind(&path)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_one(&mut *db)
    .await
    .unwrap();
    [
        taken,
        right,
        asked,
        due.len() as i64,
        on_time,
        v.get(0),
        v.get(1),
    ]
}

fn part(s: &Value, k: usize) -> (i64, i64) {
    let p = &s["parts"][k];
    (p["done"].as_i64().unwrap(), p["of"].as_i64().unwrap())
}

both!(
    async fn a_ranking_is_per_capita_among_peers_and_equals_a_recount(db) {
        let t = TestApp::district_studying(db).await;
        let mut office = t.client();
        office.api_login("office", "xueshi2021").await;
        let (_, scope) = get(&office, "/api/v1/units").await;
        let root = scope["unit"]["id"].as_str().unwrap().to_owned();
        let (_, listed) = get(&office, &format!("/api/v1/units/{root}/rankings")).await;
        assert_eq!(listed["may_write"], true);
        // The demo's quarterly ranking, made by the same use-case.
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");

        // Bad definitions name their field and write nothing.
        let today = t.app.clock().today();
        let (from, to) = (xueshi_domain::date::iso(today - time::Duration::days(188)), xueshi_domain::date::iso(today));
        let good = json!({
            "name": "上半年比学赶超", "depth": 1, "from": from, "to": to, "bottom": 2,
            "terms": [
                { "measure": "quiz_participation", "weight": 40 },
                { "measure": "quiz_accuracy", "weight": 10 },
                { "measure": "quota_compliance", "weight": 20 },
                { "measure": "matters_on_time", "weight": 20 },
                { "measure": "matters_satisfied", "weight": 10 },
            ],
        });
        let with = |k: &str, v: Value| {
            let mut b = good.clone();
            b[k] = v;
            b
        };
        let before = dump(t.app.store()).await;
        for (body, field) in [
            (with("name", json!("  ")), "name"),
            (with("depth", json!(0)), "depth"),
            (with("peer_kind", json!("村委会")), "peer_kind"),
            (with("to", json!("2026-02-30")), "to"),
            (with("from", json!(xueshi_domain::date::iso(today + time::Duration::days(1)))), "from"),
            (with("terms", json!([])), "terms"),
            (with("terms", json!([{ "measure": "quiz_accuracy", "weight": 101 }])), "terms"),
            (with("terms", json!([{ "measure": "quiz_accuracy", "weight": 5 }, { "measure": "quiz_accuracy", "weight": 5 }])), "terms"),
            (with("bottom", json!(51)), "bottom"),
        ] {
            let (status, e) = post(&office, &format!("/api/v1/units/{root}/rankings"), body).await;
            assert_eq!(status, 422, "{e}");
            assert_eq!(e["fields"][0]["field"], field, "{e}");
        }
        let (status, _) = post(&office, &format!("/api/v1/units/{root}/rankings"), with("terms", json!([{ "measure": "speed", "weight": 5 }]))).await;
        assert_eq!(status, 422);
        assert!(dump(t.app.store()).await == before);

        let (status, made) = post(&office, &format!("/api/v1/units/{root}/rankings"), good.clone()).await;
        assert_eq!(status, 201, "{made}");
        let id = made["id"].as_str().unwrap().to_owned();
        let (status, r) = get(&office, &format!("/api/v1/rankings/{id}")).await;
        assert_eq!(status, 200, "{r}");
        let weights = [40.0, 10.0, 20.0, 20.0, 10.0];
        // Peers are the units directly below, each kind apart.
        let children = scope["children"].as_array().unwrap();
        let groups = r["groups"].as_array().unwrap();
        assert_eq!(groups.iter().map(|g| g["standings"].as_array().unwrap().len()).sum::<usize>(), children.len());
        let mut on_time_somewhere = false;
        for g in groups {
            let standings = g["standings"].as_array().unwrap();
            for s in standings {
                let unit = s["unit"].as_str().unwrap();
                let child = children.iter().find(|c| c["id"] == unit).unwrap();
                assert_eq!(child["kind"], g["kind"]);
                let members = child["tally"]["members_total"].as_i64().unwrap();
                assert_eq!(s["members"], members);
                let [taken, right, asked, due, on_time, yes, verdicts] = recount(&t, unit, &from, &to).await;
                let days = 189;
                assert_eq!(part(s, 0), (taken, members * days), "{s}");
                assert_eq!(part(s, 1), (right, asked), "{s}");
                assert_eq!(part(s, 2).1 % members.max(1), 0, "{s}");
                assert_eq!(part(s, 3), (on_time, due), "{s}");
                assert_eq!(part(s, 4), (yes, verdicts), "{s}");
                on_time_somewhere |= on_time > 0;
                // The score is the weighted mean over what can be measured.
                let (mut sum, mut w) = (0.0, 0.0);
                for (k, weight) in weights.iter().enumerate() {
                    let (done, of) = part(s, k);
                    if of > 0 {
                        sum += weight * done as f64 * 100.0 / of as f64;
                        w += weight;
                    }
                }
                assert!((s["score"].as_f64().unwrap() - sum / w).abs() < 1e-9, "{s}");
            }
            // Best first; places follow the scores; the 约谈 list is the
            // lowest, at most two and at most half the group.
            // (Equal to the 1/100 of a point shown, they share a place.)
            let scores: Vec<i64> = standings.iter().map(|s| (s["score"].as_f64().unwrap() * 100.0).round() as i64).collect();
            assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
            assert_eq!(standings[0]["place"], 1);
            let bottom: Vec<&str> = g["bottom"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
            let expected: Vec<&str> = standings.iter().rev().take(2.min(standings.len() / 2)).map(|s| s["name"].as_str().unwrap()).collect();
            assert_eq!(bottom, expected);
        }
        assert!(on_time_somewhere, "the demo's matters carry photo evidence: {r}");

        // A unit admin reads no ranking of the district's.
        let mut admin = t.client();
        admin.api_login("songyanghu", "xueshi2021").await;
        assert_eq!(get(&admin, &format!("/api/v1/rankings/{id}")).await.0, 403);
        assert_eq!(admin.api(Method::DELETE, &format!("/api/v1/rankings/{id}"), None).await.status(), 403);

        // The office's page: define one by its form, read it, export it.
        let mut page = t.signed_in("office").await;
        let (status, body) = page.page(&format!("/units/{root}/rankings")).await;
        assert_eq!(status, 200);
        assert!(body.contains("本季度比学赶超") && body.contains("weight_quota_compliance"), "{body}");
        let month = xueshi_domain::date::iso(today - time::Duration::days(30));
        let bad = page.form(&format!("/units/{root}/rankings"), &[("name", "党支部比学赶超"), ("depth", "二"), ("from", &month), ("to", &to)]).await;
        assert_eq!(bad.status(), 422);
        assert!(bad.text().await.unwrap().contains("「二」应填写数字"));
        let made = page
            .form(&format!("/units/{root}/rankings"), &[
                ("name", "党支部比学赶超"), ("depth", "2"), ("peer_kind", "branch"), ("from", &month), ("to", &to),
                ("weight_quiz_participation", "60"), ("weight_quota_compliance", "40"), ("weight_quiz_accuracy", ""), ("bottom", "5"),
            ])
            .await;
        assert_eq!(made.status(), 303);
        let at = made.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_owned();
        let (status, body) = page.page(&at).await;
        assert_eq!(status, 200);
        assert!(body.contains("党支部比学赶超") && body.contains("约谈名单"), "{body}");
        let link = format!("/figures/rows?figure=quiz_taken&from={month}&to={to}");
        assert!(body.replace("&#38;", "&").contains(&link), "rates open to their rows");
        let x = page.get(&format!("{at}/standing.xlsx")).await;
        assert_eq!(x.status(), 200);
        let bytes = x.bytes().await.unwrap();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        use calamine::Reader;
        assert_eq!(wb.sheet_names(), vec!["党支部".to_owned()]);
        let rows = wb.worksheet_range("党支部").unwrap();
        assert_eq!(rows.get_value((2, 1)).unwrap().to_string(), "单位");
        assert!(rows.height() > 13, "the branches two levels down are ranked");
        let deleted = page.form(&format!("{at}/delete"), &[]).await;
        assert_eq!(deleted.status(), 303);
        assert_eq!(page.page(&at).await.0, 404);
    }
);
