//! A salon's results, public once it is over: how many came, the deals opened there, how many
//! reached agreement, and the value of the contracts those deals registered (aggregates only).

use serde::Serialize;

use crate::db::Db;
use crate::domain::money::Fen;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Results {
    pub signed_up: i64,
    pub attended: i64,
    pub deals: i64,
    pub agreed: i64,
    pub contracts: i64,
    pub contract_fen: i64,
    pub contract_text: String,
}

pub async fn of(db: &Db, salon_id: &str) -> Result<Results, sqlx::Error> {
    let (signed_up, attended): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COUNT(checked_in_at) AS BIGINT) FROM salon_signups WHERE salon_id = $1 AND status = 'confirmed'",
    )
    .bind(salon_id)
    .fetch_one(db.pool())
    .await?;
    let (deals, agreed): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN stage IN ('agreed', 'contracted') THEN 1 ELSE 0 END), 0) AS BIGINT) FROM deals WHERE salon_id = $1",
    )
    .bind(salon_id)
    .fetch_one(db.pool())
    .await?;
    let (contracts, contract_fen): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(r.total_fen), 0) AS BIGINT) FROM contracts c JOIN deals d ON d.id = c.deal_id \
         JOIN contract_revisions r ON r.contract_id = c.id \
           AND r.revision_no = (SELECT MAX(x.revision_no) FROM contract_revisions x WHERE x.contract_id = c.id) \
         WHERE d.salon_id = $1 AND c.status = 'registered' \
           AND NOT EXISTS (SELECT 1 FROM contract_cancellations k WHERE k.contract_id = c.id)",
    )
    .bind(salon_id)
    .fetch_one(db.pool())
    .await?;
    Ok(Results {
        signed_up,
        attended,
        deals,
        agreed,
        contracts,
        contract_fen,
        contract_text: Fen(contract_fen).format_wan(),
    })
}
