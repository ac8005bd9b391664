//! `xueshi bench matters`: the public window under load. The catalogue is
//! filled to seed 002's 20,470 matters; the public list is read with its
//! filters, and the public raises problems from many addresses at once
//! (each with its own solved sum), after which every acknowledged problem
//! must be stored.

use std::fmt::Write as _;

use anyhow::{Result, bail};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xueshi_app::App;
use xueshi_app::jobs::Quiet;
use xueshi_demo::{self as demo, Scale};
use xueshi_domain::date::iso;
use xueshi_domain::matter::{DEFAULT_FIELDS, MatterLevel, MatterStatus};
use xueshi_domain::text::fold;
use xueshi_store::matters::{self, MatterRow};

use super::{Loopback, root_ctx, wrk, wrk_latency, wrk_rps, wrk_value};

const LIST_SCRIPT: &str = r#"
-- Each request takes the next of the public list's filtered views.
local paths = {}
for line in io.lines(os.getenv("XUESHI_BENCH_PATHS")) do table.insert(paths, line) end
local i, bad = 0, 0
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("p50_us %d\np95_us %d\nrequests %d\n", latency:percentile(50), latency:percentile(95), summary.requests))
end
"#;

const RAISE_SCRIPT: &str = r#"
-- Each request is a different citizen: its own address (the server trusts
-- the proxy header here), its own problem and its own solved sum.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  acked, refused, other, sent = 0, 0, 0, 0
  source = io.open(os.getenv("XUESHI_BENCH_REQUESTS"), "r")
end
function request()
  local line = source and source:read("l")
  if line == nil then return wrk.format("GET", "/health") end
  local addr, body = line:match("([^\t]*)\t(.*)")
  sent = sent + 1
  return wrk.format("POST", "/api/v1/public/problems", {
    ["X-Forwarded-For"] = addr, ["Content-Type"] = "application/json" }, body)
end
function response(status, headers, body)
  if status == 201 then acked = acked + 1
  elseif status == 422 or status == 429 then refused = refused + 1
  elseif status ~= 200 then other = other + 1 end
end
function done(summary, latency, requests)
  local a, r, o, s = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("acked"); r = r + t:get("refused"); o = o + t:get("other"); s = s + t:get("sent")
  end
  io.write(string.format("acked %d\nrefused %d\nother %d\nsent %d\n", a, r, o, s))
  io.write(string.format("p99_us %d\nduration_us %d\nrequests %d\n", latency:percentile(99), summary.duration, summary.requests))
end
"#;

