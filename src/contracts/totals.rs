//! Registered totals (`contract_totals`), changed by the same transaction that registers (+1),
//! amends (−old, +new) or cancels (−1) a contract, so dashboards read a few summary rows instead of
//! every contract. Each contract counts once per dimension (`all`, `day`, and each breakdown),
//! keyed by month and both parties' regions. [`recomputed`] derives the same rows from the
//! contracts themselves; tests hold the two equal.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

use super::amounts::Amounts;
use super::model::Draft;
use crate::db::Db;

/// The breakdown dimensions, their column in a revision (or contract), in storage order.
pub const DIMENSIONS: [(&str, &str); 8] = [
    ("contract_type", "r.contract_type"),
    ("subtype", "r.subtype"),
    ("technical_field", "r.technical_field"),
    ("seller_nature", "r.seller_nature"),
    ("buyer_nature", "r.buyer_nature"),
    ("broker", "c.broker_user_id"),
    ("channel", "c.channel"),
    ("agency", "c.agency_organisation_id"),
];

/// Where a registered contract is counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// `2026-01-31`: the Beijing-time date of registration.
    pub registered_on: String,
    pub seller_region: String,
    pub buyer_region: String,
    /// One value per entry of [`DIMENSIONS`] ('' when not recorded).
    pub values: [String; 8],
}

impl Contribution {
    pub fn of(registered_on: &str, broker_user_id: Option<&str>, draft: &Draft) -> Contribution {
        let text = |v: Option<&str>| v.unwrap_or_default().to_string();
        Contribution {
            registered_on: registered_on.to_string(),
            seller_region: text(draft.seller.region.as_deref()),
            buyer_region: text(draft.buyer.region.as_deref()),
            values: [
                draft.contract_type.code().to_string(),
                draft.subtype.code().to_string(),
                text(draft.technical_field.map(|f| f.code())),
                text(draft.seller.nature.map(|n| n.code())),
                text(draft.buyer.nature.map(|n| n.code())),
                text(broker_user_id),
                String::new(),
                String::new(),
            ],
        }
    }

    /// With the channel and agency the contract recorded at registration.
    pub fn attributed(mut self, channel: Option<&str>, agency: Option<&str>) -> Contribution {
        self.values[6] = channel.unwrap_or_default().to_string();
        self.values[7] = agency.unwrap_or_default().to_string();
        self
    }

    /// The (dimension, value) rows this contract adds to.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let mut rows = vec![("all", String::new()), ("day", self.registered_on.clone())];
        rows.extend(DIMENSIONS.iter().zip(&self.values).map(|((name, _), value)| (*name, value.clone())));
        rows
    }
}

/// One summary row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TotalsRow {
    pub dimension: String,
    pub month: String,
    pub seller_region: String,
    pub buyer_region: String,
    pub value: String,
    pub contracts: i64,
    pub total_fen: i64,
    pub technology_fen: i64,
}

const COLUMNS: &str = "dimension, month, seller_region, buyer_region, value, contracts, total_fen, technology_fen";

/// Adds (`sign = 1`) or takes away (`sign = -1`) `count` contracts' amounts at `at` (one
/// contract: `count = 1`; a bulk load passes sums).
pub async fn apply_sums(
    conn: &mut AnyConnection,
    at: &Contribution,
    sign: i64,
    count: i64,
    total_fen: i64,
    technology_fen: i64,
) -> Result<(), sqlx::Error> {
    let rows = at.rows();
    let sql = format!(
        "INSERT INTO contract_totals ({COLUMNS}) VALUES {} \
         ON CONFLICT (dimension, month, seller_region, buyer_region, value) DO UPDATE SET \
         contracts = contract_totals.contracts + excluded.contracts, \
         total_fen = contract_totals.total_fen + excluded.total_fen, \
         technology_fen = contract_totals.technology_fen + excluded.technology_fen",
        crate::db::values_tuples(rows.len(), 8)
    );
    let month: String = at.registered_on.chars().take(7).collect();
    let mut query = sqlx::query(&sql);
    for (dimension, value) in rows {
        query = query
            .bind(dimension)
            .bind(month.clone())
            .bind(at.seller_region.clone())
            .bind(at.buyer_region.clone())
            .bind(value)
            .bind(sign * count)
            .bind(sign * total_fen)
            .bind(sign * technology_fen);
    }
    query.execute(conn).await?;
    Ok(())
}

