//! Placing a bid: one write transaction that locks the auction row, judges the bid against the
//! price as it stands, moves the price, leader and (for a late bid) the end, appends the bid and
//! its audit event, and tells the bidder who was outbid. Concurrent bids queue on the row, so the
//! accepted ones are strictly increasing by at least the increment and the last is the winner.

use serde_json::json;
use time::OffsetDateTime;

use super::model::{Refusal, Standing};
use super::store::{self, AuctionRow};
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::forms::Checker;
use crate::domain::money::Fen;
use crate::domain::time::{parse_stored, to_stored};
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::inbox::{Notice, Topic, deliver};

/// A bid as typed: the amount in 万元 (a `元` suffix is read as yuan).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct BidInput {
    pub amount: Option<String>,
}

/// An accepted bid.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Accepted {
    pub auction_id: String,
    pub seq: i64,
    pub number: i64,
    pub amount_fen: i64,
    pub placed_at: String,
    pub ends_at: String,
    pub extended: bool,
}

pub fn standing(row: &AuctionRow) -> Result<Standing, AppError> {
    let (Some(starts), Some(ends)) = (parse_stored(&row.starts_at), parse_stored(&row.ends_at)) else {
        return Err(AppError::internal("an auction's times cannot be read"));
    };
    Ok(Standing {
        open: row.status == "open",
        opening: Fen(row.opening_price_fen),
        increment: Fen(row.increment_fen),
        current: row.current_price_fen.map(Fen),
        starts,
        ends,
        extend_minutes: row.extend_minutes,
    })
}

fn refused(refusal: Refusal) -> AppError {
    match refusal {
        Refusal::NotStarted => AppError::conflict(ErrorCode::AuctionNotRunning, "竞价尚未开始"),
        Refusal::Ended => AppError::conflict(ErrorCode::AuctionNotRunning, "竞价已经结束"),
        Refusal::TooLow { minimum } => AppError::conflict(
            ErrorCode::BidTooLow,
            format!("出价须不低于 {}（当前价加一个加价幅度；首次出价不低于起拍价）", minimum.format_wan()),
        ),
    }
}

/// Who may bid: an approved member of a qualified organisation that is not the seller.
pub async fn bidder(db: &Db, caller: &Caller<'_>, auction: &AuctionRow) -> Result<(String, i64), AppError> {
    let Some(org) = caller.user.organisation_id.clone().filter(|_| caller.active()) else {
        return Err(AppError::forbidden(ErrorCode::NotQualifiedBidder, "只有已审核并获得竞买资格的单位成员可以出价"));
    };
    if org == auction.seller_organisation_id {
        return Err(AppError::forbidden(ErrorCode::NotQualifiedBidder, "成果所属单位不能参与本单位成果的竞价"));
    }
    match store::bidder_number(db, &auction.id, &org).await? {
        Some(number) => Ok((org, number)),
        None => Err(AppError::forbidden(
            ErrorCode::NotQualifiedBidder,
            "贵单位尚未获得本场竞价的竞买资格（请先向组织方报名并缴纳保证金）",
        )),
    }
}

fn not_found() -> AppError {
    AppError::not_found(ErrorCode::AuctionNotFound, "竞价项目不存在")
}

/// Places a bid on auction `id` at `now`.
pub async fn place(
    db: &Db,
    caller: &Caller<'_>,
    id: &str,
    input: &BidInput,
    now: OffsetDateTime,
) -> Result<Accepted, FormFailure> {
    let auction = store::find(db, id.trim()).await?.ok_or_else(not_found)?;
    let (org, number) = bidder(db, caller, &auction).await?;
    let mut check = Checker::default();
    let Some(amount) = crate::trading::rules::price(&mut check, "amount", "出价", input.amount.as_deref()) else {
        return Err(FormFailure::Fields(check.errors));
    };
    // The price only ever rises: a bid already too low against this plain read is refused
    // without queueing for the write lock (everything else is judged again under the lock).
    if let Err(refusal @ Refusal::TooLow { .. }) = standing(&auction)?.judge(amount, now) {
        return Err(refused(refusal).into());
    }
    let mut tx = db.begin_write().await?;
    store::lock(&mut tx, &auction.id).await?;
    let Some(row) = store::find_in(&mut tx, &auction.id).await? else {
        tx.rollback().await?;
        return Err(not_found().into());
    };
    let ends = match standing(&row)?.judge(amount, now) {
        Ok(ends) => ends,
        Err(refusal) => {
            tx.rollback().await?;
            return Err(refused(refusal).into());
        }
    };
    let seq = row.bid_count + 1;
    let (placed_at, ends_at) = (to_stored(now), to_stored(ends));
    sqlx::query(
        "UPDATE auctions SET current_price_fen = $1, leader_organisation_id = $2, bid_count = $3, ends_at = $4 WHERE id = $5",
    )
    .bind(amount.0)
    .bind(&org)
    .bind(seq)
    .bind(&ends_at)
    .bind(&row.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO auction_bids (auction_id, seq, organisation_id, user_id, amount_fen, placed_at, ends_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&row.id)
    .bind(seq)
    .bind(&org)
    .bind(&caller.user.id)
    .bind(amount.0)
    .bind(&placed_at)
    .bind(&ends_at)
    .execute(&mut *tx)
    .await?;
    let extended = ends_at != row.ends_at;
    let details =
        json!({"seq": seq, "amount_fen": amount.0, "bidder": number, "ends_at": ends_at, "extended": extended});
    audit::append(&mut tx, db.backend(), &caller.event("auction.bid", "auction", &row.id, details)).await?;
    if let Some(previous) = row.leader_organisation_id.as_deref().filter(|p| *p != org) {
        let notice =
            Notice::new(Topic::Trade, format!("您的出价已被超过：{}", row.title), format!("/auctions/{}", row.id))
                .with_body(format!("当前价 {}", amount.format_wan()));
        deliver::to_organisation(&mut tx, previous, &notice, None).await?;
    }
    tx.commit().await?;
    Ok(Accepted { auction_id: row.id, seq, number, amount_fen: amount.0, placed_at, ends_at, extended })
}
