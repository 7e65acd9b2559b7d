//! `frtctl`: the platform's administration CLI — migrate, load calendars, create staff, seed
//! demo data — and `up`, which runs every service in one process for local use.

mod audit;
mod bench;
mod demo;
mod exchange_job;
mod jobs;
mod seed;
mod up;

use anyhow::Context;
use clap::{Parser, Subcommand};
use frt_access::accounts::{self, Owner};
use frt_access::{AgencyKind, Role};
use frt_cases::config::{default_config_dir, Settings};
use frt_store::audit::Actor;
use frt_store::{bootstrap, calendars, identities, migrate, ScopedFutureExt};
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Parser)]
#[command(
    name = "frtctl",
    about = "Administration of the FRT supervision platform",
    version
)]
struct Cli {
    /// Configuration folder (default: $FRT_CONFIG_DIR or ./config).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations and load reference data (provinces, calendars).
    Migrate,
    /// Working-day calendars.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Run the deadline sweep now: reminders, overdue marks, escalations (safe to repeat).
    Sweep {
        /// Sweep as of this day (YYYY-MM-DD) instead of today in China.
        #[arg(long)]
        on: Option<String>,
    },
    /// The outbox of outgoing mail.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Write the load benchmark's inputs (sessions, filings to submit and decide, a deep queue
    /// cursor) for a database loaded by seed-national; see services/ctl/bench/run.sh.
    BenchPrepare {
        #[arg(long, default_value = "target/bench")]
        out: PathBuf,
        #[arg(long, default_value_t = 25_000)]
        submissions: i64,
        #[arg(long, default_value_t = 20_000)]
        decisions: i64,
    },
    /// Print the database URL to use: DATABASE_URL when set, otherwise the local cluster's
    /// (started, and installed when missing and run as root, as `up` does).
    DatabaseUrl,
    /// Agencies (CAC offices, public security, other departments) and their hierarchy.
    Agencies {
        #[command(subcommand)]
        command: AgencyCommand,
    },
    /// The exchange service's clients (other agencies' systems).
    Exchange {
        #[command(subcommand)]
        command: ExchangeCommand,
    },
    /// Write an export as xlsx, streamed from the database in constant memory, for every
    /// province (audited under the command): registry, review-queue, inspections, statistics.
    Export {
        /// registry, review-queue, inspections or statistics
        name: String,
        /// The xlsx file to write.
        #[arg(long)]
        out: PathBuf,
        /// statistics: the month, YYYY-MM.
        #[arg(long)]
        month: Option<String>,
        /// inspections, statistics: one province (GB/T 2260 code).
        #[arg(long)]
        province: Option<String>,
    },
    /// Import a workbook as a member of staff would upload it (every row or none; audited under
    /// their account): filings, complaints, staff, calendar.
    Import {
        /// filings, complaints, staff or calendar
        kind: String,
        /// The workbook (.xlsx or .xls).
        #[arg(long = "in")]
        input: PathBuf,
        /// Check every row and store nothing.
        #[arg(long)]
        dry_run: bool,
        /// The staff account the import is made as (its role must allow the kind).
        #[arg(long = "as")]
        as_staff: String,
        /// Where to write the error workbook when rows are refused.
        #[arg(long)]
        errors: Option<PathBuf>,
    },
    /// Write a filled-in `filings` import workbook of generated paper submissions (initial
    /// filings of distinct processors, all complete), for QA and the import benchmark; never
    /// for real data.
    SampleFilings {
        /// Data rows.
        #[arg(long, default_value_t = 100)]
        rows: usize,
        /// The processors' province (GB/T 2260 code).
        #[arg(long, default_value = "310000")]
        province: String,
        /// The xlsx file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Load the demo data set (refused in production).
    SeedDemo,
    /// Load a national benchmark data set: filings in every status across the 31 mainland
    /// provinces with organisations, materials metadata, deadlines, review staff and a sealed
    /// audit log (refused in production). Password of every seeded account: seed-password-2026.
    SeedNational {
        #[arg(long, default_value_t = 1_000_000)]
        filings: usize,
        #[arg(long, default_value_t = 10_000_000)]
        audit_rows: usize,
    },
    /// Run the whole platform locally: provision PostgreSQL if needed, migrate, optionally
    /// seed demo data, and start portal and casework in this process.
    Up {
        /// Load demo accounts and print their credentials.
        #[arg(long)]
        demo: bool,
    },
}

#[derive(Subcommand)]
enum AgencyCommand {
    /// Every agency with its kind, level, province and parent.
    List,
    /// Set an agency's level and the agency above it.
    Place {
        /// The agency: its id or its (unique) name.
        #[arg(long)]
        agency: String,
        /// national, provincial, municipal or county.
        #[arg(long)]
        level: String,
        /// The agency above it (id or name); none for a top-level agency.
        #[arg(long)]
        parent: Option<String>,
    },
}

#[derive(Subcommand)]
enum ExchangeCommand {
    /// API clients of agencies' systems.
    Clients {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Pull the notification events addressed to the client's agency into a folder (JSON
    /// Lines), from where the last pull stopped. Run on a schedule; safe to interrupt.
    Pull {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        connection: ConnectionArgs,
        /// Items per page (1 to 1000).
        #[arg(long, default_value_t = 500)]
        limit: u32,
    },
    /// Push every notification file (*.json) in a folder, each once; sent ones move to sent/.
    Push {
        #[arg(long = "in")]
        dir: PathBuf,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
}

/// How the exchange job reaches the service (defaults from FRT_EXCHANGE_URL,
/// FRT_EXCHANGE_KEY and FRT_EXCHANGE_SECRET).
#[derive(clap::Args)]
struct ConnectionArgs {
    /// The exchange service, e.g. https://exchange.example.gov.cn.
    #[arg(long)]
    url: Option<String>,
    /// The client's key id.
    #[arg(long)]
    key: Option<String>,
    /// A file holding the client's secret.
    #[arg(long)]
    secret_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Register a client bound to one agency with scopes; prints its key id and secret once.
    Create {
        /// The agency: its id or its (unique) name.
        #[arg(long)]
        agency: String,
        /// Comma-separated: notifications:read, notifications:write, registry:read.
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
        /// Print JSON: {"key_id": ..., "secret": ...}.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a client at once.
    Revoke { key_id: String },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Load a year's arrangement (CN-<year>.toml) and recompute the deadlines it affects.
    Load { file: PathBuf },
    /// Show the active calendar versions.
    List,
    /// Compute a due date: FROM (YYYY-MM-DD) plus N working days.
    Due { from: String, working_days: i64 },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// How many messages are in each status.
    Status,
    /// Messages in a status (pending, sending, sent, failed, uncertain), oldest first.
    List {
        #[arg(long, default_value = "failed")]
        status: String,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Put a failed or uncertain message back in the queue (check first that an uncertain one
    /// did not arrive).
    Requeue { id: uuid::Uuid },
    /// Send everything due now and stop.
    Send,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and report the first broken link (exit status 1 when broken).
    Verify,
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff account in an agency (created if missing). The password is read from
    /// the FRT_NEW_PASSWORD variable.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// reviewer, inspector, complaint_handler, supervisor or admin
        #[arg(long)]
        role: String,
        /// provincial_cac, national_cac, public_security or other_department
        #[arg(long)]
        agency_kind: String,
        #[arg(long)]
        agency_name: String,
        /// Province code of the agency (not for national_cac).
        #[arg(long)]
        province: Option<String>,
    },
}

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
    let url = use_configured_or_local_database().await?;
    // FRT_ENV is read once, here: a name that is no environment stops every command.
    let env = frt_cases::config::Environment::of_process_or_local().map_err(anyhow::Error::msg)?;
    if let Command::Up { demo } = cli.command {
        return up::run(&config_dir, env, demo).await;
    }
    if let Command::DatabaseUrl = cli.command {
        println!("{url}");
        return Ok(());
    }
    let settings = Settings::load(&config_dir, env)?;
    frt_cases::logging::init("warn", false);
    match cli.command {
        Command::Migrate => {
            let report = migrate_and_load(&settings).await?;
            println!("{report}");
        }
        Command::Calendar { command } => calendar(&settings, command).await?,
        Command::Staff { command } => staff(&settings, command).await?,
        Command::Audit {
            command: AuditCommand::Verify,
        } => audit::verify(&settings).await?,
        Command::Sweep { on } => jobs::sweep(settings, on).await?,
        Command::Outbox { command } => jobs::outbox(settings, command).await?,
        Command::SeedNational {
            filings,
            audit_rows,
        } => {
            if settings.is_production() {
                anyhow::bail!("benchmark data is never loaded in production");
            }
            let report = seed_national(
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
        } => exchange_clients(settings, command).await?,
        Command::Exchange { .. } => {}
        Command::Agencies { command } => agencies(&settings, command).await?,
        Command::Import {
            kind,
            input,
            dry_run,
            as_staff,
            errors,
        } => {
            import(
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
        } => export(settings, &name, &out, month.as_deref(), province.as_deref()).await?,
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

async fn agencies(settings: &Settings, command: AgencyCommand) -> anyhow::Result<()> {
    let core = frt_cases::Core::build(settings.clone()).await?;
    match command {
        AgencyCommand::List => {
            for a in frt_cases::agencies::all(&core).await? {
                println!(
                    "{}  {:<16} {:<10} {:<6} {}  parent {}",
                    a.id,
                    a.kind,
                    a.level,
                    a.province_code.as_deref().unwrap_or("-"),
                    a.name,
                    a.parent_id.map_or("-".to_owned(), |p| p.to_string())
                );
            }
        }
        AgencyCommand::Place {
            agency,
            level,
            parent,
        } => {
            let actor = frt_store::audit::Actor::system("frtctl agencies place");
            let placed =
                frt_cases::agencies::place(&core, &actor, &agency, &level, parent.as_deref())
                    .await?;
            println!(
                "{} is now {level}{}",
                placed.agency.name,
                placed
                    .parent
                    .map(|p| format!(" under {}", p.name))
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}

async fn import(
    settings: Settings,
    kind: &str,
    input: &std::path::Path,
    dry_run: bool,
    email: &str,
    errors: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use frt_access::{AgencyKind, Principal, PrincipalKind, Role};
    use std::str::FromStr;
    let core = frt_cases::Core::build(settings).await?;
    let mut conn = core.db.conn().await?;
    let user = frt_store::identities::user_by_email(&mut conn, "casework", email)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| anyhow::anyhow!("no active staff account {email}"))?;
    let agency_id = user
        .agency_id
        .ok_or_else(|| anyhow::anyhow!("{email} is not a member of staff"))?;
    let agency = frt_store::identities::agency(&mut conn, agency_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the agency of {email} is gone"))?;
    drop(conn);
    let principal = Principal {
        user_id: user.id,
        email: user.email,
        display_name: user.display_name,
        role: Role::from_str(&user.role).map_err(|e| anyhow::anyhow!(e))?,
        kind: PrincipalKind::Staff {
            agency_id,
            agency_kind: AgencyKind::from_str(&agency.kind).map_err(|e| anyhow::anyhow!(e))?,
            jurisdiction: agency.province_code,
        },
    };
    let caller = frt_cases::Caller {
        actor: frt_store::audit::Actor {
            user_id: Some(principal.user_id),
            label: format!("{} (frtctl import)", principal.audit_label()),
            client_ip: None,
            request_id: None,
        },
        principal,
    };
    let bytes = std::fs::read(input)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", input.display()))?;
    let started = std::time::Instant::now();
    match frt_cases::imports::run(&core, &caller, kind, bytes, dry_run).await {
        Ok(outcome) => {
            println!(
                "{} rows read in {:.2} s; {}",
                outcome.rows,
                started.elapsed().as_secs_f64(),
                if outcome.committed {
                    "all stored"
                } else {
                    "dry run: nothing stored"
                }
            );
            Ok(())
        }
        Err(frt_cases::imports::ImportError::Rows {
            problems,
            error_workbook,
        }) => {
            for p in problems.iter().take(50) {
                eprintln!(
                    "{}!{} {}: {} ({})",
                    p.sheet, p.row, p.column, p.message, p.code
                );
            }
            if let (Some(path), Some(id)) = (errors, error_workbook) {
                let mut download = frt_cases::imports::error_workbook(&core, &caller, id)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let mut out = tokio::fs::File::create(path).await?;
                tokio::io::copy(&mut download.file, &mut out).await?;
                eprintln!("error workbook written to {}", path.display());
            }
            anyhow::bail!("{} problems; nothing was imported", problems.len())
        }
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

async fn export(
    settings: Settings,
    name: &str,
    out: &std::path::Path,
    month: Option<&str>,
    province: Option<&str>,
) -> anyhow::Result<()> {
    use frt_cases::exports;
    let core = frt_cases::Core::build(settings).await?;
    let reader = exports::Reader::national(frt_store::audit::Actor::system("frtctl export"));
    let exported = match name {
        "registry" => exports::registry(&core, &reader).await,
        "review-queue" => {
            let filter = frt_store::filings::QueueFilter::default();
            frt_cases::filings::queue::export_of(&core, &reader, serde_json::json!({}), &filter)
                .await
        }
        "inspections" => exports::inspections(&core, &reader, province).await,
        "statistics" => {
            let month = month.ok_or_else(|| anyhow::anyhow!("statistics needs --month YYYY-MM"))?;
            exports::statistics(&core, &reader, month, province).await
        }
        other => anyhow::bail!(
            "no export named {other}; the exports are: registry, review-queue, inspections, statistics"
        ),
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // The export was written beside the system's temporary files: moved into place, or
    // copied when that is another file system.
    if std::fs::rename(&exported.path, out).is_err() {
        std::fs::copy(&exported.path, out)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    }
    println!("{} rows written to {}", exported.rows, out.display());
    Ok(())
}

async fn exchange_clients(settings: Settings, command: ClientCommand) -> anyhow::Result<()> {
    let core = frt_cases::Core::build(settings).await?;
    let actor = frt_store::audit::Actor::system("frtctl exchange clients");
    match command {
        ClientCommand::Create {
            agency,
            scopes,
            json,
        } => {
            let c = frt_cases::exchange::create_client(&core, &actor, &agency, &scopes)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "key_id": c.key_id, "secret": c.secret })
                );
            } else {
                println!("key id:  {}", c.key_id);
                println!("secret:  {}", c.secret);
                println!("agency:  {}", c.agency_id);
                println!("scopes:  {}", c.scopes.join(","));
                println!("The secret is shown only now; keep it in the agency's secret store.");
            }
        }
        ClientCommand::Revoke { key_id } => {
            let done = frt_cases::exchange::revoke_client(&core, &actor, &key_id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if !done {
                anyhow::bail!("no active client has the key id {key_id:?}");
            }
            println!("revoked {key_id}: its requests are refused from now on");
        }
    }
    Ok(())
}

/// The database every command uses: `FRT__DATABASE__URL` or `DATABASE_URL` when set;
/// otherwise the local cluster (started, and installed when missing and run as root), which
/// is then named in `DATABASE_URL` for the configuration to read.
async fn use_configured_or_local_database() -> anyhow::Result<String> {
    if let Ok(url) = std::env::var("FRT__DATABASE__URL") {
        if !url.trim().is_empty() {
            return Ok(url);
        }
    }
    let url = frt_store::local::ensure_database_url().await?;
    std::env::set_var("DATABASE_URL", &url);
    Ok(url)
}

/// Migrates the database and loads reference data; returns a summary for the operator.
pub async fn migrate_and_load(settings: &Settings) -> anyhow::Result<String> {
    let db_settings = settings.db_settings();
    if db_settings.url.is_empty() {
        anyhow::bail!("no database configured: set DATABASE_URL or FRT__DATABASE__URL");
    }
    let applied = migrate::run_pending(&db_settings.url).await?;
    let db = frt_store::Db::new(&db_settings)?;
    let regions = settings.path(&settings.paths.regions_file);
    let cal_dir = settings.path(&settings.paths.calendars_dir);
    let report = db
        .tx(|conn| {
            async move { bootstrap::load_reference(conn, &regions, &cal_dir).await }.scope_boxed()
        })
        .await?;
    Ok(format!(
        "migrations applied: {}; provinces: {}; calendars loaded: {}; deadlines recomputed: {}",
        if applied.is_empty() {
            "none pending".to_owned()
        } else {
            applied.join(", ")
        },
        report.regions,
        if report.calendars_loaded.is_empty() {
            "none new".to_owned()
        } else {
            report.calendars_loaded.join(", ")
        },
        report.deadlines_recomputed
    ))
}

/// Loads the national benchmark set into the configured database.
pub async fn seed_national(
    settings: &Settings,
    size: seed::SeedSize,
) -> anyhow::Result<seed::SeedReport> {
    let url = settings.db_settings().url;
    let db = frt_store::Db::new(&settings.db_settings())?;
    let calendar = {
        let mut conn = db.conn().await?;
        calendars::load_active(&mut conn).await?
    };
    let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .context("cannot connect to the database")?;
    let driver = tokio::spawn(connection);
    let report = seed::seed(&mut client, &calendar, size).await;
    drop(client);
    let _ = driver.await;
    report
}

async fn calendar(settings: &Settings, command: CalendarCommand) -> anyhow::Result<()> {
    let db = frt_store::Db::new(&settings.db_settings())?;
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

async fn staff(settings: &Settings, command: StaffCommand) -> anyhow::Result<()> {
    let StaffCommand::Create {
        email,
        name,
        role,
        agency_kind,
        agency_name,
        province,
    } = command;
    let role = Role::from_str(&role).map_err(anyhow::Error::msg)?;
    let kind = AgencyKind::from_str(&agency_kind).map_err(anyhow::Error::msg)?;
    let password = std::env::var("FRT_NEW_PASSWORD")
        .context("set FRT_NEW_PASSWORD to the new account's password")?;
    let db = frt_store::Db::new(&settings.db_settings())?;
    let user = db
        .tx(|conn| {
            async move {
                let agency = identities::ensure_agency(
                    conn,
                    kind.as_str(),
                    &agency_name,
                    province.as_deref(),
                )
                .await?;
                let new =
                    accounts::prepare(&email, &name, &password, role, Owner::Agency(agency.id))?;
                let user = accounts::insert(conn, &Actor::system("frtctl"), new).await?;
                Ok::<_, anyhow::Error>(user)
            }
            .scope_boxed()
        })
        .await?;
    println!("created {} ({}) with id {}", user.email, user.role, user.id);
    Ok(())
}
