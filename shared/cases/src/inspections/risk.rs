//! Risk targets for a plan: the processors whose filings give a reason to inspect them
//! outside the random draw — a high or critical risk assessment, a late filing, a draft whose
//! statutory time limit ran out unsubmitted, or a registration with no filing at all.

use super::{cac_scope, InspectionError};
use crate::caller::Caller;
use crate::context::Core;
use crate::today_in_china;
use chrono::NaiveDate;
use frt_access::{Action, Resource};
use frt_domain::calendar::{Calendar, WorkingDays};
use frt_domain::risk::RiskLevel;
use frt_store::inspections::{self as store, RiskSignals};
use frt_store::ScopedFutureExt;
use serde::Serialize;
use uuid::Uuid;

/// Why a processor is a risk target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskReasonCode {
    /// A draft names the day filing became due, and the statutory time limit ran out
    /// with nothing submitted: a processor that should have filed and did not.
    OverdueUnfiled,
    /// A submitted filing was assessed high or critical risk.
    HighRisk,
    /// A filing was submitted after its statutory time limit.
    LateFiling,
    /// Registered on the portal, and no filing ever submitted.
    NeverFiled,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RiskReason {
    pub code: RiskReasonCode,
    /// In words, for the plan's record.
    pub detail: String,
}

/// A processor with the reasons to inspect it, most pressing first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RiskCandidate {
    pub organisation_id: Uuid,
    pub name: String,
    pub uscc: String,
    /// An inspection of it is already open.
    pub under_inspection: bool,
    pub reasons: Vec<RiskReason>,
}

/// The reasons the signals give, most pressing first (none: not a risk target).
pub fn reasons(
    s: &RiskSignals,
    calendar: &Calendar,
    statutory: WorkingDays,
    today: NaiveDate,
) -> Vec<RiskReason> {
    let mut out = Vec::new();
    let overdue = s
        .draft_triggers
        .iter()
        .filter_map(|t| frt_domain::civil::parse(t).ok())
        .filter_map(|t| {
            let due = calendar.add_working_days(t, statutory).ok()?.due_date;
            (due < today).then_some((t, due))
        })
        .min_by_key(|(_, due)| *due);
    if let Some((trigger, due)) = overdue {
        out.push(RiskReason {
            code: RiskReasonCode::OverdueUnfiled,
            detail: format!(
                "a draft gives {trigger} as the day filing became due; the time limit ran out on {due} and nothing was submitted"
            ),
        });
    }
    let high = RiskLevel::High as i16;
    if let Some(rank) = s.top_risk_rank.filter(|r| *r >= high) {
        let level = usize::try_from(rank)
            .ok()
            .and_then(|r| RiskLevel::ALL.get(r))
            .map_or("high", |l| l.as_str());
        out.push(RiskReason {
            code: RiskReasonCode::HighRisk,
            detail: format!("a submitted filing was assessed {level} risk"),
        });
    }
    if let Some(late) = s.most_late.filter(|d| *d > 0) {
        out.push(RiskReason {
            code: RiskReasonCode::LateFiling,
            detail: format!("a filing came {late} working days after its time limit"),
        });
    }
    if !s.ever_submitted && overdue.is_none() {
        out.push(RiskReason {
            code: RiskReasonCode::NeverFiled,
            detail: "registered on the portal; no filing ever submitted".to_owned(),
        });
    }
    out
}

/// The risk targets of `province` (the caller's own by default), most pressing first: by
/// their first reason, then the number of reasons, then name.
/// Which province's risk targets, and the page.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RiskQuery {
    /// The province (GB/T 2260); by default the caller's own. National staff name one.
    #[param(pattern = "^[0-9]{2}0000$")]
    pub province: Option<String>,
    /// 1 to 500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<i64>,
}

