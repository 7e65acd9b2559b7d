//! The world of one scenario: its own platform (both services and a fresh database), the named
//! actors it created, the last answer received and the filing the scenario is about.

use chrono::NaiveDate;
use frt_testkit::TestApp;
use reqwest::Method;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

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
    app: Option<TestApp>,
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
    /// The SMTP server the scenario's mail goes to, when it asked for one.
    pub sink: Option<frt_testkit::SmtpSink>,
    /// The mail the scenario is looking at.
    pub mail: Option<frt_testkit::smtp::Received>,
    /// What the last deadline sweeps did (one per worker).
    pub sweeps: Vec<frt_cases::sweep::SweepReport>,
}

impl FrtWorld {
    /// A world with no platform yet: the first step ("the platform is running") starts it, so
    /// a scenario can choose its settings.
    pub fn new() -> Self {
        Self {
            app: None,
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
            sink: None,
            mail: None,
            sweeps: Vec::new(),
        }
    }

    /// Starts the platform with extra `FRT__…` settings.
    pub async fn start(&mut self, settings: &[(&str, &str)]) {
        assert!(
            self.app.is_none(),
            "the platform is already running in this scenario"
        );
        self.app = Some(TestApp::spawn_with(settings).await);
    }

    /// Starts the platform with its mail going to an SMTP server of the scenario's own.
    pub async fn start_with_mail(&mut self) {
        assert!(
            self.app.is_none(),
            "the platform is already running in this scenario"
        );
        let (app, sink) = TestApp::spawn_with_mail(&[]).await;
        self.app = Some(app);
        self.sink = Some(sink);
    }

    pub fn sink(&self) -> &frt_testkit::SmtpSink {
        self.sink
            .as_ref()
            .expect("no mail server: begin with 'Given the platform is running with mail delivered over SMTP'")
    }

    pub fn app(&self) -> &TestApp {
        self.app
            .as_ref()
            .expect("the platform is not running: begin with 'Given the platform is running'")
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
            Service::Portal => self.app().portal.clone(),
            Service::Casework => self.app().casework.clone(),
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
            .app()
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
            .app()
            .http
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
            .field("portal", &self.app.as_ref().map(|a| a.portal.as_str()))
            .field("casework", &self.app.as_ref().map(|a| a.casework.as_str()))
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
