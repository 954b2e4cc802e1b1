//! What people may do with 公示: the seller's members (and administrators) publish, correct,
//! answer objections, close and withdraw; anyone signed in and approved may object during the
//! period. Each write is one transaction with its audit event and inbox messages.

use serde_json::json;

use super::model::{self, NoticeInput, NoticeStatus};
use super::store::{self, NewNotice, NoticeRow};
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::forms::{Checker, FieldErrors};
use crate::domain::time::{parse_date, today_shanghai};
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::inbox::{Notice, Topic, deliver};
use crate::trading::rules;

pub fn not_found() -> AppError {
    AppError::not_found(ErrorCode::NoticeNotFound, "协议定价公示不存在")
}

pub async fn find(db: &Db, id: &str) -> Result<NoticeRow, AppError> {
    store::find(db, id.trim()).await?.ok_or_else(not_found)
}

pub fn status_of(row: &NoticeRow) -> NoticeStatus {
    NoticeStatus::from_code(&row.status).unwrap_or(NoticeStatus::Open)
}

/// Whether the caller speaks for the notice's institution.
pub fn manages(caller: &Caller<'_>, row: &NoticeRow) -> bool {
    caller.is_admin() || caller.member_of(&row.organisation_id)
}

fn link(id: &str) -> String {
    format!("/notices/{id}")
}

async fn transferee_org(db: &Db, errors: &mut FieldErrors, id: Option<&str>) -> Result<Option<String>, AppError> {
    match id.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(id) => match crate::orgs::store::find(db, id).await? {
            Some(org) => Ok(Some(org.id)),
            None => {
                errors.insert("transferee_organisation_id".into(), "所选受让单位不存在".into());
                Ok(None)
            }
        },
    }
}

/// Publishes a notice (or, with `previous`, a corrected version of it); returns its id.
pub async fn publish(
    db: &Db,
    caller: &Caller<'_>,
    input: &NoticeInput,
    previous: Option<&NoticeRow>,
) -> Result<String, FormFailure> {
    let mut check = Checker::default();
    let achievement_id = previous.map(|p| p.achievement_id.as_str()).or(input.achievement_id.as_deref());
    let traded = rules::traded_field(db, &mut check, achievement_id).await?;
    if let Some(traded) = &traded {
        if !rules::speaks_for_seller(caller, traded) {
            return Err(rules::not_seller().into());
        }
    }
    let calendar = crate::calendar::store::load(db).await?;
    let mut with_team = input.clone();
    if with_team.team.as_deref().unwrap_or_default().trim().is_empty() {
        with_team.team = traded.as_ref().map(|t| t.team.clone());
    }
    let checked = model::check(&with_team, today_shanghai(), &calendar, previous.is_some());
    let mut errors = check.errors;
    errors.extend(checked.as_ref().err().cloned().unwrap_or_default());
    let transferee = transferee_org(db, &mut errors, input.transferee_organisation_id.as_deref()).await?;
    let (Some(traded), Ok(terms)) = (traded, checked) else { return Err(FormFailure::Fields(errors)) };
    if !errors.is_empty() {
        return Err(FormFailure::Fields(errors));
    }
    let mut tx = db.begin_write().await?;
    if let Some(previous) = previous {
        if !store::close(
            &mut tx,
            &previous.id,
            NoticeStatus::Superseded.code(),
            &caller.user.id,
            &terms.correction_note,
        )
        .await?
        {
            tx.rollback().await?;
            return Err(AppError::conflict(ErrorCode::InvalidTransition, "公示已结束或已撤回，不能再更正").into());
        }
    }
    let new = NewNotice {
        series: previous.map(|p| (p.series_id.as_str(), p.version_no + 1)),
        achievement_id: &traded.id,
        organisation_id: &traded.organisation_id,
        title: &traded.title,
        transferee_organisation_id: transferee.as_deref(),
        published_by: &caller.user.id,
        is_demo: traded.is_demo,
    };
    let id = store::insert(&mut tx, &new, &terms).await?;
    let action = if previous.is_some() { "notice.corrected" } else { "notice.published" };
    let details = json!({"achievement_id": traded.id, "price_fen": terms.price.0, "transferee": terms.transferee,
        "starts_on": terms.starts_on.to_string(), "ends_on": terms.ends_on.to_string(),
        "previous": previous.map(|p| p.id.clone())});
    audit::append(&mut tx, db.backend(), &caller.event(action, "pricing_notice", &id, details)).await?;
    if let Some(org) = &transferee {
        let notice =
            Notice::new(Topic::Trade, format!("协议定价公示（拟受让方为贵单位）：{}", traded.title), link(&id));
        deliver::to_organisation(&mut tx, org, &notice, Some(&caller.user.id)).await?;
    }
    tx.commit().await?;
    Ok(id)
}

fn dates(row: &NoticeRow) -> Result<time::Date, AppError> {
    parse_date(&row.ends_on).ok_or_else(|| AppError::internal("a notice's last day cannot be read"))
}