/// Fills the catalogue to `total` matters over the demo's units, at the
/// states a campaign near its end has them.
async fn fill(app: &App, total: usize) -> Result<()> {
    let (have, units, fields) = {
        let mut c = app.store().read().await?;
        let have = matters::count(&mut c).await?;
        let ctx = root_ctx(app).await?;
        let units: Vec<(i64, String)> = xueshi_store::units::subtree(&mut c, &ctx.actor.scope)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        (have as usize, units, matters::fields(&mut c).await?)
    };
    if fields.is_empty() {
        bail!("the catalogue has no fields");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(20_470);
    let now = app.now();
    let today = app.clock().today();
    let statuses = [
        MatterStatus::Done,
        MatterStatus::Done,
        MatterStatus::Done,
        MatterStatus::InProgress,
        MatterStatus::InProgress,
        MatterStatus::Claimed,
        MatterStatus::Approved,
    ];
    let mut made = 0;
    while have + made < total {
        let batch = (total - have - made).min(2_000);
        let mut tx = app.store().write().await?;
        for k in 0..batch {
            let n = have + made + k;
            let (unit, name) = &units[rng.random_range(0..units.len())];
            let f = rng.random_range(0..fields.len());
            let title = format!(
                "{name}{}实事（第{n}号）",
                DEFAULT_FIELDS[f % DEFAULT_FIELDS.len()]
            );
            let status = statuses[rng.random_range(0..statuses.len())];
            let level = if n % 40 == 0 {
                MatterLevel::DistrictKey
            } else {
                MatterLevel::General
            };
            let m = MatterRow {
                id: app.next_id().0,
                unit_id: *unit,
                title_folded: fold(&title),
                title,
                level,
                field_id: fields[f].0,
                status,
                deadline: iso(today + time::Duration::days(rng.random_range(-30..120))),
                progress: if status == MatterStatus::Done {
                    100
                } else {
                    rng.random_range(0..95)
                },
                round: i64::from(status == MatterStatus::Done),
                problems_solved: rng.random_range(0..10),
                people_served: rng.random_range(10..500),
                report_days: 7,
                reported_at: Some(now - rng.random_range(0..14) * 86_400_000),
                created_at: now,
                updated_at: now,
                ..MatterRow::default()
            };
            matters::insert(&mut tx, &m).await?;
        }
        tx.commit().await?;
        made += batch;
    }
    Ok(())
}

/// The figures `--json` prints.
struct Figures {
    list_p50_ms: f64,
    list_p95_ms: f64,
    list_rps: f64,
    problems_per_s: f64,
    problems_p99_ms: f64,
    acknowledged: u64,
    stored: i64,
}

/// Builds the district demo when the database is empty and fills its
/// catalogue to `total` matters. The measurement runs on a fresh start
/// after it, as a server would start on a loaded database.
pub async fn prepare(app: &App, total: usize) -> Result<()> {
    if demo::installed(app).await?.is_none() {
        eprintln!("building the district demo first …");
        demo::build_with(app, Scale::District, 2021, false, &Quiet)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    eprintln!("filling the catalogue to {total} matters …");
    fill(app, total).await?;
    xueshi_app::maintenance::settle(app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Reads the public list and raises problems over HTTP (see the module).
pub async fn matters(app: &App, seconds: u64, connections: u32, json: bool) -> Result<()> {
    let matters_now = {
        let mut c = app.store().read().await?;
        matters::count(&mut c).await?
    };

    // Behind a proxy, each citizen's own address meets the per-address
    // limit (5 a minute): the load below comes from many addresses.
    let web = xueshi_web::WebConfig {
        trusted_proxies: vec!["127.0.0.1/32".parse()?],
        ..xueshi_web::WebConfig::default()
    };
    let server = Loopback::start(app, web).await?;
    let base = server.base.clone();
    let dir = tempfile::tempdir()?;

    // The public list and its filters, a town's subtree and a deep page.
    let town = {
        let mut c = app.store().read().await?;
        let ctx = root_ctx(app).await?;
        xueshi_store::units::children(&mut c, ctx.actor.scope_unit.0)
            .await?
            .first()
            .map(|u| u.id)
            .unwrap_or(0)
    };
    let enc = |s: &str| {
        s.bytes().fold(String::new(), |mut o, b| {
            let _ = write!(o, "%{b:02X}");
            o
        })
    };
    let paths = [
        "/public/matters".to_owned(),
        "/public/matters?level=general".to_owned(),
        format!("/public/matters?field={}", enc("民生改善")),
        "/public/matters?status=in_progress".to_owned(),
        format!("/public/matters?unit={town}"),
        format!(
            "/public/matters?level=district_key&field={}&status=done",
            enc("乡村振兴")
        ),
        "/public/matters?page=3".to_owned(),
    ];
    let paths_file = dir.path().join("paths.txt");
    std::fs::write(&paths_file, paths.join("\n") + "\n")?;
    let list_script = dir.path().join("list.lua");
    std::fs::write(&list_script, LIST_SCRIPT)?;
    eprintln!("reading the public list with its filters over 4 connections …");
    let out = {
        let base = base.clone();
        let env = vec![("XUESHI_BENCH_PATHS", paths_file.display().to_string())];
        tokio::task::spawn_blocking(move || wrk(&base, seconds, 4, Some(&list_script), &env))
            .await??
    };
    let list_p50_ms = wrk_value(&out, "p50_us")? / 1000.0;
    let list_p95_ms = wrk_value(&out, "p95_us")? / 1000.0;
    let list_rps = wrk_rps(&out)?;
    // Paging deep reads every matter before the page: measured apart.
    let deep = {
        let url = format!("{base}/public/matters?page=500");
        tokio::task::spawn_blocking(move || wrk(&url, seconds.min(5), 4, None, &[])).await??
    };
    let deep_p99 = wrk_latency(&deep, "99%")?;

    // Problems: each with its own address, text and solved sum.
    let planned = 6_000 * seconds as usize;
    // Texts of this run only, so none folds into an earlier run's problem.
    let run = app.now();
    eprintln!("preparing {planned} problems from as many addresses …");
    let mut lines = String::with_capacity(planned * 200);
    for i in 0..planned {
        let ch = xueshi_app::problems::new_challenge(app);
        let sum: u32 = ch
            .question
            .split('+')
            .filter_map(|n| n.trim().parse::<u32>().ok())
            .sum();
        let body = serde_json::json!({
            "body": format!("{run}号小区第{i}号楼门口的路灯坏了，晚上出行不便，请尽快修复。"),
            "area": "云溪街道",
            "challenge": ch.token,
            "answer": sum.to_string(),
        });
        let _ = writeln!(
            lines,
            "10.{}.{}.{}\t{body}",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255
        );
    }
    let requests = dir.path().join("problems.tsv");
    std::fs::write(&requests, lines)?;
    let raise_script = dir.path().join("raise.lua");
    std::fs::write(&raise_script, RAISE_SCRIPT)?;
    let before = {
        let mut c = app.store().read().await?;
        xueshi_store::problems::count(&mut c).await?
    };
    eprintln!("the public raises problems over {connections} connections …");
    let out = {
        let base = base.clone();
        let env = vec![("XUESHI_BENCH_REQUESTS", requests.display().to_string())];
        tokio::task::spawn_blocking(move || {
            wrk(&base, seconds, connections, Some(&raise_script), &env)
        })
        .await??
    };
    server.stop().await;
    let acked = wrk_value(&out, "acked")? as u64;
    let refused = wrk_value(&out, "refused")? as u64;
    let other = wrk_value(&out, "other")? as u64;
    let sent = wrk_value(&out, "sent")?;
    let duration_s = wrk_value(&out, "duration_us")? / 1e6;
    let sending_s = if (sent as usize) < planned {
        duration_s
    } else {
        eprintln!(
            "note: every prepared problem was sent; the rest of the run measured GET /health"
        );
        duration_s * sent / wrk_value(&out, "requests")?.max(1.0)
    };
    let stored = {
        let mut c = app.store().read().await?;
        xueshi_store::problems::count(&mut c).await? - before
    };
    let f = Figures {
        list_p50_ms,
        list_p95_ms,
        list_rps,
        problems_per_s: acked as f64 / sending_s.max(1e-9),
        problems_p99_ms: wrk_value(&out, "p99_us")? / 1000.0,
        acknowledged: acked,
        stored,
    };
    let backend = app.store().backend().name();
    println!("backend              {backend}");
    println!("catalogue            {matters_now} matters");
    println!(
        "public list          p50 {:.2} ms, p95 {:.2} ms, {:.0} pages/s (7 views: filters, a unit, page 4; 4 connections)",
        f.list_p50_ms, f.list_p95_ms, f.list_rps
    );
    println!("page 501 of the list  p99 {deep_p99:.1} ms (4 connections)");
    println!(
        "problems raised      {:.0} per second, p99 {:.1} ms (refused: {refused}, other errors: {other})",
        f.problems_per_s, f.problems_p99_ms
    );
    let in_flight = stored - acked as i64;
    let whole = (0..=i64::from(connections)).contains(&in_flight);
    println!(
        "stored               {stored}{}",
        if whole {
            format!(
                " — every acknowledged problem ({in_flight} more were in flight when wrk stopped)"
            )
        } else {
            " — MISMATCH".to_owned()
        }
    );
    if json {
        println!(
            "{}",
            serde_json::json!({
                "backend": backend,
                "list_p95_ms": f.list_p95_ms,
                "problems_per_s": (f.problems_per_s * 10.0).round() / 10.0,
                "acknowledged": f.acknowledged,
                "stored": f.stored,
            })
        );
    }
    if !whole || other > 0 || refused > 0 {
        bail!("{acked} acknowledged, {stored} stored, {refused} refused, {other} errors");
    }
    Ok(())
}
