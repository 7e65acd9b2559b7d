//! Imports from spreadsheets: staff key in what arrived on paper or by phone. Each kind has a
//! sheet description (`frt_sheets::Spec`) that makes its template and reads its uploads; each
//! row is turned into the same typed input the API takes and checked by the same rules, so
//! the checks and messages are the API's own.
//!
//! All or nothing: every row runs in one transaction, and if any row is refused nothing is
//! committed; the answer lists every problem and an error workbook (the upload with an error
//! column) is kept for the uploader alone. A dry run does everything and then rolls back.
//!
//! The kinds: `filings` (paper submissions, written in bulk), `complaints` (the hotline and
//! letter log), `staff` (accounts of the caller's agency) and `calendar` (a year's holiday
//! arrangement, as an alternative to the TOML file).

mod calendar;
mod complaints;
mod filings;
mod staff;

pub use filings::{write_workbook as write_filings_workbook, PaperFiling};

use crate::caller::Caller;
use crate::context::Core;
use crate::error::{Denied, StoreError};
use crate::today_in_china;
use chrono::NaiveDate;
use frt_access::{Action, Resource};
use frt_domain::form::FieldProblem;
use frt_sheets::columns::{CellProblem, Cells, Located};
use frt_sheets::{SheetError, Spec, Table};
use frt_store::audit::{self, Actor};
use frt_store::imports as store;
use frt_store::{AsyncPgConnection, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// What can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Paper submissions keyed in by staff on a processor's behalf.
    Filings,
    /// The hotline and letter log: complaints received by phone, letter, visit or transfer.
    Complaints,
    /// Staff accounts of the importing admin's agency.
    Staff,
    /// A year's holiday arrangement (节假日安排).
    Calendar,
}

impl ImportKind {
    pub const ALL: [ImportKind; 4] = [
        ImportKind::Filings,
        ImportKind::Complaints,
        ImportKind::Staff,
        ImportKind::Calendar,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Filings => "filings",
            ImportKind::Complaints => "complaints",
            ImportKind::Staff => "staff",
            ImportKind::Calendar => "calendar",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kinds the caller's role may import.
    pub fn allowed(core: &Core, caller: &Caller) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|k| {
                let (resource, action) = k.permission();
                caller.may(core, resource, action, None)
            })
            .collect()
    }

    /// What the caller's role must be allowed to do.
    fn permission(self) -> (Resource, Action) {
        match self {
            ImportKind::Filings => (Resource::FILING, Action::Review),
            ImportKind::Complaints => (Resource::COMPLAINT, Action::Handle),
            ImportKind::Staff => (Resource::STAFF_USER, Action::Manage),
            ImportKind::Calendar => (Resource::CALENDAR, Action::Manage),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "there is no import of that kind; the kinds are: filings, complaints, staff, calendar"
    )]
    UnknownKind,
    #[error(transparent)]
    Sheet(#[from] SheetError),
    #[error("the sheet has no data rows under its header row")]
    NoRows,
    #[error("{} problems were found; nothing was imported", problems.len())]
    Rows {
        problems: Vec<CellProblem>,
        /// The error workbook, downloadable by the uploader.
        error_workbook: Option<Uuid>,
    },
    #[error("no error workbook with that id is yours")]
    NotFound,
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(ImportError);

/// An import done (or, in a dry run, checked and rolled back).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    /// Data rows read.
    pub rows: usize,
    /// Whether they were stored (false for a dry run).
    pub committed: bool,
    /// What each row became, in row order (references are empty in a dry run).
    pub created: Vec<Created>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Created {
    /// The row's number in the sheet.
    pub row: u32,
    /// The record it became (a calendar year has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// e.g. the complaint's receipt number, the processor's USCC, the account's email or the
    /// calendar's version.
    pub reference: String,
}

/// Code and label pairs for a choice column.
fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
        .collect()
}

