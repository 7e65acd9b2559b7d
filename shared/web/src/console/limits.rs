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

/// A time limit of a case as its page shows it: what it is (a message key), the limit, the
/// working days left while it is open (negative once passed), and why its date.
pub struct Limit {
    pub label: &'static str,
    pub view: DeadlineView,
    pub left: Option<i64>,
    /// `due-over`, `due-near` or empty: how the days left are marked.
    pub mark: &'static str,
    pub why: Option<Explained>,
}

/// How a time limit with `left` working days is marked: `due-over` once passed, `due-near`
/// within `console.warn_working_days`, nothing otherwise.
pub fn mark(core: &Core, left: Option<i64>) -> &'static str {
    match left {
        Some(n) if n < 0 => "due-over",
        Some(n) if n <= core.settings.console.warn_working_days => "due-near",
        _ => "",
    }
}

/// The time limits given as (message key, limit), each explained; those absent are left out.
pub async fn of(
    core: &Core,
    page: &Page,
    given: &[(&'static str, Option<&DeadlineView>)],
) -> Vec<Limit> {
    let calendar = core.calendar().await.ok();
    let today = frt_cases::today_in_china();
    let mut limits = Vec::new();
    for (label, view) in given {
        let Some(v) = view else { continue };
        let why = frt_cases::calendar::explain(core, v.start_date, i64::from(v.working_days))
            .await
            .ok()
            .map(|d| Explained::of(page, &d, i64::from(v.working_days)));
        let left = match (&calendar, v.met_on) {
            (Some(c), None) => Some(frt_cases::calendar::working_days_left(c, today, v.due_date)),
            _ => None,
        };
        limits.push(Limit {
            label,
            view: (*v).clone(),
            left,
            mark: mark(core, left),
            why,
        });
    }
    limits
}

/// A filing's time limits (statutory, review, correction), each explained.
pub async fn of_filing(core: &Core, page: &Page, f: &FilingDetail) -> Vec<Limit> {
    of(
        core,
        page,
        &[
            ("filing.statutory", f.statutory_deadline.as_ref()),
            ("filing.review", f.review_deadline.as_ref()),
            ("filing.correction", f.correction_deadline.as_ref()),
        ],
    )
    .await
}
