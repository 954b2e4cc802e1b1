//! 技术需求: what an enterprise needs solved, with quantified target indicators and a validity
//! date, and its lifecycle. No SQL and no HTTP here.
//!
//! Lifecycle (DOMAIN.md §4, plus the review every public listing passes on this platform):
//! draft → submitted → published (or returned) → in talks → solved / closed; a published or
//! in-talks demand past its validity date is expired and leaves the public board.

use rocket::FromForm;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::domain::forms::{Checker, FieldErrors, date_text, email_ok, phone, split_list};
use crate::domain::money::{Fen, Unit};
use crate::domain::taxonomy::{CooperationMode, IndustrySection, TechnicalField};
use crate::labelled_enum;

pub use crate::listings::status::DemandStatus as Status;

/// The demand board as a listing kind: the type the listing core's traits are implemented for
/// (`listing.rs`, `store.rs`, `view.rs`).
pub struct Demands;

labelled_enum!(
    /// Something that moves a demand from one status to another.
    Action {
        Submit = "submit": "提交审核",
        Approve = "approve": "审核通过",
        Return = "return": "退回修改",
        StartTalks = "talks": "标记为洽谈中",
        Reopen = "reopen": "恢复征集",
        MarkSolved = "solved": "标记为已解决",
        Close = "close": "关闭需求",
        Expire = "expire": "到期",
        Redraft = "redraft": "重新编辑",
    }
);

crate::listing_action!(
    Action,
    owner_buttons: [Submit, StartTalks, Reopen, MarkSolved, Close, Redraft],
    admin: [Approve, Return],
    system: [Expire],
    approve: Approve,
    return: Return,
    danger: [Close],
);

/// The allowed moves; `None` means refused.
pub fn transition(from: Status, action: Action) -> Option<Status> {
    use Action::*;
    use Status::*;
    match (from, action) {
        (Draft | Returned, Submit) => Some(Submitted),
        (Submitted, Approve) => Some(Published),
        (Submitted, Return) => Some(Returned),
        (Published, StartTalks) => Some(InTalks),
        (InTalks, Reopen) => Some(Published),
        (Published | InTalks, MarkSolved) => Some(Solved),
        (Draft | Submitted | Returned | Published | InTalks, Close) => Some(Closed),
        (Published | InTalks, Expire) => Some(Expired),
        (Closed | Expired, Redraft) => Some(Draft),
        _ => None,
    }
}

/// A demand as submitted by a form or the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct DemandInput {
    pub title: Option<String>,
    pub description: Option<String>,
    /// One indicator per line: `名称：目标值`.
    pub indicators: Option<String>,
    pub basis: Option<String>,
    pub keywords: Option<String>,
    pub technical_field: Option<String>,
    pub industry_section: Option<String>,
    pub cooperation_modes: Vec<String>,
    /// In 万元 unless a unit is written.
    pub budget_min: Option<String>,
    pub budget_max: Option<String>,
    /// `true` for 面议 (no budget stated).
    pub budget_negotiable: bool,
    pub valid_until: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub region_code: Option<String>,
    pub version: Option<i64>,
}

/// One quantified target: what must be reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub name: String,
    pub target: String,
}

/// A demand after every rule passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    pub title: String,
    pub description: String,
    pub indicators: Vec<Indicator>,
    pub basis: String,
    pub keywords: Vec<String>,
    pub technical_field: TechnicalField,
    pub industry_section: IndustrySection,
    pub cooperation_modes: Vec<CooperationMode>,
    pub budget_min: Option<Fen>,
    pub budget_max: Option<Fen>,
    pub valid_until: Date,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: Option<String>,
    pub region_code: String,
}

/// Reads `名称：目标值` lines (full- or half-width colon).
pub fn parse_indicators(text: &str) -> Result<Vec<Indicator>, String> {
    let mut indicators = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((name, target)) = line.split_once('：').or_else(|| line.split_once(':')) else {
            return Err(format!("“{line}”缺少目标值，请按“指标名称：目标值”填写，如“加工精度：≤0.005 mm”"));
        };
        let (name, target) = (name.trim(), target.trim());
        if name.is_empty() || target.is_empty() {
            return Err(format!("“{line}”的指标名称和目标值都不能为空"));
        }
        if !target.chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c)) {
            return Err(format!("“{name}”的目标值应量化（包含数值），例如“≥95%”"));
        }
        if name.chars().count() > 50 || target.chars().count() > 100 {
            return Err(format!("“{name}”过长：名称最多 50 字，目标值最多 100 字"));
        }
        indicators.push(Indicator { name: name.to_string(), target: target.to_string() });
    }
    match indicators.len() {
        0 => Err("请至少填写一项量化技术指标".to_string()),
        n if n > 20 => Err("技术指标最多 20 项".to_string()),
        _ => Ok(indicators),
    }
}

