//! Inspections (监督检查) under Art. 16: the lifecycle of one inspection as a state machine, and
//! the random draw (双随机、一公开) of targets and inspectors — reproducible from what it
//! records, so that anyone with access can re-run it and get the same answer.

use sha2::{Digest, Sha256};
use std::fmt;

/// Where an inspection comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectionSource {
    /// A random draw (双随机).
    Draw,
    /// Risk: high-risk or late filings, processors that should have filed and did not.
    Risk,
    /// A complaint or report (Art. 17).
    Complaint,
    /// A notification from another agency (Art. 16).
    Notification,
}

impl InspectionSource {
    pub const ALL: [InspectionSource; 4] =
        [Self::Draw, Self::Risk, Self::Complaint, Self::Notification];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draw => "draw",
            Self::Risk => "risk",
            Self::Complaint => "complaint",
            Self::Notification => "notification",
        }
    }
}

named_enum!(InspectionSource, "inspection source");

/// What an inspection asks of the processor, with a time limit: documents (调取材料) or a
/// rectification (责令整改).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Request,
    Order,
}

impl ItemKind {
    pub const ALL: [ItemKind; 2] = [Self::Request, Self::Order];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "request",
            Self::Order => "order",
        }
    }
}

named_enum!(ItemKind, "kind of request or order");

/// Where a request or order stands: open for the processor's answer, answered, and (an order)
/// accepted or rejected by the inspectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    Open,
    Answered,
    Accepted,
    Rejected,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 4] = [Self::Open, Self::Answered, Self::Accepted, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }
}

named_enum!(ItemStatus, "status of a request or order");

/// The states of an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectionStatus {
    /// 已列入计划: in a plan, the processor not yet told.
    Planned,
    /// 已通知: the processor has the notice.
    Notified,
    /// 检查中: on site or by documents; document requests may be open.
    InProgress,
    /// 已形成检查结论: findings recorded.
    FindingsRecorded,
    /// 责令改正: the processor must rectify by a deadline.
    RectificationOrdered,
    /// 已报告整改: the processor reports it has rectified.
    RectificationReported,
    /// 已核查: the rectification was verified.
    Verified,
    /// 已结案.
    Closed,
}

impl InspectionStatus {
    pub const ALL: [InspectionStatus; 8] = [
        Self::Planned,
        Self::Notified,
        Self::InProgress,
        Self::FindingsRecorded,
        Self::RectificationOrdered,
        Self::RectificationReported,
        Self::Verified,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Notified => "notified",
            Self::InProgress => "in_progress",
            Self::FindingsRecorded => "findings_recorded",
            Self::RectificationOrdered => "rectification_ordered",
            Self::RectificationReported => "rectification_reported",
            Self::Verified => "verified",
            Self::Closed => "closed",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Planned => "已列入计划",
            Self::Notified => "已通知",
            Self::InProgress => "检查中",
            Self::FindingsRecorded => "已形成检查结论",
            Self::RectificationOrdered => "责令改正",
            Self::RectificationReported => "已报告整改",
            Self::Verified => "已核查",
            Self::Closed => "已结案",
        }
    }

    /// The status after `action`, or why it is refused.
    pub fn apply(self, action: InspectionAction) -> Result<Self, IllegalInspectionStep> {
        use InspectionAction as A;
        use InspectionStatus as S;
        match (self, action) {
            (S::Planned, A::Notify) => Ok(S::Notified),
            (S::Notified, A::Start) => Ok(S::InProgress),
            // Document requests come while the inspection is in progress.
            (S::InProgress, A::RequestDocuments) => Ok(S::InProgress),
            (S::InProgress, A::RecordFindings) => Ok(S::FindingsRecorded),
            (S::FindingsRecorded, A::OrderRectification) => Ok(S::RectificationOrdered),
            (S::RectificationOrdered, A::ReportRectification) => Ok(S::RectificationReported),
            (S::RectificationReported, A::Verify) => Ok(S::Verified),
            // Not rectified after all: ordered again, with a new deadline.
            (S::RectificationReported, A::OrderRectification) => Ok(S::RectificationOrdered),
            // Nothing to rectify, or rectification verified.
            (S::FindingsRecorded | S::Verified, A::Close) => Ok(S::Closed),
            (from, action) => Err(IllegalInspectionStep { from, action }),
        }
    }

    /// Whether the inspection still runs (not closed).
    pub fn is_open(self) -> bool {
        self != Self::Closed
    }
}

named_enum!(InspectionStatus, "inspection status");

/// What can be done to an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectionAction {
    Notify,
    Start,
    RequestDocuments,
    RecordFindings,
    OrderRectification,
    ReportRectification,
    Verify,
    Close,
}

impl InspectionAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notify => "notify",
            Self::Start => "start",
            Self::RequestDocuments => "request documents",
            Self::RecordFindings => "record findings",
            Self::OrderRectification => "order rectification",
            Self::ReportRectification => "report rectification",
            Self::Verify => "verify",
            Self::Close => "close",
        }
    }
}

/// A step the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an inspection that is {} ({}) cannot {}", from.as_str(), from.name_zh(), action.as_str())]
pub struct IllegalInspectionStep {
    pub from: InspectionStatus,
    pub action: InspectionAction,
}

/// The draw algorithm and its version, recorded with every draw.
pub const DRAW_ALGORITHM: &str = "fisher-yates/sha256-counter/v1";

/// Inspectors go at least two together (双人执法).
pub const MIN_INSPECTORS: usize = 2;

/// A draw's seed: 32 bytes, written as 64 lower-case hex digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Seed([u8; 32]);

