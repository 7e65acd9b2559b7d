//! Reference data every database needs: the province table and the working-day calendars,
//! read from `config/` and loaded after migrating. Safe to run again.

use crate::calendars::{self, LoadOutcome};
use crate::deadlines;
use crate::identities;
use anyhow::Context;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use frt_domain::calendar::YearCalendar;
use frt_domain::region::RegionTable;
use std::path::Path;

/// What loading reference data did, for the operator.
#[derive(Debug, Default)]
pub struct ReferenceReport {
    pub regions: usize,
    pub calendars_loaded: Vec<String>,
    pub deadlines_recomputed: usize,
}

/// Loads the province table from `regions_file` and every `CN-*.toml` in `calendars_dir`,
/// then recomputes deadlines a new calendar affects.
pub async fn load_reference(
    conn: &mut AsyncPgConnection,
    regions_file: &Path,
    calendars_dir: &Path,
) -> anyhow::Result<ReferenceReport> {
    let mut report = ReferenceReport::default();
    let text = std::fs::read_to_string(regions_file)
        .with_context(|| format!("cannot read {}", regions_file.display()))?;
    let table = RegionTable::from_toml(&text)
        .with_context(|| format!("{} is invalid", regions_file.display()))?;
    let rows: Vec<(String, String, String)> = table
        .provinces()
        .map(|p| {
            (
                p.code().as_str().to_owned(),
                p.name().to_owned(),
                p.name_en().to_owned(),
            )
        })
        .collect();
    report.regions = identities::load_regions(conn, table.version(), &rows).await?;

    let mut files: Vec<_> = std::fs::read_dir(calendars_dir)
        .with_context(|| format!("cannot read {}", calendars_dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for file in files {
        if let LoadOutcome::Loaded { .. } = load_calendar_file(conn, &file).await? {
            report.calendars_loaded.push(file.display().to_string());
        }
    }
    if !report.calendars_loaded.is_empty() {
        report.deadlines_recomputed = recompute_deadlines(conn).await?;
    }
    Ok(report)
}

/// Loads one calendar file (does not recompute deadlines).
pub async fn load_calendar_file(
    conn: &mut AsyncPgConnection,
    file: &Path,
) -> anyhow::Result<LoadOutcome> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let year = YearCalendar::from_toml(&text)
        .with_context(|| format!("{} is not a valid calendar", file.display()))?;
    Ok(calendars::load_year(conn, &year, &text).await?)
}

/// Recomputes every deadline that depended on a provisional or replaced calendar year.
pub async fn recompute_deadlines(conn: &mut AsyncPgConnection) -> anyhow::Result<usize> {
    let calendar = calendars::load_active(conn).await?;
    let active = calendars::active_versions(conn).await?;
    let changed = deadlines::recompute_stale(conn, &calendar, &active).await?;
    // The queue sorts by copies of the running review due date and of the statutory deadline
    // kept on the filing.
    diesel::sql_query(
        "UPDATE filings f SET review_due_date = d.due_date FROM deadlines d \
         WHERE d.entity_type = 'filing' AND d.purpose = 'review' AND d.entity_id = f.id \
         AND d.met_on IS NULL AND f.review_due_date IS DISTINCT FROM d.due_date",
    )
    .execute(conn)
    .await?;
    diesel::sql_query(
        "UPDATE filings f SET statutory_due_date = d.due_date, \
         late_by_working_days = d.late_by_working_days FROM deadlines d \
         WHERE d.entity_type = 'filing' AND d.purpose = 'statutory' AND d.entity_id = f.id \
         AND (f.statutory_due_date IS DISTINCT FROM d.due_date \
              OR f.late_by_working_days IS DISTINCT FROM d.late_by_working_days)",
    )
    .execute(conn)
    .await?;
    Ok(changed)
}
