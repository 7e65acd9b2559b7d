//! The portal and casework services running on random ports against a test database, with
//! helpers for the accounts most tests need.

use crate::db::{project_root, TestDb};
use frt_access::accounts::{self};
use frt_access::{AgencyKind, Role};
use frt_settings::Settings;
use frt_store::audit::Actor;
use frt_store::ScopedFutureExt;
use frt_web::Core;

/// Password of accounts made by the helpers.
pub const PASSWORD: &str = "test-password-2026";

pub struct TestApp {
    /// The HTTP side: both services' addresses and the helpers that talk to them.
    pub client: crate::client::Client,
    pub core: Core,
    pub db: TestDb,
    _blobs: TempDir,
    handles: Vec<frt_web::server::ServerHandle>,
}

/// A folder removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Settings for a test: the given database, random ports, a private blob folder.
pub fn test_settings(db_url: &str, blob_dir: &std::path::Path, extra: &[(&str, &str)]) -> Settings {
    settings_for("test", db_url, blob_dir, extra)
}

/// As `test_settings`, for the environment `env` (e.g. `production`).
pub fn settings_for(
    env: &str,
    db_url: &str,
    blob_dir: &std::path::Path,
    extra: &[(&str, &str)],
) -> Settings {
    let mut vars: Vec<(String, String)> = vec![
        ("DATABASE_URL".into(), db_url.into()),
        ("FRT__PORTAL__PORT".into(), "0".into()),
        ("FRT__CASEWORK__PORT".into(), "0".into()),
        ("FRT__EXCHANGE__PORT".into(), "0".into()),
        ("FRT__WORKER__LISTEN".into(), "127.0.0.1:0".into()),
        ("FRT__HTTP__WORKERS".into(), "1".into()),
        ("FRT__DATABASE__POOL_SIZE".into(), "3".into()),
        (
            "FRT__UPLOADS__BLOB_DIR".into(),
            blob_dir.to_string_lossy().into_owned(),
        ),
        (
            "FRT__PATHS__WORK_DIR".into(),
            blob_dir.join(".work").to_string_lossy().into_owned(),
        ),
    ];
    vars.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    Settings::load_with(&project_root().join("config"), env, vars).expect("test settings")
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Spawns with extra `FRT__…` settings.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        Self::spawn_in("test", extra).await
    }

    /// Spawns with the configuration of environment `env` (e.g. `production`).
    pub async fn spawn_in(env: &str, extra: &[(&str, &str)]) -> Self {
        Self::spawn_on_in(TestDb::new().await, env, extra).await
    }

    /// Spawns on the database `db` (e.g. one on a cluster of the test's own) with extra
    /// `FRT__…` settings.
    pub async fn spawn_on(db: TestDb, extra: &[(&str, &str)]) -> Self {
        Self::spawn_on_in(db, "test", extra).await
    }

    async fn spawn_on_in(db: TestDb, env: &str, extra: &[(&str, &str)]) -> Self {
        let blobs = TempDir(std::env::temp_dir().join(format!("frt-blobs-{}", db.name())));
        let settings = settings_for(env, &db.app_url, &blobs.0, extra);
        let (core, client, handles) = Self::start(settings).await;
        Self {
            client,
            core,
            db,
            _blobs: blobs,
            handles,
        }
    }

    async fn start(
        settings: Settings,
    ) -> (
        Core,
        crate::client::Client,
        Vec<frt_web::server::ServerHandle>,
    ) {
        let core = Core::build(settings).await.expect("core");
        let portal = portal::build(core.clone()).expect("portal");
        let casework = casework::build(core.clone()).expect("casework");
        let portal_url = format!("http://127.0.0.1:{}", portal.port());
        let casework_url = format!("http://127.0.0.1:{}", casework.port());
        let handles = vec![portal.handle(), casework.handle()];
        tokio::spawn(portal.run_until_stopped());
        tokio::spawn(casework.run_until_stopped());
        (
            core,
            crate::client::Client::new(portal_url, casework_url),
            handles,
        )
    }

    /// Another instance of portal, casework and exchange on this app's database and files, as
    /// a second machine behind the same load balancer runs them: its own pool and process
    /// state, started with `extra` settings (those the app was spawned with, to be alike).
    pub async fn another_instance(&self, extra: &[(&str, &str)]) -> Instance {
        let settings = test_settings(&self.db.app_url, &self._blobs.0, extra);
        let (core, client, mut handles) = Self::start(settings).await;
        let exchange = exchange::build(core.clone()).expect("exchange");
        let exchange_url = format!("http://127.0.0.1:{}", exchange.port());
        handles.push(exchange.handle());
        tokio::spawn(exchange.run_until_stopped());
        Instance {
            client,
            core,
            exchange: exchange_url,
            handles,
        }
    }

    /// Stops both services and starts them again on the same database and files with other
    /// `FRT__…` settings, as an operator restarts a deployment with a changed configuration.
    pub async fn restart_with(&mut self, extra: &[(&str, &str)]) {
        for h in self.handles.drain(..) {
            h.stop(true).await;
        }
        let settings = test_settings(&self.db.app_url, &self._blobs.0, extra);
        let (core, client, handles) = Self::start(settings).await;
        self.core = core;
        self.client = client;
        self.handles = handles;
    }

    /// Waits (up to 20 seconds) until every exchange feed row written so far is visible to a
    /// sync: rows show once every older transaction of the cluster has ended, and tests of
    /// other databases run beside this one.
    pub async fn feed_settled(&self) {
        let c = crate::db::client(&self.db.url).await;
        let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::time::Instant::now() < until {
            let pending: i64 = c
                .query_one(
                    "SELECT count(*) FROM exchange_feed \
                     WHERE txid >= pg_snapshot_xmin(pg_current_snapshot())",
                    &[],
                )
                .await
                .map(|r| r.get(0))
                .unwrap_or(0);
            if pending == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Spawns with mail going over SMTP to a sink of its own, and quick retries.
    pub async fn spawn_with_mail(extra: &[(&str, &str)]) -> (Self, crate::SmtpSink) {
        let sink = crate::SmtpSink::start().await;
        let port = sink.port.to_string();
        let mut settings: Vec<(&str, &str)> = vec![
            ("FRT__MAIL__TRANSPORT", "smtp"),
            ("FRT__MAIL__SMTP_HOST", "127.0.0.1"),
            ("FRT__MAIL__SMTP_PORT", &port),
            ("FRT__MAIL__SMTP_TLS", "none"),
            ("FRT__MAIL__SMTP_TIMEOUT_MS", "2000"),
            ("FRT__WORKER__BACKOFF_BASE_MS", "20"),
            ("FRT__WORKER__BACKOFF_MAX_MS", "100"),
        ];
        settings.extend_from_slice(extra);
        (Self::spawn_with(&settings).await, sink)
    }

    /// A worker (outbox sender and deadline sweep) on this platform's database and settings.
    pub fn worker(&self) -> worker::Worker {
        worker::Worker::new(self.core.clone()).expect("worker")
    }

    /// Creates a staff account directly and returns its token from casework.
    pub async fn staff(&self, kind: AgencyKind, province: Option<&str>, role: Role) -> String {
        let email = self.staff_account(kind, province, role).await;
        self.login(&self.casework, &email, PASSWORD).await
    }

    /// Creates a staff account directly (password [`PASSWORD`]) and returns its email.
    pub async fn staff_account(
        &self,
        kind: AgencyKind,
        province: Option<&str>,
        role: Role,
    ) -> String {
        let email = format!(
            "{}-{}@staff.example",
            role.as_str(),
            uuid::Uuid::now_v7().simple()
        );
        let agency_name = format!("{} {}", kind.as_str(), province.unwrap_or("national"));
        let province = province.map(str::to_owned);
        let e = email.clone();
        self.core
            .db
            .tx(|conn| {
                async move {
                    let staff = accounts::NewStaff {
                        email: &e,
                        display_name: "Staff",
                        password: PASSWORD,
                        role,
                        agency_kind: kind,
                        agency_name: &agency_name,
                        province: province.as_deref(),
                        first_login: accounts::FirstLogin::KeepPassword,
                    };
                    accounts::create_staff(conn, &Actor::system("test"), staff).await
                }
                .scope_boxed()
            })
            .await
            .expect("staff account");
        email
    }

    /// Runs a command-line program of the platform (`env!("CARGO_BIN_EXE_frtctl")`) against
    /// this app's database, configuration and blob folder: (succeeded, stdout then stderr).
    pub fn run(&self, program: &str, args: &[&str]) -> (bool, String) {
        self.run_with(program, args, &[])
    }

    /// As [`TestApp::run`], with extra `FRT__…` variables.
    pub fn run_with(&self, program: &str, args: &[&str], vars: &[(&str, &str)]) -> (bool, String) {
        let mut cmd = std::process::Command::new(program);
        cmd.envs(vars.iter().copied());
        if self.db.app_url != self.db.url {
            cmd.env("FRT__DATABASE__APP_ROLE", frt_store::local::LOCAL_APP_ROLE);
        }
        let out = cmd
            .args(args)
            .env("DATABASE_URL", &self.db.app_url)
            .env("FRT__DATABASE__OWNER_URL", &self.db.url)
            .env("FRT_CONFIG_DIR", project_root().join("config"))
            .env(
                "FRT__UPLOADS__BLOB_DIR",
                &self.core.settings.uploads.blob_dir,
            )
            .env_remove("FRT__DATABASE__URL")
            .env_remove("FRT_ENV")
            .output()
            .unwrap_or_else(|e| panic!("{program} does not run: {e}"));
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }

    /// Registers a processor with a valid USCC in `province`, confirms the admin's address
    /// as the mailed link would, and returns the admin's token and the organisation id.
    pub async fn register_processor(&self, name: &str, province: &str) -> (String, String) {
        let email = self.client.register_unconfirmed(name, province).await;
        self.confirm_address(&email).await;
        self.client.signed_in_admin(&email).await
    }

    /// Confirms a registration's address as its mailed link would.
    pub async fn confirm_address(&self, email: &str) {
        assert!(
            frt_cases::testing::confirm_address(&self.core, email)
                .await
                .expect("confirm the address"),
            "no account for {email}"
        );
    }

    /// A provincial CAC reviewer of `province`.
    pub async fn reviewer(&self, province: &str) -> String {
        self.staff(AgencyKind::ProvincialCac, Some(province), Role::Reviewer)
            .await
    }

    /// A processor registered in `province` with its initial filing submitted and recorded by
    /// a reviewer of the province; answers the filing's id.
    pub async fn recorded_filing(&self, province: &str, name: &str) -> String {
        let (processor, _) = self.register_processor(name, province).await;
        let id = self
            .client
            .complete_draft(
                &processor,
                "initial",
                chrono::Utc::now().date_naive() - chrono::Duration::days(3),
                None,
            )
            .await;
        let (s, b) = self.client.submit(&processor, &id, None).await;
        assert_eq!(s, 200, "{b}");
        let reviewer = self.reviewer(province).await;
        let (s, b) = self
            .client
            .call(
                reqwest::Method::POST,
                &format!("{}/api/v1/filings/{id}/record", self.client.casework),
                Some(&reviewer),
                None,
            )
            .await;
        assert_eq!(s, 200, "{b}");
        id
    }
}

/// An instance of the services beside a [`TestApp`]'s (`TestApp::another_instance`).
pub struct Instance {
    pub client: crate::client::Client,
    pub core: Core,
    /// The exchange service's address.
    pub exchange: String,
    handles: Vec<frt_web::server::ServerHandle>,
}

impl std::ops::Deref for Instance {
    type Target = crate::client::Client;
    fn deref(&self) -> &Self::Target {
        &self.client
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        for h in &self.handles {
            drop(h.stop(false));
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        for h in &self.handles {
            drop(h.stop(false));
        }
    }
}

/// A USCC with a correct check character whose area code is in `province`.
pub fn valid_uscc(province: &str) -> String {
    let area = &province[..2];
    let alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let n = uuid::Uuid::now_v7().as_u128();
    let org: String = (0..9)
        .map(|i| {
            let idx = ((n >> (i * 5)) % 31) as usize;
            alphabet.as_bytes()[idx] as char
        })
        .collect();
    let first17 = format!("91{area}0101{org}");
    let check = frt_domain::ids::uscc_check_char(&first17).expect("check char");
    format!("{first17}{check}")
}

/// A minimal PDF, detected as application/pdf by content.
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

impl std::ops::Deref for TestApp {
    type Target = crate::client::Client;
    fn deref(&self) -> &crate::client::Client {
        &self.client
    }
}
