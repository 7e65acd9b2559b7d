//! Who the caller is and what they may do: argon2id passwords, opaque bearer tokens stored
//! hashed, the `Principal` of a request and casbin authorisation with province domains.

pub mod accounts;
pub mod authz;
pub mod password;
pub mod principal;
pub mod scope;
pub mod sealing;
pub mod second_factor;
pub mod signing;
pub mod suite;
pub mod token;

pub use authz::{Action, Authorizer, Resource};
pub use principal::{AgencyKind, Principal, PrincipalKind, Role};
