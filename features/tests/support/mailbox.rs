//! The mail a scenario reads: in-process, what arrived at the scenario's own SMTP server; on
//! a deployment, what its mail catcher (mailpit) holds, through mailpit's HTTP API, or what
//! arrived at the run's own SMTP server the deployment relays to (`FRT_TARGET_SMTP_LISTEN`).

use frt_testkit::smtp::Received;
use frt_testkit::SmtpSink;
use serde_json::Value;
use std::time::Duration;

pub enum Mailbox {
    Sink(SmtpSink),
    Mailpit {
        base: String,
        http: reqwest::Client,
    },
    /// The run's own SMTP server, which a deployment relays to; shared by the run's scenarios
    /// (each reads only its own addresses).
    Relay(SmtpSink),
}

/// The run's SMTP server for a deployment's mail, started on first use.
static RELAY: tokio::sync::OnceCell<SmtpSink> = tokio::sync::OnceCell::const_new();

impl Mailbox {
    pub fn sink(sink: SmtpSink) -> Self {
        Self::Sink(sink)
    }

    /// The run's SMTP server on `address`, for a deployment that relays there.
    pub async fn relay(address: &str) -> Self {
        let sink = RELAY
            .get_or_init(|| SmtpSink::start_on(address))
            .await
            .clone();
        Self::Relay(sink)
    }

    pub fn mailpit(base: String) -> Self {
        Self::Mailpit {
            base,
            http: reqwest::Client::new(),
        }
    }

    /// The in-process SMTP server, for `@in-process` scenarios that stop the relay.
    pub fn smtp(&self) -> &SmtpSink {
        match self {
            Self::Sink(s) => s,
            Self::Mailpit { .. } | Self::Relay(_) => {
                panic!("only an @in-process scenario controls the relay")
            }
        }
    }

    /// Whether the platform's own worker sends the outbox (a deployment), rather than the
    /// scenario (in-process).
    pub fn sent_by_the_deployment(&self) -> bool {
        matches!(self, Self::Mailpit { .. } | Self::Relay(_))
    }

    /// Every message to `to`, oldest first; on a deployment, waiting up to `within` for at
    /// least `at_least` of them (its worker sends on its own schedule).
    pub async fn to(&self, to: &str, at_least: usize, within: Duration) -> Vec<Received> {
        match self {
            Self::Sink(sink) => sink
                .received()
                .into_iter()
                .filter(|m| m.to.iter().any(|t| t == to))
                .collect(),
            Self::Relay(sink) => {
                let started = std::time::Instant::now();
                loop {
                    let got: Vec<Received> = sink
                        .received()
                        .into_iter()
                        .filter(|m| m.to.iter().any(|t| t == to))
                        .collect();
                    if got.len() >= at_least || started.elapsed() > within {
                        return got;
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
            Self::Mailpit { base, http } => {
                let started = std::time::Instant::now();
                loop {
                    let got = mailpit_messages(http, base, to).await;
                    if got.len() >= at_least || started.elapsed() > within {
                        return got;
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }
    }

    /// Every message received, oldest first (in-process only: a deployment's catcher holds
    /// other runs' mail too).
    pub fn all(&self) -> Vec<Received> {
        self.smtp().received()
    }
}

/// The messages mailpit holds for `to`, oldest first, as raw RFC 5322 text.
async fn mailpit_messages(http: &reqwest::Client, base: &str, to: &str) -> Vec<Received> {
    let search: Value = http
        .get(format!("{base}/api/v1/search"))
        .query(&[("query", format!("to:\"{to}\"")), ("limit", "200".into())])
        .send()
        .await
        .expect("mailpit search")
        .json()
        .await
        .expect("mailpit search answer");
    let mut out = Vec::new();
    for m in search["messages"].as_array().into_iter().flatten().rev() {
        let Some(id) = m["ID"].as_str() else { continue };
        let raw = http
            .get(format!("{base}/api/v1/message/{id}/raw"))
            .send()
            .await
            .expect("mailpit message")
            .bytes()
            .await
            .expect("raw message");
        out.push(Received {
            from: m["From"]["Address"].as_str().unwrap_or_default().to_owned(),
            to: vec![to.to_owned()],
            data: raw.to_vec(),
        });
    }
    out
}
