//! An auction as the pages, the API and the live stream show it: bidders anonymised as 竞买人 N,
//! the reserve hidden (only whether there is one; its value to the organisers), the winner and
//! price published once sold.

use serde::Serialize;

use super::live::LiveEvent;
use super::model::AuctionStatus;
use super::store::{AuctionRow, BidRow};
use crate::domain::money::Fen;
use crate::domain::time::{SHANGHAI, chinese_span, parse_stored};

#[derive(Debug, Clone, Serialize)]
pub struct AuctionView {
    pub id: String,
    pub achievement_id: String,
    pub offering_id: Option<String>,
    pub title: String,
    pub seller_organisation_id: String,
    pub seller_name: String,
    pub agency_name: Option<String>,
    pub rules: String,
    pub opening_price_fen: i64,
    pub opening_text: String,
    pub increment_fen: i64,
    pub increment_text: String,
    pub has_reserve: bool,
    /// The reserve, for the organisers only.
    pub reserve_text: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub scheduled_end_at: String,
    pub when_label: String,
    pub extend_minutes: i64,
    pub current_price_fen: Option<i64>,
    pub current_text: Option<String>,
    /// The least the next bid may be, in 万元 as a form takes it.
    pub next_minimum_wan: String,
    pub next_minimum_text: String,
    pub bid_count: i64,
    /// coming / running / ended (awaiting settlement) / sold / unsold / cancelled.
    pub phase: &'static str,
    pub status: String,
    pub status_label: &'static str,
    pub winner_organisation_id: Option<String>,
    pub winner_name: Option<String>,
    pub is_demo: bool,
}

fn phase(row: &AuctionRow, now: &str) -> (&'static str, &'static str) {
    match AuctionStatus::from_code(&row.status).unwrap_or(AuctionStatus::Open) {
        AuctionStatus::Sold => ("sold", "已成交"),
        AuctionStatus::Unsold => ("unsold", "流拍"),
        AuctionStatus::Cancelled => ("cancelled", "已取消"),
        AuctionStatus::Open if now < row.starts_at.as_str() => ("coming", "即将开始"),
        AuctionStatus::Open if now < row.ends_at.as_str() => ("running", "竞价中"),
        AuctionStatus::Open => ("ended", "已结束，结果确认中"),
    }
}

/// The auction as `now` sees it; `organises` shows the reserve.
pub fn view(row: AuctionRow, now: &str, organises: bool) -> AuctionView {
    let (phase, status_label) = phase(&row, now);
    let next = match row.current_price_fen {
        None => Fen(row.opening_price_fen),
        Some(current) => Fen(current.saturating_add(row.increment_fen)),
    };
    let when_label = match (parse_stored(&row.starts_at), parse_stored(&row.ends_at)) {
        (Some(s), Some(e)) => chinese_span(s, e),
        _ => String::new(),
    };
    let sold = phase == "sold";
    AuctionView {
        opening_text: Fen(row.opening_price_fen).format_wan(),
        increment_text: Fen(row.increment_fen).format_wan(),
        has_reserve: row.reserve_fen.is_some(),
        reserve_text: row.reserve_fen.filter(|_| organises).map(|r| Fen(r).format_wan()),
        current_text: row.current_price_fen.map(|c| Fen(c).format_wan()),
        next_minimum_wan: next.wan_exact(),
        next_minimum_text: next.format_wan(),
        winner_organisation_id: row.leader_organisation_id.clone().filter(|_| sold),
        winner_name: row.leader_name.filter(|_| sold),
        is_demo: row.is_demo == 1,
        phase,
        status_label,
        when_label,
        id: row.id,
        achievement_id: row.achievement_id,
        offering_id: row.offering_id,
        title: row.title,
        seller_organisation_id: row.seller_organisation_id,
        seller_name: row.seller_name,
        agency_name: row.agency_name,
        rules: row.rules,
        opening_price_fen: row.opening_price_fen,
        increment_fen: row.increment_fen,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        scheduled_end_at: row.scheduled_end_at,
        extend_minutes: row.extend_minutes,
        current_price_fen: row.current_price_fen,
        bid_count: row.bid_count,
        status: row.status,
    }
}

/// A bid as the public history shows it.
#[derive(Debug, Clone, Serialize)]
pub struct BidView {
    pub seq: i64,
    pub bidder: String,
    /// The caller's own organisation placed it.
    pub mine: bool,
    pub amount_fen: i64,
    pub amount_text: String,
    pub placed_at: String,
    pub placed_label: String,
    pub ends_at: String,
}

pub fn bidder_label(number: i64) -> String {
    format!("竞买人 {number}")
}

/// `13:05:09` in Beijing time.
pub fn clock(stored: &str) -> String {
    parse_stored(stored)
        .map(|at| {
            let local = at.to_offset(SHANGHAI);
            format!(
                "{}月{}日 {:02}:{:02}:{:02}",
                u8::from(local.month()),
                local.day(),
                local.hour(),
                local.minute(),
                local.second()
            )
        })
        .unwrap_or_default()
}

pub fn bids(rows: Vec<BidRow>, mine: Option<&str>) -> Vec<BidView> {
    rows.into_iter()
        .map(|b| BidView {
            bidder: bidder_label(b.number),
            mine: mine == Some(b.organisation_id.as_str()),
            amount_text: Fen(b.amount_fen).format_wan(),
            placed_label: clock(&b.placed_at),
            seq: b.seq,
            amount_fen: b.amount_fen,
            placed_at: b.placed_at,
            ends_at: b.ends_at,
        })
        .collect()
}

/// The live event of an accepted bid.
pub fn bid_event(accepted: &super::bidding::Accepted) -> LiveEvent {
    LiveEvent {
        kind: "bid",
        auction_id: accepted.auction_id.clone(),
        seq: accepted.seq,
        bidder: bidder_label(accepted.number),
        amount_fen: accepted.amount_fen,
        price_text: Fen(accepted.amount_fen).format_wan(),
        bid_count: accepted.seq,
        ends_at: accepted.ends_at.clone(),
        extended: accepted.extended,
        placed_at: clock(&accepted.placed_at),
        status: "open".into(),
        status_label: "竞价中".into(),
    }
}
