//! The deadline sweep (daily, and on demand with `frtctl sweep`): for every open deadline of
//! any case type it works out whether a reminder is due some working days before, or whether
//! the deadline has passed; it then marks an overdue deadline and audits that, and asks the
//! deadline's case type (`CaseType::on_deadline`) whom to tell and whether to escalate. Each
//! action is recorded once per deadline and due date (`deadline_alerts`), and each deadline is
//! handled in its own short transaction under a row lock that a second sweep skips, so running
//! twice, or on two workers at once, changes nothing the first run did not.

use crate::context::Core;
use crate::entity::{DeadlineEvent, Handled, Registry};
use crate::error::StoreError;
use chrono::NaiveDate;
use frt_domain::calendar::{Calendar, WorkingDays};
use frt_store::audit::{self, Actor};
use frt_store::deadlines::{self, Lock};
use frt_store::{AsyncPgConnection, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SweepReport {
    pub day: Option<NaiveDate>,
    /// Open deadlines looked at.
    pub examined: usize,
    pub reminders: usize,
    pub marked_overdue: usize,
    pub escalated: usize,
    pub mails_queued: usize,
}

/// What is due on a deadline on `today`, with reminders `thresholds` working days before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// Not yet in any reminder window.
    Later,
    /// In the window of the `threshold`-working-day reminder, `left` working days to go.
    Remind { threshold: i64, left: i64 },
    /// Passed and not met.
    Overdue,
}

/// The rule: overdue after the due date; otherwise the smallest reminder window the working
/// days left fall in (the due day itself counts as 0 left).
pub fn due_on(calendar: &Calendar, due: NaiveDate, today: NaiveDate, thresholds: &[i64]) -> Due {
    if today > due {
        return Due::Overdue;
    }
    let left = calendar.working_days_between(today, due).days;
    thresholds
        .iter()
        .copied()
        .filter(|t| left <= *t)
        .min()
        .map_or(Due::Later, |threshold| Due::Remind { threshold, left })
}

/// The furthest day a reminder can concern: `today` plus the largest threshold in working days.
fn horizon(calendar: &Calendar, today: NaiveDate, thresholds: &[i64]) -> NaiveDate {
    let widest = thresholds.iter().copied().max().unwrap_or(0);
    WorkingDays::new(widest)
        .ok()
        .and_then(|n| calendar.add_working_days(today, n).ok())
        .map_or(today, |d| d.due_date)
}

/// Runs the sweep as of `today`.
pub async fn run(core: &Core, today: NaiveDate) -> Result<SweepReport, StoreError> {
    run_for(core, today, None).await
}

/// Runs the sweep as of `today` over every deadline, or over one entity's only (what an
/// acceptance scenario sweeps on a shared deployment, where other data must stay untouched).
pub async fn run_for(
    core: &Core,
    today: NaiveDate,
    only_entity: Option<uuid::Uuid>,
) -> Result<SweepReport, StoreError> {
    let thresholds = core.settings.worker.reminder_working_days.clone();
    let calendar = core.calendar().await?;
    let until = horizon(&calendar, today, &thresholds);
    let mut report = SweepReport {
        day: Some(today),
        ..SweepReport::default()
    };
    let mut after = None;
    // Deadlines another transaction held: a sweep beside this one handling them, or one whose
    // worker stopped mid-transaction and whose lock the server has not yet released. Waited
    // for at the end, so that a sweep that finishes has seen every deadline due.
    let mut held = Vec::new();
    loop {
        let page = core
            .db
            .tx(|conn| {
                async move {
                    Ok::<_, StoreError>(
                        deadlines::open_until(conn, until, only_entity, after, 500).await?,
                    )
                }
                .scope_boxed()
            })
            .await?;
        let Some(last) = page.last() else { break };
        after = Some((last.due_date, last.id));
        for d in page {
            report.examined += 1;
            match one(core, &calendar, &thresholds, d.id, today, Lock::SkipLocked).await? {
                Some(done) => report.add(&done),
                None => held.push(d.id),
            }
        }
    }
    for id in held {
        if let Some(done) = one(core, &calendar, &thresholds, id, today, Lock::Wait).await? {
            report.add(&done);
        }
    }
    Ok(report)
}

