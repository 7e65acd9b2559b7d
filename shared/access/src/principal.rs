//! The authenticated caller of a request: a processor's user or a staff member of an agency,
//! with the casbin subject and the SQL scope that follow from it.

use frt_store::scope::Scope;
use serde::Serialize;
use std::str::FromStr;
use uuid::Uuid;

/// Roles. Processor users are org admins or filers; staff have one of the regulator roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    OrgAdmin,
    Filer,
    Reviewer,
    Inspector,
    ComplaintHandler,
    Supervisor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Self::OrgAdmin,
        Self::Filer,
        Self::Reviewer,
        Self::Inspector,
        Self::ComplaintHandler,
        Self::Supervisor,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrgAdmin => "org_admin",
            Self::Filer => "filer",
            Self::Reviewer => "reviewer",
            Self::Inspector => "inspector",
            Self::ComplaintHandler => "complaint_handler",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    pub fn is_staff(self) -> bool {
        !matches!(self, Self::OrgAdmin | Self::Filer)
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role '{s}'"))
    }
}

/// Kinds of agency (Art. 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// 省级网信部门
    ProvincialCac,
    /// 国家网信办: acts in every province.
    NationalCac,
    /// 公安机关
    PublicSecurity,
    /// 其他履行个人信息保护职责的部门
    OtherDepartment,
}

impl AgencyKind {
    pub const ALL: [AgencyKind; 4] = [
        Self::ProvincialCac,
        Self::NationalCac,
        Self::PublicSecurity,
        Self::OtherDepartment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProvincialCac => "provincial_cac",
            Self::NationalCac => "national_cac",
            Self::PublicSecurity => "public_security",
            Self::OtherDepartment => "other_department",
        }
    }
}

impl FromStr for AgencyKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown agency kind '{s}'"))
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PrincipalKind {
    /// A user of a processor organisation.
    Processor {
        organisation_id: Uuid,
        province_code: String,
    },
    /// Staff of an agency; `jurisdiction` is the province, or none for national staff.
    Staff {
        agency_id: Uuid,
        agency_kind: AgencyKind,
        jurisdiction: Option<String>,
    },
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Principal {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    #[serde(flatten)]
    pub kind: PrincipalKind,
}

impl Principal {
    /// The casbin subject: "<agency kind>:<role>" or "processor:<role>".
    pub fn subject(&self) -> String {
        match &self.kind {
            PrincipalKind::Processor { .. } => format!("processor:{}", self.role.as_str()),
            PrincipalKind::Staff { agency_kind, .. } => {
                format!("{}:{}", agency_kind.as_str(), self.role.as_str())
            }
        }
    }

    /// The casbin domain the caller acts in by default: its province, or "*" for national staff.
    pub fn home_domain(&self) -> &str {
        match &self.kind {
            PrincipalKind::Processor { province_code, .. } => province_code,
            PrincipalKind::Staff { jurisdiction, .. } => jurisdiction.as_deref().unwrap_or("*"),
        }
    }

    /// Whether the caller's jurisdiction covers `province`.
    pub fn covers(&self, province: &str) -> bool {
        match &self.kind {
            PrincipalKind::Processor { province_code, .. } => province_code == province,
            PrincipalKind::Staff {
                jurisdiction: None, ..
            } => true,
            PrincipalKind::Staff {
                jurisdiction: Some(j),
                ..
            } => j == province,
        }
    }

    /// What the caller's queries may see (`crate::scope`).
    pub fn scope(&self) -> Scope {
        crate::scope::of_principal(self)
    }

    /// Whether the caller is staff of a CAC office (provincial or national).
    pub fn is_cac(&self) -> bool {
        matches!(
            self.kind,
            PrincipalKind::Staff {
                agency_kind: AgencyKind::ProvincialCac | AgencyKind::NationalCac,
                ..
            }
        )
    }

    /// The caller's agency, for staff.
    pub fn agency_id(&self) -> Option<Uuid> {
        match &self.kind {
            PrincipalKind::Staff { agency_id, .. } => Some(*agency_id),
            PrincipalKind::Processor { .. } => None,
        }
    }

    pub fn organisation_id(&self) -> Option<Uuid> {
        match &self.kind {
            PrincipalKind::Processor {
                organisation_id, ..
            } => Some(*organisation_id),
            PrincipalKind::Staff { .. } => None,
        }
    }

    /// Label written into the audit trail.
    pub fn audit_label(&self) -> String {
        format!("{} ({})", self.email, self.subject())
    }
}
