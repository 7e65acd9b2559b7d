//! A year's holiday arrangement (节假日安排) as a sheet, an alternative to the TOML file of
//! `frtctl calendar load`: the rows become the same calendar document, checked by the same
//! parser, loaded as a new version of the year, and every deadline that depended on the year
//! is recomputed in the same transaction.

use super::{pairs, Created, Run, Stop};
use crate::error::StoreError;
use chrono::NaiveDate;
use frt_domain::calendar::{CalendarError, YearCalendar};
use frt_sheets::columns::{CellProblem, Cells, Column};
use frt_sheets::Spec;
use frt_store::calendars::{self, CalendarStoreError, LoadOutcome};
use frt_store::{audit, bootstrap, AsyncPgConnection};
use serde::Serialize;
use serde_json::json;

pub(super) fn spec() -> Spec {
    Spec {
        kind: "calendar",
        title: "节假日安排导入表（国务院办公厅通知）",
        sheet: "节假日安排",
        columns: vec![
            Column::integer("year", "年份", 9999)
                .required()
                .note("每行相同，如 2027"),
            Column::text("version", "版本号", 40)
                .required()
                .note("每行相同，如 CN-2027.1；修订时使用新版本号"),
            Column::text("source", "发布依据", 500)
                .required()
                .note("每行相同：通知名称和文号"),
            Column::choice(
                "kind",
                "类型",
                pairs(&[("holiday", "放假"), ("makeup", "调休上班")]),
            )
            .required(),
            Column::text("name", "节日名称", 50).note("类型为放假时必填，如 春节"),
            Column::text("name_en", "英文名称", 100),
            Column::date("from", "开始日期")
                .required()
                .note("放假的第一天，或调休上班的日期"),
            Column::date("to", "结束日期").note("放假的最后一天（含）；只放一天可不填"),
        ],
        instructions: vec![
            "一年的节假日安排：每个假期一行（类型为放假），每个调休上班日一行（类型为调休上班）。",
            "年份、版本号、发布依据每行相同。导入后作为该年的新版本生效，依赖该年的期限随即重新计算。",
            "任何一行有误时整表不导入：系统返回错误说明和标注错误的工作簿。",
        ],
    }
}

pub(super) struct Row {
    number: u32,
    year: Option<u64>,
    version: Option<String>,
    source: Option<String>,
    holiday: bool,
    name: Option<String>,
    name_en: Option<String>,
    from: NaiveDate,
    to: Option<NaiveDate>,
}

pub(super) fn read(cells: &mut Cells<'_>) -> Option<Row> {
    let year = cells.integer("year");
    let version = cells.text("version");
    let source = cells.text("source");
    let kind = cells.choice("kind");
    let name = cells.text("name");
    let name_en = cells.text("name_en");
    let from = cells.date("from");
    let to = cells.date("to");
    Some(Row {
        number: cells.number(),
        year,
        version,
        source,
        holiday: kind? == "holiday",
        name,
        name_en,
        from: from?,
        to,
    })
}

/// The calendar file's shape (`config/calendars/CN-YYYY.toml`).
#[derive(Serialize)]
struct Document {
    year: u64,
    version: String,
    source: String,
    makeup_working_days: Vec<String>,
    holidays: Vec<HolidayDoc>,
}

#[derive(Serialize)]
struct HolidayDoc {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name_en: Option<String>,
    from: String,
    to: String,
}

/// The value every row must share, with a problem on each row that differs or lacks it.
fn shared<T: Clone + PartialEq + std::fmt::Display>(
    run: &Run<'_>,
    rows: &[Row],
    key: &str,
    get: impl Fn(&Row) -> Option<T>,
    problems: &mut Vec<CellProblem>,
) -> Option<T> {
    let first = rows.iter().find_map(&get);
    for row in rows {
        match (get(row), &first) {
            (None, _) => problems.push(run.sheet.problem(
                row.number,
                key,
                "cell.required",
                "this cell is required".to_owned(),
            )),
            (Some(v), Some(f)) if v != *f => problems.push(run.sheet.problem(
                row.number,
                key,
                "field.inconsistent",
                format!("{v} differs from {f} on the rows above; one sheet is one year's version"),
            )),
            _ => {}
        }
    }
    first
}

