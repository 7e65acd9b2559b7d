//! Starts the portal with configuration from `config/` and `FRT__…` variables.

use frt_settings::{default_config_dir, Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::load_for_service(&default_config_dir())?;
    frt_web::server::init_tracing(&settings.log.level, settings.log.json);
    let core = frt_web::Core::build(settings).await?;
    let app = portal::build(core)?;
    tracing::info!(port = app.port(), "portal listening");
    app.run_until_stopped().await?;
    Ok(())
}
