//! The one place a caller's `Scope` is built: from a request's principal, or from the agency
//! an exchange client (or a job) acts for. Every query of every case type takes it.

use crate::principal::{AgencyKind, Principal, PrincipalKind};
use frt_store::identities::Agency;
use frt_store::scope::{Reach, Scope};
use uuid::Uuid;

/// How far an agency of this kind reaches: the national CAC every province, a provincial
/// office its own, and public security or another department only what was handed to it.
/// A provincial office without a province reaches no further than an outside agency.
fn reach(kind: AgencyKind, agency_id: Uuid, province: Option<&str>) -> Reach {
    match (kind, province) {
        (AgencyKind::NationalCac, _) => Reach::Everywhere,
        (AgencyKind::ProvincialCac, Some(p)) => Reach::Provinces(vec![p.to_owned()]),
        _ => Reach::Granted(agency_id),
    }
}

/// The scope of an authenticated caller.
pub fn of_principal(p: &Principal) -> Scope {
    match &p.kind {
        PrincipalKind::Processor {
            organisation_id, ..
        } => Scope {
            user_id: Some(p.user_id),
            ..Scope::organisation(*organisation_id)
        },
        PrincipalKind::Staff {
            agency_id,
            agency_kind,
            jurisdiction,
        } => Scope {
            reach: reach(*agency_kind, *agency_id, jurisdiction.as_deref()),
            agency_id: Some(*agency_id),
            role: Some(p.role.as_str().to_owned()),
            user_id: Some(p.user_id),
        },
    }
}

/// The scope of an agency acting as such (its exchange client, or the agency a notification
/// is sent from): no role, so a restricted notification is read only by the staff it names.
/// An agency of a kind the platform does not know reaches only what was handed to it.
pub fn of_agency(agency: &Agency) -> Scope {
    let kind = agency
        .kind
        .parse::<AgencyKind>()
        .unwrap_or(AgencyKind::OtherDepartment);
    Scope {
        reach: reach(kind, agency.id, agency.province_code.as_deref()),
        agency_id: Some(agency.id),
        role: None,
        user_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::principal::Role;

    fn staff(kind: AgencyKind, jurisdiction: Option<&str>) -> Principal {
        Principal {
            user_id: Uuid::nil(),
            email: "a@example.cn".into(),
            display_name: "A".into(),
            role: Role::Reviewer,
            kind: PrincipalKind::Staff {
                agency_id: Uuid::from_u128(7),
                agency_kind: kind,
                jurisdiction: jurisdiction.map(str::to_owned),
            },
        }
    }

    #[test]
    fn each_kind_of_agency_reaches_as_far_as_the_measures_let_it() {
        let national = of_principal(&staff(AgencyKind::NationalCac, None));
        assert_eq!(national.reach, Reach::Everywhere);
        let shanghai = of_principal(&staff(AgencyKind::ProvincialCac, Some("310000")));
        assert_eq!(shanghai.reach, Reach::Provinces(vec!["310000".into()]));
        assert_eq!(shanghai.role.as_deref(), Some("reviewer"));
        let police = of_principal(&staff(AgencyKind::PublicSecurity, Some("310000")));
        assert_eq!(police.reach, Reach::Granted(Uuid::from_u128(7)));
        // A provincial office without its province is not let everywhere.
        let lost = of_principal(&staff(AgencyKind::ProvincialCac, None));
        assert_eq!(lost.reach, Reach::Granted(Uuid::from_u128(7)));
    }

    #[test]
    fn an_agency_acting_as_such_has_no_role() {
        let agency = Agency {
            id: Uuid::from_u128(9),
            kind: "provincial_cac".into(),
            name: "上海市网信办".into(),
            province_code: Some("310000".into()),
            created_at: chrono::Utc::now(),
            level: "provincial".into(),
            parent_id: None,
        };
        let s = of_agency(&agency);
        assert_eq!(s.reach, Reach::Provinces(vec!["310000".into()]));
        assert_eq!(s.role, None);
        let unknown = of_agency(&Agency {
            kind: "somebody".into(),
            ..agency
        });
        assert_eq!(unknown.reach, Reach::Granted(Uuid::from_u128(9)));
    }
}
