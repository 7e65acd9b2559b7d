//! Complaints and reports (投诉举报) under Art. 17: the lifecycle of one complaint as a state
//! machine (a closed loop: 受理 → 转办 → 办理 → 答复 → 办结), the receipt number the complainant
//! keeps, and the access code that lets them follow it online.

use chrono::NaiveDate;

/// How a complaint reached the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintChannel {
    /// Filed by the complainant in the portal.
    Online,
    Phone,
    Letter,
    Visit,
    /// Transferred in by another department.
    Transfer,
}

impl ComplaintChannel {
    pub const ALL: [ComplaintChannel; 5] = [
        Self::Online,
        Self::Phone,
        Self::Letter,
        Self::Visit,
        Self::Transfer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Phone => "phone",
            Self::Letter => "letter",
            Self::Visit => "visit",
            Self::Transfer => "transfer",
        }
    }
}

named_enum!(ComplaintChannel, "complaint channel");

/// How the complainant wants the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyChannel {
    Mail,
    Post,
}

impl ReplyChannel {
    pub const ALL: [ReplyChannel; 2] = [Self::Mail, Self::Post];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mail => "mail",
            Self::Post => "post",
        }
    }
}

named_enum!(ReplyChannel, "reply channel");

/// The states of a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintStatus {
    /// 已登记: received, acceptance not yet decided.
    Received,
    /// 已受理.
    Accepted,
    /// 不予受理: with reasons, which are also the reply.
    NotAccepted,
    /// 已分派: a handler has it.
    Assigned,
    /// 办理中: under investigation (an inspection may be opened).
    Investigating,
    /// 已形成处理结果.
    ResultDecided,
    /// 已答复: the reply was sent by mail or post.
    ReplySent,
    /// 已办结.
    Closed,
    /// 已转办: transferred out of the CAC offices (public security, another department).
    Transferred,
    /// 已合并: a repeat of an earlier complaint, handled with it.
    Merged,
}

impl ComplaintStatus {
    pub const ALL: [ComplaintStatus; 10] = [
        Self::Received,
        Self::Accepted,
        Self::NotAccepted,
        Self::Assigned,
        Self::Investigating,
        Self::ResultDecided,
        Self::ReplySent,
        Self::Closed,
        Self::Transferred,
        Self::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::NotAccepted => "not_accepted",
            Self::Assigned => "assigned",
            Self::Investigating => "investigating",
            Self::ResultDecided => "result_decided",
            Self::ReplySent => "reply_sent",
            Self::Closed => "closed",
            Self::Transferred => "transferred",
            Self::Merged => "merged",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Received => "已登记",
            Self::Accepted => "已受理",
            Self::NotAccepted => "不予受理",
            Self::Assigned => "已分派",
            Self::Investigating => "办理中",
            Self::ResultDecided => "已形成处理结果",
            Self::ReplySent => "已答复",
            Self::Closed => "已办结",
            Self::Transferred => "已转办",
            Self::Merged => "已合并",
        }
    }

    /// Whether the office still works it.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed | Self::Transferred | Self::Merged)
    }

    /// The status after `action`, or why it is refused. `anonymous` complaints get no reply,
    /// so they close straight from a result (or a refusal to accept).
    pub fn apply(
        self,
        action: ComplaintAction,
        anonymous: bool,
    ) -> Result<Self, IllegalComplaintStep> {
        use ComplaintAction as A;
        use ComplaintStatus as S;
        match (self, action) {
            (S::Received, A::Accept) => Ok(S::Accepted),
            (S::Received, A::Refuse) => Ok(S::NotAccepted),
            // Out of remit: to another province (it stays received there) or out of the CAC.
            (S::Received | S::Accepted | S::Assigned, A::TransferToProvince) => Ok(S::Received),
            (S::Received | S::Accepted | S::Assigned, A::TransferOut) => Ok(S::Transferred),
            (S::Accepted | S::Assigned | S::Investigating, A::Assign) => Ok(S::Assigned),
            (S::Assigned, A::Investigate) => Ok(S::Investigating),
            (S::Assigned | S::Investigating, A::DecideResult) => Ok(S::ResultDecided),
            (S::ResultDecided | S::NotAccepted, A::Reply) if !anonymous => Ok(S::ReplySent),
            // A reply that could not be delivered: the reply step again.
            (S::ReplySent, A::ReplyFailed) => Ok(S::ResultDecided),
            (S::ReplySent, A::Close) if !anonymous => Ok(S::Closed),
            (S::ResultDecided | S::NotAccepted, A::Close) if anonymous => Ok(S::Closed),
            (S::Received, A::Merge) => Ok(S::Merged),
            (from, action) => Err(IllegalComplaintStep { from, action }),
        }
    }
}

named_enum!(ComplaintStatus, "complaint status");

/// What can be done to a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintAction {
    Accept,
    Refuse,
    TransferToProvince,
    TransferOut,
    Assign,
    Investigate,
    DecideResult,
    Reply,
    ReplyFailed,
    Close,
    Merge,
}

impl ComplaintAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Refuse => "refuse to accept",
            Self::TransferToProvince => "transfer to another province",
            Self::TransferOut => "transfer out",
            Self::Assign => "assign",
            Self::Investigate => "investigate",
            Self::DecideResult => "decide the result",
            Self::Reply => "reply",
            Self::ReplyFailed => "reopen the reply",
            Self::Close => "close",
            Self::Merge => "merge",
        }
    }
}

