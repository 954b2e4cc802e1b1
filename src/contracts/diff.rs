//! What changed between two revisions, field by field, in words a registry clerk reads.

use serde::Serialize;
use serde_json::Value;

use super::model::Draft;
use crate::domain::money::Fen;

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub field: String,
    pub label: &'static str,
    pub before: String,
    pub after: String,
}

/// The Chinese name of each field of a draft, by its path in the draft's JSON form.
const LABELS: &[(&str, &str)] = &[
    ("contract_type", "合同类型"),
    ("subtype", "合同子类"),
    ("title", "合同名称"),
    ("subject", "合同标的与技术内容"),
    ("seller.name", "卖方名称"),
    ("seller.credit_code", "卖方统一社会信用代码"),
    ("seller.credit_override", "卖方信用代码经管理员确认"),
    ("seller.nature", "卖方单位性质"),
    ("seller.region", "卖方行政区划代码"),
    ("buyer.name", "买方名称"),
    ("buyer.credit_code", "买方统一社会信用代码"),
    ("buyer.credit_override", "买方信用代码经管理员确认"),
    ("buyer.nature", "买方单位性质"),
    ("buyer.region", "买方行政区划代码"),
    ("achievement_id", "关联科技成果"),
    ("demand_id", "关联技术需求"),
    ("signed_on", "签订日期"),
    ("valid_from", "有效期起"),
    ("valid_until", "有效期止"),
    ("technical_field", "技术领域"),
    ("ip_type", "知识产权类型"),
    ("programme", "计划类别"),
    ("payment_mode", "支付方式"),
    ("payment_terms", "支付条款"),
    ("amounts.total", "合同成交额"),
    ("amounts.deductions.equipment", "设备购置费"),
    ("amounts.deductions.instruments", "仪器费"),
    ("amounts.deductions.parts", "零部件费"),
    ("amounts.deductions.materials", "原材料费"),
    ("amounts.carrier", "技术载体费"),
    ("amounts", "合同金额"),
    ("expected_investment", "预计新增投资"),
    ("expected_output", "预计新增产值"),
    ("written", "书面合同"),
    ("signed_by_parties", "双方已签章"),
    ("approvals", "审批或许可"),
    ("institution_achievement", "转化本单位职务科技成果"),
    ("team_self_transfer", "完成团队自行转化"),
    ("net_income", "净收入"),
    ("team_share", "奖励完成团队"),
];

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                flatten(&path, inner, out);
            }
        }
        Value::Null => out.push((prefix.to_string(), String::new())),
        Value::String(text) => out.push((prefix.to_string(), text.clone())),
        Value::Bool(flag) => out.push((prefix.to_string(), if *flag { "是" } else { "否" }.to_string())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

fn fields(draft: &Draft) -> Vec<(String, String)> {
    let mut out = Vec::new();
    flatten("", &serde_json::to_value(draft).unwrap_or(Value::Null), &mut out);
    out
}

/// Amount fields are shown in 元, exactly.
fn shown(field: &str, value: String) -> String {
    let money = field.starts_with("amounts.")
        || matches!(field, "expected_investment" | "expected_output" | "net_income" | "team_share");
    match value.parse::<i64>() {
        Ok(fen) if money => Fen(fen).format_yuan(),
        _ => value,
    }
}

fn label(field: &str) -> &'static str {
    LABELS.iter().find(|(path, _)| *path == field).map(|(_, label)| *label).unwrap_or("其他")
}

/// Every field whose value differs, in the draft's field order.
pub fn changes(before: &Draft, after: &Draft) -> Vec<Change> {
    let old = fields(before);
    let new = fields(after);
    let mut out = Vec::new();
    for (field, after_value) in &new {
        let before_value = old.iter().find(|(f, _)| f == field).map(|(_, v)| v.clone()).unwrap_or_default();
        if &before_value != after_value {
            out.push(Change {
                label: label(field),
                field: field.clone(),
                before: shown(field, before_value),
                after: shown(field, after_value.clone()),
            });
        }
    }
    for (field, before_value) in &old {
        if !before_value.is_empty() && !new.iter().any(|(f, _)| f == field) {
            out.push(Change {
                label: label(field),
                field: field.clone(),
                before: shown(field, before_value.clone()),
                after: String::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::model::{ContractInput, OverrideRights, validate};
    use time::macros::date;

    #[test]
    fn changed_amounts_and_parties_are_named() {
        let input = ContractInput {
            contract_type: Some("development".into()),
            subtype: Some("commissioned_development".into()),
            title: Some("数控系统委托开发".into()),
            total: Some("500000".into()),
            buyer_name: Some("甲公司".into()),
            ..ContractInput::default()
        };
        let today = date!(2026 - 11 - 28);
        let before = validate(&input, today, OverrideRights::default()).expect("valid");
        let changed = ContractInput { total: Some("450000".into()), buyer_name: Some("乙公司".into()), ..input };
        let after = validate(&changed, today, OverrideRights::default()).expect("valid");
        let list = changes(&before, &after);
        let labels: Vec<&str> = list.iter().map(|c| c.label).collect();
        assert!(labels.contains(&"买方名称") && labels.contains(&"合同成交额"), "{list:?}");
        let total = list.iter().find(|c| c.field == "amounts.total").expect("total");
        assert_eq!((total.before.as_str(), total.after.as_str()), ("¥500,000.00", "¥450,000.00"));
        assert!(changes(&before, &before).is_empty());
    }
}
