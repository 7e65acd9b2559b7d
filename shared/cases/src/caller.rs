//! Who a use case acts for: the authenticated principal and the audit actor of the request,
//! and the authorisation question asked before each state change.

use crate::context::Core;
use crate::error::{Denied, StoreError};
use frt_access::{Action, AgencyKind, Principal, PrincipalKind, Resource, Role};
use frt_store::audit::Actor;
use frt_store::identities::{self, SessionOwner};
use frt_store::ScopedFutureExt;
use std::str::FromStr;

#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub actor: Actor,
}

impl Caller {
    /// Refuses unless the policy lets the caller's role do `action` on `resource` in the
    /// province `domain` (the caller's home domain when `None`).
    pub fn require(
        &self,
        core: &Core,
        resource: Resource,
        action: Action,
        domain: Option<&str>,
    ) -> Result<(), Denied> {
        if self.may(core, resource, action, domain) {
            Ok(())
        } else {
            Err(Denied {
                action: action.as_str(),
                resource: resource.as_str().replace('_', " "),
            })
        }
    }

    /// What the caller's queries may see, built from the principal in one place
    /// (`frt_access::scope`).
    pub fn scope(&self) -> frt_store::scope::Scope {
        self.principal.scope()
    }

    /// The caller's scope narrowed to `province` when one is given: a bad code is a bad
    /// parameter, a province outside the caller's jurisdiction is denied (`resource` names
    /// what was asked for).
    pub fn scope_within<E>(
        &self,
        province: Option<&str>,
        resource: &str,
    ) -> Result<frt_store::scope::Scope, E>
    where
        E: From<crate::input::BadParameter> + From<Denied>,
    {
        let mut scope = self.scope();
        if let Some(p) = province {
            let p = frt_domain::region::ProvinceCode::parse(p).map_err(|e| {
                crate::input::BadParameter::new("province", "invalid_province", e.to_string())
            })?;
            if !self.principal.covers(p.as_str()) {
                return Err(Denied {
                    action: "read",
                    resource: resource.into(),
                }
                .into());
            }
            // Narrowing only: an agency outside the CAC keeps to what was handed to it.
            if let Some(narrowed) = scope.within(p.as_str()) {
                scope = narrowed;
            }
        }
        Ok(scope)
    }

    /// Whether the policy lets the caller do it (for choices, not refusals).
    pub fn may(
        &self,
        core: &Core,
        resource: Resource,
        action: Action,
        domain: Option<&str>,
    ) -> bool {
        core.authz.allows(&self.principal, resource, action, domain)
    }
}

/// The principal of an account: its role, and its organisation (a processor's user) or agency
/// (staff), as a session's owner or an account looked up by name gives them.
pub fn principal_of(owner: SessionOwner) -> Result<Principal, StoreError> {
    let user = owner.user;
    let role = Role::from_str(&user.role).map_err(|e| anyhow::anyhow!(e))?;
    let kind = match (owner.organisation, owner.agency) {
        (Some((organisation_id, province_code)), _) => PrincipalKind::Processor {
            organisation_id,
            province_code,
        },
        (None, Some((agency_id, kind, jurisdiction))) => PrincipalKind::Staff {
            agency_id,
            agency_kind: AgencyKind::from_str(&kind).map_err(|e| anyhow::anyhow!(e))?,
            jurisdiction,
        },
        (None, None) => {
            return Err(anyhow::anyhow!("the account {} belongs to nobody", user.email).into())
        }
    };
    Ok(Principal {
        user_id: user.id,
        email: user.email,
        display_name: user.display_name,
        role,
        kind,
    })
}

impl Caller {
    /// Acting as the active account `email` of `zone` outside any request (the demo data
    /// set), audited under its own name; `None` when there is no such account.
    pub async fn as_account(
        core: &Core,
        zone: &str,
        email: &str,
    ) -> Result<Option<Self>, StoreError> {
        core.db
            .run(|conn| {
                async move {
                    let Some(owner) = identities::account_owner(conn, zone, email).await? else {
                        return Ok(None);
                    };
                    let principal = principal_of(owner)?;
                    let actor = Actor {
                        user_id: Some(principal.user_id),
                        label: principal.audit_label(),
                        client_ip: None,
                        request_id: None,
                    };
                    Ok(Some(Self { principal, actor }))
                }
                .scope_boxed()
            })
            .await
    }
}
