//! Who a use case acts for: the authenticated principal and the audit actor of the request,
//! and the authorisation question asked before each state change.

use crate::context::Core;
use crate::error::Denied;
use frt_access::{Action, Principal, Resource};
use frt_store::audit::Actor;

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
