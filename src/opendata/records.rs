//! The records the open data publishes, built from stored rows: codes beside their Chinese labels,
//! canonical URLs, modification times — and never a contact (names, phones, e-mails), a team
//! list, an applicant or a meeting link.

use serde::Serialize;

use crate::achievements::store::AchievementRow;
use crate::demands::model::Indicator;
use crate::demands::store::DemandRow;
use crate::domain::contract_vocab::ContractType;
use crate::domain::open_data::Dataset;
use crate::domain::org::NatureCode;
use crate::domain::regions::region_name;
use crate::domain::taxonomy::{
    AchievementType, CooperationMode, IndustrySection, PricingRoute, Stage, TechnicalField, TransferMode,
};
use crate::listings::status::DemandStatus;

fn field_label(code: &str) -> String {
    TechnicalField::from_code(code).map_or_else(|| code.to_string(), |f| f.label().to_string())
}

fn section_label(code: &str) -> String {
    IndustrySection::from_code(code).map_or_else(|| code.to_string(), |s| s.label().to_string())
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AchievementRecord {
    pub id: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub achievement_type: String,
    pub achievement_type_label: String,
    pub patent_numbers: Vec<String>,
    pub technical_field: String,
    pub technical_field_label: String,
    pub industry_section: String,
    pub industry_section_label: String,
    pub trl: i64,
    pub stage: String,
    pub stage_label: String,
    pub transfer_modes: Vec<String>,
    pub transfer_mode_labels: Vec<String>,
    pub pricing_route: String,
    pub pricing_route_label: String,
    pub asking_price_fen: Option<i64>,
    pub problem: String,
    pub advantages: String,
    pub scenarios: String,
    pub region_code: String,
    pub region_name: String,
    pub organisation_name: String,
    pub status: String,
    pub status_label: String,
    pub published_at: Option<String>,
    pub modified_at: String,
    pub demo: bool,
}

pub fn achievement(base: &str, row: AchievementRow) -> AchievementRecord {
    let labels = |codes: &[String]| -> Vec<String> {
        codes.iter().map(|c| TransferMode::from_code(c).map_or_else(|| c.clone(), |m| m.label().to_string())).collect()
    };
    AchievementRecord {
        url: format!("{base}/achievements/{}", row.meta.id),
        achievement_type_label: AchievementType::from_code(&row.achievement_type)
            .map_or_else(|| row.achievement_type.clone(), |t| t.label().to_string()),
        technical_field_label: field_label(&row.technical_field),
        industry_section_label: section_label(&row.industry_section),
        stage_label: Stage::from_code(&row.stage).map_or_else(|| row.stage.clone(), |s| s.label().to_string()),
        transfer_mode_labels: labels(&row.transfer_modes),
        pricing_route_label: PricingRoute::from_code(&row.pricing_route)
            .map_or_else(|| row.pricing_route.clone(), |p| p.label().to_string()),
        region_name: region_name(&row.region_code),
        status: row.meta.status.code().to_string(),
        status_label: row.meta.status.label().to_string(),
        id: row.meta.id,
        title: row.title,
        summary: row.summary,
        description: row.description,
        keywords: row.keywords,
        achievement_type: row.achievement_type,
        patent_numbers: row.patent_numbers,
        technical_field: row.technical_field,
        industry_section: row.industry_section,
        trl: row.trl,
        stage: row.stage,
        transfer_modes: row.transfer_modes,
        pricing_route: row.pricing_route,
        asking_price_fen: row.asking_price_fen,
        problem: row.problem,
        advantages: row.advantages,
        scenarios: row.scenarios,
        region_code: row.region_code,
        organisation_name: row.meta.organisation_name,
        published_at: row.meta.published_at,
        modified_at: row.meta.updated_at,
        demo: row.meta.is_demo,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DemandRecord {
    pub id: String,
    pub url: String,
    pub title: String,
    pub description: String,
    pub indicators: Vec<Indicator>,
    pub basis: String,
    pub keywords: Vec<String>,
    pub technical_field: String,
    pub technical_field_label: String,
    pub industry_section: String,
    pub industry_section_label: String,
    pub cooperation_modes: Vec<String>,
    pub cooperation_mode_labels: Vec<String>,
    pub budget_min_fen: Option<i64>,
    pub budget_max_fen: Option<i64>,
    pub valid_until: String,
    pub region_code: String,
    pub region_name: String,
    pub organisation_name: String,
    pub status: String,
    pub status_label: String,
    pub published_at: Option<String>,
    pub modified_at: String,
    pub demo: bool,
}

/// Whether a demand is what the public sees today: a public status, and still valid unless
/// solved (the hourly expiry job then records it as expired, which a mirror reads as a
/// deletion).
pub fn demand_is_live(status: DemandStatus, valid_until: &str, today: &str) -> bool {
    status.is_public() && (status == DemandStatus::Solved || valid_until >= today)
}

pub fn demand(base: &str, row: DemandRow) -> DemandRecord {
    DemandRecord {
        url: format!("{base}/demands/{}", row.meta.id),
        technical_field_label: field_label(&row.technical_field),
        industry_section_label: section_label(&row.industry_section),
        cooperation_mode_labels: row
            .cooperation_modes
            .iter()
            .map(|c| CooperationMode::from_code(c).map_or_else(|| c.clone(), |m| m.label().to_string()))
            .collect(),
        region_name: region_name(&row.region_code),
        status: row.meta.status.code().to_string(),
        status_label: row.meta.status.label().to_string(),
        id: row.meta.id,
        title: row.title,
        description: row.description,
        indicators: row.indicators,
        basis: row.basis,
        keywords: row.keywords,
        technical_field: row.technical_field,
        industry_section: row.industry_section,
        cooperation_modes: row.cooperation_modes,
        budget_min_fen: row.budget_min_fen,
        budget_max_fen: row.budget_max_fen,
        valid_until: row.valid_until,
        region_code: row.region_code,
        organisation_name: row.meta.organisation_name,
        published_at: row.meta.published_at,
        modified_at: row.meta.updated_at,
        demo: row.meta.is_demo,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct ChallengeRecord {
    pub id: String,
    #[sqlx(default)]
    pub url: String,
    pub title: String,
    pub organisation_name: String,
    pub technical_field: String,
    #[sqlx(default)]
    pub technical_field_label: String,
    pub reward_fen: i64,
    pub apply_from: String,
    pub apply_until: String,
    #[sqlx(try_from = "i64")]
    pub winner_selected: Flag,
    pub status: String,
    #[sqlx(default)]
    pub status_label: String,
    pub published_at: Option<String>,
    pub modified_at: String,
    #[sqlx(try_from = "i64")]
    pub demo: Flag,
}

/// A 0/1 column read as a boolean and written as one.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default)]
#[serde(transparent)]
pub struct Flag(pub bool);

impl From<i64> for Flag {
    fn from(value: i64) -> Flag {
        Flag(value != 0)
    }
}

impl ChallengeRecord {
    /// Completes what the query cannot: the URL and the labels.
    pub fn finished(mut self, base: &str) -> ChallengeRecord {
        self.url = format!("{base}/demands/{}", self.id);
        self.technical_field_label = field_label(&self.technical_field);
        self.status_label =
            DemandStatus::from_code(&self.status).map_or_else(|| self.status.clone(), |s| s.label().into());
        self
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct SalonRecord {
    pub id: String,
    #[sqlx(default)]
    pub url: String,
    pub kind: String,
    #[sqlx(default)]
    pub kind_label: String,
    pub theme: String,
    pub description: String,
    pub starts_at: String,
    pub ends_at: String,
    pub venue: String,
    #[sqlx(try_from = "i64")]
    pub online: Flag,
    pub capacity: i64,
    pub organiser: Option<String>,
    pub status: String,
    #[sqlx(default)]
    pub status_label: String,
    pub published_at: String,
    pub modified_at: String,
    #[sqlx(try_from = "i64")]
    pub demo: Flag,
}

impl SalonRecord {
    pub fn finished(mut self, base: &str) -> SalonRecord {
        self.url = format!("{base}/salons/{}", self.id);
        self.kind_label = crate::salons::model::SalonKind::from_code(&self.kind)
            .map_or_else(|| self.kind.clone(), |k| k.label().to_string());
        self.status_label = if self.status == "cancelled" { "已取消" } else { "按期举办" }.to_string();
        self
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ContractRecord {
    pub month: String,
    pub dimension: String,
    pub value: String,
    pub value_label: String,
    pub contracts: i64,
    pub total_fen: Option<i64>,
    pub technology_fen: Option<i64>,
}

/// Groups of fewer contracts than this show their count but not their amounts, so that no single
/// contract's price can be read off the statistics.
pub const SMALLEST_PUBLISHED_GROUP: i64 = 3;

impl ContractRecord {
    pub fn new(month: String, dimension: String, value: String, sums: (i64, i64, i64)) -> ContractRecord {
        let (contracts, total, technology) = sums;
        let shown = contracts >= SMALLEST_PUBLISHED_GROUP;
        let value_label = if dimension == "all" {
            "合计".to_string()
        } else if value.is_empty() {
            "未填写".to_string()
        } else {
            match dimension.as_str() {
                "contract_type" => ContractType::from_code(&value).map(|t| t.label().to_string()),
                "technical_field" => TechnicalField::from_code(&value).map(|t| t.label().to_string()),
                _ => NatureCode::from_code(&value).map(|n| n.label().to_string()),
            }
            .unwrap_or_else(|| value.clone())
        };
        ContractRecord {
            month,
            dimension,
            value,
            value_label,
            contracts,
            total_fen: shown.then_some(total),
            technology_fen: shown.then_some(technology),
        }
    }
}

/// One record of any dataset, serialised as the record itself.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Record {
    Achievement(Box<AchievementRecord>),
    Demand(Box<DemandRecord>),
    Challenge(ChallengeRecord),
    Salon(SalonRecord),
    Contract(ContractRecord),
}

impl Record {
    pub fn dataset(&self) -> Dataset {
        match self {
            Record::Achievement(_) => Dataset::Achievements,
            Record::Demand(_) => Dataset::Demands,
            Record::Challenge(_) => Dataset::Challenges,
            Record::Salon(_) => Dataset::Salons,
            Record::Contract(_) => Dataset::Contracts,
        }
    }

    /// The record's cells in its dataset's field order, as a CSV row shows them: lists joined
    /// with `；`, objects as JSON, nothing for null.
    pub fn cells(&self) -> Vec<String> {
        let value = serde_json::to_value(self).unwrap_or_default();
        self.dataset()
            .fields()
            .iter()
            .map(|field| match &value[field.name] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => {
                    items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join("；")
                }
                other => other.to_string(),
            })
            .collect()
    }
}
