//! Rows of the exports, read through a database cursor (DECLARE … FETCH) in a read-only
//! transaction, so that a registry of a million processors is never held in memory; a
//! read-only transaction takes no transaction id and holds back nothing else.

use crate::scope::{Reach, Scope};
use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text};
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

const CURSOR: &str = "frt_export";

/// One recorded processor of the registry export.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct RegistryRow {
    #[diesel(sql_type = Nullable<Text>)]
    pub filing_number: Option<String>,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub uscc: String,
    #[diesel(sql_type = Text)]
    pub province: String,
    #[diesel(sql_type = Nullable<Date>)]
    pub filed_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub last_recorded_on: Option<NaiveDate>,
    #[diesel(sql_type = BigInt)]
    pub changes: i64,
    #[diesel(sql_type = Bool)]
    pub deregistered: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub contact_person: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub contact_phone: Option<String>,
}

/// The scope as a SQL condition on `o` (organisations). Only validated literals are written
/// into it: province codes of six digits and ids printed from their type.
fn scope_condition(scope: &Scope) -> String {
    match &scope.reach {
        Reach::Organisation(id) => format!("o.id = '{id}'"),
        Reach::Provinces(codes) => {
            let codes: Vec<String> = codes
                .iter()
                .filter(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
                .map(|c| format!("'{c}'"))
                .collect();
            if codes.is_empty() {
                "FALSE".to_owned()
            } else {
                format!("o.province_code IN ({})", codes.join(", "))
            }
        }
        Reach::Everywhere => "TRUE".to_owned(),
        // The registry is the CAC's: an agency outside it opens only the filings handed over.
        Reach::Granted(_) => "FALSE".to_owned(),
    }
}

/// Opens the registry cursor of `scope` (inside a transaction), by province then name.
pub async fn open_registry(conn: &mut AsyncPgConnection, scope: &Scope) -> QueryResult<()> {
    diesel::sql_query("SET TRANSACTION READ ONLY")
        .execute(conn)
        .await?;
    let sql = format!(
        "DECLARE {CURSOR} NO SCROLL CURSOR FOR \
         SELECT max(f.filing_number) FILTER (WHERE f.kind = 'initial') AS filing_number, \
                o.name, o.uscc, COALESCE(r.name, o.province_code) AS province, \
                min((f.decided_at AT TIME ZONE 'Asia/Shanghai')::date) \
                    FILTER (WHERE f.kind = 'initial') AS filed_on, \
                max((f.decided_at AT TIME ZONE 'Asia/Shanghai')::date) \
                    FILTER (WHERE f.kind <> 'initial') AS last_recorded_on, \
                count(*) FILTER (WHERE f.kind = 'change') AS changes, \
                bool_or(f.kind = 'deregistration') AS deregistered, \
                (array_agg(f.form -> 'basic' ->> 'contact_person' ORDER BY f.decided_at DESC))[1] \
                    AS contact_person, \
                (array_agg(f.form -> 'basic' ->> 'contact_phone' ORDER BY f.decided_at DESC))[1] \
                    AS contact_phone \
         FROM organisations o \
         JOIN filings f ON f.organisation_id = o.id AND f.status = 'filed' \
         LEFT JOIN regions r ON r.code = o.province_code \
         WHERE {} \
         GROUP BY o.id, o.name, o.uscc, o.province_code, r.name \
         HAVING bool_or(f.kind = 'initial') \
         ORDER BY o.province_code, o.name, o.id",
        scope_condition(scope)
    );
    diesel::sql_query(sql).execute(conn).await?;
    Ok(())
}

/// The next `n` rows of the open registry cursor (none at the end).
pub async fn fetch_registry(conn: &mut AsyncPgConnection, n: u32) -> QueryResult<Vec<RegistryRow>> {
    diesel::sql_query(format!("FETCH FORWARD {n} FROM {CURSOR}"))
        .load(conn)
        .await
}

/// Filings first submitted in a month, per province.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct FilingCounts {
    #[diesel(sql_type = Text)]
    pub province_code: String,
    #[diesel(sql_type = Text)]
    pub province: String,
    #[diesel(sql_type = BigInt)]
    pub submitted: i64,
    #[diesel(sql_type = BigInt)]
    pub initial: i64,
    #[diesel(sql_type = BigInt)]
    pub change: i64,
    #[diesel(sql_type = BigInt)]
    pub deregistration: i64,
    #[diesel(sql_type = BigInt)]
    pub waiting: i64,
    #[diesel(sql_type = BigInt)]
    pub returned: i64,
    #[diesel(sql_type = BigInt)]
    pub filed: i64,
    #[diesel(sql_type = BigInt)]
    pub refused: i64,
    #[diesel(sql_type = BigInt)]
    pub late: i64,
}