/// Files an objection during the period.
pub async fn object(db: &Db, caller: &Caller<'_>, id: &str, reasons: Option<&str>) -> Result<String, FormFailure> {
    let row = find(db, id).await?;
    if !caller.active() {
        return Err(AppError::forbidden(ErrorCode::AccountPending, "账号审核通过后才能提出异议").into());
    }
    if !model::open_for_objections(status_of(&row), dates(&row)?, today_shanghai()) {
        return Err(AppError::conflict(ErrorCode::PeriodClosed, "公示期已结束或公示已撤回，不再受理异议").into());
    }
    let mut check = Checker::default();
    let reasons = check.text("reasons", "异议理由", reasons, 10, 4000);
    if !check.errors.is_empty() {
        return Err(FormFailure::Fields(check.errors));
    }
    let mut tx = db.begin_write().await?;
    let objection = store::add_objection(&mut tx, &row.id, &caller.user.id, &reasons).await?;
    audit::append(
        &mut tx,
        db.backend(),
        &caller.event("notice.objected", "pricing_notice", &row.id, json!({"objection_id": objection})),
    )
    .await?;
    let notice = Notice::new(Topic::Trade, format!("公示收到异议：{}", row.title), link(&row.id));
    deliver::to_organisation(&mut tx, &row.organisation_id, &notice, Some(&caller.user.id)).await?;
    tx.commit().await?;
    Ok(objection)
}

/// Answers one objection (once; answers are final like the notice).
pub async fn answer(
    db: &Db,
    caller: &Caller<'_>,
    id: &str,
    objection_id: &str,
    text: Option<&str>,
) -> Result<(), FormFailure> {
    let row = find(db, id).await?;
    if !manages(caller, &row) {
        return Err(rules::not_seller().into());
    }
    let mut check = Checker::default();
    let text = check.text("answer", "答复", text, 4, 4000);
    if !check.errors.is_empty() {
        return Err(FormFailure::Fields(check.errors));
    }
    let mut tx = db.begin_write().await?;
    let Some(filer) = store::answer(&mut tx, &row.id, objection_id, &caller.user.id, &text).await? else {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::AlreadyReplied, "该异议不存在或已经答复").into());
    };
    audit::append(
        &mut tx,
        db.backend(),
        &caller.event("notice.answered", "pricing_notice", &row.id, json!({"objection_id": objection_id})),
    )
    .await?;
    let notice = Notice::new(Topic::Trade, format!("您的异议已得到答复：{}", row.title), link(&row.id));
    deliver::to_users(&mut tx, &[filer], &notice, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Closes a notice after its period (无异议, or 有异议已处理 once every objection is answered),
/// or withdraws it at any time while open.
pub async fn close(
    db: &Db,
    caller: &Caller<'_>,
    id: &str,
    withdraw: bool,
    note: Option<&str>,
) -> Result<(), FormFailure> {
    let row = find(db, id).await?;
    if !manages(caller, &row) {
        return Err(rules::not_seller().into());
    }
    let mut check = Checker::default();
    let note = check.text("note", "说明", note, 0, 1000);
    if !check.errors.is_empty() {
        return Err(FormFailure::Fields(check.errors));
    }
    let status = status_of(&row);
    let next = if withdraw {
        if status != NoticeStatus::Open {
            return Err(AppError::conflict(ErrorCode::InvalidTransition, "公示已结束，不能撤回").into());
        }
        NoticeStatus::Withdrawn
    } else {
        if !model::may_close(status, dates(&row)?, today_shanghai()) {
            let message = if status == NoticeStatus::Open {
                "公示期届满后才能结束公示"
            } else {
                "公示已经结束"
            };
            return Err(AppError::conflict(ErrorCode::InvalidTransition, message).into());
        }
        if row.unanswered > 0 {
            return Err(AppError::conflict(
                ErrorCode::InvalidTransition,
                format!("还有 {} 条异议没有答复，答复后才能结束公示", row.unanswered),
            )
            .into());
        }
        if row.objections == 0 { NoticeStatus::ClosedClear } else { NoticeStatus::ClosedResolved }
    };
    let mut tx = db.begin_write().await?;
    if !store::close(&mut tx, &row.id, next.code(), &caller.user.id, &note).await? {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "公示已经结束").into());
    }
    audit::append(
        &mut tx,
        db.backend(),
        &caller.event("notice.closed", "pricing_notice", &row.id, json!({"status": next.code(), "note": note})),
    )
    .await?;
    if let Some(org) = &row.transferee_organisation_id {
        let notice = Notice::new(Topic::Trade, format!("协议定价公示{}：{}", next.label(), row.title), link(&row.id));
        deliver::to_organisation(&mut tx, org, &notice, Some(&caller.user.id)).await?;
    }
    tx.commit().await?;
    Ok(())
}
