//! How an achievement reads on a page or in the API: codes with their Chinese labels, money in
//! 万元, dates in Chinese, and the contact block only for signed-in visitors.

use serde::Serialize;
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::listings::ListingView;
use crate::listings::meta::{ContactView, MetaView};

pub use crate::web::choices;

use super::model::AchievementInput;
use super::model::Achievements;
use super::store::AchievementRow;
use crate::domain::money::Fen;
use crate::domain::taxonomy::{
    AchievementType, IndustrySection, IpCarrier, PricingRoute, Stage, TechnicalField, TransferMode,
};

fn label<T>(code: &str, parse: impl Fn(&str) -> Option<T>, show: impl Fn(T) -> &'static str) -> &'static str {
    parse(code).map(show).unwrap_or("未知")
}

/// The asking price as people read it.
pub fn price_text(fen: Option<i64>) -> String {
    match fen {
        Some(fen) => Fen(fen).format_compact(),
        None => "面议".to_string(),
    }
}

/// One achievement as pages and the API show it.
#[derive(Debug, Serialize)]
pub struct AchievementView<'a> {
    #[serde(flatten)]
    pub meta: MetaView<'a>,
    pub title: &'a str,
    pub summary: &'a str,
    pub description: &'a str,
    pub keywords: &'a [String],
    pub achievement_type: &'a str,
    pub achievement_type_label: &'static str,
    pub ip_carriers: &'a [String],
    pub ip_carrier_labels: Vec<&'static str>,
    pub patent_numbers: &'a [String],
    pub technical_field: &'a str,
    pub technical_field_label: &'static str,
    pub industry_section: &'a str,
    pub industry_label: &'static str,
    pub industry_division: Option<&'a str>,
    pub trl: i64,
    pub stage: &'a str,
    pub stage_label: &'static str,
    pub transfer_modes: &'a [String],
    pub transfer_mode_labels: Vec<&'static str>,
    pub pricing_route: &'a str,
    pub pricing_route_label: &'static str,
    /// `None`: 面议.
    pub asking_price_fen: Option<i64>,
    pub price_text: String,
    pub publicity_start: Option<&'a str>,
    pub publicity_end: Option<&'a str>,
    pub team: &'a str,
    pub problem: &'a str,
    pub advantages: &'a str,
    pub scenarios: &'a str,
    pub region_code: &'a str,
    pub updated_at: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactView<'a>>,
}

impl ListingView for Achievements {
    type View<'a> = AchievementView<'a>;

    /// One listing for templates and JSON. `with_contact` is false for anonymous visitors.
    fn view(row: &AchievementRow, with_contact: bool) -> AchievementView<'_> {
        AchievementView {
            meta: row.meta.view(row.meta.status.is_public()),
            title: &row.title,
            summary: &row.summary,
            description: &row.description,
            keywords: &row.keywords,
            achievement_type: &row.achievement_type,
            achievement_type_label: label(&row.achievement_type, AchievementType::from_code, AchievementType::label),
            ip_carriers: &row.ip_carriers,
            ip_carrier_labels: row
                .ip_carriers
                .iter()
                .map(|c| label(c, IpCarrier::from_code, IpCarrier::label))
                .collect(),
            patent_numbers: &row.patent_numbers,
            technical_field: &row.technical_field,
            technical_field_label: label(&row.technical_field, TechnicalField::from_code, TechnicalField::label),
            industry_section: &row.industry_section,
            industry_label: label(&row.industry_section, IndustrySection::from_code, IndustrySection::label),
            industry_division: row.industry_division.as_deref(),
            trl: row.trl,
            stage: &row.stage,
            stage_label: label(&row.stage, Stage::from_code, Stage::label),
            transfer_modes: &row.transfer_modes,
            transfer_mode_labels: row
                .transfer_modes
                .iter()
                .map(|m| label(m, TransferMode::from_code, TransferMode::label))
                .collect(),
            pricing_route: &row.pricing_route,
            pricing_route_label: label(&row.pricing_route, PricingRoute::from_code, PricingRoute::label),
            asking_price_fen: row.asking_price_fen,
            price_text: price_text(row.asking_price_fen),
            publicity_start: row.publicity_start.as_deref(),
            publicity_end: row.publicity_end.as_deref(),
            team: &row.team,
            problem: &row.problem,
            advantages: &row.advantages,
            scenarios: &row.scenarios,
            region_code: &row.region_code,
            updated_at: &row.meta.updated_at,
            contact: ContactView::when(
                with_contact,
                &row.contact_name,
                &row.contact_phone,
                row.contact_email.as_deref(),
            ),
        }
    }

    /// The edit form's values from a stored listing.
    fn input_of(row: &AchievementRow) -> AchievementInput {
        AchievementInput {
            title: Some(row.title.clone()),
            summary: Some(row.summary.clone()),
            description: Some(row.description.clone()),
            keywords: Some(row.keywords.join("，")),
            achievement_type: Some(row.achievement_type.clone()),
            ip_carriers: row.ip_carriers.clone(),
            patent_numbers: Some(row.patent_numbers.join("\n")),
            technical_field: Some(row.technical_field.clone()),
            industry_section: Some(row.industry_section.clone()),
            industry_division: row.industry_division.clone(),
            trl: Some(row.trl.to_string()),
            stage: Some(row.stage.clone()),
            transfer_modes: row.transfer_modes.clone(),
            pricing_route: Some(row.pricing_route.clone()),
            price_negotiable: row.asking_price_fen.is_none(),
            asking_price: row.asking_price_fen.map(|f| Fen(f).wan_exact()),
            publicity_start: row.publicity_start.clone(),
            publicity_end: row.publicity_end.clone(),
            team: Some(row.team.clone()),
            contact_name: Some(row.contact_name.clone()),
            contact_phone: Some(row.contact_phone.clone()),
            contact_email: row.contact_email.clone(),
            problem: Some(row.problem.clone()),
            advantages: Some(row.advantages.clone()),
            scenarios: Some(row.scenarios.clone()),
            region_code: Some(row.region_code.clone()),
            version: Some(row.meta.version),
        }
    }

    /// Every choice list the form needs, with the input's selections marked.
    fn form_choices(input: &AchievementInput) -> Value {
        let one = |v: &Option<String>| v.clone().into_iter().collect::<Vec<_>>();
        json!({
            "types": choices(AchievementType::ALL, AchievementType::code, AchievementType::label, &one(&input.achievement_type)),
            "carriers": choices(IpCarrier::ALL, IpCarrier::code, IpCarrier::label, &input.ip_carriers),
            "fields": choices(TechnicalField::ALL, TechnicalField::code, TechnicalField::label, &one(&input.technical_field)),
            "sections": choices(IndustrySection::ALL, IndustrySection::code, IndustrySection::label, &one(&input.industry_section)),
            "stages": choices(Stage::ALL, Stage::code, Stage::label, &one(&input.stage)),
            "modes": choices(TransferMode::ALL, TransferMode::code, TransferMode::label, &input.transfer_modes),
            "routes": choices(PricingRoute::ALL, PricingRoute::code, PricingRoute::label, &one(&input.pricing_route)),
            "trls": (1..=9).map(|t| json!({"code": t.to_string(), "selected": input.trl.as_deref() == Some(t.to_string().as_str())})).collect::<Vec<_>>(),
        })
    }

    fn blank_input(_user: &CurrentUser, region_code: String) -> AchievementInput {
        AchievementInput {
            region_code: Some(region_code),
            achievement_type: Some("applied".into()),
            pricing_route: Some("negotiated".into()),
            ..AchievementInput::default()
        }
    }
}
