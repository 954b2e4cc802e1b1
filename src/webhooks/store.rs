//! Webhook endpoints and their delivery queue, in SQL. A delivery row is written in the same
//! transaction as the event it reports, so an event is never lost and never sent for a change
//! that was rolled back.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::db::Db;
use crate::domain::time::now_stored;

/// An organisation's endpoint (the secret is shown once, at creation, and never again).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Hook {
    pub id: String,
    pub organisation_id: String,
    pub url: String,
    #[serde(serialize_with = "as_bool")]
    pub active: i64,
    pub created_at: String,
}

fn as_bool<S: serde::Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_bool(*value == 1)
}

/// One event for one endpoint: queued, retried, delivered or given up.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Delivery {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_status: Option<i64>,
    pub last_error: String,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

/// A due delivery with what is needed to send it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub id: String,
    pub event: String,
    pub body: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub url: String,
    pub secret: String,
}

/// The most endpoints one organisation keeps.
pub const MAX_HOOKS: i64 = 5;

pub async fn list_for(db: &Db, organisation_id: &str) -> Result<Vec<Hook>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, organisation_id, url, active, created_at FROM webhooks \
         WHERE organisation_id = $1 AND active = 1 ORDER BY created_at, id",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await
}

pub async fn find(db: &Db, id: &str) -> Result<Option<Hook>, sqlx::Error> {
    sqlx::query_as("SELECT id, organisation_id, url, active, created_at FROM webhooks WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await
}

pub async fn insert(
    conn: &mut AnyConnection,
    organisation_id: &str,
    url: &str,
    secret: &str,
    user_id: &str,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO webhooks (id, organisation_id, url, secret, active, created_by, created_at) VALUES ($1, $2, $3, $4, 1, $5, $6)",
    )
    .bind(&id)
    .bind(organisation_id)
    .bind(url)
    .bind(secret)
    .bind(user_id)
    .bind(now_stored())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Switches an endpoint off; its delivery log stays, and pending deliveries are given up.
pub async fn deactivate(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE webhooks SET active = 0 WHERE id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'failed', last_error = '接收地址已删除' WHERE webhook_id = $1 AND status = 'pending'",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn count_active(db: &Db, organisation_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM webhooks WHERE organisation_id = $1 AND active = 1")
        .bind(organisation_id)
        .fetch_one(db.pool())
        .await
}

/// Queues `event` for every active endpoint of the organisation, inside the caller's transaction.
pub async fn enqueue(
    conn: &mut AnyConnection,
    organisation_id: &str,
    event: &str,
    payload: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    let hooks: Vec<String> = sqlx::query_scalar("SELECT id FROM webhooks WHERE organisation_id = $1 AND active = 1")
        .bind(organisation_id)
        .fetch_all(&mut *conn)
        .await?;
    for hook in hooks {
        enqueue_one(conn, &hook, organisation_id, event, payload).await?;
    }
    Ok(())
}

/// Queues `event` for one endpoint; returns the delivery's id.
pub async fn enqueue_one(
    conn: &mut AnyConnection,
    webhook_id: &str,
    organisation_id: &str,
    event: &str,
    payload: &serde_json::Value,
) -> Result<String, sqlx::Error> {
    let now = now_stored();
    let id = uuid::Uuid::now_v7().to_string();
    let body = serde_json::json!({
        "id": id, "event": event, "organisation_id": organisation_id, "occurred_at": now, "data": payload,
    });
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, webhook_id, event, body, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
    )
    .bind(&id)
    .bind(webhook_id)
    .bind(event)
    .bind(body.to_string())
    .bind(&now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// The newest deliveries of an endpoint (the delivery log).
pub async fn deliveries(db: &Db, webhook_id: &str, limit: i64) -> Result<Vec<Delivery>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, webhook_id, event, status, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at \
         FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(webhook_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// Deliveries due at `now` on active endpoints, oldest first.
pub async fn due(db: &Db, now: &str, limit: i64) -> Result<Vec<Due>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.id, d.event, d.body, d.attempts, d.next_attempt_at, w.url, w.secret \
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND w.active = 1 \
         ORDER BY d.next_attempt_at, d.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// Takes a due delivery for one sender: moves its next attempt to `lease_until` only if no other
/// sender has done so since it was read. Returns whether this sender has it.
pub async fn lease(db: &Db, due: &Due, lease_until: &str) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query(
        "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3",
    )
    .bind(lease_until)
    .bind(&due.id)
    .bind(&due.next_attempt_at)
    .execute(db.pool())
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// What one attempt did.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status: &'static str,
    pub http_status: Option<i64>,
    pub error: String,
    pub next_attempt_at: String,
    pub at: String,
}

pub async fn record(db: &Db, id: &str, attempt: &Attempt) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, last_status = $2, last_error = $3, \
         next_attempt_at = $4, delivered_at = CASE WHEN $1 = 'delivered' THEN $5 ELSE delivered_at END WHERE id = $6",
    )
    .bind(attempt.status)
    .bind(attempt.http_status)
    .bind(&attempt.error)
    .bind(&attempt.next_attempt_at)
    .bind(&attempt.at)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Sends a failed (given-up) delivery again from now.
pub async fn retry(db: &Db, webhook_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1 \
         WHERE id = $2 AND webhook_id = $3 AND status = 'failed'",
    )
    .bind(now_stored())
    .bind(id)
    .bind(webhook_id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}
