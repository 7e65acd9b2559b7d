//! Working an inspection: its targets (from a draw, a risk, a complaint or a notification), the
//! notice to the processor, document requests with their time limits, findings, the order to
//! rectify (责令改正) and its verification, closing, and inviting another agency to inspect
//! jointly (会同). Every step is audited; every time limit is a working-day deadline the sweep
//! reminds of; the processor is told by mail and sees it in the portal.

use super::{
    cac_scope, invalid, item_purpose, reference, tell_processor, text, typed, view,
    InspectionError, InspectionView,
};
use crate::caller::Caller;
use crate::context::Core;
use crate::step::{self, Transition};
use crate::today_in_china;
use frt_access::{Action, AgencyKind, Resource};
use frt_domain::calendar::WorkingDays;
use frt_domain::inspection::{
    InspectionAction, InspectionSource, InspectionStatus, ItemKind, MIN_INSPECTORS,
};
use frt_mail::InspectionNotice;
use frt_store::audit;
use frt_store::deadlines;
use frt_store::inspections::{self as store, Inspection, NewInspection, Step};
use frt_store::{identities, AsyncPgConnection, ScopedFutureExt};
use serde_json::json;
use std::str::FromStr;
use uuid::Uuid;

/// An inspection to open.
#[derive(Debug, Clone)]
pub struct NewTarget {
    pub organisation_id: Uuid,
    pub source: String,
    pub plan_id: Option<Uuid>,
    /// For a drawn target: the draw that picked it (its inspectors by default).
    pub draw_id: Option<Uuid>,
    /// For a target from a notification: the notification (about the same processor, one the
    /// caller's agency sent or received); the inspection is linked to it.
    pub notification_id: Option<Uuid>,
    pub inspector_ids: Vec<Uuid>,
    /// Why a drawn target goes to other inspectors than the draw picked.
    pub swap_reason: Option<String>,
}

/// Who went out of and came into a draw's inspectors, and why.
struct Swap {
    out: Vec<Uuid>,
    into: Vec<Uuid>,
    reason: String,
}

/// The inspectors of a drawn target: the draw's own, or others with a reason.
fn drawn_inspectors(
    drawn: Vec<Uuid>,
    named: Vec<Uuid>,
    reason: Option<&str>,
) -> Result<(Vec<Uuid>, Option<Swap>), InspectionError> {
    let out: Vec<Uuid> = drawn
        .iter()
        .filter(|u| !named.contains(u))
        .copied()
        .collect();
    let into: Vec<Uuid> = named
        .iter()
        .filter(|u| !drawn.contains(u))
        .copied()
        .collect();
    if named.is_empty() || (out.is_empty() && into.is_empty()) {
        return Ok((drawn, None));
    }
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            invalid(
                "swap_reason",
                "the draw picked other inspectors: say why they are replaced (it is audited)",
            )
        })?;
    let reason = text("swap_reason", reason, 1000)?;
    Ok((named, Some(Swap { out, into, reason })))
}

