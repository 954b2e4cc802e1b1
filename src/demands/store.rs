//! SQL of demands.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

use super::model::{Demand, Demands, Indicator, Status, valid_until_text};
use crate::db::conditions::Conditions;
use crate::listings::kind::AnyQuery;
use crate::listings::store::{code_list, codes};
use crate::listings::{ListingStore, Meta};

/// A stored demand as read back.
#[derive(Debug, Clone, Serialize)]
pub struct DemandRow {
    /// Ownership, lifecycle position, counters and times (the core's).
    pub meta: Meta<Status>,
    pub title: String,
    pub description: String,
    pub indicators: Vec<Indicator>,
    pub basis: String,
    pub keywords: Vec<String>,
    pub technical_field: String,
    pub industry_section: String,
    pub cooperation_modes: Vec<String>,
    pub budget_min_fen: Option<i64>,
    pub budget_max_fen: Option<i64>,
    pub valid_until: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: Option<String>,
    pub region_code: String,
}

crate::listing_row!(DemandRow, Status);

pub const CONTENT_COLUMNS: [&str; 15] = [
    "title",
    "description",
    "indicators",
    "basis",
    "keywords",
    "technical_field",
    "industry_section",
    "cooperation_modes",
    "budget_min_fen",
    "budget_max_fen",
    "valid_until",
    "contact_name",
    "contact_phone",
    "contact_email",
    "region_code",
];

impl ListingStore for Demands {
    const ALIAS: &'static str = "d";
    const CONTENT_COLUMNS: &'static [&'static str] = &CONTENT_COLUMNS;
    const PUBLIC_BY_NEWEST: bool = false;

    fn from_row(row: &AnyRow, meta: Meta<Status>) -> Result<DemandRow, sqlx::Error> {
        let indicators: String = row.try_get("indicators")?;
        let keywords: String = row.try_get("keywords")?;
        let modes: String = row.try_get("cooperation_modes")?;
        Ok(DemandRow {
            meta,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            indicators: serde_json::from_str(&indicators).unwrap_or_default(),
            basis: row.try_get("basis")?,
            keywords: serde_json::from_str(&keywords).unwrap_or_default(),
            technical_field: row.try_get("technical_field")?,
            industry_section: row.try_get("industry_section")?,
            cooperation_modes: codes(&modes),
            budget_min_fen: row.try_get("budget_min_fen")?,
            budget_max_fen: row.try_get("budget_max_fen")?,
            valid_until: row.try_get("valid_until")?,
            contact_name: row.try_get("contact_name")?,
            contact_phone: row.try_get("contact_phone")?,
            contact_email: row.try_get("contact_email")?,
            region_code: row.try_get("region_code")?,
        })
    }

    fn bind_content<'q>(query: AnyQuery<'q>, d: &Demand) -> AnyQuery<'q> {
        query
            .bind(d.title.clone())
            .bind(d.description.clone())
            .bind(serde_json::to_string(&d.indicators).unwrap_or_else(|_| "[]".into()))
            .bind(d.basis.clone())
            .bind(serde_json::to_string(&d.keywords).unwrap_or_else(|_| "[]".into()))
            .bind(d.technical_field.code())
            .bind(d.industry_section.code())
            .bind(code_list(d.cooperation_modes.iter().map(|m| m.code())))
            .bind(d.budget_min.map(|f| f.0))
            .bind(d.budget_max.map(|f| f.0))
            .bind(valid_until_text(d))
            .bind(d.contact_name.clone())
            .bind(d.contact_phone.clone())
            .bind(d.contact_email.clone())
            .bind(d.region_code.clone())
    }

    fn filter(filter: &Filter, c: &mut Conditions) {
        if let Some(v) = &filter.cooperation_mode {
            c.text("d.cooperation_modes LIKE ?", format!("%,{v},%"));
        }
        if let Some(v) = filter.min_budget_fen {
            c.int("COALESCE(d.budget_max_fen, d.budget_min_fen) >= ?", v);
        }
        if let Some(day) = &filter.valid_on {
            c.text("(d.status = 'solved' OR d.valid_until >= ?)", day.clone());
        }
    }
}

/// The filters only demands have.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub cooperation_mode: Option<String>,
    /// Demands whose budget reaches at least this much.
    pub min_budget_fen: Option<i64>,
    /// Only demands still valid on this date (`YYYY-MM-DD`); solved ones stay regardless.
    pub valid_on: Option<String>,
}

/// How to order a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    EndingSoon,
    BudgetHigh,
}

impl Sort {
    /// The ORDER BY clause; demands without a budget sort last.
    pub fn order(self) -> &'static str {
        match self {
            Sort::Newest => "COALESCE(d.published_at, d.created_at) DESC, d.id DESC",
            Sort::EndingSoon => "d.valid_until ASC, d.id DESC",
            Sort::BudgetHigh => {
                "CASE WHEN COALESCE(d.budget_max_fen, d.budget_min_fen) IS NULL THEN 1 ELSE 0 END, COALESCE(d.budget_max_fen, d.budget_min_fen) DESC, d.id DESC"
            }
        }
    }
}

/// Published or in-talks demands whose validity ended before `today`.
pub async fn due_to_expire(conn: &mut AnyConnection, today: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM demands WHERE status IN ('published', 'in_talks') AND valid_until < $1")
        .bind(today)
        .fetch_all(conn)
        .await
}

impl DemandRow {
    /// Whether the public may see this demand today: a public status, and still valid (solved
    /// ones stay).
    pub fn publicly_visible(&self) -> bool {
        self.meta.status.is_public()
            && (self.meta.status == Status::Solved
                || self.valid_until >= crate::domain::forms::date_text(crate::domain::time::today_shanghai()))
    }
}
