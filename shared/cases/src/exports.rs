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
use frt_store::scope::Scope;
use frt_store::ScopedFutureExt;
use serde_json::{json, Value};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
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
    Parameter(#[from] crate::input::BadParameter),
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
            scope: caller.scope(),
            personal,
            actor: caller.actor.clone(),
        })
    }

    /// An administrator at the command line: every province, in clear.
    pub fn national(actor: Actor) -> Self {
        Self {
            scope: Scope::PLATFORM,
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

/// The folder exports are written to before they are sent (`paths.work_dir`/exports).
fn exports_dir(core: &Core) -> PathBuf {
    core.settings
        .path(&core.settings.paths.work_dir)
        .join("exports")
}

impl Exported {
    /// A new file name in the exports folder, removed when the value is dropped.
    fn new(core: &Core) -> Result<Self, StoreError> {
        let dir = exports_dir(core);
        std::fs::create_dir_all(&dir)
            .map_err(|e| StoreError::Internal(anyhow::anyhow!("{}: {e}", dir.display())))?;
        Ok(Self {
            path: dir.join(format!("{}.xlsx", uuid::Uuid::now_v7())),
            rows: 0,
        })
    }
}

/// Removes export files older than `older_than` (a process that stopped mid-export left
/// them); answers how many went.
pub fn sweep_abandoned(core: &Core, older_than: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(exports_dir(core)) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            e.metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > older_than)
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
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
    let started = std::time::Instant::now();
    // The file is removed however this ends: the writer thread holds it too, so a request
    // abandoned mid-way (its future dropped while the thread still writes) removes it once the
    // thread is done. What a stopped process leaves, the worker removes (`sweep_abandoned`).
    let file = Arc::new(Exported::new(core)?);
    let held = file.clone();
    let (tx, mut rx) = mpsc::channel::<Vec<Cell>>(CHANNEL_ROWS);
    // An export running as a job counts its rows as they are written (its page's progress).
    let progress = crate::export_jobs::PROGRESS.try_with(Arc::clone).ok();
    let writer = tokio::task::spawn_blocking(move || {
        write_sheet(
            &held.path,
            sheet,
            headers,
            std::iter::from_fn(|| rx.blocking_recv()).inspect(|_| {
                if let Some(p) = &progress {
                    p.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }),
        )
    });
    let filled = fill(tx).await;
    let written = writer
        .await
        .map_err(|e| StoreError::Internal(anyhow::anyhow!("export writer: {e}")));
    let mut exported = Arc::try_unwrap(file).map_err(|_| {
        StoreError::Internal(anyhow::anyhow!("the export writer still holds the file"))
    })?;
    filled?;
    let rows =
        written?.map_err(|e| StoreError::Internal(anyhow::anyhow!("writing the export: {e}")))?;
    exported.rows = rows;
    audit_export(core, reader, name, filters, rows).await?;
    took(name, started);
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
                .batch_read(|conn| {
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

pub const STATISTICS_HEADERS: &[&str] = &[
    "省份",
    "提交备案",
    "首次备案",
    "变更备案",
    "注销备案",
    "待审查",
    "退回补正",
    "已备案",
    "不予备案",
    "逾期提交",
    "逾期率",
    "本月审结",
    "审结用时中位数（工作日）",
    "投诉举报",
    "不予受理",
    "已转办",
    "已合并",
    "已答复或办结",
    "办理中",
    "回访满意",
    "回访基本满意",
    "回访不满意",
];

/// The month `YYYY-MM` as its first day and the first day of the next.
pub fn month_bounds(month: &str) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    let from = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let to = from.checked_add_months(chrono::Months::new(1))?;
    (month.len() == 7).then_some((from, to))
}

/// The median of working-day counts (the mean of the middle two for an even count).
pub fn median(mut days: Vec<i64>) -> Option<f64> {
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    let n = days.len();
    Some(if n % 2 == 1 {
        days[n / 2] as f64
    } else {
        (days[n / 2 - 1] + days[n / 2]) as f64 / 2.0
    })
}

/// One province's statistics for a month: the row of `statistics.xlsx` and of the
/// statistics page's charts, so both show the same numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProvinceStatistics {
    pub province_code: String,
    pub province: String,
    /// Filings first submitted in the month, and by kind.
    pub submitted: i64,
    pub initial: i64,
    pub change: i64,
    pub deregistration: i64,
    /// Of those, by status now.
    pub waiting: i64,
    pub returned: i64,
    pub filed: i64,
    pub refused: i64,
    /// Submitted after the statutory time limit, and their share (to three places).
    pub late: i64,
    pub late_rate: Option<f64>,
    /// Filings decided in the month, and the median working days from submission.
    pub decided: i64,
    pub median_days: Option<f64>,
    /// Complaints received in the month, and by outcome.
    pub complaints: i64,
    pub not_accepted: i64,
    pub transferred: i64,
    pub merged: i64,
    pub replied: i64,
    pub open: i64,
    /// Ratings given in the month (回访).
    pub satisfied: i64,
    pub basically_satisfied: i64,
    pub dissatisfied: i64,
}

impl ProvinceStatistics {
    /// The row of `statistics.xlsx`, in the order of `STATISTICS_HEADERS`.
    pub fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::from(self.province.as_str()),
            Cell::from(self.submitted),
            Cell::from(self.initial),
            Cell::from(self.change),
            Cell::from(self.deregistration),
            Cell::from(self.waiting),
            Cell::from(self.returned),
            Cell::from(self.filed),
            Cell::from(self.refused),
            Cell::from(self.late),
            self.late_rate.map_or(Cell::Empty, Cell::Number),
            Cell::from(self.decided),
            self.median_days.map_or(Cell::Empty, Cell::Number),
            Cell::from(self.complaints),
            Cell::from(self.not_accepted),
            Cell::from(self.transferred),
            Cell::from(self.merged),
            Cell::from(self.replied),
            Cell::from(self.open),
            Cell::from(self.satisfied),
            Cell::from(self.basically_satisfied),
            Cell::from(self.dissatisfied),
        ]
    }
}

/// Monthly statistics per province of the reader's jurisdiction (narrowed to `province`):
/// filings first submitted in the month by kind and status, lateness, filings decided in the
/// month with the median working days from submission to decision, and complaints received
/// in the month by outcome.
pub async fn monthly(
    core: &Core,
    reader: &Reader,
    month: &str,
    province: Option<&str>,
) -> Result<Vec<ProvinceStatistics>, ExportError> {
    use std::collections::BTreeMap;
    let (from, to) = month_bounds(month)
        .ok_or_else(|| ExportError::Invalid(format!("month must be YYYY-MM, not {month:?}")))?;
    let scope = match province {
        None => reader.scope.clone(),
        Some(p) => reader.scope.within(p).ok_or(Denied {
            action: "read",
            resource: "statistics of that province".into(),
        })?,
    };
    let scope = &scope;
    let (counts, decided, complaints, ratings) = core
        .db
        .read(|conn| {
            async move {
                Ok::<_, StoreError>((
                    store::filing_counts(conn, scope, from, to).await?,
                    store::decided(conn, scope, from, to).await?,
                    store::complaint_counts(conn, scope, from, to).await?,
                    store::rating_counts(conn, scope, from, to).await?,
                ))
            }
            .scope_boxed()
        })
        .await?;
    let calendar = core.calendar().await?;
    let mut days: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for d in &decided {
        days.entry(d.province_code.clone()).or_default().push(
            calendar
                .working_days_between(d.submitted_on, d.decided_on)
                .days,
        );
    }
    let mut by_status: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for c in &complaints {
        *by_status
            .entry(c.province_code.clone())
            .or_default()
            .entry(c.status.clone())
            .or_default() += c.n;
    }
    let mut by_rating: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for r in &ratings {
        *by_rating
            .entry(r.province_code.clone())
            .or_default()
            .entry(r.rating.clone())
            .or_default() += r.n;
    }
    // Every province with filings, complaints or ratings in the month, by code.
    let mut provinces: BTreeMap<String, String> = counts
        .iter()
        .map(|c| (c.province_code.clone(), c.province.clone()))
        .collect();
    for code in by_status.keys().chain(days.keys()).chain(by_rating.keys()) {
        provinces
            .entry(code.clone())
            .or_insert_with(|| code.clone());
    }
    Ok(provinces
        .into_iter()
        .map(|(code, name)| {
            let c = counts.iter().find(|c| c.province_code == code);
            let n = |f: fn(&store::FilingCounts) -> i64| c.map_or(0, f);
            let submitted = n(|c| c.submitted);
            let late = n(|c| c.late);
            let statuses = by_status.get(&code);
            let k = |s: &[&str]| -> i64 {
                s.iter()
                    .map(|s| statuses.and_then(|m| m.get(*s)).copied().unwrap_or(0))
                    .sum()
            };
            let decided_here = days.get(&code).cloned().unwrap_or_default();
            let rated = |r: &str| {
                by_rating
                    .get(&code)
                    .and_then(|m| m.get(r))
                    .copied()
                    .unwrap_or(0)
            };
            ProvinceStatistics {
                province: name,
                submitted,
                initial: n(|c| c.initial),
                change: n(|c| c.change),
                deregistration: n(|c| c.deregistration),
                waiting: n(|c| c.waiting),
                returned: n(|c| c.returned),
                filed: n(|c| c.filed),
                refused: n(|c| c.refused),
                late,
                late_rate: (submitted > 0)
                    .then(|| (late as f64 / submitted as f64 * 1000.0).round() / 1000.0),
                decided: decided_here.len() as i64,
                median_days: median(decided_here),
                complaints: statuses.map_or(0, |m| m.values().sum()),
                not_accepted: k(&["not_accepted"]),
                transferred: k(&["transferred"]),
                merged: k(&["merged"]),
                replied: k(&["reply_sent", "closed"]),
                open: k(&[
                    "received",
                    "accepted",
                    "assigned",
                    "investigating",
                    "result_decided",
                ]),
                satisfied: rated("satisfied"),
                basically_satisfied: rated("basically_satisfied"),
                dissatisfied: rated("dissatisfied"),
                province_code: code,
            }
        })
        .collect())
}

/// Monthly statistics as `statistics.xlsx` (`monthly`'s rows), with a chart sheet.
pub async fn statistics(
    core: &Core,
    reader: &Reader,
    month: &str,
    province: Option<&str>,
) -> Result<Exported, ExportError> {
    let started = std::time::Instant::now();
    let rows: Vec<Vec<Cell>> = monthly(core, reader, month, province)
        .await?
        .iter()
        .map(ProvinceStatistics::cells)
        .collect();
    let mut exported = Exported::new(core)?;
    let path = exported.path.clone();
    let notes = vec![
        format!("统计月份：{month}（北京时间）。备案按首次提交日期统计，审结按决定日期统计，投诉举报按登记日期统计，回访按评价日期统计。"),
        "审结用时为自提交之日至作出决定之日的工作日数（按国务院办公厅公布的节假日安排）。".to_owned(),
    ];
    let target = path.clone();
    let written = tokio::task::spawn_blocking(move || {
        frt_sheets::export::write_table_with_chart(
            &target,
            "按省份统计",
            STATISTICS_HEADERS,
            rows,
            &notes,
            &frt_sheets::export::ChartSpec {
                sheet: "图表",
                title: "各省份备案提交与已备案数",
                category_col: 0,
                value_cols: vec![1, 7],
            },
        )
    })
    .await
    .map_err(|e| StoreError::Internal(anyhow::anyhow!("statistics writer: {e}")))?;
    exported.rows =
        written.map_err(|e| StoreError::Internal(anyhow::anyhow!("writing statistics: {e}")))?;
    audit_export(
        core,
        reader,
        "statistics",
        json!({ "month": month, "province": province }),
        exported.rows,
    )
    .await?;
    took("statistics", started);
    Ok(exported)
}

/// Reports an export's duration (`frt_export_duration_seconds`).
fn took(kind: &str, started: std::time::Instant) {
    metrics::histogram!(crate::metrics::EXPORT_SECONDS, "kind" => kind.to_owned())
        .record(started.elapsed().as_secs_f64());
}

/// A province of the caller's jurisdiction, for the exports that take one.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProvinceQuery {
    /// One province of the caller's jurisdiction (GB/T 2260, e.g. 310000).
    #[param(pattern = "^[0-9]{2}0000$")]
    pub province: Option<String>,
}

