//! Casbin authorisation. The model and policy are files in `config/casbin`; they hold role and
//! domain rules only, so enforcement cost does not grow with the data. The enforcer is built
//! once and only read afterwards, so no request takes a lock.

use crate::principal::Principal;
use casbin::{CoreApi, DefaultModel, Enforcer, FileAdapter};
use std::path::Path;
use std::sync::Arc;

/// A resource type named in the policy (casbin `obj`). Open, so that each case type declares
/// its own (`Resource::new("inspection")`) next to its rules in `config/casbin/policy.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Resource(&'static str);

impl Resource {
    pub const FILING: Self = Self("filing");
    pub const ORGANISATION_USER: Self = Self("organisation_user");
    pub const STAFF_USER: Self = Self("staff_user");
    pub const AUDIT: Self = Self("audit");
    pub const INSPECTION: Self = Self("inspection");
    /// A processor's page (its cases and their timeline), for regulator staff.
    pub const ORGANISATION: Self = Self("organisation");
    pub const COMPLAINT: Self = Self("complaint");
    pub const NOTIFICATION: Self = Self("notification");
    /// The working-day calendar (a year's holiday arrangement): national administrators only.
    pub const CALENDAR: Self = Self("calendar");

    pub const fn new(name: &'static str) -> Self {
        Self(name)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// Actions named in the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Write,
    Review,
    Assign,
    SignOff,
    Manage,
    /// Plan inspections: plans, random draws, targets, joint agencies.
    Plan,
    /// Work an inspection: notices, requests, findings, orders, verification.
    Conduct,
    /// A processor answers what an inspection asks of it.
    Answer,
    /// Work a complaint: accept, transfer, investigate, decide, reply, close.
    Handle,
    /// Approve a reply before it is sent.
    Approve,
    /// See a complainant's contact unmasked (besides the complaint's own handler).
    Contact,
    /// Send a notification to other agencies (通报).
    Send,
    /// Acknowledge a notification addressed to one's agency (签收) and answer it (反馈).
    Acknowledge,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Review => "review",
            Self::Assign => "assign",
            Self::SignOff => "sign_off",
            Self::Manage => "manage",
            Self::Plan => "plan",
            Self::Conduct => "conduct",
            Self::Answer => "answer",
            Self::Handle => "handle",
            Self::Approve => "approve",
            Self::Contact => "contact",
            Self::Send => "send",
            Self::Acknowledge => "acknowledge",
        }
    }
}

#[derive(Clone)]
pub struct Authorizer {
    enforcer: Arc<Enforcer>,
}

impl Authorizer {
    /// Loads `model.conf` and `policy.csv` from `dir`.
    pub async fn load(dir: &Path) -> anyhow::Result<Self> {
        let model_path = dir.join("model.conf");
        let policy_path = dir.join("policy.csv");
        let model = DefaultModel::from_file(model_path.to_string_lossy().as_ref())
            .await
            .map_err(|e| {
                anyhow::anyhow!("cannot read casbin model {}: {e}", model_path.display())
            })?;
        let adapter = FileAdapter::new(policy_path.to_string_lossy().into_owned());
        let enforcer = Enforcer::new(model, adapter).await.map_err(|e| {
            anyhow::anyhow!("cannot load casbin policy {}: {e}", policy_path.display())
        })?;
        Ok(Self {
            enforcer: Arc::new(enforcer),
        })
    }