impl Seed {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses 64 hex digits.
    pub fn parse(text: &str) -> Result<Self, DrawError> {
        let bytes = hex::decode(text.trim()).map_err(|_| DrawError::BadSeed)?;
        let array: [u8; 32] = bytes.try_into().map_err(|_| DrawError::BadSeed)?;
        Ok(Self(array))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Seed({})", self.to_hex())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("a seed is 64 hexadecimal digits (32 bytes)")]
    BadSeed,
    #[error("{wanted} {what} cannot be drawn from a pool of {pool}")]
    PoolTooSmall {
        what: &'static str,
        wanted: usize,
        pool: usize,
    },
}

/// A stream of numbers from the seed: SHA-256(seed ‖ label ‖ counter), 8 bytes at a time.
/// The label keeps the draws of targets and of inspectors independent of each other.
struct Stream<'a> {
    seed: &'a Seed,
    label: &'a str,
    counter: u64,
}

impl Stream<'_> {
    fn next_u64(&mut self) -> u64 {
        let mut h = Sha256::new();
        h.update(self.seed.0);
        h.update(self.label.as_bytes());
        h.update(self.counter.to_be_bytes());
        self.counter += 1;
        let digest = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    }

    /// A number in `0..bound` with no modulo bias (rejection sampling).
    fn below(&mut self, bound: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % bound;
            }
        }
    }
}

/// Draws `n` items of `pool` (in the pool's order as given) with the seed: a partial
/// Fisher–Yates shuffle driven by the `label`ed stream. The same pool, seed and label always
/// give the same result.
pub fn draw<T: Clone>(
    pool: &[T],
    n: usize,
    seed: &Seed,
    label: &'static str,
) -> Result<Vec<T>, DrawError> {
    if n > pool.len() {
        return Err(DrawError::PoolTooSmall {
            what: label,
            wanted: n,
            pool: pool.len(),
        });
    }
    let mut items = pool.to_vec();
    let mut stream = Stream {
        seed,
        label,
        counter: 0,
    };
    for i in 0..n {
        let remaining = (items.len() - i) as u64;
        // remaining ≤ pool length, so the cast back cannot truncate.
        let j = i + usize::try_from(stream.below(remaining)).unwrap_or(0);
        items.swap(i, j);
    }
    items.truncate(n);
    Ok(items)
}

/// The SHA-256 of a pool: its ids in order, one per line.
pub fn pool_sha256<S: AsRef<str>>(ids: &[S]) -> String {
    let mut h = Sha256::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            h.update(b"\n");
        }
        h.update(id.as_ref().as_bytes());
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(b: u8) -> Seed {
        Seed::from_bytes([b; 32])
    }

    #[test]
    fn a_draw_is_the_same_every_time_and_differs_by_seed_and_label() {
        let pool: Vec<u32> = (0..100).collect();
        let a = draw(&pool, 10, &seed(1), "targets").expect("draw");
        assert_eq!(a, draw(&pool, 10, &seed(1), "targets").expect("draw"));
        assert_ne!(a, draw(&pool, 10, &seed(2), "targets").expect("draw"));
        assert_ne!(a, draw(&pool, 10, &seed(1), "inspectors").expect("draw"));
        let mut unique = a.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 10, "no item twice: {a:?}");
        // Pinned against an independent implementation of the documented algorithm: if this
        // ever changes, so must DRAW_ALGORITHM's version.
        let ten: Vec<u32> = (0..10).collect();
        assert_eq!(draw(&ten, 4, &seed(0), "targets"), Ok(vec![6, 0, 5, 3]));
        assert_eq!(draw(&ten, 4, &seed(7), "inspectors"), Ok(vec![7, 5, 3, 6]));
    }

    #[test]
    fn too_small_a_pool_is_refused() {
        assert_eq!(
            draw(&[1, 2, 3], 4, &seed(1), "targets"),
            Err(DrawError::PoolTooSmall {
                what: "targets",
                wanted: 4,
                pool: 3
            })
        );
        assert_eq!(draw::<u8>(&[], 0, &seed(1), "targets"), Ok(vec![]));
    }

    #[test]
    fn every_item_can_be_drawn() {
        let pool: Vec<u32> = (0..8).collect();
        let mut seen = [false; 8];
        for s in 0..200u8 {
            for x in draw(&pool, 1, &seed(s), "targets").expect("draw") {
                seen[x as usize] = true;
            }
        }
        assert!(seen.iter().all(|s| *s), "{seen:?}");
    }

    #[test]
    fn seeds_and_digests() {
        let s = seed(0xab);
        assert_eq!(Seed::parse(&s.to_hex()), Ok(s));
        assert_eq!(Seed::parse("abc"), Err(DrawError::BadSeed));
        assert_eq!(pool_sha256::<&str>(&[]), hex::encode(Sha256::digest(b"")));
        assert_eq!(
            pool_sha256(&["a", "b"]),
            hex::encode(Sha256::digest(b"a\nb"))
        );
    }

    #[test]
    fn the_lifecycle_runs_in_order_and_a_rectification_can_be_ordered_again() {
        use InspectionAction as A;
        use InspectionStatus as S;
        let mut s = S::Planned;
        for a in [
            A::Notify,
            A::Start,
            A::RequestDocuments,
            A::RecordFindings,
            A::OrderRectification,
            A::ReportRectification,
            A::OrderRectification,
            A::ReportRectification,
            A::Verify,
            A::Close,
        ] {
            s = s.apply(a).expect("allowed");
        }
        assert_eq!(s, S::Closed);
        assert!(S::Planned.apply(A::Close).is_err());
        assert!(S::Closed.apply(A::Notify).is_err());
        assert_eq!(S::FindingsRecorded.apply(A::Close), Ok(S::Closed));
    }
}
