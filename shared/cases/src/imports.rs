//! Imports from spreadsheets: staff key in what arrived on paper or by phone. Each kind has a
//! sheet description (`frt_sheets::Spec`) that makes its template and reads its uploads; each
//! row is turned into the same typed input the API takes and goes through the same use case,
//! so the checks and messages are the API's own.
//!
//! All or nothing: every row runs in one transaction, and if any row is refused nothing is
//! committed; the answer lists every problem and an error workbook (the upload with an error
//! column) is kept for the uploader alone. A dry run does everything and then rolls back.

use crate::caller::Caller;
use crate::complaints::intake::{self, ComplaintInput, ProcessorGiven, ReplyGiven};
use crate::complaints::ComplaintError;
use crate::context::Core;
use crate::error::{Denied, StoreError};
use crate::today_in_china;
use frt_access::{Action, Resource};
use frt_domain::complaint::ComplaintChannel;
use frt_domain::form::FieldProblem;
use frt_sheets::columns::{CellProblem, Cells, Column};
use frt_sheets::{SheetError, Spec, Table};
use frt_store::audit::{self, Actor};
use frt_store::imports as store;
use frt_store::ScopedFutureExt;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// What can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// The hotline and letter log: complaints received by phone, letter, visit or transfer.
    Complaints,
}

impl ImportKind {
    pub const ALL: [ImportKind; 1] = [ImportKind::Complaints];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Complaints => "complaints",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the caller's role must be allowed to do.
    fn permission(self) -> (Resource, Action) {
        match self {
            ImportKind::Complaints => (Resource::COMPLAINT, Action::Handle),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("there is no import of that kind; the kinds are: complaints")]
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
    pub id: Uuid,
    /// e.g. the complaint's receipt number.
    pub reference: String,
}

const CHANNELS: [(&str, &str); 4] = [
    ("phone", "电话"),
    ("letter", "来信"),
    ("visit", "来访"),
    ("transfer", "转办"),
];

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
        .collect()
}

