//! The JSON a contract is shown as: by the API, and by the pages' templates (codes with their
//! Chinese labels, amounts in fen with exact texts beside them).

use serde_json::{Value, json};
use time::Date;

use super::lifecycle::{self, Status};
use super::model::{Draft, Party};
use super::records::ListRow;
use super::share;
use super::store::{ContractRow, Revision};
use crate::domain::contract_vocab::{ContractType, RefusalReason, Subtype};
use crate::domain::money::Fen;
use crate::domain::taxonomy::TechnicalField;
use crate::domain::time::chinese_datetime_text;
use crate::domain::workdays::Calendar;

fn money(fen: Option<Fen>) -> Value {
    match fen {
        Some(f) => json!({"fen": f.0, "yuan": f.yuan_exact(), "text": f.format_yuan(), "compact": f.format_compact()}),
        None => Value::Null,
    }
}

fn party(party: &Party) -> Value {
    json!({
        "name": party.name,
        "credit_code": party.credit_code,
        "credit_override": party.credit_override,
        "nature": party.nature.map(|n| n.code()),
        "nature_label": party.nature.map(|n| n.label()),
        "region": party.region,
    })
}

/// What a revision says, with labels and exact amount texts.
pub fn draft(draft: &Draft) -> Value {
    let amounts = draft.amounts.map(|a| {
        let items: Vec<Value> = a
            .deductions()
            .items()
            .iter()
            .map(|(code, label, fen)| json!({"code": code, "label": label, "amount": money(Some(*fen))}))
            .collect();
        json!({
            "total": money(Some(a.total())),
            "deductions": items,
            "deducted": money(Some(a.deducted())),
            "carrier": money(Some(a.carrier())),
            "technology": money(Some(a.technology())),
            "review_days": a.review_days(),
        })
    });
    let share = match (draft.institution_achievement, draft.net_income, draft.team_share) {
        (true, Some(net), Some(team)) => json!(share::check(net, team, super::precheck::share_in_plan_scope(draft))),
        _ => Value::Null,
    };
    json!({
        "contract_type": draft.contract_type.code(),
        "contract_type_label": draft.contract_type.label(),
        "subtype": draft.subtype.code(),
        "subtype_label": draft.subtype.label(),
        "title": draft.title,
        "subject": draft.subject,
        "seller": party(&draft.seller),
        "buyer": party(&draft.buyer),
        "technology_import": draft.technology_import,
        "achievement_id": draft.achievement_id,
        "demand_id": draft.demand_id,
        "signed_on": draft.signed_on.map(crate::domain::forms::date_text),
        "valid_from": draft.valid_from.map(crate::domain::forms::date_text),
        "valid_until": draft.valid_until.map(crate::domain::forms::date_text),
        "technical_field": draft.technical_field.map(|f| f.code()),
        "technical_field_label": draft.technical_field.map(|f| f.label()),
        "ip_type": draft.ip_type.map(|t| t.code()),
        "ip_type_label": draft.ip_type.map(|t| t.label()),
        "programme": draft.programme.map(|p| p.code()),
        "programme_label": draft.programme.map(|p| p.label()),
        "payment_mode": draft.payment_mode.map(|p| p.code()),
        "payment_mode_label": draft.payment_mode.map(|p| p.label()),
        "payment_terms": draft.payment_terms,
        "amounts": amounts,
        "expected_investment": money(draft.expected_investment),
        "expected_output": money(draft.expected_output),
        "written": draft.written,
        "signed_by_parties": draft.signed_by_parties,
        "approvals": draft.approvals.code(),
        "approvals_label": draft.approvals.label(),
        "institution_achievement": draft.institution_achievement,
        "team_self_transfer": draft.team_self_transfer,
        "net_income": money(draft.net_income),
        "team_share": money(draft.team_share),
        "share_check": share,
    })
}

/// Where a contract came from, as people read it ('' for the platform's own).
pub fn origin_label(origin: &str) -> &'static str {
    match origin {
        "history" => "历史登记补录",
        "demo" => "演示数据",
        _ => "",
    }
}

/// `已注销` for a cancelled registration, else the stored status's label.
pub fn status_label(status: Status, cancelled: bool) -> &'static str {
    if cancelled { "已注销" } else { status.label() }
}

