//! Typed, layered configuration: `config/default.toml`, then `config/<FRT_ENV>.toml`, then
//! `FRT__SECTION__KEY` variables. Unknown keys are refused and every value is checked at start,
//! with a message per bad key. Secrets are wrapped so they never print.

mod environment;
mod sections;

pub use environment::Environment;
pub use sections::*;

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
    pub console: Console,
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
    pub metrics: Metrics,
    pub crypto: Crypto,
    pub audit: Audit,
    /// Folder the relative paths are resolved against (the project root); not a key.
    #[serde(skip)]
    pub root: PathBuf,
    /// The environment the settings were loaded for (`FRT_ENV`); not a key.
    #[serde(skip)]
    pub env: Environment,
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
                    .with_list_parse_key("filing.sign_off_provinces")
                    .with_list_parse_key("auth.second_factor")
                    .with_list_parse_key("audit.witnesses")
                    .with_list_parse_key("audit.verify_keys")
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
        if !matches!(self.crypto.suite.as_str(), "international" | "sm") {
            problems.push(format!(
                "crypto.suite must be \"international\" or \"sm\", not {:?}",
                self.crypto.suite
            ));
        }
        if self.audit.checkpoint_minutes < 0 {
            problems.push("audit.checkpoint_minutes must be 0 or more".to_owned());
        }
        if !self.audit.witnesses.is_empty() && self.audit.sender_agency.trim().is_empty() {
            problems.push(
                "audit.witnesses is set but audit.sender_agency is not: name the agency the \
                 checkpoints are sent as"
                    .to_owned(),
            );
        }
        for r in &self.auth.second_factor {
            if r.parse::<frt_access::Role>().is_err() {
                problems.push(format!("auth.second_factor: {r:?} is not a role"));
            }
        }
        if self.env == Environment::Production {
            for needed in ["admin", "supervisor"] {
                if !self.auth.second_factor.iter().any(|r| r == needed) {
                    problems.push(format!(
                        "auth.second_factor must name {needed:?} in production: administrators \
                         and supervisors log in with a second factor (MLPS level 3)"
                    ));
                }
            }
        }
        for p in &self.filing.sign_off_provinces {
            let province_level =
                p.len() == 6 && p.ends_with("0000") && p.bytes().all(|b| b.is_ascii_digit());
            if !province_level {
                problems.push(format!(
                    "filing.sign_off_provinces: {p:?} is not a province's code (e.g. \"320000\")"
                ));
            }
        }
        match self.uploads.store.as_str() {
            "local" => {}
            "s3" if self.uploads.s3_bucket.trim().is_empty() => {
                problems.push("uploads.store = \"s3\" needs uploads.s3_bucket".to_owned())
            }
            "s3" => {}
            other => problems.push(format!(
                "uploads.store must be \"local\" or \"s3\", not {other:?}"
            )),
        }
        if self.database.pooler == "transaction"
            && self.database.owner_url.expose_secret().is_empty()
        {
            problems.push(
                "database.pooler = \"transaction\" needs database.owner_url: migrations and frtctl's tools reach PostgreSQL directly"
                    .to_owned(),
            );
        }
        if !matches!(self.database.pooler.as_str(), "" | "transaction") {
            problems.push(format!(
                "database.pooler must be \"\" or \"transaction\", not {:?}",
                self.database.pooler
            ));
        }
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
        if !(5..=1_440).contains(&self.auth.reset_minutes) {
            problems.push("auth.reset_minutes must be between 5 and 1440".to_owned());
        }
        if !(1..=720).contains(&self.auth.confirm_hours) {
            problems.push("auth.confirm_hours must be between 1 and 720".to_owned());
        }
        if self.auth.registrations_per_hour < 1 {
            problems.push("auth.registrations_per_hour must be at least 1".to_owned());
        }
        let c = &self.console;
        if !(1..=1_440).contains(&c.idle_minutes) {
            problems.push("console.idle_minutes must be between 1 and 1440".to_owned());
        }
        if !(c.idle_minutes..=10_080).contains(&c.absolute_minutes) {
            problems.push(
                "console.absolute_minutes must be between console.idle_minutes and 10080"
                    .to_owned(),
            );
        }
        if !(0..=30).contains(&c.warn_working_days) {
            problems.push("console.warn_working_days must be between 0 and 30".to_owned());
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

    /// The portal's address as people reach it, for links in mail (`portal.public_url`).
    pub fn portal_url(&self) -> String {
        let p = &self.portal;
        if p.public_url.trim().is_empty() {
            format!("http://{}:{}", p.host, p.port)
        } else {
            p.public_url.trim().trim_end_matches('/').to_owned()
        }
    }

    pub fn is_production(&self) -> bool {
        self.env == Environment::Production
    }

    /// The QA token when the test-support API, test clocks and given draw seeds may exist: in
    /// an environment that allows test support, with a token configured.
    /// The token a scraper sends for `GET /metrics`; without one configured, no metrics are
    /// served.
    pub fn metrics_token(&self) -> Option<&str> {
        let token = self.metrics.token.expose_secret();
        (!token.is_empty()).then_some(token)
    }

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

    /// The services' database: `database.url`.
    pub fn db_settings(&self) -> frt_store::DbSettings {
        frt_store::DbSettings {
            url: self.database.url.expose_secret().to_owned(),
            read_url: self.database.read_url.expose_secret().to_owned(),
            pooler: match self.database.pooler.as_str() {
                "transaction" => frt_store::Pooler::Transaction,
                _ => frt_store::Pooler::None,
            },
            pool_size: self.database.pool_size,
            checkout_timeout: Duration::from_millis(self.database.checkout_timeout_ms),
            connect_timeout: Duration::from_millis(self.database.connect_timeout_ms),
            statement_timeout: Duration::from_millis(self.database.statement_timeout_ms),
            batch_timeout: Duration::from_millis(self.database.batch_timeout_ms),
        }
    }
}

