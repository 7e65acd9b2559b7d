//! Inspections (监督检查): plans, random draws, the inspections with their requests and
//! orders, joint agencies, and the processor's materials. Every read takes the caller's
//! `Scope` applied in SQL: a processor sees its own inspections, a provincial office its
//! province's, national staff all, and an invited agency only the inspections it joined;
//! plans and draws are the CAC offices' own.

use crate::deadlines as deadlines_store;
use crate::schema::{
    agencies, filings, inspection_agencies, inspection_draws, inspection_items, inspection_plans,
    inspections, inspector_conflicts, organisations, users,
};
use crate::scope::{Reach, Scope};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

/// Entity type of inspections in the audit trail, the deadline table and the outbox.
pub const ENTITY: &str = "inspection";

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = inspection_plans)]
pub struct Plan {
    pub id: Uuid,
    pub province_code: String,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_plan(conn: &mut AsyncPgConnection, plan: &Plan) -> QueryResult<Plan> {
    diesel::insert_into(inspection_plans::table)
        .values((
            inspection_plans::id.eq(plan.id),
            inspection_plans::province_code.eq(&plan.province_code),
            inspection_plans::title.eq(&plan.title),
            inspection_plans::period_start.eq(plan.period_start),
            inspection_plans::period_end.eq(plan.period_end),
            inspection_plans::created_by.eq(plan.created_by),
        ))
        .returning(Plan::as_returning())
        .get_result(conn)
        .await
}

/// A plan of the scope's provinces (a CAC office's).
pub async fn plan(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: &Scope,
) -> QueryResult<Option<Plan>> {
    let Some(provinces) = scope.cac_provinces() else {
        return Ok(None);
    };
    let mut q = inspection_plans::table.find(id).into_boxed();
    if let Some(p) = provinces {
        q = q.filter(inspection_plans::province_code.eq_any(p));
    }
    q.select(Plan::as_select()).first(conn).await.optional()
}

/// Plans of the scope's provinces (a CAC office's), newest period first.
pub async fn plans(conn: &mut AsyncPgConnection, scope: &Scope) -> QueryResult<Vec<Plan>> {
    let Some(provinces) = scope.cac_provinces() else {
        return Ok(Vec::new());
    };
    let mut q = inspection_plans::table.into_boxed();
    if let Some(p) = provinces {
        q = q.filter(inspection_plans::province_code.eq_any(p));
    }
    q.order((
        inspection_plans::period_start.desc(),
        inspection_plans::id.desc(),
    ))
    .limit(500)
    .select(Plan::as_select())
    .load(conn)
    .await
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = inspection_draws)]
pub struct Draw {
    pub id: Uuid,
    pub plan_id: Option<Uuid>,
    pub province_code: String,
    pub algorithm: String,
    pub seed: String,
    pub seed_given: bool,
    pub filters: serde_json::Value,
    pub targets_requested: i32,
    pub inspectors_requested: i32,
    pub pool: Option<Vec<Uuid>>,
    pub pool_sha256: Option<String>,
    pub staff_pool: Option<Vec<Uuid>>,
    pub staff_sha256: Option<String>,
    pub target_ids: Option<Vec<Uuid>>,
    pub inspector_ids: Option<Vec<Uuid>>,
    pub drawn_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A draw as it begins: what was asked and its seed, written before any pool is read.
pub struct NewDraw<'a> {
    pub id: Uuid,
    pub plan_id: Option<Uuid>,
    pub province_code: &'a str,
    pub algorithm: &'a str,
    pub seed: &'a str,
    pub seed_given: bool,
    pub filters: &'a serde_json::Value,
    pub targets_requested: i32,
    pub inspectors_requested: i32,
    pub drawn_by: Uuid,
}

