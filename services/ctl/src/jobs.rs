//! `frtctl sweep` and `frtctl outbox`: the worker's jobs on demand, and the operator's view of
//! outgoing mail.

use crate::cli::OutboxCommand;
use anyhow::Context;
use frt_settings::Settings;
use frt_store::outbox;

/// Runs the deadline sweep as of `on` (default: today in China) and prints what it did.
pub async fn sweep(settings: Settings, on: Option<String>) -> anyhow::Result<()> {
    let day = match on {
        Some(d) => {
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").context("--on must be YYYY-MM-DD")?
        }
        None => frt_cases::today_in_china(),
    };
    let core = frt_cases::Core::build(settings).await?;
    let report = frt_cases::sweep::run(&core, day)
        .await
        .map_err(|e| anyhow::anyhow!("the sweep failed: {e}"))?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

pub async fn outbox(settings: Settings, command: OutboxCommand) -> anyhow::Result<()> {
    let core = frt_cases::Core::build(settings).await?;
    let mut conn = core.db.conn().await?;
    match command {
        OutboxCommand::Status => {
            for c in outbox::counts(&mut conn).await? {
                println!("{:<10} {}", c.status, c.count);
            }
        }
        OutboxCommand::List { status, limit } => {
            for m in outbox::with_status(&mut conn, &status, limit).await? {
                println!(
                    "{}  {}  {:<28} to {}  attempts {}  {}",
                    m.id,
                    m.created_at.format("%Y-%m-%d %H:%M"),
                    m.template,
                    m.recipient,
                    m.attempts,
                    m.last_error
                        .as_deref()
                        .or(m.outcome.as_deref())
                        .unwrap_or("")
                );
            }
        }
        OutboxCommand::Requeue { id } => {
            if !outbox::requeue(&mut conn, id).await? {
                anyhow::bail!("no failed or uncertain message {id}");
            }
            println!("{id} is queued again");
        }
        OutboxCommand::Send => {
            drop(conn);
            let round = worker::Worker::new(core)?.send_due().await?;
            println!(
                "sent {}, to retry {}, failed {}, uncertain {}",
                round.sent, round.retried, round.failed, round.uncertain
            );
        }
    }
    Ok(())
}
