//! Rebuild when a migration changes: `sqlx::migrate!` embeds the folder at
//! compile time and would otherwise keep a stale copy.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
