//! Auctions in SQL: the auction row (current price, leader, end, written by each accepted bid),
//! qualified bidders with their 竞买人 numbers, and the append-only bids.

use sqlx::AnyConnection;

use super::model::Plan;
use crate::db::Db;
use crate::domain::time::{now_stored, to_stored};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuctionRow {
    pub id: String,
    pub achievement_id: String,
    pub seller_organisation_id: String,
    pub seller_name: String,
    pub agency_organisation_id: Option<String>,
    pub agency_name: Option<String>,
    pub offering_id: Option<String>,
    pub title: String,
    pub rules: String,
    pub opening_price_fen: i64,
    pub increment_fen: i64,
    pub reserve_fen: Option<i64>,
    pub starts_at: String,
    pub scheduled_end_at: String,
    pub ends_at: String,
    pub extend_minutes: i64,
    pub current_price_fen: Option<i64>,
    pub leader_organisation_id: Option<String>,
    pub leader_name: Option<String>,
    pub bid_count: i64,
    pub status: String,
    pub settled_at: Option<String>,
    pub created_by: String,
    pub is_demo: i64,
}

const SELECT: &str = "SELECT a.id, a.achievement_id, a.seller_organisation_id, s.name AS seller_name, \
    a.agency_organisation_id, g.name AS agency_name, a.offering_id, a.title, a.rules, a.opening_price_fen, a.increment_fen, \
    a.reserve_fen, a.starts_at, a.scheduled_end_at, a.ends_at, a.extend_minutes, a.current_price_fen, \
    a.leader_organisation_id, l.name AS leader_name, a.bid_count, a.status, a.settled_at, a.created_by, a.is_demo \
    FROM auctions a JOIN organisations s ON s.id = a.seller_organisation_id \
    LEFT JOIN organisations g ON g.id = a.agency_organisation_id \
    LEFT JOIN organisations l ON l.id = a.leader_organisation_id";

/// Who sells what, for a new auction.
pub struct NewAuction<'a> {
    pub achievement_id: &'a str,
    pub seller_organisation_id: &'a str,
    pub agency_organisation_id: Option<&'a str>,
    pub offering_id: Option<&'a str>,
    pub title: &'a str,
    pub created_by: &'a str,
    pub is_demo: i64,
}

pub async fn insert(conn: &mut AnyConnection, new: &NewAuction<'_>, plan: &Plan) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO auctions (id, achievement_id, seller_organisation_id, agency_organisation_id, offering_id, title, rules, \
         opening_price_fen, increment_fen, reserve_fen, starts_at, scheduled_end_at, ends_at, extend_minutes, bid_count, \
         status, created_by, created_at, is_demo) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, 0, 'open', $14, $15, $16)",
    )
    .bind(&id)
    .bind(new.achievement_id)
    .bind(new.seller_organisation_id)
    .bind(new.agency_organisation_id)
    .bind(new.offering_id)
    .bind(new.title)
    .bind(&plan.rules)
    .bind(plan.opening.0)
    .bind(plan.increment.0)
    .bind(plan.reserve.map(|r| r.0))
    .bind(to_stored(plan.starts))
    .bind(to_stored(plan.ends))
    .bind(plan.extend_minutes)
    .bind(new.created_by)
    .bind(now_stored())
    .bind(new.is_demo)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn find(db: &Db, id: &str) -> Result<Option<AuctionRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE a.id = $1")).bind(id).fetch_optional(db.pool()).await
}

/// The row inside a transaction (after it was locked).
pub async fn find_in(conn: &mut AnyConnection, id: &str) -> Result<Option<AuctionRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE a.id = $1")).bind(id).fetch_optional(conn).await
}

/// Running and coming auctions (soonest end first), or finished ones (latest first).
pub async fn list(db: &Db, now: &str, finished: bool, limit: i64) -> Result<Vec<AuctionRow>, sqlx::Error> {
    let sql = if finished {
        format!("{SELECT} WHERE a.status <> 'open' OR a.ends_at <= $1 ORDER BY a.ends_at DESC, a.id DESC LIMIT $2")
    } else {
        format!("{SELECT} WHERE a.status = 'open' AND a.ends_at > $1 ORDER BY a.ends_at, a.id LIMIT $2")
    };
    sqlx::query_as(&sql).bind(now).bind(limit).fetch_all(db.pool()).await
}

pub async fn for_achievement(db: &Db, achievement_id: &str) -> Result<Vec<AuctionRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE a.achievement_id = $1 ORDER BY a.starts_at DESC, a.id DESC LIMIT 20"))
        .bind(achievement_id)
        .fetch_all(db.pool())
        .await
}

/// Open auctions whose end has passed.
pub async fn due(db: &Db, now: &str, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM auctions WHERE status = 'open' AND ends_at <= $1 ORDER BY ends_at, id LIMIT $2")
        .bind(now)
        .bind(limit)
        .fetch_all(db.pool())
        .await
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct BidderRow {
    pub organisation_id: String,
    pub name: String,
    pub number: i64,
    pub approved_at: String,
    pub note: String,
}

pub async fn bidders(db: &Db, auction_id: &str) -> Result<Vec<BidderRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT b.organisation_id, o.name, b.number, b.approved_at, b.note FROM auction_bidders b \
         JOIN organisations o ON o.id = b.organisation_id WHERE b.auction_id = $1 ORDER BY b.number",
    )
    .bind(auction_id)
    .fetch_all(db.pool())
    .await
}

/// A bidder's number, when the organisation is qualified for this auction.
pub async fn bidder_number(db: &Db, auction_id: &str, organisation_id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT number FROM auction_bidders WHERE auction_id = $1 AND organisation_id = $2")
        .bind(auction_id)
        .bind(organisation_id)
        .fetch_optional(db.pool())
        .await
}

/// Qualifies an organisation with the next number; false when it already was.
pub async fn add_bidder(
    conn: &mut AnyConnection,
    auction_id: &str,
    organisation_id: &str,
    by: &str,
    note: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO auction_bidders (auction_id, organisation_id, number, approved_by, approved_at, note) \
         SELECT $1, $2, COALESCE(MAX(number), 0) + 1, $3, $4, $5 FROM auction_bidders WHERE auction_id = $1 \
         HAVING NOT EXISTS (SELECT 1 FROM auction_bidders WHERE auction_id = $1 AND organisation_id = $2)",
    )
    .bind(auction_id)
    .bind(organisation_id)
    .bind(by)
    .bind(now_stored())
    .bind(note)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BidRow {
    pub seq: i64,
    pub organisation_id: String,
    pub number: i64,
    pub amount_fen: i64,
    pub placed_at: String,
    pub ends_at: String,
}

/// The newest bids first.
pub async fn bids(db: &Db, auction_id: &str, limit: i64) -> Result<Vec<BidRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT b.seq, b.organisation_id, COALESCE(q.number, 0) AS number, b.amount_fen, b.placed_at, b.ends_at \
         FROM auction_bids b LEFT JOIN auction_bidders q ON q.auction_id = b.auction_id AND q.organisation_id = b.organisation_id \
         WHERE b.auction_id = $1 ORDER BY b.seq DESC LIMIT $2",
    )
    .bind(auction_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// Takes the auction row's lock (PostgreSQL; SQLite's write transaction already serialises):
/// every bid, qualification and settlement updates this row first.
pub async fn lock(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE auctions SET bid_count = bid_count WHERE id = $1").bind(id).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Cancels an auction that has no bid yet.
pub async fn cancel(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE auctions SET status = 'cancelled', settled_at = $1 WHERE id = $2 AND status = 'open' AND bid_count = 0",
    )
    .bind(now_stored())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
