//! SQL of the goal dashboard: the yearly goals, and sums over the registered totals
//! (`contract_totals`) by month and by dimension, for one side (seller or buyer in the district).

use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use crate::config::{GoalBasis, GoalSettings, GoalSide};
use crate::db::Db;
use crate::domain::money::Fen;
use crate::domain::time::now_stored;
use crate::labelled_enum;

labelled_enum!(
    /// Which amount counts.
    Basis {
        Turnover = "turnover": "合同成交额",
        TechnologyValue = "technology_value": "技术交易额",
    }
);

labelled_enum!(
    /// Which party must be in the district.
    Side {
        Output = "output": "输出（卖方在本区）",
        Absorb = "absorb": "吸纳（买方在本区）",
    }
);

impl Basis {
    fn column(self) -> &'static str {
        match self {
            Basis::Turnover => "total_fen",
            Basis::TechnologyValue => "technology_fen",
        }
    }
}

impl Side {
    /// The region column that must be the district's.
    fn column(self) -> &'static str {
        match self {
            Side::Output => "seller_region",
            Side::Absorb => "buyer_region",
        }
    }

    /// The other party's region: where the technology went (output) or came from (absorb).
    pub fn counterpart_column(self) -> &'static str {
        match self {
            Side::Output => "buyer_region",
            Side::Absorb => "seller_region",
        }
    }
}

/// One year's goal, and the year whose setting it is (an earlier year's carries on).
#[derive(Debug, Clone, Serialize)]
pub struct Goal {
    pub year: i32,
    pub amount: Fen,
    pub basis: Basis,
    pub side: Side,
    pub note: String,
    /// The year of the setting used (`None`: the configuration's goal, or a straight-path year).
    pub set_in: Option<i32>,
    /// For a year between two settings: how its goal was derived (the straight path).
    pub derived: Option<String>,
    pub version: i64,
}

/// Every stored goal, newest year first.
pub async fn goals(db: &Db) -> Result<Vec<Goal>, sqlx::Error> {
    let rows = sqlx::query("SELECT year, amount_fen, basis, side, note, version FROM goal_settings ORDER BY year DESC")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| {
            let year: i64 = row.try_get("year")?;
            let basis: String = row.try_get("basis")?;
            let side: String = row.try_get("side")?;
            Ok(Goal {
                year: year as i32,
                amount: Fen(row.try_get("amount_fen")?),
                basis: Basis::from_code(&basis).unwrap_or(Basis::Turnover),
                side: Side::from_code(&side).unwrap_or(Side::Output),
                note: row.try_get("note")?,
                set_in: Some(year as i32),
                derived: None,
                version: row.try_get("version")?,
            })
        })
        .collect()
}

/// The goal of `year` among the stored settings: its own; between two settings of the same basis
/// and side, the straight path from the earlier to the later (2021's 4 亿元 to 2025's 6 亿元 gives
/// 4.5, 5 and 5.5 亿元); after the last, the last; `None` before the first.
pub fn goal_among(stored: &[Goal], year: i32) -> Option<Goal> {
    let earlier = stored.iter().filter(|g| g.year <= year).max_by_key(|g| g.year)?;
    if earlier.year == year {
        return Some(earlier.clone());
    }
    let later = stored.iter().filter(|g| g.year > year).min_by_key(|g| g.year);
    match later {
        Some(later) if later.basis == earlier.basis && later.side == earlier.side => {
            let span = i128::from(later.year - earlier.year);
            let step = i128::from(year - earlier.year);
            let from = i128::from(earlier.amount.0);
            let to = i128::from(later.amount.0);
            let amount = from + (to - from) * step / span;
            let derived = format!(
                "按 {} 年 {} 至 {} 年 {} 的直线路径推算",
                earlier.year,
                earlier.amount.format_compact(),
                later.year,
                later.amount.format_compact()
            );
            Some(Goal {
                year,
                amount: Fen(i64::try_from(amount).unwrap_or(i64::MAX)),
                note: String::new(),
                set_in: None,
                derived: Some(derived),
                version: 0,
                ..earlier.clone()
            })
        }
        _ => Some(Goal { year, ..earlier.clone() }),
    }
}

