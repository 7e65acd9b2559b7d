//! `frtctl agencies`: every agency, and where one sits (its level and the agency above it).

use crate::cli::*;
use frt_settings::Settings;

pub async fn run(settings: &Settings, command: AgencyCommand) -> anyhow::Result<()> {
    let core = frt_cases::Core::build(settings.clone()).await?;
    match command {
        AgencyCommand::List => {
            for a in frt_cases::agencies::all(&core).await? {
                println!(
                    "{}  {:<16} {:<10} {:<6} {}  parent {}",
                    a.id,
                    a.kind,
                    a.level,
                    a.province_code.as_deref().unwrap_or("-"),
                    a.name,
                    a.parent_id.map_or("-".to_owned(), |p| p.to_string())
                );
            }
        }
        AgencyCommand::Place {
            agency,
            level,
            parent,
        } => {
            let actor = frt_store::audit::Actor::system("frtctl agencies place");
            let placed =
                frt_cases::agencies::place(&core, &actor, &agency, &level, parent.as_deref())
                    .await?;
            println!(
                "{} is now {level}{}",
                placed.agency.name,
                placed
                    .parent
                    .map(|p| format!(" under {}", p.name))
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}
