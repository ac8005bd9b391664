//! The command line: what each subcommand takes.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use xueshi_demo::Scale;
use xueshi_domain::access::Role;

/// 学史 — run a Party-history study campaign (党史学习教育) over a whole
/// organisation tree, on SQLite or PostgreSQL.
#[derive(Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (TOML); default `xueshi.toml` when present.
    #[arg(long, global = true, env = "XUESHI_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database: `sqlite://FILE` (default `sqlite://xueshi.db`) or `postgres://…`.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the pages and the API (migrates the database first).
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long)]
        bind: Option<String>,
        /// Build the district demo first if the database is empty, and show
        /// the demo accounts on the login page.
        #[arg(long)]
        demo: bool,
    },
    /// Build demo data into an empty database.
    Demo {
        /// `district`: 534 grassroots units and 11,543 members modelled on
        /// 云溪区; `province`: 5,000,000 members in about 250,000 units.
        #[arg(long, value_enum, default_value_t = DemoScale::District)]
        scale: DemoScale,
        /// The same seed builds the same data.
        #[arg(long, default_value_t = 2021)]
        seed: u64,
    },
    /// Create the root unit and the first system administrator of a new
    /// installation; prints the administrator's password once.
    Init {
        /// Name of the committee running the campaign, e.g. 中共某某区委员会.
        #[arg(long)]
        root_name: String,
        /// Its code, e.g. YX.
        #[arg(long)]
        root_code: String,
        #[arg(long, default_value = "admin")]
        admin: String,
    },
    /// Import a roster workbook (.xlsx, sheets 组织 and 党员). Every row is
    /// checked first; a file with any error writes nothing.
    Import {
        file: PathBuf,
        /// Act within this account's scope (default: the whole tree).
        #[arg(long = "as")]
        as_user: Option<String>,
        /// Messages in `zh-CN` or `en`.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
    },
    /// Export the roster of a unit's subtree to .xlsx.
    Export {
        /// Code of the unit (default: the root).
        #[arg(long)]
        unit: Option<String>,
        #[arg(short, long)]
        output: PathBuf,
        /// Write whole phone and ID numbers (audited).
        #[arg(long)]
        unmasked: bool,
    },
    /// Write the empty roster template to a file.
    Template { output: PathBuf },
    /// Make a consistent copy of the running database (one SQLite file).
    Backup { file: PathBuf },
    /// Copy a backup into an empty database (SQLite or PostgreSQL).
    Restore { file: PathBuf },
    /// Bring the database schema up to date.
    Migrate,
    /// Recompute every counter from the raw records and report differences.
    Check,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Set up study campaigns.
    Campaign {
        #[command(subcommand)]
        action: CampaignAction,
    },
    /// Benchmarks that print their figures (see docs/performance.md).
    Bench {
        #[command(subcommand)]
        which: BenchKind,
    },
}

