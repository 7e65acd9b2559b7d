//! A new case type is one small interface: implemented here for a made-up case type with
//! nothing else written for it, its deadlines are swept (reminded, marked overdue, audited),
//! its notices go through the outbox, and its audit trail is served by jurisdiction.

use async_trait::async_trait;
use chrono::NaiveDate;
use frt_access::{AgencyKind, Principal, PrincipalKind, Resource, Role};
use frt_cases::entity::{CaseSummary, CaseType, DeadlineEvent, Entity, Handled, Jurisdiction};
use frt_cases::notices::{self, About};
use frt_cases::{registry, sweep, trail, Caller, Core, StoreError};
use frt_domain::calendar::{Calendar, WorkingDays};
use frt_mail::{AccountNotice, Message};
use frt_store::audit::{self, Actor};
use frt_store::deadlines::{self, Deadline};
use frt_store::{AsyncPgConnection, QueryError, ScopedFutureExt};
use frt_testkit::app::test_settings;
use frt_testkit::TestDb;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

const NAME: &str = "made_up_case";

/// The whole of the made-up case type: every case is in Shanghai, and each deadline event is
/// noted and mailed to one address.
struct MadeUp {
    events: Arc<Mutex<Vec<DeadlineEvent>>>,
}

#[async_trait]
impl Entity for MadeUp {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn jurisdiction(
        &self,
        _conn: &mut AsyncPgConnection,
        _id: Uuid,
    ) -> Result<Option<Jurisdiction>, QueryError> {
        Ok(Some(Jurisdiction::Province("310000".into())))
    }
}

#[async_trait]
impl CaseType for MadeUp {
    fn resource(&self) -> Resource {
        // A real case type names its own resource with its rules in config/casbin/policy.csv.
        Resource::FILING
    }

    async fn of_organisation(
        &self,
        _conn: &mut AsyncPgConnection,
        _organisation: Uuid,
        _viewer: &frt_access::Principal,
    ) -> Result<Vec<CaseSummary>, QueryError> {
        // Made-up cases concern no processor.
        Ok(Vec::new())
    }

    async fn on_deadline(
        &self,
        conn: &mut AsyncPgConnection,
        d: &Deadline,
        event: DeadlineEvent,
        _today: NaiveDate,
    ) -> Result<Handled, StoreError> {
        self.events.lock().expect("events").push(event);
        let notice = AccountNotice::LoginFailures {
            email: "case@made.up".into(),
            failures: 1,
            within_minutes: 1,
        };
        let about = About {
            entity_type: NAME,
            entity_id: d.entity_id,
        };
        let key = format!("{NAME}:{}:{event:?}", d.id);
        let queued = notices::mail(conn, "case@made.up", "en", &notice, about, key).await?;
        Ok(Handled {
            mails_queued: usize::from(queued),
            escalated: 0,
        })
    }
}

fn reviewer(province: &str) -> Caller {
    Caller {
        principal: Principal {
            user_id: Uuid::now_v7(),
            email: "r@sh.cac.example".into(),
            display_name: "审核员".into(),
            role: Role::Reviewer,
            kind: PrincipalKind::Staff {
                agency_id: Uuid::now_v7(),
                agency_kind: AgencyKind::ProvincialCac,
                jurisdiction: Some(province.into()),
            },
        },
        actor: Actor::system("test"),
    }
}

#[tokio::test]
async fn a_made_up_case_type_gets_the_sweep_the_outbox_and_the_audit_trail() {
    let db = TestDb::new().await;
    let settings = test_settings(&db.app_url, &std::env::temp_dir(), &[]);
    let events = Arc::new(Mutex::new(Vec::new()));
    let mut entities = registry::standard();
    entities.add_case_type(Arc::new(MadeUp {
        events: events.clone(),
    }));
    let core = Core::assemble(settings, entities).await.expect("core");

    // One case with a 5-working-day deadline from a Monday, and an audit row.
    let case = Uuid::now_v7();
    let start = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
    let due = core
        .db
        .tx(|conn| {
            async move {
                let cal = Calendar::builtin().map_err(anyhow::Error::from)?;
                let n = WorkingDays::new(5).map_err(anyhow::Error::from)?;
                let d = deadlines::set(conn, &cal, NAME, case, "reply", start, n, None)
                    .await
                    .map_err(anyhow::Error::from)?;
                audit::record(
                    conn,
                    &Actor::system("test"),
                    "made_up.opened",
                    NAME,
                    &case.to_string(),
                    None,
                    None,
                )
                .await?;
                Ok::<_, anyhow::Error>(d.due_date)
            }
            .scope_boxed()
        })
        .await
        .expect("case");
    assert_eq!(due, NaiveDate::from_ymd_opt(2026, 11, 9).expect("date"));

    let on_due_day = sweep::run(&core, due).await.expect("sweep");
    assert_eq!((on_due_day.reminders, on_due_day.mails_queued), (1, 1));
    let after = sweep::run(&core, due.succ_opt().expect("next day"))
        .await
        .expect("sweep");
    assert_eq!((after.marked_overdue, after.mails_queued), (1, 1));
    let again = sweep::run(&core, due.succ_opt().expect("next day"))
        .await
        .expect("sweep");
    assert_eq!(again.mails_queued, 0, "nothing twice");
    assert_eq!(
        *events.lock().expect("events"),
        [
            DeadlineEvent::Reminder {
                working_days_left: 0
            },
            DeadlineEvent::Overdue
        ]
    );

    let mut conn = core.db.conn().await.expect("conn");
    let mail = frt_store::outbox::for_entity(&mut conn, NAME, case)
        .await
        .expect("outbox");
    assert_eq!(mail.len(), 2);
    assert_eq!(
        mail[0].template,
        AccountNotice::LoginFailures {
            email: String::new(),
            failures: 0,
            within_minutes: 0
        }
        .template()
    );
    drop(conn);

    // Its trail, by its jurisdiction: Shanghai sees it (with the sweep's overdue mark),
    // Beijing is told it does not exist.
    let page = trail::page(
        &core,
        &reviewer("310000"),
        NAME,
        &case.to_string(),
        &trail::TrailQuery::default(),
    )
    .await
    .expect("trail");
    let actions: Vec<&str> = page.items.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["made_up.opened", "deadline.overdue"]);
    let elsewhere = trail::page(
        &core,
        &reviewer("110000"),
        NAME,
        &case.to_string(),
        &trail::TrailQuery::default(),
    )
    .await;
    assert!(
        matches!(elsewhere, Err(trail::TrailError::NotFound(_))),
        "{elsewhere:?}"
    );
}