/// The sheet of a kind (provinces come from the region table).
pub async fn spec(core: &Core, kind: ImportKind) -> Result<Spec, ImportError> {
    core.db
        .run(|conn| {
            async move {
                let provinces = store::provinces(conn).await?;
                Ok(match kind {
                    ImportKind::Filings => filings::spec(provinces),
                    ImportKind::Complaints => complaints::spec(provinces),
                    ImportKind::Staff => staff::spec(),
                    ImportKind::Calendar => calendar::spec(),
                })
            }
            .scope_boxed()
        })
        .await
}

/// The template of a kind: an xlsx to fill in.
pub async fn template(core: &Core, caller: &Caller, kind: &str) -> Result<Vec<u8>, ImportError> {
    let kind = ImportKind::parse(kind).ok_or(ImportError::UnknownKind)?;
    let (resource, action) = kind.permission();
    caller.require(core, resource, action, None)?;
    let spec = spec(core, kind).await?;
    tokio::task::spawn_blocking(move || frt_sheets::template::template(&spec))
        .await
        .map_err(|e| anyhow::anyhow!("template: {e}"))
        .and_then(|r| r.map_err(|e| anyhow::anyhow!("template: {e}")))
        .map_err(|e| ImportError::Store(StoreError::Internal(e)))
}

/// The rows of an upload, read into each kind's input.
enum Inputs {
    Filings(Vec<filings::Row>),
    Complaints(Vec<complaints::Row>),
    Staff(Vec<staff::Row>),
    Calendar(Vec<calendar::Row>),
}

impl Inputs {
    fn new(kind: ImportKind) -> Self {
        match kind {
            ImportKind::Filings => Inputs::Filings(Vec::new()),
            ImportKind::Complaints => Inputs::Complaints(Vec::new()),
            ImportKind::Staff => Inputs::Staff(Vec::new()),
            ImportKind::Calendar => Inputs::Calendar(Vec::new()),
        }
    }

    /// Reads one row; false when a cell was unusable (its problems are in `cells`).
    fn read(&mut self, cells: &mut Cells<'_>) -> bool {
        match self {
            Inputs::Filings(v) => filings::read(cells).map(|r| v.push(r)).is_some(),
            Inputs::Complaints(v) => complaints::read(cells).map(|r| v.push(r)).is_some(),
            Inputs::Staff(v) => staff::read(cells).map(|r| v.push(r)).is_some(),
            Inputs::Calendar(v) => calendar::read(cells).map(|r| v.push(r)).is_some(),
        }
    }
}

/// An upload read against its kind's sheet as it streams in: the header matched, then each row
/// read into its input (none once the header is refused).
struct Reading {
    spec: Spec,
    sheet: String,
    /// The header row matched (or its problems); `None` until the header row is read.
    located: Option<Result<Located, Vec<CellProblem>>>,
    inputs: Inputs,
    /// Cells that could not be read into their input.
    problems: Vec<CellProblem>,
    /// Data rows read.
    rows: usize,
}

impl frt_sheets::Rows for Reading {
    fn header(&mut self, sheet: &str, header: Vec<String>) {
        sheet.clone_into(&mut self.sheet);
        self.located = Some(self.spec.locate(sheet, &header));
    }

    fn row(&mut self, row: frt_sheets::Row) {
        self.rows += 1;
        let Some(Ok(located)) = &self.located else {
            return;
        };
        let mut cells = self.spec.row(located, &self.sheet, &row);
        let ok = self.inputs.read(&mut cells);
        let bad = cells.into_problems();
        if !ok || !bad.is_empty() {
            self.problems.extend(bad);
        }
    }
}

/// What a kind needs while applying its rows, besides the connection.
pub(crate) struct Run<'a> {
    pub core: &'a Core,
    pub caller: &'a Caller,
    pub sheet: Sheet<'a>,
    pub today: NaiveDate,
}

/// Turns the API's field problems into problems with cells of the sheet.
pub(crate) struct Sheet<'a> {
    pub spec: &'a Spec,
    pub name: &'a str,
    /// Field paths that are not a column's key, and the column's key they belong to.
    pub aliases: &'a [(&'a str, &'a str)],
}

