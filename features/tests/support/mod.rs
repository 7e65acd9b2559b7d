//! The world of one scenario: the platform it talks to, the named actors it created, the last
//! answer received and the filing the scenario is about.
//!
//! The platform is either started in-process for the scenario (both services and a fresh
//! database; the default, and what CI runs) or a running deployment named by `FRT_TARGET_*`
//! variables (`target`). Either way a scenario sets up its data through interfaces only — the
//! public API and the test-support API with the QA token — and only scenarios tagged
//! `@in-process` reach behind them (to tamper with the database, or to stop the mail relay).

pub mod mailbox;
pub mod smoke;
pub mod target;

use chrono::NaiveDate;
use frt_testkit::{Client, TestApp};
use reqwest::Method;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use target::Target;

/// An HTTP answer: the status, the JSON body (`Null` when there was none) and the headers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    pub fn new(status: u16, body: Value) -> Self {
        Self {
            status,
            body,
            headers: Default::default(),
        }
    }
}

/// A processor organisation registered by the scenario, with its admin's session.
#[derive(Debug, Clone)]
pub struct Processor {
    pub org_id: String,
    pub uscc: String,
    pub email: String,
    pub token: String,
}

/// Which service an actor talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Portal,
    Casework,
}

#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct FrtWorld {
    /// The scenario's own platform, when started in-process.
    app: Option<TestApp>,
    /// How the scenario reaches the platform, in-process or deployed.
    client: Option<Client>,
    /// The deployment's (or the in-process platform's) QA token.
    qa_token: String,
    /// Where the scenario reads the mail the platform sends.
    pub mailbox: Option<mailbox::Mailbox>,
    /// The day the scenario's test clock shows, once it set one.
    pub clock: Option<NaiveDate>,
    /// Text unique to the scenario, for names that must not meet another run's.
    pub unique: String,
    /// Processors by the name they were registered under.
    pub processors: HashMap<String, Processor>,
    /// Staff members' casework tokens by name.
    pub staff: HashMap<String, String>,
    /// The last answer received.
    pub last: Option<Reply>,
    /// Every answer of the last repeated action, in order.
    pub replies: Vec<Reply>,
    /// The filing the scenario is about.
    pub filing: Option<String>,
    /// The latest filing of each processor, by the processor's name.
    pub filings: HashMap<String, String>,
    /// The filed record a change or deregistration acts on.
    pub recorded: Option<String>,
    /// The trigger date of the last filing drafted.
    pub trigger: Option<NaiveDate>,
    /// The filing number the last recording issued.
    pub filing_number: Option<String>,
    /// A token obtained by a login step, and the portal user it belongs to.
    pub session: Option<String>,
    /// The last registration request sent.
    pub registration: Option<Value>,
    /// What the last walk of the audit chain found.
    pub chain: Option<frt_store::audit::ChainReport>,
    /// The id of the audit row a scenario tampered with.
    pub tampered_row: Option<i64>,
    /// The mail the scenario is looking at.
    pub mail: Option<frt_testkit::smtp::Received>,
    /// What the last deadline sweeps did (one per worker).
    pub sweeps: Vec<frt_cases::sweep::SweepReport>,
    /// The inspection plan draws are made for.
    pub plan: Option<String>,
    /// The last draw made, as recorded.
    pub draw: Option<Value>,
    /// The inspection the scenario is about, and another one beside it.
    pub inspection: Option<String>,
    pub other_inspection: Option<String>,
    /// The case the deadline sweep steps sweep, when not the scenario's filing.
    pub swept: Option<String>,
    /// The member of staff who opened the inspection the scenario is about.
    pub case_officer: Option<String>,
    /// The request or order of the inspection the scenario is about.
    pub item: Option<String>,
    /// Complainants' mail addresses by the name they complain under.
    pub complainants: HashMap<String, String>,
    /// The receipts of the complaints filed, in order: the first is "the complaint".
    pub complaints: Vec<Value>,
    /// The notification between agencies the scenario is about.
    pub notification: Option<String>,
    /// The exchange service's base URL, and the server when started in-process.
    pub exchange: Option<String>,
    exchange_server: Option<frt_web::server::ServerHandle>,
    /// Exchange clients by the name the scenario gave them: (key id, secret).
    pub exchange_clients: HashMap<String, (String, String)>,
    /// Each client's sync cursor.
    pub cursors: HashMap<String, String>,
    /// The notifications the scenario sent, in order, and what the last sync brought.
    pub sent: Vec<String>,
    pub synced: Vec<Value>,
    /// The last timestamp the scenario signed with (each request takes an earlier one, so
    /// that no two share a signature).
    pub exchange_ts: Option<i64>,
    /// The scenario's notifications a sync has brought so far.
    pub delivered: std::collections::HashSet<String>,
    /// The last workbook downloaded (a template, an error workbook).
    pub workbook: Option<Vec<u8>>,
    /// Files the scenario wrote for the browser to upload; removed when it ends.
    pub temp_files: Vec<std::path::PathBuf>,
    /// The second-factor secret an enrolment page showed (what the authenticator app keeps),
    /// and the recovery codes shown after it.
    pub otp_secret: Option<Vec<u8>>,
    pub recovery_codes: Vec<String>,
    /// The places of the audit checkpoints signed in the scenario, in order, and what the last
    /// `frtctl audit verify` printed (and whether it passed).
    pub checkpoints: Vec<i64>,
    pub verify_output: Option<(bool, String)>,
    /// Staff who have not logged in yet, by name: their email.
    pub staff_emails: HashMap<String, String>,
    /// The scenario's browser, when it uses the console.
    pub browser: Option<frt_testkit::browser::Browser>,
    /// The pages the browser visited and checked (axe, keyboard), by address.
    pub checked_pages: Vec<String>,
    /// What those checks found, each with its page.
    pub page_problems: Vec<String>,
    /// What a person noted from a page to use later (a receipt number, an access code).
    pub noted: HashMap<String, String>,
}