/// Opens an inspection of a processor (planned), from a draw, a risk, a complaint or a
/// notification. A drawn target must be one the draw picked, and goes to the inspectors the
/// draw picked unless a reason is given for others (audited).
pub async fn open(
    core: &Core,
    caller: &Caller,
    target: NewTarget,
) -> Result<InspectionView, InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Plan, None)?;
    let scope = cac_scope(caller)?;
    let source = InspectionSource::from_str(&target.source)
        .map_err(|_| invalid("source", "draw, risk, complaint or notification"))?;
    let actor = caller.actor.clone();
    let by = caller.principal.user_id;
    core.db
        .tx(|conn| {
            async move {
                let org = identities::organisation(conn, target.organisation_id)
                    .await?
                    .filter(|o| scope.covers(&o.province_code))
                    .ok_or(InspectionError::Missing("organisation"))?;
                let mut inspectors = target.inspector_ids.clone();
                let mut swap = None;
                match (source, target.draw_id) {
                    (InspectionSource::Draw, Some(draw)) => {
                        let d = store::draw(conn, draw, &scope)
                            .await?
                            .ok_or(InspectionError::Missing("draw"))?;
                        if !d.target_ids.unwrap_or_default().contains(&org.id) {
                            return Err(invalid("organisation_id", "the draw did not pick this processor").into());
                        }
                        (inspectors, swap) = drawn_inspectors(
                            d.inspector_ids.unwrap_or_default(),
                            inspectors,
                            target.swap_reason.as_deref(),
                        )?;
                    }
                    (InspectionSource::Draw, None) => {
                        return Err(invalid("draw_id", "a drawn target names its draw").into())
                    }
                    (_, Some(_)) => {
                        return Err(invalid("draw_id", "only a drawn target names a draw").into())
                    }
                    _ if target.swap_reason.is_some() => {
                        return Err(invalid("swap_reason", "only a drawn target's inspectors are swapped").into())
                    }
                    _ => {}
                }
                match (source, target.notification_id) {
                    (InspectionSource::Notification, Some(n)) => {
                        let reader = caller.scope();
                        let found = frt_store::notifications::get(conn, n).await?;
                        let fits = match &found {
                            Some(note) => {
                                note.organisation_id == Some(org.id)
                                    && frt_store::notifications::visible(conn, &reader, note)
                                        .await?
                            }
                            None => false,
                        };
                        if !fits {
                            return Err(invalid(
                                "notification_id",
                                "a notification about this processor that your agency sent or received",
                            ).into());
                        }
                    }
                    (InspectionSource::Notification, None) => {
                        return Err(invalid(
                            "notification_id",
                            "an inspection from a notification names the notification",
                        ).into())
                    }
                    (_, Some(_)) => {
                        return Err(invalid(
                            "notification_id",
                            "only an inspection from a notification names one",
                        ).into())
                    }
                    _ => {}
                }
                let mut seen = std::collections::HashSet::new();
                inspectors.retain(|u| seen.insert(*u));
                if inspectors.len() < MIN_INSPECTORS {
                    return Err(invalid(
                        "inspector_ids",
                        "inspectors go at least two together: name two or more, or open from a draw of two or more",
                    ).into());
                }
                let eligible = store::inspector_pool(conn, &org.province_code, &[org.id]).await?;
                if let Some(bad) = inspectors
                    .iter()
                    .find(|u| !eligible.iter().any(|e| e.user_id == **u))
                {
                    return Err(invalid(
                        "inspector_ids",
                        &format!("{bad} is not an eligible inspector of the province without a conflict with this processor"),
                    ).into());
                }
                let i = store::insert(
                    conn,
                    &NewInspection {
                        id: Uuid::now_v7(),
                        plan_id: target.plan_id,
                        draw_id: target.draw_id,
                        province_code: &org.province_code,
                        organisation_id: org.id,
                        source: source.as_str(),
                        status: InspectionStatus::Planned.as_str(),
                        inspector_ids: &inspectors,
                        created_by: by,
                    },
                )
                .await?;
                if let Some(n) = target.notification_id {
                    frt_store::notifications::insert_links(
                        conn,
                        n,
                        &[(store::ENTITY.to_owned(), i.id)],
                    )
                    .await?;
                }
                audit::record(
                    conn,
                    &actor,
                    "inspection.planned",
                    store::ENTITY,
                    &i.id.to_string(),
                    None,
                    Some(json!({ "organisation_id": org.id, "source": source.as_str(),
                        "draw_id": target.draw_id, "plan_id": target.plan_id,
                        "notification_id": target.notification_id, "inspectors": inspectors })),
                )
                .await?;
                if let Some(swap) = swap {
                    audit::record(
                        conn,
                        &actor,
                        "inspection.inspectors_swapped",
                        store::ENTITY,
                        &i.id.to_string(),
                        None,
                        Some(json!({ "draw_id": target.draw_id, "out": swap.out,
                            "in": swap.into, "reason": swap.reason })),
                    )
                    .await?;
                }
                view(conn, i, true).await
            }
            .scope_boxed()
        })
        .await
}

/// Loads and locks an inspection the caller may conduct: in its scope, and one of its
/// inspectors, or a supervisor who plans.
async fn conducted(
    conn: &mut AsyncPgConnection,
    core: &Core,
    caller: &Caller,
    id: Uuid,
) -> Result<Inspection, InspectionError> {
    let i = store::get_for_update(conn, id, &caller.scope())
        .await?
        .ok_or(InspectionError::NotFound)?;
    caller.require(
        core,
        Resource::INSPECTION,
        Action::Conduct,
        Some(&i.province_code),
    )?;
    let inspector = i.inspector_ids.contains(&caller.principal.user_id);
    if !inspector
        && !caller.may(
            core,
            Resource::INSPECTION,
            Action::Plan,
            Some(&i.province_code),
        )
    {
        return Err(InspectionError::NotAnInspector);
    }
    Ok(i)
}