/// The month (and province) of the statistics.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// The month, YYYY-MM (China time).
    #[param(pattern = "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$")]
    pub month: String,
    /// One province of the caller's jurisdiction (GB/T 2260, e.g. 310000).
    #[param(pattern = "^[0-9]{2}0000$")]
    pub province: Option<String>,
}

fn province_of(q: Option<&str>) -> Result<Option<String>, ExportError> {
    Ok(
        q.map(|p| crate::input::province("province", p).map(str::to_owned))
            .transpose()?,
    )
}

/// The registry of the caller's jurisdiction (staff who read filings or organisations).
pub async fn registry_for(core: &Core, caller: &Caller) -> Result<Exported, ExportError> {
    let reader = Reader::staff(core, caller, Resource::ORGANISATION)?;
    registry(core, &reader).await
}

/// The published inspection results of the caller's jurisdiction (staff who read
/// inspections), one province when named.
pub async fn inspections_for(
    core: &Core,
    caller: &Caller,
    q: &ProvinceQuery,
) -> Result<Exported, ExportError> {
    let province = province_of(q.province.as_deref())?;
    let reader = Reader::staff(core, caller, Resource::INSPECTION)?;
    inspections(core, &reader, province.as_deref()).await
}

/// The month's statistics of the caller's jurisdiction (staff who read filings or
/// organisations), one province when named.
pub async fn statistics_for(
    core: &Core,
    caller: &Caller,
    q: &StatisticsQuery,
) -> Result<Exported, ExportError> {
    let province = province_of(q.province.as_deref())?;
    let reader = Reader::staff(core, caller, Resource::ORGANISATION)?;
    statistics(core, &reader, &q.month, province.as_deref()).await
}

