//! One history row checked with exactly the form's rules (`model::validate`) plus what a
//! registration needs: a 登记编号, a registration date not in the future, acceptance not after
//! registration, signing not after acceptance, both parties, the price. No SQL.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::columns::COLUMNS;
use crate::contracts::model::{self, ContractInput, Draft, EARLIEST_YEAR, OverrideRights};
use crate::contracts::review::registration_number;
use crate::domain::contract_vocab::{ContractType, Subtype};
use crate::domain::forms::FieldErrors;
use crate::domain::org::NatureCode;
use crate::domain::taxonomy::TechnicalField;
use crate::sheets::columns;

/// A history row as typed: the one-by-one form and the API send it; a file row becomes one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, rocket::form::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct HistoryInput {
    pub registration_no: Option<String>,
    pub title: Option<String>,
    pub contract_type: Option<String>,
    pub subtype: Option<String>,
    pub seller_name: Option<String>,
    pub seller_credit_code: Option<String>,
    pub seller_nature: Option<String>,
    pub seller_region: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_credit_code: Option<String>,
    pub buyer_nature: Option<String>,
    pub buyer_region: Option<String>,
    pub technology_import: Option<String>,
    pub technical_field: Option<String>,
    pub signed_on: Option<String>,
    pub accepted_on: Option<String>,
    pub registered_on: Option<String>,
    pub total: Option<String>,
    pub equipment: Option<String>,
    pub instruments: Option<String>,
    pub parts: Option<String>,
    pub materials: Option<String>,
    pub carrier: Option<String>,
    pub subject: Option<String>,
}

impl HistoryInput {
    /// A file row: cells by field name.
    pub fn from_cells(cells: &BTreeMap<&'static str, String>) -> HistoryInput {
        let get = |field: &str| cells.get(field).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        HistoryInput {
            registration_no: get("registration_no"),
            title: get("title"),
            contract_type: get("contract_type"),
            subtype: get("subtype"),
            seller_name: get("seller_name"),
            seller_credit_code: get("seller_credit_code"),
            seller_nature: get("seller_nature"),
            seller_region: get("seller_region"),
            buyer_name: get("buyer_name"),
            buyer_credit_code: get("buyer_credit_code"),
            buyer_nature: get("buyer_nature"),
            buyer_region: get("buyer_region"),
            technology_import: get("technology_import"),
            technical_field: get("technical_field"),
            signed_on: get("signed_on"),
            accepted_on: get("accepted_on"),
            registered_on: get("registered_on"),
            total: get("total"),
            equipment: get("equipment"),
            instruments: get("instruments"),
            parts: get("parts"),
            materials: get("materials"),
            carrier: get("carrier"),
            subject: get("subject"),
        }
    }
}

/// A row that passed: what to register.
#[derive(Debug, Clone)]
pub struct Checked {
    pub registration_no: String,
    pub accepted_on: Date,
    pub registered_on: Date,
    pub draft: Draft,
}