impl FrtWorld {
    /// A world with no platform yet: the first step ("the platform is running") starts it, so
    /// a scenario can choose its settings.
    pub fn new() -> Self {
        Self {
            app: None,
            client: None,
            qa_token: String::new(),
            mailbox: None,
            clock: None,
            unique: uuid::Uuid::now_v7().simple().to_string(),
            processors: HashMap::new(),
            staff: HashMap::new(),
            last: None,
            replies: Vec::new(),
            filing: None,
            filings: HashMap::new(),
            recorded: None,
            trigger: None,
            filing_number: None,
            session: None,
            registration: None,
            chain: None,
            tampered_row: None,
            mail: None,
            sweeps: Vec::new(),
            plan: None,
            draw: None,
            inspection: None,
            other_inspection: None,
            case_officer: None,
            swept: None,
            item: None,
            complainants: HashMap::new(),
            complaints: Vec::new(),
            notification: None,
            exchange: None,
            exchange_server: None,
            exchange_clients: HashMap::new(),
            cursors: HashMap::new(),
            sent: Vec::new(),
            synced: Vec::new(),
            exchange_ts: None,
            delivered: std::collections::HashSet::new(),
            workbook: None,
            temp_files: Vec::new(),
            otp_secret: None,
            recovery_codes: Vec::new(),
            staff_emails: HashMap::new(),
            checkpoints: Vec::new(),
            verify_output: None,
            browser: None,
            checked_pages: Vec::new(),
            page_problems: Vec::new(),
            noted: HashMap::new(),
        }
    }

    /// Starts the platform with extra `FRT__…` settings (in-process), or joins the deployment
    /// the run targets (which cannot take settings: such scenarios are `@in-process`).
    pub async fn start(&mut self, settings: &[(&str, &str)]) {
        assert!(
            self.client.is_none(),
            "the platform is already running in this scenario"
        );
        match target::current() {
            Target::InProcess => {
                let mut all = vec![("FRT__QA__TOKEN", target::IN_PROCESS_QA_TOKEN)];
                all.extend_from_slice(settings);
                let app = TestApp::spawn_with(&all).await;
                self.client = Some(
                    app.client
                        .clone()
                        .with_qa_token(target::IN_PROCESS_QA_TOKEN),
                );
                self.qa_token = target::IN_PROCESS_QA_TOKEN.to_owned();
                self.app = Some(app);
            }
            Target::Deployment(d) => {
                assert!(
                    settings.is_empty(),
                    "a scenario that configures the platform runs in-process only (tag it @in-process)"
                );
                self.client = Some(
                    Client::new(d.portal.clone(), d.casework.clone()).with_qa_token(&d.qa_token),
                );
                self.qa_token = d.qa_token.clone();
                self.mailbox = match (&d.mailpit, &d.smtp_listen) {
                    (Some(base), _) => Some(mailbox::Mailbox::mailpit(base.clone())),
                    (None, Some(address)) => Some(mailbox::Mailbox::relay(address).await),
                    (None, None) => None,
                };
            }
        }
    }

