//! The audit log: appends chain by hash, verification finds tampering, the database refuses edits.

use crate::on_both_databases;
use crate::support::TestApp;
use serde_json::json;
use techmarket::audit::{self, NewAuditEvent};
use techmarket::db::Backend;

async fn append_events(app: &TestApp, count: usize) {
    for i in 0..count {
        let mut tx = app.db.begin_write().await.expect("begin");
        let event = NewAuditEvent {
            actor_user_id: Some(format!("user-{i}")),
            actor_ip: Some("127.0.0.1".into()),
            action: "organisation.create".into(),
            subject_type: "organisation".into(),
            subject_id: format!("org-{i}"),
            details: json!({"name": format!("天水单位{i}"), "amount_fen": i * 100}),
        };
        audit::append(&mut tx, app.backend(), &event).await.expect("append");
        tx.commit().await.expect("commit");
    }
}

async fn seq_of(app: &TestApp, nth: i64) -> i64 {
    sqlx::query_scalar("SELECT seq FROM audit_events ORDER BY seq LIMIT 1 OFFSET $1")
        .bind(nth)
        .fetch_one(app.db.pool())
        .await
        .expect("seq")
}

/// Runs `sql` with the append-only triggers out of the way, as an intruder with database access would.
async fn bypass_triggers(app: &TestApp, sql: &str, seq: i64) {
    let mut tx = app.db.begin_write().await.expect("begin");
    match app.backend() {
        Backend::Sqlite => {
            for trigger in ["audit_events_no_update", "audit_events_no_delete"] {
                sqlx::query(&format!("DROP TRIGGER {trigger}")).execute(&mut *tx).await.expect("drop trigger");
            }
        }
        Backend::Postgres => {
            sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
                .execute(&mut *tx)
                .await
                .expect("disable trigger");
        }
    }
    let done = sqlx::query(sql).bind(seq).execute(&mut *tx).await.expect("tamper");
    assert_eq!(done.rows_affected(), 1);
    tx.commit().await.expect("commit");
}

async fn audit_chain_verifies(app: TestApp) {
    let empty = audit::verify(&app.db).await.expect("verify");
    assert_eq!((empty.checked, empty.first_broken), (0, None));
    append_events(&app, 5).await;
    let report = audit::verify(&app.db).await.expect("verify");
    assert_eq!(report.checked, 5);
    assert_eq!(report.first_broken, None);
    let latest = audit::recent_for_subject(&app.db, "organisation", "org-4", 10).await.expect("read");
    assert_eq!(latest.len(), 1);
    let details: serde_json::Value = serde_json::from_str(&latest[0].details).expect("json");
    assert_eq!(details, json!({"name": "天水单位4", "amount_fen": 400}));
    assert_eq!(latest[0].actor_ip.as_deref(), Some("127.0.0.1"));
}

async fn audit_detects_an_edited_row(app: TestApp) {
    append_events(&app, 4).await;
    let second = seq_of(&app, 1).await;
    bypass_triggers(&app, "UPDATE audit_events SET details = '{\"amount_fen\":999999}' WHERE seq = $1", second).await;
    let report = audit::verify(&app.db).await.expect("verify");
    let broken = report.first_broken.expect("tampering is detected");
    assert_eq!(broken.seq, second);
    assert!(broken.reason.contains("修改"), "{}", broken.reason);
}

async fn audit_detects_a_removed_row(app: TestApp) {
    append_events(&app, 4).await;
    let second = seq_of(&app, 1).await;
    let third = seq_of(&app, 2).await;
    bypass_triggers(&app, "DELETE FROM audit_events WHERE seq = $1", second).await;
    let broken = audit::verify(&app.db).await.expect("verify").first_broken.expect("removal is detected");
    assert_eq!(broken.seq, third, "the row after the gap no longer links to its parent");
}

async fn database_refuses_update_and_delete_of_audit_rows(app: TestApp) {
    append_events(&app, 2).await;
    let first = seq_of(&app, 0).await;
    let update =
        sqlx::query("UPDATE audit_events SET action = 'x' WHERE seq = $1").bind(first).execute(app.db.pool()).await;
    let message = update.expect_err("update refused").to_string();
    assert!(message.contains("append-only"), "{message}");
    let delete = sqlx::query("DELETE FROM audit_events WHERE seq = $1").bind(first).execute(app.db.pool()).await;
    assert!(delete.expect_err("delete refused").to_string().contains("append-only"));
    let delete_all = sqlx::query("DELETE FROM audit_events").execute(app.db.pool()).await;
    assert!(delete_all.is_err());
    if app.backend() == Backend::Postgres {
        assert!(sqlx::query("TRUNCATE audit_events").execute(app.db.pool()).await.is_err());
    }
    let report = audit::verify(&app.db).await.expect("verify");
    assert_eq!((report.checked, report.first_broken), (2, None));
}

async fn concurrent_appends_keep_one_chain(app: TestApp) {
    let mut tasks = Vec::new();
    for worker in 0..6 {
        let db = app.db.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..5 {
                let mut tx = db.begin_write().await?;
                let event = NewAuditEvent::system("test.append", "worker", &format!("{worker}-{i}"), json!({}));
                audit::append(&mut tx, db.backend(), &event).await?;
                tx.commit().await?;
            }
            Ok::<_, sqlx::Error>(())
        }));
    }
    for task in tasks {
        task.await.expect("task").expect("appends");
    }
    let report = audit::verify(&app.db).await.expect("verify");
    assert_eq!((report.checked, report.first_broken), (30, None));
}

async fn sign_ins_and_failures_are_recorded_with_address_and_request_id(app: TestApp) {
    use rocket::http::{ContentType, Header};
    let admin = crate::accounts_support::create_admin(&app).await;
    for (password, request_id) in
        [("wrong-password", "req-failed-0001"), (crate::accounts_support::PASSWORD, "req-signin-0001")]
    {
        let token = crate::accounts_support::csrf_of(&app.client).await;
        app.client
            .post("/login")
            .header(ContentType::Form)
            .header(Header::new("X-Request-Id", request_id))
            .body(format!(
                "_csrf={token}&login={}&password={}",
                crate::accounts_support::encode(&admin.login),
                crate::accounts_support::encode(password)
            ))
            .dispatch()
            .await;
    }
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT action, actor_ip, details FROM audit_events WHERE action IN ('account.sign_in_failed', 'account.signed_in') ORDER BY seq",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("rows");
    let actions: Vec<&str> = rows.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(actions, ["account.sign_in_failed", "account.signed_in"]);
    for ((_, ip, details), request_id) in rows.iter().zip(["req-failed-0001", "req-signin-0001"]) {
        assert!(ip.as_deref().is_some_and(|ip| !ip.is_empty()), "the client address is recorded");
        let details: serde_json::Value = serde_json::from_str(details).expect("json");
        assert_eq!(details["request_id"], request_id);
    }
    let report = audit::verify(&app.db).await.expect("verify");
    assert!(report.first_broken.is_none());
}

on_both_databases!(
    sign_ins_and_failures_are_recorded_with_address_and_request_id,
    audit_chain_verifies,
    audit_detects_an_edited_row,
    audit_detects_a_removed_row,
    database_refuses_update_and_delete_of_audit_rows,
    concurrent_appends_keep_one_chain,
);
