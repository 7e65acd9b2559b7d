//! Delivery of one rendered message over the configured transport. Every message carries a
//! Message-ID made from its outbox id, so a receiving system can recognise it.

use crate::settings::{MailSettings, TlsMode, TransportKind};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use std::path::Path;
use std::time::Duration;
use uuid::Uuid;

/// A message ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: Uuid,
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// Why a message was not delivered. A permanent failure (a bad address, a 5xx answer) is not
/// retried; anything else (the relay down, a 4xx answer, a timeout) is.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl SendError {
    fn permanent(message: impl Into<String>) -> Self {
        Self {
            permanent: true,
            message: message.into(),
        }
    }
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
    Log,
}

/// The configured way out.
pub struct Mailer {
    from: Mailbox,
    domain: String,
    transport: Transport,
}

impl Mailer {
    /// Builds the transport; relative `file_dir` is resolved against `root`.
    pub fn from_settings(settings: &MailSettings, root: &Path) -> Result<Self, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("mail.from is not an address: {e}"))?;
        let domain = from.email.domain().to_owned();
        let transport = match settings.transport {
            TransportKind::Log => Transport::Log,
            TransportKind::File => {
                let dir = if settings.file_dir.is_absolute() {
                    settings.file_dir.clone()
                } else {
                    root.join(&settings.file_dir)
                };
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create mail.file_dir {}: {e}", dir.display()))?;
                Transport::File(AsyncFileTransport::new(&dir), dir)
            }
            TransportKind::Smtp => {
                let host = settings.smtp_host.as_str();
                let tls = |host: &str| {
                    TlsParameters::new(host.to_owned())
                        .map_err(|e| format!("cannot set up TLS towards {host}: {e}"))
                };
                let security = match settings.smtp_tls {
                    TlsMode::None => Tls::None,
                    TlsMode::Starttls => Tls::Required(tls(host)?),
                    TlsMode::Tls => Tls::Wrapper(tls(host)?),
                };
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(settings.smtp_port)
                    .tls(security)
                    .timeout(Some(Duration::from_millis(settings.smtp_timeout_ms)));
                if !settings.smtp_username.is_empty() {
                    builder = builder.credentials(Credentials::new(
                        settings.smtp_username.clone(),
                        settings.smtp_password.expose_secret().to_owned(),
                    ));
                }
                Transport::Smtp(builder.build())
            }
        };
        Ok(Self {
            from,
            domain,
            transport,
        })
    }

    /// The MIME message: UTF-8 text with encoded headers, dated now.
    pub fn message(&self, out: &Outgoing) -> Result<Message, SendError> {
        let to: Mailbox = out
            .to
            .parse()
            .map_err(|e| SendError::permanent(format!("bad recipient {:?}: {e}", out.to)))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(out.subject.clone())
            .message_id(Some(format!("<{}@{}>", out.id, self.domain)))
            .header(ContentType::TEXT_PLAIN)
            .body(out.text.clone())
            .map_err(|e| SendError::permanent(format!("cannot build the message: {e}")))
    }

    /// Sends one message; the outcome is what the transport answered.
    pub async fn send(&self, out: &Outgoing) -> Result<String, SendError> {
        let message = self.message(out)?;
        match &self.transport {
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(response) => Ok(format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                )),
                Err(e) => Err(SendError {
                    permanent: e.is_permanent(),
                    message: format!("SMTP: {e}"),
                }),
            },
            Transport::File(file, dir) => file
                .send(message)
                .await
                .map(|id| format!("written to {}/{id}.eml", dir.display()))
                .map_err(|e| SendError {
                    permanent: false,
                    message: format!("file transport: {e}"),
                }),
            Transport::Log => {
                tracing::info!(to = %out.to, subject = %out.subject, id = %out.id, "mail (log transport)");
                Ok("logged".to_owned())
            }
        }
    }
}
