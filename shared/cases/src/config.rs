//! Typed, layered configuration: `config/default.toml`, then `config/<FRT_ENV>.toml`, then
//! `FRT__SECTION__KEY` variables. Unknown keys are refused and every value is checked at start,
//! with a message per bad key. Secrets are wrapped so they never print.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: Server,
    pub portal: Listen,
    pub casework: Listen,
    pub exchange: Exchange,
    pub database: Database,
    pub auth: Auth,
    pub http: Http,
    pub uploads: Uploads,
    pub filing: Filing,
    pub complaints: Complaints,
    /// Spreadsheet uploads: what a workbook may be (bytes, rows, cells, inflated size).
    pub imports: frt_sheets::Limits,
    pub paths: Paths,
    pub log: Log,
    pub demo: Demo,
    pub mail: frt_mail::MailSettings,
    pub worker: Worker,
    pub qa: Qa,
    /// Folder the relative paths are resolved against (the project root); not a key.
    #[serde(skip)]
    pub root: PathBuf,
    /// The environment the settings were loaded for (`FRT_ENV`); not a key.
    #[serde(skip)]
    pub env: Environment,
}

/// What a deployment runs as (`FRT_ENV`): which overrides load (`config/<env>.toml`) and
/// whether test support may exist. Any other name refuses to start, so a misspelt
/// `production` is not taken for a test environment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Environment {
    /// A developer's machine (`frtctl up`).
    #[default]
    Local,
    /// The test suites.
    Test,
    /// A production-like stack QA runs the acceptance suite against.
    Staging,
    Production,
}

impl Environment {
    pub const ALL: [Self; 4] = [Self::Local, Self::Test, Self::Staging, Self::Production];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Test => "test",
            Self::Staging => "staging",
            Self::Production => "production",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == text.trim())
            .ok_or_else(|| {
                format!(
                    "FRT_ENV={text:?} is not an environment: name one of local, test, staging, production"
                )
            })
    }

    /// `FRT_ENV`, read once at start: the services refuse to start without it.
    pub fn of_process() -> Result<Self, String> {
        match std::env::var("FRT_ENV") {
            Ok(v) => Self::parse(&v),
            Err(_) => Err(
                "FRT_ENV is not set: name the environment (local, test, staging or production)"
                    .to_owned(),
            ),
        }
    }

    /// `FRT_ENV`, or `local` when it is unset (frtctl, a developer's tool); a name that is not
    /// an environment is refused all the same.
    pub fn of_process_or_local() -> Result<Self, String> {
        match std::env::var("FRT_ENV") {
            Ok(v) => Self::parse(&v),
            Err(_) => Ok(Self::Local),
        }
    }

    /// Whether acceptance tests may reach behind the API here (the test-support API, test
    /// clocks, given draw seeds), once a QA token is configured: never in production.
    pub fn allows_test_support(self) -> bool {
        self != Self::Production
    }
}

/// What every service's HTTP side shares.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Addresses and CIDR blocks of the gateways and load balancers in front of the services
    /// (e.g. `["10.0.0.0/8", "192.0.2.7"]`). Only a request arriving from one of them has its
    /// `Forwarded` or `X-Forwarded-For` header believed; every throttle and limit, and the
    /// audit trail, then key by the client's address that header gives. Empty: the peer's
    /// address is the client's.
    pub trusted_proxies: Vec<String>,
}

impl Server {
    /// The trusted proxies as networks (a bare address is a network of one).
    pub fn trusted_networks(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.trusted_proxies
            .iter()
            .map(|text| {
                let t = text.trim();
                t.parse::<ipnet::IpNet>()
                    .or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!("server.trusted_proxies: {t:?} is not an address or CIDR block")
                    })
            })
            .collect()
    }
}

/// The exchange service for other agencies' systems: where it listens, whether it serves TLS
/// itself, and how many requests one client may make per minute.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    pub host: String,
    pub port: u16,
    /// Requests one client may make per minute.
    pub requests_per_minute: u32,
    /// Refused requests (no or a wrong signature, an unknown key, a replay) from one address
    /// per minute before that address waits.
    pub refused_per_minute: u32,
    /// PEM certificate chain and private key; both empty, the service speaks plain HTTP behind
    /// a reverse proxy that terminates TLS.
    #[serde(default)]
    pub tls_cert: PathBuf,
    #[serde(default)]
    pub tls_key: PathBuf,
}

impl Exchange {
    pub fn listen(&self) -> Listen {
        Listen {
            host: self.host.clone(),
            port: self.port,
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
        }
    }
}

