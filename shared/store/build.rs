//! The migrations are embedded at compile time: a new or changed migration rebuilds the crate.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
