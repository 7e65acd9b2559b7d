//! Receipts of a filing: the acknowledgement of a submission (受理回执) and, once recorded,
//! the filing receipt (备案回执) with its number. Each carries a code, keyed with the platform's
//! data key, whose link lets anyone confirm the receipt is genuine and see what it shows and
//! nothing more.

use crate::caller::Caller;
use crate::context::Core;
use crate::error::StoreError;
use crate::filings::FilingError;
use chrono::{DateTime, Utc};
use frt_access::suite::HashAlg;
use frt_access::{Action, Resource};
use frt_store::filings;
use frt_store::scope::Scope;
use frt_store::ScopedFutureExt;
use uuid::Uuid;

/// Which receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// 受理回执: the submission was received for review.
    Accepted,
    /// 备案回执: the filing was recorded, with its number.
    Filed,
}

impl Which {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Filed => "filed",
        }
    }

    fn letter(self) -> char {
        match self {
            Self::Accepted => 'A',
            Self::Filed => 'F',
        }
    }
}

/// What a receipt shows.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub which: Which,
    /// The code its link carries (`/verify/{code}`).
    pub code: String,
    pub filing_id: Uuid,
    pub kind: String,
    pub processor_name: String,
    pub uscc: String,
    pub province_code: String,
    pub submitted_at: DateTime<Utc>,
    pub filing_number: Option<String>,
    pub recorded_at: Option<DateTime<Utc>>,
}

/// The receipt's code: which receipt, the filing, and a keyed tag over both under the suite's
/// keyed hash.
fn code_of(core: &Core, which: Which, id: Uuid) -> String {
    code_with(core, core.data_key.suite().hash(), which, id)
}

fn code_with(core: &Core, alg: HashAlg, which: Which, id: Uuid) -> String {
    let tag = core
        .data_key
        .fingerprint_with(alg, &format!("frt receipt v1|{}|{id}", which.as_str()));
    format!(
        "{}{}{}",
        which.letter(),
        id.simple(),
        hex::encode(tag.get(..10).unwrap_or_default())
    )
}

/// The receipt of a filing as it stands: a filing receipt once recorded, an acknowledgement
/// once submitted; none for a draft.
fn receipt_of(
    core: &Core,
    f: filings::Filing,
    org: frt_store::identities::Organisation,
) -> Option<Receipt> {
    let which = match f.status.as_str() {
        "filed" => Which::Filed,
        "submitted" | "returned" | "refused" => Which::Accepted,
        _ => return None,
    };
    Some(Receipt {
        which,
        code: code_of(core, which, f.id),
        filing_id: f.id,
        kind: f.kind,
        processor_name: org.name,
        uscc: org.uscc,
        province_code: f.province_code,
        submitted_at: f.first_submitted_at.or(f.submitted_at)?,
        filing_number: f.filing_number.filter(|_| which == Which::Filed),
        recorded_at: f.decided_at.filter(|_| which == Which::Filed),
    })
}

/// The receipt of one of the caller's filings (`NotFound` for a draft).
pub async fn receipt(core: &Core, caller: &Caller, id: Uuid) -> Result<Receipt, FilingError> {
    caller.require(core, Resource::FILING, Action::Read, None)?;
    core.db
        .run(|conn| {
            async move {
                let f = crate::filings::reads::visible(conn, &caller.scope(), id).await?;
                let org = frt_store::identities::organisation(conn, f.organisation_id)
                    .await?
                    .ok_or(FilingError::NotFound)?;
                receipt_of(core, f, org).ok_or(FilingError::NotFound)
            }
            .scope_boxed()
        })
        .await
}

/// The receipt a code belongs to, if the code is genuine and the filing still stands where
/// the receipt put it (a filing receipt of a record no longer filed verifies no more).
pub async fn verify(core: &Core, code: &str) -> Result<Option<Receipt>, StoreError> {
    let code = code.trim();
    let which = match code.chars().next() {
        Some('A') => Which::Accepted,
        Some('F') => Which::Filed,
        _ => return Ok(None),
    };
    let Some(id) = code.get(1..33).and_then(|h| Uuid::parse_str(h).ok()) else {
        return Ok(None);
    };
    // A receipt printed before the suite changed keeps its code: each algorithm's tag is tried.
    let genuine = HashAlg::ALL.into_iter().fold(false, |found, alg| {
        let expected = code_with(core, alg, which, id);
        let same = expected.len() == code.len()
            && expected
                .bytes()
                .zip(code.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        found | same
    });
    if !genuine {
        return Ok(None);
    }
    core.db
        .run(|conn| {
            async move {
                let Some(f) = filings::get(conn, id, &Scope::PLATFORM).await? else {
                    return Ok(None);
                };
                let Some(org) =
                    frt_store::identities::organisation(conn, f.organisation_id).await?
                else {
                    return Ok(None);
                };
                Ok(receipt_of(core, f, org)
                    .filter(|r| r.which == which || which == Which::Accepted)
                    .map(|mut r| {
                        // An acknowledgement stays genuine after the filing is recorded; it shows what it
                        // showed.
                        if which == Which::Accepted {
                            r.which = Which::Accepted;
                            r.filing_number = None;
                            r.recorded_at = None;
                        }
                        r.code = code.to_owned();
                        r
                    }))
            }
            .scope_boxed()
        })
        .await
}
