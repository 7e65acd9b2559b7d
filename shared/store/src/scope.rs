//! Who may see what. One `Scope` is built for each caller in one place (`frt_access::scope`,
//! from a principal or from an exchange client's agency) and every query that reads records
//! of a case type takes it and applies it in SQL:
//!
//! | reach            | filings, registry        | inspections         | plans, draws, complaints | notifications              |
//! |------------------|--------------------------|---------------------|--------------------------|----------------------------|
//! | `Organisation`   | its own                  | its own             | none                     | none                       |
//! | `Provinces`      | of those provinces       | of those provinces  | of those provinces       | its agency's               |
//! | `Everywhere`     | all                      | all                 | all                      | its agency's + CAC domain  |
//! | `Granted`        | handed over by transfer  | joined              | complaints handed over   | its agency's               |
//!
//! Staff never see a filing that was never submitted; a restricted notification is read only
//! by the roles it names (and its sender).

use crate::schema::case_grants;
use diesel::prelude::*;
use uuid::Uuid;

/// How far a caller reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// A processor's users: their own organisation's records.
    Organisation(Uuid),
    /// Staff of a provincial CAC office: records of these provinces.
    Provinces(Vec<String>),
    /// The national CAC, and the platform's own jobs: every province.
    Everywhere,
    /// Staff or systems of an agency outside the CAC (public security, another department):
    /// only what a case transfer handed to the agency, and inspections it was invited to.
    Granted(Uuid),
}

/// Who may see what: the reach, and who reads (for what is addressed to an agency or a role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub reach: Reach,
    /// The agency staff or a system act for; none for a processor's user or the platform.
    pub agency_id: Option<Uuid>,
    /// A member of staff's role (restricted notifications name roles); none for a system.
    pub role: Option<String>,
    /// The member of staff, or the processor's user.
    pub user_id: Option<Uuid>,
}

impl Scope {
    /// The platform's own work (sweeps, jobs, lookups after a check): every province.
    pub const PLATFORM: Scope = Scope {
        reach: Reach::Everywhere,
        agency_id: None,
        role: None,
        user_id: None,
    };

    /// A processor's user (or a processor as such): its own organisation's records.
    pub fn organisation(organisation_id: Uuid) -> Self {
        Self {
            reach: Reach::Organisation(organisation_id),
            agency_id: None,
            role: None,
            user_id: None,
        }
    }

    /// Whether the scope is a regulator's (staff see submitted filings only).
    pub fn is_staff(&self) -> bool {
        !matches!(self.reach, Reach::Organisation(_))
    }

    /// Whether the scope is the national CAC's (or the platform's): every province.
    pub fn is_everywhere(&self) -> bool {
        self.reach == Reach::Everywhere
    }

    /// The provinces a CAC office works, for what only CAC offices hold (plans, draws,
    /// complaints): `Some(None)` for every province, `Some(Some(codes))` for a provincial
    /// office, `None` for anyone else.
    pub fn cac_provinces(&self) -> Option<Option<&[String]>> {
        match &self.reach {
            Reach::Everywhere => Some(None),
            Reach::Provinces(codes) => Some(Some(codes)),
            Reach::Organisation(_) | Reach::Granted(_) => None,
        }
    }

    /// The platform's own work within one province.
    pub fn of_province(province: &str) -> Self {
        Self {
            reach: Reach::Provinces(vec![province.to_owned()]),
            ..Self::PLATFORM
        }
    }

    /// The scope kept to one province it works (a CAC office's); `None` when it does not.
    pub fn within(&self, province: &str) -> Option<Self> {
        self.covers(province).then(|| Self {
            reach: Reach::Provinces(vec![province.to_owned()]),
            ..self.clone()
        })
    }

    /// Whether a CAC office of this scope works `province`.
    pub fn covers(&self, province: &str) -> bool {
        match self.cac_provinces() {
            Some(None) => true,
            Some(Some(codes)) => codes.iter().any(|c| c == province),
            None => false,
        }
    }
}

/// The ids of the records of `entity_type` a case transfer handed to `agency`, as a subquery.
pub fn granted_to(
    agency: Uuid,
    entity_type: &'static str,
) -> case_grants::BoxedQuery<'static, diesel::pg::Pg, diesel::sql_types::Uuid> {
    case_grants::table
        .filter(case_grants::agency_id.eq(agency))
        .filter(case_grants::entity_type.eq(entity_type))
        .select(case_grants::entity_id)
        .into_boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(reach: Reach) -> Scope {
        Scope {
            reach,
            agency_id: Some(Uuid::nil()),
            role: Some("reviewer".into()),
            user_id: None,
        }
    }

    #[test]
    fn only_cac_offices_work_provinces() {
        assert!(Scope::PLATFORM.covers("440000"));
        let shanghai = staff(Reach::Provinces(vec!["310000".into()]));
        assert!(shanghai.covers("310000"));
        assert!(!shanghai.covers("440000"));
        assert!(!staff(Reach::Granted(Uuid::nil())).covers("310000"));
        assert!(!Scope::organisation(Uuid::nil()).covers("310000"));
        assert_eq!(staff(Reach::Granted(Uuid::nil())).cac_provinces(), None);
        assert!(!Scope::organisation(Uuid::nil()).is_staff());
        assert!(shanghai.is_staff());
        assert_eq!(shanghai.within("440000"), None);
        let national = staff(Reach::Everywhere);
        let narrowed = national
            .within("440000")
            .expect("national reaches Guangdong");
        assert_eq!(narrowed.reach, Reach::Provinces(vec!["440000".into()]));
        assert_eq!(narrowed.role.as_deref(), Some("reviewer"));
    }
}