/// Adds whole summary rows (a bulk load's sums), in statements of 50 rows.
pub async fn add_rows(conn: &mut AnyConnection, rows: &[TotalsRow]) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(50) {
        let sql = format!(
            "INSERT INTO contract_totals ({COLUMNS}) VALUES {} \
             ON CONFLICT (dimension, month, seller_region, buyer_region, value) DO UPDATE SET \
             contracts = contract_totals.contracts + excluded.contracts, \
             total_fen = contract_totals.total_fen + excluded.total_fen, \
             technology_fen = contract_totals.technology_fen + excluded.technology_fen",
            crate::db::values_tuples(chunk.len(), 8)
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = query
                .bind(row.dimension.clone())
                .bind(row.month.clone())
                .bind(row.seller_region.clone())
                .bind(row.buyer_region.clone())
                .bind(row.value.clone())
                .bind(row.contracts)
                .bind(row.total_fen)
                .bind(row.technology_fen);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Adds or takes away one contract.
pub async fn apply(
    conn: &mut AnyConnection,
    at: &Contribution,
    sign: i64,
    amounts: &Amounts,
) -> Result<(), sqlx::Error> {
    apply_sums(conn, at, sign, 1, amounts.total().0, amounts.technology().0).await
}

fn row_of(row: &AnyRow) -> Result<TotalsRow, sqlx::Error> {
    Ok(TotalsRow {
        dimension: row.try_get("dimension")?,
        month: row.try_get("month")?,
        seller_region: row.try_get("seller_region")?,
        buyer_region: row.try_get("buyer_region")?,
        value: row.try_get("value")?,
        contracts: row.try_get("contracts")?,
        total_fen: row.try_get("total_fen")?,
        technology_fen: row.try_get("technology_fen")?,
    })
}

/// The stored summary rows that count something, sorted.
pub async fn stored(db: &Db) -> Result<Vec<TotalsRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM contract_totals WHERE contracts <> 0 OR total_fen <> 0 OR technology_fen <> 0");
    let mut rows: Vec<TotalsRow> =
        sqlx::query(&sql).fetch_all(db.pool()).await?.iter().map(row_of).collect::<Result<_, _>>()?;
    rows.sort();
    Ok(rows)
}

/// How many registered, not-cancelled contracts match a list filter, read from the summary table —
/// when every condition of the filter is one of its keys (registration month range, either
/// party's region, at most one breakdown dimension). `None` when the filter needs the contracts.
pub async fn count_matching(db: &Db, filter: &super::query::ListFilter) -> Result<Option<i64>, sqlx::Error> {
    let mut dimension = ("all", String::new());
    let mut regions: Vec<(&str, String)> = Vec::new();
    for (column, value) in &filter.dimensions {
        match *column {
            "r.seller_region" => regions.push(("seller_region", value.clone())),
            "r.buyer_region" => regions.push(("buyer_region", value.clone())),
            other => {
                let Some((name, _)) = DIMENSIONS.iter().find(|(_, c)| *c == other) else { return Ok(None) };
                if dimension.0 != "all" {
                    return Ok(None);
                }
                dimension = (name, value.clone());
            }
        }
    }
    let month = |day: &Option<String>| day.as_deref().map(|d| d.chars().take(7).collect::<String>());
    let mut sql =
        "SELECT CAST(COALESCE(SUM(contracts), 0) AS BIGINT) FROM contract_totals WHERE dimension = $1 AND value = $2"
            .to_string();
    let mut binds: Vec<String> = vec![dimension.0.to_string(), dimension.1];
    if let Some(from) = month(&filter.registered_from) {
        binds.push(from);
        sql.push_str(&format!(" AND month >= ${}", binds.len()));
    }
    if let Some(before) = month(&filter.registered_before) {
        binds.push(before);
        sql.push_str(&format!(" AND month < ${}", binds.len()));
    }
    for (column, value) in regions {
        binds.push(value);
        sql.push_str(&format!(" AND {column} = ${}", binds.len()));
    }
    let mut query = sqlx::query_scalar::<_, i64>(&sql);
    for bind in binds {
        query = query.bind(bind);
    }
    Ok(Some(query.fetch_one(db.pool()).await?))
}

/// The same rows derived from every registered, not-cancelled contract's current revision.
pub async fn recomputed(db: &Db) -> Result<Vec<TotalsRow>, sqlx::Error> {
    let base = "SELECT c.registered_on AS registered_on, COALESCE(r.seller_region, '') AS seller_region, \
         COALESCE(r.buyer_region, '') AS buyer_region, r.total_fen AS total_fen, r.technology_fen AS technology_fen";
    let from = "FROM contracts c JOIN contract_revisions r ON r.contract_id = c.id \
         AND r.revision_no = (SELECT MAX(r2.revision_no) FROM contract_revisions r2 WHERE r2.contract_id = c.id) \
         LEFT JOIN contract_cancellations x ON x.contract_id = c.id WHERE c.status = 'registered' AND x.contract_id IS NULL";
    let mut parts = vec![
        format!("{base}, 'all' AS dimension, '' AS value {from}"),
        format!("{base}, 'day' AS dimension, c.registered_on AS value {from}"),
    ];
    for (name, column) in DIMENSIONS {
        parts.push(format!("{base}, '{name}' AS dimension, COALESCE({column}, '') AS value {from}"));
    }
    let sql = format!(
        "SELECT dimension, SUBSTR(registered_on, 1, 7) AS month, seller_region, buyer_region, value, \
         CAST(COUNT(*) AS BIGINT) AS contracts, CAST(SUM(total_fen) AS BIGINT) AS total_fen, \
         CAST(SUM(technology_fen) AS BIGINT) AS technology_fen FROM ({}) AS counted \
         GROUP BY dimension, SUBSTR(registered_on, 1, 7), seller_region, buyer_region, value",
        parts.join(" UNION ALL ")
    );
    let mut rows: Vec<TotalsRow> =
        sqlx::query(&sql).fetch_all(db.pool()).await?.iter().map(row_of).collect::<Result<_, _>>()?;
    rows.sort();
    Ok(rows)
}
