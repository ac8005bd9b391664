//! `xueshi bench …`: benchmarks that print their figures. Each runs against a
//! real database (a fresh SQLite file unless `--database-url` says
//! otherwise) through the same use-cases the server calls.

pub mod briefing;
pub mod exam;
pub mod live;
pub mod matters;
pub mod study;
pub mod tasks;

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::SeedableRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::Workbook;
use xueshi_app::jobs::{Output, Quiet};
use xueshi_app::{App, Ctx, roster, tree};
use xueshi_demo::people::{People, Setting, position_for};
use xueshi_demo::{self as demo, Scale};
use xueshi_domain::date::iso;
use xueshi_domain::member::CadreLevel;
use xueshi_domain::text::plan_search;

/// p50, p95, p99 and the largest of some durations, in milliseconds.
pub struct Summary {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

pub fn summarise(mut d: Vec<Duration>) -> Summary {
    d.sort();
    let ms = |x: Duration| x.as_secs_f64() * 1000.0;
    let at = |q: f64| ms(d[((d.len() as f64 - 1.0) * q).round() as usize]);
    Summary {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: at(1.0),
    }
}

async fn root_ctx(app: &App) -> Result<Ctx> {
    let mut c = app.store().read().await?;
    let root = xueshi_store::units::roots(&mut c)
        .await?
        .into_iter()
        .next()
        .context("the database holds no tree")?;
    Ok(Ctx::system(&root.path()))
}

/// The unit under `root` with the most members, and its name: a county
/// under a province, a town under a district.
async fn largest_child(app: &App, root: xueshi_domain::Id) -> Result<(xueshi_domain::Id, String)> {
    let mut c = app.store().read().await?;
    let kids = xueshi_store::units::children(&mut c, root.0).await?;
    let ids: Vec<i64> = kids.iter().map(|k| k.id).collect();
    let t = xueshi_store::tallies::get_many(&mut c, &ids).await?;
    kids.iter()
        .max_by_key(|k| t.get(&k.id).map_or(0, |t| t.members_total))
        .map(|k| (k.id(), k.name.clone()))
        .context("the root has no units under it")
}

/// A roster workbook of `n` made-up members spread over `codes`.
fn workbook(n: usize, codes: &[String]) -> Result<Vec<u8>> {
    let mut people = People::new(ChaCha8Rng::seed_from_u64(99), "430682");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("党员")?;
    let headers = [
        "姓名",
        "性别",
        "出生日期",
        "入党日期",
        "党员状态",
        "干部层级",
        "职务",
        "手机号",
        "身份证号",
        "所在组织编码",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for r in 0..n {
        let position = position_for(Setting::Village, &mut rng);
        let d = people.member(Setting::Village, position, CadreLevel::Ordinary);
        let code = codes.choose(&mut rng).cloned().unwrap_or_default();
        let cells = [
            d.name.clone(),
            d.gender.label_zh().to_owned(),
            d.birth_date.map(iso).unwrap_or_default(),
            d.join_date.map(iso).unwrap_or_default(),
            d.status.label_zh().to_owned(),
            d.cadre_level.label_zh().to_owned(),
            d.position.clone(),
            d.phone
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            d.id_number
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            code,
        ];
        for (c, v) in cells.into_iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// Records when each stage of long work began.
#[derive(Default)]
struct Stages {
    marks: std::sync::Mutex<Vec<(&'static str, Instant)>>,
}

impl xueshi_app::jobs::Progress for Stages {
    fn stage(&self, key: &'static str, _total: u64) {
        if let Ok(mut m) = self.marks.lock() {
            m.push((key, Instant::now()));
        }
    }
    fn advance(&self, _n: u64) {}
}

impl Stages {
    fn report(&self, end: Instant) -> String {
        let m = self.marks.lock().map(|m| m.clone()).unwrap_or_default();
        m.iter()
            .enumerate()
            .map(|(i, (k, t))| {
                let next = m.get(i + 1).map_or(end, |n| n.1);
                format!(
                    "{} {:.2} s",
                    k.trim_start_matches("stage."),
                    (next - *t).as_secs_f64()
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Imports a workbook of `members` new members into the district demo.
pub async fn import(app: &App, members: usize) -> Result<()> {
    if demo::installed(app).await?.is_none() {
        eprintln!("building the district demo first …");
        demo::build(app, Scale::District, 2021, &Quiet)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let ctx = root_ctx(app).await?;
    let codes: Vec<String> = {
        let mut c = app.store().read().await?;
        xueshi_store::units::subtree(&mut c, &ctx.actor.scope)
            .await?
            .into_iter()
            .filter(|u| u.kind() == xueshi_domain::unit::UnitKind::Branch)
            .map(|u| u.code)
            .collect()
    };
    let started = Instant::now();
    let bytes = workbook(members, &codes)?;
    let made = started.elapsed();
    let before = tree::tally(app, &ctx, ctx.actor.scope_unit)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .members_total;
    let started = Instant::now();
    let stages = Stages::default();
    let out = roster::import::run(app, &ctx, "bench.xlsx", bytes.clone(), &stages)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let took = started.elapsed();
    let stage_times = stages.report(Instant::now());
    let after = tree::tally(app, &ctx, ctx.actor.scope_unit)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .members_total;
    let Output::Imported { members: n, .. } = out else {
        bail!("the import wrote no members")
    };
    if after - before != n as i64 || n as usize != members {
        bail!(
            "expected {members} new members, the tally moved by {}",
            after - before
        );
    }
    println!("backend           {}", app.store().backend().name());
    println!(
        "workbook          {members} members, {:.1} MB, made in {:.2} s",
        bytes.len() as f64 / 1e6,
        made.as_secs_f64()
    );
    println!(
        "import            {:.2} s  ({:.0} members/s, checked, sealed, written in one transaction)",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );
    println!("stages            {stage_times}");
    println!(
        "{{\"bench\":\"import\",\"backend\":\"{}\",\"members\":{members},\"seconds\":{:.3}}}",
        app.store().backend().name(),
        took.as_secs_f64()
    );
    Ok(())
}

fn line(name: &str, s: &Summary) {
    println!(
        "{name:<44} p50 {:>8.3} ms   p95 {:>8.3} ms   p99 {:>8.3} ms",
        s.p50, s.p95, s.p99
    );
}

async fn time<F, Fut, T>(runs: usize, mut f: F) -> Result<Summary>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut d = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await?;
        d.push(t.elapsed());
    }
    Ok(summarise(d))
}

/// Times the tree's hot reads on whatever database holds the province demo
/// (or any tree): the subtree counts at the root, the root's overview, the
/// same counts by scanning the path index, and name search.
pub async fn tree(app: &App) -> Result<()> {
    let ctx = root_ctx(app).await?;
    let root = ctx.actor.scope_unit;
    let t = tree::tally(app, &ctx, root)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "backend {}: {} units, {} members under the root",
        app.store().backend().name(),
        t.units_total,
        t.members_total
    );
    let tally = time(500, || async {
        tree::tally(app, &ctx, root)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await?;
    line("units and members under the root (tally)", &tally);
    let overview = time(100, || async {
        tree::overview(app, &ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await?;
    line("root overview (tally + children)", &overview);
    let scope = ctx.actor.scope.clone();
    let scan = time(5, || async {
        let mut c = app.store().read().await?;
        Ok(xueshi_store::units::count_subtree(&mut c, &scope).await?)
    })
    .await?;
    line("units under the root by index range scan", &scan);
    let search = time(50, || async {
        let mut c = app.store().read().await?;
        Ok(xueshi_store::members::search(&mut c, &plan_search("王伟"), &scope, 50).await?)
    })
    .await?;
    line("member search 王伟 under the root", &search);
    let single = time(50, || async {
        let mut c = app.store().read().await?;
        Ok(xueshi_store::members::search(&mut c, &plan_search("彭"), &scope, 50).await?)
    })
    .await?;
    line("member search 彭 (one character) under the root", &single);
    println!(
        "{{\"bench\":\"tree\",\"backend\":\"{}\",\"units\":{},\"members\":{},\"tally_p95_ms\":{:.3},\"overview_p95_ms\":{:.3},\"scan_p50_ms\":{:.1},\"search_p95_ms\":{:.3}}}",
        app.store().backend().name(),
        t.units_total,
        t.members_total,
        tally.p95,
        overview.p95,
        scan.p50,
        search.p95
    );
    Ok(())
}

/// What `bench quiz` measured.
struct QuizFigures {
    submissions_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    floor_rps: f64,
    acknowledged: u64,
    stored: i64,
    dashboard_p95_ms: f64,
}

/// One line of wrk's Lua report: `key value`.
fn wrk_value(out: &str, key: &str) -> Result<f64> {
    out.lines()
        .find_map(|l| l.strip_prefix(key).map(str::trim))
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("wrk printed no {key}:\n{out}"))
}

const WRK_SCRIPT: &str = r#"
-- The thread reads the prepared submissions as it sends them, each once:
-- holding them all in a Lua table made wrk's garbage collector, not the
-- server, the limit.
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  acked, conflicts, other, sent = 0, 0, 0, 0
  source = io.open(os.getenv("XUESHI_BENCH_REQUESTS"), "r")
end
function request()
  local line = source and source:read("l")
  if line == nil then
    return wrk.format("GET", "/health")
  end
  local cookie, csrf, body = line:match("([^\t]*)\t([^\t]*)\t(.*)")
  sent = sent + 1
  return wrk.format("POST", "/api/v1/quiz/today", {
    ["Cookie"] = cookie, ["X-CSRF-Token"] = csrf, ["Content-Type"] = "application/json" }, body)
end
function response(status, headers, body)
  if status == 201 then acked = acked + 1
  elseif status == 409 then conflicts = conflicts + 1
  elseif status ~= 200 then other = other + 1 end
end
function done(summary, latency, requests)
  local a, c, o, s = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("acked"); c = c + t:get("conflicts"); o = o + t:get("other"); s = s + t:get("sent")
  end
  io.write(string.format("acked %d\nconflicts %d\nother %d\nsent %d\n", a, c, o, s))
  io.write(string.format("p50_us %d\np99_us %d\n", latency:percentile(50), latency:percentile(99)))
  io.write(string.format("duration_us %d\nrequests %d\n", summary.duration, summary.requests))
end
"#;

/// The real server on a loopback port, for wrk to drive.
struct Loopback {
    base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Loopback {
    async fn start(app: &App, web: xueshi_web::WebConfig) -> Result<Loopback> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let state = xueshi_web::AppState::new(app.clone(), web);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            xueshi_web::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await
        });
        Ok(Loopback { base, stop, server })
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.server.await;
    }
}

/// Runs wrk and returns what it printed.
fn wrk(
    url: &str,
    seconds: u64,
    connections: u32,
    script: Option<&std::path::Path>,
    env: &[(&str, String)],
) -> Result<String> {
    let mut cmd = std::process::Command::new("wrk");
    cmd.args([
        "-t",
        "1",
        "-c",
        &connections.to_string(),
        "-d",
        &format!("{seconds}s"),
        "--latency",
    ]);
    if let Some(s) = script {
        cmd.arg("-s").arg(s);
    }
    cmd.arg(url);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().context("running wrk (apt-get install wrk)")?;
    if !out.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A latency percentile of wrk's `--latency` table (`99%`), in ms.
fn wrk_latency(out: &str, percentile: &str) -> Result<f64> {
    let v = out
        .lines()
        .find_map(|l| l.trim().strip_prefix(percentile).map(str::trim))
        .with_context(|| format!("wrk printed no {percentile}:\n{out}"))?;
    let (n, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
    let n: f64 = n.parse().with_context(|| format!("wrk latency {v}"))?;
    Ok(match unit {
        "us" => n / 1000.0,
        "s" => n * 1000.0,
        _ => n,
    })
}

fn wrk_rps(out: &str) -> Result<f64> {
    out.lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:").map(str::trim))
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("wrk printed no rate:\n{out}"))
}

/// Members taking today's quiz over HTTP, as fast as the server answers:
/// `members` member accounts with sessions and today's paper are prepared
/// in-process, the server listens on loopback, and wrk sends each member's
/// answers once. Afterwards every acknowledged submission must be in the
/// database exactly once.
pub async fn quiz(
    app: &App,
    members: usize,
    seconds: u64,
    connections: u32,
    scale: Scale,
    json: bool,
) -> Result<()> {
    use xueshi_app::load_test::SignedIn;
    use xueshi_app::quiz::{self, Today};

    if demo::installed(app).await?.is_none() {
        eprintln!("building the {scale:?} demo first …");
        demo::build_with(app, scale, 2021, false, &Quiet)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let root = root_ctx(app).await?;
    eprintln!("preparing {members} members with sessions and today's paper …");
    let signed_in = xueshi_app::load_test::sign_in_members(app, &root, members)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if signed_in.len() < members {
        bail!(
            "the database holds only {} members without an account",
            signed_in.len()
        );
    }
    // Today's paper for each, drawn the way GET /api/v1/quiz/today draws it,
    // answered right where the bank says so.
    let answers: std::collections::HashMap<i64, String> = {
        let mut c = app.store().read().await?;
        let ids = xueshi_store::quiz::active_question_ids(&mut c).await?;
        xueshi_store::quiz::questions_by_id(&mut c, &ids)
            .await?
            .into_iter()
            .map(|q| (q.id, q.answer.split('|').next().unwrap_or("").to_owned()))
            .collect()
    };
    let dir = tempfile::tempdir()?;
    let requests = dir.path().join("requests.tsv");
    let mut lines = Vec::with_capacity(members);
    for SignedIn {
        member,
        token,
        csrf,
    } in &signed_in
    {
        // Resolved the way the member's GET of the paper resolves it.
        let session = xueshi_app::auth::resolve(app, token)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .with_context(|| format!("the session of bench member {member}"))?;
        let ctx = Ctx::new(session.actor, "127.0.0.1");
        let Today::Open(paper) = quiz::today(app, &ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
        else {
            bail!("no quiz is open today for member {member}");
        };
        let given: serde_json::Map<String, serde_json::Value> = paper
            .questions
            .iter()
            .map(|q| {
                (
                    q.id.to_string(),
                    answers.get(&q.id.0).cloned().unwrap_or_default().into(),
                )
            })
            .collect();
        let body = serde_json::json!({ "ticket": paper.ticket, "answers": given });
        lines.push(format!("xs_session={token}\t{csrf}\t{body}\n"));
    }
    // Members answer in no particular order, as they do: sent in id order,
    // every index keyed by member or account would be appended to.
    lines.shuffle(&mut ChaCha8Rng::seed_from_u64(2021));
    std::fs::write(&requests, lines.concat())?;
    let script = dir.path().join("quiz.lua");
    std::fs::write(&script, WRK_SCRIPT)?;

    // A minute and a half to answer, as a member takes: every submission
    // also records its session's activity (written once a minute at most),
    // so each run does the same work however long the preparation took.
    app.clock().advance_ms(90_000);
    // The preparation's writes copied back and the log emptied: the run
    // measures a server in its steady state, not one digesting a bulk load.
    xueshi_app::maintenance::settle(app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let server = Loopback::start(app, xueshi_web::WebConfig::default()).await?;
    let base = server.base.clone();

    eprintln!("measuring the HTTP floor (GET /health) …");
    let floor = {
        let base = base.clone();
        tokio::task::spawn_blocking(move || {
            wrk(&format!("{base}/health"), 5, connections, None, &[])
        })
        .await??
    };
    let floor_rps = wrk_rps(&floor)?;
    let before = {
        let mut c = app.store().read().await?;
        xueshi_store::quiz::count_attempts(&mut c).await?
    };
    eprintln!("{members} members submit today's quiz over {connections} connections …");
    let out = {
        let base = base.clone();
        let env = vec![("XUESHI_BENCH_REQUESTS", requests.display().to_string())];
        tokio::task::spawn_blocking(move || wrk(&base, seconds, connections, Some(&script), &env))
            .await??
    };
    let acked = wrk_value(&out, "acked")? as u64;
    let conflicts = wrk_value(&out, "conflicts")? as u64;
    let other = wrk_value(&out, "other")? as u64;
    let sent = wrk_value(&out, "sent")?;
    let duration_s = wrk_value(&out, "duration_us")? / 1e6;
    let p50_ms = wrk_value(&out, "p50_us")? / 1000.0;
    let p99_ms = wrk_value(&out, "p99_us")? / 1000.0;
    if sent as usize >= members {
        eprintln!(
            "note: every prepared member submitted; the rest of the run measured GET /health (raise --members)"
        );
    }
    server.stop().await;
    let stored = {
        let mut c = app.store().read().await?;
        xueshi_store::quiz::count_attempts(&mut c).await? - before
    };
    // Submissions are counted over the time they were being sent.
    let sending_s = if (sent as usize) < members {
        duration_s
    } else {
        duration_s * sent / wrk_value(&out, "requests")?.max(1.0)
    };
    // What the root's study page reads: participation and quota compliance.
    let dashboard = time(200, || async {
        xueshi_app::study::dashboard(app, &root, root.actor.scope_unit, 14)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        xueshi_app::compliance::compliance(app, &root, root.actor.scope_unit)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await?;
    let f = QuizFigures {
        submissions_per_s: acked as f64 / sending_s.max(1e-9),
        p50_ms,
        p99_ms,
        floor_rps,
        acknowledged: acked,
        stored,
        dashboard_p95_ms: dashboard.p95,
    };
    let backend = app.store().backend().name();
    println!("backend              {backend}");
    println!(
        "HTTP floor           {:.0} requests/s (GET /health)",
        f.floor_rps
    );
    println!(
        "submissions          {:.0} per second, p50 {:.1} ms, p99 {:.1} ms",
        f.submissions_per_s, f.p50_ms, f.p99_ms
    );
    println!(
        "ratio to the floor   {:.3}",
        f.submissions_per_s / f.floor_rps.max(1.0)
    );
    println!(
        "acknowledged         {acked} (refused as second attempts: {conflicts}, other errors: {other})"
    );
    // wrk stops with up to one request per connection in flight: those may
    // be stored without their answer having been read.
    let in_flight = stored - acked as i64;
    let whole = (0..=i64::from(connections)).contains(&in_flight);
    println!(
        "stored               {stored}{}",
        if whole {
            format!(
                " — every acknowledged submission, once ({in_flight} more were in flight when wrk stopped)"
            )
        } else {
            " — MISMATCH".to_owned()
        }
    );
    println!(
        "dashboard at root    p50 {:.2} ms, p95 {:.2} ms",
        dashboard.p50, dashboard.p95
    );
    if json {
        println!(
            "{}",
            serde_json::json!({
                "backend": backend,
                "submissions_per_s": (f.submissions_per_s * 10.0).round() / 10.0,
                "p50_ms": f.p50_ms,
                "p99_ms": f.p99_ms,
                "floor_rps": f.floor_rps.round(),
                "ratio": (f.submissions_per_s / f.floor_rps.max(1.0) * 1000.0).round() / 1000.0,
                "acknowledged": f.acknowledged,
                "stored": f.stored,
                "dashboard_p95_ms": f.dashboard_p95_ms,
            })
        );
    }
    if !whole || other > 0 {
        bail!("{acked} acknowledged, {stored} stored, {other} errors");
    }
    Ok(())
}
