//! The `[mail]` section of the configuration.

use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;

/// How mail leaves the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// A real SMTP conversation with the configured relay.
    Smtp,
    /// One `.eml` file per message in `file_dir` (local runs).
    File,
    /// A log line per message (the local default).
    Log,
}

impl TransportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Smtp => "smtp",
            Self::File => "file",
            Self::Log => "log",
        }
    }
}

/// Transport security towards the SMTP relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text (a relay on a trusted network, or a test server).
    None,
    /// Upgrade with STARTTLS, required.
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub transport: TransportKind,
    /// The sender, e.g. `人脸识别备案系统 <noreply@frt.example.gov.cn>`.
    pub from: String,
    /// Where the file transport writes.
    pub file_dir: PathBuf,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: TlsMode,
    /// Empty for a relay without authentication.
    pub smtp_username: String,
    pub smtp_password: SecretString,
    pub smtp_timeout_ms: u64,
}

impl MailSettings {
    /// Problems with the values, one message per key.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            problems.push(format!(
                "mail.from must be an address like 'Name <user@example.org>', not {:?}",
                self.from
            ));
        }
        if self.transport == TransportKind::Smtp {
            if self.smtp_host.trim().is_empty() {
                problems.push("mail.smtp_host is required when mail.transport is smtp".into());
            }
            if self.smtp_port == 0 {
                problems.push("mail.smtp_port must be a port number".into());
            }
        }
        if !(100..=300_000).contains(&self.smtp_timeout_ms) {
            problems.push("mail.smtp_timeout_ms must be between 100 and 300000".into());
        }
        problems
    }
}
