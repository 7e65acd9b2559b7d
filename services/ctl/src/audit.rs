//! `frtctl audit verify`: walks the audit log's hash chain and reports the first broken link.

use frt_settings::Settings;
use frt_store::audit::{self, BreakKind, ChainReport};

/// Verifies the chain; an error (non-zero exit) when it is broken.
pub async fn verify(settings: &Settings) -> anyhow::Result<()> {
    let db = frt_store::Db::new(&settings.db_settings())?;
    let mut conn = db.conn().await?;
    // A walk of millions of rows outlasts the services' statement timeout.
    frt_store::db::lift_statement_timeout(&mut conn).await?;
    let started = std::time::Instant::now();
    let report = audit::verify(&mut conn).await?;
    println!("{}", describe(&report));
    println!("took {:.1}s", started.elapsed().as_secs_f64());
    if report.first_break.is_some() {
        anyhow::bail!("the audit chain is broken");
    }
    Ok(())
}

/// The operator's summary of a walk.
pub fn describe(report: &ChainReport) -> String {
    let Some(b) = &report.first_break else {
        let algs: Vec<String> = report
            .by_alg
            .iter()
            .map(|(alg, n)| format!("{n} {alg}"))
            .collect();
        return format!(
            "audit chain intact: {} rows checked ({}), chain ends at seq {}",
            report.rows_checked,
            if algs.is_empty() {
                "none sealed".to_owned()
            } else {
                algs.join(", ")
            },
            report.head_seq
        );
    };
    let row = b.id.map(|id| format!(" (row id {id})")).unwrap_or_default();
    let what = match b.kind {
        BreakKind::ContentAltered => "the row's contents were changed after it was sealed",
        BreakKind::LinkBroken => "the row does not link to the hash of the row before it",
        BreakKind::SequenceGap => "rows are missing or were inserted before this place",
        BreakKind::Unsealed => "a committed row was never sealed into the chain",
        BreakKind::HeadMismatch => "the chain's recorded end does not match its last row",
        BreakKind::UnknownAlgorithm => "the row names a hash algorithm this frtctl does not know",
    };
    format!(
        "audit chain BROKEN at seq {}{row}: {what} ({} rows checked before it, chain ends at seq {})",
        b.seq,
        report.rows_checked.saturating_sub(1),
        report.head_seq
    )
}
