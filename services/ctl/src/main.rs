//! `frtctl`: the platform's administration CLI — migrate, load calendars, create staff, seed
//! demo data — and `up`, which runs every service in one process for local use.

mod agencies;
mod audit;
mod backup;
mod bench;
mod calendar;
mod cli;
mod clients;
mod database;
mod demo;
mod exchange_job;
mod jobs;
mod seed;
mod sheets;
mod staff;
mod up;

use clap::Parser;
use cli::*;
use frt_settings::{default_config_dir, Settings};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("frtctl: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The exchange job runs at an agency, far from the platform's database.
    match cli.command {
        Command::Exchange {
            command:
                ExchangeCommand::Pull {
                    out,
                    connection,
                    limit,
                },
        } => {
            let c = exchange_job::Connection::from(
                connection.url,
                connection.key,
                connection.secret_file,
            )?;
            let done = exchange_job::pull(&c, &out, limit.clamp(1, 1000), None).await?;
            println!(
                "pulled {} items into {} files; cursor {}",
                done.items,
                done.files,
                done.cursor.unwrap_or_default()
            );
            return Ok(());
        }
        Command::Exchange {
            command: ExchangeCommand::Push { dir, connection },
        } => {
            let c = exchange_job::Connection::from(
                connection.url,
                connection.key,
                connection.secret_file,
            )?;
            let done = exchange_job::push(&c, &dir).await?;
            println!(
                "pushed {} files; {} refused (see failed/); {} attachments refused (see sent/*.attachments.json)",
                done.sent, done.failed, done.failed_attachments
            );
            return Ok(());
        }
        _ => {}
    }
    let config_dir = cli.config.unwrap_or_else(default_config_dir);
    // Every command finds the database `up` uses: the configured one, or the local cluster.
    let url = database::use_configured_or_local().await?;
    // FRT_ENV is read once, here: a name that is no environment stops every command.
    let env = frt_settings::Environment::of_process_or_local().map_err(anyhow::Error::msg)?;
    if let Command::Up { demo, addresses } = cli.command {
        return up::run(&config_dir, env, demo, addresses.as_deref()).await;
    }
    if let Command::DatabaseUrl = cli.command {
        let owner = std::env::var("FRT__DATABASE__OWNER_URL")
            .ok()
            .filter(|u| !u.trim().is_empty());
        println!("{}", owner.unwrap_or(url));
        return Ok(());
    }
    let settings = Settings::load(&config_dir, env)?;
    frt_cases::logging::init("warn", false);
    match cli.command {
        Command::Migrate => {
            let report = database::migrate_and_load(&settings).await?;
            println!("{report}");
        }
        Command::Calendar { command } => calendar::run(&settings, command).await?,
        Command::Staff { command } => staff::run(&settings, command).await?,
        Command::Audit {
            command: AuditCommand::Verify { checkpoints },
        } => audit::verify(&settings, checkpoints.as_deref()).await?,
        Command::Sweep { on } => jobs::sweep(settings, on).await?,
        Command::Outbox { command } => jobs::outbox(settings, command).await?,
        Command::SeedNational {
            filings,
            audit_rows,
        } => {
            if settings.is_production() {
                anyhow::bail!("benchmark data is never loaded in production");
            }
            let report = database::seed_national(
                &settings,
                seed::SeedSize {
                    filings,
                    audit_rows,
                },
            )
            .await?;
            println!("{report:#?}");
        }
        Command::BenchPrepare {
            out,
            submissions,
            decisions,
        } => {
            if settings.is_production() {
                anyhow::bail!("benchmark sessions are never made in production");
            }
            bench::prepare(&settings.db_settings().url, &out, submissions, decisions).await?;
        }
        Command::Exchange {
            command: ExchangeCommand::Clients { command },
        } => clients::run(settings, command).await?,
        Command::Exchange {
            command: ExchangeCommand::NewEpoch,
        } => println!("{}", backup::new_epoch(&settings).await?),
        Command::Exchange { .. } => {}
        Command::Backup { to } => println!("{}", backup::backup(&settings, &to)?),
        Command::Restore { from } => println!("{}", backup::restore(&settings, &from).await?),
        Command::Agencies { command } => agencies::run(&settings, command).await?,
        Command::Import {
            kind,
            input,
            dry_run,
            as_staff,
            errors,
        } => {
            sheets::import(
                settings,
                &kind,
                &input,
                dry_run,
                &as_staff,
                errors.as_deref(),
            )
            .await?
        }
        Command::Export {
            name,
            out,
            month,
            province,
        } => sheets::export(settings, &name, &out, month.as_deref(), province.as_deref()).await?,
        Command::SampleFilings {
            rows,
            province,
            out,
        } => {
            let written = seed::sample_filings(&out, rows, &province)?;
            println!("{written} paper filings written to {}", out.display());
        }
        Command::SeedDemo => {
            if settings.is_production() {
                anyhow::bail!("demo data is never loaded in production");
            }
            let accounts = demo::seed(&settings).await?;
            demo::print(accounts);
        }
        Command::Up { .. } | Command::DatabaseUrl => {}
    }
    Ok(())
}