/// Indicators back into the form's text.
pub fn indicators_text(indicators: &[Indicator]) -> String {
    indicators.iter().map(|i| format!("{}：{}", i.name, i.target)).collect::<Vec<_>>().join("\n")
}

fn budget(check: &mut Checker, field: &str, text: Option<&str>) -> Option<Fen> {
    let text = text.unwrap_or_default().trim();
    if text.is_empty() {
        return None;
    }
    match Fen::parse(text, Unit::Wan) {
        Ok(amount) if amount.is_zero() => {
            check.fail(field, "预算须大于零；不确定时可勾选“面议”");
            None
        }
        Ok(amount) => Some(amount),
        Err(error) => {
            check.fail(field, error.to_string());
            None
        }
    }
}

/// Checks every rule; `today` (Asia/Shanghai) bounds the validity date.
pub fn validate(input: &DemandInput, today: Date) -> Result<Demand, FieldErrors> {
    let mut check = Checker::default();
    let title = check.text("title", "需求名称", input.title.as_deref(), 4, 100);
    let description = check.text("description", "问题描述", input.description.as_deref(), 20, 5000);
    let indicators = match parse_indicators(input.indicators.as_deref().unwrap_or_default()) {
        Ok(list) => list,
        Err(message) => {
            check.fail("indicators", message);
            Vec::new()
        }
    };
    let basis = check.text("basis", "现有基础", input.basis.as_deref(), 0, 2000);
    let keywords = split_list(input.keywords.as_deref().unwrap_or_default());
    if keywords.len() > 10 || keywords.iter().any(|k| k.chars().count() > 20) {
        check.fail("keywords", "关键词最多 10 个，每个最多 20 个字");
    }
    let technical_field =
        check.choice("technical_field", "技术领域", input.technical_field.as_deref(), TechnicalField::from_code);
    let industry_section =
        check.choice("industry_section", "行业门类", input.industry_section.as_deref(), IndustrySection::from_code);
    let cooperation_modes =
        check.choices("cooperation_modes", "合作方式", &input.cooperation_modes, CooperationMode::from_code, true);
    let (budget_min, budget_max) = if input.budget_negotiable {
        (None, None)
    } else {
        let min = budget(&mut check, "budget_min", input.budget_min.as_deref());
        let max = budget(&mut check, "budget_max", input.budget_max.as_deref());
        if min.is_none()
            && max.is_none()
            && !check.errors.contains_key("budget_min")
            && !check.errors.contains_key("budget_max")
        {
            check.fail("budget_max", "请填写预算范围，或勾选“面议”");
        }
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            check.fail("budget_max", "最高预算不能低于最低预算");
        }
        (min, max)
    };
    let valid_until = check.date("valid_until", "有效期", input.valid_until.as_deref());
    match valid_until {
        None if !check.errors.contains_key("valid_until") => check.fail("valid_until", "请填写需求有效期"),
        Some(date) if date < today => check.fail("valid_until", "有效期不能早于今天"),
        Some(date) if (date - today).whole_days() > 730 => check.fail("valid_until", "有效期最长两年"),
        _ => {}
    }
    let contact_name = check.text("contact_name", "联系人", input.contact_name.as_deref(), 2, 30);
    let contact_phone = phone(input.contact_phone.as_deref().unwrap_or_default()).unwrap_or_else(|| {
        check.fail("contact_phone", "请填写有效的联系电话（手机号或带区号的座机）");
        String::new()
    });
    let email = input.contact_email.as_deref().unwrap_or_default().trim().to_lowercase();
    let contact_email = (!email.is_empty()).then(|| {
        if !email_ok(&email) {
            check.fail("contact_email", "邮箱地址格式不正确");
        }
        email
    });
    let region_code = input.region_code.as_deref().unwrap_or_default().trim().to_string();
    if !(region_code.len() == 6 && region_code.bytes().all(|b| b.is_ascii_digit())) {
        check.fail("region_code", "所在地行政区划代码应为 6 位数字");
    }
    check.finish(|| {
        Some(Demand {
            title,
            description,
            indicators,
            basis,
            keywords,
            technical_field: technical_field?,
            industry_section: industry_section?,
            cooperation_modes,
            budget_min,
            budget_max,
            valid_until: valid_until?,
            contact_name,
            contact_phone,
            contact_email,
            region_code,
        })
    })
}

/// `YYYY-MM-DD`, as stored.
pub fn valid_until_text(demand: &Demand) -> String {
    date_text(demand.valid_until)
}

#[cfg(test)]
mod tests;
