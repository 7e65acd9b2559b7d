//! The workbench (待办): every item of every case type the member of staff can act on now,
//! nearest time limit first, in one keyset order across case types.
//!
//! Each case type's own queue gives its items in its own order (filings by the review clock,
//! complaints by their nearest open time limit); the workbench merges their heads by time
//! limit, so what it takes from each queue is always a prefix of that queue. Its cursor holds
//! one cursor per case type: where that queue continues, or that it is done.

use crate::caller::Caller;
use crate::complaints::handling::{self as complaint_handling, ComplaintQueueQuery};
use crate::complaints::ComplaintError;
use crate::context::Core;
use crate::filings::queue::{self as filing_queue, QueueQuery};
use crate::filings::FilingError;
use crate::input::BadParameter;
use chrono::NaiveDate;
use frt_access::{Action, Resource};
use frt_domain::complaint::ComplaintStatus;
use frt_domain::inspection::InspectionStatus;
use uuid::Uuid;

/// The case types the workbench gathers, in the order ties are broken.
pub const CASE_TYPES: [&str; N] = ["filing", "complaint", "inspection"];

/// How many case types the workbench gathers.
const N: usize = 3;

/// Filing statuses the workbench lists (waiting for review, or for the processor).
pub const FILING_STATUSES: [&str; 2] = ["submitted", "returned"];

/// The workbench's filters and page.
#[derive(Debug, Clone, Default)]
pub struct WorkbenchQuery {
    /// `filing` or `complaint`; every case type when absent.
    pub case_type: Option<String>,
    /// A status of a case type: a filing's `submitted` or `returned`, or a complaint's.
    pub status: Option<String>,
    /// A filing's kind (only filings have one).
    pub kind: Option<String>,
    /// National staff: one province.
    pub province: Option<String>,
    /// Part of the processor's name, or its USCC.
    pub processor: Option<String>,
    /// Only filings returned for correction and submitted again.
    pub resubmitted: bool,
    pub after: Option<String>,
    pub limit: i64,
}

/// One item on the workbench.
#[derive(Debug, Clone)]
pub struct WorkItem {
    /// `filing` or `complaint`.
    pub case_type: &'static str,
    pub id: Uuid,
    /// The processor's name (a filing), or the receipt number (a complaint).
    pub title: String,
    /// The USCC (a filing), or the processor as the complainant named it.
    pub detail: Option<String>,
    pub status: String,
    /// A filing's kind.
    pub kind: Option<String>,
    pub province_code: String,
    /// The nearest time limit the office must meet.
    pub due_date: Option<NaiveDate>,
    /// Working days left until it; negative when passed.
    pub working_days_left: Option<i64>,
    /// A filing's risk level.
    pub risk_level: Option<String>,
}

impl WorkItem {
    /// The item's page on casework.
    pub fn href(&self) -> String {
        format!("/{}s/{}", self.case_type, self.id)
    }
}