/// Acceptance testing against a deployment: the token of the test-support API. Empty, the API
/// is absent; in production it is absent whatever the token (and the test clock with it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qa {
    pub token: SecretString,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listen {
    pub host: String,
    pub port: u16,
    /// PEM certificate chain and private key to serve TLS (rustls) directly; both empty (the
    /// default), plain HTTP for a reverse proxy in front.
    #[serde(default)]
    pub tls_cert: PathBuf,
    #[serde(default)]
    pub tls_key: PathBuf,
}

impl Listen {
    /// The certificate and key files, when TLS is configured.
    pub fn tls(&self) -> Option<(&Path, &Path)> {
        (!self.tls_cert.as_os_str().is_empty()).then_some((&self.tls_cert, &self.tls_key))
    }

    fn problems(&self, section: &str) -> Option<String> {
        (self.tls_cert.as_os_str().is_empty() != self.tls_key.as_os_str().is_empty()).then(|| {
            format!("{section}.tls_cert and {section}.tls_key must be set together, or neither")
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub url: SecretString,
    pub pool_size: usize,
    pub checkout_timeout_ms: u64,
    pub connect_timeout_ms: u64,
    pub statement_timeout_ms: u64,
    /// Batch work (imports, exports): the bound on its transaction and each statement.
    pub batch_timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    pub token_ttl_minutes: i64,
    /// Failed logins on one account from one address, within `lockout_minutes`, after which
    /// that address waits `lockout_minutes` before trying that account again.
    pub max_failed_logins: i32,
    pub lockout_minutes: i64,
    /// Failed logins on one account from every address, within `lockout_minutes`, at which
    /// the account's owner is told by mail.
    pub account_alert_failures: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http {
    pub json_limit_bytes: usize,
    pub workers: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uploads {
    pub max_bytes: u64,
    pub blob_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filing {
    pub statutory_working_days: i64,
    /// The regulator's own review time limit, paused while the processor corrects.
    pub review_working_days: i64,
    /// The processor's time limit to correct a returned filing.
    pub correction_working_days: i64,
    /// Whether a reviewer's decision needs a supervisor's sign-off before it takes effect.
    pub sign_off_required: bool,
}

/// Complaints and reports (Art. 17): time limits, repeats, replies, the public intake's limits
/// and the key that seals complainants' personal data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complaints {
    /// Working days from receipt to decide acceptance (受理).
    pub acceptance_working_days: i64,
    /// Working days from receipt to reply to the complainant (答复).
    pub reply_working_days: i64,
    /// A complaint about the same processor from the same contact within this many days is
    /// linked to the first (合并), not counted twice.
    pub duplicate_window_days: i64,
    /// Whether a supervisor approves each reply before it is sent.
    pub reply_approval_required: bool,
    /// Complaints accepted from one address per hour at the public intake.
    pub intake_per_hour: u32,
    /// Wrong access codes for one receipt within `lookup_window_minutes` before it waits.
    pub max_failed_lookups: i32,
    /// Wrong access codes from one address within `lookup_window_minutes` before it waits.
    pub max_failed_lookups_per_address: i32,
    pub lookup_window_minutes: i64,
    /// 64 hexadecimal digits: the key sealing complainants' personal data at rest. Empty
    /// outside production: the development key. Required in production.
    pub data_key: SecretString,
    /// Stored beside each sealed value, so keys can be rotated.
    pub data_key_id: String,
}

/// The key used outside production when none is configured. Never valid in production.
pub const DEVELOPMENT_DATA_KEY: &str =
    "6465762d6f6e6c792d6b65792d666f722d636f6d706c61696e74732d64617461";

impl Complaints {
    /// The configured data key, or the development key outside production.
    pub fn key_hex(&self) -> &str {
        let k = self.data_key.expose_secret();
        if k.is_empty() {
            DEVELOPMENT_DATA_KEY
        } else {
            k
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paths {
    pub casbin_dir: PathBuf,
    pub calendars_dir: PathBuf,
    pub regions_file: PathBuf,
    /// Files made on the way (exports before they are sent); the worker removes what a
    /// stopped process left.
    pub work_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    pub level: String,
    pub json: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demo {
    pub enabled: bool,
}

/// The background worker: the outbox and the daily deadline sweep.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Worker {
    /// How often an idle worker looks for messages to send.
    pub poll_interval_ms: u64,
    /// Messages claimed at once.
    pub batch_size: i64,
    /// Attempts per message before it is marked failed.
    pub max_attempts: i32,
    /// Wait after the first failed attempt; it doubles after each, up to `backoff_max_ms`.
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// How long a worker may hold a message it is sending before it counts as uncertain.
    pub lease_ms: i64,
    /// Time of the daily deadline sweep in China (UTC+8), "HH:MM".
    pub sweep_at: String,
    /// Reminders this many working days before a deadline.
    pub reminder_working_days: Vec<i64>,
}

impl Worker {
    /// The sweep time, once validated.
    pub fn sweep_time(&self) -> Option<chrono::NaiveTime> {
        chrono::NaiveTime::parse_from_str(&self.sweep_at, "%H:%M").ok()
    }
}

impl Settings {
    /// Loads settings from `config_dir` (usually `<root>/config`) for `env`, and `FRT__…`
    /// variables.
    pub fn load(config_dir: &Path, env: Environment) -> anyhow::Result<Self> {
        Self::load_with(config_dir, env.as_str(), std::env::vars())
    }

    /// Loads settings as a service does: `FRT_ENV` must name the environment.
    pub fn load_for_service(config_dir: &Path) -> anyhow::Result<Self> {
        let env = Environment::of_process().map_err(anyhow::Error::msg)?;
        Self::load(config_dir, env)
    }

    /// As `load`, with the environment given explicitly (tests).
    pub fn load_with(
        config_dir: &Path,
        env_name: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let env = Environment::parse(env_name).map_err(anyhow::Error::msg)?;
        let env_name = env.as_str();
        let vars: std::collections::HashMap<String, String> = vars
            .into_iter()
            .filter(|(k, _)| k.starts_with("FRT__") || k == "DATABASE_URL")
            .collect();
        let database_url = vars.get("DATABASE_URL").cloned();
        let builder = config::Config::builder()
            .add_source(config::File::from(config_dir.join("default.toml")).required(true))
            .add_source(
                config::File::from(config_dir.join(format!("{env_name}.toml"))).required(false),
            )
            .add_source(
                config::Environment::with_prefix("FRT")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    // Lists from variables are comma-separated (`FRT__SERVER__TRUSTED_PROXIES=10.0.0.0/8,192.0.2.7`).
                    .list_separator(",")
                    .with_list_parse_key("server.trusted_proxies")
                    .with_list_parse_key("worker.reminder_working_days")
                    .source(Some(
                        vars.into_iter()
                            .filter(|(k, _)| k.starts_with("FRT__"))
                            .collect(),
                    )),
            );
        let raw = builder
            .build()
            .map_err(|e| anyhow::anyhow!("configuration cannot be read: {e}"))?;
        let mut settings: Settings = raw
            .try_deserialize()
            .map_err(|e| anyhow::anyhow!("configuration is invalid: {e}"))?;
        if settings.database.url.expose_secret().is_empty() {
            if let Some(url) = database_url {
                settings.database.url = SecretString::from(url);
            }
        }
        settings.root = config_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        settings.env = env;
        if env == Environment::Production && settings.demo.enabled {
            anyhow::bail!("configuration is invalid: demo.enabled must be false in production");
        }
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let mut problems = Vec::new();
        if self.database.pool_size == 0 || self.database.pool_size > 32 {
            problems.push("database.pool_size must be between 1 and 32".to_owned());
        }
        for (key, v) in [
            (
                "database.checkout_timeout_ms",
                self.database.checkout_timeout_ms,
            ),
            (
                "database.connect_timeout_ms",
                self.database.connect_timeout_ms,
            ),
            (
                "database.statement_timeout_ms",
                self.database.statement_timeout_ms,
            ),
        ] {
            if !(50..=600_000).contains(&v) {
                problems.push(format!("{key} must be between 50 and 600000 milliseconds"));
            }
        }
        if !(1_000..=86_400_000).contains(&self.database.batch_timeout_ms) {
            problems.push(
                "database.batch_timeout_ms must be between 1000 and 86400000 milliseconds".into(),
            );
        }
        if self.auth.token_ttl_minutes < 1 {
            problems.push("auth.token_ttl_minutes must be at least 1".into());
        }
        if self.auth.account_alert_failures < 1 {
            problems.push("auth.account_alert_failures must be at least 1".into());
        }
        if self.auth.max_failed_logins < 1 {
            problems.push("auth.max_failed_logins must be at least 1".into());
        }
        if self.uploads.max_bytes < 1024 {
            problems.push("uploads.max_bytes must be at least 1024".into());
        }
        for (key, v) in [
            (
                "filing.statutory_working_days",
                self.filing.statutory_working_days,
            ),
            (
                "filing.review_working_days",
                self.filing.review_working_days,
            ),
            (
                "filing.correction_working_days",
                self.filing.correction_working_days,
            ),
        ] {
            if !(1..=3650).contains(&v) {
                problems.push(format!("{key} must be between 1 and 3650"));
            }
        }
        let c = &self.complaints;
        for (key, v) in [
            (
                "complaints.acceptance_working_days",
                c.acceptance_working_days,
            ),
            ("complaints.reply_working_days", c.reply_working_days),
            ("complaints.duplicate_window_days", c.duplicate_window_days),
            ("complaints.lookup_window_minutes", c.lookup_window_minutes),
        ] {
            if !(1..=3650).contains(&v) {
                problems.push(format!("{key} must be between 1 and 3650"));
            }
        }
        if c.intake_per_hour < 1 || c.max_failed_lookups < 1 || c.max_failed_lookups_per_address < 1
        {
            problems.push(
                "complaints.intake_per_hour, max_failed_lookups and max_failed_lookups_per_address must be at least 1"
                    .into(),
            );
        }
        if frt_access::sealing::DataKey::from_hex(&c.data_key_id, c.key_hex()).is_err() {
            problems.push("complaints.data_key must be 64 hexadecimal digits".into());
        }
        if self.env == Environment::Production && c.key_hex() == DEVELOPMENT_DATA_KEY {
            problems.push(
                "complaints.data_key must be set in production (FRT__COMPLAINTS__DATA_KEY), and not to the development key"
                    .into(),
            );
        }
        if c.data_key_id.trim().is_empty() || c.data_key_id.len() > 40 {
            problems.push("complaints.data_key_id must be 1 to 40 characters".into());
        }
        if self.http.json_limit_bytes < 1024 {
            problems.push("http.json_limit_bytes must be at least 1024".into());
        }
        if self.exchange.requests_per_minute < 1 || self.exchange.refused_per_minute < 1 {
            problems.push(
                "exchange.requests_per_minute and exchange.refused_per_minute must be at least 1"
                    .into(),
            );
        }
        if let Err(p) = self.server.trusted_networks() {
            problems.push(p);
        }
        problems.extend(self.mail.problems());
        problems.extend(self.portal.problems("portal"));
        problems.extend(self.casework.problems("casework"));
        problems.extend(self.exchange.listen().problems("exchange"));
        let w = &self.worker;
        if !(10..=60_000).contains(&w.poll_interval_ms) {
            problems.push("worker.poll_interval_ms must be between 10 and 60000".into());
        }
        if !(1..=500).contains(&w.batch_size) {
            problems.push("worker.batch_size must be between 1 and 500".into());
        }
        if !(1..=100).contains(&w.max_attempts) {
            problems.push("worker.max_attempts must be between 1 and 100".into());
        }
        if w.backoff_base_ms < 10 || w.backoff_max_ms < w.backoff_base_ms {
            problems.push(
                "worker.backoff_base_ms must be at least 10 and worker.backoff_max_ms at least that"
                    .into(),
            );
        }
        if w.lease_ms < 2 * i64::try_from(self.mail.smtp_timeout_ms).unwrap_or(i64::MAX) {
            problems.push("worker.lease_ms must be at least twice mail.smtp_timeout_ms".into());
        }
        if w.sweep_time().is_none() {
            problems.push(format!(
                "worker.sweep_at must be a time like \"01:30\", not {:?}",
                w.sweep_at
            ));
        }
        if w.reminder_working_days
            .iter()
            .any(|d| !(1..=60).contains(d))
        {
            problems.push("worker.reminder_working_days must each be between 1 and 60".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            anyhow::bail!("configuration is invalid:\n  - {}", problems.join("\n  - "))
        }
    }

    pub fn is_production(&self) -> bool {
        self.env == Environment::Production
    }

    /// The QA token when the test-support API, test clocks and given draw seeds may exist: in
    /// an environment that allows test support, with a token configured.
    pub fn qa_token(&self) -> Option<&str> {
        let token = self.qa.token.expose_secret();
        (self.env.allows_test_support() && !token.is_empty()).then_some(token)
    }

    /// Resolves a configured path against the project root.
    pub fn path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.root.join(p)
        }
    }

    pub fn db_settings(&self) -> frt_store::DbSettings {
        frt_store::DbSettings {
            url: self.database.url.expose_secret().to_owned(),
            pool_size: self.database.pool_size,
            checkout_timeout: Duration::from_millis(self.database.checkout_timeout_ms),
            connect_timeout: Duration::from_millis(self.database.connect_timeout_ms),
            statement_timeout: Duration::from_millis(self.database.statement_timeout_ms),
            batch_timeout: Duration::from_millis(self.database.batch_timeout_ms),
        }
    }
}

/// Whether a secret setting is empty (unset).
pub fn secret_is_empty(secret: &SecretString) -> bool {
    secret.expose_secret().is_empty()
}

/// The configuration folder: `FRT_CONFIG_DIR`, else `./config`.
pub fn default_config_dir() -> PathBuf {
    std::env::var("FRT_CONFIG_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("config"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config")
    }

    #[test]
    fn defaults_load() {
        let s = Settings::load_with(&dir(), "local", Vec::new()).expect("defaults");
        assert_eq!(s.portal.port, 8081);
        assert_eq!(s.casework.port, 8082);
        assert_eq!(s.uploads.max_bytes, 20 * 1024 * 1024);
    }

    #[test]
    fn only_named_environments_start_and_only_they_allow_test_support() {
        let token = ("FRT__QA__TOKEN".to_owned(), "qa".to_owned());
        let e = Settings::load_with(&dir(), "prodution", vec![token.clone()])
            .expect_err("a misspelt environment");
        assert!(e.to_string().contains("is not an environment"), "{e}");
        assert!(Settings::load_with(&dir(), "", vec![]).is_err());
        let relay = (
            "FRT__MAIL__SMTP_HOST".to_owned(),
            "relay.example".to_owned(),
        );
        for env in ["local", "test", "staging"] {
            let s =
                Settings::load_with(&dir(), env, vec![token.clone(), relay.clone()]).expect(env);
            assert_eq!(s.qa_token(), Some("qa"), "{env}");
        }
        assert_eq!(
            Environment::parse("production"),
            Ok(Environment::Production)
        );
        assert!(!Environment::Production.allows_test_support());
    }

    #[test]
    fn production_needs_its_own_data_key_and_never_prints_it() {
        let smtp = ("FRT__MAIL__SMTP_HOST".to_owned(), "relay".to_owned());
        let err = Settings::load_with(&dir(), "production", vec![smtp.clone()])
            .expect_err("no key in production");
        assert!(err
            .to_string()
            .contains("complaints.data_key must be set in production"));
        let dev = (
            "FRT__COMPLAINTS__DATA_KEY".to_owned(),
            DEVELOPMENT_DATA_KEY.to_owned(),
        );
        assert!(Settings::load_with(&dir(), "production", vec![smtp.clone(), dev]).is_err());
        let bad = ("FRT__COMPLAINTS__DATA_KEY".to_owned(), "abc".to_owned());
        assert!(Settings::load_with(&dir(), "local", vec![bad]).is_err());
        let key = ("FRT__COMPLAINTS__DATA_KEY".to_owned(), "5a".repeat(32));
        let s = Settings::load_with(&dir(), "production", vec![smtp, key]).expect("a key");
        assert!(!format!("{s:?}").contains(&"5a".repeat(32)));
        let local = Settings::load_with(&dir(), "local", Vec::new()).expect("defaults");
        assert_eq!(local.complaints.key_hex(), DEVELOPMENT_DATA_KEY);
    }

    #[test]
    fn variables_override_and_database_url_is_secret() {
        let s = Settings::load_with(
            &dir(),
            "local",
            vec![
                ("FRT__DATABASE__POOL_SIZE".into(), "3".into()),
                ("DATABASE_URL".into(), "postgres://u:secretpw@h/db".into()),
            ],
        )
        .expect("loads");
        assert_eq!(s.database.pool_size, 3);
        assert!(!format!("{s:?}").contains("secretpw"));
    }

    #[test]
    fn bad_values_are_named() {
        let err = Settings::load_with(
            &dir(),
            "local",
            vec![("FRT__DATABASE__POOL_SIZE".into(), "0".into())],
        )
        .expect_err("refused");
        assert!(err.to_string().contains("database.pool_size"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = Settings::load_with(
            &dir(),
            "local",
            vec![("FRT__DATABASE__POOLSIZE".into(), "3".into())],
        )
        .expect_err("refused");
        assert!(err.to_string().contains("poolsize"), "{err}");
    }
}