/// The sheet of a kind (provinces come from the region table).
pub async fn spec(core: &Core, kind: ImportKind) -> Result<Spec, ImportError> {
    let mut conn = core.db.conn().await?;
    let provinces = store::provinces(&mut conn).await?;
    Ok(match kind {
        ImportKind::Complaints => Spec {
            kind: kind.as_str(),
            title: "投诉举报登记表（电话、来信、来访、转办）",
            sheet: "投诉举报",
            columns: vec![
                Column::choice("channel", "受理渠道", pairs(&CHANNELS)).required(),
                Column::text("processor.uscc", "被投诉单位统一社会信用代码", 18)
                    .note("18 位统一社会信用代码；不知道时填写单位名称"),
                Column::text("processor.name", "被投诉单位名称", 200),
                Column::choice("province", "所在省份", provinces)
                    .note("单位未在本平台登记时必填：从下拉列表选择省份"),
                Column::text("description", "投诉举报内容", 5000).required(),
                Column::date("occurred_on", "发生日期"),
                Column::text("location", "发生地点", 500),
                Column::yes_no("anonymous", "是否匿名"),
                Column::choice(
                    "reply.channel",
                    "答复方式",
                    pairs(&[("mail", "电子邮件"), ("post", "邮寄")]),
                )
                .note("非匿名时必填"),
                Column::text("reply.name", "联系人姓名", 100),
                Column::text("reply.email", "电子邮箱", 254).note("答复方式为电子邮件时必填"),
                Column::text("reply.postal_address", "通信地址", 500)
                    .note("答复方式为邮寄时必填"),
                Column::text("reply.phone", "联系电话", 40),
            ],
            instructions: vec![
                "每行登记一件投诉举报；第一行为表头，请勿修改表头文字。",
                "带下拉列表的列请从列表中选择；日期请写作 YYYY-MM-DD。",
                "任何一行有误时整表不导入：系统返回错误说明和标注错误的工作簿，修改后重新上传即可。",
                "联系人信息加密保存，仅有权限的工作人员可见。",
            ],
        },
    })
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

/// One row, read into the API's input.
enum Input {
    Complaint(ComplaintChannel, Box<ComplaintInput>),
}

fn complaint_of(cells: &mut Cells<'_>) -> Option<Input> {
    let channel = cells
        .choice("channel")
        .and_then(|c| c.parse::<ComplaintChannel>().ok());
    let input = ComplaintInput {
        processor: ProcessorGiven {
            uscc: cells.text("processor.uscc"),
            name: cells.text("processor.name"),
        },
        province: cells.choice("province"),
        description: cells.text("description").unwrap_or_default(),
        occurred_on: cells.date("occurred_on").map(|d| d.to_string()),
        location: cells.text("location"),
        anonymous: cells.yes_no("anonymous").unwrap_or(false),
        reply: None,
    };
    let reply_channel = cells.choice("reply.channel");
    let reply = ReplyGiven {
        channel: reply_channel.clone().unwrap_or_default(),
        email: cells.text("reply.email"),
        postal_address: cells.text("reply.postal_address"),
        name: cells.text("reply.name"),
        phone: cells.text("reply.phone"),
        language: None,
    };
    let input = ComplaintInput {
        reply: reply_channel.map(|_| reply),
        ..input
    };
    Some(Input::Complaint(channel?, Box::new(input)))
}

/// The column a field problem of the API belongs to (`reply.email` → 电子邮箱).
fn column_of(spec: &Spec, path: &str) -> String {
    let key = match path {
        "processor" => "processor.name",
        "reply" => "reply.channel",
        p => p,
    };
    spec.columns
        .iter()
        .find(|c| c.key == key || key.starts_with(&format!("{}.", c.key)))
        .map_or_else(|| path.to_owned(), |c| c.header.to_owned())
}

fn problems_of(spec: &Spec, sheet: &str, row: u32, ps: Vec<FieldProblem>) -> Vec<CellProblem> {
    ps.into_iter()
        .map(|p| CellProblem {
            sheet: sheet.to_owned(),
            row,
            column: column_of(spec, &p.path),
            code: format!("field.{}", p.code),
            message: p.message,
        })
        .collect()
}

/// How a run inside the transaction ended when it must not commit.
enum Stop {
    Problems(Vec<CellProblem>),
    DryRun(Vec<Created>),
    Failed(ImportError),
}

impl<E: Into<ImportError>> From<E> for Stop {
    fn from(e: E) -> Self {
        Stop::Failed(e.into())
    }
}

/// Imports `bytes` (an xlsx or xls workbook) as `kind`.
pub async fn run(
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
    let (table, bytes_len) = tokio::task::spawn_blocking(move || {
        let len = bytes.len();
        frt_sheets::read(&bytes, &limits, Some(sheet)).map(|t| (t, len))
    })
    .await
    .map_err(|e| StoreError::Internal(anyhow::anyhow!("reading the workbook: {e}")))??;
    let located = match spec.locate(&table) {
        Ok(l) => l,
        Err(problems) => return refuse(core, caller, kind, table, problems, dry_run).await,
    };
    if table.rows.is_empty() {
        return Err(ImportError::NoRows);
    }
    // Cells into inputs: every cell problem of every row.
    let mut inputs = Vec::with_capacity(table.rows.len());
    let mut problems = Vec::new();
    for row in &table.rows {
        let mut cells = spec.row(&located, &table.sheet, row);
        let input = match kind {
            ImportKind::Complaints => complaint_of(&mut cells),
        };
        let bad = cells.into_problems();
        match input {
            Some(i) if bad.is_empty() => inputs.push((row.number, i)),
            _ => problems.extend(bad),
        }
    }
    let rows = table.rows.len();
    let today = today_in_china();
    let spec_ref = &spec;
    let sheet_name = table.sheet.clone();
    let outcome = core
        .db
        .batch_tx(|conn| {
            async move {
                let mut problems = problems;
                let mut created = Vec::with_capacity(inputs.len());
                for (row, input) in &inputs {
                    match input {
                        Input::Complaint(channel, input) => {
                            match intake::enter_in(conn, core, caller, input, *channel, today).await
                            {
                                Ok(r) => created.push(Created {
                                    row: *row,
                                    id: r.id,
                                    reference: r.receipt_number,
                                }),
                                Err(ComplaintError::Invalid(ps)) => {
                                    problems.extend(problems_of(spec_ref, &sheet_name, *row, ps))
                                }
                                Err(e) => return Err(Stop::Failed(import_failure(e))),
                            }
                        }
                    }
                }
                if !problems.is_empty() {
                    return Err(Stop::Problems(problems));
                }
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
            record(core, &caller.actor, "import.dry_run", kind, rows, None).await?;
            Ok(ImportOutcome {
                rows,
                committed: false,
                created: created
                    .into_iter()
                    .map(|c| Created {
                        reference: String::new(),
                        ..c
                    })
                    .collect(),
            })
        }
        Err(Stop::Problems(mut problems)) => {
            problems.sort_by_key(|p| p.row);
            refuse(core, caller, kind, table, problems, dry_run).await
        }
        Err(Stop::Failed(e)) => Err(e),
    }
}

fn import_failure(e: ComplaintError) -> ImportError {
    match e {
        ComplaintError::Store(s) => ImportError::Store(s),
        ComplaintError::Denied(d) => ImportError::Denied(d),
        other => ImportError::Store(StoreError::Internal(anyhow::anyhow!("{other}"))),
    }
}

async fn record(
    core: &Core,
    actor: &Actor,
    action: &str,
    kind: ImportKind,
    rows: usize,
    extra: Option<serde_json::Value>,
) -> Result<(), ImportError> {
    audit::record_alone(
        &core.db,
        actor,
        action,
        store::ENTITY,
        kind.as_str(),
        json!({ "kind": kind.as_str(), "rows": rows, "detail": extra }),
    )
    .await?;
    Ok(())
}

/// Refuses the upload: the error workbook is written and kept for the uploader.
async fn refuse(
    core: &Core,
    caller: &Caller,
    kind: ImportKind,
    table: Table,
    problems: Vec<CellProblem>,
    dry_run: bool,
) -> Result<ImportOutcome, ImportError> {
    let rows = table.rows.len();
    let for_book = problems.clone();
    let book =
        tokio::task::spawn_blocking(move || frt_sheets::write::error_workbook(&table, &for_book))
            .await
            .map_err(|e| StoreError::Internal(anyhow::anyhow!("error workbook: {e}")))?
            .map_err(|e| StoreError::Internal(anyhow::anyhow!("error workbook: {e}")))?;
    let mut blob = core.blobs.begin().await.map_err(StoreError::Internal)?;
    if let Err(e) = blob.write(&book).await {
        blob.abort().await;
        return Err(StoreError::Internal(e).into());
    }
    let stored = blob.commit().await.map_err(StoreError::Internal)?;
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
    let mut conn = core.db.conn().await?;
    let found = store::of_user(&mut conn, id, caller.principal.user_id)
        .await?
        .ok_or(ImportError::NotFound)?;
    let file = core
        .blobs
        .open(&found.blob_key)
        .await
        .map_err(StoreError::Internal)?;
    Ok(crate::download::Download {
        filename: format!("{}-错误说明.xlsx", found.kind),
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            .to_owned(),
        size_bytes: found.size_bytes,
        sha256: String::new(),
        file,
    })
}
