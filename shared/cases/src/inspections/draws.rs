//! Inspection plans and the random draw (双随机、一公开): N processors from a filtered pool and
//! M inspectors from the eligible staff, leaving out declared conflicts of interest. The seed
//! is written before any pool is read; the pools (ids in order, with their SHA-256) and the
//! result are written once; nothing is ever deleted. Re-running a draw from what it recorded
//! must give the same answer.

use super::{cac_scope, invalid, text, InspectionError};
use crate::caller::Caller;
use crate::context::Core;
use chrono::NaiveDate;
use frt_access::{Action, Resource};
use frt_domain::inspection::{self as rules, Seed, DRAW_ALGORITHM};
use frt_domain::risk::RiskLevel;
use frt_store::audit;
use frt_store::inspections::{self as store, Draw, Plan, PoolFilter, PoolInspector, PoolProcessor};
use frt_store::{AsyncPgConnection, ScopedFutureExt};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// Makes an inspection plan for a province and period.
pub async fn create_plan(
    core: &Core,
    caller: &Caller,
    province: &str,
    title: &str,
    period_start: NaiveDate,
    period_end: NaiveDate,
) -> Result<Plan, InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Plan, Some(province))?;
    let title = text("title", title, 200)?;
    if period_end < period_start {
        return Err(invalid("period_end", "the period ends before it starts").into());
    }
    let plan = Plan {
        id: Uuid::now_v7(),
        province_code: province.to_owned(),
        title,
        period_start,
        period_end,
        created_by: caller.principal.user_id,
        created_at: chrono::Utc::now(),
    };
    let actor = caller.actor.clone();
    core.db
        .tx(|conn| {
            async move {
                let plan = store::insert_plan(conn, &plan).await?;
                audit::record(
                    conn,
                    &actor,
                    "inspection.plan_created",
                    "inspection_plan",
                    &plan.id.to_string(),
                    None,
                    Some(json!(plan)),
                )
                .await?;
                Ok::<_, InspectionError>(plan)
            }
            .scope_boxed()
        })
        .await
}

/// A plan with every draw made for it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    #[serde(flatten)]
    pub plan: Plan,
    /// Every draw made for the plan, oldest first: drawing again shows here.
    pub draws: Vec<DrawView>,
}

pub async fn plan(core: &Core, caller: &Caller, id: Uuid) -> Result<PlanView, InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Plan, None)?;
    let scope = cac_scope(caller)?;
    core.db
        .run(|conn| {
            async move {
                let plan = store::plan(conn, id, &scope)
                    .await?
                    .ok_or(InspectionError::Missing("plan"))?;
                let mut draws = Vec::new();
                for d in store::draws_of_plan(conn, id).await? {
                    draws.push(draw_view(conn, d).await?);
                }
                Ok(PlanView { plan, draws })
            }
            .scope_boxed()
        })
        .await
}

pub async fn plans(core: &Core, caller: &Caller) -> Result<Vec<Plan>, InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Plan, None)?;
    let scope = cac_scope(caller)?;
    core.db
        .run(|conn| async move { Ok(store::plans(conn, &scope).await?) }.scope_boxed())
        .await
}

/// Which processors a draw's pool holds (all optional: without any, every processor
/// registered in the province).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolFilters {
    /// Only processors with a recorded (已备案) filing.
    #[serde(default)]
    pub filed_only: bool,
    /// Only processors a submitted filing of which reached this risk level: none, low,
    /// medium, high or critical.
    #[schema(pattern = "^(none|low|medium|high|critical)$")]
    pub min_risk: Option<String>,
}

impl PoolFilters {
    fn to_store(&self) -> Result<PoolFilter, InspectionError> {
        let min_risk_rank = match &self.min_risk {
            None => None,
            Some(r) => Some(
                RiskLevel::ALL
                    .iter()
                    .position(|l| l.as_str() == r)
                    .and_then(|p| i16::try_from(p).ok())
                    .ok_or_else(|| {
                        invalid("filters.min_risk", "none, low, medium, high or critical")
                    })?,
            ),
        };
        Ok(PoolFilter {
            filed_only: self.filed_only,
            min_risk_rank,
        })
    }
}

