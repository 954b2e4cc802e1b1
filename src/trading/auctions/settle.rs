//! The end of an auction: once its (possibly extended) end has passed it is settled — sold when
//! a bid meets the reserve, else unsold — in one transaction that locks the row (so a last bid
//! and the settlement cannot cross), records the audit event, closes the 挂牌 it came from, and
//! tells the seller, the winner and the other bidders. Run by the background jobs and on read.

use serde_json::json;
use time::OffsetDateTime;

use super::live::LiveEvent;
use super::model::{self, AuctionStatus};
use super::store;
use crate::audit::{self, NewAuditEvent};
use crate::db::Db;
use crate::domain::money::Fen;
use crate::domain::time::to_stored;
use crate::error::AppError;
use crate::inbox::{Notice, Topic, deliver};

/// Auctions settled per round at most.
const BATCH: i64 = 50;

/// Settles one auction if its end has passed; the event for its watchers when it did.
pub async fn one(db: &Db, id: &str, now: OffsetDateTime) -> Result<Option<LiveEvent>, AppError> {
    let stamp = to_stored(now);
    let mut tx = db.begin_write().await?;
    store::lock(&mut tx, id).await?;
    let Some(row) = store::find_in(&mut tx, id).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    if row.status != "open" || row.ends_at.as_str() > stamp.as_str() {
        tx.rollback().await?;
        return Ok(None);
    }
    let outcome = model::outcome(row.current_price_fen.map(Fen), row.reserve_fen.map(Fen));
    sqlx::query("UPDATE auctions SET status = $1, settled_at = $2 WHERE id = $3 AND status = 'open'")
        .bind(outcome.code())
        .bind(&stamp)
        .bind(&row.id)
        .execute(&mut *tx)
        .await?;
    let sold = outcome == AuctionStatus::Sold;
    let winner = row.leader_organisation_id.clone().filter(|_| sold);
    if let Some(offering) = &row.offering_id {
        sqlx::query(
            "UPDATE offerings SET status = $1, buyer_organisation_id = $2, settled_at = $3 WHERE id = $4 AND status = 'bidding'",
        )
        .bind(if sold { "agreed" } else { "unsold" })
        .bind(winner.as_deref())
        .bind(&stamp)
        .bind(offering)
        .execute(&mut *tx)
        .await?;
    }
    let details = json!({"status": outcome.code(), "price_fen": row.current_price_fen.filter(|_| sold),
        "winner_organisation_id": winner, "bids": row.bid_count});
    audit::append(
        &mut tx,
        db.backend(),
        &NewAuditEvent::by(None, None, "auction.settled", "auction", &row.id, details),
    )
    .await?;
    let link = format!("/auctions/{}", row.id);
    let price = row.current_price_fen.map(|p| Fen(p).format_wan()).unwrap_or_default();
    let seller_title = if sold {
        format!("竞价成交：{}，成交价 {price}", row.title)
    } else {
        format!("竞价流拍：{}", row.title)
    };
    deliver::to_organisation(
        &mut tx,
        &row.seller_organisation_id,
        &Notice::new(Topic::Trade, seller_title, &link),
        None,
    )
    .await?;
    let bidders: Vec<String> =
        sqlx::query_scalar("SELECT organisation_id FROM auction_bidders WHERE auction_id = $1 ORDER BY number")
            .bind(&row.id)
            .fetch_all(&mut *tx)
            .await?;
    for org in bidders {
        let title = if winner.as_deref() == Some(org.as_str()) {
            format!("恭喜竞得：{}，成交价 {price}，请起草技术合同", row.title)
        } else {
            format!("竞价已结束（{}）：{}", outcome.label(), row.title)
        };
        deliver::to_organisation(&mut tx, &org, &Notice::new(Topic::Trade, title, &link), None).await?;
    }
    tx.commit().await?;
    Ok(Some(LiveEvent {
        kind: "closed",
        auction_id: row.id,
        seq: row.bid_count,
        bidder: String::new(),
        amount_fen: row.current_price_fen.unwrap_or_default(),
        price_text: price,
        bid_count: row.bid_count,
        ends_at: row.ends_at,
        extended: false,
        placed_at: String::new(),
        status: outcome.code().to_string(),
        status_label: outcome.label().to_string(),
    }))
}

/// Settles every auction whose end has passed; the events for their watchers.
pub async fn due(db: &Db, now: OffsetDateTime) -> Result<Vec<LiveEvent>, AppError> {
    let mut events = Vec::new();
    for id in store::due(db, &to_stored(now), BATCH).await? {
        if let Some(event) = one(db, &id, now).await? {
            events.push(event);
        }
    }
    Ok(events)
}
