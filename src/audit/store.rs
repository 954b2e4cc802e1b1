//! SQL of the audit log: append inside a caller's transaction, read, verify the whole chain.

use futures::TryStreamExt as _;
use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use super::{GENESIS_HASH, NewAuditEvent, event_hash};
use crate::db::dialect::{ChainLock, lock_chain};
use crate::db::{Backend, Db};
use crate::domain::ids::AuditEventId;
use crate::domain::time::now_stored;

/// One stored row of the log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: String,
    pub occurred_at: String,
    pub actor_user_id: Option<String>,
    pub actor_ip: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

const COLUMNS: &str =
    "seq, id, occurred_at, actor_user_id, actor_ip, action, subject_type, subject_id, details, prev_hash, hash";

fn from_row(row: &sqlx::any::AnyRow) -> Result<AuditEvent, sqlx::Error> {
    Ok(AuditEvent {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        occurred_at: row.try_get("occurred_at")?,
        actor_user_id: row.try_get("actor_user_id")?,
        actor_ip: row.try_get("actor_ip")?,
        action: row.try_get("action")?,
        subject_type: row.try_get("subject_type")?,
        subject_id: row.try_get("subject_id")?,
        details: row.try_get("details")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Appends one event inside the caller's write transaction and returns its id.
pub async fn append(
    conn: &mut AnyConnection,
    backend: Backend,
    event: &NewAuditEvent,
) -> Result<AuditEventId, sqlx::Error> {
    let ids = append_many(conn, backend, std::slice::from_ref(event)).await?;
    ids.into_iter().next().ok_or_else(|| sqlx::Error::Protocol("no audit event appended".into()))
}

/// The details as recorded: with the id of the request that caused the event (when one did and
/// the details are an object), so the audit row leads to the request's log lines.
fn with_request_id(details: &serde_json::Value, request_id: Option<&str>) -> serde_json::Value {
    match (details, request_id) {
        (serde_json::Value::Object(map), Some(id)) if !map.contains_key("request_id") => {
            let mut map = map.clone();
            map.insert("request_id".into(), serde_json::Value::String(id.to_string()));
            serde_json::Value::Object(map)
        }
        _ => details.clone(),
    }
}

/// Appends events in order inside the caller's write transaction, reading the chain's head
/// once (bulk work); returns their ids.
pub async fn append_many(
    conn: &mut AnyConnection,
    backend: Backend,
    events: &[NewAuditEvent],
) -> Result<Vec<AuditEventId>, sqlx::Error> {
    lock_chain(conn, backend, ChainLock::Audit).await?;
    let mut prev_hash: String = sqlx::query_scalar("SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or_else(|| GENESIS_HASH.to_string());
    let mut ids = Vec::with_capacity(events.len());
    let mut rows = Vec::with_capacity(events.len());
    let request_id = crate::web::request_id::current();
    for event in events {
        let id = AuditEventId::new();
        let id_text = id.to_string();
        let occurred_at = now_stored();
        let details = with_request_id(&event.details, request_id.as_deref()).to_string();
        let hash = event_hash(
            &prev_hash,
            &id_text,
            &occurred_at,
            event.actor_user_id.as_deref(),
            event.actor_ip.as_deref(),
            &event.action,
            &event.subject_type,
            &event.subject_id,
            &details,
        );
        rows.push((id_text, occurred_at, event, details, std::mem::replace(&mut prev_hash, hash.clone()), hash));
        ids.push(id);
    }
    // Multi-row statements, in chain order (seq follows insertion order).
    for chunk in rows.chunks(40) {
        let sql = format!(
            "INSERT INTO audit_events (id, occurred_at, actor_user_id, actor_ip, action, subject_type, subject_id, details, prev_hash, hash) \
             VALUES {}",
            crate::db::values_tuples(chunk.len(), 10)
        );
        let mut query = sqlx::query(&sql);
        for (id, occurred_at, event, details, prev, hash) in chunk {
            query = query
                .bind(id.clone())
                .bind(occurred_at.clone())
                .bind(event.actor_user_id.clone())
                .bind(event.actor_ip.clone())
                .bind(event.action.clone())
                .bind(event.subject_type.clone())
                .bind(event.subject_id.clone())
                .bind(details.clone())
                .bind(prev.clone())
                .bind(hash.clone());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(ids)
}

/// The latest events about one subject, newest first.
pub async fn recent_for_subject(
    db: &Db,
    subject_type: &str,
    subject_id: &str,
    limit: i64,
) -> Result<Vec<AuditEvent>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_events WHERE subject_type = $1 AND subject_id = $2 ORDER BY seq DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql).bind(subject_type).bind(subject_id).bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// Where the chain breaks, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub id: String,
    pub reason: String,
}

/// The outcome of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub checked: u64,
    pub first_broken: Option<BrokenLink>,
}

/// Recomputes every hash in order and reports the first row whose parent or content differs.
/// Streams rows, so memory stays flat however long the log grows.
pub async fn verify(db: &Db) -> Result<VerifyReport, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM audit_events ORDER BY seq");
    let mut rows = sqlx::query(&sql).fetch(db.pool());
    let mut expected_parent = GENESIS_HASH.to_string();
    let mut checked = 0u64;
    while let Some(row) = rows.try_next().await? {
        let event = from_row(&row)?;
        checked += 1;
        if event.prev_hash != expected_parent {
            return Ok(broken(checked, event, "上一条记录的哈希不符：其前的记录被删除、插入或修改"));
        }
        let recomputed = event_hash(
            &event.prev_hash,
            &event.id,
            &event.occurred_at,
            event.actor_user_id.as_deref(),
            event.actor_ip.as_deref(),
            &event.action,
            &event.subject_type,
            &event.subject_id,
            &event.details,
        );
        if recomputed != event.hash {
            return Ok(broken(checked, event, "记录内容与其哈希不符：该记录被修改"));
        }
        expected_parent = event.hash;
    }
    Ok(VerifyReport { checked, first_broken: None })
}

fn broken(checked: u64, event: AuditEvent, reason: &str) -> VerifyReport {
    VerifyReport {
        checked,
        first_broken: Some(BrokenLink { seq: event.seq, id: event.id, reason: reason.to_string() }),
    }
}
