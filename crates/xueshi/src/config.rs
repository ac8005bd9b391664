//! One typed configuration: defaults, then a TOML file, then `XUESHI_*`
//! environment variables, then command-line flags. Every setting has a safe
//! default, so `serve` needs none.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use base64::Engine;
use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://FILE` (embedded, the default) or `postgres://…`.
    pub database_url: String,
    pub bind: String,
    pub max_connections: u32,
    /// SQLite page cache per connection, in MiB (`demo --scale province`
    /// raises it to 2048 for its bulk load).
    pub sqlite_cache_mb: u32,
    /// Where the installation secret (32 random bytes, base64) is kept; made
    /// on first start. It seals phone and ID numbers: back it up apart from
    /// the database.
    pub secret_key_file: PathBuf,
    /// The secret itself (base64), instead of a file.
    pub secret_key: Option<String>,
    /// This server's number (0–1023) when several share one database.
    pub node: u16,
    /// Reverse proxies in front of this server, as addresses or networks
    /// (`10.0.0.5`, `10.0.0.0/8`); the environment takes a comma list. Only
    /// what they forward is believed about the client's address and HTTPS.
    pub trusted_proxies: Vec<String>,
    /// "auto" (when a trusted proxy says HTTPS), "always" or "never".
    pub secure_cookies: String,
    pub login_per_minute: u32,
    /// Problems the public may raise from one address per minute.
    pub problems_per_minute: u32,
    /// Phones that may join competitions from one address per minute (a
    /// hall's Wi-Fi is one address).
    pub joins_per_minute: u32,
    pub idle_minutes: i64,
    pub admin_idle_minutes: i64,
    pub max_upload_mb: usize,
    /// Rows and non-empty cells one import may hold across its sheets,
    /// counted while the file streams (the sheet's declared size is never
    /// trusted). The defaults take a province's five million members.
    pub import_max_rows: usize,
    pub import_max_cells: usize,
    /// `tracing` filter, e.g. "info" or "xueshi=debug".
    pub log: String,
    /// "text" or "json".
    pub log_format: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://xueshi.db".into(),
            bind: "127.0.0.1:8080".into(),
            max_connections: 8,
            sqlite_cache_mb: 64,
            secret_key_file: "xueshi.key".into(),
            secret_key: None,
            node: 0,
            trusted_proxies: Vec::new(),
            secure_cookies: "auto".into(),
            login_per_minute: 10,
            problems_per_minute: 5,
            joins_per_minute: 600,
            idle_minutes: 30,
            admin_idle_minutes: 15,
            max_upload_mb: 32,
            import_max_rows: 5_000_000,
            import_max_cells: 64_000_000,
            log: "info".into(),
            log_format: "text".into(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("max_connections", &self.max_connections)
            .field("sqlite_cache_mb", &self.sqlite_cache_mb)
            .field("secret_key_file", &self.secret_key_file)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[redacted]"),
            )
            .field("node", &self.node)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("secure_cookies", &self.secure_cookies)
            .field("login_per_minute", &self.login_per_minute)
            .field("problems_per_minute", &self.problems_per_minute)
            .field("joins_per_minute", &self.joins_per_minute)
            .field("idle_minutes", &self.idle_minutes)
            .field("admin_idle_minutes", &self.admin_idle_minutes)
            .field("max_upload_mb", &self.max_upload_mb)
            .field("import_max_rows", &self.import_max_rows)
            .field("import_max_cells", &self.import_max_cells)
            .field("log", &self.log)
            .field("log_format", &self.log_format)
            .finish()
    }
}

/// Hides a password in a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:[redacted]{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Reads a TOML scalar written in an environment variable: numbers and
/// booleans as such, anything else as text.
fn env_value(raw: &str) -> toml::Value {
    raw.parse::<i64>()
        .map(toml::Value::Integer)
        .or_else(|_| raw.parse::<bool>().map(toml::Value::Boolean))
        .unwrap_or_else(|_| toml::Value::String(raw.to_owned()))
}

impl Config {
    /// Defaults, then `file` (when given, or `xueshi.toml` when present),
    /// then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let mut table = toml::Table::new();
        let default_file = Path::new("xueshi.toml");
        let path = file.or_else(|| default_file.exists().then_some(default_file));
        if let Some(p) = path {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            table = toml::from_str(&text).with_context(|| format!("parsing {}", p.display()))?;
        }
        for (k, v) in std::env::vars() {
            if let Some(key) = k.strip_prefix("XUESHI_") {
                let key = key.to_ascii_lowercase();
                if key == "config" || key.starts_with("test_") {
                    continue;
                }
                let value = if key == "trusted_proxies" {
                    toml::Value::Array(
                        v.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| toml::Value::String(s.to_owned()))
                            .collect(),
                    )
                } else if matches!(key.as_str(), "secret_key" | "database_url" | "bind" | "log") {
                    toml::Value::String(v)
                } else {
                    env_value(&v)
                };
                table.insert(key, value);
            }
        }
        if table.contains_key("trust_proxy") {
            bail!(
                "trust_proxy is replaced by trusted_proxies: list the addresses of your reverse proxies (e.g. [\"127.0.0.1\"])"
            );
        }
        let cfg: Config = toml::Value::Table(table)
            .try_into()
            .context("configuration")?;
        if !matches!(cfg.secure_cookies.as_str(), "auto" | "always" | "never") {
            bail!("secure_cookies must be auto, always or never");
        }
        cfg.trusted_proxies()?;
        Ok(cfg)
    }

    /// The installation secret: from the setting, from its file, or new
    /// (and then written to the file, readable by the owner only).
    pub fn secret(&self) -> Result<[u8; 32]> {
        let decode = |b64: &str| -> Result<[u8; 32]> {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .context("secret key is not base64")?;
            bytes
                .try_into()
                .map_err(|_| anyhow::anyhow!("secret key must be 32 bytes"))
        };
        if let Some(k) = &self.secret_key {
            return decode(k);
        }
        if self.secret_key_file.exists() {
            let text = std::fs::read_to_string(&self.secret_key_file)
                .with_context(|| format!("reading {}", self.secret_key_file.display()))?;
            return decode(&text);
        }
        let secret = xueshi_app::vault::new_secret();
        let text = base64::engine::general_purpose::STANDARD.encode(secret);
        write_private(&self.secret_key_file, &text)?;
        tracing::warn!(file = %self.secret_key_file.display(), "created a new installation secret; back it up apart from the database");
        Ok(secret)
    }

    /// The trusted proxies as networks; a bare address is a network of one.
    pub fn trusted_proxies(&self) -> Result<Vec<ipnet::IpNet>> {
        self.trusted_proxies
            .iter()
            .map(|s| {
                let s = s.trim();
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .with_context(|| format!("trusted_proxies: {s:?} is not an address or network"))
            })
            .collect()
    }

    pub fn secure_cookies(&self) -> Option<bool> {
        match self.secure_cookies.as_str() {
            "always" => Some(true),
            "never" => Some(false),
            _ => None,
        }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("creating {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_debug_output() {
        let c = Config {
            database_url: "postgres://app:s3cret@db/x".into(),
            secret_key: Some("abc".into()),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("abc\""));
        assert!(shown.contains("postgres://app:[redacted]@db/x"));
    }

    #[test]
    fn environment_values_take_their_types() {
        assert_eq!(env_value("42"), toml::Value::Integer(42));
        assert_eq!(env_value("true"), toml::Value::Boolean(true));
        assert_eq!(env_value("x"), toml::Value::String("x".into()));
    }
}