/// The row a calendar problem is about: the one whose dates cover the day named.
fn row_of(rows: &[Row], e: &CalendarError) -> u32 {
    let date = match e {
        CalendarError::DateOutsideYear { date, .. }
        | CalendarError::OverlappingHolidays { date, .. }
        | CalendarError::MakeupNotWeekend { date, .. }
        | CalendarError::DuplicateMakeupDay { date }
        | CalendarError::MakeupIsHoliday { date, .. } => Some(*date),
        CalendarError::InvertedRange { from, .. } => Some(*from),
        _ => None,
    };
    date.and_then(|d| {
        // The later of two rows naming the day is the one to fix.
        rows.iter()
            .rev()
            .find(|r| r.from <= d && d <= r.to.unwrap_or(r.from))
            .or_else(|| rows.iter().rev().find(|r| r.from == d || r.to == Some(d)))
    })
    .or(rows.first())
    .map_or(2, |r| r.number)
}

pub(super) async fn apply(
    conn: &mut AsyncPgConnection,
    run: &Run<'_>,
    rows: Vec<Row>,
) -> Result<Vec<Created>, Stop> {
    let mut problems = Vec::new();
    let year = shared(run, &rows, "year", |r| r.year, &mut problems);
    let version = shared(run, &rows, "version", |r| r.version.clone(), &mut problems);
    let source = shared(run, &rows, "source", |r| r.source.clone(), &mut problems);
    let mut doc = Document {
        year: year.unwrap_or_default(),
        version: version.unwrap_or_default(),
        source: source.unwrap_or_default(),
        makeup_working_days: Vec::new(),
        holidays: Vec::new(),
    };
    for row in &rows {
        if !row.holiday {
            doc.makeup_working_days.push(row.from.to_string());
            continue;
        }
        let Some(name) = row.name.clone() else {
            problems.push(run.sheet.problem(
                row.number,
                "name",
                "cell.required",
                "a holiday needs its name".to_owned(),
            ));
            continue;
        };
        doc.holidays.push(HolidayDoc {
            name,
            name_en: row.name_en.clone(),
            from: row.from.to_string(),
            to: row.to.unwrap_or(row.from).to_string(),
        });
    }
    Stop::unless_empty(problems)?;
    let text = toml::to_string(&doc)
        .map_err(|e| StoreError::Internal(anyhow::anyhow!("calendar document: {e}")))?;
    let parsed = YearCalendar::from_toml(&text).map_err(|e| {
        Stop::Problems(vec![run.sheet.problem(
            row_of(&rows, &e),
            "from",
            "calendar.invalid",
            e.to_string(),
        )])
    })?;
    let first_row = rows.first().map_or(2, |r| r.number);
    let outcome = match calendars::load_year(conn, &parsed, &text).await {
        Ok(o) => o,
        Err(CalendarStoreError::VersionClash(v)) => {
            return Err(Stop::Problems(vec![run.sheet.problem(
                first_row,
                "version",
                "calendar.version_clash",
                format!(
                    "version {v} is already loaded with different days; give this arrangement a new version"
                ),
            )]))
        }
        Err(CalendarStoreError::Query(e)) => return Err(e.into()),
        Err(e) => return Err(StoreError::Internal(anyhow::anyhow!("{e}")).into()),
    };
    let recomputed = bootstrap::recompute_deadlines(conn)
        .await
        .map_err(StoreError::Internal)?;
    let replaced = match &outcome {
        LoadOutcome::Loaded { replaced } => replaced.clone(),
        LoadOutcome::Unchanged => None,
    };
    audit::record(
        conn,
        &run.caller.actor,
        "calendar.imported",
        "calendar",
        parsed.version(),
        None,
        Some(json!({
            "year": parsed.year(),
            "version": parsed.version(),
            "unchanged": outcome == LoadOutcome::Unchanged,
            "replaced": replaced,
            "working_days": parsed.working_day_count(),
            "deadlines_recomputed": recomputed,
        })),
    )
    .await?;
    Ok(vec![Created {
        row: first_row,
        id: None,
        reference: parsed.version().to_owned(),
    }])
}