#[derive(Debug)]
pub struct Workbench {
    pub items: Vec<WorkItem>,
    pub next: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkbenchError {
    #[error(transparent)]
    Filing(#[from] FilingError),
    #[error(transparent)]
    Complaint(#[from] ComplaintError),
    #[error(transparent)]
    Inspection(#[from] crate::inspections::InspectionError),
    #[error(transparent)]
    Parameter(#[from] BadParameter),
}

/// Where one case type's queue continues.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Start,
    After(String),
    Done,
}

/// The marker of a queue read to its end, and the separator of the parts.
const DONE: &str = "!";
const SEP: char = '~';

fn parse_cursor(text: Option<&str>) -> Result<[Part; N], BadParameter> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(std::array::from_fn(|_| Part::Start));
    };
    let bad = || BadParameter::new("after", "invalid_cursor", "not a cursor this page gave");
    let parts: Vec<&str> = text.split(SEP).collect();
    if parts.len() != CASE_TYPES.len() || text.len() > 400 {
        return Err(bad());
    }
    let part = |p: &str| -> Result<Part, BadParameter> {
        Ok(match p {
            "" => Part::Start,
            DONE => Part::Done,
            p if p
                .chars()
                .all(|c| c.is_ascii_hexdigit() || "dtunx-.".contains(c)) =>
            {
                Part::After(p.to_owned())
            }
            _ => return Err(bad()),
        })
    };
    let mut out: [Part; N] = std::array::from_fn(|_| Part::Start);
    for (o, p) in out.iter_mut().zip(parts) {
        *o = part(p)?;
    }
    Ok(out)
}

fn cursor_text(parts: &[Part; N]) -> Option<String> {
    if parts.iter().all(|p| *p == Part::Done) {
        return None;
    }
    let one = |p: &Part| match p {
        Part::Start => String::new(),
        Part::After(c) => c.clone(),
        Part::Done => DONE.to_owned(),
    };
    Some(
        parts
            .iter()
            .map(one)
            .collect::<Vec<_>>()
            .join(&SEP.to_string()),
    )
}

/// One case type's page: its items (each with the cursor after it) and where it continues.
struct Fetched {
    items: Vec<(WorkItem, String)>,
    next: Option<String>,
}

impl Fetched {
    fn none() -> Self {
        Self {
            items: Vec::new(),
            next: None,
        }
    }
}

/// The workbench of the caller: what they may act on now, nearest time limit first.
pub async fn list(
    core: &Core,
    caller: &Caller,
    q: &WorkbenchQuery,
) -> Result<Workbench, WorkbenchError> {
    let limit = crate::input::limit(Some(q.limit))?;
    let [filing_at, complaint_at, inspection_at] = parse_cursor(q.after.as_deref())?;
    let wanted = |t: &str| q.case_type.as_deref().is_none_or(|c| c == t);
    if let Some(c) = q.case_type.as_deref() {
        crate::input::one_of("case_type", c, &CASE_TYPES)?;
    }
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    let complaint_statuses = ComplaintStatus::ALL.map(|s| s.as_str());
    if let Some(s) = status {
        let all: Vec<&str> = FILING_STATUSES
            .iter()
            .chain(complaint_statuses.iter())
            .chain(InspectionStatus::ALL.map(|s| s.as_str()).iter())
            .copied()
            .collect();
        crate::input::one_of("status", s, &all)?;
    }
    let filings_wanted = wanted("filing")
        && status.is_none_or(|s| FILING_STATUSES.contains(&s))
        && caller.may(core, Resource::FILING, Action::Review, None);
    let complaints_wanted = wanted("complaint")
        && q.kind.is_none()
        && !q.resubmitted
        && status.is_none_or(|s| complaint_statuses.contains(&s))
        && caller.may(core, Resource::COMPLAINT, Action::Handle, None);
    let inspection_statuses = InspectionStatus::ALL.map(|s| s.as_str());
    let inspections_wanted = wanted("inspection")
        && q.kind.is_none()
        && !q.resubmitted
        && status.is_none_or(|s| inspection_statuses.contains(&s))
        && caller.may(core, Resource::INSPECTION, Action::Conduct, None);

    let filings = match (&filing_at, filings_wanted) {
        (Part::Done, _) | (_, false) => Fetched::none(),
        (at, true) => {
            let page = filing_queue::review_queue(
                core,
                caller,
                &QueueQuery {
                    limit: Some(limit),
                    after: match at {
                        Part::After(c) => Some(c.clone()),
                        _ => None,
                    },
                    province: q.province.clone(),
                    status: status.map(str::to_owned),
                    kind: q.kind.clone(),
                    processor: q.processor.clone(),
                    resubmitted: q.resubmitted.then_some(true),
                    ..QueueQuery::default()
                },
            )
            .await?;
            Fetched {
                items: page
                    .items
                    .into_iter()
                    .map(|f| {
                        let after = filing_queue::review_due_cursor(&f);
                        let item = WorkItem {
                            case_type: "filing",
                            id: f.id,
                            title: f.organisation_name,
                            detail: Some(f.uscc),
                            status: f.status,
                            kind: Some(f.kind),
                            province_code: f.province_code,
                            due_date: f.review_due_date,
                            working_days_left: f.review_working_days_left,
                            risk_level: Some(f.risk_level),
                        };
                        (item, after)
                    })
                    .collect(),
                next: page.next,
            }
        }
    };
    let complaints = match (&complaint_at, complaints_wanted) {
        (Part::Done, _) | (_, false) => Fetched::none(),
        (at, true) => {
            let page = complaint_handling::queue(
                core,
                caller,
                &ComplaintQueueQuery {
                    status: status.map(str::to_owned),
                    province: q.province.clone(),
                    processor: q.processor.clone(),
                    after: match at {
                        Part::After(c) => Some(c.clone()),
                        _ => None,
                    },
                    limit: Some(limit),
                    ..ComplaintQueueQuery::default()
                },
            )
            .await?;
            Fetched {
                items: page
                    .items
                    .into_iter()
                    .map(|c| {
                        let after = crate::cursor::encode(&(c.due_date, c.id));
                        let item = WorkItem {
                            case_type: "complaint",
                            id: c.id,
                            title: c.receipt_number,
                            detail: c.processor_name,
                            status: c.status,
                            kind: None,
                            province_code: c.province_code,
                            due_date: c.due_date,
                            working_days_left: c.working_days_left,
                            risk_level: None,
                        };
                        (item, after)
                    })
                    .collect(),
                next: page.next,
            }
        }
    };
    let inspections = match (&inspection_at, inspections_wanted) {
        (Part::Done, _) | (_, false) => Fetched::none(),
        (at, true) => {
            let after = match at {
                Part::After(c) => Some(c.as_str()),
                _ => None,
            };
            let (rows, next) = crate::inspections::work_queue(
                core,
                caller,
                q.province.as_deref(),
                status,
                q.processor.as_deref(),
                after,
                limit,
            )
            .await?;
            Fetched {
                items: rows
                    .into_iter()
                    .map(|r| {
                        let item = WorkItem {
                            case_type: "inspection",
                            id: r.id,
                            title: r.organisation.name,
                            detail: Some(r.organisation.uscc),
                            status: r.status,
                            kind: None,
                            province_code: r.province_code,
                            due_date: r.due_date,
                            working_days_left: r.working_days_left,
                            risk_level: None,
                        };
                        (item, r.after)
                    })
                    .collect(),
                next,
            }
        }
    };
    let (items, parts) = merge(
        [filings, complaints, inspections],
        [filing_at, complaint_at, inspection_at],
        [filings_wanted, complaints_wanted, inspections_wanted],
        limit as usize,
    );
    Ok(Workbench {
        items,
        next: cursor_text(&parts),
    })
}

/// Merges the case types' pages by their heads' time limits (none last; ties to the case
/// type listed first), taking at most `limit`; and where each queue continues.
fn merge(
    fetched: [Fetched; N],
    at: [Part; N],
    wanted: [bool; N],
    limit: usize,
) -> (Vec<WorkItem>, [Part; N]) {
    let mut queues: Vec<std::collections::VecDeque<(WorkItem, String)>> = fetched
        .iter()
        .map(|f| f.items.iter().cloned().collect())
        .collect();
    let mut taken: [Option<String>; N] = std::array::from_fn(|_| None);
    let mut items = Vec::with_capacity(limit);
    while items.len() < limit {
        let key = |q: &std::collections::VecDeque<(WorkItem, String)>| {
            q.front().map(|(i, _)| i.due_date.unwrap_or(NaiveDate::MAX))
        };
        let pick = (0..queues.len())
            .filter_map(|i| key(&queues[i]).map(|k| (k, i)))
            .min();
        let Some((_, i)) = pick else { break };
        if let Some((item, after)) = queues[i].pop_front() {
            taken[i] = Some(after);
            items.push(item);
        }
    }
    let parts = std::array::from_fn(|i| {
        if !wanted[i] {
            return Part::Done;
        }
        if queues[i].is_empty() {
            // Everything fetched was taken: on where the queue continues, or done.
            return match &fetched[i].next {
                Some(n) => Part::After(n.clone()),
                None => Part::Done,
            };
        }
        match &taken[i] {
            Some(after) => Part::After(after.clone()),
            None => at[i].clone(),
        }
    });
    (items, parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(case_type: &'static str, n: u128, due: Option<u32>) -> (WorkItem, String) {
        let item = WorkItem {
            case_type,
            id: Uuid::from_u128(n),
            title: format!("{case_type}{n}"),
            detail: None,
            status: "s".into(),
            kind: None,
            province_code: "310000".into(),
            due_date: due.and_then(|d| NaiveDate::from_ymd_opt(2026, 12, d)),
            working_days_left: None,
            risk_level: None,
        };
        (item, format!("n{n}"))
    }

    fn fetched(items: Vec<(WorkItem, String)>, next: Option<&str>) -> Fetched {
        Fetched {
            items,
            next: next.map(str::to_owned),
        }
    }

    #[test]
    fn heads_are_merged_by_time_limit_none_last_and_each_queue_resumes_where_it_was_taken() {
        let f = fetched(
            vec![
                item("filing", 1, Some(3)),
                item("filing", 2, Some(9)),
                item("filing", 3, None),
            ],
            Some("nf"),
        );
        let c = fetched(
            vec![item("complaint", 4, Some(5)), item("complaint", 5, None)],
            None,
        );
        let (items, parts) = merge(
            [f, c, fetched(vec![], None)],
            [Part::Start, Part::Start, Part::Start],
            [true, true, false],
            3,
        );
        let titles: Vec<_> = items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["filing1", "complaint4", "filing2"]);
        assert_eq!(parts[0], Part::After("n2".into()));
        assert_eq!(parts[1], Part::After("n4".into()));
    }

    #[test]
    fn a_queue_read_to_its_end_is_done_and_the_last_page_has_no_cursor() {
        let f = fetched(vec![item("filing", 1, Some(3))], None);
        let c = fetched(vec![item("complaint", 2, Some(4))], None);
        let (items, parts) = merge(
            [f, c, fetched(vec![], None)],
            [Part::Start, Part::Start, Part::Start],
            [true, true, true],
            50,
        );
        assert_eq!(items.len(), 2);
        assert_eq!(cursor_text(&parts), None);
    }

    #[test]
    fn a_queue_with_nothing_taken_keeps_its_cursor_and_a_full_one_goes_on_from_its_next() {
        let f = fetched(
            vec![item("filing", 1, Some(1)), item("filing", 2, Some(2))],
            Some("nf"),
        );
        let c = fetched(vec![item("complaint", 3, Some(20))], Some("nc"));
        let i = fetched(vec![item("inspection", 9, Some(25))], None);
        let (_, parts) = merge(
            [f, c, i],
            [Part::Start, Part::After("x1".into()), Part::Start],
            [true, true, true],
            2,
        );
        assert_eq!(parts[0], Part::After("nf".into()));
        assert_eq!(parts[1], Part::After("x1".into()));
        assert_eq!(parts[2], Part::Start);
        let text = cursor_text(&parts).expect("more");
        assert_eq!(parse_cursor(Some(&text)).expect("parses"), parts);
    }

    #[test]
    fn cursors_this_page_did_not_give_are_refused() {
        for bad in ["x", "a~b", "a~b~c~d", "<script>~~", "zz~!~"] {
            assert!(parse_cursor(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(
            parse_cursor(Some("!~~")).expect("parses"),
            [Part::Done, Part::Start, Part::Start]
        );
    }
}