/// What a draw is asked for.
#[derive(Debug, Clone)]
pub struct DrawRequest {
    /// Every draw is made for a plan, of the plan's province, and listed with it: drawing
    /// again shows there.
    pub plan_id: Uuid,
    pub filters: PoolFilters,
    pub targets: i32,
    pub inspectors: i32,
    /// 64 hex digits, only where acceptance tests run (test support is on): a seed chosen by
    /// the caller could be tried offline until the result suits. Otherwise one from the
    /// operating system's CSPRNG, recorded before any pool is read.
    pub seed: Option<String>,
}

/// A draw as recorded: how it was made, its pools by size and digest, and what it drew.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DrawView {
    pub id: Uuid,
    pub plan_id: Option<Uuid>,
    pub province: String,
    pub algorithm: String,
    pub seed: String,
    /// Whether the seed was given rather than made by the operating system's CSPRNG.
    pub seed_given: bool,
    #[schema(value_type = Object)]
    pub filters: serde_json::Value,
    pub pool_size: usize,
    /// SHA-256 of the pool's ids in order, one per line (no newline after the last).
    pub pool_sha256: String,
    /// The processors drawn from, in the order the algorithm took them: with the seed and
    /// the algorithm, enough to re-run the draw anywhere.
    pub pool: Vec<Uuid>,
    pub staff_pool_size: usize,
    pub staff_pool_sha256: String,
    /// The eligible inspectors drawn from (conflicts with the drawn targets left out), in order.
    pub staff_pool: Vec<Uuid>,
    pub targets: Vec<PoolProcessor>,
    pub inspectors: Vec<PoolInspector>,
    pub drawn_by: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

async fn draw_view(conn: &mut AsyncPgConnection, d: Draw) -> Result<DrawView, InspectionError> {
    let targets = store::processors(conn, d.target_ids.as_deref().unwrap_or_default()).await?;
    let inspectors =
        store::inspectors(conn, d.inspector_ids.as_deref().unwrap_or_default()).await?;
    Ok(DrawView {
        id: d.id,
        plan_id: d.plan_id,
        province: d.province_code,
        algorithm: d.algorithm,
        seed: d.seed,
        seed_given: d.seed_given,
        filters: d.filters,
        pool_size: d.pool.as_ref().map_or(0, Vec::len),
        pool_sha256: d.pool_sha256.unwrap_or_default(),
        pool: d.pool.unwrap_or_default(),
        staff_pool_size: d.staff_pool.as_ref().map_or(0, Vec::len),
        staff_pool_sha256: d.staff_sha256.unwrap_or_default(),
        staff_pool: d.staff_pool.unwrap_or_default(),
        targets,
        inspectors,
        drawn_by: d.drawn_by,
        created_at: d.created_at,
    })
}

fn ids_text(ids: &[Uuid]) -> Vec<String> {
    ids.iter().map(Uuid::to_string).collect()
}

/// The draw itself, from a pool and staff pool already read: targets first, then the
/// inspectors among those with no conflict with any target.
fn run_draw(
    seed: &Seed,
    pool: &[Uuid],
    targets: usize,
    staff: &[Uuid],
    inspectors: usize,
) -> Result<(Vec<Uuid>, Vec<Uuid>), InspectionError> {
    let drawn_targets = rules::draw(pool, targets, seed, "targets")?;
    let drawn_inspectors = rules::draw(staff, inspectors, seed, "inspectors")?;
    Ok((drawn_targets, drawn_inspectors))
}

