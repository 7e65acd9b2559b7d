//! What the platform tells processors and staff about a filing: the reference every filing
//! notice carries, decision reasons as notice lines, and the processor's own address.

use crate::notices::{mail, About};
use frt_domain::filing::FilingKind;
use frt_mail::templates::{FilingRef, ReasonLine};
use frt_mail::{FilingNotice, Message};
use frt_store::filings::{self, Filing};
use frt_store::identities::Organisation;
use frt_store::{AsyncPgConnection, QueryError};
use uuid::Uuid;

/// The reference to a filing that every notice carries.
pub fn filing_ref(filing: &Filing, org: &Organisation) -> FilingRef {
    FilingRef {
        id: filing.id,
        kind: filing.kind.parse().unwrap_or(FilingKind::Initial),
        processor: org.name.clone(),
        uscc: org.uscc.clone(),
    }
}

/// Reasons as stored with a decision (`[{path, message}]`), for a notice.
pub fn reason_lines(reasons: Option<&serde_json::Value>) -> Vec<ReasonLine> {
    reasons
        .and_then(serde_json::Value::as_array)
        .map(|rs| {
            rs.iter()
                .map(|r| ReasonLine {
                    path: r["path"].as_str().map(str::to_owned),
                    message: r["message"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Enqueues a notice to the processor's registered contact address, keyed by the filing, the
/// event and the filing's version (each state change has its own).
pub async fn to_processor(
    conn: &mut AsyncPgConnection,
    filing: &Filing,
    org: &Organisation,
    notice: &FilingNotice,
) -> Result<bool, QueryError> {
    let key = format!(
        "{}:{}:{}:{}",
        filings::ENTITY,
        filing.id,
        notice.template(),
        filing.version
    );
    mail(
        conn,
        &org.contact_email,
        &org.locale,
        notice,
        about_filing(filing.id),
        key,
    )
    .await
}

/// A filing as what a message is about.
pub fn about_filing(id: Uuid) -> About<'static> {
    About {
        entity_type: filings::ENTITY,
        entity_id: id,
    }
}
