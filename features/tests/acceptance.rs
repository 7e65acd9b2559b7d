//! Acceptance scenarios (Gherkin, in `tests/features/`), run against the real services: each
//! scenario on services and a database of its own started in-process (the default), or every
//! scenario against a running deployment named by `FRT_TARGET_*` (see `support::target`).
//!
//! Run: `cargo test -p acceptance --test acceptance`; pass cucumber options after `--`, e.g.
//! `-- --name "idempotent"` or `-- --tags @review`. Reports: `target/acceptance/` (JUnit XML
//! and cucumber JSON). A whole in-process run (no filter given) then checks the smoke set
//! against `frtctl up --demo` started as a separate process (`support::smoke`).

mod steps;
mod support;

use cucumber::codegen::LocalBoxFuture;
use cucumber::event::ScenarioFinished;
use cucumber::gherkin::{Feature, Rule, Scenario};
use cucumber::tag::Ext as _;
use cucumber::writer::{self, Stats as _};
use cucumber::{World as _, WriterExt as _};
use std::path::{Path, PathBuf};
use support::target::{self, Target};
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
    Box::pin(async move {
        if let Some(w) = world {
            if let Some(b) = w.browser.take() {
                b.close().await;
            }
            w.teardown();
        }
    })
}

/// `target/acceptance/`, next to the build this binary belongs to.
pub fn reports_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/acceptance-<hash>
    let target = exe
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"));
    let dir = target.join("acceptance");
    std::fs::create_dir_all(&dir).expect("target/acceptance");
    dir
}

/// What a run found.
pub struct Outcome {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub failed_steps: usize,
}

/// Runs the feature files against the current target: the scenarios `select` keeps (when no
/// `--tags`/`--name` filter is given) and the target can run, writing `<report>-junit.xml` and
/// `<report>.json` under `target/acceptance/`.
pub async fn run(
    report: &str,
    from_command_line: bool,
    select: impl Fn(&[String]) -> bool + 'static,
) -> Outcome {
    let features = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/features");
    let dir = reports_dir();
    let junit = std::fs::File::create(dir.join(format!("{report}-junit.xml"))).expect("junit");
    let json = std::fs::File::create(dir.join(format!("{report}.json"))).expect("json");
    let here = target::current();
    let mut cli = if from_command_line {
        cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::parsed()
    } else {
        cucumber::cli::Opts::default()
    };
    // The target's own exclusions hold under a --tags filter too.
    let tags = cli.tags_filter.take();
    let by_name = cli.re_filter.is_some();
    let keep = move |f: &Feature, r: Option<&Rule>, s: &Scenario| {
        let all: Vec<String> = f
            .tags
            .iter()
            .chain(r.iter().flat_map(|r| &r.tags))
            .chain(s.tags.iter())
            .cloned()
            .collect();
        let wanted = match &tags {
            Some(t) => t.eval(all.iter()),
            None => by_name || select(&all),
        };
        wanted && here.runs(&all)
    };
    let summary = FrtWorld::cucumber()
        // Each scenario starts both services and a database of its own; the machine has 2 cores.
        .max_concurrent_scenarios(2)
        .with_writer(
            writer::Basic::raw(std::io::stdout(), writer::Coloring::Auto, 0)
                .summarized()
                .tee::<FrtWorld, _>(writer::JUnit::for_tee(junit, 0))
                .tee::<FrtWorld, _>(writer::Json::for_tee(json))
                .normalized(),
        )
        // A step that matches no definition fails the run instead of being skipped.
        .fail_on_skipped()
        .after(after_scenario)
        .with_cli(cli)
        .filter_run(features, keep)
        .await;
    support::finish_teardowns().await;
    // Scenario counts as the JUnit report states them, which is what CI dashboards show.
    let junit = JunitCounts::read(&dir.join(format!("{report}-junit.xml")));
    let broken = summary.parsing_errors() + summary.hook_errors();
    Outcome {
        passed: junit.cases.saturating_sub(junit.failed + junit.skipped),
        failed: junit.failed
            + broken
            + usize::from(summary.execution_has_failed() && junit.failed == 0 && broken == 0),
        skipped: junit.skipped,
        failed_steps: summary.failed_steps(),
    }
}

/// What a JUnit report lists: its test cases (scenarios), and those failed or skipped.
pub struct JunitCounts {
    pub cases: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl JunitCounts {
    pub fn read(path: &Path) -> Self {
        let xml = std::fs::read_to_string(path).unwrap_or_default();
        Self {
            cases: xml.matches("<testcase").count(),
            failed: xml.matches("<failure").count() + xml.matches("<error").count(),
            skipped: xml.matches("<skipped").count(),
        }
    }
}

#[tokio::main]
async fn main() {
    let started = std::time::Instant::now();
    let here = Target::from_env().unwrap_or_else(|e| {
        eprintln!("acceptance: {e}");
        std::process::exit(2);
    });
    // A whole run: no filter and no other input named on the command line.
    let whole_run = !std::env::args().skip(1).any(|a| {
        ["-t", "--tags", "-n", "--name", "-i", "--input"]
            .iter()
            .any(|f| a == *f || a.starts_with(&format!("{f}=")))
    });
    let in_process = here == Target::InProcess;
    target::set(here);
    let outcome = run("acceptance", true, |_| true).await;
    println!(
        "{} scenarios ({} steps failed) in {:.1}s",
        outcome.passed + outcome.failed + outcome.skipped,
        outcome.failed_steps,
        started.elapsed().as_secs_f64()
    );
    // The closing line, in the plain form any CI reads.
    println!(
        "acceptance: {} passed, {} failed, {} skipped",
        outcome.passed, outcome.failed, outcome.skipped
    );
    let mut ok = outcome.failed == 0 && outcome.failed_steps == 0;
    if ok && in_process && whole_run {
        ok = support::smoke::against_frtctl_up().await;
    }
    if !ok {
        std::process::exit(1);
    }
}