impl Sheet<'_> {
    /// The header of the column a field path belongs to: the column whose key is the path or
    /// its longest prefix (`reply.email` → 电子邮箱), else the column of the path's alias
    /// (`processor` → 被投诉单位名称).
    fn column_of(&self, path: &str) -> String {
        let longest_prefix = |path: &str| {
            self.spec
                .columns
                .iter()
                .filter(|c| {
                    path == c.key
                        || path
                            .strip_prefix(c.key)
                            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
                })
                .max_by_key(|c| c.key.len())
                .map(|c| c.header.to_owned())
        };
        longest_prefix(path)
            .or_else(|| {
                self.aliases
                    .iter()
                    .find(|(p, _)| {
                        path == *p
                            || path
                                .strip_prefix(p)
                                .is_some_and(|rest| rest.starts_with('.'))
                    })
                    .and_then(|(_, key)| longest_prefix(key))
            })
            .unwrap_or_else(|| path.to_owned())
    }

    pub fn problem(&self, row: u32, key: &str, code: &str, message: String) -> CellProblem {
        CellProblem {
            sheet: self.name.to_owned(),
            row,
            column: self.column_of(key),
            code: code.to_owned(),
            message,
        }
    }

    pub fn problems(&self, row: u32, ps: Vec<FieldProblem>) -> Vec<CellProblem> {
        ps.into_iter()
            .map(|p| self.problem(row, &p.path, &format!("field.{}", p.code), p.message))
            .collect()
    }
}

/// How applying the rows ended when it must not commit.
pub(crate) enum Stop {
    Problems(Vec<CellProblem>),
    DryRun(Vec<Created>),
    Failed(ImportError),
}

impl<E: Into<ImportError>> From<E> for Stop {
    fn from(e: E) -> Self {
        Stop::Failed(e.into())
    }
}

impl Stop {
    /// Stops with `problems` when there are any.
    pub fn unless_empty(problems: Vec<CellProblem>) -> Result<(), Stop> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Stop::Problems(problems))
        }
    }
}

/// Applies the rows in the transaction: what each row became, or why the import stops.
async fn apply(
    conn: &mut AsyncPgConnection,
    run: &Run<'_>,
    inputs: Inputs,
) -> Result<Vec<Created>, Stop> {
    match inputs {
        Inputs::Filings(rows) => filings::apply(conn, run, rows).await,
        Inputs::Complaints(rows) => complaints::apply(conn, run, rows).await,
        Inputs::Staff(rows) => staff::apply(conn, run, rows).await,
        Inputs::Calendar(rows) => calendar::apply(conn, run, rows).await,
    }
}

/// Field paths of each kind that no column carries as its key.
fn aliases(kind: ImportKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        ImportKind::Filings => filings::ALIASES,
        ImportKind::Complaints => complaints::ALIASES,
        ImportKind::Staff => staff::ALIASES,
        ImportKind::Calendar => &[],
    }
}