pub async fn begin_draw(conn: &mut AsyncPgConnection, d: &NewDraw<'_>) -> QueryResult<()> {
    diesel::insert_into(inspection_draws::table)
        .values((
            inspection_draws::id.eq(d.id),
            inspection_draws::plan_id.eq(d.plan_id),
            inspection_draws::province_code.eq(d.province_code),
            inspection_draws::algorithm.eq(d.algorithm),
            inspection_draws::seed.eq(d.seed),
            inspection_draws::seed_given.eq(d.seed_given),
            inspection_draws::filters.eq(d.filters),
            inspection_draws::targets_requested.eq(d.targets_requested),
            inspection_draws::inspectors_requested.eq(d.inspectors_requested),
            inspection_draws::drawn_by.eq(d.drawn_by),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// What a draw found: its pools in order, their digests and what it drew.
pub struct DrawResult<'a> {
    pub pool: &'a [Uuid],
    pub pool_sha256: &'a str,
    pub staff_pool: &'a [Uuid],
    pub staff_sha256: &'a str,
    pub target_ids: &'a [Uuid],
    pub inspector_ids: &'a [Uuid],
}

/// Completes a draw, once: the database refuses any change to a completed one.
pub async fn complete_draw(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    r: &DrawResult<'_>,
) -> QueryResult<Draw> {
    diesel::update(inspection_draws::table.find(id))
        .set((
            inspection_draws::pool.eq(r.pool),
            inspection_draws::pool_sha256.eq(r.pool_sha256),
            inspection_draws::staff_pool.eq(r.staff_pool),
            inspection_draws::staff_sha256.eq(r.staff_sha256),
            inspection_draws::target_ids.eq(r.target_ids),
            inspection_draws::inspector_ids.eq(r.inspector_ids),
            inspection_draws::completed_at.eq(diesel::dsl::now),
        ))
        .returning(Draw::as_returning())
        .get_result(conn)
        .await
}

/// A completed draw of the scope's provinces (a CAC office's).
pub async fn draw(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: &Scope,
) -> QueryResult<Option<Draw>> {
    let Some(provinces) = scope.cac_provinces() else {
        return Ok(None);
    };
    let mut q = inspection_draws::table
        .find(id)
        .filter(inspection_draws::completed_at.is_not_null())
        .into_boxed();
    if let Some(p) = provinces {
        q = q.filter(inspection_draws::province_code.eq_any(p));
    }
    q.select(Draw::as_select()).first(conn).await.optional()
}

/// Every draw made for a plan, oldest first.
pub async fn draws_of_plan(conn: &mut AsyncPgConnection, plan: Uuid) -> QueryResult<Vec<Draw>> {
    inspection_draws::table
        .filter(inspection_draws::plan_id.eq(plan))
        .filter(inspection_draws::completed_at.is_not_null())
        .order((
            inspection_draws::created_at.asc(),
            inspection_draws::id.asc(),
        ))
        .select(Draw::as_select())
        .load(conn)
        .await
}

/// A processor in a draw's pool or result.
#[derive(Debug, Clone, Queryable, Serialize, utoipa::ToSchema)]
pub struct PoolProcessor {
    pub organisation_id: Uuid,
    pub name: String,
    pub uscc: String,
}

/// Which processors a draw's pool holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolFilter {
    /// Only processors with a recorded (已备案) filing.
    pub filed_only: bool,
    /// Only processors whose submitted filings reached this risk rank (0 none … 4 critical).
    pub min_risk_rank: Option<i16>,
}

/// The processors registered in `province` that pass `filter`, ordered by id: the pool a
/// draw records.
pub async fn processor_pool(
    conn: &mut AsyncPgConnection,
    province: &str,
    filter: &PoolFilter,
) -> QueryResult<Vec<PoolProcessor>> {
    let mut q = organisations::table
        .filter(organisations::province_code.eq(province))
        .into_boxed();
    if filter.filed_only {
        q = q.filter(diesel::dsl::exists(
            filings::table
                .filter(filings::organisation_id.eq(organisations::id))
                .filter(filings::status.eq("filed")),
        ));
    }
    if let Some(rank) = filter.min_risk_rank {
        q = q.filter(diesel::dsl::exists(
            filings::table
                .filter(filings::organisation_id.eq(organisations::id))
                .filter(filings::first_submitted_at.is_not_null())
                .filter(filings::risk_rank.ge(rank)),
        ));
    }
    q.order(organisations::id.asc())
        .select((organisations::id, organisations::name, organisations::uscc))
        .load(conn)
        .await
}

/// An inspector in a draw's staff pool or result.
#[derive(Debug, Clone, Queryable, Serialize, utoipa::ToSchema)]
pub struct PoolInspector {
    pub user_id: Uuid,
    pub name: String,
}

/// The eligible inspectors of `province`: active staff of its provincial CAC office with the
/// inspector role, ordered by id, less those who declared a conflict with any of `targets`.
pub async fn inspector_pool(
    conn: &mut AsyncPgConnection,
    province: &str,
    targets: &[Uuid],
) -> QueryResult<Vec<PoolInspector>> {
    users::table
        .inner_join(agencies::table)
        .filter(agencies::kind.eq("provincial_cac"))
        .filter(agencies::province_code.eq(province))
        .filter(users::role.eq("inspector"))
        .filter(users::active.eq(true))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            inspector_conflicts::table
                .filter(inspector_conflicts::user_id.eq(users::id))
                .filter(inspector_conflicts::organisation_id.eq_any(targets)),
        )))
        .order(users::id.asc())
        .select((users::id, users::display_name))
        .load(conn)
        .await
}