/// A step the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a complaint that is {} ({}) cannot {}", from.as_str(), from.name_zh(), action.as_str())]
pub struct IllegalComplaintStep {
    pub from: ComplaintStatus,
    pub action: ComplaintAction,
}

/// A receipt number: `TS-<province>-<YYYYMMDD>-<seq>` (投诉), the sequence per province and day,
/// four digits at least.
pub fn receipt_number(province: &str, day: NaiveDate, seq: i64) -> String {
    format!("TS-{province}-{}-{seq:04}", day.format("%Y%m%d"))
}

/// Whether `text` has the shape of a receipt number (it may still name nothing).
pub fn is_receipt_number(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    matches!(parts.as_slice(), ["TS", p, d, s]
        if p.len() == 6 && d.len() == 8 && (4..=9).contains(&s.len())
            && [p, d, s].iter().all(|x| x.bytes().all(|b| b.is_ascii_digit())))
}

/// The alphabet of access codes: no 0/O, 1/I/L or U, so a code read aloud or copied by hand
/// survives.
const CODE_ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_SYMBOLS: usize = 30;

/// An access code of 16 symbols from 30 (78 bits), grouped `XXXX-XXXX-XXXX-XXXX`, from 32
/// random bytes (the caller's CSPRNG); `None` in the rare case too few of them were usable,
/// when the caller draws again.
pub fn access_code(random: [u8; 32]) -> Option<String> {
    let mut out = String::with_capacity(19);
    let mut i = 0;
    for b in random {
        // Rejection keeps every symbol equally likely: 240 = 8 × 30.
        if usize::from(b) >= 240 {
            continue;
        }
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(CODE_ALPHABET[usize::from(b) % CODE_SYMBOLS]));
        i += 1;
        if i == 16 {
            return Some(out);
        }
    }
    None
}

/// An access code as typed, normalised: upper case, without spaces or dashes.
pub fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComplaintAction as A;
    use ComplaintStatus as S;

    #[test]
    fn a_named_complaint_closes_only_after_its_reply() {
        let mut s = S::Received;
        for a in [A::Accept, A::Assign, A::Investigate, A::DecideResult] {
            s = s.apply(a, false).expect("step");
        }
        assert_eq!(s, S::ResultDecided);
        assert!(s.apply(A::Close, false).is_err(), "no reply yet");
        let sent = s.apply(A::Reply, false).expect("reply");
        assert_eq!(sent.apply(A::ReplyFailed, false), Ok(S::ResultDecided));
        assert_eq!(sent.apply(A::Close, false), Ok(S::Closed));
        assert_eq!(
            S::NotAccepted.apply(A::Reply, false),
            Ok(S::ReplySent),
            "the reasons are the reply"
        );
    }

    #[test]
    fn an_anonymous_report_closes_without_a_reply() {
        assert_eq!(S::ResultDecided.apply(A::Close, true), Ok(S::Closed));
        assert_eq!(S::NotAccepted.apply(A::Close, true), Ok(S::Closed));
        assert!(S::ResultDecided.apply(A::Reply, true).is_err());
    }

    #[test]
    fn transfers_and_merges() {
        assert_eq!(
            S::Accepted.apply(A::TransferToProvince, false),
            Ok(S::Received)
        );
        assert_eq!(S::Received.apply(A::TransferOut, false), Ok(S::Transferred));
        assert!(!S::Transferred.is_open() && !S::Merged.is_open());
        assert!(S::Investigating.apply(A::TransferOut, false).is_err());
        assert_eq!(S::Received.apply(A::Merge, false), Ok(S::Merged));
        for s in ComplaintStatus::ALL {
            assert_eq!(s.as_str().parse::<ComplaintStatus>(), Ok(s));
        }
    }

    #[test]
    fn receipt_numbers_and_access_codes() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).expect("day");
        let n = receipt_number("310000", day, 1);
        assert_eq!(n, "TS-310000-20261202-0001");
        assert!(is_receipt_number(&n));
        assert!(is_receipt_number("TS-310000-20261202-12345"));
        for bad in [
            "TS-31000-20261202-0001",
            "ts-310000-20261202-0001",
            "TS-310000-2026120-0001",
            "x",
        ] {
            assert!(!is_receipt_number(bad), "{bad}");
        }
        let code = access_code([7; 32]).expect("a code");
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        assert!(code
            .chars()
            .all(|c| c == '-' || CODE_ALPHABET[..CODE_SYMBOLS].contains(&(c as u8))));
        let other = access_code([200; 32]).expect("a code");
        assert_ne!(code, other);
        assert_eq!(
            normalise_code(&code),
            normalise_code(&code.to_lowercase().replace('-', " "))
        );
    }

    #[test]
    fn codes_skip_bytes_that_would_bias_them() {
        let mut bytes = [250u8; 32];
        for (i, b) in bytes.iter_mut().enumerate().skip(8) {
            *b = u8::try_from(i).unwrap_or(0);
        }
        let code = access_code(bytes).expect("24 usable bytes");
        assert_eq!(normalise_code(&code).len(), 16, "{code}");
        assert_eq!(access_code([245; 32]), None, "no usable byte");
    }
}
