//! How a demand reads on a page or in the API: labels, budget in 万元, days left, and the contact
//! block only for signed-in visitors.

use serde::Serialize;
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::listings::ListingView;
use crate::listings::meta::{ContactView, MetaView};

use super::model::{DemandInput, Demands, Indicator, indicators_text};
use super::store::DemandRow;
use crate::domain::forms::date_text;
use crate::domain::money::Fen;
use crate::domain::taxonomy::{CooperationMode, IndustrySection, TechnicalField};
use crate::domain::time::today_shanghai;
use crate::web::choices;

/// The budget as people read it.
pub fn budget_text(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(min), Some(max)) if min == max => Fen(max).format_compact(),
        (Some(min), Some(max)) => format!("{}–{}", Fen(min).format_compact(), Fen(max).format_compact()),
        (Some(min), None) => format!("{}起", Fen(min).format_compact()),
        (None, Some(max)) => format!("不超过{}", Fen(max).format_compact()),
        (None, None) => "面议".to_string(),
    }
}

fn days_left(valid_until: &str) -> Option<i64> {
    let date = crate::domain::time::parse_date(valid_until)?;
    Some((date - today_shanghai()).whole_days())
}

/// One demand as pages and the API show it.
#[derive(Debug, Serialize)]
pub struct DemandView<'a> {
    #[serde(flatten)]
    pub meta: MetaView<'a>,
    pub title: &'a str,
    pub description: &'a str,
    pub indicators: &'a [Indicator],
    pub basis: &'a str,
    pub keywords: &'a [String],
    pub technical_field: &'a str,
    pub technical_field_label: &'static str,
    pub industry_section: &'a str,
    pub industry_label: &'static str,
    pub cooperation_modes: &'a [String],
    pub cooperation_mode_labels: Vec<&'static str>,
    pub budget_min_fen: Option<i64>,
    pub budget_max_fen: Option<i64>,
    pub budget_text: String,
    pub valid_until: &'a str,
    /// Days until the validity date (negative once past).
    pub days_left: Option<i64>,
    pub region_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactView<'a>>,
}

impl ListingView for Demands {
    type View<'a> = DemandView<'a>;

    fn view(row: &DemandRow, with_contact: bool) -> DemandView<'_> {
        DemandView {
            meta: row.meta.view(row.publicly_visible()),
            title: &row.title,
            description: &row.description,
            indicators: &row.indicators,
            basis: &row.basis,
            keywords: &row.keywords,
            technical_field: &row.technical_field,
            technical_field_label: TechnicalField::from_code(&row.technical_field).map(|f| f.label()).unwrap_or("未知"),
            industry_section: &row.industry_section,
            industry_label: IndustrySection::from_code(&row.industry_section).map(|s| s.label()).unwrap_or("未知"),
            cooperation_modes: &row.cooperation_modes,
            cooperation_mode_labels: row
                .cooperation_modes
                .iter()
                .filter_map(|m| CooperationMode::from_code(m))
                .map(|m| m.label())
                .collect(),
            budget_min_fen: row.budget_min_fen,
            budget_max_fen: row.budget_max_fen,
            budget_text: budget_text(row.budget_min_fen, row.budget_max_fen),
            valid_until: &row.valid_until,
            days_left: days_left(&row.valid_until),
            region_code: &row.region_code,
            contact: ContactView::when(
                with_contact,
                &row.contact_name,
                &row.contact_phone,
                row.contact_email.as_deref(),
            ),
        }
    }

    fn input_of(row: &DemandRow) -> DemandInput {
        DemandInput {
            title: Some(row.title.clone()),
            description: Some(row.description.clone()),
            indicators: Some(indicators_text(&row.indicators)),
            basis: Some(row.basis.clone()),
            keywords: Some(row.keywords.join("，")),
            technical_field: Some(row.technical_field.clone()),
            industry_section: Some(row.industry_section.clone()),
            cooperation_modes: row.cooperation_modes.clone(),
            budget_min: row.budget_min_fen.map(|f| Fen(f).wan_exact()),
            budget_max: row.budget_max_fen.map(|f| Fen(f).wan_exact()),
            budget_negotiable: row.budget_min_fen.is_none() && row.budget_max_fen.is_none(),
            valid_until: Some(row.valid_until.clone()),
            contact_name: Some(row.contact_name.clone()),
            contact_phone: Some(row.contact_phone.clone()),
            contact_email: row.contact_email.clone(),
            region_code: Some(row.region_code.clone()),
            version: Some(row.meta.version),
        }
    }

    fn form_choices(input: &DemandInput) -> Value {
        let one = |v: &Option<String>| v.clone().into_iter().collect::<Vec<_>>();
        json!({
            "fields": choices(TechnicalField::ALL, TechnicalField::code, TechnicalField::label, &one(&input.technical_field)),
            "sections": choices(IndustrySection::ALL, IndustrySection::code, IndustrySection::label, &one(&input.industry_section)),
            "modes": choices(CooperationMode::ALL, CooperationMode::code, CooperationMode::label, &input.cooperation_modes),
        })
    }

    fn blank_input(user: &CurrentUser, region_code: String) -> DemandInput {
        DemandInput {
            region_code: Some(region_code),
            valid_until: Some(date_text(today_shanghai() + time::Duration::days(180))),
            contact_name: Some(user.display_name.clone()),
            ..DemandInput::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_naturally() {
        assert_eq!(budget_text(Some(30_000_000), Some(80_000_000)), "30万元–80万元");
        assert_eq!(budget_text(None, Some(80_000_000)), "不超过80万元");
        assert_eq!(budget_text(Some(30_000_000), None), "30万元起");
        assert_eq!(budget_text(None, None), "面议");
    }
}
