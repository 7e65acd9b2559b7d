//! Filings handed in on paper and keyed in by staff (the `filings` import), written in bulk: a
//! batch of submitted filings with their deadlines and first versions in a few multi-row
//! statements instead of a dozen statements per filing. Every row is what an online
//! submission would have written, with `submitted_via = 'paper'`.

use crate::schema::{deadlines, filing_versions, filings};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Jsonb};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// PostgreSQL takes at most 65,535 parameters per statement.
const MAX_PARAMETERS: usize = 65_535;

/// Rows per statement for a table written with `columns` parameters per row.
pub fn rows_per_statement(columns: usize) -> usize {
    (MAX_PARAMETERS / columns.max(1)).clamp(1, 2_000)
}

/// A submitted filing as the paper form gave it, with what submission computes.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = filings)]
pub struct SubmittedFiling {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub province_code: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub form: serde_json::Value,
    pub previous_filing_id: Option<Uuid>,
    pub trigger_date: Option<NaiveDate>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub risk_level: &'static str,
    pub risk_rank: i16,
    pub risk_flags: serde_json::Value,
    pub review_due_date: Option<NaiveDate>,
    pub statutory_due_date: Option<NaiveDate>,
    pub late_by_working_days: Option<i32>,
    pub submitted_via: &'static str,
}

/// A deadline computed by the caller (`deadlines::evaluate`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = deadlines)]
pub struct NewDeadline {
    pub id: Uuid,
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    pub purpose: &'static str,
    pub start_date: NaiveDate,
    pub working_days: i32,
    pub due_date: NaiveDate,
    pub provisional: bool,
    pub calendar_versions: Vec<String>,
    pub met_on: Option<NaiveDate>,
    pub late_by_working_days: Option<i32>,
}

impl NewDeadline {
    /// The row of a planned deadline.
    pub fn planned(
        entity_type: &'static str,
        entity_id: Uuid,
        purpose: &'static str,
        p: &crate::deadlines::Planned,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            entity_type,
            entity_id,
            purpose,
            start_date: p.start,
            working_days: i32::from(p.n.get()),
            due_date: p.evaluation.due.due_date,
            provisional: p.evaluation.provisional,
            calendar_versions: p.evaluation.calendar_versions.clone(),
            met_on: p.met_on,
            late_by_working_days: p.evaluation.late_by,
        }
    }
}

/// Writes a batch: the filings, then their deadlines, then each filing's first version (its
/// form as submitted, with no attachment rows: the materials are on paper), copied from the
/// filing row itself so the form crosses the wire and is parsed once.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    filings_in: &[SubmittedFiling],
    deadlines_in: &[NewDeadline],
) -> QueryResult<()> {
    for chunk in filings_in.chunks(rows_per_statement(18)) {
        diesel::insert_into(filings::table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    for chunk in deadlines_in.chunks(rows_per_statement(11)) {
        diesel::insert_into(deadlines::table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    let ids: Vec<Uuid> = filings_in.iter().map(|f| f.id).collect();
    let no_attachments = serde_json::Value::Array(Vec::new());
    diesel::insert_into(filing_versions::table)
        .values(
            filings::table
                .filter(filings::id.eq_any(&ids))
                .filter(filings::submitted_at.is_not_null())
                .select((
                    filings::id,
                    1.into_sql::<Integer>(),
                    filings::form,
                    no_attachments.into_sql::<Jsonb>(),
                    filings::submitted_at.assume_not_null(),
                    filings::created_by,
                )),
        )
        .into_columns((
            filing_versions::filing_id,
            filing_versions::seq,
            filing_versions::form,
            filing_versions::attachments,
            filing_versions::submitted_at,
            filing_versions::submitted_by,
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Filed (已备案) records by their filing numbers: (number, id, organisation).
pub async fn filed_by_number(
    conn: &mut AsyncPgConnection,
    numbers: &[String],
) -> QueryResult<Vec<(String, Uuid, Uuid)>> {
    let mut found = Vec::new();
    for chunk in numbers.chunks(10_000) {
        let rows: Vec<(Option<String>, Uuid, Uuid)> = filings::table
            .filter(filings::filing_number.eq_any(chunk))
            .filter(filings::status.eq("filed"))
            .select((
                filings::filing_number,
                filings::id,
                filings::organisation_id,
            ))
            .load(conn)
            .await?;
        found.extend(
            rows.into_iter()
                .filter_map(|(n, id, org)| Some((n?, id, org))),
        );
    }
    Ok(found)
}

/// The processors among `organisations` with a filing under review or returned for
/// correction: (organisation, status).
pub async fn open_filings(
    conn: &mut AsyncPgConnection,
    organisations: &[Uuid],
) -> QueryResult<Vec<(Uuid, String)>> {
    let mut found = Vec::new();
    for chunk in organisations.chunks(10_000) {
        found.extend(
            filings::table
                .filter(filings::organisation_id.eq_any(chunk))
                .filter(filings::status.eq_any(["submitted", "returned"]))
                .select((filings::organisation_id, filings::status))
                .load::<(Uuid, String)>(conn)
                .await?,
        );
    }
    Ok(found)
}
