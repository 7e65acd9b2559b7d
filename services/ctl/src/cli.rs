//! The command line: every command and its arguments.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "frtctl",
    about = "Administration of the FRT supervision platform",
    version
)]
pub(crate) struct Cli {
    /// Configuration folder (default: $FRT_CONFIG_DIR or ./config).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
    /// Print the database URL to administer it with: the owner's (`database.owner_url`, the
    /// local cluster's `frt`) when known, else DATABASE_URL; the local cluster is started, and
    /// installed when missing and run as root, as `up` does.
    DatabaseUrl,
    /// Back up the platform into a new folder: a logical dump of the database (pg_dump,
    /// custom format) and a copy of the blob store, with a manifest (docs/operations.md,
    /// "Backups").
    Backup {
        /// The folder to write (new or empty).
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup of `frtctl backup` into the configured database (empty) and blob
    /// folder (empty), migrate, and raise the exchange feed's epoch.
    Restore {
        /// The backup's folder.
        #[arg(long)]
        from: PathBuf,
    },
    /// Agencies (CAC offices, public security, other departments) and their hierarchy.
    Agencies {
        #[command(subcommand)]
        command: AgencyCommand,
    },
    /// The exchange service's clients (other agencies' systems), and the job such a system runs
    /// to pull and push through it.
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
    /// seed demo data, and start portal, casework, the exchange service and the worker in this
    /// process.
    Up {
        /// Load demo accounts and print their credentials.
        #[arg(long)]
        demo: bool,
        /// Once the services listen, write their addresses to this file as JSON
        /// (`{"portal", "casework", "exchange"}`): with ports set to 0, each service takes a
        /// free port of its own and scripts learn which from here.
        #[arg(long, value_name = "FILE")]
        addresses: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
pub(crate) enum AgencyCommand {
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
pub(crate) enum ExchangeCommand {
    /// Raise the exchange feed's epoch after a restore made without `frtctl restore` (a base
    /// backup and WAL, a promoted replica that lost writes), before the services start: what
    /// the database writes next then sorts after every place agencies' systems hold.
    NewEpoch,
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
pub(crate) struct ConnectionArgs {
    /// The exchange service, e.g. https://exchange.example.gov.cn.
    #[arg(long)]
    pub url: Option<String>,
    /// The client's key id.
    #[arg(long)]
    pub key: Option<String>,
    /// A file holding the client's secret.
    #[arg(long)]
    pub secret_file: Option<PathBuf>,
}

#[derive(Subcommand)]
pub(crate) enum ClientCommand {
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
pub(crate) enum CalendarCommand {
    /// Load a year's arrangement (CN-<year>.toml) and recompute the deadlines it affects.
    Load { file: PathBuf },
    /// Show the active calendar versions.
    List,
    /// Compute a due date: FROM (YYYY-MM-DD) plus N working days.
    Due { from: String, working_days: i64 },
}

#[derive(Subcommand)]
pub(crate) enum OutboxCommand {
    /// How many messages are in each status.
    Status,
    /// Messages in a status (pending, claimed, sending, sent, failed, uncertain), oldest first.
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
pub(crate) enum AuditCommand {
    /// Walk the hash chain and report the first broken link (exit status 1 when broken).
    Verify {
        /// A folder of checkpoints as a witness agency's `frtctl exchange pull` keeps them
        /// (its *.jsonl files): the chain must agree with every one, each signature checked
        /// with the keys of audit.verify_keys.
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
pub(crate) enum StaffCommand {
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