/// Draws targets and inspectors for a plan of the caller's province(s) (another province's
/// plan is not found). The seed is recorded before the pool is read; a draw asking more than
/// its pools hold is refused and leaves nothing behind.
pub async fn draw(
    core: &Core,
    caller: &Caller,
    req: DrawRequest,
) -> Result<DrawView, InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Plan, None)?;
    let scope = cac_scope(caller)?;
    if !(0..=10_000).contains(&req.targets) || !(0..=1_000).contains(&req.inspectors) {
        return Err(invalid("targets", "targets 0 to 10000, inspectors 0 to 1000").into());
    }
    let filter = req.filters.to_store()?;
    let (seed, seed_given) = match &req.seed {
        Some(_) if core.settings.qa_token().is_none() => {
            return Err(InspectionError::SeedNotAllowed)
        }
        Some(s) => (Seed::parse(s)?, true),
        None => {
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            (Seed::from_bytes(bytes), false)
        }
    };
    let filters = serde_json::to_value(&req.filters).map_err(anyhow::Error::from)?;
    let actor = caller.actor.clone();
    let drawn_by = caller.principal.user_id;
    core.db
        .tx(|conn| {
            async move {
                let plan = store::plan(conn, req.plan_id, &scope)
                    .await?
                    .ok_or(InspectionError::Missing("plan"))?;
                let province = plan.province_code;
                let id = Uuid::now_v7();
                let seed_hex = seed.to_hex();
                // The seed first, before any pool is read.
                store::begin_draw(
                    conn,
                    &store::NewDraw {
                        id,
                        plan_id: Some(req.plan_id),
                        province_code: &province,
                        algorithm: DRAW_ALGORITHM,
                        seed: &seed_hex,
                        seed_given,
                        filters: &filters,
                        targets_requested: req.targets,
                        inspectors_requested: req.inspectors,
                        drawn_by,
                    },
                )
                .await?;
                audit::record(
                    conn,
                    &actor,
                    "inspection.draw_seeded",
                    "inspection_draw",
                    &id.to_string(),
                    None,
                    Some(json!({ "seed": seed_hex, "seed_given": seed_given, "filters": filters })),
                )
                .await?;
                let pool: Vec<Uuid> = store::processor_pool(conn, &province, &filter)
                    .await?
                    .into_iter()
                    .map(|p| p.organisation_id)
                    .collect();
                let n = usize::try_from(req.targets).unwrap_or(0);
                let targets = rules::draw(&pool, n, &seed, "targets")?;
                let staff: Vec<Uuid> = store::inspector_pool(conn, &province, &targets)
                    .await?
                    .into_iter()
                    .map(|p| p.user_id)
                    .collect();
                let m = usize::try_from(req.inspectors).unwrap_or(0);
                let inspectors = rules::draw(&staff, m, &seed, "inspectors")?;
                let pool_sha256 = rules::pool_sha256(&ids_text(&pool));
                let staff_sha256 = rules::pool_sha256(&ids_text(&staff));
                let done = store::complete_draw(
                    conn,
                    id,
                    &store::DrawResult {
                        pool: &pool,
                        pool_sha256: &pool_sha256,
                        staff_pool: &staff,
                        staff_sha256: &staff_sha256,
                        target_ids: &targets,
                        inspector_ids: &inspectors,
                    },
                )
                .await?;
                audit::record(
                    conn,
                    &actor,
                    "inspection.drawn",
                    "inspection_draw",
                    &id.to_string(),
                    None,
                    Some(json!({
                        "pool_size": pool.len(), "pool_sha256": pool_sha256,
                        "staff_pool_size": staff.len(), "staff_sha256": staff_sha256,
                        "targets": targets, "inspectors": inspectors,
                    })),
                )
                .await?;
                draw_view(conn, done).await
            }
            .scope_boxed()
        })
        .await
}