    /// Starts the platform with its mail going to an SMTP server of the scenario's own
    /// (in-process), or reads the deployment's mail catcher.
    pub async fn start_with_mail(&mut self) {
        match target::current() {
            Target::InProcess => {
                assert!(
                    self.client.is_none(),
                    "the platform is already running in this scenario"
                );
                let (app, sink) =
                    TestApp::spawn_with_mail(&[("FRT__QA__TOKEN", target::IN_PROCESS_QA_TOKEN)])
                        .await;
                self.client = Some(
                    app.client
                        .clone()
                        .with_qa_token(target::IN_PROCESS_QA_TOKEN),
                );
                self.qa_token = target::IN_PROCESS_QA_TOKEN.to_owned();
                self.app = Some(app);
                self.mailbox = Some(mailbox::Mailbox::sink(sink));
            }
            Target::Deployment(_) => {
                self.start(&[]).await;
                assert!(
                    self.mailbox.is_some(),
                    "reading mail from a deployment needs FRT_TARGET_MAILPIT or FRT_TARGET_SMTP_LISTEN"
                );
            }
        }
    }

    /// The exchange service: started beside the scenario's platform in-process, or the
    /// deployment's (`FRT_TARGET_EXCHANGE`).
    pub fn exchange_url(&mut self) -> String {
        if let Some(url) = &self.exchange {
            return url.clone();
        }
        let url = match target::current() {
            Target::InProcess => {
                let server = exchange::build(self.app().core.clone()).expect("exchange");
                let url = format!("http://127.0.0.1:{}", server.port());
                self.exchange_server = Some(server.handle());
                tokio::spawn(server.run_until_stopped());
                url
            }
            Target::Deployment(d) => d
                .exchange
                .clone()
                .expect("this scenario needs FRT_TARGET_EXCHANGE (tag it @needs-exchange)"),
        };
        self.exchange = Some(url.clone());
        url
    }

    /// The QA token of the platform the scenario runs against.
    pub fn qa_token(&self) -> &str {
        &self.qa_token
    }

    /// The platform's HTTP side, with the scenario's test clock.
    pub fn client(&self) -> &Client {
        self.client
            .as_ref()
            .expect("the platform is not running: begin with 'Given the platform is running'")
    }

    pub fn mailbox(&self) -> &mailbox::Mailbox {
        self.mailbox
            .as_ref()
            .expect("no mail to read: begin with 'Given the platform is running with mail delivered over SMTP'")
    }

    /// The in-process platform, for what only an `@in-process` scenario may do.
    pub fn app(&self) -> &TestApp {
        self.app
            .as_ref()
            .expect("this step reaches behind the API: the scenario must be tagged @in-process")
    }

    /// Makes a staff account through the test-support API and returns its casework token.
    pub async fn make_staff(
        &self,
        kind: frt_access::AgencyKind,
        province: Option<&str>,
        role: frt_access::Role,
    ) -> String {
        let email = self.make_staff_account(kind, province, role).await;
        let client = self.client();
        client
            .login(&client.casework, &email, frt_testkit::app::PASSWORD)
            .await
    }

    /// A staff account, not logged in; its email.
    pub async fn make_staff_account(
        &self,
        kind: frt_access::AgencyKind,
        province: Option<&str>,
        role: frt_access::Role,
    ) -> String {
        self.client()
            .staff_account_via_qa(&self.qa_token, kind, province, role)
            .await
    }

    /// "Today" for the scenario: its test clock's day once set, else today in China.
    pub fn today(&self) -> NaiveDate {
        self.clock.unwrap_or_else(today_in_china)
    }

