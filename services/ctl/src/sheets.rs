//! `frtctl import` and `frtctl export`: spreadsheets in and out through the same use cases
//! as the services.

use frt_settings::Settings;

pub async fn import(
    settings: Settings,
    kind: &str,
    input: &std::path::Path,
    dry_run: bool,
    email: &str,
    errors: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use frt_access::{AgencyKind, Principal, PrincipalKind, Role};
    use std::str::FromStr;
    let core = frt_cases::Core::build(settings).await?;
    let mut conn = core.db.conn().await?;
    let user = frt_store::identities::user_by_email(&mut conn, "casework", email)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| anyhow::anyhow!("no active staff account {email}"))?;
    let agency_id = user
        .agency_id
        .ok_or_else(|| anyhow::anyhow!("{email} is not a member of staff"))?;
    let agency = frt_store::identities::agency(&mut conn, agency_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the agency of {email} is gone"))?;
    drop(conn);
    let principal = Principal {
        user_id: user.id,
        email: user.email,
        display_name: user.display_name,
        role: Role::from_str(&user.role).map_err(|e| anyhow::anyhow!(e))?,
        kind: PrincipalKind::Staff {
            agency_id,
            agency_kind: AgencyKind::from_str(&agency.kind).map_err(|e| anyhow::anyhow!(e))?,
            jurisdiction: agency.province_code,
        },
    };
    let caller = frt_cases::Caller {
        actor: frt_store::audit::Actor {
            user_id: Some(principal.user_id),
            label: format!("{} (frtctl import)", principal.audit_label()),
            client_ip: None,
            request_id: None,
        },
        principal,
    };
    let bytes = std::fs::read(input)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", input.display()))?;
    let started = std::time::Instant::now();
    match frt_cases::imports::run(&core, &caller, kind, bytes, dry_run).await {
        Ok(outcome) => {
            println!(
                "{} rows read in {:.2} s; {}",
                outcome.rows,
                started.elapsed().as_secs_f64(),
                if outcome.committed {
                    "all stored"
                } else {
                    "dry run: nothing stored"
                }
            );
            Ok(())
        }
        Err(frt_cases::imports::ImportError::Rows {
            problems,
            error_workbook,
        }) => {
            for p in problems.iter().take(50) {
                eprintln!(
                    "{}!{} {}: {} ({})",
                    p.sheet, p.row, p.column, p.message, p.code
                );
            }
            if let (Some(path), Some(id)) = (errors, error_workbook) {
                let mut download = frt_cases::imports::error_workbook(&core, &caller, id)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let mut out = tokio::fs::File::create(path).await?;
                tokio::io::copy(&mut download.file, &mut out).await?;
                eprintln!("error workbook written to {}", path.display());
            }
            anyhow::bail!("{} problems; nothing was imported", problems.len())
        }
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

pub async fn export(
    settings: Settings,
    name: &str,
    out: &std::path::Path,
    month: Option<&str>,
    province: Option<&str>,
) -> anyhow::Result<()> {
    use frt_cases::exports;
    let core = frt_cases::Core::build(settings).await?;
    let reader = exports::Reader::national(frt_store::audit::Actor::system("frtctl export"));
    let exported = match name {
        "registry" => exports::registry(&core, &reader).await,
        "review-queue" => {
            let filter = frt_store::filings::QueueFilter::default();
            frt_cases::filings::queue::export_of(&core, &reader, serde_json::json!({}), &filter)
                .await
        }
        "inspections" => exports::inspections(&core, &reader, province).await,
        "statistics" => {
            let month = month.ok_or_else(|| anyhow::anyhow!("statistics needs --month YYYY-MM"))?;
            exports::statistics(&core, &reader, month, province).await
        }
        other => anyhow::bail!(
            "no export named {other}; the exports are: registry, review-queue, inspections, statistics"
        ),
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // The export was written beside the system's temporary files: moved into place, or
    // copied when that is another file system.
    if std::fs::rename(&exported.path, out).is_err() {
        std::fs::copy(&exported.path, out)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    }
    println!("{} rows written to {}", exported.rows, out.display());
    Ok(())
}