/// One deadline in its own transaction; `None` when another transaction held it.
async fn one(
    core: &Core,
    calendar: &Arc<Calendar>,
    thresholds: &[i64],
    id: uuid::Uuid,
    today: NaiveDate,
    lock: Lock,
) -> Result<Option<SweepReport>, StoreError> {
    let (calendar, thresholds) = (calendar.clone(), thresholds.to_vec());
    let cases = &core.entities;
    core.db
        .tx(|conn| {
            async move { handle(conn, cases, &calendar, &thresholds, id, today, lock).await }
                .scope_boxed()
        })
        .await
}

impl SweepReport {
    fn add(&mut self, done: &SweepReport) {
        self.reminders += done.reminders;
        self.marked_overdue += done.marked_overdue;
        self.escalated += done.escalated;
        self.mails_queued += done.mails_queued;
    }
}

/// One deadline, locked; nothing done when it was met meanwhile, `None` when another
/// transaction held it and `lock` skips held rows.
async fn handle(
    conn: &mut AsyncPgConnection,
    cases: &Registry,
    calendar: &Arc<Calendar>,
    thresholds: &[i64],
    id: uuid::Uuid,
    today: NaiveDate,
    lock: Lock,
) -> Result<Option<SweepReport>, StoreError> {
    let mut done = SweepReport::default();
    let Some(d) = deadlines::lock_open(conn, id, lock).await? else {
        // Met meanwhile, or held; asked again with a lock that waits, it was met.
        return Ok((lock == Lock::Wait).then_some(done));
    };
    let event = match due_on(calendar, d.due_date, today, thresholds) {
        Due::Later => return Ok(Some(done)),
        Due::Remind { threshold, left } => {
            if !deadlines::record_alert(conn, &d, &format!("reminder:{threshold}"), today).await? {
                return Ok(Some(done));
            }
            done.reminders += 1;
            DeadlineEvent::Reminder {
                working_days_left: left,
            }
        }
        Due::Overdue => {
            deadlines::mark_overdue(conn, d.id, today).await?;
            if !deadlines::record_alert(conn, &d, "overdue", today).await? {
                return Ok(Some(done));
            }
            done.marked_overdue += 1;
            audit::record(
                conn,
                &Actor::system("deadline sweep"),
                "deadline.overdue",
                &d.entity_type,
                &d.entity_id.to_string(),
                None,
                Some(json!({ "purpose": d.purpose, "due_date": d.due_date, "swept_on": today })),
            )
            .await?;
            DeadlineEvent::Overdue
        }
    };
    match cases.case_type(&d.entity_type) {
        Some(case) => {
            let Handled {
                mails_queued,
                escalated,
            } = case.on_deadline(conn, &d, event, today).await?;
            done.mails_queued += mails_queued;
            done.escalated += escalated;
        }
        None => tracing::warn!(entity_type = %d.entity_type, deadline = %d.id,
            "a deadline of an entity type no case type handles: marked, nobody told"),
    }
    Ok(Some(done))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn reminder_windows_and_overdue_follow_working_days() {
        let cal = Calendar::builtin().expect("calendar");
        let t = [5, 1];
        // Friday 2026-11-27 → due Friday 2026-12-04: 5 working days left.
        assert_eq!(
            due_on(&cal, date("2026-12-04"), date("2026-11-27"), &t),
            Due::Remind {
                threshold: 5,
                left: 5
            }
        );
        // Six working days left: no reminder yet.
        assert_eq!(
            due_on(&cal, date("2026-12-07"), date("2026-11-27"), &t),
            Due::Later
        );
        // The weekend does not count: Friday → Monday is 1 working day.
        assert_eq!(
            due_on(&cal, date("2026-11-30"), date("2026-11-27"), &t),
            Due::Remind {
                threshold: 1,
                left: 1
            }
        );
        // On the due day itself.
        assert_eq!(
            due_on(&cal, date("2026-11-30"), date("2026-11-30"), &t),
            Due::Remind {
                threshold: 1,
                left: 0
            }
        );
        assert_eq!(
            due_on(&cal, date("2026-11-30"), date("2026-12-01"), &t),
            Due::Overdue
        );
        // The National Day holiday (2026-10-01..07) is skipped: 2026-09-30 → 2026-10-09 is 2.
        assert_eq!(
            due_on(&cal, date("2026-10-09"), date("2026-09-30"), &t),
            Due::Remind {
                threshold: 5,
                left: 2
            }
        );
        assert_eq!(
            horizon(&cal, date("2026-09-30"), &t),
            date("2026-10-13"),
            "5 working days after 09-30, with 10-10 a make-up working day"
        );
    }
}
