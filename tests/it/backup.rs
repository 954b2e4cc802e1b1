//! Backups as an operator takes them: `techmarket backup` while data is being written, the copy
//! complete on its own, `techmarket restore` into an empty place that then verifies (audit chain,
//! contract totals) and has its search index rebuilt; a stopped SQLite server leaves one file.

use rocket::http::Status;
use serde_json::json;
use sqlx::Executor as _;
use techmarket::db::{Backend, Db};

use crate::accounts_support::{active, create_admin, signed_in};
use crate::achievements::published_listing;
use crate::contracts::{complete_contract, parties, registered};
use crate::on_both_databases;
use crate::server::techmarket;
use crate::support::{TestApp, postgres_url, with_database};

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"))
        .fetch_one(db.pool())
        .await
        .expect(table)
}

async fn a_backup_restores_verified_with_its_index(app: TestApp) {
    // Something worth keeping: a published listing, a registered contract, their audit events.
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, techmarket::domain::account::Role::Researcher).await;
    let owner = app.another_client().await;
    signed_in(&owner, &researcher).await;
    let admin_client = app.another_client().await;
    signed_in(&admin_client, &admin).await;
    published_listing(&owner, &admin_client).await;
    let p = parties(&app).await;
    registered(&p, &complete_contract(&p.buyer_org), "2026620503000101").await;
    let audit_events = count(&app.db, "audit_events").await;

    let dir = app.dir.path().join("ops");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("backups").join("techmarket.backup");
    let made = techmarket(&dir, &app.database_url).arg("backup").arg(&file).output().expect("backup");
    let stdout = String::from_utf8_lossy(&made.stdout);
    assert!(made.status.success(), "{stdout}{}", String::from_utf8_lossy(&made.stderr));
    assert!(stdout.contains("备份完成") && stdout.contains("哈希链完整"), "{stdout}");
    assert!(stdout.contains(&format!("审计日志 {audit_events} 条")), "{stdout}");
    let again = techmarket(&dir, &app.database_url).arg("backup").arg(&file).output().expect("backup");
    assert!(!again.status.success(), "an existing file is never overwritten");

    // Restore somewhere empty: a new SQLite file, or a new PostgreSQL database.
    let (target, cleanup) = match app.backend() {
        Backend::Sqlite => (techmarket::config::sqlite_url_for(&dir.join("restored").join("techmarket.db")), None),
        Backend::Postgres => {
            let base = postgres_url().expect("postgres");
            let name = format!("tm_restore_{}", uuid::Uuid::now_v7().simple());
            let admin_db = Db::connect(&base, 1).await.expect("connect");
            admin_db.pool().execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create");
            admin_db.close().await;
            (with_database(&base, &name), Some((base, name)))
        }
    };
    let restored = techmarket(&dir, &target).arg("restore").arg(&file).output().expect("restore");
    let stdout = String::from_utf8_lossy(&restored.stdout);
    assert!(restored.status.success(), "{stdout}{}", String::from_utf8_lossy(&restored.stderr));
    assert!(stdout.contains("恢复完成") && stdout.contains("搜索索引已重建：1 篇文档"), "{stdout}");
    let copy = Db::connect(&target, 1).await.expect("restored database");
    assert_eq!(count(&copy, "audit_events").await, audit_events);
    assert_eq!(count(&copy, "contracts").await, 1);
    let verify = techmarket(&dir, &target).args(["audit", "verify"]).output().expect("verify");
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    // A second restore over data needs --force.
    let refused = techmarket(&dir, &target).arg("restore").arg(&file).output().expect("restore");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    copy.close().await;
    if let Some((base, name)) = cleanup {
        let admin_db = Db::connect(&base, 1).await.expect("connect");
        let _ = admin_db.pool().execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
        admin_db.close().await;
    }
    assert_eq!(app.get("/api/v1/health").await.status(), Status::Ok, "the source kept serving");
}

#[rocket::async_test]
async fn a_closed_sqlite_database_is_one_file() {
    let dir = tempfile::tempdir().expect("dir");
    let url = techmarket::config::sqlite_url_for(&dir.path().join("t.db"));
    let db = Db::open(&url, 2).await.expect("open");
    for i in 0..300 {
        let event = techmarket::audit::NewAuditEvent::system("test.wal", "thing", &i.to_string(), json!({"i": i}));
        let mut tx = db.begin_write().await.expect("begin");
        techmarket::audit::append(&mut tx, db.backend(), &event).await.expect("append");
        tx.commit().await.expect("commit");
    }
    let wal = dir.path().join("t.db-wal");
    assert!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0, "writes went to the write-ahead log");
    db.close().await;
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0, "closing folded the log into the file");
    // The main file alone holds everything.
    let lone = dir.path().join("lone.db");
    std::fs::copy(dir.path().join("t.db"), &lone).expect("copy");
    let copy = Db::connect(&techmarket::config::sqlite_url_for(&lone), 1).await.expect("open copy");
    assert_eq!(count(&copy, "audit_events").await, 300);
    copy.close().await;
}

on_both_databases!(a_backup_restores_verified_with_its_index);
