//! `xueshi bench exam`: members starting the same exam at once over HTTP on
//! loopback, each saving every answer as a separate request and handing in;
//! afterwards every acknowledged answer must be stored exactly once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::sync::Mutex;
use xueshi_app::App;
use xueshi_app::exams::{self, ExamInput};
use xueshi_demo::Scale;
use xueshi_domain::exam::BlueprintRow;

use super::{Loopback, Quiet, root_ctx, summarise};

type Http = Client<HttpConnector, Full<Bytes>>;

/// One request: its status, its body and how long it took.
async fn call(
    http: &Http,
    method: &str,
    url: &str,
    cookie: &str,
    csrf: &str,
    body: String,
) -> Result<(u16, serde_json::Value, Duration)> {
    let req = hyper::Request::builder()
        .method(method)
        .uri(url)
        .header("cookie", cookie)
        .header("x-csrf-token", csrf)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))?;
    let started = Instant::now();
    let r = http.request(req).await?;
    let status = r.status().as_u16();
    let bytes = r.into_body().collect().await?.to_bytes();
    let took = started.elapsed();
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        took,
    ))
}

pub async fn exam(app: &App, members: usize, concurrency: usize, json: bool) -> Result<()> {
    if xueshi_demo::installed(app).await?.is_none() {
        eprintln!("building the district demo first …");
        xueshi_demo::build_with(app, Scale::District, 2021, false, &Quiet)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let root = root_ctx(app).await?;
    eprintln!("preparing {members} members with sessions …");
    let signed_in = xueshi_app::load_test::sign_in_members(app, &root, members)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if signed_in.len() < members {
        bail!(
            "the database holds only {} members without an account",
            signed_in.len()
        );
    }
    let root_id = root.actor.scope_unit;
    let now = app.now();
    let at = |ms: i64| xueshi_app::clock::format_ms(ms)[..16].replace(' ', "T");
    let exam = exams::create(
        app,
        &root,
        root_id,
        &ExamInput {
            title: "压力测试".into(),
            opens_at: at(now - 60_000),
            closes_at: at(now + 2 * 3_600_000),
            minutes: 30,
            pass_mark: 60,
            attempts: 1,
            blueprint: vec![
                BlueprintRow {
                    kind: "single".into(),
                    count: 5,
                    ..BlueprintRow::default()
                },
                BlueprintRow {
                    kind: "true_false".into(),
                    count: 3,
                    ..BlueprintRow::default()
                },
            ],
            makeup_days: 7,
            members: signed_in.iter().map(|s| s.member).collect(),
            ..ExamInput::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let answers: Arc<std::collections::HashMap<i64, String>> = Arc::new({
        let mut c = app.store().read().await?;
        let ids = xueshi_store::quiz::active_question_ids(&mut c).await?;
        xueshi_store::quiz::questions_by_id(&mut c, &ids)
            .await?
            .into_iter()
            .map(|q| (q.id, q.answer.split('|').next().unwrap_or("").to_owned()))
            .collect()
    });
    xueshi_app::maintenance::settle(app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let server = Loopback::start(app, xueshi_web::WebConfig::default()).await?;
    let base = Arc::new(server.base.clone());
    let http: Http = Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let queue = Arc::new(Mutex::new(signed_in));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let acked = Arc::new(std::sync::atomic::AtomicU64::new(0));
    eprintln!("{members} members sit the exam, {concurrency} at a time …");
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (queue, latencies, acked, http, base, answers) = (
            queue.clone(),
            latencies.clone(),
            acked.clone(),
            http.clone(),
            base.clone(),
            answers.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let Some(s) = queue.lock().await.pop() else {
                    break;
                };
                let cookie = format!("xs_session={}", s.token);
                let (status, paper, took) = call(
                    &http,
                    "POST",
                    &format!("{base}/api/v1/exams/{exam}/sittings"),
                    &cookie,
                    &s.csrf,
                    "{}".into(),
                )
                .await?;
                mine.push(took);
                if status != 200 {
                    bail!("start answered {status}: {paper}");
                }
                let sitting = paper["id"].as_str().context("sitting id")?.to_owned();
                for q in paper["questions"].as_array().context("questions")? {
                    let id = q["id"].as_str().context("question id")?;
                    let given = answers
                        .get(&id.parse::<i64>()?)
                        .cloned()
                        .unwrap_or_default();
                    let body = serde_json::json!({ "question": id, "answer": given }).to_string();
                    let (status, _, took) = call(
                        &http,
                        "PUT",
                        &format!("{base}/api/v1/sittings/{sitting}/answers"),
                        &cookie,
                        &s.csrf,
                        body,
                    )
                    .await?;
                    mine.push(took);
                    if status == 204 {
                        acked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
                let (status, _, took) = call(
                    &http,
                    "POST",
                    &format!("{base}/api/v1/sittings/{sitting}/submit"),
                    &cookie,
                    &s.csrf,
                    "{}".into(),
                )
                .await?;
                mine.push(took);
                if status != 200 {
                    bail!("hand-in answered {status}");
                }
            }
            latencies.lock().await.extend(mine);
            Ok(())
        }));
    }
    for w in workers {
        w.await??;
    }
    let elapsed = started.elapsed();
    server.stop().await;
    let stored: i64 = {
        let mut c = app.store().read().await?;
        xueshi_store::exams::answers_stored(&mut c, exam.0).await?
    };
    let all = std::mem::take(&mut *latencies.lock().await);
    let requests = all.len();
    let lat = summarise(all);
    let acked = acked.load(std::sync::atomic::Ordering::Relaxed);
    let backend = app.store().backend().name();
    println!("backend                          {backend}");
    println!("members                          {members}");
    println!(
        "all sat and handed in            {:.1} s",
        elapsed.as_secs_f64()
    );
    println!("requests                         {requests}");
    println!(
        "p50 / p99 per request            {:.2} / {:.2} ms",
        lat.p50, lat.p99
    );
    println!("answers acknowledged / stored    {acked} / {stored}");
    if json {
        println!(
            "{{\"backend\":\"{backend}\",\"members\":{members},\"answers_acknowledged\":{acked},\"answers_stored\":{stored},\"p99_ms\":{:.3}}}",
            lat.p99
        );
    }
    if stored as u64 != acked {
        bail!("{acked} answers acknowledged, {stored} stored");
    }
    Ok(())
}