/// A filing decided in the month: when it was submitted and decided (China time).
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct Decided {
    #[diesel(sql_type = Text)]
    pub province_code: String,
    #[diesel(sql_type = Date)]
    pub submitted_on: NaiveDate,
    #[diesel(sql_type = Date)]
    pub decided_on: NaiveDate,
}

/// Ratings given in the month, per province and rating.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct RatingCounts {
    #[diesel(sql_type = Text)]
    pub province_code: String,
    #[diesel(sql_type = Text)]
    pub rating: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Complaints received in the month, per province and outcome.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct ComplaintCounts {
    #[diesel(sql_type = Text)]
    pub province_code: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Instants of `column` within the China-time days [from, to).
/// `column` (a timestamptz) within the China-time days [from, to): a range on the column
/// itself, so that an index on it finds the month (migration 40) instead of every row being
/// converted and compared.
fn month_condition(column: &str, from: NaiveDate, to: NaiveDate) -> String {
    format!(
        "{column} >= ('{from}'::timestamp AT TIME ZONE 'Asia/Shanghai') \
         AND {column} < ('{to}'::timestamp AT TIME ZONE 'Asia/Shanghai')"
    )
}

fn province_condition(column: &str, scope: &Scope) -> String {
    match &scope.reach {
        Reach::Organisation(_) => "FALSE".to_owned(),
        _ => scope_condition(scope).replace("o.province_code", column),
    }
}

/// Filing counts of the month [from, to) per province of the scope.
pub async fn filing_counts(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<FilingCounts>> {
    diesel::sql_query(format!(
        "SELECT f.province_code, COALESCE(r.name, f.province_code) AS province, \
                count(*) AS submitted, \
                count(*) FILTER (WHERE f.kind = 'initial') AS initial, \
                count(*) FILTER (WHERE f.kind = 'change') AS change, \
                count(*) FILTER (WHERE f.kind = 'deregistration') AS deregistration, \
                count(*) FILTER (WHERE f.status = 'submitted') AS waiting, \
                count(*) FILTER (WHERE f.status = 'returned') AS returned, \
                count(*) FILTER (WHERE f.status = 'filed') AS filed, \
                count(*) FILTER (WHERE f.status = 'refused') AS refused, \
                count(*) FILTER (WHERE COALESCE(f.late_by_working_days, 0) > 0) AS late \
         FROM filings f LEFT JOIN regions r ON r.code = f.province_code \
         WHERE f.first_submitted_at IS NOT NULL AND {} AND {} \
         GROUP BY f.province_code, r.name ORDER BY f.province_code",
        month_condition("f.first_submitted_at", from, to),
        province_condition("f.province_code", scope),
    ))
    .load(conn)
    .await
}

/// Filings decided in the month [from, to), with their submission and decision days.
pub async fn decided(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<Decided>> {
    diesel::sql_query(format!(
        "SELECT f.province_code, \
                (COALESCE(f.first_submitted_at, f.submitted_at) AT TIME ZONE 'Asia/Shanghai')::date \
                    AS submitted_on, \
                (f.decided_at AT TIME ZONE 'Asia/Shanghai')::date AS decided_on \
         FROM filings f \
         WHERE f.status IN ('filed', 'refused') AND f.decided_at IS NOT NULL \
           AND COALESCE(f.first_submitted_at, f.submitted_at) IS NOT NULL AND {} AND {}",
        month_condition("f.decided_at", from, to),
        province_condition("f.province_code", scope),
    ))
    .load(conn)
    .await
}

/// Ratings of complaints' handling (回访) given in the month, by province and rating.
pub async fn rating_counts(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<RatingCounts>> {
    diesel::sql_query(format!(
        "SELECT r.province_code, r.rating, count(*) AS n FROM complaint_ratings r \
         WHERE {} AND {} GROUP BY r.province_code, r.rating",
        month_condition("r.rated_at", from, to),
        province_condition("r.province_code", scope),
    ))
    .load(conn)
    .await
}

/// Complaints received in the month [from, to), per province and status.
pub async fn complaint_counts(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<ComplaintCounts>> {
    diesel::sql_query(format!(
        "SELECT c.province_code, c.status, count(*) AS n FROM complaints c \
         WHERE {} AND {} GROUP BY c.province_code, c.status",
        month_condition("c.received_at", from, to),
        province_condition("c.province_code", scope),
    ))
    .load(conn)
    .await
}
