//! Sends the outbox: claims due messages under a lease, hands each to the transport and
//! records the outcome. A failed attempt is retried after an exponentially growing wait; a
//! permanent failure or the last attempt marks the message failed. A lease that ran out
//! mid-send (a worker stopped) leaves the message uncertain: never sent twice. Each message is
//! marked as being sent just before its own conversation, so a stop leaves only that one
//! uncertain and the rest of the batch back in the queue.

use chrono::Utc;
use frt_cases::entity::{Delivery, Registry};
use frt_cases::StoreError;
use frt_mail::{Mailer, Outgoing};
use frt_store::outbox::Message;
use frt_store::{outbox, AsyncPgConnection, Db, ScopedFutureExt};
use std::sync::Arc;
use std::time::Duration;

/// Retry policy, from `[worker]`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    pub max_attempts: i32,
}

impl Backoff {
    /// The wait after the `attempts`-th failed attempt: base, 2×base, 4×base, … up to max.
    pub fn delay(&self, attempts: i32) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(30);
        self.base.saturating_mul(1 << doublings).min(self.max)
    }

    /// When to try again after a failed attempt, or `None` when the message has failed for
    /// good. Up to a tenth of the wait is added at random so retries spread out.
    pub fn retry_at(
        &self,
        attempts: i32,
        permanent: bool,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        if permanent || attempts >= self.max_attempts {
            return None;
        }
        let wait = self.delay(attempts);
        let jitter_ms =
            rand::random::<u64>() % (u64::try_from(wait.as_millis() / 10).unwrap_or(0) + 1);
        let wait = wait + Duration::from_millis(jitter_ms);
        Some(Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX))
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// Messages whose lease ran out mid-send, now uncertain.
    pub uncertain: usize,
}

pub struct Sender {
    db: Db,
    /// The case types, told how their messages ended.
    cases: Arc<Registry>,
    mailer: Arc<Mailer>,
    name: String,
    batch: i64,
    lease_ms: i64,
    backoff: Backoff,
}

impl Sender {
    pub fn new(
        db: Db,
        cases: Arc<Registry>,
        mailer: Arc<Mailer>,
        name: String,
        batch: i64,
        lease_ms: i64,
        backoff: Backoff,
    ) -> Self {
        Self {
            db,
            cases,
            mailer,
            name,
            batch,
            lease_ms,
            backoff,
        }
    }

    /// Expires stale leases, claims one batch and sends it.
    pub async fn round(&self) -> Result<Round, StoreError> {
        let mut round = Round::default();
        let (uncertain, claimed) = self
            .db
            .run(|conn| {
                async move {
                    let uncertain = outbox::expire_leases(conn).await?;
                    let claimed =
                        outbox::claim(conn, &self.name, self.batch, self.lease_ms).await?;
                    Ok::<_, StoreError>((uncertain, claimed))
                }
                .scope_boxed()
            })
            .await?;
        round.uncertain = uncertain;
        round.claimed = claimed.len();
        for m in claimed {
            // From here on a stop leaves this one message uncertain; the rest of the batch,
            // still only claimed, goes back to the queue.
            let id = m.id;
            let started = self
                .db
                .query(|conn| outbox::begin_send(conn, id, &self.name).scope_boxed())
                .await?;
            if !started {
                continue;
            }
            let out = Outgoing {
                id: m.id,
                to: m.recipient.clone(),
                subject: m.subject.clone(),
                text: m.body.clone(),
            };
            match self.mailer.send(&out).await {
                Ok(outcome) => {
                    if self.record(&m, Ok(&outcome), None).await? {
                        round.sent += 1;
                    }
                    tracing::info!(id = %m.id, template = %m.template, %outcome, "mail sent");
                }
                Err(e) => {
                    let retry_at = self.backoff.retry_at(m.attempts, e.permanent);
                    self.record(&m, Err(&e.message), retry_at).await?;
                    if retry_at.is_some() {
                        round.retried += 1;
                        tracing::warn!(id = %m.id, attempts = m.attempts, error = %e.message, "mail not sent; will retry");
                    } else {
                        round.failed += 1;
                        tracing::error!(id = %m.id, attempts = m.attempts, error = %e.message, "mail failed for good");
                    }
                }
            }
        }
        for (outcome, n) in [
            ("sent", round.sent),
            ("retry", round.retried),
            ("failed", round.failed),
            ("uncertain", round.uncertain),
        ] {
            if n > 0 {
                metrics::counter!(frt_cases::metrics::OUTBOX_SETTLED, "outcome" => outcome)
                    .increment(n as u64);
            }
        }
        Ok(round)
    }

    /// Records how an attempt ended and, when the message is done (sent, or failed for
    /// good), tells its case type in the same transaction. Whether this worker still held it.
    async fn record(
        &self,
        m: &Message,
        outcome: Result<&str, &str>,
        retry_at: Option<chrono::DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let name = self.name.as_str();
        self.db
            .tx(|conn| {
                async move {
                    let (held, done) = match outcome {
                        Ok(o) => (
                            outbox::mark_sent(conn, m.id, name, o).await?,
                            Some(Delivery::Sent),
                        ),
                        Err(e) => (
                            outbox::mark_attempt_failed(conn, m.id, name, e, retry_at).await?,
                            retry_at.is_none().then_some(Delivery::Failed),
                        ),
                    };
                    if let (true, Some(delivery)) = (held, done) {
                        self.tell(conn, m, delivery).await?;
                    }
                    Ok::<_, StoreError>(held)
                }
                .scope_boxed()
            })
            .await
    }

    async fn tell(
        &self,
        conn: &mut AsyncPgConnection,
        m: &Message,
        delivery: Delivery,
    ) -> Result<(), StoreError> {
        let case = m
            .entity_type
            .as_deref()
            .and_then(|t| self.cases.case_type(t));
        match case {
            Some(case) => case.on_mail(conn, m, delivery).await,
            None => Ok(()),
        }
    }

    /// Rounds until nothing due is left; the totals.
    pub async fn drain(&self) -> Result<Round, StoreError> {
        let mut total = Round::default();
        loop {
            let r = self.round().await?;
            total.claimed += r.claimed;
            total.sent += r.sent;
            total.retried += r.retried;
            total.failed += r.failed;
            total.uncertain += r.uncertain;
            if r.claimed == 0 {
                return Ok(total);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_and_stop_after_the_last_attempt() {
        let b = Backoff {
            base: Duration::from_secs(30),
            max: Duration::from_secs(3600),
            max_attempts: 8,
        };
        assert_eq!(b.delay(1), Duration::from_secs(30));
        assert_eq!(b.delay(2), Duration::from_secs(60));
        assert_eq!(b.delay(4), Duration::from_secs(240));
        assert_eq!(b.delay(8), Duration::from_secs(3600));
        assert_eq!(b.delay(1000), Duration::from_secs(3600));
        let before = Utc::now();
        let at = b.retry_at(1, false).expect("retried");
        assert!(at >= before + chrono::Duration::seconds(30));
        assert!(at <= Utc::now() + chrono::Duration::seconds(34));
        assert!(b.retry_at(8, false).is_none(), "the last attempt failed");
        assert!(
            b.retry_at(1, true).is_none(),
            "a permanent failure is final"
        );
    }
}
