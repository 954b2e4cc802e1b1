//! The registration lifecycle of a contract: submitting for 认定登记, corrections, registration
//! (number and Beijing day), refusal and disputes. Each step writes a lifecycle event and an audit
//! event in the same transaction as the change.

use rocket::http::Status as HttpStatus;
use serde::Deserialize;
use serde_json::json;
use time::{OffsetDateTime, PrimitiveDateTime, Time};

use super::lifecycle::{self, Action, Status};
use super::precheck::{self, Finding};
use super::records;
use super::service::{Side, current, visible_by};
use super::store::{self, ContractRow, Transition};
use super::totals::{self, Contribution};
use crate::audit;
use crate::auth::Caller;
use crate::config::ReviewRule;
use crate::db::Db;
use crate::domain::contract_vocab::RefusalReason;
use crate::domain::forms::date_text;
use crate::domain::ids::ContractId;
use crate::domain::time::{SHANGHAI, parse_stored, to_stored, today_shanghai};
use crate::error::{AppError, ErrorCode};
pub(super) fn invalid(contract: &ContractRow, action: Action) -> AppError {
    let status = if contract.is_cancelled() { "已注销" } else { contract.status.label() };
    AppError::conflict(ErrorCode::InvalidTransition, format!("“{status}”的合同不能{}", action.label()))
}

pub(super) fn changed_meanwhile() -> AppError {
    AppError::conflict(ErrorCode::EditConflict, "合同状态已被他人改变，请刷新后重试")
}

pub(super) async fn for_action(
    db: &Db,
    caller: &Caller<'_>,
    id: &str,
    action: Action,
) -> Result<ContractRow, AppError> {
    let (contract, side) = visible_by(db, caller.user, id).await?;
    let allowed = if action.by_administrator() { side == Side::Admin } else { side == Side::Seller };
    if !allowed {
        let message = if action.by_administrator() {
            format!("只有管理员（登记机构）可以{}", action.label())
        } else {
            "只有卖方（或其经纪人）可以提交登记".to_string()
        };
        return Err(AppError::forbidden(ErrorCode::NotAllowed, message));
    }
    if lifecycle::next(contract.status, action, contract.is_cancelled()).is_none() {
        return Err(invalid(&contract, action));
    }
    Ok(contract)
}

/// Submits for registration (受理): the pre-check must find nothing that blocks; the clock starts.
pub async fn submit(db: &Db, caller: &Caller<'_>, id: ContractId, rule: ReviewRule) -> Result<Vec<Finding>, AppError> {
    let id = &id.to_string();
    let contract = for_action(db, caller, id, Action::Submit).await?;
    let revision = current(db, &contract).await?;
    let findings = precheck::run(&revision.draft);
    if precheck::blocks(&findings) {
        let mut error = AppError::new(
            HttpStatus::UnprocessableEntity,
            ErrorCode::PrecheckFailed,
            "登记预审未通过：请先补齐以下内容再提交",
        );
        for finding in findings.iter().filter(|f| f.severity == precheck::Severity::Error) {
            error = error.with_field(finding.code, finding.message.clone());
        }
        return Err(error);
    }
    let amounts =
        revision.draft.amounts.ok_or_else(|| AppError::bad_request(ErrorCode::MissingPrice, "未填写合同成交额"))?;
    let period = lifecycle::review_period(rule, amounts.review_days(), contract.disputed);
    let days = period.days;
    let accepted = today_shanghai();
    let calendar = crate::calendar::load(db).await?;
    let due = lifecycle::due_on(&calendar, accepted, period);
    let transition = Transition {
        accepted_on: Some(date_text(accepted)),
        review_days: Some(i64::from(days)),
        due_on: Some(date_text(due)),
        review_rule: Some(lifecycle::rule_code(rule)),
        ..Transition::default()
    };
    let mut tx = db.begin_write().await?;
    if !store::transition(&mut tx, id, contract.version, contract.status, Status::Submitted, &transition).await? {
        return Err(changed_meanwhile());
    }
    let kind = if contract.submissions > 0 { "resubmitted" } else { "submitted" };
    let period_text = lifecycle::period_text(Some(lifecycle::rule_code(rule)), i64::from(days));
    let note = format!("{period_text}内办结，期限 {}", date_text(due));
    records::add_event(&mut tx, id, kind, Some(revision.revision_no), &note, &caller.user.id).await?;
    let warnings: Vec<&str> = findings.iter().map(|f| f.code).collect();
    let details = json!({"accepted_on": date_text(accepted), "due_on": date_text(due), "review_days": days, "warnings": warnings});
    audit::append(&mut tx, db.backend(), &caller.event(&format!("contract.{kind}"), "contract", id, details)).await?;
    tx.commit().await?;
    Ok(findings)
}

