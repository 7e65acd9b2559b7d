//! One codec for the cursors of every keyset-paged list (the review queue in each of its
//! orders, the complaint queue, notifications, audit trails and the exchange feeds). A page
//! ends with the sort key of its last row written as a cursor; the next request passes it back
//! and the list continues after that key, however deep.
//!
//! A cursor is the key's parts joined by dots, each a letter and its value: `d20260302` a
//! civil date, `t1790000000123456` an instant in microseconds, `u0193…` an id (32 hexadecimal
//! digits), `n42` a whole number, `x` a part with no value. `d20260302.u0193…` is the queue's
//! key "due 2 March 2026, then this filing". Every list says which shape of key it takes; a
//! text of another shape, or one that does not read at all, is refused (400
//! `request.invalid_cursor`), and an empty one is no cursor.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// What a cursor's text looks like, for the API's documents.
pub const PATTERN: &str = "^([dtunx][0-9a-f-]{0,32}(\\.[dtunx][0-9a-f-]{0,32}){0,5})?$";

/// One part of a sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Date(NaiveDate),
    At(DateTime<Utc>),
    Id(Uuid),
    Int(i64),
    /// No value (a complaint with no time limit sorts last).
    Nothing,
}

impl Part {
    fn write(self) -> String {
        match self {
            Self::Date(d) => format!("d{}", d.format("%Y%m%d")),
            Self::At(at) => format!("t{}", at.timestamp_micros()),
            Self::Id(id) => format!("u{}", id.simple()),
            Self::Int(n) => format!("n{n}"),
            Self::Nothing => "x".to_owned(),
        }
    }

    fn read(text: &str) -> Option<Self> {
        let (tag, value) = text.split_at_checked(1)?;
        match tag {
            // Within the civil years only: a forged cursor reaches no query.
            "d" => NaiveDate::parse_from_str(value, "%Y%m%d")
                .ok()
                .filter(|d| frt_domain::civil::check(*d).is_ok())
                .map(Self::Date),
            "t" => DateTime::from_timestamp_micros(value.parse().ok()?)
                .filter(|at| frt_domain::civil::check(at.date_naive()).is_ok())
                .map(Self::At),
            "u" if value.len() == 32 => Uuid::try_parse(value).ok().map(Self::Id),
            "n" => value.parse().ok().map(Self::Int),
            "x" if value.is_empty() => Some(Self::Nothing),
            _ => None,
        }
    }
}

/// A sort key that pages a list.
pub trait Key: Sized {
    fn parts(&self) -> Vec<Part>;
    /// The key from its parts, when they are of this key's shape.
    fn from_parts(parts: &[Part]) -> Option<Self>;
}

/// The cursor that continues after `key`.
pub fn encode<K: Key>(key: &K) -> String {
    key.parts()
        .into_iter()
        .map(Part::write)
        .collect::<Vec<_>>()
        .join(".")
}

/// A cursor a caller passed back, if it is one of `K`'s; an empty text is no cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the cursor is not one this list wrote: pass the `next` of the previous page")]
pub struct BadCursor;

pub fn decode<K: Key>(text: Option<&str>) -> Result<Option<K>, BadCursor> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.len() > 200 {
        return Err(BadCursor);
    }
    let parts: Option<Vec<Part>> = text.split('.').map(Part::read).collect();
    parts
        .and_then(|p| K::from_parts(&p))
        .map(Some)
        .ok_or(BadCursor)
}

/// The cursor of a page's last row, when the page was full (there may be more).
pub fn next<R, K: Key>(rows: &[R], limit: i64, key: impl Fn(&R) -> Option<K>) -> Option<String> {
    if i64::try_from(rows.len()).ok() != Some(limit) {
        return None;
    }
    rows.last().and_then(key).map(|k| encode(&k))
}

/// An id after which a list continues (the audit trail's sequence numbers are `Int`).
impl Key for i64 {
    fn parts(&self) -> Vec<Part> {
        vec![Part::Int(*self)]
    }

    fn from_parts(parts: &[Part]) -> Option<Self> {
        match parts {
            [Part::Int(n)] => Some(*n),
            _ => None,
        }
    }
}

/// An id alone (lists in the order of their time-ordered ids: registration disputes).
impl Key for Uuid {
    fn parts(&self) -> Vec<Part> {
        vec![Part::Id(*self)]
    }

    fn from_parts(parts: &[Part]) -> Option<Self> {
        match parts {
            [Part::Id(id)] => Some(*id),
            _ => None,
        }
    }
}

/// An instant, then an id (newest-first lists: notifications).
impl Key for (DateTime<Utc>, Uuid) {
    fn parts(&self) -> Vec<Part> {
        vec![Part::At(self.0), Part::Id(self.1)]
    }

    fn from_parts(parts: &[Part]) -> Option<Self> {
        match parts {
            [Part::At(at), Part::Id(id)] => Some((*at, *id)),
            _ => None,
        }
    }
}

