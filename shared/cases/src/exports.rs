//! Exports to xlsx that stream: a producer reads rows from the database (a cursor, or keyset
//! pages) and sends them over a bounded channel to a writer thread that puts each row into a
//! constant-memory worksheet, so memory stays flat however many rows there are. Every export
//! is audited with its filters and row count. Personal data (contact names and numbers) is
//! masked for a reader whose role may not see it.

use crate::caller::Caller;
use crate::context::Core;
use crate::error::{Denied, StoreError};
use frt_access::{Action, Resource};
use frt_sheets::export::{mask, write_sheet, Cell};
use frt_store::audit::{self, Actor};
use frt_store::exports as store;
use frt_store::filings::Scope;
use frt_store::ScopedFutureExt;
use serde_json::{json, Value};
use std::future::Future;
use std::path::PathBuf;
use tokio::sync::mpsc;

/// Rows in flight between the database and the writer.
const CHANNEL_ROWS: usize = 2_048;
/// Rows fetched from the cursor at a time.
const FETCH_ROWS: u32 = 2_000;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(ExportError);

/// Who reads an export: what they may see and under whose name it is audited.
#[derive(Debug, Clone)]
pub struct Reader {
    pub scope: Scope,
    /// Whether personal data is shown in clear.
    pub personal: bool,
    pub actor: Actor,
}

impl Reader {
    /// A member of staff: their jurisdiction; personal data in clear when their role may read
    /// filings (reviewers, supervisors), masked otherwise (inspectors).
    pub fn staff(core: &Core, caller: &Caller, resource: Resource) -> Result<Self, ExportError> {
        let personal = caller.may(core, Resource::FILING, Action::Read, None);
        if !caller.may(core, resource, Action::Read, None) && !personal {
            return Err(Denied {
                action: "read",
                resource: resource.as_str().replace('_', " "),
            }
            .into());
        }
        Ok(Self {
            scope: caller.principal.filing_scope(),
            personal,
            actor: caller.actor.clone(),
        })
    }

    /// An administrator at the command line: every province, in clear.
    pub fn national(actor: Actor) -> Self {
        Self {
            scope: Scope::Everywhere,
            personal: true,
            actor,
        }
    }

    fn personal(&self, value: Option<String>) -> Cell {
        match value {
            Some(v) if self.personal => Cell::Text(v),
            Some(v) => Cell::Text(mask(&v)),
            None => Cell::Empty,
        }
    }
}

/// Where the rows go: send each row; an error means the writer stopped.
pub type Sink = mpsc::Sender<Vec<Cell>>;

/// A finished export: the file (removed when this is dropped) and its row count.
#[derive(Debug)]
pub struct Exported {
    pub path: PathBuf,
    pub rows: u64,
}

impl Drop for Exported {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Runs `fill` (the producer) against a writer thread for one sheet, then audits the export.
pub async fn stream<F, Fut>(
    core: &Core,
    reader: &Reader,
    name: &str,
    filters: Value,
    sheet: &'static str,
    headers: &'static [&'static str],
    fill: F,
) -> Result<Exported, ExportError>
where
    F: FnOnce(Sink) -> Fut,
    Fut: Future<Output = Result<(), ExportError>>,
{
    let path = std::env::temp_dir().join(format!("frt-export-{}.xlsx", uuid::Uuid::now_v7()));
    let (tx, mut rx) = mpsc::channel::<Vec<Cell>>(CHANNEL_ROWS);
    let target = path.clone();
    let writer = tokio::task::spawn_blocking(move || {
        write_sheet(
            &target,
            sheet,
            headers,
            std::iter::from_fn(|| rx.blocking_recv()),
        )
    });
    let filled = fill(tx).await;
    let written = writer
        .await
        .map_err(|e| StoreError::Internal(anyhow::anyhow!("export writer: {e}")));
    // From here the file is removed however this ends.
    let mut exported = Exported { path, rows: 0 };
    filled?;
    let rows =
        written?.map_err(|e| StoreError::Internal(anyhow::anyhow!("writing the export: {e}")))?;
    exported.rows = rows;
    let actor = reader.actor.clone();
    let action = format!("export.{name}");
    let entity = name.to_owned();
    core.db
        .tx(|conn| {
            async move {
                audit::record(
                    conn,
                    &actor,
                    &action,
                    "export",
                    &entity,
                    None,
                    Some(json!({ "filters": filters, "rows": rows })),
                )
                .await?;
                Ok::<_, ExportError>(())
            }
            .scope_boxed()
        })
        .await?;
    Ok(exported)
}

pub const REGISTRY_HEADERS: &[&str] = &[
    "备案编号",
    "单位名称",
    "统一社会信用代码",
    "所在省份",
    "备案状态",
    "备案日期",
    "最近变更或注销日期",
    "变更次数",
    "联系人",
    "联系电话",
];

/// The registry of recorded processors in the reader's jurisdiction, by province and name.
pub async fn registry(core: &Core, reader: &Reader) -> Result<Exported, ExportError> {
    let filters = json!({ "scope": format!("{:?}", reader.scope) });
    stream(
        core,
        reader,
        "registry",
        filters,
        "备案登记",
        REGISTRY_HEADERS,
        |sink| async move {
            core.db
                .tx(|conn| {
                    async move {
                        store::open_registry(conn, &reader.scope).await?;
                        loop {
                            let rows = store::fetch_registry(conn, FETCH_ROWS).await?;
                            if rows.is_empty() {
                                return Ok(());
                            }
                            for r in rows {
                                let state = if r.deregistered {
                                    "已注销"
                                } else if r.changes > 0 {
                                    "已变更"
                                } else {
                                    "已备案"
                                };
                                let row = vec![
                                    r.filing_number.into(),
                                    r.name.into(),
                                    r.uscc.into(),
                                    r.province.into(),
                                    state.into(),
                                    r.filed_on.into(),
                                    r.last_recorded_on.into(),
                                    r.changes.into(),
                                    reader.personal(r.contact_person),
                                    reader.personal(r.contact_phone),
                                ];
                                if sink.send(row).await.is_err() {
                                    // The writer stopped; its error is reported.
                                    return Ok(());
                                }
                            }
                        }
                    }
                    .scope_boxed()
                })
                .await
        },
    )
    .await
}
