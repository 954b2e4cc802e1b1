//! 科技成果: the fields a listing carries, their rules, and the lifecycle state machine.
//! No SQL and no HTTP here (the input derives `FromForm` so forms and JSON share one type).

use rocket::FromForm;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::domain::forms::{Checker, FieldErrors, date_text, email_ok, phone, split_list};
use crate::domain::money::{Fen, Unit};
use crate::domain::taxonomy::{
    AchievementType, IndustrySection, IpCarrier, PricingRoute, Stage, TechnicalField, TransferMode, stage_for_trl,
};
use crate::domain::validators::patent_application_number;
use crate::labelled_enum;

pub use crate::listings::status::AchievementStatus as Status;

/// The achievement library as a listing kind: the type the listing core's traits are implemented for
/// (`listing.rs`, `store.rs`, `view.rs`).
pub struct Achievements;

labelled_enum!(
    /// Something that moves a listing from one status to another.
    Action {
        Submit = "submit": "提交审核",
        Approve = "approve": "审核通过",
        Return = "return": "退回修改",
        StartNegotiation = "negotiate": "标记为洽谈中",
        EndNegotiation = "reopen": "恢复为已发布",
        MarkTransferred = "transferred": "标记为已转化",
        Withdraw = "withdraw": "撤回",
        Redraft = "redraft": "重新编辑",
    }
);

crate::listing_action!(
    Action,
    owner_buttons: [Submit, StartNegotiation, EndNegotiation, MarkTransferred, Withdraw, Redraft],
    admin: [Approve, Return],
    system: [],
    approve: Approve,
    return: Return,
    danger: [Withdraw],
);

/// The lifecycle: draft → submitted → published / returned → under negotiation → transferred,
/// or withdrawn; a withdrawn listing may be redrafted. `None` means the move is refused.
pub fn transition(from: Status, action: Action) -> Option<Status> {
    use Action::*;
    use Status::*;
    match (from, action) {
        (Draft | Returned, Submit) => Some(Submitted),
        (Submitted, Approve) => Some(Published),
        (Submitted, Return) => Some(Returned),
        (Published, StartNegotiation) => Some(Negotiating),
        (Negotiating, EndNegotiation) => Some(Published),
        (Published | Negotiating, MarkTransferred) => Some(Transferred),
        (Draft | Submitted | Returned | Published | Negotiating, Withdraw) => Some(Withdrawn),
        (Withdrawn, Redraft) => Some(Draft),
        _ => None,
    }
}

/// A listing as submitted by a form or the API: text as typed, nothing lost.
#[derive(Debug, Clone, Default, Serialize, Deserialize, FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct AchievementInput {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub keywords: Option<String>,
    pub achievement_type: Option<String>,
    pub ip_carriers: Vec<String>,
    pub patent_numbers: Option<String>,
    pub technical_field: Option<String>,
    pub industry_section: Option<String>,
    pub industry_division: Option<String>,
    pub trl: Option<String>,
    pub stage: Option<String>,
    pub transfer_modes: Vec<String>,
    pub pricing_route: Option<String>,
    /// `true` for 面议 (no asking price).
    pub price_negotiable: bool,
    /// In 万元 unless a unit is written (`12.5`, `12.5万元`, `¥125,000`).
    pub asking_price: Option<String>,
    pub publicity_start: Option<String>,
    pub publicity_end: Option<String>,
    pub team: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub problem: Option<String>,
    pub advantages: Option<String>,
    pub scenarios: Option<String>,
    pub region_code: Option<String>,
    /// The version the edit was based on (optimistic locking); absent on create.
    pub version: Option<i64>,
}

/// A listing's content after every rule passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Achievement {
    pub title: String,
    pub summary: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub achievement_type: AchievementType,
    pub ip_carriers: Vec<IpCarrier>,
    pub patent_numbers: Vec<String>,
    pub technical_field: TechnicalField,
    pub industry_section: IndustrySection,
    pub industry_division: Option<String>,
    pub trl: u8,
    pub stage: Stage,
    pub transfer_modes: Vec<TransferMode>,
    pub pricing_route: PricingRoute,
    /// `None`: 面议.
    pub asking_price: Option<Fen>,
    pub publicity: Option<(Date, Date)>,
    pub team: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: Option<String>,
    pub problem: String,
    pub advantages: String,
    pub scenarios: String,
    pub region_code: String,
}

