//! SQL of saved searches and the listings each has reported.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use super::model::Plan;
use crate::db::Db;
use crate::domain::time::now_stored;

/// A stored saved search.
#[derive(Debug, Clone, Serialize)]
pub struct SavedSearch {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub params: BTreeMap<String, String>,
    pub notify_inbox: bool,
    pub notify_digest: bool,
    pub notify_webhook: bool,
    pub created_at: String,
    pub checked_at: String,
    pub digest_on: Option<String>,
    /// Listings reported so far.
    pub found: i64,
}

const SELECT: &str = "SELECT s.id, s.user_id, s.name, s.params, s.notify_inbox, s.notify_digest, s.notify_webhook, \
     s.created_at, s.checked_at, s.digest_on, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM saved_search_hits h WHERE h.search_id = s.id) AS found \
     FROM saved_searches s";

fn read(row: &sqlx::any::AnyRow) -> Result<SavedSearch, sqlx::Error> {
    let params: String = row.try_get("params")?;
    Ok(SavedSearch {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        params: serde_json::from_str(&params).unwrap_or_default(),
        notify_inbox: row.try_get::<i64, _>("notify_inbox")? == 1,
        notify_digest: row.try_get::<i64, _>("notify_digest")? == 1,
        notify_webhook: row.try_get::<i64, _>("notify_webhook")? == 1,
        created_at: row.try_get("created_at")?,
        checked_at: row.try_get("checked_at")?,
        digest_on: row.try_get("digest_on")?,
        found: row.try_get("found")?,
    })
}

pub async fn insert(conn: &mut AnyConnection, user_id: &str, plan: &Plan) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_stored();
    sqlx::query(
        "INSERT INTO saved_searches (id, user_id, name, params, notify_inbox, notify_digest, notify_webhook, created_at, checked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(&plan.name)
    .bind(serde_json::to_string(&plan.params).unwrap_or_else(|_| "{}".into()))
    .bind(i64::from(plan.inbox))
    .bind(i64::from(plan.digest))
    .bind(i64::from(plan.webhook))
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// The person's saved searches, newest first.
pub async fn of_user(db: &Db, user_id: &str) -> Result<Vec<SavedSearch>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE s.user_id = $1 ORDER BY s.created_at DESC, s.id DESC");
    sqlx::query(&sql).bind(user_id).fetch_all(db.pool()).await?.iter().map(read).collect()
}

/// How many the person has, counted inside the transaction that adds one.
pub async fn count_of_user(conn: &mut AnyConnection, user_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM saved_searches WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await
}

/// Every saved search of an active account (the notifier's round), oldest check first.
pub async fn all_active(db: &Db) -> Result<Vec<SavedSearch>, sqlx::Error> {
    let sql = format!(
        "{SELECT} JOIN users u ON u.id = s.user_id WHERE u.status = 'active' ORDER BY s.checked_at, s.id LIMIT 5000"
    );
    sqlx::query(&sql).fetch_all(db.pool()).await?.iter().map(read).collect()
}

/// Deletes one of the person's saved searches; whether it existed.
pub async fn delete(conn: &mut AnyConnection, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let owned: Option<String> = sqlx::query_scalar("SELECT id FROM saved_searches WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    if owned.is_none() {
        return Ok(false);
    }
    sqlx::query("DELETE FROM saved_search_hits WHERE search_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM saved_searches WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(true)
}

/// A listing a search reported.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Found {
    pub kind: String,
    pub listing_id: String,
    pub title: String,
}

/// Records listings as found by a search; those not reported before.
pub async fn record(conn: &mut AnyConnection, search_id: &str, found: &[Found]) -> Result<Vec<Found>, sqlx::Error> {
    let now = now_stored();
    let mut new = Vec::new();
    for listing in found {
        let done = sqlx::query(
            "INSERT INTO saved_search_hits (search_id, kind, listing_id, title, found_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (search_id, kind, listing_id) DO NOTHING",
        )
        .bind(search_id)
        .bind(&listing.kind)
        .bind(&listing.listing_id)
        .bind(&listing.title)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            new.push(listing.clone());
        }
    }
    Ok(new)
}

pub async fn mark_checked(conn: &mut AnyConnection, search_id: &str, at: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE saved_searches SET checked_at = $1 WHERE id = $2")
        .bind(at)
        .bind(search_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What a digest has not reported yet, oldest first; marks it reported and the day done (only
/// when there is something: an empty digest does not use up the day). The day is claimed
/// first, so two nodes never send the same digest.
pub async fn take_digest(conn: &mut AnyConnection, search_id: &str, day: &str) -> Result<Vec<Found>, sqlx::Error> {
    let waiting: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM saved_search_hits WHERE search_id = $1 AND digested_at IS NULL",
    )
    .bind(search_id)
    .fetch_one(&mut *conn)
    .await?;
    if waiting == 0 {
        return Ok(Vec::new());
    }
    let claimed = sqlx::query(
        "UPDATE saved_searches SET digest_on = $1 WHERE id = $2 AND (digest_on IS NULL OR digest_on <> $1)",
    )
    .bind(day)
    .bind(search_id)
    .execute(&mut *conn)
    .await?;
    if claimed.rows_affected() == 0 {
        return Ok(Vec::new());
    }
    let found: Vec<Found> = sqlx::query_as(
        "SELECT kind, listing_id, title FROM saved_search_hits WHERE search_id = $1 AND digested_at IS NULL \
         ORDER BY found_at, listing_id",
    )
    .bind(search_id)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("UPDATE saved_search_hits SET digested_at = $1 WHERE search_id = $2 AND digested_at IS NULL")
        .bind(now_stored())
        .bind(search_id)
        .execute(&mut *conn)
        .await?;
    Ok(found)
}
