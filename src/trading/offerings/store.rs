//! Offerings and intents in SQL.

use sqlx::AnyConnection;

use super::model::Terms;
use crate::db::Db;
use crate::domain::time::{now_stored, to_stored};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfferingRow {
    pub id: String,
    pub achievement_id: String,
    pub organisation_id: String,
    pub seller_name: String,
    pub title: String,
    pub price_fen: i64,
    pub increment_fen: i64,
    pub conditions: String,
    pub starts_at: String,
    pub ends_at: String,
    pub status: String,
    pub auction_id: Option<String>,
    pub buyer_organisation_id: Option<String>,
    pub buyer_name: Option<String>,
    pub intents: i64,
    pub created_by: String,
    pub is_demo: i64,
}

const SELECT: &str = "SELECT f.id, f.achievement_id, f.organisation_id, s.name AS seller_name, f.title, f.price_fen, \
    f.increment_fen, f.conditions, f.starts_at, f.ends_at, f.status, f.auction_id, f.buyer_organisation_id, b.name AS buyer_name, \
    (SELECT COUNT(*) FROM offering_intents i WHERE i.offering_id = f.id) AS intents, f.created_by, f.is_demo \
    FROM offerings f JOIN organisations s ON s.id = f.organisation_id LEFT JOIN organisations b ON b.id = f.buyer_organisation_id";

pub struct NewOffering<'a> {
    pub achievement_id: &'a str,
    pub organisation_id: &'a str,
    pub title: &'a str,
    pub created_by: &'a str,
    pub is_demo: i64,
}

pub async fn insert(conn: &mut AnyConnection, new: &NewOffering<'_>, terms: &Terms) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_stored();
    sqlx::query(
        "INSERT INTO offerings (id, achievement_id, organisation_id, title, price_fen, increment_fen, conditions, starts_at, \
         ends_at, status, created_by, created_at, is_demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $8, $11)",
    )
    .bind(&id)
    .bind(new.achievement_id)
    .bind(new.organisation_id)
    .bind(new.title)
    .bind(terms.price.0)
    .bind(terms.increment.0)
    .bind(&terms.conditions)
    .bind(&now)
    .bind(to_stored(terms.ends))
    .bind(new.created_by)
    .bind(new.is_demo)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn find(db: &Db, id: &str) -> Result<Option<OfferingRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE f.id = $1")).bind(id).fetch_optional(db.pool()).await
}

pub async fn find_in(conn: &mut AnyConnection, id: &str) -> Result<Option<OfferingRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE f.id = $1")).bind(id).fetch_optional(conn).await
}

/// Open offerings first (ending soonest), then the rest newest first.
pub async fn list(db: &Db, limit: i64) -> Result<Vec<OfferingRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} ORDER BY CASE WHEN f.status = 'open' THEN 0 ELSE 1 END, CASE WHEN f.status = 'open' THEN f.ends_at ELSE '' END, \
         f.starts_at DESC, f.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

pub async fn for_achievement(db: &Db, achievement_id: &str) -> Result<Vec<OfferingRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE f.achievement_id = $1 ORDER BY f.starts_at DESC, f.id DESC LIMIT 20"))
        .bind(achievement_id)
        .fetch_all(db.pool())
        .await
}

pub async fn due(db: &Db, now: &str, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM offerings WHERE status = 'open' AND ends_at <= $1 ORDER BY ends_at, id LIMIT $2")
        .bind(now)
        .bind(limit)
        .fetch_all(db.pool())
        .await
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct IntentRow {
    pub organisation_id: String,
    pub name: String,
    pub statement: String,
    pub registered_at: String,
}

pub async fn intents(conn: &mut AnyConnection, offering_id: &str) -> Result<Vec<IntentRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.organisation_id, o.name, i.statement, i.registered_at FROM offering_intents i \
         JOIN organisations o ON o.id = i.organisation_id WHERE i.offering_id = $1 ORDER BY i.registered_at, i.organisation_id",
    )
    .bind(offering_id)
    .fetch_all(conn)
    .await
}

/// Registers an intent; false when the organisation already has one.
pub async fn add_intent(
    conn: &mut AnyConnection,
    offering_id: &str,
    organisation_id: &str,
    user_id: &str,
    statement: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO offering_intents (offering_id, organisation_id, user_id, statement, registered_at) \
         SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS \
         (SELECT 1 FROM offering_intents WHERE offering_id = $1 AND organisation_id = $2)",
    )
    .bind(offering_id)
    .bind(organisation_id)
    .bind(user_id)
    .bind(statement)
    .bind(now_stored())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves an open offering to its outcome; false when it was no longer open.
pub async fn settle(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    buyer: Option<&str>,
    auction: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE offerings SET status = $1, buyer_organisation_id = $2, auction_id = $3, settled_at = $4 WHERE id = $5 AND status = 'open'",
    )
    .bind(status)
    .bind(buyer)
    .bind(auction)
    .bind(now_stored())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