    /// Sets the scenario's test clock (a scope of its own) to `day`: from now on every request
    /// of the scenario sees `day` as today.
    pub async fn set_clock(&mut self, day: NaiveDate) {
        let scope = match self.client().clock.clone() {
            Some(c) => c.scope,
            None => format!("scenario-{}", uuid::Uuid::now_v7().simple()),
        };
        let r = self
            .client()
            .http
            .put(format!(
                "{}/api/v1/test-support/clocks/{scope}",
                self.client().casework
            ))
            .header(frt_testkit::client::QA_TOKEN_HEADER, &self.qa_token)
            .json(&serde_json::json!({ "today": day }))
            .send()
            .await
            .expect("set the test clock");
        assert_eq!(r.status().as_u16(), 200, "set the test clock");
        let qa_token = self.qa_token.clone();
        if let Some(c) = self.client.as_mut() {
            c.clock = Some(frt_testkit::client::TestClock { scope, qa_token });
        }
        self.clock = Some(day);
    }

    /// Runs the deadline sweep as of `day` over the deadlines of one case (any case type),
    /// through the test-support API (the worker's daily job, on demand).
    pub async fn sweep_of(&self, day: NaiveDate, entity_id: &str) -> frt_cases::sweep::SweepReport {
        let r = self
            .client()
            .http
            .post(format!(
                "{}/api/v1/test-support/sweeps",
                self.client().casework
            ))
            .header(frt_testkit::client::QA_TOKEN_HEADER, &self.qa_token)
            .json(&serde_json::json!({ "on": day, "entity_id": entity_id }))
            .send()
            .await
            .expect("sweep");
        assert_eq!(r.status().as_u16(), 200, "sweep");
        let v: Value = r.json().await.expect("sweep report");
        let n = |k: &str| {
            v[k].as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(0)
        };
        frt_cases::sweep::SweepReport {
            day: Some(day),
            examined: n("examined"),
            reminders: n("reminders"),
            marked_overdue: n("marked_overdue"),
            escalated: n("escalated"),
            mails_queued: n("mails_queued"),
        }
    }

    /// A direct SQL connection to the scenario's database, as the application's role.
    pub async fn sql(&self) -> tokio_postgres::Client {
        let (client, conn) = tokio_postgres::connect(&self.app().db.url, tokio_postgres::NoTls)
            .await
            .expect("database");
        tokio::spawn(conn);
        client
    }

    pub fn base(&self, service: Service) -> String {
        match service {
            Service::Portal => self.client().portal.clone(),
            Service::Casework => self.client().casework.clone(),
        }
    }

    pub fn processor(&self, name: &str) -> &Processor {
        self.processors
            .get(name)
            .unwrap_or_else(|| panic!("no processor named {name:?} in this scenario"))
    }

    /// The service and token of a named actor: processors use the portal, staff casework.
    pub fn actor(&self, name: &str) -> (Service, String) {
        if let Some(p) = self.processors.get(name) {
            (Service::Portal, p.token.clone())
        } else if let Some(t) = self.staff.get(name) {
            (Service::Casework, t.clone())
        } else {
            panic!("no actor named {name:?} in this scenario")
        }
    }

    pub fn filing_id(&self) -> String {
        self.filing.clone().expect("no filing yet in this scenario")
    }

    /// The processor that owns the current filing.
    pub fn owner_of_filing(&self) -> String {
        let id = self.filing_id();
        self.filings
            .iter()
            .find(|(_, f)| **f == id)
            .map(|(o, _)| o.clone())
            .expect("the filing's owner")
    }

    pub fn filing_of(&self, owner: &str) -> String {
        self.filings
            .get(owner)
            .cloned()
            .unwrap_or_else(|| panic!("{owner:?} has no filing in this scenario"))
    }

    pub fn last(&self) -> &Reply {
        self.last.as_ref().expect("no request was sent yet")
    }

    /// Sends a JSON request (or none) and keeps the answer as the last one.
    pub async fn send(
        &mut self,
        method: Method,
        service: Service,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let url = format!("{}{path}", self.base(service));
        let (status, headers, body) = self
            .client()
            .call_with_headers(method, &url, token, body)
            .await;
        self.keep(Reply {
            status,
            body,
            headers,
        })
    }

