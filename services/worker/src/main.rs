//! Starts the worker with configuration from `config/` and `FRT__…` variables.

use frt_settings::{default_config_dir, Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::load_for_service(&default_config_dir())?;
    frt_cases::logging::init(&settings.log.level, settings.log.json);
    let core = frt_cases::Core::build(settings).await?;
    let (http, addr) = frt_web::metrics::worker_server(core.clone(), &core.settings.worker.listen)?;
    let worker = worker::Worker::new(core)?;
    tracing::info!(name = worker.name(), %addr, "worker started; /healthz and /metrics there");
    tokio::select! {
        r = http => r?,
        () = worker.run() => {}
        _ = tokio::signal::ctrl_c() => tracing::info!("worker stopping"),
    }
    Ok(())
}