#[derive(Subcommand)]
pub enum BenchKind {
    /// Import a generated roster workbook into the district demo (built first
    /// when the database is empty).
    Import {
        #[arg(long, default_value_t = 100_000)]
        members: usize,
    },
    /// Time the tree's hot reads on a database holding a tree (build one
    /// with `xueshi demo --scale province`).
    Tree,
    /// Time a unit's study dashboard with its quota compliance, at the root
    /// and at its largest unit, and the export of who is behind (builds the
    /// district demo with its study into an empty database).
    Study {
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
    /// A weekly briefing with all its sections (and its Word document) for
    /// the root and for its largest unit, and every figure of the catalogue
    /// held to its rows; builds the demo (by default the province, 5,000,000
    /// members) into an empty database.
    Briefing {
        #[arg(long, value_enum, default_value_t = DemoScale::Province)]
        scale: DemoScale,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// End with one JSON line of the figures.
        #[arg(long)]
        json: bool,
    },
    /// The task list at scale: one task published to every 党支部 (the
    /// province demo: about 200,000), twenty-nine to the largest county's,
    /// 2,000 reports, then the completion matrix (units × 30 tasks) at the
    /// root and at the county, and the counters held to a recount. Builds
    /// the demo first when the database is empty.
    Tasks {
        #[arg(long, value_enum, default_value_t = DemoScale::Province)]
        scale: DemoScale,
        /// End with one JSON line: backend, units, publish_s,
        /// matrix_root_p95_ms, matrix_county_p95_ms, recomputed_equal.
        #[arg(long)]
        json: bool,
    },
    /// One live competition with this many phones on WebSockets over
    /// loopback, each with its clock set off and its link delayed: the time
    /// from the host's unlock to every phone, each buzz's acknowledgement,
    /// and the buzz order against the order pressed. Builds the district
    /// demo first when the database is empty.
    Live {
        #[arg(long, default_value_t = 2_000)]
        phones: usize,
        /// Random delay (ms) added to each message on a phone's link.
        #[arg(long, default_value_t = 5)]
        jitter: i64,
        /// End with one JSON line: phones, fanout_p99_ms, buzz_ack_p99_ms,
        /// order_errors, lost.
        #[arg(long)]
        json: bool,
    },
    /// Members sitting one exam at once over HTTP on loopback: each starts
    /// it, saves every answer as its own request and hands in; every
    /// acknowledged answer must be stored once. Builds the district demo
    /// first when the database is empty.
    Exam {
        #[arg(long, default_value_t = 5_000)]
        members: usize,
        /// Members answering at the same moment.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// End with one JSON line: backend, members, answers_acknowledged,
        /// answers_stored, p99_ms.
        #[arg(long)]
        json: bool,
    },
    /// Members taking today's quiz over HTTP, driven by wrk (Debian's `wrk`)
    /// on loopback; checks every acknowledged submission is stored once.
    /// Builds the demo first when the database is empty.
    Quiz {
        /// Members prepared with a session and today's paper, taken evenly
        /// over the whole roster; each submits once, in shuffled order, a
        /// minute and a half after drawing (so each submission also records
        /// its session's activity).
        #[arg(long, default_value_t = 150_000)]
        members: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 64)]
        connections: u32,
        /// The demo to build into an empty database.
        #[arg(long, value_enum, default_value_t = DemoScale::Province)]
        scale: DemoScale,
        /// End with one JSON line of the figures.
        #[arg(long)]
        json: bool,
    },
    /// The public window under load: the public list of matters with its
    /// filters, and problems raised from many addresses at once (each with
    /// its own solved sum); checks every acknowledged problem is stored.
    /// Builds the district demo first when the database is empty, then
    /// fills the catalogue to `--matters`.
    Matters {
        #[arg(long, default_value_t = 20_470)]
        matters: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 64)]
        connections: u32,
        /// End with one JSON line: backend, list_p95_ms, problems_per_s,
        /// acknowledged, stored.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum CampaignAction {
    /// Start a campaign over a unit's subtree with the 五个一 template
    /// (quotas, daily quiz of 5 questions in 10 minutes, open all day).
    Start {
        /// Code of the unit running it.
        #[arg(long)]
        unit: String,
        #[arg(long)]
        name: String,
        /// First day, YYYY-MM-DD (default: today).
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD (default: six months on).
        #[arg(long)]
        to: Option<String>,
    },
    /// List a unit's campaigns and the one governing it today.
    List {
        #[arg(long)]
        unit: String,
    },
}

#[derive(Subcommand)]
pub enum UserAction {
    /// Create an account; prints a generated password.
    Add {
        username: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Code of the unit whose subtree the account works in (not needed
        /// with --member: a member's account works in the member's unit).
        #[arg(long, required_unless_present = "member")]
        scope: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// May see whole phone and ID numbers.
        #[arg(long)]
        unmask: bool,
        /// Link the account to the member with this ID number (role member).
        #[arg(long)]
        member: Option<String>,
    },
    /// Make accounts for every member under a unit who has none; their
    /// first passwords go on login slips (`/units/{id}/login-slips`).
    Issue {
        /// Code of the unit whose subtree's members get accounts.
        #[arg(long)]
        unit: String,
        /// User names: `member-code` (unit code-number) or `phone`.
        #[arg(long, default_value = "member-code")]
        scheme: String,
    },
    /// Set a new generated password and end the account's sessions.
    Passwd { username: String },
    /// Lift a lockout.
    Unlock { username: String },
    /// List accounts.
    List,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoScale {
    District,
    Province,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    SystemAdmin,
    CampaignOffice,
    UnitAdmin,
    Inspector,
    Member,
}

impl RoleArg {
    pub fn role(self) -> Role {
        match self {
            RoleArg::SystemAdmin => Role::SystemAdmin,
            RoleArg::CampaignOffice => Role::CampaignOffice,
            RoleArg::UnitAdmin => Role::UnitAdmin,
            RoleArg::Inspector => Role::Inspector,
            RoleArg::Member => Role::Member,
        }
    }
}

impl From<DemoScale> for Scale {
    fn from(s: DemoScale) -> Scale {
        match s {
            DemoScale::District => Scale::District,
            DemoScale::Province => Scale::Province,
        }
    }
}
