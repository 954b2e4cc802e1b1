//! Registered totals by month and dimension (`contract_totals`), changed by the same transaction
//! that registers (+1), amends (−old, +new) or cancels (−1) a contract, so dashboards read a few
//! hundred summary rows instead of every contract. [`recomputed`] derives the same rows from the
//! contracts themselves; tests hold the two equal.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

use super::amounts::Amounts;
use super::model::Draft;
use crate::db::Db;

/// Where a registered contract is counted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TotalsKey {
    /// `2026-01`: the Beijing-time month of registration.
    pub month: String,
    pub contract_type: String,
    pub subtype: String,
    pub technical_field: String,
    pub seller_nature: String,
    pub buyer_nature: String,
    pub seller_region: String,
    pub buyer_region: String,
    pub broker_user_id: String,
}

impl TotalsKey {
    /// The key of a contract registered on `registered_on` (`YYYY-MM-DD`) saying `draft`.
    pub fn of(registered_on: &str, broker_user_id: Option<&str>, draft: &Draft) -> TotalsKey {
        let text = |v: Option<&str>| v.unwrap_or_default().to_string();
        TotalsKey {
            month: registered_on.chars().take(7).collect(),
            contract_type: draft.contract_type.code().to_string(),
            subtype: draft.subtype.code().to_string(),
            technical_field: text(draft.technical_field.map(|f| f.code())),
            seller_nature: text(draft.seller.nature.map(|n| n.code())),
            buyer_nature: text(draft.buyer.nature.map(|n| n.code())),
            seller_region: text(draft.seller.region.as_deref()),
            buyer_region: text(draft.buyer.region.as_deref()),
            broker_user_id: text(broker_user_id),
        }
    }
}

/// One summary row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TotalsRow {
    pub key: TotalsKey,
    pub contracts: i64,
    pub total_fen: i64,
    pub technology_fen: i64,
}

const KEY_COLUMNS: &str = "month, contract_type, subtype, technical_field, seller_nature, buyer_nature, seller_region, buyer_region, broker_user_id";

/// Adds (`sign = 1`) or takes away (`sign = -1`) one contract's amounts at `key`.
pub async fn apply(conn: &mut AnyConnection, key: &TotalsKey, sign: i64, amounts: &Amounts) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO contract_totals ({KEY_COLUMNS}, contracts, total_fen, technology_fen) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT ({KEY_COLUMNS}) DO UPDATE SET contracts = contract_totals.contracts + excluded.contracts, \
         total_fen = contract_totals.total_fen + excluded.total_fen, \
         technology_fen = contract_totals.technology_fen + excluded.technology_fen"
    );
    sqlx::query(&sql)
        .bind(&key.month)
        .bind(&key.contract_type)
        .bind(&key.subtype)
        .bind(&key.technical_field)
        .bind(&key.seller_nature)
        .bind(&key.buyer_nature)
        .bind(&key.seller_region)
        .bind(&key.buyer_region)
        .bind(&key.broker_user_id)
        .bind(sign)
        .bind(sign * amounts.total().0)
        .bind(sign * amounts.technology().0)
        .execute(conn)
        .await?;
    Ok(())
}

fn row_of(row: &AnyRow) -> Result<TotalsRow, sqlx::Error> {
    Ok(TotalsRow {
        key: TotalsKey {
            month: row.try_get("month")?,
            contract_type: row.try_get("contract_type")?,
            subtype: row.try_get("subtype")?,
            technical_field: row.try_get("technical_field")?,
            seller_nature: row.try_get("seller_nature")?,
            buyer_nature: row.try_get("buyer_nature")?,
            seller_region: row.try_get("seller_region")?,
            buyer_region: row.try_get("buyer_region")?,
            broker_user_id: row.try_get("broker_user_id")?,
        },
        contracts: row.try_get("contracts")?,
        total_fen: row.try_get("total_fen")?,
        technology_fen: row.try_get("technology_fen")?,
    })
}

/// The stored summary rows that count something, in key order.
pub async fn stored(db: &Db) -> Result<Vec<TotalsRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {KEY_COLUMNS}, contracts, total_fen, technology_fen FROM contract_totals \
         WHERE contracts <> 0 OR total_fen <> 0 OR technology_fen <> 0"
    );
    let mut rows: Vec<TotalsRow> =
        sqlx::query(&sql).fetch_all(db.pool()).await?.iter().map(row_of).collect::<Result<_, _>>()?;
    rows.sort();
    Ok(rows)
}

/// The same rows derived from every registered, not-cancelled contract's current revision.
pub async fn recomputed(db: &Db) -> Result<Vec<TotalsRow>, sqlx::Error> {
    let sql = "SELECT SUBSTR(c.registered_on, 1, 7) AS month, r.contract_type, r.subtype, \
         COALESCE(r.technical_field, '') AS technical_field, COALESCE(r.seller_nature, '') AS seller_nature, \
         COALESCE(r.buyer_nature, '') AS buyer_nature, COALESCE(r.seller_region, '') AS seller_region, \
         COALESCE(r.buyer_region, '') AS buyer_region, COALESCE(c.broker_user_id, '') AS broker_user_id, \
         CAST(COUNT(*) AS BIGINT) AS contracts, CAST(SUM(r.total_fen) AS BIGINT) AS total_fen, \
         CAST(SUM(r.technology_fen) AS BIGINT) AS technology_fen \
         FROM contracts c \
         JOIN contract_revisions r ON r.contract_id = c.id \
          AND r.revision_no = (SELECT MAX(r2.revision_no) FROM contract_revisions r2 WHERE r2.contract_id = c.id) \
         LEFT JOIN contract_cancellations x ON x.contract_id = c.id \
         WHERE c.status = 'registered' AND x.contract_id IS NULL \
         GROUP BY SUBSTR(c.registered_on, 1, 7), r.contract_type, r.subtype, COALESCE(r.technical_field, ''), \
         COALESCE(r.seller_nature, ''), COALESCE(r.buyer_nature, ''), COALESCE(r.seller_region, ''), \
         COALESCE(r.buyer_region, ''), COALESCE(c.broker_user_id, '')";
    let mut rows: Vec<TotalsRow> =
        sqlx::query(sql).fetch_all(db.pool()).await?.iter().map(row_of).collect::<Result<_, _>>()?;
    rows.sort();
    Ok(rows)
}
