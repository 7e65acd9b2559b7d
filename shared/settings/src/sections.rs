//! The sections of the settings, one struct each, as `config/default.toml` lays them out.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::path::{Path, PathBuf};

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
            public_url: String::new(),
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

/// The Prometheus metrics of every service: `GET /metrics` answers only with `Authorization:
/// Bearer <token>` (404 otherwise, and always while the token is empty).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    pub token: SecretString,
}

/// The cryptographic suite new hashes, seals and signatures use: `international` (SHA-256,
/// HMAC-SHA256, AES-256-GCM) or `sm` (SM3, HMAC-SM3, SM4-GCM, SM2; `frt_access::suite`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crypto {
    pub suite: String,
}

/// Audit checkpoints witnessed by other agencies (`frt_cases::checkpoints`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    /// A checkpoint at most this often (and after each day's end), once the chain moved.
    pub checkpoint_minutes: i64,
    /// The agency the checkpoints are sent as (its name or id). Empty: none are sent.
    pub sender_agency: String,
    /// The agencies that keep them (names or ids). Empty: none are sent.
    pub witnesses: Vec<String>,
    /// The id of the signing key, stored with each checkpoint.
    pub key_id: String,
    /// The platform's SM2 secret key, 64 hexadecimal digits; or `signing_key_file`.
    pub signing_key: SecretString,
    pub signing_key_file: String,
    /// The public keys that verify checkpoints, `<key id>:<hex SEC1 point>`; keep an old one
    /// after a rotation for the checkpoints it signed.
    pub verify_keys: Vec<String>,
}

impl Audit {
    /// The configured secret key's text (empty when unset).
    pub fn signing_key_hex(&self) -> &str {
        self.signing_key.expose_secret()
    }
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
    /// The address people reach the service at (e.g. `https://frt.example.gov.cn`), for links
    /// in mail sent outside a request to it; empty: `http://host:port`.
    #[serde(default)]
    pub public_url: String,
}

impl Listen {
    /// The certificate and key files, when TLS is configured.
    pub fn tls(&self) -> Option<(&Path, &Path)> {
        (!self.tls_cert.as_os_str().is_empty()).then_some((&self.tls_cert, &self.tls_key))
    }

    pub(crate) fn problems(&self, section: &str) -> Option<String> {
        (self.tls_cert.as_os_str().is_empty() != self.tls_key.as_os_str().is_empty()).then(|| {
            format!("{section}.tls_cert and {section}.tls_key must be set together, or neither")
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// What the services log in with: the application role in production.
    pub url: SecretString,
    /// What `frtctl migrate` and `frtctl seed` log in with: the tables' owner. Empty: `url`.
    pub owner_url: SecretString,
    /// The application role `frtctl migrate` grants the services' privileges to after
    /// migrating (`frt_grant_application_role`). Empty: none is granted.
    pub app_role: String,
    /// A streaming replica for the reads that may lag (exports, statistics, the registry, list
    /// pages). Empty: every read goes to `url`.
    pub read_url: SecretString,
    /// `""` when `url` reaches PostgreSQL itself (or a pooler in session mode);
    /// `"transaction"` when it reaches a pooler in transaction mode (PgBouncer).
    pub pooler: String,
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
    /// How long a mailed password reset link works.
    pub reset_minutes: i64,
    /// How long the link confirming a registration's address works.
    pub confirm_hours: i64,
    /// Registrations accepted from one address per hour (429 beyond).
    pub registrations_per_hour: u32,
    /// The roles whose accounts log in with a second factor (TOTP) after the password; in
    /// production at least `admin` and `supervisor`.
    pub second_factor: Vec<String>,
}

/// The web console's browser sessions and pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Console {
    /// A browser session ends after this many minutes without a request.
    pub idle_minutes: i64,
    /// A browser session ends this many minutes after login, however busy.
    pub absolute_minutes: i64,
    /// Time limits this close (in working days) are marked as near on lists.
    pub warn_working_days: i64,
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
    /// The local blob store; beside an object store, where uploads are staged on their way.
    pub blob_dir: PathBuf,
    /// `"local"` (the folder `blob_dir`) or `"s3"` (an S3-compatible object store, shared by
    /// every instance).
    pub store: String,
    pub s3_bucket: String,
    /// The S3-compatible service's address; empty for AWS itself.
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: SecretString,
    /// Whether the endpoint may be plain `http://` (a private network, a test server).
    pub s3_allow_http: bool,
}

impl Uploads {
    /// The object store's settings, when `store = "s3"`.
    pub fn s3(&self) -> Option<frt_store::blob::S3Settings> {
        (self.store == "s3").then(|| frt_store::blob::S3Settings {
            bucket: self.s3_bucket.clone(),
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            access_key_id: self.s3_access_key_id.clone(),
            secret_access_key: self.s3_secret_access_key.expose_secret().to_owned(),
            allow_http: self.s3_allow_http,
        })
    }
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
    /// Provinces whose offices have their reviewers' decisions signed off even where
    /// `sign_off_required` is false (GB/T 2260 codes, e.g. "320000").
    #[serde(default, deserialize_with = "codes")]
    pub sign_off_provinces: Vec<String>,
}

/// Codes as the configuration gives them: a list, or from a variable one code (which the
/// environment source reads as a number) or several separated by commas.
fn codes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Code {
        Text(String),
        Number(u64),
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        List(Vec<Code>),
        One(Code),
    }
    let text = |c: Code| match c {
        Code::Text(t) => t,
        Code::Number(n) => n.to_string(),
    };
    Ok(match Given::deserialize(d)? {
        Given::List(list) => list.into_iter().map(text).collect(),
        Given::One(one) => text(one)
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
    })
}

impl Filing {
    /// Whether a reviewer's decision on a filing of `province` waits for a supervisor.
    pub fn sign_off_in(&self, province: &str) -> bool {
        self.sign_off_required || self.sign_off_provinces.iter().any(|p| p == province)
    }
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
    /// A day's sweep claimed this long ago and not finished is taken over by another worker
    /// (its worker stopped; running a sweep again, or beside another, does nothing twice).
    pub sweep_takeover_ms: i64,
    /// Reminders this many working days before a deadline.
    pub reminder_working_days: Vec<i64>,
    /// Where the worker answers `/healthz` and `/metrics` ("host:port"; port 0 takes a free
    /// one).
    pub listen: String,
}

impl Worker {
    /// The sweep time, once validated.
    pub fn sweep_time(&self) -> Option<chrono::NaiveTime> {
        chrono::NaiveTime::parse_from_str(&self.sweep_at, "%H:%M").ok()
    }
}
