//! `frtctl up`: the whole platform on one machine, for development and demos.

use anyhow::Context;
use frt_settings::{Environment, Settings};
use std::path::Path;

pub async fn run(
    config_dir: &Path,
    env: Environment,
    demo: bool,
    addresses: Option<&Path>,
) -> anyhow::Result<()> {
    if demo && env == Environment::Production {
        anyhow::bail!(
            "--demo is refused with FRT_ENV=production: demo accounts never exist in production"
        );
    }
    // A demo platform is one QA can run the acceptance suite against (docs/qa.md).
    if demo && std::env::var("FRT__QA__TOKEN").is_err() {
        std::env::set_var("FRT__QA__TOKEN", crate::demo::QA_TOKEN);
    }
    // ...and from one address, so that its registrations are not held to a company's rate.
    if demo && std::env::var("FRT__AUTH__REGISTRATIONS_PER_HOUR").is_err() {
        std::env::set_var("FRT__AUTH__REGISTRATIONS_PER_HOUR", "10000");
    }
    // ...and with Jiangsu's (320000) decisions signed off by a supervisor, as staging has them,
    // for the suite's sign-off scenario.
    if demo && std::env::var("FRT__FILING__SIGN_OFF_PROVINCES").is_err() {
        std::env::set_var("FRT__FILING__SIGN_OFF_PROVINCES", "320000");
    }
    // ...and with metrics a scraper can read (docs/operations.md, "Metrics").
    if demo && std::env::var("FRT__METRICS__TOKEN").is_err() {
        std::env::set_var("FRT__METRICS__TOKEN", crate::demo::METRICS_TOKEN);
    }
    let settings = Settings::load(config_dir, env)?;
    frt_cases::logging::init(&settings.log.level, settings.log.json);
    println!("{}", crate::database::migrate_and_load(&settings).await?);
    let demo = demo || settings.demo.enabled;
    let accounts = if demo {
        Some(crate::demo::seed(&settings).await?)
    } else {
        None
    };
    let core = frt_cases::Core::build(settings.clone()).await?;
    let portal = portal::build(core.clone())?;
    let casework = casework::build(core.clone())?;
    let exchange = exchange::build(core.clone())?;
    let (worker_http, worker_addr) =
        frt_web::metrics::worker_server(core.clone(), &settings.worker.listen)?;
    let worker = worker::Worker::new(core)?;
    let host = |h: &str| {
        if h == "0.0.0.0" {
            "localhost".to_owned()
        } else {
            h.to_owned()
        }
    };
    if let Some(file) = addresses {
        let url = |h: &str, port: u16| format!("http://{}:{port}", host(h));
        let json = serde_json::json!({
            "portal": url(&settings.portal.host, portal.port()),
            "casework": url(&settings.casework.host, casework.port()),
            "exchange": url(&settings.exchange.host, exchange.port()),
            "worker": format!("http://{worker_addr}"),
        });
        // Written whole or not at all: a reader never sees half of it.
        let partial = file.with_extension("partial");
        std::fs::write(&partial, json.to_string())
            .and_then(|()| std::fs::rename(&partial, file))
            .with_context(|| format!("writing the addresses to {}", file.display()))?;
    }
    println!();
    println!("FRT supervision platform is running:");
    println!(
        "  portal    http://{}:{}/  (API docs: /docs/)",
        host(&settings.portal.host),
        portal.port()
    );
    println!(
        "  casework  http://{}:{}/  (API docs: /docs/)",
        host(&settings.casework.host),
        casework.port()
    );
    println!(
        "  exchange  http://{}:{}/  (signed requests from agencies' systems; API docs: /docs/)",
        host(&settings.exchange.host),
        exchange.port()
    );
    if let Some(accounts) = accounts {
        println!();
        crate::demo::print(accounts);
    }
    println!(
        "  worker    mail by the {} transport; deadline sweep daily at {} (China time); \
         /healthz and /metrics at http://{worker_addr}/",
        settings.mail.transport.as_str(),
        settings.worker.sweep_at
    );
    if let Some(token) = settings.metrics_token() {
        println!("  metrics   GET /metrics on each, with Authorization: Bearer {token}");
    }
    println!();
    println!("Press Ctrl-C to stop.");
    tokio::select! {
        r = portal.run_until_stopped() => r?,
        r = casework.run_until_stopped() => r?,
        r = exchange.run_until_stopped() => r?,
        r = worker_http => r?,
        () = worker.run() => {}
    }
    Ok(())
}
