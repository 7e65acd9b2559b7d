//! Working-day calendars in the database: loading a year's arrangement (versioned, the old
//! version kept but inactive) and reading the active set back as a domain `Calendar`, cached
//! per process and re-read only when the set of active versions changes.

use crate::schema::{calendar_days, calendar_versions};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use frt_domain::calendar::{Calendar, CalendarError, YearCalendar};
use std::sync::{Arc, RwLock};

/// What loading a calendar file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadOutcome {
    /// This exact version was already active.
    Unchanged,
    /// A new version for the year is now active.
    Loaded { replaced: Option<String> },
}

#[derive(Debug, thiserror::Error)]
pub enum CalendarStoreError {
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("stored calendar {version} no longer parses: {source}")]
    Corrupt {
        version: String,
        source: CalendarError,
    },
    #[error("calendar version {0} is already loaded with different content; give the file a new version")]
    VersionClash(String),
}

/// Loads one year's arrangement; `document` is the file's text, kept so the calendar can be
/// rebuilt exactly as it was read.
pub async fn load_year(
    conn: &mut AsyncPgConnection,
    year: &YearCalendar,
    document: &str,
) -> Result<LoadOutcome, CalendarStoreError> {
    let existing: Option<(String, bool)> = calendar_versions::table
        .filter(calendar_versions::version.eq(year.version()))
        .select((calendar_versions::document, calendar_versions::active))
        .first(conn)
        .await
        .optional()?;
    if let Some((doc, active)) = existing {
        if doc != document {
            return Err(CalendarStoreError::VersionClash(year.version().to_owned()));
        }
        if active {
            return Ok(LoadOutcome::Unchanged);
        }
    }
    let replaced: Option<String> = calendar_versions::table
        .filter(calendar_versions::year.eq(year.year()))
        .filter(calendar_versions::active)
        .select(calendar_versions::version)
        .first(conn)
        .await
        .optional()?;
    diesel::update(calendar_versions::table.filter(calendar_versions::year.eq(year.year())))
        .set(calendar_versions::active.eq(false))
        .execute(conn)
        .await?;
    diesel::insert_into(calendar_versions::table)
        .values((
            calendar_versions::version.eq(year.version()),
            calendar_versions::year.eq(year.year()),
            calendar_versions::source.eq(year.source()),
            calendar_versions::document.eq(document),
            calendar_versions::working_days.eq(year.working_day_count() as i32),
            calendar_versions::active.eq(true),
        ))
        .on_conflict(calendar_versions::version)
        .do_update()
        .set(calendar_versions::active.eq(true))
        .execute(conn)
        .await?;
    let mut days: Vec<(String, chrono::NaiveDate, &'static str, Option<String>)> = year
        .holiday_days()
        .map(|(d, name)| {
            (
                year.version().to_owned(),
                d,
                "holiday",
                Some(name.to_owned()),
            )
        })
        .collect();
    days.extend(
        year.makeup_days()
            .map(|d| (year.version().to_owned(), d, "makeup_workday", None)),
    );
    let rows: Vec<_> = days
        .iter()
        .map(|(v, d, k, n)| {
            (
                calendar_days::version.eq(v),
                calendar_days::day.eq(d),
                calendar_days::kind.eq(*k),
                calendar_days::name.eq(n.as_deref()),
            )
        })
        .collect();
    diesel::insert_into(calendar_days::table)
        .values(&rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(LoadOutcome::Loaded { replaced })
}

/// The active versions, sorted; this is the cache key.
pub async fn active_versions(conn: &mut AsyncPgConnection) -> QueryResult<Vec<String>> {
    calendar_versions::table
        .filter(calendar_versions::active)
        .order(calendar_versions::version.asc())
        .select(calendar_versions::version)
        .load(conn)
        .await
}

/// Builds the calendar from every active version.
pub async fn load_active(conn: &mut AsyncPgConnection) -> Result<Calendar, CalendarStoreError> {
    let docs: Vec<(String, String)> = calendar_versions::table
        .filter(calendar_versions::active)
        .order(calendar_versions::year.asc())
        .select((calendar_versions::version, calendar_versions::document))
        .load(conn)
        .await?;
    let mut years = Vec::with_capacity(docs.len());
    for (version, doc) in docs {
        years.push(
            YearCalendar::from_toml(&doc)
                .map_err(|source| CalendarStoreError::Corrupt { version, source })?,
        );
    }
    Ok(Calendar::new(years))
}

/// The active versions and the calendar built from them.
type Cached = Option<(Vec<String>, Arc<Calendar>)>;

/// A per-process cache of the active calendar.
#[derive(Clone, Default)]
pub struct CalendarCache {
    inner: Arc<RwLock<Cached>>,
}

impl CalendarCache {
    /// The active calendar, re-read only when the active versions changed since last time.
    pub async fn get(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> Result<Arc<Calendar>, CalendarStoreError> {
        let versions = active_versions(conn).await?;
        if let Ok(guard) = self.inner.read() {
            if let Some((cached_versions, cal)) = guard.as_ref() {
                if *cached_versions == versions {
                    return Ok(cal.clone());
                }
            }
        }
        let cal = Arc::new(load_active(conn).await?);
        if let Ok(mut guard) = self.inner.write() {
            *guard = Some((versions, cal.clone()));
        }
        Ok(cal)
    }
}
