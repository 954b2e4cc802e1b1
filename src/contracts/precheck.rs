//! The registration pre-check: what a registry would refuse (DOMAIN.md §6), found before the
//! contract is submitted. Errors block submission; warnings are shown and recorded.

use serde::Serialize;

use super::model::{Draft, Party};
use super::share;
use crate::domain::contract_vocab::Approvals;
use crate::domain::org::NatureCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Registries refuse this: submission is blocked.
    Error,
    /// Often refused or questioned: shown, submission allowed.
    Warning,
}

/// One finding, with a stable code and a Chinese message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
}

/// Words that mark a sale of goods or a non-technical service rather than technology.
const NON_TECHNOLOGY_WORDS: &[&str] =
    &["买卖", "购销", "销售", "采购", "租赁", "装修", "施工", "劳务", "物业", "广告", "代理记账", "餐饮", "运输"];

/// Words that mark a technical subject.
const TECHNOLOGY_WORDS: &[&str] = &[
    "技术", "研发", "开发", "专利", "工艺", "算法", "软件", "设计", "检测", "试验", "咨询", "培训", "品种", "配方",
    "系统",
];

fn party_findings(findings: &mut Vec<Finding>, side: &str, label: &str, party: &Party, abroad: bool) {
    let error = |code, message: String| Finding { code, severity: Severity::Error, message };
    if party.name.trim().is_empty() {
        findings.push(error(
            if side == "seller" { "missing_seller" } else { "missing_buyer" },
            format!("未填写{label}名称"),
        ));
        return;
    }
    if abroad {
        if party.region.is_none() {
            findings.push(error("missing_region", "未填写境外卖方所在国家或地区代码".to_string()));
        }
        return;
    }
    if party.nature.is_none() {
        findings.push(error("missing_party_nature", format!("未选择{label}单位性质")));
    }
    if party.nature != Some(NatureCode::Individual) && party.credit_code.is_none() {
        findings.push(error("missing_credit_code", format!("未填写{label}统一社会信用代码（个人除外）")));
    }
    if party.region.is_none() {
        findings.push(error("missing_region", format!("未填写{label}所在地行政区划代码")));
    }
}

/// Everything a registry would object to in this draft.
pub fn run(draft: &Draft) -> Vec<Finding> {
    let mut findings = Vec::new();
    let error = |code, message: &str| Finding { code, severity: Severity::Error, message: message.to_string() };
    let warning = |code, message: String| Finding { code, severity: Severity::Warning, message };
    party_findings(&mut findings, "seller", "卖方", &draft.seller, draft.technology_import);
    party_findings(&mut findings, "buyer", "买方", &draft.buyer, false);
    match draft.amounts {
        None => findings.push(error("missing_price", "未填写合同成交额（价款、报酬或使用费）")),
        Some(a) if a.total().is_zero() => findings.push(error("missing_price", "合同成交额为零，价款不明确")),
        Some(_) => {}
    }
    if !draft.written {
        findings.push(error("oral_contract", "口头合同不予登记，须有双方签订的书面合同文本"));
    }
    if !draft.signed_by_parties {
        findings.push(error("missing_signatures", "合同尚未经双方签字盖章"));
    }
    if draft.approvals == Approvals::Missing {
        findings.push(error("missing_approvals", "依法须取得的审批或许可证明尚未取得"));
    }
    match draft.signed_on {
        None => findings.push(error("missing_signed_on", "未填写合同签订日期")),
        Some(day) if day.year() < super::model::EARLIEST_YEAR || day > crate::domain::time::today_shanghai() => {
            findings.push(error("implausible_signed_on", &format!("合同签订日期 {day} 不可能，请核对")))
        }
        Some(_) => {}
    }
    if draft.subject.chars().count() < 20 {
        findings.push(error("unclear_subject", "合同标的与技术内容不足 20 字，登记机关无法判断技术内容"));
    }
    if draft.technical_field.is_none() {
        findings.push(error("missing_technical_field", "未选择技术领域"));
    }
    let text = format!("{} {}", draft.title, draft.subject);
    let goods = NON_TECHNOLOGY_WORDS.iter().filter(|w| text.contains(*w)).copied().collect::<Vec<_>>();
    if !goods.is_empty() && !TECHNOLOGY_WORDS.iter().any(|w| text.contains(w)) {
        findings.push(warning(
            "non_technology_subject",
            format!("合同内容出现“{}”，未见技术内容，可能被认定为非技术合同", goods.join("、")),
        ));
    }
    if draft.payment_mode == Some(crate::domain::contract_vocab::PaymentMode::Equity)
        && draft.contract_type != crate::domain::contract_vocab::ContractType::Transfer
    {
        findings.push(warning(
            "equity_registered_as_transfer",
            format!(
                "以技术入股方式支付的合同按技术转让合同认定登记；本合同现为{}合同，请核对合同类型",
                draft.contract_type.label()
            ),
        ));
    }
    if let Some(amounts) = draft.amounts {
        // More than half of the price is goods: registries look hard at such contracts.
        if !amounts.total().is_zero() && i128::from(amounts.deducted().0) * 2 > i128::from(amounts.total().0) {
            findings.push(warning(
                "mostly_goods",
                format!(
                    "非技术性费用 {} 超过合同成交额的一半，登记机关可能认定为货物买卖",
                    amounts.deducted().format_compact()
                ),
            ));
        }
    }
    if draft.institution_achievement {
        match (draft.net_income, draft.team_share) {
            (Some(net), Some(team)) => {
                if let Some(check) = share::check(net, team, share_in_plan_scope(draft)) {
                    if check.below_applicable() {
                        findings.push(warning(
                            "share_below_minimum",
                            format!(
                                "奖励成果完成人和贡献人员的比例 {} 低于{}的 {}%",
                                check.percent_text, check.applicable.source, check.applicable.percent
                            ),
                        ));
                    } else if check.below_advised() {
                        findings.push(warning(
                            "share_below_plan",
                            format!(
                                "奖励比例 {}。方案倡导：“{}”（“可”为倡导性规定，不影响登记）",
                                check.percent_text,
                                share::PLAN_SENTENCE
                            ),
                        ));
                    }
                }
            }
            _ => findings.push(warning(
                "share_not_recorded",
                "转化本单位职务科技成果，请填写转化收益（净收入）和奖励成果完成人的金额".to_string(),
            )),
        }
    }
    findings
}