/// What a step writes besides the new status.
#[derive(Default)]
struct Changes<'a> {
    notice: Option<&'a str>,
    findings: Option<&'a serde_json::Value>,
    result: Option<&'a str>,
    rectified: Option<bool>,
}

/// One lifecycle step: the action, its audit entry and what it writes.
struct Advance<'a> {
    action: InspectionAction,
    audit_action: &'a str,
    changes: Changes<'a>,
    details: serde_json::Value,
}

/// Applies one lifecycle step from the version the caller saw, and audits it.
async fn advance(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    i: &Inspection,
    version: i32,
    step: Advance<'_>,
) -> Result<Inspection, InspectionError> {
    let Advance {
        action,
        audit_action,
        changes,
        details,
    } = step;
    let from = typed(i)?;
    let next = from.apply(action)?;
    let written = Step {
        status: next.as_str(),
        notice: changes.notice,
        findings: changes.findings,
        result: changes.result,
        rectified: changes.rectified,
        notified: action == InspectionAction::Notify,
        closed: next == InspectionStatus::Closed,
    };
    let t = Transition {
        entity_type: store::ENTITY,
        id: i.id,
        current: i.version,
        seen: version,
        from: from.as_str(),
        to: next.as_str(),
        audit: audit_action,
        details,
    };
    let id = i.id;
    step::advance(conn, &caller.actor, t, |conn| {
        store::step(conn, id, version, &written).scope_boxed()
    })
    .await
}

/// Adds a request or an order with its time limit, counted in working days from today.
async fn add_item(
    conn: &mut AsyncPgConnection,
    core: &Core,
    caller: &Caller,
    i: &Inspection,
    kind: ItemKind,
    description: &str,
    working_days: i64,
) -> Result<(store::Item, chrono::NaiveDate), InspectionError> {
    let n = WorkingDays::new(working_days)
        .map_err(|_| invalid("working_days", "1 to 3650 working days"))?;
    let item = store::insert_item(
        conn,
        i.id,
        kind.as_str(),
        description,
        i32::from(n.get()),
        caller.principal.user_id,
    )
    .await?;
    let calendar = core.calendars.get(conn).await?;
    let d = deadlines::set(
        conn,
        &calendar,
        store::ENTITY,
        i.id,
        &item_purpose(item.id),
        today_in_china(),
        n,
        None,
    )
    .await?;
    Ok((item, d.due_date))
}

/// Sends the notice of inspection to the processor (by mail, and in the portal).
pub async fn notify(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    notice: &str,
) -> Result<InspectionView, InspectionError> {
    let notice = text("notice", notice, 4000)?;
    core.db
        .tx(|conn| {
            async move {
                let i = conducted(conn, core, caller, id).await?;
                let changes = Changes {
                    notice: Some(&notice),
                    ..Changes::default()
                };
                let i = advance(
                    conn,
                    caller,
                    &i,
                    version,
                    Advance {
                        action: InspectionAction::Notify,
                        audit_action: "inspection.notified",
                        changes,
                        details: json!({ "notice": notice }),
                    },
                )
                .await?;
                let (r, _) = reference(conn, &i).await?;
                let n = InspectionNotice::Notified {
                    inspection: r,
                    notice: notice.clone(),
                };
                tell_processor(conn, &i, &n, "notified").await?;
                view(conn, i, true).await
            }
            .scope_boxed()
        })
        .await
}

/// The inspection begins (on site or by documents).
pub async fn start(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
) -> Result<InspectionView, InspectionError> {
    core.db
        .tx(|conn| {
            async move {
                let i = conducted(conn, core, caller, id).await?;
                let i = advance(
                    conn,
                    caller,
                    &i,
                    version,
                    Advance {
                        action: InspectionAction::Start,
                        audit_action: "inspection.started",
                        changes: Changes::default(),
                        details: json!({}),
                    },
                )
                .await?;
                view(conn, i, true).await
            }
            .scope_boxed()
        })
        .await
}

/// Requests documents (调取材料) from the processor, within `working_days`.
pub async fn request_documents(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    description: &str,
    working_days: i64,
) -> Result<InspectionView, InspectionError> {
    let description = text("description", description, 4000)?;
    core.db
        .tx(|conn| {
            async move {
                let i = conducted(conn, core, caller, id).await?;
                typed(&i)?.apply(InspectionAction::RequestDocuments)?;
                let (item, due) = add_item(
                    conn,
                    core,
                    caller,
                    &i,
                    ItemKind::Request,
                    &description,
                    working_days,
                )
                .await?;
                audit::record(
                    conn,
                    &caller.actor,
                    "inspection.documents_requested",
                    store::ENTITY,
                    &i.id.to_string(),
                    None,
                    Some(
                        json!({ "item_id": item.id, "description": description, "due_date": due }),
                    ),
                )
                .await?;
                let (r, _) = reference(conn, &i).await?;
                let n = InspectionNotice::DocumentsRequested {
                    inspection: r,
                    description: description.clone(),
                    due,
                };
                tell_processor(conn, &i, &n, &format!("request:{}", item.id)).await?;
                view(conn, i, true).await
            }
            .scope_boxed()
        })
        .await
}

