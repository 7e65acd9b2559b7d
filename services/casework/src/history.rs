//! A filing's history for the reviewer: every version the processor submitted, and the
//! field-level differences between two of them.

use actix_web::{web, HttpResponse};
use frt_access::{Action, Resource};
use frt_domain::diff::{field_changes, FieldChange};
use frt_store::versions::{self, FilingVersion};
use frt_web::{ApiError, ApiResult, Auth, Core};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// Every version of a filing as submitted, oldest first.
#[utoipa::path(get, path = "/api/v1/filings/{id}/versions", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")),
    responses((status = 200, body = [FilingVersion]), (status = 404, content_type = "application/problem+json")))]
pub async fn list(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Read, None)?;
    let id = id.into_inner();
    let mut conn = core.db.conn().await?;
    frt_cases::filings::reads::visible(&mut conn, &auth.principal.filing_scope(), id).await?;
    Ok(HttpResponse::Ok().json(versions::of_filing(&mut conn, id).await?))
}

/// The largest version number a query may name.
const MAX_VERSION: i32 = 1_000_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// The earlier version (default: the one before `to`).
    pub from: Option<i32>,
    /// The later version (default: the latest).
    pub to: Option<i32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionDiff {
    pub from: i32,
    pub to: i32,
    /// Changed form fields (`form.storage.people_stored`) and materials
    /// (`attachments.commitment_letter[0]`, compared by SHA-256).
    pub changes: Vec<FieldChange>,
}

/// The form and the materials of a version in one comparable document; materials are
/// grouped by kind and compared by content hash.
fn comparable(v: &FilingVersion) -> Value {
    let mut by_kind: Map<String, Value> = Map::new();
    for a in v.attachments.as_array().into_iter().flatten() {
        let kind = a["kind"].as_str().unwrap_or("other").to_owned();
        let entry = by_kind
            .entry(kind)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(a["sha256"].clone());
        }
    }
    for list in by_kind.values_mut() {
        if let Value::Array(l) = list {
            l.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        }
    }
    json!({ "form": v.form, "attachments": by_kind })
}

/// Field-level differences between two submitted versions.
#[utoipa::path(get, path = "/api/v1/filings/{id}/versions/diff", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id"), DiffQuery),
    responses((status = 200, body = VersionDiff), (status = 404, content_type = "application/problem+json")))]
pub async fn diff(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    q: web::Query<DiffQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Read, None)?;
    let id = id.into_inner();
    let mut conn = core.db.conn().await?;
    frt_cases::filings::reads::visible(&mut conn, &auth.principal.filing_scope(), id).await?;
    let all = versions::of_filing(&mut conn, id).await?;
    let latest = all.last().map(|v| v.seq).unwrap_or(0);
    // Version numbers from outside are range-checked before any arithmetic on them.
    let given = |name, v: Option<i32>| {
        v.map(|v| frt_web::params::within(name, v, 1..=MAX_VERSION))
            .transpose()
    };
    let to = given("to", q.to)?.unwrap_or(latest);
    let from = given("from", q.from)?.unwrap_or(to.saturating_sub(1));
    let find = |seq: i32| {
        all.iter().find(|v| v.seq == seq).ok_or_else(|| {
            ApiError::unprocessable(
                "history.no_such_version",
                format!("the filing has versions 1 to {latest}; there is no version {seq}"),
            )
        })
    };
    if from >= to {
        return Err(ApiError::bad_request(
            "history.invalid_range",
            "from must be an earlier version than to",
        ));
    }
    let (a, b) = (find(from)?, find(to)?);
    Ok(HttpResponse::Ok().json(VersionDiff {
        from,
        to,
        changes: field_changes(&comparable(a), &comparable(b)),
    }))
}