/// The plan's 90 % speaks of 科研院所 whose 成果完成人 carry out the transfer themselves.
pub fn share_in_plan_scope(draft: &Draft) -> bool {
    draft.team_self_transfer && draft.seller.nature == Some(crate::domain::org::NatureCode::PublicResearch)
}

/// Whether any finding blocks submission.
pub fn blocks(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::model::{ContractInput, OverrideRights, validate};
    use crate::domain::validators::complete_credit_code;
    use time::macros::date;

    fn complete() -> ContractInput {
        ContractInput {
            contract_type: Some("transfer".into()),
            subtype: Some("patent_transfer".into()),
            title: Some("苹果无损分级专利权转让".into()),
            subject: Some("转让“一种基于近红外光谱的苹果无损分级方法”发明专利权，并提供工艺调试与技术培训".into()),
            seller_name: Some("天水师范学院".into()),
            seller_credit_code: complete_credit_code("12620000438000000"),
            seller_nature: Some("public_university".into()),
            seller_region: Some("620503".into()),
            buyer_name: Some("天水花牛苹果有限公司".into()),
            buyer_credit_code: complete_credit_code("91620503MA7123456"),
            buyer_nature: Some("enterprise_private".into()),
            buyer_region: Some("620503".into()),
            signed_on: Some("2026-10-08".into()),
            technical_field: Some("agriculture".into()),
            total: Some("1200000".into()),
            signed_by_parties: true,
            ..ContractInput::default()
        }
    }

    fn bare_service() -> ContractInput {
        ContractInput {
            contract_type: Some("service".into()),
            subtype: Some("service".into()),
            subject: Some("为苹果分级生产线提供工艺参数优化和质量检测方法的技术服务，含现场指导".into()),
            ..complete()
        }
    }

    fn codes(input: &ContractInput) -> Vec<&'static str> {
        let draft = validate(input, date!(2026 - 11 - 28), OverrideRights::default()).expect("valid");
        run(&draft).iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_complete_contract_passes() {
        assert_eq!(codes(&complete()), Vec::<&str>::new());
    }

    #[test]
    fn what_registries_refuse_is_found() {
        let bare = ContractInput {
            contract_type: Some("service".into()),
            subtype: Some("service".into()),
            title: Some("农机销售合同".into()),
            subject: Some("买卖拖拉机十台".into()),
            written: Some(false),
            approvals: Some("missing".into()),
            ..ContractInput::default()
        };
        let found = codes(&bare);
        for code in [
            "missing_seller",
            "missing_buyer",
            "missing_price",
            "oral_contract",
            "missing_signatures",
            "missing_approvals",
            "unclear_subject",
            "non_technology_subject",
        ] {
            assert!(found.contains(&code), "{code} in {found:?}");
        }
        let goods = ContractInput { equipment: Some("700000".into()), ..complete() };
        assert_eq!(codes(&goods), ["mostly_goods"]);
        let share = ContractInput {
            institution_achievement: true,
            team_self_transfer: true,
            net_income: Some("1000000".into()),
            team_share: Some("550000".into()),
            ..complete()
        };
        assert_eq!(codes(&share), ["share_below_minimum"]);
        // The plan's 90 % is advice for a 科研院所's own team, quoted, never required.
        let institute = ContractInput {
            seller_nature: Some("public_research".into()),
            team_share: Some("850000".into()),
            ..share.clone()
        };
        assert_eq!(codes(&institute), ["share_below_plan"]);
        let university = ContractInput { seller_nature: Some("public_university".into()), ..institute.clone() };
        assert_eq!(codes(&university), Vec::<&str>::new());
        // Equity on a service contract is registered as a transfer: a warning says so.
        let equity = ContractInput { payment_mode: Some("equity".into()), ..bare_service() };
        assert!(codes(&equity).contains(&"equity_registered_as_transfer"));
    }
}