/// What an administrator sends with a registry action.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, rocket::form::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct ActionInput {
    /// 补正 note, 注销 reason, or a refusal's explanation.
    pub note: Option<String>,
    /// The registry's 登记编号.
    pub registration_no: Option<String>,
    /// When it was registered: `YYYY-MM-DD` (that day in Beijing time) or RFC 3339; default now.
    pub registered_at: Option<String>,
    /// 未予登记 reason code.
    pub reason: Option<String>,
}

pub(super) fn required_note(input: &ActionInput, label: &str) -> Result<String, AppError> {
    let note = input.note.as_deref().unwrap_or_default().trim().to_string();
    if note.chars().count() < 5 || note.chars().count() > 1000 {
        return Err(AppError::validation(Default::default()).with_field("note", format!("请填写{label}（5–1000 字）")));
    }
    Ok(note)
}

/// 补正: the registry sends the contract back; the clock stops until it is resubmitted.
pub async fn request_correction(
    db: &Db,
    caller: &Caller<'_>,
    id: ContractId,
    input: &ActionInput,
) -> Result<(), AppError> {
    let id = &id.to_string();
    let contract = for_action(db, caller, id, Action::RequestCorrection).await?;
    let note = required_note(input, "需要补正的内容")?;
    let transition =
        Transition { correction_note: Some(&note), decided_by: Some(&caller.user.id), ..Transition::default() };
    let mut tx = db.begin_write().await?;
    if !store::transition(&mut tx, id, contract.version, Status::Submitted, Status::CorrectionRequested, &transition)
        .await?
    {
        return Err(changed_meanwhile());
    }
    records::add_event(&mut tx, id, "correction_requested", Some(contract.current_revision), &note, &caller.user.id)
        .await?;
    audit::append(
        &mut tx,
        db.backend(),
        &caller.event("contract.correction_requested", "contract", id, json!({"note": note})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Reads the registration time: `YYYY-MM-DD` is that Beijing day (today: now; an earlier day: noon
/// of it), an RFC 3339 instant is taken as it is. Neither may lie in the future.
pub fn registration_instant(text: Option<&str>, now: OffsetDateTime) -> Result<OffsetDateTime, AppError> {
    let bad = |m: &str| AppError::validation(Default::default()).with_field("registered_at", m.to_string());
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(now);
    };
    let today = now.to_offset(SHANGHAI).date();
    if let Some(day) = crate::domain::time::parse_date(text) {
        if day > today {
            return Err(bad("登记日期不能晚于今天"));
        }
        if day == today {
            return Ok(now);
        }
        return Ok(
            PrimitiveDateTime::new(day, Time::from_hms(12, 0, 0).unwrap_or(Time::MIDNIGHT)).assume_offset(SHANGHAI)
        );
    }
    let Some(at) = parse_stored(text) else {
        return Err(bad("登记日期应为 2026-03-01 这样的日期，或带时区的时间"));
    };
    if at > now + time::Duration::minutes(5) {
        return Err(bad("登记时间不能晚于现在"));
    }
    Ok(at)
}

pub fn registration_number(text: Option<&str>) -> Result<String, AppError> {
    let number: String = text.unwrap_or_default().trim().to_ascii_uppercase();
    let ok = (4..=40).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !ok {
        return Err(AppError::validation(Default::default())
            .with_field("registration_no", "请填写登记机构出具的登记编号（4–40 位字母、数字或连字符）"));
    }
    Ok(number)
}

/// 登记: the administrator records the registry's number; the revision in force is sealed.
pub async fn register(db: &Db, caller: &Caller<'_>, id: ContractId, input: &ActionInput) -> Result<(), AppError> {
    let id = &id.to_string();
    let contract = for_action(db, caller, id, Action::Register).await?;
    let number = registration_number(input.registration_no.as_deref())?;
    let at = registration_instant(input.registered_at.as_deref(), OffsetDateTime::now_utc())?;
    let on = date_text(at.to_offset(SHANGHAI).date());
    if contract.accepted_on.as_deref().is_some_and(|accepted| on.as_str() < accepted) {
        return Err(AppError::validation(Default::default()).with_field("registered_at", "登记日期不能早于受理日期"));
    }
    let mut tx = db.begin_write().await?;
    if store::registration_no_taken(&mut tx, &number).await? {
        return Err(AppError::conflict(
            ErrorCode::RegistrationNoTaken,
            format!("登记编号 {number} 已被另一份合同使用"),
        ));
    }
    let transition = Transition {
        registration_no: Some(&number),
        registered_at: Some(to_stored(at)),
        registered_on: Some(on.clone()),
        decided_by: Some(&caller.user.id),
        ..Transition::default()
    };
    // Where the value came from, recorded while the contract can still change (DOMAIN.md §7).
    let (channel, agency) = crate::deals::contracting::attribution(
        &mut tx,
        contract.deal_id.as_deref(),
        contract.broker_user_id.as_deref(),
    )
    .await?;
    sqlx::query(
        "UPDATE contracts SET channel = $1, agency_organisation_id = $2 WHERE id = $3 AND status = 'submitted'",
    )
    .bind(channel)
    .bind(&agency)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // The check above answers the common case; two registrations racing for one number meet the
    // unique index, and the second is told the same.
    match store::transition(&mut tx, id, contract.version, Status::Submitted, Status::Registered, &transition).await {
        Ok(true) => {}
        Ok(false) => return Err(changed_meanwhile()),
        Err(error) if error.as_database_error().is_some_and(|e| e.is_unique_violation()) => {
            return Err(AppError::conflict(
                ErrorCode::RegistrationNoTaken,
                format!("登记编号 {number} 已被另一份合同使用"),
            ));
        }
        Err(error) => return Err(error.into()),
    }
    store::seal(&mut tx, id).await?;
    let revision = store::current_revision_in(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::internal(std::io::Error::other(format!("contract {id} has no revision"))))?;
    if let Some(amounts) = &revision.draft.amounts {
        let key = Contribution::of(&on, contract.broker_user_id.as_deref(), &revision.draft)
            .attributed(Some(channel), agency.as_deref());
        totals::apply(&mut tx, &key, 1, amounts).await?;
    }
    records::add_event(&mut tx, id, "registered", Some(contract.current_revision), &number, &caller.user.id).await?;
    if let Some(deal) = &contract.deal_id {
        crate::deals::contracting::contract_registered(&mut tx, deal, &number, &caller.user.id).await?;
    }
    let details = json!({"registration_no": number, "registered_at": to_stored(at), "registered_on": on});
    audit::append(&mut tx, db.backend(), &caller.event("contract.registered", "contract", id, details)).await?;
    tx.commit().await?;
    Ok(())
}

/// 未予登记, with one of the registries' reasons.
pub async fn refuse(db: &Db, caller: &Caller<'_>, id: ContractId, input: &ActionInput) -> Result<(), AppError> {
    let id = &id.to_string();
    let contract = for_action(db, caller, id, Action::Refuse).await?;
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .and_then(RefusalReason::from_code)
        .ok_or_else(|| AppError::validation(Default::default()).with_field("reason", "请选择不予登记的理由"))?;
    let note = input.note.as_deref().unwrap_or_default().trim().to_string();
    if reason == RefusalReason::Other && note.chars().count() < 5 {
        return Err(AppError::validation(Default::default()).with_field("note", "选择“其他”时请说明理由（至少 5 字）"));
    }
    let transition = Transition {
        refusal_reason: Some(reason.code()),
        refusal_note: Some(&note),
        decided_by: Some(&caller.user.id),
        ..Transition::default()
    };
    let mut tx = db.begin_write().await?;
    if !store::transition(&mut tx, id, contract.version, Status::Submitted, Status::Refused, &transition).await? {
        return Err(changed_meanwhile());
    }
    let text = if note.is_empty() { reason.label().to_string() } else { format!("{}：{note}", reason.label()) };
    records::add_event(&mut tx, id, "refused", Some(contract.current_revision), &text, &caller.user.id).await?;
    let details = json!({"reason": reason.code(), "note": note});
    audit::append(&mut tx, db.backend(), &caller.event("contract.refused", "contract", id, details)).await?;
    tx.commit().await?;
    Ok(())
}

/// 存在争议: the registry marks a submitted contract disputed; the longer review period applies
/// from the day of acceptance (30 working days, or 30 days under the 2000 text).
pub async fn dispute(
    db: &Db,
    caller: &Caller<'_>,
    id: ContractId,
    input: &ActionInput,
    rule: ReviewRule,
) -> Result<(), AppError> {
    let id = &id.to_string();
    let contract = for_action(db, caller, id, Action::Dispute).await?;
    if contract.disputed {
        return Err(AppError::conflict(ErrorCode::AlreadyDisputed, "该合同已标记为存在争议"));
    }
    let note = required_note(input, "争议情况")?;
    let accepted =
        contract.accepted_on.as_deref().and_then(crate::domain::time::parse_date).unwrap_or_else(today_shanghai);
    let rule = match contract.review_rule.as_deref() {
        Some("days_2000") => ReviewRule::Days2000,
        Some(_) => ReviewRule::WorkingDays2024,
        None => rule,
    };
    let period = lifecycle::review_period(rule, 30, true);
    let calendar = crate::calendar::load(db).await?;
    let due = lifecycle::due_on(&calendar, accepted, period);
    let mut tx = db.begin_write().await?;
    if !store::mark_disputed(&mut tx, id, contract.version, i64::from(period.days), &date_text(due)).await? {
        return Err(changed_meanwhile());
    }
    let text = format!("{note}（办结期限延至 {}）", date_text(due));
    records::add_event(&mut tx, id, "disputed", Some(contract.current_revision), &text, &caller.user.id).await?;
    let details = json!({"note": note, "due_on": date_text(due), "review_days": period.days});
    audit::append(&mut tx, db.backend(), &caller.event("contract.disputed", "contract", id, details)).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_date_only_registration_is_that_beijing_day_at_any_hour() {
        // 08:00 Beijing on 2 December 2026 is still 1 December in UTC.
        let morning = datetime!(2026-12-02 08:00 +8).to_offset(time::UtcOffset::UTC);
        let today = registration_instant(Some("2026-12-02"), morning).expect("today is fine in the morning");
        assert_eq!(today, morning);
        assert_eq!(today.to_offset(SHANGHAI).date(), time::macros::date!(2026 - 12 - 02));
        let yesterday = registration_instant(Some("2026-12-01"), morning).expect("yesterday");
        assert_eq!(yesterday.to_offset(SHANGHAI).date(), time::macros::date!(2026 - 12 - 01));
        let refused = registration_instant(Some("2026-12-03"), morning).expect_err("tomorrow");
        assert!(refused.fields["registered_at"].contains("不能晚于今天"));
        assert!(registration_instant(Some("2026-12-02T09:00:00+08:00"), morning).is_err(), "an hour ahead");
        assert_eq!(registration_instant(None, morning).expect("now"), morning);
    }
}
