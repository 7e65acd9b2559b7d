//! Acceptance scenarios (Gherkin, in `tests/features/`) run against the real portal and
//! casework services, each scenario on its own database.
//!
//! Run: `cargo test -p acceptance --test acceptance`; pass cucumber options after `--`, e.g.
//! `-- --name "idempotent"` or `-- --tags @review`.

mod steps;
mod support;

use cucumber::codegen::LocalBoxFuture;
use cucumber::event::ScenarioFinished;
use cucumber::gherkin::{Feature, Rule, Scenario};
use cucumber::writer::Stats as _;
use cucumber::World as _;
use support::FrtWorld;

/// Tears the scenario's platform down as soon as it ends, pass or fail: cucumber may keep the
/// world of a failed scenario for its report.
fn after_scenario<'a>(
    _: &'a Feature,
    _: Option<&'a Rule>,
    _: &'a Scenario,
    _: &'a ScenarioFinished,
    world: Option<&'a mut FrtWorld>,
) -> LocalBoxFuture<'a, ()> {
    if let Some(w) = world {
        w.teardown();
    }
    Box::pin(std::future::ready(()))
}

#[tokio::main]
async fn main() {
    let features = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/features");
    let started = std::time::Instant::now();
    let summary = FrtWorld::cucumber()
        // Each scenario starts both services and a database of its own; the machine has 2 cores.
        .max_concurrent_scenarios(2)
        // A step that matches no definition fails the run instead of being skipped.
        .fail_on_skipped()
        .after(after_scenario)
        .run(features)
        .await;
    support::finish_teardowns().await;
    let scenarios = summary.scenarios_stats();
    let failed = scenarios.failed + summary.parsing_errors() + summary.hook_errors();
    println!(
        "{} scenarios ({} steps failed) in {:.1}s",
        scenarios.total(),
        summary.failed_steps(),
        started.elapsed().as_secs_f64()
    );
    // The closing line, in the plain form any CI reads.
    println!(
        "acceptance: {} passed, {} failed, {} skipped",
        scenarios.passed, failed, scenarios.skipped
    );
    if summary.execution_has_failed() || failed > 0 {
        std::process::exit(1);
    }
}