pub async fn candidates(
    core: &Core,
    caller: &Caller,
    q: &RiskQuery,
) -> Result<Vec<RiskCandidate>, InspectionError> {
    let limit = crate::input::within("limit", q.limit.unwrap_or(100), 1..=500)?;
    let offset = crate::input::offset(q.offset)?;
    let (limit, offset) = (
        usize::try_from(limit).unwrap_or(100),
        usize::try_from(offset).unwrap_or(0),
    );
    let province = q
        .province
        .as_deref()
        .map(|p| crate::input::province("province", p))
        .transpose()?;
    let scope = cac_scope(caller)?;
    let province = match (province, scope.cac_provinces()) {
        (Some(p), _) => p.to_owned(),
        (None, Some(Some([p]))) => p.clone(),
        (None, _) => return Err(super::invalid("province", "name the province").into()),
    };
    // Another province's processors are not the caller's to know of: the answer of an id
    // that names nothing.
    if !scope.covers(&province) {
        return Err(InspectionError::Missing("province"));
    }
    caller.require(core, Resource::INSPECTION, Action::Plan, Some(&province))?;
    let statutory = WorkingDays::new(core.settings.filing.statutory_working_days)
        .map_err(|e| anyhow::anyhow!("filing.statutory_working_days: {e}"))?;
    core.db
        .run(|conn| {
            async move {
                let calendar = core.calendars.get(conn).await?;
                let signals = store::risk_signals(conn, &province).await?;
                let today = today_in_china();
                let mut list: Vec<RiskCandidate> = signals
                    .into_iter()
                    .filter_map(|s| {
                        let reasons = reasons(&s, &calendar, statutory, today);
                        (!reasons.is_empty()).then_some(RiskCandidate {
                            organisation_id: s.organisation_id,
                            name: s.name,
                            uscc: s.uscc,
                            under_inspection: s.under_inspection,
                            reasons,
                        })
                    })
                    .collect();
                list.sort_by(|a, b| {
                    (
                        a.reasons[0].code,
                        std::cmp::Reverse(a.reasons.len()),
                        &a.name,
                    )
                        .cmp(&(
                            b.reasons[0].code,
                            std::cmp::Reverse(b.reasons.len()),
                            &b.name,
                        ))
                });
                Ok(list.into_iter().skip(offset).take(limit).collect())
            }
            .scope_boxed()
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals() -> RiskSignals {
        RiskSignals {
            organisation_id: Uuid::nil(),
            name: "某公司".into(),
            uscc: "91310000MA1FL0000X".into(),
            top_risk_rank: None,
            most_late: None,
            ever_submitted: true,
            draft_triggers: Vec::new(),
            under_inspection: false,
        }
    }

    fn codes(s: &RiskSignals, today: &str) -> Vec<RiskReasonCode> {
        let calendar = Calendar::builtin().expect("calendar");
        let thirty = WorkingDays::new(30).expect("30");
        let today = frt_domain::civil::parse(today).expect("date");
        reasons(s, &calendar, thirty, today)
            .into_iter()
            .map(|r| r.code)
            .collect()
    }

    #[test]
    fn a_clean_filer_is_no_risk_target() {
        assert!(codes(&signals(), "2026-12-02").is_empty());
        let medium = RiskSignals {
            top_risk_rank: Some(RiskLevel::Medium as i16),
            most_late: Some(0),
            ..signals()
        };
        assert!(codes(&medium, "2026-12-02").is_empty());
    }

    #[test]
    fn high_risk_and_lateness_are_reasons_in_order() {
        let s = RiskSignals {
            top_risk_rank: Some(RiskLevel::Critical as i16),
            most_late: Some(4),
            ..signals()
        };
        assert_eq!(
            codes(&s, "2026-12-02"),
            [RiskReasonCode::HighRisk, RiskReasonCode::LateFiling]
        );
    }

    #[test]
    fn a_draft_past_its_time_limit_is_overdue_counted_in_working_days() {
        // 2026-09-01 + 30 working days, across Mid-Autumn (09-25) and National Day
        // (10-01..10-07, with make-up working days 09-20 and 10-10), falls on 2026-10-19.
        let s = RiskSignals {
            ever_submitted: false,
            draft_triggers: vec!["2026-09-01".into(), "not a date".into()],
            ..signals()
        };
        assert!(codes(&s, "2026-10-19").contains(&RiskReasonCode::NeverFiled));
        assert_eq!(codes(&s, "2026-10-20"), [RiskReasonCode::OverdueUnfiled]);
        let nothing = RiskSignals {
            ever_submitted: false,
            ..signals()
        };
        assert_eq!(codes(&nothing, "2026-12-02"), [RiskReasonCode::NeverFiled]);
    }
}
