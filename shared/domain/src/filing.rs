//! Filing (备案) under Art. 15: its kinds, its statuses and the transitions between them.
//!
//! A transition is a function from (status, action) to the next status or a typed refusal, so
//! a handler cannot express an illegal move. The database stores the status name.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a filing does to the processor's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilingKind {
    /// 首次备案: the store reached 100,000 people.
    Initial,
    /// 变更备案: a substantive change to a filed record.
    Change,
    /// 注销备案: face recognition is no longer used.
    Deregistration,
}

impl FilingKind {
    pub const ALL: [FilingKind; 3] = [Self::Initial, Self::Change, Self::Deregistration];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::Change => "change",
            Self::Deregistration => "deregistration",
        }
    }

    /// Chinese name shown to users and staff.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Initial => "首次备案",
            Self::Change => "变更备案",
            Self::Deregistration => "注销备案",
        }
    }

    /// Whether this kind must name the filed record it acts on.
    pub fn needs_previous_record(self) -> bool {
        !matches!(self, Self::Initial)
    }
}

/// Where a filing stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilingStatus {
    /// 草稿: saved by the processor, not yet sent.
    Draft,
    /// 已提交: waiting in the province's review queue.
    Submitted,
    /// 退回补正: returned for correction; the regulator's clock pauses.
    Returned,
    /// 已备案: recorded, a filing number issued.
    Filed,
    /// 不予备案: refused with reasons.
    Refused,
}

impl FilingStatus {
    pub const ALL: [FilingStatus; 5] = [
        Self::Draft,
        Self::Submitted,
        Self::Returned,
        Self::Filed,
        Self::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Filed => "filed",
            Self::Refused => "refused",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Submitted => "已提交",
            Self::Returned => "退回补正",
            Self::Filed => "已备案",
            Self::Refused => "不予备案",
        }
    }

    /// Whether the processor may still edit the form.
    pub fn editable_by_processor(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    /// Whether the status is final.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Filed | Self::Refused)
    }
}

/// What someone asks to do to a filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilingAction {
    /// The processor submits a draft or resubmits a returned filing.
    Submit,
    /// A reviewer records the filing (备案) and issues a number.
    Record,
    /// A reviewer returns it for correction (退回补正).
    Return,
    /// A reviewer refuses it (不予备案).
    Refuse,
}

impl FilingAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Record => "record",
            Self::Return => "return",
            Self::Refuse => "refuse",
        }
    }
}

/// A transition the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a filing that is {} cannot be asked to {}", from.as_str(), action.as_str())]
pub struct IllegalTransition {
    pub from: FilingStatus,
    pub action: FilingAction,
}

impl FilingStatus {
    /// The status after `action`, or why it is refused.
    pub fn apply(self, action: FilingAction) -> Result<FilingStatus, IllegalTransition> {
        use FilingAction as A;
        use FilingStatus as S;
        match (self, action) {
            (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
            (S::Submitted, A::Record) => Ok(S::Filed),
            (S::Submitted, A::Return) => Ok(S::Returned),
            (S::Submitted, A::Refuse) => Ok(S::Refused),
            (from, action) => Err(IllegalTransition { from, action }),
        }
    }
}

/// Filing number (备案编号) issued on recording: province code, year and a gap-free sequence
/// per province and year, e.g. `310000-2026-000042`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct FilingNumber {
    province: String,
    year: i32,
    sequence: u32,
}

impl FilingNumber {
    /// Builds a number; `province` must be six digits, `sequence` 1 to 999,999.
    pub fn new(province: &str, year: i32, sequence: u32) -> Option<Self> {
        let ok = province.len() == 6
            && province.bytes().all(|b| b.is_ascii_digit())
            && (2000..=9999).contains(&year)
            && (1..=999_999).contains(&sequence);
        ok.then(|| Self {
            province: province.to_owned(),
            year,
            sequence,
        })
    }

    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('-');
        let (p, y, n) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || n.len() != 6 {
            return None;
        }
        Self::new(p, y.parse().ok()?, n.parse().ok()?)
    }

    pub fn province(&self) -> &str {
        &self.province
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for FilingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:06}", self.province, self.year, self.sequence)
    }
}

impl From<FilingNumber> for String {
    fn from(n: FilingNumber) -> Self {
        n.to_string()
    }
}

/// A stored or submitted name that is not one of the enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{name}'")]
pub struct UnknownName {
    pub what: &'static str,
    pub name: String,
}

named_enum!(FilingKind, "filing kind");
named_enum!(FilingStatus, "filing status");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_and_decide() {
        assert_eq!(
            FilingStatus::Draft.apply(FilingAction::Submit),
            Ok(FilingStatus::Submitted)
        );
        assert_eq!(
            FilingStatus::Returned.apply(FilingAction::Submit),
            Ok(FilingStatus::Submitted)
        );
        assert_eq!(
            FilingStatus::Submitted.apply(FilingAction::Record),
            Ok(FilingStatus::Filed)
        );
        assert_eq!(
            FilingStatus::Submitted.apply(FilingAction::Return),
            Ok(FilingStatus::Returned)
        );
        assert_eq!(
            FilingStatus::Submitted.apply(FilingAction::Refuse),
            Ok(FilingStatus::Refused)
        );
    }

    #[test]
    fn final_states_refuse_everything() {
        for s in [FilingStatus::Filed, FilingStatus::Refused] {
            for a in [
                FilingAction::Submit,
                FilingAction::Record,
                FilingAction::Return,
                FilingAction::Refuse,
            ] {
                assert!(s.apply(a).is_err(), "{s} accepted {a:?}");
            }
        }
    }

    #[test]
    fn draft_cannot_be_decided() {
        assert!(FilingStatus::Draft.apply(FilingAction::Record).is_err());
        assert!(FilingStatus::Submitted.apply(FilingAction::Submit).is_err());
    }

    #[test]
    fn filing_numbers() {
        let n = FilingNumber::new("310000", 2026, 42).expect("valid");
        assert_eq!(n.to_string(), "310000-2026-000042");
        assert_eq!(FilingNumber::parse("310000-2026-000042"), Some(n));
        assert!(FilingNumber::new("31000", 2026, 1).is_none());
        assert!(FilingNumber::new("310000", 2026, 0).is_none());
        assert!(FilingNumber::parse("310000-2026-42").is_none());
        assert!(FilingNumber::parse("310000-2026-000042-1").is_none());
    }

    #[test]
    fn names_round_trip() {
        for s in FilingStatus::ALL {
            assert_eq!(s.as_str().parse::<FilingStatus>(), Ok(s));
        }
        for k in FilingKind::ALL {
            assert_eq!(k.as_str().parse::<FilingKind>(), Ok(k));
        }
        assert!("nope".parse::<FilingKind>().is_err());
    }
}
