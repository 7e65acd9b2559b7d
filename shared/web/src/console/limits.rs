//! Time limits as pages show them: the due date, and "why this date" (the days the
//! working-day calendar skipped, and why), the same on the portal's and casework's pages.

use super::Page;
use frt_cases::Core;
use frt_domain::calendar::{DueDate, SkipReason};
use frt_store::views::{DeadlineView, FilingDetail};

/// A due date as a page shows it.
pub struct Explained {
    pub due: String,
    pub working_days: String,
    pub skipped: Vec<(String, String)>,
    pub provisional: bool,
    pub versions: String,
}

impl Explained {
    pub fn of(page: &Page, due: &DueDate, working_days: i64) -> Self {
        Self {
            due: format!(
                "{}（{}）",
                page.date(&due.due_date),
                page.lang.weekday(due.due_date)
            ),
            working_days: working_days.to_string(),
            skipped: due
                .skipped
                .iter()
                .map(|s| {
                    let why = match (&s.reason, &s.name) {
                        (SkipReason::Holiday, Some(name)) => {
                            format!("{}（{name}）", page.t("date.holiday"))
                        }
                        (SkipReason::Holiday, None) => page.t("date.holiday").to_owned(),
                        (SkipReason::Weekend, _) => page.t("date.weekend").to_owned(),
                    };
                    (
                        format!("{}（{}）", page.date(&s.date), page.lang.weekday(s.date)),
                        why,
                    )
                })
                .collect(),
            provisional: due.provisional,
            versions: due.calendar_versions.join(", "),
        }
    }
}

/// A time limit of a case as its page shows it: what it is (a message key), the limit, and why
/// its date.
pub struct Limit {
    pub label: &'static str,
    pub view: DeadlineView,
    pub why: Option<Explained>,
}

/// A filing's time limits (statutory, review, correction), each explained.
pub async fn of_filing(core: &Core, page: &Page, f: &FilingDetail) -> Vec<Limit> {
    let mut limits = Vec::new();
    for (label, view) in [
        ("filing.statutory", &f.statutory_deadline),
        ("filing.review", &f.review_deadline),
        ("filing.correction", &f.correction_deadline),
    ] {
        if let Some(v) = view {
            let why = frt_cases::calendar::explain(core, v.start_date, i64::from(v.working_days))
                .await
                .ok()
                .map(|d| Explained::of(page, &d, i64::from(v.working_days)));
            limits.push(Limit {
                label,
                view: v.clone(),
                why,
            });
        }
    }
    limits
}
