//! The database: one `AnyPool`, the backend chosen from the URL, migrations, write transactions.

pub mod conditions;
pub mod dialect;
mod migrate;
pub mod once;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

pub use migrate::{MIGRATION_DIRS, migrator};

/// Which database engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Reads the backend from a URL's scheme.
    pub fn from_url(url: &str) -> Option<Backend> {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Why the database could not be opened or prepared.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("数据库地址无法识别：{0}（应以 sqlite: 或 postgres:// 开头）")]
    UnknownScheme(String),
    #[error("无法创建数据库目录 {path}：{source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("无法连接数据库：{0}")]
    Connect(#[source] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("读取数据库失败：{0}")]
    Query(#[source] sqlx::Error),
}

/// The shared handle to the database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// `($1, $2), ($3, $4)` for a multi-row `INSERT … VALUES` of `rows` rows of `width` columns.
pub fn values_tuples(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=width).map(|c| format!("${}", r * width + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A write transaction (on SQLite it began with `BEGIN IMMEDIATE`).
pub type WriteTx = Transaction<'static, Any>;

impl Db {
    /// Connects (creating a SQLite file and its directory if missing) without migrating.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or_else(|| DbError::UnknownScheme(url.to_string()))?;
        if backend == Backend::Sqlite {
            ensure_sqlite_dir(url)?;
        }
        let options = AnyConnectOptions::from_str(url).map_err(DbError::Connect)?;
        let mut pool = AnyPoolOptions::new().max_connections(max_connections).acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            pool = pool.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers work beside the one writer; FULL sync because we keep money;
                    // the busy timeout makes a second writer wait instead of failing at once.
                    // The busy timeout first: switching the journal mode takes a lock, and a
                    // connection opened while another writes must wait for it, not fail.
                    for pragma in [
                        "PRAGMA busy_timeout = 5000",
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
                    ] {
                        conn.execute(pragma).await?;
                    }
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(options).await.map_err(DbError::Connect)?;
        Ok(Db { pool, backend })
    }

    /// Connects and applies every pending migration.
    pub async fn open(url: &str, max_connections: u32) -> Result<Db, DbError> {
        let db = Db::connect(url, max_connections).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Applies the embedded migrations of this backend; a no-op when all are applied.
    pub async fn migrate(&self) -> Result<(), DbError> {
        migrator(self.backend).run(&self.pool).await?;
        Ok(())
    }

    /// Refreshes PostgreSQL's planner statistics after a bulk load (autovacuum does the same on its
    /// own schedule). SQLite is left without statistics on purpose: the queries are written for its
    /// stats-free planner (`|| ''` where an index must not be used), and sampled statistics of
    /// low-cardinality columns mislead it more than none.
    pub async fn refresh_statistics(&self) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            self.pool.execute("ANALYZE").await?;
        }
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that upgrades later fails at once with
    /// "database is locked" instead of waiting for the busy timeout.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Closes every connection. On SQLite the write-ahead log is first folded into the main file
    /// and truncated, so a stopped server leaves one self-contained `techmarket.db`.
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite
            && let Err(error) = self.pool.execute("PRAGMA wal_checkpoint(TRUNCATE)").await
        {
            tracing::warn!(%error, "checkpointing the write-ahead log failed");
        }
        self.pool.close().await;
    }
}

/// A secret every node sharing this database uses: the first node to ask stores `fresh()`, the
/// others (and later starts) read it back.
pub async fn shared_secret(db: &Db, name: &str, fresh: impl FnOnce() -> String) -> Result<String, sqlx::Error> {
    sqlx::query(
        "INSERT INTO instance_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(fresh())
    .bind(crate::domain::time::now_stored())
    .execute(db.pool())
    .await?;
    sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = $1").bind(name).fetch_one(db.pool()).await
}

/// What a unique-key violation is about: the constraint's name on PostgreSQL
/// (`users_email_key`), the message on SQLite (`UNIQUE constraint failed: users.email`).
/// `None` for any other error.
pub fn unique_violation(error: &sqlx::Error) -> Option<String> {
    let database = error.as_database_error().filter(|e| e.is_unique_violation())?;
    Some(database.constraint().map(str::to_string).unwrap_or_else(|| database.message().to_string()))
}

/// The file of a `sqlite:` URL (`sqlite://data/techmarket.db?mode=rwc` → `data/techmarket.db`).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty()).then(|| PathBuf::from(path))
}

/// Creates the directory of a SQLite database file so a fresh clone starts without set-up.
fn ensure_sqlite_dir(url: &str) -> Result<(), DbError> {
    let Some(path) = sqlite_path(url) else {
        return Ok(());
    };
    let Some(dir) = path.parent() else {
        return Ok(());
    };
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir { path: dir.to_path_buf(), source })
}

#[cfg(test)]
mod values_tests {
    #[test]
    fn values_tuples_number_every_cell() {
        assert_eq!(super::values_tuples(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values_tuples(1, 1), "($1)");
    }
}