/// Records an inspector's conflict of interest with a processor (again: the reason is kept).
pub async fn declare_conflict(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    organisation: Uuid,
    reason: &str,
) -> QueryResult<()> {
    diesel::insert_into(inspector_conflicts::table)
        .values((
            inspector_conflicts::user_id.eq(user),
            inspector_conflicts::organisation_id.eq(organisation),
            inspector_conflicts::reason.eq(reason),
        ))
        .on_conflict((
            inspector_conflicts::user_id,
            inspector_conflicts::organisation_id,
        ))
        .do_update()
        .set(inspector_conflicts::reason.eq(reason))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Processors by id, in the order given.
pub async fn processors(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<PoolProcessor>> {
    let found: Vec<PoolProcessor> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((organisations::id, organisations::name, organisations::uscc))
        .load(conn)
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|p| p.organisation_id == *id).cloned())
        .collect())
}

/// Inspectors by id, in the order given.
pub async fn inspectors(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<PoolInspector>> {
    let found: Vec<PoolInspector> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|p| p.user_id == *id).cloned())
        .collect())
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = inspections)]
pub struct Inspection {
    pub id: Uuid,
    pub plan_id: Option<Uuid>,
    pub draw_id: Option<Uuid>,
    pub province_code: String,
    pub organisation_id: Uuid,
    pub source: String,
    pub status: String,
    pub inspector_ids: Vec<Uuid>,
    pub notice: Option<String>,
    pub findings: Option<serde_json::Value>,
    pub result: Option<String>,
    pub rectified: Option<bool>,
    pub notified_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

pub struct NewInspection<'a> {
    pub id: Uuid,
    pub plan_id: Option<Uuid>,
    pub draw_id: Option<Uuid>,
    pub province_code: &'a str,
    pub organisation_id: Uuid,
    pub source: &'a str,
    pub status: &'a str,
    pub inspector_ids: &'a [Uuid],
    pub created_by: Uuid,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    n: &NewInspection<'_>,
) -> QueryResult<Inspection> {
    diesel::insert_into(inspections::table)
        .values((
            inspections::id.eq(n.id),
            inspections::plan_id.eq(n.plan_id),
            inspections::draw_id.eq(n.draw_id),
            inspections::province_code.eq(n.province_code),
            inspections::organisation_id.eq(n.organisation_id),
            inspections::source.eq(n.source),
            inspections::status.eq(n.status),
            inspections::inspector_ids.eq(n.inspector_ids),
            inspections::created_by.eq(n.created_by),
        ))
        .returning(Inspection::as_returning())
        .get_result(conn)
        .await
}

type Boxed<'a> = inspections::BoxedQuery<'a, diesel::pg::Pg>;

fn scoped(scope: &Scope) -> Boxed<'_> {
    let q = inspections::table.into_boxed();
    match &scope.reach {
        Reach::Organisation(org) => q.filter(inspections::organisation_id.eq(*org)),
        Reach::Provinces(p) => q.filter(inspections::province_code.eq_any(p)),
        Reach::Everywhere => q,
        Reach::Granted(agency) => q.filter(diesel::dsl::exists(
            inspection_agencies::table
                .filter(inspection_agencies::inspection_id.eq(inspections::id))
                .filter(inspection_agencies::agency_id.eq(*agency)),
        )),
    }
}

