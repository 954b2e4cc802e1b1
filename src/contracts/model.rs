//! What a contract says, as typed (`ContractInput`, shared by forms and the API) and after the
//! rules passed (`Draft`, also what a stored revision reads back as). Drafts may be incomplete —
//! the registration pre-check says what is still missing before submission. No SQL, no HTTP.

use serde::{Deserialize, Serialize};
use time::Date;

use super::amounts::{Amounts, Deductions, MAX_AMOUNT};
use crate::domain::contract_vocab::{Approvals, ContractType, IpType, PaymentMode, Programme, Subtype};
use crate::domain::forms::{Checker, FieldErrors, date_text};
use crate::domain::money::{Fen, Unit};
use crate::domain::org::NatureCode;
use crate::domain::taxonomy::TechnicalField;
use crate::domain::validators::{CreditCodeError, credit_code};

/// A contract as typed. Amounts are text in 元 (or 万元 with `amount_unit = "wan"`; a written
/// suffix such as `万` wins), so nothing is lost to floating point on the way in. The same struct
/// reads the JSON body and the HTML form (`FromForm`), so both accept exactly the same fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize, rocket::form::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct ContractInput {
    pub contract_type: Option<String>,
    pub subtype: Option<String>,
    pub title: Option<String>,
    pub subject: Option<String>,
    /// Brokers and administrators say whose contract it is; everyone else drafts for their own.
    pub seller_organisation_id: Option<String>,
    pub buyer_organisation_id: Option<String>,
    pub broker_user_id: Option<String>,
    pub seller_name: Option<String>,
    pub seller_credit_code: Option<String>,
    pub seller_credit_override: bool,
    pub seller_nature: Option<String>,
    pub seller_region: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_credit_code: Option<String>,
    pub buyer_credit_override: bool,
    pub buyer_nature: Option<String>,
    pub buyer_region: Option<String>,
    /// 技术进口: the seller is abroad (a country code instead of a GB/T 2260 region, no credit
    /// code) and the domestic buyer registers the contract.
    pub technology_import: bool,
    pub achievement_id: Option<String>,
    pub demand_id: Option<String>,
    /// The 对接项目 the contract comes from (set when drafting; it must have reached 达成意向).
    pub deal_id: Option<String>,
    pub signed_on: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub technical_field: Option<String>,
    pub ip_type: Option<String>,
    pub programme: Option<String>,
    pub payment_mode: Option<String>,
    pub payment_terms: Option<String>,
    /// `yuan` (default) or `wan`.
    pub amount_unit: Option<String>,
    pub total: Option<String>,
    pub equipment: Option<String>,
    pub instruments: Option<String>,
    pub parts: Option<String>,
    pub materials: Option<String>,
    pub carrier: Option<String>,
    pub expected_investment: Option<String>,
    pub expected_output: Option<String>,
    /// A written contract text exists (oral contracts are not registrable). Default true.
    pub written: Option<bool>,
    pub signed_by_parties: bool,
    pub approvals: Option<String>,
    pub institution_achievement: bool,
    pub team_self_transfer: bool,
    pub net_income: Option<String>,
    pub team_share: Option<String>,
    /// The version the edit is based on (optimistic locking).
    pub version: Option<i64>,
    /// Forms only: the new-contract form's one-time token (never part of a JSON body).
    #[serde(skip)]
    pub form_token: Option<String>,
    /// Forms only: why an amendment is made (the API sends it beside the contract).
    #[serde(skip)]
    pub amend_reason: Option<String>,
}

/// One party as registration records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Party {
    pub name: String,
    pub credit_code: Option<String>,
    /// The code failed its check digit and an administrator confirmed it (audited).
    pub credit_override: bool,
    pub nature: Option<NatureCode>,
    pub region: Option<String>,
}

/// What one revision of a contract says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub contract_type: ContractType,
    pub subtype: Subtype,
    pub title: String,
    pub subject: String,
    pub seller: Party,
    pub buyer: Party,
    pub technology_import: bool,
    pub achievement_id: Option<String>,
    pub demand_id: Option<String>,
    #[serde(serialize_with = "optional_date")]
    pub signed_on: Option<Date>,
    #[serde(serialize_with = "optional_date")]
    pub valid_from: Option<Date>,
    #[serde(serialize_with = "optional_date")]
    pub valid_until: Option<Date>,
    pub technical_field: Option<TechnicalField>,
    pub ip_type: Option<IpType>,
    pub programme: Option<Programme>,
    pub payment_mode: Option<PaymentMode>,
    pub payment_terms: String,
    /// `None` while the price has not been entered.
    pub amounts: Option<Amounts>,
    pub expected_investment: Option<Fen>,
    pub expected_output: Option<Fen>,
    pub written: bool,
    pub signed_by_parties: bool,
    pub approvals: Approvals,
    pub institution_achievement: bool,
    pub team_self_transfer: bool,
    pub net_income: Option<Fen>,
    pub team_share: Option<Fen>,
}