/// The sizes of the pools a draw for `plan_id` with `filters` would read now: processors, and
/// inspectors before any conflict with the targets is left out (a page's preview).
pub async fn pool_sizes(
    core: &Core,
    caller: &Caller,
    plan_id: Uuid,
    filters: &PoolFilters,
) -> Result<(usize, usize), InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Plan, None)?;
    let scope = cac_scope(caller)?;
    let filter = filters.to_store()?;
    core.db
        .run(|conn| {
            async move {
                let plan = store::plan(conn, plan_id, &scope)
                    .await?
                    .ok_or(InspectionError::Missing("plan"))?;
                let pool = store::processor_pool(conn, &plan.province_code, &filter).await?;
                let staff = store::inspector_pool(conn, &plan.province_code, &[]).await?;
                Ok((pool.len(), staff.len()))
            }
            .scope_boxed()
        })
        .await
}

/// A draw the caller may see.
pub async fn get(core: &Core, caller: &Caller, id: Uuid) -> Result<DrawView, InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Plan, None)?;
    let scope = cac_scope(caller)?;
    core.db
        .run(|conn| {
            async move {
                let d = store::draw(conn, id, &scope)
                    .await?
                    .ok_or(InspectionError::Missing("draw"))?;
                draw_view(conn, d).await
            }
            .scope_boxed()
        })
        .await
}

/// Re-runs a draw from what it recorded (its seed, pools and sizes) and says whether the
/// result is the same, whether the recorded pools still match their digests, and whether each
/// pool is in id order without a repeat, as it was read.
pub async fn verify(core: &Core, caller: &Caller, id: Uuid) -> Result<bool, InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Plan, None)?;
    let scope = cac_scope(caller)?;
    core.db
        .run(|conn| {
            async move {
                let d = store::draw(conn, id, &scope)
                    .await?
                    .ok_or(InspectionError::Missing("draw"))?;
                if d.algorithm != DRAW_ALGORITHM {
                    return Ok(false);
                }
                let seed = Seed::parse(&d.seed)?;
                let pool = d.pool.unwrap_or_default();
                let staff = d.staff_pool.unwrap_or_default();
                // A pool is read ordered by id: out of order or repeated, it is not what was drawn from.
                let ordered = |ids: &[Uuid]| ids.windows(2).all(|w| w[0] < w[1]);
                let digests_match = ordered(&pool)
                    && ordered(&staff)
                    && d.pool_sha256.as_deref()
                        == Some(rules::pool_sha256(&ids_text(&pool)).as_str())
                    && d.staff_sha256.as_deref()
                        == Some(rules::pool_sha256(&ids_text(&staff)).as_str());
                let n = usize::try_from(d.targets_requested).unwrap_or(0);
                let m = usize::try_from(d.inspectors_requested).unwrap_or(0);
                let again = run_draw(&seed, &pool, n, &staff, m);
                Ok(digests_match
                    && again.is_ok_and(|(t, i)| {
                        Some(&t) == d.target_ids.as_ref() && Some(&i) == d.inspector_ids.as_ref()
                    }))
            }
            .scope_boxed()
        })
        .await
}

/// An inspector declares a conflict of interest (回避) with a processor; later draws leave
/// them out of any draw that picks that processor.
pub async fn declare_conflict(
    core: &Core,
    caller: &Caller,
    organisation: Uuid,
    reason: &str,
) -> Result<(), InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Conduct, None)?;
    let reason = text("reason", reason, 1000)?;
    let user = caller.principal.user_id;
    let actor = caller.actor.clone();
    core.db
        .tx(|conn| {
            async move {
                frt_store::identities::organisation(conn, organisation)
                    .await?
                    .ok_or(InspectionError::Missing("organisation"))?;
                store::declare_conflict(conn, user, organisation, &reason).await?;
                audit::record(
                    conn,
                    &actor,
                    "inspection.conflict_declared",
                    "user",
                    &user.to_string(),
                    None,
                    Some(json!({ "organisation_id": organisation, "reason": reason })),
                )
                .await?;
                Ok::<_, InspectionError>(())
            }
            .scope_boxed()
        })
        .await
}
