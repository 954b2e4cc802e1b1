//! Reading a person's messages and marking them read.

use serde::Serialize;

use super::Topic;
use crate::db::Db;
use crate::domain::time::{chinese_datetime_text, now_stored};

/// A message as shown and returned by the API.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub id: String,
    pub topic: String,
    pub topic_label: &'static str,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: String,
    pub created_label: String,
    pub read: bool,
}

type Row = (String, String, String, String, String, String, Option<String>);

fn message((id, kind, title, body, link, created_at, read_at): Row) -> Message {
    Message {
        id,
        topic_label: Topic::from_code(&kind).map(Topic::label).unwrap_or("通知"),
        topic: kind,
        title,
        body,
        link,
        created_label: chinese_datetime_text(&created_at),
        created_at,
        read: read_at.is_some(),
    }
}

/// The newest messages of a user (only the unread ones if asked), newest first.
pub async fn list(db: &Db, user_id: &str, unread_only: bool, limit: i64) -> Result<Vec<Message>, sqlx::Error> {
    let filter = if unread_only { " AND read_at IS NULL" } else { "" };
    let sql = format!(
        "SELECT id, kind, title, body, link, created_at, read_at FROM inbox_messages \
         WHERE user_id = $1{filter} ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql).bind(user_id).bind(limit).fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(message).collect())
}

pub async fn unread_count(db: &Db, user_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM inbox_messages WHERE user_id = $1 AND read_at IS NULL")
        .bind(user_id)
        .fetch_one(db.pool())
        .await
}

/// Marks one of the user's messages read; returns it (None when it is not theirs).
pub async fn mark_read(db: &Db, user_id: &str, id: &str) -> Result<Option<Message>, sqlx::Error> {
    sqlx::query("UPDATE inbox_messages SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL")
        .bind(now_stored())
        .bind(id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, kind, title, body, link, created_at, read_at FROM inbox_messages WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(message))
}

/// Marks every unread message of the user read; returns how many.
pub async fn mark_all_read(db: &Db, user_id: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE inbox_messages SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(now_stored())
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