fn optional_date<S: serde::Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.serialize_str(&date_text(*date)),
        None => serializer.serialize_none(),
    }
}

/// The earliest year a technology contract date may carry (the 技术合同法 took effect in 1987).
pub const EARLIEST_YEAR: i32 = 1987;

/// Which parties' failing check digits the caller may confirm (administrators; or a code already
/// confirmed on the organisation's own record).
#[derive(Debug, Clone, Copy, Default)]
pub struct OverrideRights {
    pub seller: bool,
    pub buyer: bool,
}

fn amount(check: &mut Checker, field: &str, label: &str, value: Option<&str>, unit: Unit) -> Option<Fen> {
    let text = value.unwrap_or_default().trim();
    if text.is_empty() {
        return None;
    }
    match Fen::parse(text, unit) {
        Ok(fen) if fen > MAX_AMOUNT => {
            check.fail(field, format!("{label}不能超过 10 万亿元"));
            None
        }
        Ok(fen) => Some(fen),
        Err(error) => {
            check.fail(field, format!("{label}：{error}"));
            None
        }
    }
}

fn optional_choice<T>(
    check: &mut Checker,
    field: &str,
    label: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    if value.unwrap_or_default().trim().is_empty() { None } else { check.choice(field, label, value, parse) }
}

/// Whether `code` reads as an ISO 3166-1 alpha-2 country or territory code outside mainland China.
pub fn is_foreign_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) && code != "CN"
}

fn region(check: &mut Checker, field: &str, value: Option<&str>, abroad: bool) -> Option<String> {
    let text = value.unwrap_or_default().trim();
    if text.is_empty() {
        return None;
    }
    if abroad {
        let code = text.to_ascii_uppercase();
        if !is_foreign_country_code(&code) {
            check.fail(
                field,
                "技术进口合同的卖方在境外：请填写其所在国家或地区的两位代码（ISO 3166-1），例如 DE、JP、HK",
            );
            return None;
        }
        return Some(code);
    }
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        check.fail(field, "行政区划代码应为 6 位数字（GB/T 2260），例如 620503");
        return None;
    }
    Some(text.to_string())
}

#[expect(clippy::too_many_arguments, reason = "one argument per party field as typed")]
fn party(
    check: &mut Checker,
    side: &str,
    label: &str,
    name: Option<&str>,
    code: Option<&str>,
    override_asked: bool,
    may_override: bool,
    nature: Option<&str>,
    region_code: Option<&str>,
    abroad: bool,
) -> Party {
    let name = check.text(&format!("{side}_name"), &format!("{label}名称"), name, 0, 100);
    let code_field = format!("{side}_credit_code");
    let mut credit_override = false;
    let credit_code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(_) if abroad => {
            check.fail(&code_field, "境外卖方没有统一社会信用代码，请留空");
            None
        }
        Some(typed) => match credit_code(typed) {
            Ok(code) => Some(code),
            Err(error @ CreditCodeError::Checksum { .. }) if override_asked => {
                if may_override {
                    credit_override = true;
                    Some(typed.to_ascii_uppercase())
                } else {
                    check.fail(&code_field, format!("{error}；校验位不符的代码只能由管理员核实后确认"));
                    None
                }
            }
            Err(error) if error.is_overridable() => {
                check.fail(&code_field, format!("{error}。如代码确为登记机关核发，请联系平台管理员核实确认"));
                None
            }
            Err(error) => {
                check.fail(&code_field, error.to_string());
                None
            }
        },
    };
    let nature =
        optional_choice(check, &format!("{side}_nature"), &format!("{label}单位性质"), nature, NatureCode::from_code);
    let region = region(check, &format!("{side}_region"), region_code, abroad);
    Party { name, credit_code, credit_override, nature, region }
}