/// The registration clock as shown: deadline, working days left, overdue, and a warning when the
/// deadline was counted through a year whose holiday notice is not entered yet.
pub fn clock(contract: &ContractRow, today: Date, calendar: &Calendar) -> Value {
    let due = contract.due_date();
    let accepted = contract.accepted_on.as_deref().and_then(crate::domain::time::parse_date);
    let running = contract.status == Status::Submitted;
    let uncovered = match (accepted, due) {
        (Some(from), Some(to)) if running && contract.review_rule.as_deref() != Some("days_2000") => {
            !calendar.covers(from, to)
        }
        _ => false,
    };
    let warning = uncovered.then(|| {
        format!(
            "办结期限跨入尚未录入国务院放假通知的年份（已录入到 {}），暂按周末和法定固定假日推算，以登记机构实际办理为准",
            calendar.known_until().map(|y| format!("{y} 年")).unwrap_or_else(|| "无".to_string())
        )
    });
    json!({
        "accepted_on": contract.accepted_on,
        "review_days": contract.review_days,
        "review_rule": contract.review_rule,
        "period_text": contract.review_days.map(|d| lifecycle::period_text(contract.review_rule.as_deref(), d)),
        "due_on": contract.due_on,
        "running": running,
        "working_days_left": due.filter(|_| running).map(|d| calendar.working_days_between(today, d)),
        "overdue": lifecycle::is_overdue(contract.status, due, today),
        "submissions": contract.submissions,
        "disputed": contract.disputed,
        "calendar_warning": warning,
    })
}

/// A contract with its revision in force.
pub fn contract(contract: &ContractRow, revision: &Revision, today: Date, calendar: &Calendar) -> Value {
    let refusal = contract.refusal_reason.as_deref().map(|code| {
        json!({
            "reason": code,
            "reason_label": RefusalReason::from_code(code).map(|r| r.label()).unwrap_or(""),
            "note": contract.refusal_note,
        })
    });
    json!({
        "id": contract.id,
        "status": contract.status.code(),
        "status_label": status_label(contract.status, contract.is_cancelled()),
        "cancelled": contract.is_cancelled(),
        "cancellation": contract.cancelled_at.as_ref().map(|at| json!({
            "at": at, "at_text": chinese_datetime_text(at), "reason": contract.cancel_reason})),
        "seller_organisation_id": contract.seller_organisation_id,
        "seller_organisation_name": contract.seller_organisation_name,
        "buyer_organisation_id": contract.buyer_organisation_id,
        "broker_user_id": contract.broker_user_id,
        "broker_name": contract.broker_name,
        "registration": contract.registration_no.as_ref().map(|no| json!({
            "registration_no": no,
            "registered_at": contract.registered_at,
            "registered_on": contract.registered_on,
        })),
        "clock": clock(contract, today, calendar),
        "origin": contract.origin,
        "origin_label": origin_label(&contract.origin),
        "correction_note": contract.correction_note,
        "refusal": refusal,
        "revision_no": revision.revision_no,
        "version": contract.version,
        "created_at": contract.created_at,
        "updated_at": contract.updated_at,
        "contract": draft(&revision.draft),
    })
}

/// A revision in the history list.
pub fn revision(revision: &Revision) -> Value {
    json!({
        "revision_no": revision.revision_no,
        "sealed": revision.sealed,
        "reason": revision.reason,
        "created_by_name": revision.created_by_name,
        "created_at": revision.created_at,
        "created_at_text": chinese_datetime_text(&revision.created_at),
        "contract": draft(&revision.draft),
    })
}

/// One line of a list.
pub fn list_row(row: &ListRow, today: Date) -> Value {
    let due = row.due_on.as_deref().and_then(crate::domain::time::parse_date);
    json!({
        "id": row.id,
        "status": row.status.code(),
        "status_label": status_label(row.status, row.cancelled),
        "cancelled": row.cancelled,
        "title": row.title,
        "contract_type_label": ContractType::from_code(&row.contract_type).map(|t| t.label()).unwrap_or(""),
        "subtype_label": Subtype::from_code(&row.subtype).map(|t| t.label()).unwrap_or(""),
        "seller_name": row.seller_name,
        "buyer_name": row.buyer_name,
        "technical_field_label": row.technical_field.as_deref().and_then(TechnicalField::from_code).map(|f| f.label()),
        "signed_on": row.signed_on,
        "total": money(row.total_fen.map(Fen)),
        "technology": money(row.technology_fen.map(Fen)),
        "accepted_on": row.accepted_on,
        "due_on": row.due_on,
        "overdue": lifecycle::is_overdue(row.status, due, today),
        "registration_no": row.registration_no,
        "registered_on": row.registered_on,
        "revision_no": row.revision_no,
        "origin_label": origin_label(&row.origin),
    })
}

/// The names of the lifecycle events, for the history.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "created" => "起草",
        "edited" => "修改",
        "submitted" => "提交登记（受理）",
        "resubmitted" => "补正后重新提交",
        "correction_requested" => "要求补正",
        "registered" => "准予登记",
        "refused" => "不予登记",
        "amended" => "变更登记",
        "cancelled" => "注销登记",
        "share_paid" => "发放团队奖励",
        "disputed" => "标记存在争议",
        "imported" => "历史登记补录",
        _ => "其他",
    }
}
