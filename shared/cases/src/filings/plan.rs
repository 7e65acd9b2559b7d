//! What a submission sets, the same for a filing submitted online and for one keyed in from
//! paper: the statutory time limit (30 working days from the trigger, Art. 15; lateness judged
//! by the day the filing first arrived, so a correction does not make it late), the
//! regulator's review clock (from the day it arrives, less the days used before a return),
//! and the reviewer's risk flags from the form and the facts around it.

use crate::error::StoreError;
use chrono::NaiveDate;
use frt_domain::calendar::{Calendar, WorkingDays};
use frt_domain::filing::FilingKind;
use frt_domain::form::FilingForm;
use frt_domain::risk::{self, Assessment};
use frt_store::deadlines::Planned;

/// When and how a filing arrives.
#[derive(Debug, Clone, Copy)]
pub struct Arrival {
    /// The day the duty to file arose (its trigger date).
    pub trigger: NaiveDate,
    /// The day it first arrived: what the statutory time limit is met on.
    pub first_arrived_on: NaiveDate,
    /// The day this submission arrived: the review clock starts there.
    pub arrived_on: NaiveDate,
    /// Working days of review used before the filing was returned for correction.
    pub review_days_used: i32,
}

/// The deadlines and risk assessment of one submission.
#[derive(Debug, Clone)]
pub struct SubmissionPlan {
    pub statutory: Planned,
    pub review: Planned,
    pub assessment: Assessment,
}

/// Plans a submission of a filing of `kind` with `form` by a processor whose USCC does (or
/// does not) pass its check character.
pub fn plan(
    calendar: &Calendar,
    settings: &frt_settings::Filing,
    kind: FilingKind,
    form: &FilingForm,
    uscc_checksum_ok: bool,
    a: Arrival,
) -> Result<SubmissionPlan, StoreError> {
    let working_days = |n: i64| WorkingDays::new(n).map_err(StoreError::Deadline);
    let statutory = Planned::of(
        calendar,
        a.trigger,
        working_days(settings.statutory_working_days)?,
        Some(a.first_arrived_on),
    )
    .map_err(StoreError::Deadline)?;
    let review_left = (settings.review_working_days - i64::from(a.review_days_used.max(0))).max(1);
    let review = Planned::of(calendar, a.arrived_on, working_days(review_left)?, None)
        .map_err(StoreError::Deadline)?;
    let ctx = risk::Context {
        kind,
        late_by_working_days: statutory.evaluation.late_by.map(i64::from),
        uscc_checksum_ok,
        processing_started_on: None,
    };
    Ok(SubmissionPlan {
        statutory,
        review,
        assessment: risk::assess(form, &ctx),
    })
}