/// Reads a contract as typed. Only the type, subtype and title are required of a draft; whatever
/// else is filled in must be valid.
pub fn validate(input: &ContractInput, today: Date, rights: OverrideRights) -> Result<Draft, FieldErrors> {
    let mut check = Checker::default();
    let contract_type =
        check.choice("contract_type", "合同类型", input.contract_type.as_deref(), ContractType::from_code);
    let subtype = check.choice("subtype", "合同子类", input.subtype.as_deref(), Subtype::from_code);
    if let (Some(kind), Some(sub)) = (contract_type, subtype) {
        if sub.contract_type() != kind {
            check.fail("subtype", format!("“{}”不属于{}合同", sub.label(), kind.label()));
        }
    }
    let title = check.text("title", "合同名称", input.title.as_deref(), 4, 100);
    let subject = check.text("subject", "合同标的与技术内容", input.subject.as_deref(), 0, 5000);
    let seller = party(
        &mut check,
        "seller",
        "卖方",
        input.seller_name.as_deref(),
        input.seller_credit_code.as_deref(),
        input.seller_credit_override,
        rights.seller,
        input.seller_nature.as_deref(),
        input.seller_region.as_deref(),
        input.technology_import,
    );
    let buyer = party(
        &mut check,
        "buyer",
        "买方",
        input.buyer_name.as_deref(),
        input.buyer_credit_code.as_deref(),
        input.buyer_credit_override,
        rights.buyer,
        input.buyer_nature.as_deref(),
        input.buyer_region.as_deref(),
        false,
    );
    let signed_on = check.date("signed_on", "签订日期", input.signed_on.as_deref());
    if signed_on.is_some_and(|d| d > today) {
        check.fail("signed_on", "签订日期不能晚于今天");
    }
    if signed_on.is_some_and(|d| d.year() < EARLIEST_YEAR) {
        check.fail("signed_on", format!("签订日期早于 {EARLIEST_YEAR} 年，请核对"));
    }
    let valid_from = check.date("valid_from", "有效期起", input.valid_from.as_deref());
    let valid_until = check.date("valid_until", "有效期止", input.valid_until.as_deref());
    if let (Some(from), Some(until)) = (valid_from, valid_until) {
        if until < from {
            check.fail("valid_until", "有效期止不能早于有效期起");
        }
    }
    let technical_field = optional_choice(
        &mut check,
        "technical_field",
        "技术领域",
        input.technical_field.as_deref(),
        TechnicalField::from_code,
    );
    let ip_type = optional_choice(&mut check, "ip_type", "知识产权类型", input.ip_type.as_deref(), IpType::from_code);
    let programme =
        optional_choice(&mut check, "programme", "计划类别", input.programme.as_deref(), Programme::from_code);
    let payment_mode =
        optional_choice(&mut check, "payment_mode", "支付方式", input.payment_mode.as_deref(), PaymentMode::from_code);
    let payment_terms = check.text("payment_terms", "支付条款", input.payment_terms.as_deref(), 0, 2000);
    let unit = match input.amount_unit.as_deref().map(str::trim) {
        None | Some("") | Some("yuan") => Unit::Yuan,
        Some("wan") => Unit::Wan,
        Some(other) => {
            check.fail("amount_unit", format!("金额单位“{other}”不是可选的值（元或万元）"));
            Unit::Yuan
        }
    };
    let total = amount(&mut check, "total", "合同成交额", input.total.as_deref(), unit);
    let mut items = [Fen::ZERO; 4];
    let typed = [&input.equipment, &input.instruments, &input.parts, &input.materials];
    for ((field, label, _), (slot, value)) in Deductions::default().items().iter().zip(items.iter_mut().zip(typed)) {
        *slot = amount(&mut check, field, label, value.as_deref(), unit).unwrap_or(Fen::ZERO);
    }
    let deductions = Deductions { equipment: items[0], instruments: items[1], parts: items[2], materials: items[3] };
    let carrier = amount(&mut check, "carrier", "技术载体费", input.carrier.as_deref(), unit).unwrap_or(Fen::ZERO);
    let amounts = match total {
        Some(total) => match Amounts::new(total, deductions, carrier) {
            Ok(amounts) => Some(amounts),
            Err(error @ super::amounts::AmountError::CarrierExceedsTotal { .. }) => {
                check.fail("carrier", error.to_string());
                None
            }
            Err(error) => {
                check.fail("total", error.to_string());
                None
            }
        },
        None => {
            if deductions != Deductions::default() || !carrier.is_zero() {
                check.fail("total", "填写了费用明细，请同时填写合同成交额");
            }
            None
        }
    };
    let expected_investment =
        amount(&mut check, "expected_investment", "预计新增投资", input.expected_investment.as_deref(), unit);
    let expected_output = amount(&mut check, "expected_output", "预计新增产值", input.expected_output.as_deref(), unit);
    if contract_type.is_some_and(|k| !k.records_expected_effects()) {
        if expected_investment.is_some() {
            check.fail("expected_investment", "预计新增投资只适用于技术转让合同");
        }
        if expected_output.is_some() {
            check.fail("expected_output", "预计新增产值只适用于技术转让合同");
        }
    }
    let approvals = match input.approvals.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => Approvals::NotRequired,
        Some(code) => check
            .choice("approvals", "审批或许可情况", Some(code), Approvals::from_code)
            .unwrap_or(Approvals::NotRequired),
    };
    let net_income = amount(&mut check, "net_income", "净收入", input.net_income.as_deref(), unit);
    let team_share = amount(&mut check, "team_share", "奖励完成团队金额", input.team_share.as_deref(), unit);
    if input.institution_achievement {
        if let (Some(net), Some(share)) = (net_income, team_share) {
            if share > net {
                check.fail("team_share", "奖励完成团队的金额不能超过净收入");
            }
        }
    } else if net_income.is_some() || team_share.is_some() {
        check.fail("institution_achievement", "填写了收益分配，请勾选“转化本单位职务科技成果”");
    }
    let linked = |check: &mut Checker, field: &str, value: &Option<String>| -> Option<String> {
        let text = value.as_deref().unwrap_or_default().trim();
        if text.is_empty() {
            return None;
        }
        if uuid::Uuid::parse_str(text).is_err() {
            check.fail(field, "关联的成果或需求编号无效");
            return None;
        }
        Some(text.to_string())
    };
    let achievement_id = linked(&mut check, "achievement_id", &input.achievement_id);
    let demand_id = linked(&mut check, "demand_id", &input.demand_id);
    check.finish(|| {
        Some(Draft {
            contract_type: contract_type?,
            subtype: subtype?,
            title,
            subject,
            seller,
            buyer,
            technology_import: input.technology_import,
            achievement_id,
            demand_id,
            signed_on,
            valid_from,
            valid_until,
            technical_field,
            ip_type,
            programme,
            payment_mode,
            payment_terms,
            amounts,
            expected_investment,
            expected_output,
            written: input.written.unwrap_or(true),
            signed_by_parties: input.signed_by_parties,
            approvals,
            institution_achievement: input.institution_achievement,
            team_self_transfer: input.institution_achievement && input.team_self_transfer,
            net_income: net_income.filter(|_| input.institution_achievement),
            team_share: team_share.filter(|_| input.institution_achievement),
        })
    })
}

