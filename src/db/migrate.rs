//! Embedded migrations, one folder per backend with identical file names.

use sqlx::migrate::Migrator;

use super::Backend;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// The migration folders, relative to the crate root (a test checks they hold the same names).
pub const MIGRATION_DIRS: [&str; 2] = ["migrations/sqlite", "migrations/postgres"];

/// The migrator of one backend.
pub fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}