/// A vocabulary cell as its code (an unknown text stays as typed, for the form's message).
fn code_of<T: Copy>(
    text: &Option<String>,
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Option<String> {
    text.as_deref()
        .map(|t| columns::vocabulary(t, all, code, label).map(|v| code(v).to_string()).unwrap_or(t.to_string()))
}

/// A subtype read within its type (several types have an 其他).
fn subtype_code(kind: Option<&str>, text: &Option<String>) -> Option<String> {
    let text = text.as_deref()?.trim();
    let kind = kind.and_then(ContractType::from_code);
    let within: Vec<Subtype> =
        Subtype::ALL.iter().copied().filter(|s| kind.is_none_or(|k| s.contract_type() == k)).collect();
    Some(
        columns::vocabulary(text, &within, Subtype::code, Subtype::label)
            .map(|s| s.code().to_string())
            .unwrap_or(text.to_string()),
    )
}

fn required_missing(input: &HistoryInput, errors: &mut FieldErrors) {
    let value = |field: &str| -> Option<&Option<String>> {
        Some(match field {
            "registration_no" => &input.registration_no,
            "title" => &input.title,
            "contract_type" => &input.contract_type,
            "subtype" => &input.subtype,
            "seller_name" => &input.seller_name,
            "seller_region" => &input.seller_region,
            "buyer_name" => &input.buyer_name,
            "buyer_region" => &input.buyer_region,
            "registered_on" => &input.registered_on,
            "total" => &input.total,
            _ => return None,
        })
    };
    for column in COLUMNS.iter().filter(|c| c.required) {
        if value(column.field).is_some_and(|v| v.as_deref().is_none_or(|t| t.trim().is_empty())) {
            errors.entry(column.field.to_string()).or_insert_with(|| format!("请填写{}", column.header));
        }
    }
}

/// Checks one row as of `today` (Beijing).
pub fn check(input: &HistoryInput, today: Date) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::new();
    required_missing(input, &mut errors);
    let technology_import = match columns::yes_no(input.technology_import.as_deref().unwrap_or_default()) {
        Some(flag) => flag,
        None => {
            errors.insert("technology_import".into(), "技术进口请填写“是”或“否”".into());
            false
        }
    };
    let contract_type = code_of(&input.contract_type, ContractType::ALL, ContractType::code, ContractType::label);
    let form = ContractInput {
        contract_type: contract_type.clone(),
        subtype: subtype_code(contract_type.as_deref(), &input.subtype),
        title: input.title.clone(),
        subject: input.subject.clone(),
        seller_name: input.seller_name.clone(),
        seller_credit_code: input.seller_credit_code.clone(),
        seller_nature: code_of(&input.seller_nature, NatureCode::ALL, NatureCode::code, NatureCode::label),
        seller_region: input.seller_region.clone(),
        buyer_name: input.buyer_name.clone(),
        buyer_credit_code: input.buyer_credit_code.clone(),
        buyer_nature: code_of(&input.buyer_nature, NatureCode::ALL, NatureCode::code, NatureCode::label),
        buyer_region: input.buyer_region.clone(),
        technology_import,
        signed_on: input.signed_on.clone(),
        technical_field: code_of(
            &input.technical_field,
            TechnicalField::ALL,
            TechnicalField::code,
            TechnicalField::label,
        ),
        total: input.total.clone(),
        equipment: input.equipment.clone(),
        instruments: input.instruments.clone(),
        parts: input.parts.clone(),
        materials: input.materials.clone(),
        carrier: input.carrier.clone(),
        written: Some(true),
        signed_by_parties: true,
        seller_credit_override: true,
        buyer_credit_override: true,
        ..ContractInput::default()
    };
    // An administrator enters these: a failing check digit the registry accepted is confirmed.
    let rights = OverrideRights { seller: true, buyer: true };
    let draft = match model::validate(&form, today, rights) {
        Ok(draft) => Some(draft),
        Err(fields) => {
            for (field, message) in fields {
                errors.entry(field).or_insert(message);
            }
            None
        }
    };
    let registration_no = match registration_number(input.registration_no.as_deref()) {
        Ok(number) => Some(number),
        Err(error) => {
            if input.registration_no.is_some() {
                let message = error.fields.values().next().cloned().unwrap_or(error.message);
                errors.entry("registration_no".into()).or_insert(message);
            }
            None
        }
    };
    let date = |errors: &mut FieldErrors, field: &str, label: &str, text: &Option<String>| -> Option<Date> {
        let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        match crate::domain::time::parse_date(&text.replace(['/', '.'], "-")) {
            Some(day) if day > today => {
                errors.entry(field.into()).or_insert(format!("{label}不能晚于今天"));
                None
            }
            Some(day) if day.year() < EARLIEST_YEAR => {
                errors.entry(field.into()).or_insert(format!("{label}早于 {EARLIEST_YEAR} 年，请核对"));
                None
            }
            Some(day) => Some(day),
            None => {
                errors.entry(field.into()).or_insert(format!("{label}应为日期，如 2023-05-08"));
                None
            }
        }
    };
    let registered_on = date(&mut errors, "registered_on", "登记日期", &input.registered_on);
    let accepted_on = date(&mut errors, "accepted_on", "受理日期", &input.accepted_on).or(registered_on);
    if let (Some(accepted), Some(registered)) = (accepted_on, registered_on) {
        if accepted > registered {
            errors.entry("accepted_on".into()).or_insert("受理日期不能晚于登记日期".into());
        }
    }
    if let (Some(draft), Some(accepted)) = (&draft, accepted_on) {
        if draft.signed_on.is_some_and(|signed| signed > accepted) {
            errors.entry("signed_on".into()).or_insert("签订日期不能晚于受理日期".into());
        }
        if draft.amounts.is_some_and(|a| a.total().is_zero()) {
            errors.entry("total".into()).or_insert("合同成交额须大于零".into());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match (registration_no, accepted_on, registered_on, draft) {
        (Some(registration_no), Some(accepted_on), Some(registered_on), Some(draft)) => {
            Ok(Checked { registration_no, accepted_on, registered_on, draft })
        }
        _ => Err([("registration_no".to_string(), "这一行无法读取，请核对".to_string())].into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn good() -> HistoryInput {
        HistoryInput {
            registration_no: Some("62050320210001".into()),
            title: Some("苹果气调贮藏技术转让".into()),
            contract_type: Some("技术转让".into()),
            subtype: Some("技术秘密转让".into()),
            seller_name: Some("天水市果树研究所".into()),
            seller_nature: Some("科研机构".into()),
            seller_region: Some("620503".into()),
            buyer_name: Some("天水花牛果业有限公司".into()),
            buyer_region: Some("620502".into()),
            technical_field: Some("农业".into()),
            signed_on: Some("2021-03-02".into()),
            accepted_on: Some("2021-03-05".into()),
            registered_on: Some("2021/03/19".into()),
            total: Some("1,250,000".into()),
            equipment: Some("50000".into()),
            ..HistoryInput::default()
        }
    }

    #[test]
    fn a_past_registration_is_read_with_labels_and_dates() {
        let checked = check(&good(), date!(2026 - 12 - 02)).expect("valid");
        assert_eq!(checked.registered_on, date!(2021 - 03 - 19));
        assert_eq!(checked.draft.subtype, Subtype::KnowHowTransfer);
        assert_eq!(checked.draft.seller.nature, Some(NatureCode::PublicResearch));
        assert_eq!(checked.draft.amounts.map(|a| a.technology().0), Some(120_000_000));
    }

    #[test]
    fn every_bad_cell_is_named() {
        let bad = HistoryInput {
            registration_no: Some("号".into()),
            accepted_on: Some("2021-04-01".into()),
            signed_on: Some("2021-05-01".into()),
            carrier: Some("2000000".into()),
            technology_import: Some("也许".into()),
            buyer_region: None,
            ..good()
        };
        let errors = check(&bad, date!(2026 - 12 - 02)).expect_err("invalid");
        for field in ["registration_no", "accepted_on", "carrier", "technology_import", "buyer_region"] {
            assert!(errors.contains_key(field), "{field} in {errors:?}");
        }
        let future = HistoryInput { registered_on: Some("2027-01-05".into()), ..good() };
        assert!(check(&future, date!(2026 - 12 - 02)).expect_err("future")["registered_on"].contains("不能晚于今天"));
    }

    #[test]
    fn a_technology_import_has_a_foreign_seller() {
        let import = HistoryInput {
            technology_import: Some("是".into()),
            seller_name: Some("Fraunhofer IVV".into()),
            seller_nature: None,
            seller_region: Some("de".into()),
            ..good()
        };
        let checked = check(&import, date!(2026 - 12 - 02)).expect("valid");
        assert!(checked.draft.technology_import);
        assert_eq!(checked.draft.seller.region.as_deref(), Some("DE"));
        let bad = HistoryInput { seller_region: Some("620503".into()), ..import };
        assert!(check(&bad, date!(2026 - 12 - 02)).is_err());
    }
}