impl Draft {
    /// The draft as a form would hold it (amounts in 元, exact), for editing and amending.
    pub fn to_input(&self) -> ContractInput {
        let yuan = |f: Option<Fen>| f.map(|f| f.yuan_exact());
        let date = |d: Option<Date>| d.map(date_text);
        let deductions = self.amounts.map(|a| a.deductions()).unwrap_or_default();
        let nonzero = |f: Fen| (!f.is_zero()).then(|| f.yuan_exact());
        ContractInput {
            contract_type: Some(self.contract_type.code().to_string()),
            subtype: Some(self.subtype.code().to_string()),
            title: Some(self.title.clone()),
            subject: Some(self.subject.clone()),
            seller_name: Some(self.seller.name.clone()),
            seller_credit_code: self.seller.credit_code.clone(),
            seller_credit_override: self.seller.credit_override,
            seller_nature: self.seller.nature.map(|n| n.code().to_string()),
            seller_region: self.seller.region.clone(),
            buyer_name: Some(self.buyer.name.clone()),
            buyer_credit_code: self.buyer.credit_code.clone(),
            buyer_credit_override: self.buyer.credit_override,
            buyer_nature: self.buyer.nature.map(|n| n.code().to_string()),
            buyer_region: self.buyer.region.clone(),
            technology_import: self.technology_import,
            achievement_id: self.achievement_id.clone(),
            demand_id: self.demand_id.clone(),
            signed_on: date(self.signed_on),
            valid_from: date(self.valid_from),
            valid_until: date(self.valid_until),
            technical_field: self.technical_field.map(|f| f.code().to_string()),
            ip_type: self.ip_type.map(|t| t.code().to_string()),
            programme: self.programme.map(|p| p.code().to_string()),
            payment_mode: self.payment_mode.map(|p| p.code().to_string()),
            payment_terms: Some(self.payment_terms.clone()),
            amount_unit: Some("yuan".to_string()),
            total: yuan(self.amounts.map(|a| a.total())),
            equipment: nonzero(deductions.equipment),
            instruments: nonzero(deductions.instruments),
            parts: nonzero(deductions.parts),
            materials: nonzero(deductions.materials),
            carrier: self.amounts.and_then(|a| nonzero(a.carrier())),
            expected_investment: yuan(self.expected_investment),
            expected_output: yuan(self.expected_output),
            written: Some(self.written),
            signed_by_parties: self.signed_by_parties,
            approvals: Some(self.approvals.code().to_string()),
            institution_achievement: self.institution_achievement,
            team_self_transfer: self.team_self_transfer,
            net_income: yuan(self.net_income),
            team_share: yuan(self.team_share),
            ..ContractInput::default()
        }
    }
}

#[cfg(test)]
mod tests;
