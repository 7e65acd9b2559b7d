//! Notifications between agencies (通报, Art. 16): what kind a notification is, how it is
//! classified, and the state of its delivery to each recipient agency (签收, 反馈) as a small
//! state machine.

/// What a notification is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    /// 违法线索通报: a suspected violation found by the sender.
    ViolationNotice,
    /// 案件移送: a case handed over to the recipient (with exactly the records attached).
    CaseTransfer,
    /// 信息共享: information shared for the recipient's own duties.
    InformationSharing,
    /// 联合检查请求: a request to inspect a processor together.
    JointInspectionRequest,
    /// 反馈: the outcome of an earlier notification, reported back.
    Feedback,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 5] = [
        Self::ViolationNotice,
        Self::CaseTransfer,
        Self::InformationSharing,
        Self::JointInspectionRequest,
        Self::Feedback,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ViolationNotice => "violation_notice",
            Self::CaseTransfer => "case_transfer",
            Self::InformationSharing => "information_sharing",
            Self::JointInspectionRequest => "joint_inspection_request",
            Self::Feedback => "feedback",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::ViolationNotice => "违法线索通报",
            Self::CaseTransfer => "案件移送",
            Self::InformationSharing => "信息共享",
            Self::JointInspectionRequest => "联合检查请求",
            Self::Feedback => "反馈",
        }
    }
}

named_enum!(NotificationKind, "notification kind");

/// Who may read a notification among the agencies it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Classification {
    /// 公开: may be published; any staff of the agencies concerned read it.
    Public,
    /// 内部: staff of the agencies concerned.
    Internal,
    /// 受限: only the roles it names, in the agencies concerned.
    Restricted,
}

impl Classification {
    pub const ALL: [Classification; 3] = [Self::Public, Self::Internal, Self::Restricted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
            Self::Restricted => "restricted",
        }
    }

    /// Whether a member of staff with `role` may read a notification of this classification
    /// naming `roles` (for a restricted one), once their agency is concerned.
    pub fn admits(self, role: &str, roles: &[String]) -> bool {
        match self {
            Self::Public | Self::Internal => true,
            Self::Restricted => roles.iter().any(|r| r == role),
        }
    }
}

named_enum!(Classification, "classification");

/// Where delivery to one recipient agency stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptStatus {
    /// 待签收: delivered, not yet acknowledged.
    Delivered,
    /// 已签收.
    Acknowledged,
    /// 已反馈: the recipient answered with feedback.
    Answered,
}

impl ReceiptStatus {
    pub const ALL: [ReceiptStatus; 3] = [Self::Delivered, Self::Acknowledged, Self::Answered];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Acknowledged => "acknowledged",
            Self::Answered => "answered",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Delivered => "待签收",
            Self::Acknowledged => "已签收",
            Self::Answered => "已反馈",
        }
    }

    /// The status after acknowledging, or `None` when it was acknowledged already.
    pub fn acknowledge(self) -> Option<Self> {
        match self {
            Self::Delivered => Some(Self::Acknowledged),
            Self::Acknowledged | Self::Answered => None,
        }
    }

    /// The status after feedback: feedback acknowledges receipt too, and is given once.
    pub fn answer(self) -> Option<Self> {
        match self {
            Self::Delivered | Self::Acknowledged => Some(Self::Answered),
            Self::Answered => None,
        }
    }
}

named_enum!(ReceiptStatus, "receipt status");

/// The most working days a notification may give its recipients to acknowledge it.
pub const MAX_ACK_WORKING_DAYS: u32 = 60;

/// A notification's reference, e.g. `TB-20261202-0001`: the day it was sent and its
/// sequence that day.
pub fn reference(day: chrono::NaiveDate, seq: i32) -> String {
    format!("TB-{}-{seq:04}", day.format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in NotificationKind::ALL {
            assert_eq!(k.as_str().parse::<NotificationKind>().ok(), Some(k));
            assert!(!k.name_zh().is_empty());
        }
        for c in Classification::ALL {
            assert_eq!(c.as_str().parse::<Classification>().ok(), Some(c));
        }
        for s in ReceiptStatus::ALL {
            assert_eq!(s.as_str().parse::<ReceiptStatus>().ok(), Some(s));
        }
        assert!("secret".parse::<Classification>().is_err());
    }

    #[test]
    fn restricted_admits_only_the_roles_it_names() {
        let roles = vec!["supervisor".to_owned()];
        assert!(Classification::Restricted.admits("supervisor", &roles));
        assert!(!Classification::Restricted.admits("inspector", &roles));
        assert!(Classification::Internal.admits("inspector", &roles));
        assert!(!Classification::Restricted.admits("inspector", &[]));
    }

    #[test]
    fn a_receipt_is_acknowledged_once_and_answered_once() {
        use ReceiptStatus as R;
        assert_eq!(R::Delivered.acknowledge(), Some(R::Acknowledged));
        assert_eq!(R::Acknowledged.acknowledge(), None);
        assert_eq!(R::Delivered.answer(), Some(R::Answered));
        assert_eq!(R::Acknowledged.answer(), Some(R::Answered));
        assert_eq!(R::Answered.answer(), None);
        assert_eq!(R::Answered.acknowledge(), None);
    }

    #[test]
    fn references_read_by_day() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
        assert_eq!(reference(d, 7), "TB-20261202-0007");
    }
}
