//! Every `frtctl` command finds the database `up` uses, in a new shell with nothing set: the
//! local cluster's, exactly as `up` provisions it.

use std::process::Command;

fn frtctl(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_frtctl"))
        .args(args)
        .current_dir(frt_testkit::db::project_root())
        .env_remove("DATABASE_URL")
        .env_remove("FRT__DATABASE__URL")
        .env_remove("FRT__DATABASE__OWNER_URL")
        .env_remove("FRT_ENV")
        .output()
        .expect("frtctl runs")
}

#[test]
fn administration_commands_find_the_database_up_uses() {
    let url = frtctl(&["database-url"]);
    assert!(url.status.success(), "{url:?}");
    let url = String::from_utf8_lossy(&url.stdout);
    assert!(url.starts_with("postgres://"), "{url}");
    // The owner's login, to administer the database with (the services use frt_app).
    assert!(url.starts_with("postgres://frt:"), "{url}");
    for args in [
        &["migrate"][..],
        &["calendar", "list"][..],
        &["audit", "verify"][..],
        &["outbox", "status"][..],
        &["agencies", "list"][..],
    ] {
        let out = frtctl(args);
        assert!(
            out.status.success(),
            "frtctl {}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
