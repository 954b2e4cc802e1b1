//! Migrations: identical folders, applied from empty, idempotent; SQLite pragmas as configured.

use std::collections::BTreeSet;

use crate::on_both_databases;
use crate::support::TestApp;
use sqlx::Row as _;
use techmarket::db::{Backend, MIGRATION_DIRS};

fn file_names(dir: &str) -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .map(|entry| entry.expect("dir entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_backends_have_the_same_migration_files() {
    let [sqlite, postgres] = MIGRATION_DIRS.map(file_names);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must hold the same file names");
    for name in &sqlite {
        assert!(name.ends_with(".sql"), "{name}");
        assert!(
            name.split('_').next().is_some_and(|v| v.chars().all(|c| c.is_ascii_digit())),
            "{name} needs a numeric version prefix"
        );
    }
}

async fn migrations_apply_from_empty_and_are_idempotent(app: TestApp) {
    let expected = file_names(MIGRATION_DIRS[0]).len() as i64;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT CAST(COUNT(*) AS BIGINT) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(app.db.pool())
            .await
            .expect("count migrations")
    };
    assert_eq!(count().await, expected);
    app.db.migrate().await.expect("second run is a no-op");
    app.db.migrate().await.expect("third run is a no-op");
    assert_eq!(count().await, expected);
    for table in ["organisations", "organisation_qualifications", "users", "audit_events"] {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"))
            .fetch_one(app.db.pool())
            .await
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        assert_eq!(rows, 0, "{table} starts empty");
    }
}

async fn schema_enforces_vocabularies(app: TestApp) {
    let now = "2026-11-28T00:00:00.000000Z";
    let insert = |kind: &'static str, nature: &'static str, region: &'static str| {
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, nature_code, region_code, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(format!("单位{}", uuid::Uuid::now_v7().simple()))
        .bind(kind)
        .bind(nature)
        .bind(region)
        .bind(now)
        .execute(app.db.pool())
    };
    insert("enterprise", "enterprise_private", "620503").await.expect("valid row");
    assert!(insert("factory", "enterprise_private", "620503").await.is_err(), "unknown kind refused");
    assert!(insert("enterprise", "company", "620503").await.is_err(), "unknown nature refused");
    assert!(insert("enterprise", "enterprise_private", "6205").await.is_err(), "short region code refused");
}

async fn write_transactions_serialise_without_lock_errors(app: TestApp) {
    // Many concurrent writers: on SQLite each takes the write lock up front (BEGIN IMMEDIATE) and
    // waits its turn instead of failing with "database is locked".
    let mut tasks = Vec::new();
    for i in 0..16 {
        let db = app.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin_write().await?;
            let n: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM organisations").fetch_one(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO organisations (id, name, kind, nature_code, region_code, created_at, updated_at) VALUES ($1, $2, 'enterprise', 'enterprise_private', '620503', 'x', 'x')",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(format!("并发企业{i}-{n}"))
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }));
    }
    for task in tasks {
        task.await.expect("task").expect("write succeeds");
    }
    let rows: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM organisations")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(rows, 16);
}

on_both_databases!(
    migrations_apply_from_empty_and_are_idempotent,
    schema_enforces_vocabularies,
    write_transactions_serialise_without_lock_errors,
);

#[rocket::async_test]
async fn sqlite_connections_use_wal_full_sync_and_foreign_keys() {
    let app = TestApp::start_with(None, |f| f).await;
    assert_eq!(app.backend(), Backend::Sqlite);
    let mut conn = app.db.pool().acquire().await.expect("connection");
    let mode: String = sqlx::query("PRAGMA journal_mode").fetch_one(&mut *conn).await.expect("pragma").get(0);
    assert_eq!(mode, "wal");
    let sync: i64 = sqlx::query("PRAGMA synchronous").fetch_one(&mut *conn).await.expect("pragma").get(0);
    assert_eq!(sync, 2, "synchronous=FULL");
    let fk: i64 = sqlx::query("PRAGMA foreign_keys").fetch_one(&mut *conn).await.expect("pragma").get(0);
    assert_eq!(fk, 1);
    let timeout: i64 = sqlx::query("PRAGMA busy_timeout").fetch_one(&mut *conn).await.expect("pragma").get(0);
    assert_eq!(timeout, 5000);
}
