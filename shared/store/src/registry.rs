//! The registry (备案登记): the current recorded state of each processor, derived from its
//! filed records: the initial filing with its number, then the chain of recorded change
//! filings, ending with a recorded deregistration if there is one.

use crate::schema::{filings, organisations};
use crate::scope::{Reach, Scope};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

/// One recorded filing in a processor's chain.
#[derive(Debug, Clone, Queryable, Serialize, utoipa::ToSchema)]
pub struct RecordedFiling {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub kind: String,
    pub filing_number: Option<String>,
    pub previous_filing_id: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegistryEntry {
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub uscc: String,
    pub province_code: String,
    /// `filed`, `changed` or `deregistered`.
    pub state: String,
    /// The number of the initial filing, which identifies the record.
    pub filing_number: Option<String>,
    /// The initial filing, then each recorded change (and deregistration), oldest first.
    pub chain: Vec<RecordedFiling>,
}

/// The registry state of one chain of recorded filings.
pub fn state_of(chain: &[RecordedFiling]) -> &'static str {
    if chain.iter().any(|f| f.kind == "deregistration") {
        "deregistered"
    } else if chain.iter().any(|f| f.kind == "change") {
        "changed"
    } else {
        "filed"
    }
}

/// Orders a processor's recorded filings into the chain that starts at its initial filing.
pub fn chain_of(mut recorded: Vec<RecordedFiling>) -> Vec<RecordedFiling> {
    recorded.sort_by_key(|f| f.decided_at);
    let Some(start) = recorded.iter().position(|f| f.kind == "initial") else {
        return Vec::new();
    };
    let mut chain = vec![recorded.remove(start)];
    // Each link names an earlier record of the chain; take them in the order they were recorded.
    loop {
        let next = recorded.iter().position(|f| {
            f.previous_filing_id
                .is_some_and(|p| chain.iter().any(|c| c.id == p))
        });
        match next {
            Some(i) => chain.push(recorded.remove(i)),
            None => break,
        }
    }
    chain
}

/// Registry entries of the scope, by processor name, paged by processor.
pub async fn entries(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    processor: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<RegistryEntry>, i64)> {
    let mut orgs = organisations::table
        .filter(diesel::dsl::exists(
            filings::table
                .filter(filings::organisation_id.eq(organisations::id))
                .filter(filings::kind.eq("initial"))
                .filter(filings::status.eq("filed")),
        ))
        .into_boxed();
    let mut count = organisations::table
        .filter(diesel::dsl::exists(
            filings::table
                .filter(filings::organisation_id.eq(organisations::id))
                .filter(filings::kind.eq("initial"))
                .filter(filings::status.eq("filed")),
        ))
        .into_boxed();
    match &scope.reach {
        Reach::Organisation(o) => {
            orgs = orgs.filter(organisations::id.eq(*o));
            count = count.filter(organisations::id.eq(*o));
        }
        Reach::Provinces(codes) => {
            orgs = orgs.filter(organisations::province_code.eq_any(codes.clone()));
            count = count.filter(organisations::province_code.eq_any(codes.clone()));
        }
        Reach::Everywhere => {}
        // The registry is the CAC's: an agency outside it opens only the filings handed over.
        Reach::Granted(_) => return Ok((Vec::new(), 0)),
    }
    if let Some(p) = processor.map(str::trim).filter(|p| !p.is_empty()) {
        let pattern = crate::filings::contains_pattern(p);
        let uscc = p.to_uppercase();
        orgs = orgs.filter(
            organisations::name
                .ilike(pattern.clone())
                .or(organisations::uscc.eq(uscc.clone())),
        );
        count = count.filter(
            organisations::name
                .ilike(pattern)
                .or(organisations::uscc.eq(uscc)),
        );
    }
    let total: i64 = count.count().get_result(conn).await?;
    let page: Vec<(Uuid, String, String, String)> = orgs
        .order((organisations::name.asc(), organisations::id.asc()))
        .limit(limit)
        .offset(offset)
        .select((
            organisations::id,
            organisations::name,
            organisations::uscc,
            organisations::province_code,
        ))
        .load(conn)
        .await?;
    let ids: Vec<Uuid> = page.iter().map(|o| o.0).collect();
    let recorded: Vec<RecordedFiling> = filings::table
        .filter(filings::organisation_id.eq_any(&ids))
        .filter(filings::status.eq("filed"))
        .select((
            filings::id,
            filings::organisation_id,
            filings::kind,
            filings::filing_number,
            filings::previous_filing_id,
            filings::decided_at,
        ))
        .load(conn)
        .await?;
    let entries = page
        .into_iter()
        .map(|(id, name, uscc, province)| {
            let chain = chain_of(
                recorded
                    .iter()
                    .filter(|f| f.organisation_id == id)
                    .cloned()
                    .collect(),
            );
            RegistryEntry {
                organisation_id: id,
                organisation_name: name,
                uscc,
                province_code: province,
                state: state_of(&chain).to_owned(),
                filing_number: chain
                    .as_slice()
                    .first()
                    .and_then(|f| f.filing_number.clone()),
                chain,
            }
        })
        .collect();
    Ok((entries, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(kind: &str, prev: Option<Uuid>, day: u32) -> RecordedFiling {
        RecordedFiling {
            id: Uuid::now_v7(),
            organisation_id: Uuid::nil(),
            kind: kind.into(),
            filing_number: Some(format!("310000-2026-00000{day}")),
            previous_filing_id: prev,
            decided_at: DateTime::from_timestamp(1_790_000_000 + i64::from(day) * 86_400, 0),
        }
    }

    #[test]
    fn chains_follow_previous_records_in_order() {
        let initial = rec("initial", None, 1);
        let change = rec("change", Some(initial.id), 2);
        let dereg = rec("deregistration", Some(change.id), 3);
        let chain = chain_of(vec![dereg.clone(), initial.clone(), change.clone()]);
        let kinds: Vec<&str> = chain.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(kinds, vec!["initial", "change", "deregistration"]);
        assert_eq!(state_of(&chain), "deregistered");
        assert_eq!(state_of(&chain[..2]), "changed");
        assert_eq!(state_of(&chain[..1]), "filed");
        assert!(
            chain_of(vec![change]).is_empty(),
            "no chain without an initial record"
        );
    }
}

/// A filing named by the registry's change feed, with its processor.
#[derive(Debug, Clone, Queryable)]
pub struct FeedFiling {
    pub id: Uuid,
    pub kind: String,
    pub filing_number: Option<String>,
    pub province_code: String,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub uscc: String,
}

/// The filings among `ids` with their processors, in one query (a sync page names up to a
/// thousand), those of `province` only when one is given; in no particular order.
pub async fn feed_filings(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    province: Option<&str>,
) -> QueryResult<Vec<FeedFiling>> {
    let mut q = filings::table
        .inner_join(organisations::table)
        .filter(filings::id.eq_any(ids))
        .select((
            filings::id,
            filings::kind,
            filings::filing_number,
            filings::province_code,
            organisations::id,
            organisations::name,
            organisations::uscc,
        ))
        .into_boxed();
    if let Some(p) = province {
        q = q.filter(filings::province_code.eq(p.to_owned()));
    }
    q.load(conn).await
}