/// A day that may be absent, then an id (the complaint queue: nearest time limit first).
impl Key for (Option<NaiveDate>, Uuid) {
    fn parts(&self) -> Vec<Part> {
        vec![self.0.map_or(Part::Nothing, Part::Date), Part::Id(self.1)]
    }

    fn from_parts(parts: &[Part]) -> Option<Self> {
        match parts {
            [Part::Date(d), Part::Id(id)] => Some((Some(*d), *id)),
            [Part::Nothing, Part::Id(id)] => Some((None, *id)),
            _ => None,
        }
    }
}

/// The review queue's keys, one shape per order.
impl Key for frt_store::filings::QueueCursor {
    fn parts(&self) -> Vec<Part> {
        use frt_store::filings::QueueCursor as Q;
        match *self {
            Q::Due { due_date, id } => vec![Part::Date(due_date), Part::Id(id)],
            Q::Submitted { at, id } => vec![Part::At(at), Part::Id(id)],
            Q::Risk { rank, due_date, id } => {
                vec![
                    Part::Int(i64::from(rank)),
                    Part::Date(due_date),
                    Part::Id(id),
                ]
            }
            // A paused review clock sorts last under the store's key for "no date": no date.
            Q::ReviewDue {
                review_due,
                due_date,
                id,
            } => {
                let review = if review_due == frt_store::filings::review_key(None) {
                    Part::Nothing
                } else {
                    Part::Date(review_due)
                };
                vec![review, Part::Date(due_date), Part::Id(id)]
            }
        }
    }

    fn from_parts(parts: &[Part]) -> Option<Self> {
        use frt_store::filings::QueueCursor as Q;
        Some(match *parts {
            [Part::Date(due_date), Part::Id(id)] => Q::Due { due_date, id },
            [Part::At(at), Part::Id(id)] => Q::Submitted { at, id },
            [Part::Int(rank), Part::Date(due_date), Part::Id(id)] => Q::Risk {
                rank: i16::try_from(rank).ok().filter(|r| (0..=4).contains(r))?,
                due_date,
                id,
            },
            [Part::Date(review_due), Part::Date(due_date), Part::Id(id)] => Q::ReviewDue {
                review_due,
                due_date,
                id,
            },
            [Part::Nothing, Part::Date(due_date), Part::Id(id)] => Q::ReviewDue {
                review_due: frt_store::filings::review_key(None),
                due_date,
                id,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use frt_store::filings::QueueCursor;

    #[test]
    fn keys_round_trip_and_other_text_is_refused() {
        let id = Uuid::now_v7();
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("day");
        let at = DateTime::from_timestamp_micros(1_790_000_000_123_456).expect("instant");
        for q in [
            QueueCursor::Due { due_date: day, id },
            QueueCursor::Submitted { at, id },
            QueueCursor::Risk {
                rank: 3,
                due_date: day,
                id,
            },
            QueueCursor::ReviewDue {
                review_due: day,
                due_date: day,
                id,
            },
            QueueCursor::ReviewDue {
                review_due: frt_store::filings::review_key(None),
                due_date: day,
                id,
            },
        ] {
            let text = encode(&q);
            assert!(regex_like(&text), "{text}");
            assert_eq!(decode::<QueueCursor>(Some(&text)), Ok(Some(q)));
        }
        assert_eq!(
            decode::<(Option<NaiveDate>, Uuid)>(Some(&encode(&(None, id)))),
            Ok(Some((None, id)))
        );
        assert_eq!(
            decode::<(DateTime<Utc>, Uuid)>(Some(&encode(&(at, id)))),
            Ok(Some((at, id)))
        );
        assert_eq!(decode::<i64>(Some("n42")), Ok(Some(42)));
        assert_eq!(decode::<i64>(Some("")), Ok(None));
        assert!(
            regex_like(""),
            "the documents let an empty cursor start from the beginning"
        );
        assert_eq!(decode::<i64>(None), Ok(None));
        for bad in [
            "garbage",
            "d20261301.u00",
            "n42.n43",
            "q1",
            "d18991231",
            "u1234",
            "n",
            " n42",
            "n42 ",
        ] {
            assert_eq!(decode::<i64>(Some(bad)), Err(BadCursor), "{bad}");
        }
        // A key of another list's shape is refused.
        assert_eq!(decode::<i64>(Some(&encode(&(at, id)))), Err(BadCursor));
        assert_eq!(
            decode::<QueueCursor>(Some(
                &encode(&QueueCursor::Risk {
                    rank: 3,
                    due_date: day,
                    id
                })
                .replace("n3", "n9")
            )),
            Err(BadCursor)
        );
    }

    /// The shape PATTERN describes, checked by hand (no regex engine in this crate).
    fn regex_like(text: &str) -> bool {
        text.is_empty()
            || text.split('.').all(|p| {
                p.len() <= 33
                    && p.starts_with(['d', 't', 'u', 'n', 'x'])
                    && p[1..]
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase() || c == '-')
            })
    }
}