pub const MAX_KEYWORDS: usize = 10;

/// Checks every rule and returns the listing or one message per offending field.
pub fn validate(input: &AchievementInput) -> Result<Achievement, FieldErrors> {
    let mut check = Checker::default();
    let title = check.text("title", "成果名称", input.title.as_deref(), 4, 100);
    let summary = check.text("summary", "成果简介", input.summary.as_deref(), 20, 500);
    let description = check.text("description", "详细介绍", input.description.as_deref(), 0, 20_000);
    let keywords = split_list(input.keywords.as_deref().unwrap_or_default());
    if keywords.is_empty() {
        check.fail("keywords", "请至少填写一个关键词");
    } else if keywords.len() > MAX_KEYWORDS {
        check.fail("keywords", format!("关键词最多 {MAX_KEYWORDS} 个"));
    } else if keywords.iter().any(|k| k.chars().count() > 20) {
        check.fail("keywords", "每个关键词最多 20 个字");
    }
    let achievement_type =
        check.choice("achievement_type", "成果类型", input.achievement_type.as_deref(), AchievementType::from_code);
    let ip_carriers = check.choices("ip_carriers", "知识产权类型", &input.ip_carriers, IpCarrier::from_code, false);
    let patent_numbers = patent_numbers(&mut check, input.patent_numbers.as_deref(), &ip_carriers);
    let technical_field =
        check.choice("technical_field", "技术领域", input.technical_field.as_deref(), TechnicalField::from_code);
    let industry_section =
        check.choice("industry_section", "行业门类", input.industry_section.as_deref(), IndustrySection::from_code);
    let division = input.industry_division.as_deref().unwrap_or_default().trim().to_string();
    let industry_division = if division.is_empty() {
        None
    } else {
        if industry_section.is_some_and(|s| !s.contains_division(&division)) {
            check.fail("industry_division", format!("行业大类“{division}”不属于所选门类"));
        }
        Some(division)
    };
    let trl = input.trl.as_deref().unwrap_or_default().trim().parse::<u8>().ok().filter(|t| (1..=9).contains(t));
    if trl.is_none() {
        check.fail("trl", "请选择技术成熟度（1–9 级）");
    }
    let stage = check.choice("stage", "所处阶段", input.stage.as_deref(), Stage::from_code);
    if let (Some(trl), Some(stage)) = (trl, stage)
        && stage_for_trl(trl) != Some(stage)
    {
        check.fail("stage", format!("技术成熟度 {trl} 级与“{}”阶段不一致", stage.label()));
    }
    let transfer_modes =
        check.choices("transfer_modes", "转化方式", &input.transfer_modes, TransferMode::from_code, true);
    let pricing_route =
        check.choice("pricing_route", "定价方式", input.pricing_route.as_deref(), PricingRoute::from_code);
    let asking_price = asking_price(&mut check, input, pricing_route);
    let publicity = publicity(&mut check, input, pricing_route);
    let team = check.text("team", "完成团队", input.team.as_deref(), 0, 1000);
    let contact_name = check.text("contact_name", "联系人", input.contact_name.as_deref(), 2, 30);
    let contact_phone = match phone(input.contact_phone.as_deref().unwrap_or_default()) {
        Some(phone) => phone,
        None => {
            check.fail("contact_phone", "请填写有效的联系电话（手机号或带区号的座机）");
            String::new()
        }
    };
    let email = input.contact_email.as_deref().unwrap_or_default().trim().to_lowercase();
    let contact_email = if email.is_empty() {
        None
    } else {
        if !email_ok(&email) {
            check.fail("contact_email", "邮箱地址格式不正确");
        }
        Some(email)
    };
    let problem = check.text("problem", "解决的问题", input.problem.as_deref(), 10, 2000);
    let advantages = check.text("advantages", "相对领先技术的优势", input.advantages.as_deref(), 10, 2000);
    let scenarios = check.text("scenarios", "应用场景", input.scenarios.as_deref(), 0, 2000);
    let region_code = input.region_code.as_deref().unwrap_or_default().trim().to_string();
    if !(region_code.len() == 6 && region_code.bytes().all(|b| b.is_ascii_digit())) {
        check.fail("region_code", "所在地行政区划代码应为 6 位数字");
    }
    check.finish(|| {
        Some(Achievement {
            title,
            summary,
            description,
            keywords,
            achievement_type: achievement_type?,
            ip_carriers,
            patent_numbers,
            technical_field: technical_field?,
            industry_section: industry_section?,
            industry_division,
            trl: trl?,
            stage: stage?,
            transfer_modes,
            pricing_route: pricing_route?,
            asking_price,
            publicity,
            team,
            contact_name,
            contact_phone,
            contact_email,
            problem,
            advantages,
            scenarios,
            region_code,
        })
    })
}