/// The goal of `year`: from the stored settings ([`goal_among`]), else the configuration's.
pub async fn goal_for(db: &Db, year: i32, configured: &GoalSettings) -> Result<Goal, sqlx::Error> {
    let stored = goals(db).await?;
    if let Some(goal) = goal_among(&stored, year) {
        return Ok(goal);
    }
    Ok(Goal {
        year,
        amount: configured.amount,
        basis: match configured.basis {
            GoalBasis::Turnover => Basis::Turnover,
            GoalBasis::TechnologyValue => Basis::TechnologyValue,
        },
        side: match configured.side {
            GoalSide::Output => Side::Output,
            GoalSide::Absorb => Side::Absorb,
        },
        note: String::new(),
        set_in: None,
        derived: None,
        version: 0,
    })
}

/// Sets a year's goal (insert or replace).
pub async fn save_goal(
    conn: &mut AnyConnection,
    year: i32,
    amount: Fen,
    basis: Basis,
    side: Side,
    note: &str,
    by: &str,
) -> Result<(), sqlx::Error> {
    let now = now_stored();
    sqlx::query(
        "INSERT INTO goal_settings (year, amount_fen, basis, side, note, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (year) DO UPDATE SET amount_fen = excluded.amount_fen, basis = excluded.basis, side = excluded.side, \
         note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by, version = goal_settings.version + 1",
    )
    .bind(i64::from(year))
    .bind(amount.0)
    .bind(basis.code())
    .bind(side.code())
    .bind(note)
    .bind(now)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// What the totals of one year are filtered by.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub year: i32,
    pub basis: Basis,
    pub side: Side,
    pub district: &'a str,
}

/// Each month's registered amount and count (January first).
pub async fn months(db: &Db, scope: &Scope<'_>) -> Result<([i64; 12], [i64; 12]), sqlx::Error> {
    let sql = format!(
        "SELECT month, CAST(SUM({amount}) AS BIGINT) AS amount, CAST(SUM(contracts) AS BIGINT) AS n FROM contract_totals \
         WHERE dimension = 'all' AND month >= $1 AND month <= $2 AND {side} = $3 GROUP BY month",
        amount = scope.basis.column(),
        side = scope.side.column()
    );
    let rows = sqlx::query(&sql)
        .bind(format!("{:04}-01", scope.year))
        .bind(format!("{:04}-12", scope.year))
        .bind(scope.district)
        .fetch_all(db.pool())
        .await?;
    let mut amounts = [0i64; 12];
    let mut counts = [0i64; 12];
    for row in &rows {
        let month: String = row.try_get("month")?;
        if let Some(index) = month.get(5..7).and_then(|m| m.parse::<usize>().ok()).filter(|m| (1..=12).contains(m)) {
            amounts[index - 1] = row.try_get("amount")?;
            counts[index - 1] = row.try_get("n")?;
        }
    }
    Ok((amounts, counts))
}

/// The dimensions a year breaks down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    ContractType,
    TechnicalField,
    SellerNature,
    BuyerNature,
    CounterpartRegion,
    Broker,
    Channel,
    Agency,
}

impl Dimension {
    pub const ALL: [Dimension; 8] = [
        Dimension::ContractType,
        Dimension::TechnicalField,
        Dimension::SellerNature,
        Dimension::BuyerNature,
        Dimension::CounterpartRegion,
        Dimension::Broker,
        Dimension::Channel,
        Dimension::Agency,
    ];

    /// The stored dimension name (`contract_totals.dimension`).
    fn stored(self) -> &'static str {
        match self {
            Dimension::ContractType => "contract_type",
            Dimension::TechnicalField => "technical_field",
            Dimension::SellerNature => "seller_nature",
            Dimension::BuyerNature => "buyer_nature",
            Dimension::CounterpartRegion => "all",
            Dimension::Broker => "broker",
            Dimension::Channel => "channel",
            Dimension::Agency => "agency",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Dimension::ContractType => "contract_type",
            Dimension::TechnicalField => "technical_field",
            Dimension::SellerNature => "seller_nature",
            Dimension::BuyerNature => "buyer_nature",
            Dimension::CounterpartRegion => "region",
            Dimension::Broker => "broker",
            Dimension::Channel => "channel",
            Dimension::Agency => "agency",
        }
    }
}

/// One slice of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slice {
    /// The stored code ('' when not recorded).
    pub code: String,
    pub contracts: i64,
    pub amount_fen: i64,
}

