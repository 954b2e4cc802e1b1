//! Doing a create exactly once (contracts, listings): an API client's `Idempotency-Key` and a
//! form's one-time token are claimed in the same transaction that makes the row, so a replay, a
//! double click or two parallel requests find what the first one made instead of making another.

use sqlx::{AnyConnection, Row as _};

use super::Db;
use crate::domain::time::now_stored;
use crate::error::ErrorCode;
use crate::secrets::{hash_secret, random_token};

/// What claiming a key or token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Ours: go ahead and create `result_id`.
    Fresh,
    /// Used before, for this result.
    Replay(String),
    /// An idempotency key reused with a different request body.
    Mismatch,
    /// A form token this user was never given.
    Unknown,
}

/// The hash a key is bound to: the operation and its body, so one key reused for another
/// endpoint or another body is told apart from a replay.
pub fn request_hash(operation: &str, body: &impl serde::Serialize) -> String {
    hash_secret(&format!("{operation}\n{}", serde_json::to_string(body).unwrap_or_default()))
}

/// A create's outcome: the row, and whether an earlier request had already made it.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    pub replayed: bool,
}

/// Claims an API idempotency key for `result_id`. Concurrent claims of one key wait for the first
/// transaction (the primary key) and then see its result.
pub async fn claim_key(
    conn: &mut AnyConnection,
    user_id: &str,
    key: &str,
    request_hash: &str,
    result_id: &str,
) -> Result<Claim, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, result_id, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id, idem_key) DO NOTHING",
    )
    .bind(user_id)
    .bind(key)
    .bind(request_hash)
    .bind(result_id)
    .bind(now_stored())
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::Fresh);
    }
    let row = sqlx::query("SELECT request_hash, result_id FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2")
        .bind(user_id)
        .bind(key)
        .fetch_one(conn)
        .await?;
    let stored_hash: String = row.try_get("request_hash")?;
    Ok(if stored_hash == request_hash { Claim::Replay(row.try_get("result_id")?) } else { Claim::Mismatch })
}

/// The answer to a key used before with another request.
pub fn key_reused() -> crate::error::AppError {
    crate::error::AppError::new(
        rocket::http::Status::UnprocessableEntity,
        ErrorCode::IdempotencyKeyReused,
        "同一个 Idempotency-Key 已用于内容不同的请求，请为新的内容使用新的键",
    )
}

/// Claims `key` (if any) for `result_id` inside the create's transaction: `Ok(None)` to go on
/// creating, `Ok(Some(earlier))` when an earlier request made it (roll back and answer that).
pub async fn claim_optional_key(
    conn: &mut AnyConnection,
    user_id: &str,
    key: Option<(&str, &str)>,
    result_id: &str,
) -> Result<Option<String>, crate::error::AppError> {
    let Some((key, request_hash)) = key else {
        return Ok(None);
    };
    match claim_key(conn, user_id, key, request_hash, result_id).await? {
        Claim::Fresh => Ok(None),
        Claim::Replay(earlier) => Ok(Some(earlier)),
        Claim::Mismatch | Claim::Unknown => Err(key_reused()),
    }
}

/// Gives a form a one-time token for `purpose`.
pub async fn issue_form_token(db: &Db, user_id: &str, purpose: &str) -> Result<String, sqlx::Error> {
    let token = random_token(24);
    sqlx::query("INSERT INTO form_tokens (token_hash, user_id, purpose, created_at) VALUES ($1, $2, $3, $4)")
        .bind(hash_secret(&token))
        .bind(user_id)
        .bind(purpose)
        .bind(now_stored())
        .execute(db.pool())
        .await?;
    Ok(token)
}

/// Spends a form's token on `result_id`. The row lock makes a second, parallel submit wait and
/// then find the token spent.
pub async fn spend_form_token(
    conn: &mut AnyConnection,
    token: &str,
    user_id: &str,
    purpose: &str,
    result_id: &str,
) -> Result<Claim, sqlx::Error> {
    let hash = hash_secret(token);
    let spent = sqlx::query(
        "UPDATE form_tokens SET used_at = $1, result_id = $2 \
         WHERE token_hash = $3 AND user_id = $4 AND purpose = $5 AND used_at IS NULL",
    )
    .bind(now_stored())
    .bind(result_id)
    .bind(&hash)
    .bind(user_id)
    .bind(purpose)
    .execute(&mut *conn)
    .await?;
    if spent.rows_affected() == 1 {
        return Ok(Claim::Fresh);
    }
    let earlier: Option<Option<String>> =
        sqlx::query_scalar("SELECT result_id FROM form_tokens WHERE token_hash = $1 AND user_id = $2 AND purpose = $3")
            .bind(&hash)
            .bind(user_id)
            .bind(purpose)
            .fetch_optional(conn)
            .await?;
    Ok(match earlier {
        Some(Some(result)) => Claim::Replay(result),
        _ => Claim::Unknown,
    })
}

/// Forgets form tokens and idempotency keys older than `before` (stored timestamp).
pub async fn prune(db: &Db, before: &str) -> Result<u64, sqlx::Error> {
    let tokens = sqlx::query("DELETE FROM form_tokens WHERE created_at < $1").bind(before).execute(db.pool()).await?;
    let keys =
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(before).execute(db.pool()).await?;
    Ok(tokens.rows_affected() + keys.rows_affected())
}