/// Imports `bytes` (an xlsx or xls workbook) as `kind`; its duration is reported as
/// `frt_import_duration_seconds` by kind and outcome.
pub async fn run(
    core: &Core,
    caller: &Caller,
    kind: &str,
    bytes: Vec<u8>,
    dry_run: bool,
) -> Result<ImportOutcome, ImportError> {
    let started = std::time::Instant::now();
    let label = ImportKind::parse(kind).map_or("unknown", |k| k.as_str());
    let done = import(core, caller, kind, bytes, dry_run).await;
    let outcome = match &done {
        Ok(_) if dry_run => "checked",
        Ok(_) => "done",
        Err(_) => "refused",
    };
    metrics::histogram!(crate::metrics::IMPORT_SECONDS, "kind" => label, "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
    done
}

async fn import(
    core: &Core,
    caller: &Caller,
    kind: &str,
    bytes: Vec<u8>,
    dry_run: bool,
) -> Result<ImportOutcome, ImportError> {
    let kind = ImportKind::parse(kind).ok_or(ImportError::UnknownKind)?;
    let (resource, action) = kind.permission();
    caller.require(core, resource, action, None)?;
    let spec = spec(core, kind).await?;
    let limits = core.settings.imports.clone();
    let sheet = spec.sheet;
    let started = std::time::Instant::now();
    let for_reading = limits.clone();
    // Cells into inputs as the sheet streams in: every cell problem of every row, and no
    // copy of the whole sheet beside its typed rows. A refusal reads the upload again for
    // its error workbook.
    let (bytes, reading) = tokio::task::spawn_blocking(move || {
        let mut reading = Reading {
            spec,
            sheet: String::new(),
            located: None,
            inputs: Inputs::new(kind),
            problems: Vec::new(),
            rows: 0,
        };
        frt_sheets::read_into(&bytes, &for_reading, Some(sheet), &mut reading)?;
        Ok::<_, SheetError>((bytes, reading))
    })
    .await
    .map_err(|e| StoreError::Internal(anyhow::anyhow!("reading the workbook: {e}")))??;
    let bytes_len = bytes.len();
    let Reading {
        spec,
        sheet: sheet_name,
        located,
        inputs,
        mut problems,
        rows,
    } = reading;
    if let Some(Err(header_problems)) = located {
        let table = table_of(bytes, limits, sheet).await?;
        return refuse(core, caller, kind, &spec, table, header_problems, dry_run).await;
    }
    if rows == 0 {
        return Err(ImportError::NoRows);
    }
    tracing::info!(
        kind = kind.as_str(),
        rows,
        bad_cells = problems.len(),
        seconds = started.elapsed().as_secs_f64(),
        "import: workbook read and rows parsed"
    );
    let run = Run {
        core,
        caller,
        sheet: Sheet {
            spec: &spec,
            name: &sheet_name,
            aliases: aliases(kind),
        },
        today: today_in_china(),
    };
    let run = &run;
    let outcome = core
        .db
        .batch_tx(|conn| {
            async move {
                // Rows with unreadable cells are not applied; the others still are, so the
                // answer names every problem of every row at once.
                let applied = apply(conn, run, inputs).await;
                tracing::info!(
                    kind = kind.as_str(),
                    seconds = started.elapsed().as_secs_f64(),
                    "import: rows applied"
                );
                let created = match (applied, problems.is_empty()) {
                    (Ok(created), true) => created,
                    (Ok(_), false) => return Err(Stop::Problems(problems)),
                    (Err(Stop::Problems(more)), _) => {
                        problems.extend(more);
                        return Err(Stop::Problems(problems));
                    }
                    (Err(stop), _) => return Err(stop),
                };
                if dry_run {
                    return Err(Stop::DryRun(created));
                }
                audit::record(
                    conn,
                    &caller.actor,
                    "import.committed",
                    store::ENTITY,
                    kind.as_str(),
                    None,
                    Some(json!({ "kind": kind.as_str(), "rows": rows, "bytes": bytes_len })),
                )
                .await?;
                Ok(created)
            }
            .scope_boxed()
        })
        .await;
    match outcome {
        Ok(created) => Ok(ImportOutcome {
            rows,
            committed: true,
            created,
        }),
        Err(Stop::DryRun(created)) => {
            record(core, &caller.actor, "import.dry_run", kind, rows).await?;
            Ok(ImportOutcome {
                rows,
                committed: false,
                created: created
                    .into_iter()
                    .map(|c| Created {
                        row: c.row,
                        id: None,
                        reference: String::new(),
                    })
                    .collect(),
            })
        }
        Err(Stop::Problems(mut problems)) => {
            problems.sort_by_key(|p| p.row);
            let table = table_of(bytes, limits, sheet).await?;
            refuse(core, caller, kind, &spec, table, problems, dry_run).await
        }
        Err(Stop::Failed(e)) => Err(e),
    }
}

/// The upload as a whole sheet, for its error workbook.
async fn table_of(
    bytes: Vec<u8>,
    limits: frt_sheets::Limits,
    sheet: &'static str,
) -> Result<Table, ImportError> {
    let table = tokio::task::spawn_blocking(move || frt_sheets::read(&bytes, &limits, Some(sheet)))
        .await
        .map_err(|e| StoreError::Internal(anyhow::anyhow!("reading the workbook: {e}")))??;
    Ok(table)
}

async fn record(
    core: &Core,
    actor: &Actor,
    action: &str,
    kind: ImportKind,
    rows: usize,
) -> Result<(), ImportError> {
    audit::record_alone(
        &core.db,
        actor,
        action,
        store::ENTITY,
        kind.as_str(),
        json!({ "kind": kind.as_str(), "rows": rows }),
    )
    .await?;
    Ok(())
}

/// Refuses the upload: the error workbook is written and kept for the uploader. Cells of
/// secret columns (initial passwords) are blanked in it.
async fn refuse(
    core: &Core,
    caller: &Caller,
    kind: ImportKind,
    spec: &Spec,
    mut table: Table,
    problems: Vec<CellProblem>,
    dry_run: bool,
) -> Result<ImportOutcome, ImportError> {
    spec.blank_secrets(&mut table);
    let rows = table.rows.len();
    let for_book = problems.clone();
    let book =
        tokio::task::spawn_blocking(move || frt_sheets::write::error_workbook(&table, &for_book))
            .await
            .map_err(|e| StoreError::Internal(anyhow::anyhow!("error workbook: {e}")))?
            .map_err(|e| StoreError::Internal(anyhow::anyhow!("error workbook: {e}")))?;
    let mut blob = core.blobs.begin().await.map_err(StoreError::from_blob)?;
    if let Err(e) = blob.write(&book).await {
        blob.abort().await;
        return Err(StoreError::from_blob(e).into());
    }
    let stored = blob.commit().await.map_err(StoreError::from_blob)?;
    let id = Uuid::now_v7();
    let user_id = caller.principal.user_id;
    let actor = caller.actor.clone();
    let count = problems.len();
    let saved = core
        .db
        .tx(|conn| {
            let stored = stored.clone();
            async move {
                store::insert(
                    conn,
                    &store::ErrorWorkbook {
                        id,
                        user_id,
                        kind: kind.as_str().to_owned(),
                        blob_key: stored.key.clone(),
                        size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
                        created_at: chrono::Utc::now(),
                    },
                )
                .await?;
                audit::record(
                    conn,
                    &actor,
                    "import.refused",
                    store::ENTITY,
                    kind.as_str(),
                    None,
                    Some(
                        json!({ "kind": kind.as_str(), "rows": rows, "problems": count,
                                 "dry_run": dry_run, "error_workbook": id }),
                    ),
                )
                .await?;
                Ok::<_, ImportError>(())
            }
            .scope_boxed()
        })
        .await;
    if let Err(e) = saved {
        core.blobs.remove(&stored.key).await;
        return Err(e);
    }
    Err(ImportError::Rows {
        problems,
        error_workbook: Some(id),
    })
}

/// The caller's own error workbook.
pub async fn error_workbook(
    core: &Core,
    caller: &Caller,
    id: Uuid,
) -> Result<crate::download::Download, ImportError> {
    core.db
        .run(|conn| {
            async move {
                let found = store::of_user(conn, id, caller.principal.user_id)
                    .await?
                    .ok_or(ImportError::NotFound)?;
                let file = core
                    .blobs
                    .open(&found.blob_key)
                    .await
                    .map_err(StoreError::Internal)?;
                Ok(crate::download::Download {
                    filename: format!("{}-错误说明.xlsx", found.kind),
                    content_type:
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_owned(),
                    size_bytes: found.size_bytes,
                    sha256: String::new(),
                    file,
                })
            }
            .scope_boxed()
        })
        .await
}
