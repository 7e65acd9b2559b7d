//! Debian packages the tests need beside PostgreSQL (Chromium, PgBouncer): installed by the
//! harness when missing and the tests run as root, as CI does; otherwise the failure says what
//! to install.

use std::path::Path;
use std::process::{Command, Stdio};

/// Makes sure every path in `present` exists, installing `packages` with apt-get (as root)
/// when one is missing. `purpose` names what needs them, for the messages.
pub fn ensure(purpose: &str, present: &[&str], packages: &[&str]) -> Result<(), String> {
    if present.iter().all(|p| Path::new(p).exists()) {
        return Ok(());
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        return Err(format!(
            "{purpose} need Debian's {}: `sudo apt-get install -y {}`",
            packages.join(", "),
            packages.join(" ")
        ));
    }
    eprintln!("installing {} for {purpose}…", packages.join(", "));
    for args in [
        vec!["update"],
        [&["install", "-y", "--no-install-recommends"][..], packages].concat(),
    ] {
        let status = Command::new("apt-get")
            .args(&args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("apt-get: {e}"))?;
        if !status.success() {
            return Err(format!("apt-get {} failed: {status}", args.join(" ")));
        }
    }
    Ok(())
}
