//! An SMTP server for tests: speaks enough of RFC 5321 for a real client (EHLO, MAIL, RCPT,
//! DATA, RSET, NOOP, QUIT), keeps every message it accepts, and can be switched to act down
//! (connections closed at once), to answer 451 (try later) or 550 (refused) to test retries.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkMode {
    Accept = 0,
    /// Every connection is closed before the greeting, like a relay that is down.
    Down = 1,
    /// `451` to MAIL FROM: a temporary failure.
    TempFail = 2,
    /// `550` to RCPT TO: a permanent refusal.
    PermFail = 3,
}

/// A message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The DATA as sent, dot-unstuffed, without the final ".".
    pub data: Vec<u8>,
}

impl Received {
    fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("a MIME message")
    }

    /// The decoded Subject header.
    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    /// The decoded text body.
    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_owned()
    }

    /// Panics unless the message is proper MIME for Chinese text: the Subject an encoded word
    /// and the body declared UTF-8 plain text.
    pub fn assert_utf8_text_with_encoded_subject(&self) {
        let headers = self.raw_headers();
        assert!(headers.contains("Subject: =?utf-8?"), "{headers}");
        assert!(
            headers
                .to_ascii_lowercase()
                .contains("content-type: text/plain; charset=utf-8"),
            "{headers}"
        );
    }

    /// The raw header block, as it went over the wire.
    pub fn raw_headers(&self) -> String {
        let text = String::from_utf8_lossy(&self.data);
        text.split("\r\n\r\n").next().unwrap_or_default().to_owned()
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    mode: Arc<AtomicU8>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    /// Listens on a random local port.
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0").await
    }

    /// Listens on `address` (e.g. `127.0.0.1:2525`, for a deployment told to relay there).
    pub async fn start_on(address: &str) -> Self {
        let listener = TcpListener::bind(address)
            .await
            .unwrap_or_else(|e| panic!("cannot listen for SMTP on {address}: {e}"));
        let port = listener.local_addr().expect("addr").port();
        let sink = Self {
            port,
            mode: Arc::new(AtomicU8::new(SinkMode::Accept as u8)),
            received: Arc::new(Mutex::new(Vec::new())),
        };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = s.session(socket).await;
                });
            }
        });
        sink
    }

    pub fn set(&self, mode: SinkMode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }

    fn mode(&self) -> u8 {
        self.mode.load(Ordering::SeqCst)
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits up to `within` for at least `n` messages.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn session(&self, socket: tokio::net::TcpStream) -> std::io::Result<()> {
        if self.mode() == SinkMode::Down as u8 {
            return Ok(());
        }
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 sink.test ESMTP\r\n").await?;
        let mut from = String::new();
        let mut to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_owned();
            let verb = command
                .split([' ', ':'])
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" => b"250-sink.test\r\n250-8BITMIME\r\n250 PIPELINING\r\n",
                "HELO" => b"250 sink.test\r\n",
                "MAIL" if self.mode() == SinkMode::TempFail as u8 => {
                    b"451 4.3.0 try again later\r\n"
                }
                "MAIL" => {
                    from = address(&command);
                    to.clear();
                    b"250 2.1.0 Ok\r\n"
                }
                "RCPT" if self.mode() == SinkMode::PermFail as u8 => {
                    // As relays do, the refusal names the recipient.
                    let refusal = format!(
                        "550 5.1.1 <{}>: Recipient address rejected: mailbox unavailable\r\n",
                        address(&command)
                    );
                    write.write_all(refusal.as_bytes()).await?;
                    continue;
                }
                "RCPT" => {
                    to.push(address(&command));
                    b"250 2.1.5 Ok\r\n"
                }
                "DATA" => {
                    write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let mut data = Vec::new();
                    loop {
                        let mut l = Vec::new();
                        if lines.read_until(b'\n', &mut l).await? == 0 {
                            return Ok(());
                        }
                        if l == b".\r\n" || l == b".\n" {
                            break;
                        }
                        let unstuffed = if l.starts_with(b"..") {
                            &l[1..]
                        } else {
                            &l[..]
                        };
                        data.extend_from_slice(unstuffed);
                    }
                    let n = {
                        let mut all = self.received.lock().unwrap_or_else(PoisonError::into_inner);
                        all.push(Received {
                            from: from.clone(),
                            to: std::mem::take(&mut to),
                            data,
                        });
                        all.len()
                    };
                    write
                        .write_all(format!("250 2.0.0 Ok: queued as {n}\r\n").as_bytes())
                        .await?;
                    continue;
                }
                "RSET" => {
                    to.clear();
                    b"250 2.0.0 Ok\r\n"
                }
                "NOOP" => b"250 2.0.0 Ok\r\n",
                "QUIT" => {
                    write.write_all(b"221 2.0.0 Bye\r\n").await?;
                    return Ok(());
                }
                _ => b"502 5.5.2 command not recognised\r\n",
            };
            write.write_all(reply).await?;
        }
    }
}

/// The address inside `<…>` of a MAIL or RCPT command.
fn address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(a, _)| a.to_owned())
        .unwrap_or_default()
}