    /// Sends a raw text body labelled with `content_type`.
    pub async fn send_typed(
        &mut self,
        method: Method,
        service: Service,
        path: &str,
        token: Option<&str>,
        raw: &str,
        content_type: &str,
    ) -> Reply {
        let url = format!("{}{path}", self.base(service));
        let mut req = self
            .client()
            .request(method, url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(raw.to_owned());
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        self.keep(Reply {
            status,
            body,
            headers,
        })
    }

    /// Sends a named actor's request to its own service.
    pub async fn send_as(
        &mut self,
        name: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let (service, token) = self.actor(name);
        self.send(method, service, path, Some(&token), body).await
    }

    pub fn keep(&mut self, reply: Reply) -> Reply {
        self.last = Some(reply.clone());
        reply
    }
}

/// Platforms being torn down, awaited before the run ends.
static TEARDOWNS: Mutex<Vec<tokio::task::JoinHandle<()>>> = Mutex::new(Vec::new());

impl FrtWorld {
    /// Stops the services and drops the scenario's database, off the async workers.
    ///
    /// Dropping a `TestApp` blocks its thread until `DROP DATABASE … WITH (FORCE)` returns,
    /// and PostgreSQL makes that statement wait for every backend to answer a signal barrier,
    /// including one still authenticating a connection of the other scenario running in this
    /// task: blocking here would stall that connection until PostgreSQL's
    /// `authentication_timeout` (60 s) cuts it.
    pub fn teardown(&mut self) {
        self.client = None;
        self.mailbox = None;
        if let Some(handle) = self.exchange_server.take() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move { handle.stop(false).await });
            }
        }
        let Some(app) = self.app.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                let handle = rt.spawn_blocking(move || drop(app));
                TEARDOWNS
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(handle);
            }
            Err(_) => drop(app),
        }
    }
}

impl Drop for FrtWorld {
    fn drop(&mut self) {
        for f in self.temp_files.drain(..) {
            let _ = std::fs::remove_file(f);
        }
        self.teardown();
    }
}

/// Waits until every platform started by the run is torn down (its database dropped).
pub async fn finish_teardowns() {
    let pending: Vec<_> =
        std::mem::take(&mut *TEARDOWNS.lock().unwrap_or_else(PoisonError::into_inner));
    for handle in pending {
        let _ = handle.await;
    }
}

impl fmt::Debug for FrtWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrtWorld")
            .field("portal", &self.client.as_ref().map(|c| c.portal.as_str()))
            .field(
                "casework",
                &self.client.as_ref().map(|c| c.casework.as_str()),
            )
            .field("processors", &self.processors.keys().collect::<Vec<_>>())
            .field("staff", &self.staff.keys().collect::<Vec<_>>())
            .field("filing", &self.filing)
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

/// Today's date in China (UTC+8), where statutory days are counted.
pub fn today_in_china() -> NaiveDate {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    chrono::Utc::now().with_timezone(&cst).date_naive()
}

/// Parses a YYYY-MM-DD date written in a scenario.
pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| panic!("{s:?} is not a date"))
}

/// The value at a dotted path like `statutory_deadline.due_date` or `errors[0].path`.
pub fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    let pointer: String = path
        .split('.')
        .flat_map(|seg| {
            let mut parts = Vec::new();
            let mut rest = seg;
            while let Some(i) = rest.find('[') {
                parts.push(rest[..i].to_owned());
                let end = rest[i..].find(']').map_or(rest.len(), |e| i + e);
                parts.push(rest[i + 1..end].to_owned());
                rest = rest.get(end + 1..).unwrap_or("");
            }
            if !rest.is_empty() {
                parts.push(rest.to_owned());
            }
            parts.into_iter().filter(|p| !p.is_empty())
        })
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect();
    v.pointer(&pointer).unwrap_or(&Value::Null)
}

/// Reads a step's data table as rows of column name to cell, skipping the header.
pub fn table_rows(step: &cucumber::gherkin::Step) -> Vec<HashMap<String, String>> {
    let table = step.table.as_ref().expect("this step needs a data table");
    let mut rows = table.rows.iter();
    let header = rows.next().expect("the table needs a header row").clone();
    rows.map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}