/// A year's total by one dimension, largest first.
pub async fn breakdown(db: &Db, scope: &Scope<'_>, dimension: Dimension) -> Result<Vec<Slice>, sqlx::Error> {
    // Regions are part of every row's key; the other dimensions have rows of their own.
    let (column, stored) = match dimension {
        Dimension::CounterpartRegion => (scope.side.counterpart_column(), "all"),
        other => ("value", other.stored()),
    };
    let sql = format!(
        "SELECT {column} AS code, CAST(SUM(contracts) AS BIGINT) AS n, CAST(SUM({amount}) AS BIGINT) AS amount \
         FROM contract_totals WHERE dimension = $1 AND month >= $2 AND month <= $3 AND {side} = $4 GROUP BY {column} \
         HAVING SUM(contracts) <> 0 ORDER BY amount DESC, code",
        amount = scope.basis.column(),
        side = scope.side.column()
    );
    let rows = sqlx::query(&sql)
        .bind(stored)
        .bind(format!("{:04}-01", scope.year))
        .bind(format!("{:04}-12", scope.year))
        .bind(scope.district)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Slice { code: row.try_get("code")?, contracts: row.try_get("n")?, amount_fen: row.try_get("amount")? })
        })
        .collect()
}

/// The registered amount between two dates (`YYYY-MM-DD`, both inclusive), from the daily rows.
pub async fn between(db: &Db, scope: &Scope<'_>, from: &str, to: &str) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM({amount}), 0) AS BIGINT) FROM contract_totals \
         WHERE dimension = 'day' AND value >= $1 AND value <= $2 AND {side} = $3",
        amount = scope.basis.column(),
        side = scope.side.column()
    );
    sqlx::query(&sql).bind(from).bind(to).bind(scope.district).fetch_one(db.pool()).await?.try_get(0)
}

/// One of the year's largest contracts.
#[derive(Debug, Clone, Serialize)]
pub struct TopContract {
    pub id: String,
    pub title: String,
    pub seller_name: String,
    pub buyer_name: String,
    pub registered_on: String,
    pub amount_fen: i64,
}

/// The year's largest registered, not-cancelled contracts on the scope's side. Walks the revisions
/// in amount order through the (region, amount) index and stops at the first `limit` that count.
pub async fn top_contracts(db: &Db, scope: &Scope<'_>, limit: i64) -> Result<Vec<TopContract>, sqlx::Error> {
    let sql = format!(
        "SELECT c.id, r.title, r.seller_name, r.buyer_name, c.registered_on, r.{amount} AS amount \
         FROM contract_revisions r JOIN contracts c ON c.id = r.contract_id \
         WHERE r.{side} = $3 AND r.sealed = 1 AND c.status = 'registered' AND c.registered_on >= $1 AND c.registered_on <= $2 \
         AND NOT EXISTS (SELECT 1 FROM contract_revisions n WHERE n.contract_id = r.contract_id AND n.revision_no > r.revision_no) \
         AND NOT EXISTS (SELECT 1 FROM contract_cancellations x WHERE x.contract_id = r.contract_id) \
         ORDER BY r.{amount} DESC LIMIT {limit}",
        amount = scope.basis.column(),
        side = scope.side.column()
    );
    let rows = sqlx::query(&sql)
        .bind(format!("{:04}-01-01", scope.year))
        .bind(format!("{:04}-12-31", scope.year))
        .bind(scope.district)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| {
            Ok(TopContract {
                id: row.try_get("id")?,
                title: row.try_get("title")?,
                seller_name: row.try_get("seller_name")?,
                buyer_name: row.try_get("buyer_name")?,
                registered_on: row.try_get("registered_on")?,
                amount_fen: row.try_get("amount")?,
            })
        })
        .collect()
}

/// Display names of brokers and of organisations (agencies), by id.
pub async fn broker_names(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, display_name FROM users WHERE role = 'broker' \
         UNION ALL SELECT id, name AS display_name FROM organisations WHERE kind IN ('agency', 'broker_firm')",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("display_name")?))).collect()
}

/// How many demo contracts were registered in `year` (pages say so beside that year's figures).
pub async fn demo_contracts(db: &Db, year: i32) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM contracts WHERE origin = 'demo' AND registered_on >= $1 AND registered_on < $2",
    )
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{:04}-01-01", year + 1))
    .fetch_one(db.pool())
    .await
}
