//! The pricing routes in market activity: 协议定价公示 published and how they ended, objections,
//! 挂牌 listed and agreed, 竞价 held in a Beijing year — sold, unsold, the value sold and how far
//! bidding lifted it above the opening prices.

use serde::Serialize;
use sqlx::Row as _;

use crate::db::Db;
use crate::domain::money::Fen;

#[derive(Debug, Clone, Default, Serialize)]
pub struct TradingActivity {
    pub notices: i64,
    pub notices_closed: i64,
    pub notices_with_objections: i64,
    pub objections: i64,
    pub offerings: i64,
    pub offerings_agreed: i64,
    pub auctions_ended: i64,
    pub auctions_sold: i64,
    pub auctions_unsold: i64,
    pub sold_fen: i64,
    pub sold_text: String,
    /// Winning prices over opening prices of the sold auctions, in per cent (one decimal).
    pub premium_percent: Option<f64>,
}

/// The routes' figures for the Beijing year bounded by `from`..`to` (stored instants).
pub async fn activity(db: &Db, from: &str, to: &str) -> Result<TradingActivity, sqlx::Error> {
    let row = sqlx::query(
        "SELECT \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM pricing_notices WHERE published_at >= $1 AND published_at < $2) AS notices, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM pricing_notices WHERE published_at >= $1 AND published_at < $2 \
            AND status IN ('closed_clear', 'closed_resolved')) AS notices_closed, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM pricing_notices n WHERE published_at >= $1 AND published_at < $2 \
            AND EXISTS (SELECT 1 FROM pricing_notice_objections j WHERE j.notice_id = n.id)) AS notices_with_objections, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM pricing_notice_objections WHERE filed_at >= $1 AND filed_at < $2) AS objections, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM offerings WHERE starts_at >= $1 AND starts_at < $2) AS offerings, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM offerings WHERE starts_at >= $1 AND starts_at < $2 AND status = 'agreed') AS offerings_agreed, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM auctions WHERE settled_at >= $1 AND settled_at < $2 AND status IN ('sold', 'unsold')) AS ended, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM auctions WHERE settled_at >= $1 AND settled_at < $2 AND status = 'sold') AS sold, \
         (SELECT CAST(COALESCE(SUM(current_price_fen), 0) AS BIGINT) FROM auctions WHERE settled_at >= $1 AND settled_at < $2 AND status = 'sold') AS sold_fen, \
         (SELECT CAST(COALESCE(SUM(opening_price_fen), 0) AS BIGINT) FROM auctions WHERE settled_at >= $1 AND settled_at < $2 AND status = 'sold') AS opening_fen",
    )
    .bind(from)
    .bind(to)
    .fetch_one(db.pool())
    .await?;
    let get = |name: &str| row.try_get::<i64, _>(name);
    let (sold_fen, opening_fen) = (get("sold_fen")?, get("opening_fen")?);
    Ok(TradingActivity {
        notices: get("notices")?,
        notices_closed: get("notices_closed")?,
        notices_with_objections: get("notices_with_objections")?,
        objections: get("objections")?,
        offerings: get("offerings")?,
        offerings_agreed: get("offerings_agreed")?,
        auctions_ended: get("ended")?,
        auctions_sold: get("sold")?,
        auctions_unsold: get("ended")? - get("sold")?,
        sold_fen,
        sold_text: Fen(sold_fen).format_wan(),
        premium_percent: (opening_fen > 0)
            .then(|| ((sold_fen - opening_fen) as f64 * 1000.0 / opening_fen as f64).round() / 10.0),
    })
}