    /// Whether `principal` may do `action` on `resource` in the province `domain` (its home
    /// domain when `None`). Jurisdiction is checked first: nobody acts outside it.
    pub fn allows(
        &self,
        principal: &Principal,
        resource: Resource,
        action: Action,
        domain: Option<&str>,
    ) -> bool {
        let dom = domain.unwrap_or_else(|| principal.home_domain());
        if dom != "*" && !principal.covers(dom) {
            return false;
        }
        self.enforcer
            .enforce((principal.subject(), dom, resource.as_str(), action.as_str()))
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::principal::{AgencyKind, PrincipalKind, Role};
    use uuid::Uuid;

    fn staff(role: Role, agency_kind: AgencyKind, jurisdiction: Option<&str>) -> Principal {
        Principal {
            user_id: Uuid::nil(),
            email: "s@example.gov.cn".into(),
            display_name: "s".into(),
            role,
            kind: PrincipalKind::Staff {
                agency_id: Uuid::nil(),
                agency_kind,
                jurisdiction: jurisdiction.map(str::to_owned),
            },
        }
    }

    fn processor(role: Role) -> Principal {
        Principal {
            user_id: Uuid::nil(),
            email: "p@example.com".into(),
            display_name: "p".into(),
            role,
            kind: PrincipalKind::Processor {
                organisation_id: Uuid::nil(),
                province_code: "310000".into(),
            },
        }
    }

    async fn authz() -> Authorizer {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/casbin");
        Authorizer::load(&dir).await.expect("policy loads")
    }

    #[tokio::test]
    async fn reviewers_review_only_their_province() {
        let a = authz().await;
        let r = staff(Role::Reviewer, AgencyKind::ProvincialCac, Some("310000"));
        assert!(a.allows(&r, Resource::FILING, Action::Review, Some("310000")));
        assert!(!a.allows(&r, Resource::FILING, Action::Review, Some("110000")));
        assert!(!a.allows(&r, Resource::FILING, Action::Write, Some("310000")));
        assert!(!a.allows(&r, Resource::FILING, Action::Assign, Some("310000")));
        let s = staff(Role::Supervisor, AgencyKind::ProvincialCac, Some("310000"));
        assert!(a.allows(&s, Resource::FILING, Action::Assign, Some("310000")));
        assert!(!a.allows(&s, Resource::FILING, Action::Assign, Some("110000")));
    }

    #[tokio::test]
    async fn national_staff_act_everywhere() {
        let a = authz().await;
        let n = staff(Role::Reviewer, AgencyKind::NationalCac, None);
        assert!(a.allows(&n, Resource::FILING, Action::Review, Some("110000")));
        assert!(a.allows(&n, Resource::FILING, Action::Review, Some("440000")));
        assert!(a.allows(&n, Resource::FILING, Action::Read, None));
    }

    #[tokio::test]
    async fn public_security_reads_only_what_is_handed_over_and_never_reviews() {
        let a = authz().await;
        let p = staff(Role::Inspector, AgencyKind::PublicSecurity, Some("310000"));
        assert!(!a.allows(&p, Resource::FILING, Action::Review, Some("310000")));
        // Reading is allowed by role; which filings, SQL decides: those a case transfer
        // handed to the unit's agency.
        assert!(a.allows(&p, Resource::FILING, Action::Read, Some("310000")));
        assert!(matches!(
            p.scope().reach,
            frt_store::scope::Reach::Granted(_)
        ));
        assert!(!a.allows(&p, Resource::AUDIT, Action::Read, Some("310000")));
        assert!(a.allows(&p, Resource::NOTIFICATION, Action::Acknowledge, None));
    }

    #[tokio::test]
    async fn only_national_administrators_manage_the_calendar() {
        let a = authz().await;
        let national = staff(Role::Admin, AgencyKind::NationalCac, None);
        assert!(a.allows(&national, Resource::CALENDAR, Action::Manage, None));
        let provincial = staff(Role::Admin, AgencyKind::ProvincialCac, Some("310000"));
        assert!(!a.allows(&provincial, Resource::CALENDAR, Action::Manage, None));
        assert!(a.allows(&provincial, Resource::STAFF_USER, Action::Manage, None));
        let reviewer = staff(Role::Reviewer, AgencyKind::NationalCac, None);
        assert!(!a.allows(&reviewer, Resource::CALENDAR, Action::Manage, None));
    }

    #[tokio::test]
    async fn processors_write_filings_but_do_not_review() {
        let a = authz().await;
        let f = processor(Role::Filer);
        assert!(a.allows(&f, Resource::FILING, Action::Write, None));
        assert!(!a.allows(&f, Resource::FILING, Action::Review, None));
        assert!(!a.allows(&f, Resource::ORGANISATION_USER, Action::Manage, None));
        assert!(a.allows(
            &processor(Role::OrgAdmin),
            Resource::ORGANISATION_USER,
            Action::Manage,
            None
        ));
    }
}