/// Records the findings (检查结论): a summary and the problems found (none: nothing to
/// rectify, and the inspection may close).
pub async fn record_findings(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    summary: &str,
    problems: Vec<String>,
) -> Result<InspectionView, InspectionError> {
    let summary = text("summary", summary, 4000)?;
    if problems.len() > 100
        || problems
            .iter()
            .any(|p| p.trim().is_empty() || p.chars().count() > 2000)
    {
        return Err(invalid("problems", "at most 100 problems of 1 to 2000 characters").into());
    }
    let findings = json!({ "summary": summary, "problems": problems });
    core.db
        .tx(|conn| {
            async move {
                let i = conducted(conn, core, caller, id).await?;
                let changes = Changes {
                    findings: Some(&findings),
                    ..Changes::default()
                };
                let step = Advance {
                    action: InspectionAction::RecordFindings,
                    audit_action: "inspection.findings_recorded",
                    changes,
                    details: findings.clone(),
                };
                let i = advance(conn, caller, &i, version, step).await?;
                view(conn, i, true).await
            }
            .scope_boxed()
        })
        .await
}

/// Orders rectification (责令改正) by a time limit in working days.
pub async fn order_rectification(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    requirements: &str,
    working_days: i64,
) -> Result<InspectionView, InspectionError> {
    let requirements = text("requirements", requirements, 4000)?;
    core.db
        .tx(|conn| {
            async move {
                let i = conducted(conn, core, caller, id).await?;
                order(conn, core, caller, &i, version, &requirements, working_days).await
            }
            .scope_boxed()
        })
        .await
}

async fn order(
    conn: &mut AsyncPgConnection,
    core: &Core,
    caller: &Caller,
    i: &Inspection,
    version: i32,
    requirements: &str,
    working_days: i64,
) -> Result<InspectionView, InspectionError> {
    let i = advance(
        conn,
        caller,
        i,
        version,
        Advance {
            action: InspectionAction::OrderRectification,
            audit_action: "inspection.rectification_ordered",
            changes: Changes::default(),
            details: json!({ "requirements": requirements, "working_days": working_days }),
        },
    )
    .await?;
    let (item, due) = add_item(
        conn,
        core,
        caller,
        &i,
        ItemKind::Order,
        requirements,
        working_days,
    )
    .await?;
    let (r, _) = reference(conn, &i).await?;
    let n = InspectionNotice::RectificationOrdered {
        inspection: r,
        requirements: requirements.to_owned(),
        due,
    };
    tell_processor(conn, &i, &n, &format!("order:{}", item.id)).await?;
    view(conn, i, true).await
}

/// Verifies the rectification the processor reported: accepted (verified), or not, in which
/// case rectification is ordered again with a new time limit.
pub async fn verify(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    accepted: bool,
    note: &str,
    again_working_days: Option<i64>,
) -> Result<InspectionView, InspectionError> {
    let note = text("note", note, 4000)?;
    core.db
        .tx(|conn| {
            async move {
                let i = conducted(conn, core, caller, id).await?;
                let current = store::open_item(conn, i.id, ItemKind::Order.as_str())
                    .await?
                    .ok_or(InspectionError::Missing("rectification order"))?;
                if accepted {
                    store::settle_item(conn, current.id, true).await?;
                    let changes = Changes {
                        rectified: Some(true),
                        ..Changes::default()
                    };
                    let i = advance(
                        conn,
                        caller,
                        &i,
                        version,
                        Advance {
                            action: InspectionAction::Verify,
                            audit_action: "inspection.rectification_verified",
                            changes,
                            details: json!({ "note": note }),
                        },
                    )
                    .await?;
                    return view(conn, i, true).await;
                }
                let days = again_working_days.ok_or_else(|| {
                    invalid("working_days", "ordering again needs a new time limit")
                })?;
                store::settle_item(conn, current.id, false).await?;
                order(conn, core, caller, &i, version, &note, days).await
            }
            .scope_boxed()
        })
        .await
}

