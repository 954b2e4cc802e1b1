//! The JSON a contract is shown as: by the API, and by the pages' templates (codes with their
//! Chinese labels, amounts in fen with exact texts beside them).

use serde::Serialize;
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

/// A contract's registration record as the API and pages show it (its current revision's
/// content in `contract`, the review clock in `clock`).
#[derive(Debug, Serialize)]
pub struct ContractView<'a> {
    pub id: &'a str,
    pub status: &'static str,
    pub status_label: &'static str,
    pub cancelled: bool,
    pub cancellation: Option<CancellationView<'a>>,
    pub seller_organisation_id: &'a str,
    pub seller_organisation_name: &'a str,
    pub buyer_organisation_id: Option<&'a str>,
    pub broker_user_id: Option<&'a str>,
    pub broker_name: Option<&'a str>,
    pub deal_id: Option<&'a str>,
    pub deal_title: Option<&'a str>,
    pub registration: Option<RegistrationView<'a>>,
    pub clock: Value,
    pub origin: &'a str,
    pub origin_label: &'static str,
    pub correction_note: Option<&'a str>,
    pub refusal: Option<RefusalView<'a>>,
    pub revision_no: i64,
    pub version: i64,
    pub created_at: &'a str,
    pub updated_at: &'a str,
    pub contract: Value,
}

/// When and why a registration was cancelled.
#[derive(Debug, Serialize)]
pub struct CancellationView<'a> {
    pub at: &'a str,
    pub at_text: String,
    pub reason: Option<&'a str>,
}

/// The registration number and when it was given.
#[derive(Debug, Serialize)]
pub struct RegistrationView<'a> {
    pub registration_no: &'a str,
    pub registered_at: Option<&'a str>,
    pub registered_on: Option<&'a str>,
}

/// Why a contract was refused registration.
#[derive(Debug, Serialize)]
pub struct RefusalView<'a> {
    pub reason: &'a str,
    pub reason_label: &'static str,
    pub note: Option<&'a str>,
}

/// The contract as the API and pages show it.
pub fn contract<'a>(
    contract: &'a ContractRow,
    revision: &Revision,
    today: Date,
    calendar: &Calendar,
) -> ContractView<'a> {
    ContractView {
        id: &contract.id,
        status: contract.status.code(),
        status_label: status_label(contract.status, contract.is_cancelled()),
        cancelled: contract.is_cancelled(),
        cancellation: contract.cancelled_at.as_deref().map(|at| CancellationView {
            at,
            at_text: chinese_datetime_text(at),
            reason: contract.cancel_reason.as_deref(),
        }),
        seller_organisation_id: &contract.seller_organisation_id,
        seller_organisation_name: &contract.seller_organisation_name,
        buyer_organisation_id: contract.buyer_organisation_id.as_deref(),
        broker_user_id: contract.broker_user_id.as_deref(),
        broker_name: contract.broker_name.as_deref(),
        deal_id: contract.deal_id.as_deref(),
        deal_title: contract.deal_title.as_deref(),
        registration: contract.registration_no.as_deref().map(|no| RegistrationView {
            registration_no: no,
            registered_at: contract.registered_at.as_deref(),
            registered_on: contract.registered_on.as_deref(),
        }),
        clock: clock(contract, today, calendar),
        origin: &contract.origin,
        origin_label: origin_label(&contract.origin),
        correction_note: contract.correction_note.as_deref(),
        refusal: contract.refusal_reason.as_deref().map(|code| RefusalView {
            reason: code,
            reason_label: RefusalReason::from_code(code).map(|r| r.label()).unwrap_or(""),
            note: contract.refusal_note.as_deref(),
        }),
        revision_no: revision.revision_no,
        version: contract.version,
        created_at: &contract.created_at,
        updated_at: &contract.updated_at,
        contract: draft(&revision.draft),
    }
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

/// One line of a contract list.
#[derive(Debug, Serialize)]
pub struct ContractLine<'a> {
    pub id: &'a str,
    pub status: &'static str,
    pub status_label: &'static str,
    pub cancelled: bool,
    pub title: &'a str,
    pub contract_type_label: &'static str,
    pub subtype_label: &'static str,
    pub seller_name: &'a str,
    pub buyer_name: &'a str,
    pub technical_field_label: Option<&'static str>,
    pub signed_on: Option<&'a str>,
    /// `{fen, yuan, text, compact}`, or null when not recorded.
    pub total: Value,
    pub technology: Value,
    pub accepted_on: Option<&'a str>,
    pub due_on: Option<&'a str>,
    pub overdue: bool,
    pub registration_no: Option<&'a str>,
    pub registered_on: Option<&'a str>,
    pub revision_no: i64,
    pub origin_label: &'static str,
}

/// One line of a list.
pub fn list_row(row: &ListRow, today: Date) -> ContractLine<'_> {
    let due = row.due_on.as_deref().and_then(crate::domain::time::parse_date);
    ContractLine {
        id: &row.id,
        status: row.status.code(),
        status_label: status_label(row.status, row.cancelled),
        cancelled: row.cancelled,
        title: &row.title,
        contract_type_label: ContractType::from_code(&row.contract_type).map(|t| t.label()).unwrap_or(""),
        subtype_label: Subtype::from_code(&row.subtype).map(|t| t.label()).unwrap_or(""),
        seller_name: &row.seller_name,
        buyer_name: &row.buyer_name,
        technical_field_label: row.technical_field.as_deref().and_then(TechnicalField::from_code).map(|f| f.label()),
        signed_on: row.signed_on.as_deref(),
        total: money(row.total_fen.map(Fen)),
        technology: money(row.technology_fen.map(Fen)),
        accepted_on: row.accepted_on.as_deref(),
        due_on: row.due_on.as_deref(),
        overdue: lifecycle::is_overdue(row.status, due, today),
        registration_no: row.registration_no.as_deref(),
        registered_on: row.registered_on.as_deref(),
        revision_no: row.revision_no,
        origin_label: origin_label(&row.origin),
    }
}
