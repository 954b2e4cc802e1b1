//! SQL of achievements.

use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::model::{Achievement, Achievements, Status, publicity_text};
use crate::db::conditions::Conditions;
use crate::listings::kind::AnyQuery;
use crate::listings::store::{code_list, codes};
use crate::listings::{ListingStore, Meta};

/// A stored listing, as read back (codes, not labels; the view layer adds those).
#[derive(Debug, Clone, Serialize)]
pub struct AchievementRow {
    /// Ownership, lifecycle position, counters and times (the core's).
    pub meta: Meta<Status>,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub achievement_type: String,
    pub ip_carriers: Vec<String>,
    pub patent_numbers: Vec<String>,
    pub technical_field: String,
    pub industry_section: String,
    pub industry_division: Option<String>,
    pub trl: i64,
    pub stage: String,
    pub transfer_modes: Vec<String>,
    pub pricing_route: String,
    pub asking_price_fen: Option<i64>,
    pub publicity_start: Option<String>,
    pub publicity_end: Option<String>,
    pub team: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: Option<String>,
    pub problem: String,
    pub advantages: String,
    pub scenarios: String,
    pub region_code: String,
}

crate::listing_row!(AchievementRow, Status);

pub const CONTENT_COLUMNS: [&str; 25] = [
    "title",
    "summary",
    "description",
    "keywords",
    "achievement_type",
    "ip_carriers",
    "patent_numbers",
    "technical_field",
    "industry_section",
    "industry_division",
    "trl",
    "stage",
    "transfer_modes",
    "pricing_route",
    "asking_price_fen",
    "publicity_start",
    "publicity_end",
    "team",
    "contact_name",
    "contact_phone",
    "contact_email",
    "problem",
    "advantages",
    "scenarios",
    "region_code",
];

impl ListingStore for Achievements {
    const ALIAS: &'static str = "a";
    const CONTENT_COLUMNS: &'static [&'static str] = &CONTENT_COLUMNS;
    const PUBLIC_BY_NEWEST: bool = true;

    fn from_row(row: &AnyRow, meta: Meta<Status>) -> Result<AchievementRow, sqlx::Error> {
        let keywords: String = row.try_get("keywords")?;
        let patents: String = row.try_get("patent_numbers")?;
        Ok(AchievementRow {
            meta,
            title: row.try_get("title")?,
            summary: row.try_get("summary")?,
            description: row.try_get("description")?,
            keywords: serde_json::from_str(&keywords).unwrap_or_default(),
            achievement_type: row.try_get("achievement_type")?,
            ip_carriers: codes(&row.try_get::<String, _>("ip_carriers")?),
            patent_numbers: patents.lines().map(str::to_string).filter(|s| !s.is_empty()).collect(),
            technical_field: row.try_get("technical_field")?,
            industry_section: row.try_get("industry_section")?,
            industry_division: row.try_get("industry_division")?,
            trl: row.try_get("trl")?,
            stage: row.try_get("stage")?,
            transfer_modes: codes(&row.try_get::<String, _>("transfer_modes")?),
            pricing_route: row.try_get("pricing_route")?,
            asking_price_fen: row.try_get("asking_price_fen")?,
            publicity_start: row.try_get("publicity_start")?,
            publicity_end: row.try_get("publicity_end")?,
            team: row.try_get("team")?,
            contact_name: row.try_get("contact_name")?,
            contact_phone: row.try_get("contact_phone")?,
            contact_email: row.try_get("contact_email")?,
            problem: row.try_get("problem")?,
            advantages: row.try_get("advantages")?,
            scenarios: row.try_get("scenarios")?,
            region_code: row.try_get("region_code")?,
        })
    }

    /// The content columns in the order both insert and update bind them.
    fn bind_content<'q>(query: AnyQuery<'q>, a: &Achievement) -> AnyQuery<'q> {
        let (start, end) = publicity_text(a.publicity);
        query
            .bind(a.title.clone())
            .bind(a.summary.clone())
            .bind(a.description.clone())
            .bind(serde_json::to_string(&a.keywords).unwrap_or_else(|_| "[]".into()))
            .bind(a.achievement_type.code())
            .bind(code_list(a.ip_carriers.iter().map(|c| c.code())))
            .bind(a.patent_numbers.join("\n"))
            .bind(a.technical_field.code())
            .bind(a.industry_section.code())
            .bind(a.industry_division.clone())
            .bind(i64::from(a.trl))
            .bind(a.stage.code())
            .bind(code_list(a.transfer_modes.iter().map(|m| m.code())))
            .bind(a.pricing_route.code())
            .bind(a.asking_price.map(|p| p.0))
            .bind(start)
            .bind(end)
            .bind(a.team.clone())
            .bind(a.contact_name.clone())
            .bind(a.contact_phone.clone())
            .bind(a.contact_email.clone())
            .bind(a.problem.clone())
            .bind(a.advantages.clone())
            .bind(a.scenarios.clone())
            .bind(a.region_code.clone())
    }

    fn filter(filter: &Filter, c: &mut Conditions) {
        if let Some(v) = &filter.stage {
            c.text("a.stage = ?", v.clone());
        }
        if let Some(v) = &filter.transfer_mode {
            c.text("a.transfer_modes LIKE ?", format!("%,{v},%"));
        }
        if let Some(v) = &filter.pricing_route {
            c.text("a.pricing_route = ?", v.clone());
        }
        if let Some(v) = filter.min_price_fen {
            c.int("a.asking_price_fen >= ?", v);
        }
        if let Some(v) = filter.max_price_fen {
            c.int("a.asking_price_fen <= ?", v);
        }
    }
}

/// The filters only achievements have; every field optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub stage: Option<String>,
    pub transfer_mode: Option<String>,
    pub pricing_route: Option<String>,
    pub min_price_fen: Option<i64>,
    pub max_price_fen: Option<i64>,
}

/// How to order a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    PriceLow,
    PriceHigh,
    MostViewed,
}

impl Sort {
    /// The ORDER BY clause; negotiable prices (NULL) sort last either way.
    pub fn order(self) -> &'static str {
        match self {
            Sort::Newest => "COALESCE(a.published_at, a.created_at) DESC, a.id DESC",
            Sort::PriceLow => {
                "CASE WHEN a.asking_price_fen IS NULL THEN 1 ELSE 0 END, a.asking_price_fen ASC, a.id DESC"
            }
            Sort::PriceHigh => {
                "CASE WHEN a.asking_price_fen IS NULL THEN 1 ELSE 0 END, a.asking_price_fen DESC, a.id DESC"
            }
            Sort::MostViewed => "a.views DESC, a.id DESC",
        }
    }
}