/// The month's statistics of the caller's jurisdiction as rows (the statistics page), with
/// the same authorisation and numbers as `statistics_for`.
pub async fn monthly_for(
    core: &Core,
    caller: &Caller,
    q: &StatisticsQuery,
) -> Result<Vec<ProvinceStatistics>, ExportError> {
    let province = province_of(q.province.as_deref())?;
    let reader = Reader::staff(core, caller, Resource::ORGANISATION)?;
    monthly(core, &reader, &q.month, province.as_deref()).await
}

/// Records an export in the audit log with its filters and rows.
async fn audit_export(
    core: &Core,
    reader: &Reader,
    name: &str,
    filters: Value,
    rows: u64,
) -> Result<(), ExportError> {
    audit::record_alone(
        &core.db,
        &reader.actor,
        &format!("export.{name}"),
        "export",
        name,
        json!({ "filters": filters, "rows": rows }),
    )
    .await?;
    Ok(())
}

pub const INSPECTION_HEADERS: &[&str] = &[
    "被检查单位",
    "统一社会信用代码",
    "所在省份",
    "结案日期",
    "检查结果",
    "整改情况",
];

/// The published results of closed inspections (一公开) in the reader's jurisdiction
/// (narrowed to `province`), latest first: no personal data of individuals.
pub async fn inspections(
    core: &Core,
    reader: &Reader,
    province: Option<&str>,
) -> Result<Exported, ExportError> {
    const PAGE: i64 = 1_000;
    let provinces: Vec<Option<String>> = match (province, reader.scope.cac_provinces()) {
        (Some(p), _) if reader.scope.covers(p) => vec![Some(p.to_owned())],
        (Some(_), _) => {
            return Err(Denied {
                action: "read",
                resource: "inspections of that province".into(),
            }
            .into())
        }
        (None, Some(None)) => vec![None],
        (None, Some(Some(list))) => list.iter().cloned().map(Some).collect(),
        (None, None) => Vec::new(),
    };
    stream(
        core,
        reader,
        "inspections",
        json!({ "province": province }),
        "检查结果公开",
        INSPECTION_HEADERS,
        |sink| async move {
            core.db
                .batch_read(|conn| {
                    async move {
                        for p in &provinces {
                            let mut offset = 0;
                            loop {
                                let page = frt_store::inspections::published(
                                    conn,
                                    p.as_deref(),
                                    PAGE,
                                    offset,
                                )
                                .await?;
                                let full = page.len() as i64 == PAGE;
                                for r in page {
                                    let rectified = match r.rectified {
                                        Some(true) => "已整改",
                                        Some(false) => "未整改",
                                        None => "未责令整改",
                                    };
                                    let closed = r
                                        .closed_at
                                        .map(|t| (t + chrono::Duration::hours(8)).date_naive());
                                    let row = vec![
                                        r.processor.into(),
                                        r.uscc.into(),
                                        r.province_code.into(),
                                        closed.into(),
                                        r.result.into(),
                                        rectified.into(),
                                    ];
                                    if sink.send(row).await.is_err() {
                                        return Ok(());
                                    }
                                }
                                if !full {
                                    break;
                                }
                                offset += PAGE;
                            }
                        }
                        Ok(())
                    }
                    .scope_boxed()
                })
                .await
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_medians() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(
            month_bounds("2026-12"),
            Some((d(2026, 12, 1), d(2027, 1, 1)))
        );
        assert_eq!(month_bounds("2026-13"), None);
        assert_eq!(month_bounds("2026-1"), None);
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![9, 1, 5]), Some(5.0));
        assert_eq!(median(vec![4, 1, 8, 2]), Some(3.0));
    }
}
