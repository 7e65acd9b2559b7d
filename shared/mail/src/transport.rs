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
        Self::new(true, message)
    }

    /// A failure whose text (which a relay may have filled with the recipient's address) is
    /// stored and logged only with addresses taken out.
    fn new(permanent: bool, message: impl Into<String>) -> Self {
        Self {
            permanent,
            message: redact_addresses(&message.into()),
        }
    }
}

/// The text with every mail address in it replaced by `<address>`: relays echo recipients in
/// their answers (`550 5.1.1 <li@example.cn>: Recipient address rejected`), and those answers
/// are kept in the outbox and the logs, where no personal data belongs.
pub fn redact_addresses(text: &str) -> String {
    let local = |c: char| c.is_alphanumeric() || "._%+-!#$&'*/=?^`{|}~".contains(c);
    let domain = |c: char| c.is_alphanumeric() || c == '.' || c == '-';
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' {
            let mut start = i;
            while start > 0 && local(chars[start - 1]) {
                start -= 1;
            }
            let mut end = i + 1;
            while end < chars.len() && domain(chars[end]) {
                end += 1;
            }
            let before = i - start;
            if before > 0 && end > i + 1 {
                // Take back the part of the address already copied.
                for _ in 0..before {
                    out.pop();
                }
                out.push_str("<address>");
                i = end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
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
                Ok(response) => Ok(redact_addresses(&format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                ))),
                Err(e) => Err(SendError::new(e.is_permanent(), format!("SMTP: {e}"))),
            },
            Transport::File(file, dir) => file
                .send(message)
                .await
                .map(|id| format!("written to {}/{id}.eml", dir.display()))
                .map_err(|e| SendError::new(false, format!("file transport: {e}"))),
            Transport::Log => {
                tracing::info!(to = %out.to, subject = %out.subject, id = %out.id, "mail (log transport)");
                Ok("logged".to_owned())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact_addresses;

    #[test]
    fn relay_answers_lose_the_addresses_they_echo() {
        assert_eq!(
            redact_addresses("550 5.1.1 <li.si+x@mail.example.cn>: Recipient address rejected"),
            "550 5.1.1 <<address>>: Recipient address rejected"
        );
        assert_eq!(
            redact_addresses("to 张三@例子.中国 and a@b"),
            "to <address> and <address>"
        );
        assert_eq!(
            redact_addresses("421 4.7.0 try @ later"),
            "421 4.7.0 try @ later"
        );
        assert_eq!(redact_addresses("no address here"), "no address here");
    }
}
