//! `frtctl audit verify`: walks the audit log's hash chain and reports the first broken link;
//! with `--checkpoints DIR`, also checks it against the checkpoints a witness agency pulled.

use anyhow::Context;
use frt_cases::checkpoints::{self, Checkpoint};
use frt_settings::Settings;
use frt_store::audit::{self, BreakKind, ChainReport};
use std::collections::BTreeMap;
use std::path::Path;

/// The checkpoints in a witness's pull folder (every `*.jsonl` line whose notification body
/// carries one), each signature checked; by place in the chain.
fn witnessed(settings: &Settings, dir: &Path) -> anyhow::Result<BTreeMap<i64, Checkpoint>> {
    let keys = checkpoints::verify_keys(settings)?;
    let mut found = BTreeMap::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the checkpoints folder {}", dir.display()))?;
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "jsonl") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        for line in text.lines() {
            let Ok(item) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let Some(c) = item["notification"]["body"]
                .as_str()
                .and_then(Checkpoint::from_body)
            else {
                continue;
            };
            c.verify(&keys)
                .map_err(|e| anyhow::anyhow!("{e} ({})", path.display()))?;
            found.insert(c.seq, c);
        }
    }
    Ok(found)
}

/// Verifies the chain; an error (non-zero exit) when it is broken.
pub async fn verify(settings: &Settings, checkpoints: Option<&Path>) -> anyhow::Result<()> {
    let witnessed = match checkpoints {
        Some(dir) => witnessed(settings, dir)?,
        None => BTreeMap::new(),
    };
    let heads: BTreeMap<i64, Vec<u8>> = witnessed
        .iter()
        .filter_map(|(seq, c)| c.head_bytes().map(|h| (*seq, h)))
        .collect();
    let db = frt_store::Db::new(&settings.owner_db_settings())?;
    let mut conn = db.conn().await?;
    // A walk of millions of rows outlasts the services' statement timeout.
    frt_store::db::lift_statement_timeout(&mut conn).await?;
    let started = std::time::Instant::now();
    let report = audit::verify_against(&mut conn, &heads).await?;
    println!("{}", describe(&report));
    if checkpoints.is_some() {
        println!("{}", describe_witnesses(&report, &witnessed));
    }
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
        BreakKind::WitnessDisagrees => {
            "the chain's hash here is not the one a witness agency holds: it was rewritten, hashes and all"
        }
        BreakKind::WitnessBeyondEnd => {
            "a witness agency holds a checkpoint at this place, beyond the chain's end: rows were cut off"
        }
    };
    format!(
        "audit chain BROKEN at seq {}{row}: {what} ({} rows checked before it, chain ends at seq {})",
        b.seq,
        report.rows_checked.saturating_sub(1),
        report.head_seq
    )
}

/// What the witnessed checkpoints showed.
fn describe_witnesses(report: &ChainReport, witnessed: &BTreeMap<i64, Checkpoint>) -> String {
    let at = |seq: i64| {
        witnessed
            .get(&seq)
            .map(|c| format!("signed {} with key {}", c.signed_at.to_rfc3339(), c.key_id))
            .unwrap_or_default()
    };
    let agreed = match report.last_witnessed {
        Some(seq) => format!(
            "the chain agrees with {} witnessed checkpoints, up to seq {seq} ({})",
            report.witnessed_checked.saturating_sub(u64::from(
                report
                    .first_break
                    .as_ref()
                    .is_some_and(|b| b.kind == BreakKind::WitnessDisagrees)
            )),
            at(seq)
        ),
        None if witnessed.is_empty() => "no witnessed checkpoints in the folder".to_owned(),
        None => "the chain agrees with no witnessed checkpoint".to_owned(),
    };
    match &report.first_break {
        Some(b)
            if matches!(
                b.kind,
                BreakKind::WitnessDisagrees | BreakKind::WitnessBeyondEnd
            ) =>
        {
            format!(
                "{agreed}; it disagrees with the checkpoint at seq {} ({}): the rows after seq {} were rewritten",
                b.seq,
                at(b.seq),
                report.last_witnessed.unwrap_or(0)
            )
        }
        _ => agreed,
    }
}
