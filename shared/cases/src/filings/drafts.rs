//! A processor's drafts: starting a filing (an initial one, or a change or deregistration of a
//! filed record) and saving its form, which may stay incomplete until submission.

use super::{editable_for_update, FilingError};
use crate::caller::Caller;
use crate::context::Core;
use frt_access::{Action, Resource};
use frt_domain::filing::{FilingKind, FilingStatus};
use frt_domain::form::FilingForm;
use frt_store::filings::{self, NewFiling};
use frt_store::views::{self, FilingDetail};
use frt_store::{audit, identities, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

/// Starts a draft filing of the caller's organisation.
pub async fn create(
    core: &Core,
    caller: &Caller,
    kind: FilingKind,
    previous_filing_id: Option<Uuid>,
    form: FilingForm,
) -> Result<FilingDetail, FilingError> {
    caller.require(core, Resource::FILING, Action::Write, None)?;
    let org_id = caller.principal.organisation_id().ok_or(crate::Denied {
        action: "write",
        resource: "filing".into(),
    })?;
    let form = serde_json::to_value(&form).map_err(anyhow::Error::from)?;
    let scope = caller.scope();
    let actor = caller.actor.clone();
    let user_id = caller.principal.user_id;
    core.db
        .tx(|conn| {
            async move {
                let invalid = |problem, message| FilingError::InvalidPrevious { problem, message };
                match (kind.needs_previous_record(), previous_filing_id) {
                    (false, Some(_)) => {
                        return Err(invalid(
                            "not_allowed",
                            "an initial filing does not name a previous record",
                        ))
                    }
                    (true, None) => {
                        return Err(invalid(
                            "required",
                            "a change or deregistration names the filed record it acts on (previous_filing_id)",
                        ))
                    }
                    (true, Some(prev)) => {
                        let filed = filings::get(conn, prev, &scope)
                            .await?
                            .is_some_and(|p| p.status == FilingStatus::Filed.as_str());
                        if !filed {
                            return Err(invalid(
                                "not_filed",
                                "previous_filing_id must be one of your organisation's filed (已备案) records",
                            ));
                        }
                    }
                    (false, None) => {}
                }
                let org = identities::organisation(conn, org_id)
                    .await?
                    .ok_or(FilingError::NotFound)?;
                let filing = filings::insert(
                    conn,
                    &NewFiling {
                        id: Uuid::now_v7(),
                        organisation_id: org_id,
                        province_code: org.province_code,
                        kind: kind.as_str().to_owned(),
                        status: FilingStatus::Draft.as_str().to_owned(),
                        form,
                        previous_filing_id,
                        created_by: user_id,
                    },
                )
                .await?;
                audit::record(
                    conn,
                    &actor,
                    "filing.created",
                    filings::ENTITY,
                    &filing.id.to_string(),
                    None,
                    Some(json!({
                        "kind": filing.kind,
                        "status": filing.status,
                        "previous_filing_id": filing.previous_filing_id,
                    })),
                )
                .await?;
                Ok(views::detail_of(conn, filing, views::Audience::Processor).await?)
            }
            .scope_boxed()
        })
        .await
}

/// Starts a change or deregistration of one of the caller's filed records with the record's
/// form as it was filed, for the processor to edit (what changes, how use ended, are left to
/// fill in).
pub async fn create_from_record(
    core: &Core,
    caller: &Caller,
    kind: FilingKind,
    record: Uuid,
) -> Result<FilingDetail, FilingError> {
    let filed = crate::filings::reads::detail(core, caller, record).await?;
    let mut form: FilingForm = serde_json::from_value(filed.form).unwrap_or_default();
    form.change = None;
    form.deregistration = None;
    create(core, caller, kind, Some(record), form).await
}

/// Replaces the form of a draft or returned filing, from the `version` the caller saw.
pub async fn save_form(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    form: FilingForm,
) -> Result<FilingDetail, FilingError> {
    caller.require(core, Resource::FILING, Action::Write, None)?;
    let form = serde_json::to_value(&form).map_err(anyhow::Error::from)?;
    let scope = caller.scope();
    let actor = caller.actor.clone();
    core.db
        .tx(|conn| {
            async move {
                let filing = editable_for_update(conn, &scope, id).await?;
                let before = filing.form.clone();
                let updated = filings::update_form(conn, id, version, &form)
                    .await?
                    .ok_or(FilingError::VersionConflict {
                        seen: version,
                        now: Some(filing.version),
                    })?;
                audit::record(
                    conn,
                    &actor,
                    "filing.form_saved",
                    filings::ENTITY,
                    &id.to_string(),
                    Some(json!({ "version": filing.version, "form": before })),
                    Some(json!({ "version": updated.version, "form": updated.form })),
                )
                .await?;
                Ok(views::detail_of(conn, updated, views::Audience::Processor).await?)
            }
            .scope_boxed()
        })
        .await
}
