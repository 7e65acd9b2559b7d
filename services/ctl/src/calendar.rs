//! `frtctl calendar`: the working-day calendars, and due dates computed from them.

use crate::cli::*;
use anyhow::Context;
use frt_settings::Settings;
use frt_store::{bootstrap, calendars, ScopedFutureExt};

pub async fn run(settings: &Settings, command: CalendarCommand) -> anyhow::Result<()> {
    let db = frt_store::Db::new(&settings.owner_db_settings())?;
    match command {
        CalendarCommand::Load { file } => {
            let (outcome, recomputed) = db
                .tx(|conn| {
                    async move {
                        let outcome = bootstrap::load_calendar_file(conn, &file).await?;
                        let recomputed = bootstrap::recompute_deadlines(conn).await?;
                        Ok::<_, anyhow::Error>((outcome, recomputed))
                    }
                    .scope_boxed()
                })
                .await?;
            println!("{outcome:?}; deadlines whose due date or lateness changed: {recomputed}");
        }
        CalendarCommand::List => {
            let mut conn = db.conn().await?;
            for v in calendars::active_versions(&mut conn).await? {
                println!("{v}");
            }
        }
        CalendarCommand::Due { from, working_days } => {
            let from = chrono::NaiveDate::parse_from_str(&from, "%Y-%m-%d")
                .context("FROM must be YYYY-MM-DD")?;
            let n = frt_domain::calendar::WorkingDays::new(working_days)?;
            let mut conn = db.conn().await?;
            let cal = calendars::load_active(&mut conn).await?;
            let due = cal.add_working_days(from, n)?;
            println!("{}", serde_json::to_string_pretty(&due)?);
        }
    }
    Ok(())
}