impl Settings {
    /// The owner's database, for migrations and bulk loads: `database.owner_url`, or
    /// `database.url` when that is empty.
    pub fn owner_db_settings(&self) -> frt_store::DbSettings {
        let mut s = self.db_settings();
        let owner = self.database.owner_url.expose_secret();
        if !owner.is_empty() {
            owner.clone_into(&mut s.url);
        }
        // The owner's tools (migrations, loads, backups) reach the primary itself: they hold
        // session locks and settings a pooler in transaction mode would not keep.
        s.read_url.clear();
        if !owner.is_empty() {
            s.pooler = frt_store::Pooler::None;
        }
        s
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
    fn the_crypto_suite_is_international_by_default_or_sm_and_nothing_else() {
        let with = |v: &str| {
            Settings::load_with(
                &dir(),
                "local",
                vec![("FRT__CRYPTO__SUITE".to_owned(), v.to_owned())],
            )
        };
        let none = Settings::load_with(&dir(), "local", Vec::new()).expect("defaults");
        assert_eq!(none.crypto.suite, "international");
        assert_eq!(with("sm").expect("sm").crypto.suite, "sm");
        let e = with("gm").expect_err("an unknown suite");
        assert!(e.to_string().contains("crypto.suite"), "{e}");
    }

    #[test]
    fn sign_off_provinces_come_as_one_code_or_several_and_must_be_provinces() {
        let with = |v: &str| {
            Settings::load_with(
                &dir(),
                "local",
                vec![("FRT__FILING__SIGN_OFF_PROVINCES".to_owned(), v.to_owned())],
            )
        };
        let one = with("320000").expect("one code");
        assert_eq!(one.filing.sign_off_provinces, ["320000"]);
        assert!(one.filing.sign_off_in("320000"));
        assert!(!one.filing.sign_off_in("310000"));
        let two = with("320000,110000").expect("two codes");
        assert_eq!(two.filing.sign_off_provinces, ["320000", "110000"]);
        let none = Settings::load_with(&dir(), "local", Vec::new()).expect("defaults");
        assert!(!none.filing.sign_off_in("320000"));
        let e = with("320100").expect_err("a city is not a province");
        assert!(e.to_string().contains("sign_off_provinces"), "{e}");
        let staging = Settings::load_with(
            &dir(),
            "staging",
            vec![("FRT__MAIL__SMTP_HOST".to_owned(), "relay".to_owned())],
        )
        .expect("staging");
        assert!(
            staging.filing.sign_off_in("320000"),
            "QA's sign-off province"
        );
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
    fn production_refuses_a_second_factor_list_without_admins_and_supervisors() {
        let base = vec![
            ("FRT__MAIL__SMTP_HOST".to_owned(), "relay".to_owned()),
            ("FRT__COMPLAINTS__DATA_KEY".to_owned(), "5a".repeat(32)),
        ];
        let with = |roles: &str| {
            let mut vars = base.clone();
            vars.push(("FRT__AUTH__SECOND_FACTOR".to_owned(), roles.to_owned()));
            Settings::load_with(&dir(), "production", vars)
        };
        let shipped = Settings::load_with(&dir(), "production", base.clone()).expect("shipped");
        assert_eq!(shipped.auth.second_factor, ["admin", "supervisor"]);
        let err = with("admin").expect_err("supervisors dropped");
        assert!(
            err.to_string()
                .contains("auth.second_factor must name \"supervisor\" in production"),
            "{err}"
        );
        assert!(with("admin,supervisor,reviewer").is_ok());
        let err = with("admin,supervisor,boss").expect_err("not a role");
        assert!(err.to_string().contains("\"boss\" is not a role"), "{err}");
        // Elsewhere the list may be empty (the default).
        let local = Settings::load_with(&dir(), "local", Vec::new()).expect("defaults");
        assert!(local.auth.second_factor.is_empty());
    }

    #[test]
    fn a_pooler_needs_the_owners_direct_url_and_the_tools_never_use_the_pooler() {
        let pooled = |owner: &str| {
            let mut vars: Vec<(String, String)> = vec![
                (
                    "FRT__DATABASE__URL".into(),
                    "postgres://app:pw@bouncer:6432/frt".into(),
                ),
                ("FRT__DATABASE__POOLER".into(), "transaction".into()),
                (
                    "FRT__DATABASE__READ_URL".into(),
                    "postgres://app:pw@replica:5432/frt".into(),
                ),
            ];
            if !owner.is_empty() {
                vars.push(("FRT__DATABASE__OWNER_URL".into(), owner.into()));
            }
            Settings::load_with(&dir(), "local", vars)
        };
        let err = pooled("").expect_err("a pooler without the owner's URL");
        assert!(err.to_string().contains("database.owner_url"), "{err}");
        let s = pooled("postgres://frt:pw@primary:5432/frt").expect("loads");
        assert_eq!(s.db_settings().pooler, frt_store::Pooler::Transaction);
        assert!(s.db_settings().read_url.contains("replica"));
        let owner = s.owner_db_settings();
        assert_eq!(owner.pooler, frt_store::Pooler::None);
        assert!(owner.url.contains("primary") && owner.read_url.is_empty());
        let err = Settings::load_with(
            &dir(),
            "local",
            vec![("FRT__DATABASE__POOLER".into(), "session".into())],
        )
        .expect_err("an unknown pooler mode");
        assert!(err.to_string().contains("database.pooler"), "{err}");
    }

    #[test]
    fn an_object_store_needs_its_bucket() {
        let err = Settings::load_with(
            &dir(),
            "local",
            vec![("FRT__UPLOADS__STORE".into(), "s3".into())],
        )
        .expect_err("no bucket");
        assert!(err.to_string().contains("uploads.s3_bucket"), "{err}");
        let err = Settings::load_with(
            &dir(),
            "local",
            vec![("FRT__UPLOADS__STORE".into(), "ftp".into())],
        )
        .expect_err("no such store");
        assert!(err.to_string().contains("uploads.store"), "{err}");
        let s = Settings::load_with(
            &dir(),
            "local",
            vec![
                ("FRT__UPLOADS__STORE".into(), "s3".into()),
                ("FRT__UPLOADS__S3_BUCKET".into(), "frt".into()),
                (
                    "FRT__UPLOADS__S3_SECRET_ACCESS_KEY".into(),
                    "hush-hush".into(),
                ),
            ],
        )
        .expect("loads");
        assert_eq!(s.uploads.s3().map(|s3| s3.bucket), Some("frt".to_owned()));
        assert!(!format!("{s:?}").contains("hush-hush"));
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
