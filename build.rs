//! Build script: tells the test suite whether a PostgreSQL server was named
//! (`TEST_DATABASE_URL`), so the PostgreSQL runs of the tests are reported as ignored — not as
//! passed — when it was not.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.trim().is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