/// One inspection, if the scope may see it.
pub async fn get(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: &Scope,
) -> QueryResult<Option<Inspection>> {
    scoped(scope)
        .filter(inspections::id.eq(id))
        .select(Inspection::as_select())
        .first(conn)
        .await
        .optional()
}

/// One inspection the scope may see, locked for the rest of the transaction.
pub async fn get_for_update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: &Scope,
) -> QueryResult<Option<Inspection>> {
    if get(conn, id, scope).await?.is_none() {
        return Ok(None);
    }
    inspections::table
        .find(id)
        .for_update()
        .select(Inspection::as_select())
        .first(conn)
        .await
        .optional()
}

/// Inspections the scope may see, newest first, optionally of one status or plan.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    status: Option<&str>,
    plan: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Inspection>> {
    let mut q = scoped(scope);
    if let Some(s) = status {
        q = q.filter(inspections::status.eq(s.to_owned()));
    }
    if let Some(p) = plan {
        q = q.filter(inspections::plan_id.eq(p));
    }
    q.order((inspections::created_at.desc(), inspections::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(Inspection::as_select())
        .load(conn)
        .await
}

/// The open inspections of a scope nearest time limit first (the nearest open request or
/// order; none last), keyset-paged after (due date, id): the workbench's inspections.
pub struct WorkQuery {
    pub status: Option<String>,
    /// Part of the processor's name, or its USCC.
    pub processor: Option<String>,
    pub after: Option<(Option<NaiveDate>, Uuid)>,
    pub limit: i64,
}

pub async fn work_queue(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    q: &WorkQuery,
) -> QueryResult<Vec<(Inspection, Option<NaiveDate>)>> {
    use crate::schema::deadlines;
    let none = deadlines_store::no_open_limit();
    let due_or_none_sql = deadlines_store::nearest_open_sql(ENTITY, "inspections");
    let due = deadlines::table
        .filter(deadlines::entity_type.eq(ENTITY))
        .filter(deadlines::entity_id.eq(inspections::id))
        .filter(deadlines::met_on.is_null())
        .select(diesel::dsl::min(deadlines::due_date))
        .single_value();
    let due_or_none = diesel::dsl::sql::<diesel::sql_types::Date>(&due_or_none_sql);
    let mut query = scoped(scope).filter(inspections::status.ne("closed"));
    if let Some(s) = &q.status {
        query = query.filter(inspections::status.eq(s.clone()));
    }
    if let Some(p) = q
        .processor
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        query = query.filter(
            inspections::organisation_id.eq_any(
                organisations::table
                    .filter(
                        organisations::name
                            .ilike(crate::filings::contains_pattern(p))
                            .or(organisations::uscc.eq(p.to_uppercase())),
                    )
                    .select(organisations::id),
            ),
        );
    }
    if let Some((after_due, after_id)) = q.after {
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                "({due_or_none_sql}, inspections.id) > ("
            ))
            .bind::<diesel::sql_types::Date, _>(after_due.unwrap_or(none))
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(after_id)
            .sql(")"),
        );
    }
    query
        .order((due_or_none.asc(), inspections::id.asc()))
        .limit(q.limit)
        .select((Inspection::as_select(), due))
        .load(conn)
        .await
}

/// A change of state, from the version the caller saw; `None` when that version is stale.
pub struct Step<'a> {
    pub status: &'a str,
    pub notice: Option<&'a str>,
    pub findings: Option<&'a serde_json::Value>,
    pub result: Option<&'a str>,
    pub rectified: Option<bool>,
    pub notified: bool,
    pub closed: bool,
}

pub async fn step(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i32,
    s: &Step<'_>,
) -> QueryResult<Option<Inspection>> {
    let now = Utc::now();
    let current: Inspection = inspections::table
        .find(id)
        .select(Inspection::as_select())
        .first(conn)
        .await?;
    if current.version != version {
        return Ok(None);
    }
    diesel::update(inspections::table.find(id))
        .set((
            inspections::status.eq(s.status),
            inspections::notice.eq(s.notice.map(str::to_owned).or(current.notice)),
            inspections::findings.eq(s.findings.cloned().or(current.findings)),
            inspections::result.eq(s.result.map(str::to_owned).or(current.result)),
            inspections::rectified.eq(s.rectified.or(current.rectified)),
            inspections::notified_at.eq(if s.notified {
                Some(now)
            } else {
                current.notified_at
            }),
            inspections::closed_at.eq(if s.closed {
                Some(now)
            } else {
                current.closed_at
            }),
            inspections::updated_at.eq(now),
            inspections::version.eq(version + 1),
        ))
        .returning(Inspection::as_returning())
        .get_result(conn)
        .await
        .map(Some)
}

