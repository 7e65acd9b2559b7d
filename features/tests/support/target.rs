//! What the run targets: services it starts in-process for each scenario (the default), or a
//! running deployment named by the contract variables
//!
//! - `FRT_TARGET_PORTAL`, `FRT_TARGET_CASEWORK`: the services' base URLs;
//! - `FRT_TARGET_QA_TOKEN`: the deployment's QA token (the test-support API);
//! - `FRT_TARGET_MAILPIT` (optional): the mail catcher's HTTP address, for scenarios that read
//!   mail (`@needs-mail`);
//! - `FRT_TARGET_SMTP_LISTEN` (optional, instead of mailpit): an address such as
//!   `127.0.0.1:2525` where the run itself receives the deployment's mail over SMTP (start the
//!   deployment with `FRT__MAIL__TRANSPORT=smtp`, `FRT__MAIL__SMTP_HOST`/`_PORT` there and
//!   `FRT__MAIL__SMTP_TLS=none`);
//! - `FRT_TARGET_EXCHANGE` (optional): the exchange service's base URL, for scenarios of
//!   agencies' systems (`@needs-exchange`);
//!
//! e.g. `frtctl up --demo` in another shell, or the compose stack.

use std::sync::{PoisonError, RwLock};

/// The QA token of platforms the suite starts in-process.
pub const IN_PROCESS_QA_TOKEN: &str = "in-process-qa-token";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub portal: String,
    pub casework: String,
    pub qa_token: String,
    pub mailpit: Option<String>,
    /// Where the run receives the deployment's mail itself (`FRT_TARGET_SMTP_LISTEN`).
    pub smtp_listen: Option<String>,
    pub exchange: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    InProcess,
    Deployment(Deployment),
}

static CURRENT: RwLock<Option<Target>> = RwLock::new(None);

impl Target {
    /// The target the environment names: a deployment when `FRT_TARGET_PORTAL` is set.
    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        match (var("FRT_TARGET_PORTAL"), var("FRT_TARGET_CASEWORK")) {
            (None, None) => Ok(Self::InProcess),
            (Some(portal), Some(casework)) => Ok(Self::Deployment(Deployment {
                portal: portal.trim_end_matches('/').to_owned(),
                casework: casework.trim_end_matches('/').to_owned(),
                qa_token: var("FRT_TARGET_QA_TOKEN").ok_or(
                    "FRT_TARGET_QA_TOKEN is needed with a target (frtctl up --demo prints it)",
                )?,
                mailpit: var("FRT_TARGET_MAILPIT").map(|m| m.trim_end_matches('/').to_owned()),
                smtp_listen: var("FRT_TARGET_SMTP_LISTEN").map(|a| a.trim().to_owned()),
                exchange: var("FRT_TARGET_EXCHANGE").map(|m| m.trim_end_matches('/').to_owned()),
            })),
            _ => Err("set both FRT_TARGET_PORTAL and FRT_TARGET_CASEWORK, or neither".into()),
        }
    }

    /// Whether a scenario with these tags can run against this target.
    pub fn runs(&self, tags: &[String]) -> bool {
        match self {
            Self::InProcess => true,
            Self::Deployment(d) => {
                let has = |t: &str| tags.iter().any(|x| x == t);
                !has("in-process")
                    && (d.mailpit.is_some() || d.smtp_listen.is_some() || !has("needs-mail"))
                    && (d.exchange.is_some() || !has("needs-exchange"))
            }
        }
    }
}

/// Sets what the scenarios run against from now on.
pub fn set(target: Target) {
    *CURRENT.write().unwrap_or_else(PoisonError::into_inner) = Some(target);
}

/// What the scenarios run against.
pub fn current() -> Target {
    CURRENT
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .unwrap_or(Target::InProcess)
}
