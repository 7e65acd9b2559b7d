//! `frtctl exchange clients`: agencies' systems registered for the exchange service.

use crate::cli::*;
use frt_settings::Settings;

pub async fn run(settings: Settings, command: ClientCommand) -> anyhow::Result<()> {
    let core = frt_cases::Core::build(settings).await?;
    let actor = frt_store::audit::Actor::system("frtctl exchange clients");
    match command {
        ClientCommand::Create {
            agency,
            scopes,
            json,
        } => {
            let c = frt_cases::exchange::create_client(&core, &actor, &agency, &scopes)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "key_id": c.key_id, "secret": c.secret })
                );
            } else {
                println!("key id:  {}", c.key_id);
                println!("secret:  {}", c.secret);
                println!("agency:  {}", c.agency_id);
                println!("scopes:  {}", c.scopes.join(","));
                println!("The secret is shown only now; keep it in the agency's secret store.");
            }
        }
        ClientCommand::Revoke { key_id } => {
            let done = frt_cases::exchange::revoke_client(&core, &actor, &key_id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if !done {
                anyhow::bail!("no active client has the key id {key_id:?}");
            }
            println!("revoked {key_id}: its requests are refused from now on");
        }
    }
    Ok(())
}