/// Invites an agency to a joint inspection (again: nothing changes).
pub async fn invite(
    conn: &mut AsyncPgConnection,
    inspection: Uuid,
    agency: Uuid,
    by: Uuid,
) -> QueryResult<bool> {
    diesel::insert_into(inspection_agencies::table)
        .values((
            inspection_agencies::inspection_id.eq(inspection),
            inspection_agencies::agency_id.eq(agency),
            inspection_agencies::invited_by.eq(by),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// The agencies invited to an inspection: (id, kind, name).
pub async fn agencies_of(
    conn: &mut AsyncPgConnection,
    inspection: Uuid,
) -> QueryResult<Vec<(Uuid, String, String)>> {
    inspection_agencies::table
        .inner_join(agencies::table)
        .filter(inspection_agencies::inspection_id.eq(inspection))
        .order(inspection_agencies::invited_at.asc())
        .select((agencies::id, agencies::kind, agencies::name))
        .load(conn)
        .await
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = inspection_items)]
pub struct Item {
    pub id: Uuid,
    pub inspection_id: Uuid,
    pub kind: String,
    pub description: String,
    pub working_days: i32,
    pub status: String,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_item(
    conn: &mut AsyncPgConnection,
    inspection: Uuid,
    kind: &str,
    description: &str,
    working_days: i32,
    by: Uuid,
) -> QueryResult<Item> {
    diesel::insert_into(inspection_items::table)
        .values((
            inspection_items::id.eq(Uuid::now_v7()),
            inspection_items::inspection_id.eq(inspection),
            inspection_items::kind.eq(kind),
            inspection_items::description.eq(description),
            inspection_items::working_days.eq(working_days),
            inspection_items::status.eq("open"),
            inspection_items::created_by.eq(by),
        ))
        .returning(Item::as_returning())
        .get_result(conn)
        .await
}

pub async fn items_of(conn: &mut AsyncPgConnection, inspection: Uuid) -> QueryResult<Vec<Item>> {
    inspection_items::table
        .filter(inspection_items::inspection_id.eq(inspection))
        .order((
            inspection_items::created_at.asc(),
            inspection_items::id.asc(),
        ))
        .select(Item::as_select())
        .load(conn)
        .await
}

/// One item of an inspection, locked.
pub async fn item_for_update(
    conn: &mut AsyncPgConnection,
    inspection: Uuid,
    item: Uuid,
) -> QueryResult<Option<Item>> {
    inspection_items::table
        .find(item)
        .filter(inspection_items::inspection_id.eq(inspection))
        .for_update()
        .select(Item::as_select())
        .first(conn)
        .await
        .optional()
}

/// The open item of a kind (the current rectification order), if any.
pub async fn open_item(
    conn: &mut AsyncPgConnection,
    inspection: Uuid,
    kind: &str,
) -> QueryResult<Option<Item>> {
    inspection_items::table
        .filter(inspection_items::inspection_id.eq(inspection))
        .filter(inspection_items::kind.eq(kind))
        .filter(inspection_items::status.eq_any(["open", "answered"]))
        .order(inspection_items::created_at.desc())
        .select(Item::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn answer_item(
    conn: &mut AsyncPgConnection,
    item: Uuid,
    answer: &str,
    by: Uuid,
) -> QueryResult<Item> {
    diesel::update(inspection_items::table.find(item))
        .set((
            inspection_items::status.eq("answered"),
            inspection_items::answer.eq(answer),
            inspection_items::answered_at.eq(diesel::dsl::now),
            inspection_items::answered_by.eq(by),
        ))
        .returning(Item::as_returning())
        .get_result(conn)
        .await
}

/// Closes an item as accepted or rejected (a rectification verified, or ordered again).
pub async fn settle_item(
    conn: &mut AsyncPgConnection,
    item: Uuid,
    accepted: bool,
) -> QueryResult<()> {
    diesel::update(inspection_items::table.find(item))
        .set(inspection_items::status.eq(if accepted { "accepted" } else { "rejected" }))
        .execute(conn)
        .await
        .map(|_| ())
}

/// A closed inspection as published (一公开): no personal data of individuals.
#[derive(Debug, Clone, Queryable, Serialize, utoipa::ToSchema)]
pub struct Published {
    pub inspection_id: Uuid,
    pub processor: String,
    pub uscc: String,
    pub province_code: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub result: Option<String>,
    /// Whether an ordered rectification was done (none ordered: absent).
    pub rectified: Option<bool>,
}

/// Closed inspections of a province (every province for `None`), latest first.
pub async fn published(
    conn: &mut AsyncPgConnection,
    province: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Published>> {
    let mut q = inspections::table
        .inner_join(organisations::table)
        .filter(inspections::status.eq("closed"))
        .into_boxed();
    if let Some(p) = province {
        q = q.filter(inspections::province_code.eq(p.to_owned()));
    }
    q.order((inspections::closed_at.desc(), inspections::id.desc()))
        .limit(limit)
        .offset(offset)
        .select((
            inspections::id,
            organisations::name,
            organisations::uscc,
            inspections::province_code,
            inspections::closed_at,
            inspections::result,
            inspections::rectified,
        ))
        .load(conn)
        .await
}

/// What the filings say of one processor of a province, for choosing risk targets.
#[derive(Debug, Clone, QueryableByName)]
pub struct RiskSignals {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub organisation_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub uscc: String,
    /// The highest risk rank any submitted filing reached.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::SmallInt>)]
    pub top_risk_rank: Option<i16>,
    /// The most working days any filing came late by.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    pub most_late: Option<i32>,
    /// Whether any filing was ever submitted.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub ever_submitted: bool,
    /// The trigger dates that unsubmitted drafts give, as written (parsed by the caller).
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    pub draft_triggers: Vec<String>,
    /// An inspection of the processor that is not yet closed.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub under_inspection: bool,
}

/// The filing signals of every processor registered in `province`, ordered by id: one
/// statement over the province's filings.
pub async fn risk_signals(
    conn: &mut AsyncPgConnection,
    province: &str,
) -> QueryResult<Vec<RiskSignals>> {
    // Each kind's trigger date, where the form of that kind gives it.
    let trigger = frt_domain::form::TRIGGERS
        .iter()
        .map(|t| {
            format!(
                "WHEN '{}' THEN form #>> '{}' ",
                t.kind.as_str(),
                t.json_path()
            )
        })
        .collect::<String>();
    diesel::sql_query(format!(
        "SELECT o.id AS organisation_id, o.name, o.uscc, f.top_risk_rank, f.most_late, \
                coalesce(f.ever_submitted, false) AS ever_submitted, \
                coalesce(f.draft_triggers, '{{}}') AS draft_triggers, \
                EXISTS (SELECT 1 FROM inspections i WHERE i.organisation_id = o.id \
                        AND i.status <> 'closed') AS under_inspection \
         FROM organisations o \
         LEFT JOIN ( \
           SELECT organisation_id, \
                  max(risk_rank) FILTER (WHERE first_submitted_at IS NOT NULL) AS top_risk_rank, \
                  max(late_by_working_days) AS most_late, \
                  bool_or(first_submitted_at IS NOT NULL) AS ever_submitted, \
                  array_remove(array_agg(CASE kind {trigger}END) \
                    FILTER (WHERE status = 'draft' AND first_submitted_at IS NULL), NULL) \
                    AS draft_triggers \
           FROM filings WHERE province_code = $1 GROUP BY organisation_id \
         ) f ON f.organisation_id = o.id \
         WHERE o.province_code = $1 \
         ORDER BY o.id"
    ))
    .bind::<diesel::sql_types::Text, _>(province)
    .load(conn)
    .await
}

/// The inspections of one processor, oldest first: id, status, source, opening.
pub async fn of_organisation(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
) -> QueryResult<Vec<(Uuid, String, String, DateTime<Utc>)>> {
    inspections::table
        .filter(inspections::organisation_id.eq(organisation))
        .order((inspections::created_at.asc(), inspections::id.asc()))
        .select((
            inspections::id,
            inspections::status,
            inspections::source,
            inspections::created_at,
        ))
        .load(conn)
        .await
}