/// Closes the inspection with its result (after findings with nothing to rectify, or a
/// verified rectification); the processor is told.
pub async fn close(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    result: &str,
) -> Result<InspectionView, InspectionError> {
    let result = text("result", result, 2000)?;
    core.db
        .tx(|conn| {
            async move {
                let i = conducted(conn, core, caller, id).await?;
                let changes = Changes {
                    result: Some(&result),
                    ..Changes::default()
                };
                let i = advance(
                    conn,
                    caller,
                    &i,
                    version,
                    Advance {
                        action: InspectionAction::Close,
                        audit_action: "inspection.closed",
                        changes,
                        details: json!({ "result": result }),
                    },
                )
                .await?;
                let (r, _) = reference(conn, &i).await?;
                let n = InspectionNotice::Closed {
                    inspection: r,
                    result: result.clone(),
                };
                tell_processor(conn, &i, &n, "closed").await?;
                view(conn, i, true).await
            }
            .scope_boxed()
        })
        .await
}

/// Invites a public-security unit (or another department) of the inspection's province to
/// inspect jointly (会同): its staff then see this inspection, and only this one.
pub async fn invite_agency(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    agency: Uuid,
) -> Result<InspectionView, InspectionError> {
    core.db
        .tx(|conn| {
            async move {
                let i = conducted(conn, core, caller, id).await?;
                caller.require(core, Resource::INSPECTION, Action::Plan, Some(&i.province_code))?;
                let a = identities::agency(conn, agency)
                    .await?
                    .ok_or(InspectionError::Missing("agency"))?;
                let kind = AgencyKind::from_str(&a.kind).map_err(anyhow::Error::msg)?;
                let joins = matches!(kind, AgencyKind::PublicSecurity | AgencyKind::OtherDepartment)
                    && a.province_code.as_deref() == Some(i.province_code.as_str());
                if !joins {
                    return Err(invalid(
                        "agency_id",
                        "a joint inspection invites a public-security unit or another department of the same province",
                    ).into());
                }
                if store::invite(conn, i.id, a.id, caller.principal.user_id).await? {
                    audit::record(
                        conn,
                        &caller.actor,
                        "inspection.agency_invited",
                        store::ENTITY,
                        &i.id.to_string(),
                        None,
                        Some(json!({ "agency_id": a.id, "agency": a.name, "kind": a.kind })),
                    )
                    .await?;
                }
                view(conn, i, true).await
            }
            .scope_boxed()
        })
        .await
}

/// The agencies the caller may invite to inspection `id` (会同): the public-security units
/// and other departments of its province not invited yet; none for a caller who may not.
pub async fn invitable(
    core: &Core,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<super::AgencyView>, InspectionError> {
    let view = super::show(core, caller, id).await?;
    if !caller.may(
        core,
        Resource::INSPECTION,
        Action::Plan,
        Some(&view.province_code),
    ) {
        return Ok(Vec::new());
    }
    let invited: Vec<Uuid> = view
        .agencies
        .unwrap_or_default()
        .iter()
        .map(|a| a.id)
        .collect();
    core.db
        .run(|conn| {
            async move {
                Ok(identities::agencies(conn)
                    .await?
                    .into_iter()
                    .filter(|a| {
                        matches!(a.kind.as_str(), "public_security" | "other_department")
                            && a.province_code.as_deref() == Some(view.province_code.as_str())
                            && !invited.contains(&a.id)
                    })
                    .map(|a| super::AgencyView {
                        id: a.id,
                        kind: a.kind,
                        name: a.name,
                    })
                    .collect())
            }
            .scope_boxed()
        })
        .await
}

/// The closed inspections of a province as published (一公开), without personal data of
/// individuals: processor, date, result, whether rectification was done.
/// Which published results, and the page.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PublishedQuery {
    /// One province (GB/T 2260), or every province.
    #[param(pattern = "^[0-9]{2}0000$")]
    pub province: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<i64>,
}

pub async fn published(
    core: &Core,
    q: &PublishedQuery,
) -> Result<Vec<store::Published>, InspectionError> {
    let limit = crate::input::limit(q.limit)?;
    let offset = crate::input::offset(q.offset)?;
    let province = q
        .province
        .as_deref()
        .map(|p| crate::input::province("province", p))
        .transpose()?;
    core.db
        .run(|conn| {
            async move { Ok(store::published(conn, province, limit, offset).await?) }.scope_boxed()
        })
        .await
}