fn patent_numbers(check: &mut Checker, text: Option<&str>, carriers: &[IpCarrier]) -> Vec<String> {
    let mut numbers = Vec::new();
    for raw in split_list(text.unwrap_or_default()) {
        match patent_application_number(&raw) {
            Ok(number) if !numbers.contains(&number) => numbers.push(number),
            Ok(_) => {}
            Err(error) => check.fail("patent_numbers", format!("“{raw}”：{error}")),
        }
    }
    if numbers.len() > 50 {
        check.fail("patent_numbers", "专利号最多 50 个");
    }
    if numbers.is_empty() && carriers.iter().any(|c| c.needs_patent_numbers()) {
        check.fail("patent_numbers", "选择了专利权或专利申请权时，请填写专利（申请）号");
    }
    numbers
}

fn asking_price(check: &mut Checker, input: &AchievementInput, route: Option<PricingRoute>) -> Option<Fen> {
    let text = input.asking_price.as_deref().unwrap_or_default().trim();
    if input.price_negotiable {
        if route == Some(PricingRoute::Listing) {
            check.fail("asking_price", "挂牌交易须标明挂牌价格，不能选择面议");
        }
        return None;
    }
    match Fen::parse(text, Unit::Wan) {
        Ok(price) if price.is_zero() => {
            check.fail("asking_price", "价格须大于零；如需面议请勾选“面议”");
            None
        }
        Ok(price) if price > Fen(100_000_000_000_000) => {
            check.fail("asking_price", "价格超出合理范围（不超过 1 万亿元）");
            None
        }
        Ok(price) => Some(price),
        Err(error) => {
            check.fail("asking_price", format!("{error}；如需面议请勾选“面议”"));
            None
        }
    }
}

fn publicity(check: &mut Checker, input: &AchievementInput, route: Option<PricingRoute>) -> Option<(Date, Date)> {
    let start = check.date("publicity_start", "公示开始日期", input.publicity_start.as_deref());
    let end = check.date("publicity_end", "公示结束日期", input.publicity_end.as_deref());
    match (start, end) {
        (None, None) => None,
        (Some(start), Some(end)) => {
            if route != Some(PricingRoute::Listing) {
                check.fail("publicity_start", "只有挂牌交易的成果需要公示期");
            } else if end < start {
                check.fail("publicity_end", "公示结束日期不能早于开始日期");
            } else if (end - start).whole_days() > 365 {
                check.fail("publicity_end", "公示期最长一年");
            }
            Some((start, end))
        }
        (Some(_), None) => {
            check.fail("publicity_end", "请填写公示结束日期");
            None
        }
        (None, Some(_)) => {
            check.fail("publicity_start", "请填写公示开始日期");
            None
        }
    }
}

/// The publicity period as stored (`YYYY-MM-DD` each).
pub fn publicity_text(period: Option<(Date, Date)>) -> (Option<String>, Option<String>) {
    match period {
        Some((start, end)) => (Some(date_text(start)), Some(date_text(end))),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests;
