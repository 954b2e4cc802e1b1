//! What people may do with salons: administrators and approved brokers organise them; any
//! approved account signs up and withdraws; the organisers (the creator, the organising
//! agency's brokers, administrators) check people in and may cancel the salon. Each write is one
//! transaction with its audit event and inbox messages.

use serde_json::json;
use time::OffsetDateTime;

use super::model::{self, SalonInput};
use super::signups::{self, Standing};
use super::store::{self, SalonRow};
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::time::{now_stored, parse_stored};
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::inbox::{Notice, Topic, deliver};
use crate::listings::Kind;
use crate::web::request_state::CurrentUser;

pub fn not_found() -> AppError {
    AppError::not_found(ErrorCode::SalonNotFound, "沙龙活动不存在")
}

pub async fn find(db: &Db, id: &str) -> Result<SalonRow, AppError> {
    store::find(db, id).await?.ok_or_else(not_found)
}

fn may_organise(user: &CurrentUser) -> bool {
    user.is_admin || (user.role == Role::Broker && user.status == AccountStatus::Active)
}

pub fn organiser_refusal() -> AppError {
    AppError::forbidden(ErrorCode::CannotOrganiseSalon, "只有已审核的技术经纪人和管理员可以举办沙龙活动")
}

/// Whether the person runs this salon.
pub fn organises(user: &CurrentUser, salon: &SalonRow) -> bool {
    user.is_admin
        || (user.status == AccountStatus::Active
            && (salon.created_by == user.id
                || (user.role == Role::Broker
                    && salon.agency_organisation_id.is_some()
                    && salon.agency_organisation_id == user.organisation_id)))
}

fn link(id: &str) -> String {
    format!("/salons/{id}")
}

/// Organises a salon; returns its id.
pub async fn create(db: &Db, caller: &Caller<'_>, input: &SalonInput) -> Result<String, FormFailure> {
    if !may_organise(caller.user) {
        return Err(organiser_refusal().into());
    }
    let checked = model::check(input, OffsetDateTime::now_utc());
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    let mut featured: Vec<(&str, String)> = Vec::new();
    for (kind, field, list) in [
        (Kind::Achievement, "achievement_ids", &input.achievement_ids),
        (Kind::Demand, "demand_ids", &input.demand_ids),
    ] {
        for id in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).take(model::MAX_FEATURED) {
            if featured.iter().any(|(k, known)| *k == kind.code() && known == id) {
                continue;
            }
            if crate::listings::store::public_owner(db, kind, id).await?.is_some() {
                featured.push((kind.code(), id.to_string()));
            } else {
                errors.entry(field.into()).or_insert_with(|| "所选成果或需求不存在或尚未公开".into());
            }
        }
    }
    let own = caller.user.organisation_id.as_deref();
    let named = input.agency_organisation_id.as_deref();
    let agency =
        crate::orgs::store::agency_for(db, caller.user.is_admin, own, named).await?.unwrap_or_else(|message| {
            errors.entry("agency_organisation_id".into()).or_insert_with(|| message.into());
            None
        });
    let plan = match checked {
        Ok(plan) if errors.is_empty() => plan,
        _ => return Err(FormFailure::Fields(errors)),
    };
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, &plan, agency.as_deref(), &featured, &caller.user.id).await?;
    let details = json!({"theme": plan.theme, "kind": plan.kind.code(), "capacity": plan.capacity,
        "starts_at": crate::domain::time::to_stored(plan.starts), "featured": featured.len()});
    audit::append(&mut tx, db.backend(), &caller.event("salon.created", "salon", &id, details)).await?;
    tx.commit().await?;
    Ok(id)
}

fn closed() -> AppError {
    AppError::conflict(ErrorCode::SalonClosed, "活动已结束或已取消，不能报名")
}

/// Signs the caller up: a seat, or a place on the waiting list.
pub async fn sign_up(db: &Db, caller: &Caller<'_>, id: &str) -> Result<Standing, AppError> {
    let salon = find(db, id).await?;
    if !caller.active() {
        return Err(AppError::forbidden(ErrorCode::AccountPending, "账号审核通过后才能报名"));
    }
    let mut tx = db.begin_write().await?;
    if !signups::lock_open(&mut tx, &salon.id, &now_stored()).await? {
        tx.rollback().await?;
        return Err(closed());
    }
    let (standing, new) = signups::sign_up(&mut tx, &salon.id, &caller.user.id).await?;
    if new {
        let details = json!({"standing": standing.code()});
        audit::append(&mut tx, db.backend(), &caller.event("salon.signed_up", "salon", &salon.id, details)).await?;
        let title = match standing {
            Standing::Confirmed => format!("报名成功：{}", salon.theme),
            Standing::Waiting => format!("名额已满，已进入候补名单：{}", salon.theme),
        };
        let notice = Notice::new(Topic::Salon, title, link(&salon.id));
        deliver::to_users(&mut tx, std::slice::from_ref(&caller.user.id), &notice, None).await?;
    }
    tx.commit().await?;
    Ok(standing)
}

/// Withdraws the caller; a freed seat goes to the first on the waiting list.
pub async fn withdraw(db: &Db, caller: &Caller<'_>, id: &str) -> Result<(), AppError> {
    let salon = find(db, id).await?;
    let mut tx = db.begin_write().await?;
    if !signups::lock_open(&mut tx, &salon.id, &now_stored()).await? {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::SalonClosed, "活动已结束或已取消"));
    }
    let (before, promoted) = signups::withdraw(&mut tx, &salon.id, &caller.user.id).await?;
    let Some(before) = before else {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "您没有报名这场活动"));
    };
    let details = json!({"standing": before.code(), "promoted": promoted});
    audit::append(&mut tx, db.backend(), &caller.event("salon.withdrawn", "salon", &salon.id, details)).await?;
    if let Some(next) = promoted {
        let notice = Notice::new(Topic::Salon, format!("候补转为正式报名：{}", salon.theme), link(&salon.id));
        deliver::to_users(&mut tx, &[next], &notice, None).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Marks a confirmed attendee present, on the day.
pub async fn check_in(db: &Db, caller: &Caller<'_>, id: &str, user_id: &str) -> Result<(), AppError> {
    let salon = find(db, id).await?;
    if !organises(caller.user, &salon) {
        return Err(AppError::forbidden(ErrorCode::CannotOrganiseSalon, "只有活动的组织方可以签到"));
    }
    let (Some(starts), Some(ends)) = (parse_stored(&salon.starts_at), parse_stored(&salon.ends_at)) else {
        return Err(AppError::internal("a salon's times cannot be read"));
    };
    if salon.status != "scheduled" || !model::check_in_open(starts, ends, OffsetDateTime::now_utc()) {
        return Err(AppError::conflict(
            ErrorCode::SalonClosed,
            "签到在活动开始前 2 小时开放，到活动结束当天 24 时关闭",
        ));
    }
    let mut tx = db.begin_write().await?;
    if !signups::check_in(&mut tx, &salon.id, user_id).await? {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "此人没有正式报名，不能签到"));
    }
    audit::append(
        &mut tx,
        db.backend(),
        &caller.event("salon.checked_in", "salon", &salon.id, json!({"user_id": user_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels the salon and tells everyone signed up.
pub async fn cancel(db: &Db, caller: &Caller<'_>, id: &str) -> Result<(), AppError> {
    let salon = find(db, id).await?;
    if !organises(caller.user, &salon) {
        return Err(AppError::forbidden(ErrorCode::CannotOrganiseSalon, "只有活动的组织方可以取消活动"));
    }
    let mut tx = db.begin_write().await?;
    if !store::cancel(&mut tx, &salon.id).await? {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::SalonClosed, "活动已取消"));
    }
    audit::append(&mut tx, db.backend(), &caller.event("salon.cancelled", "salon", &salon.id, json!({}))).await?;
    let people = signups::signed_up(&mut tx, &salon.id, None).await?;
    let notice = Notice::new(Topic::Salon, format!("活动已取消：{}", salon.theme), link(&salon.id));
    deliver::to_users(&mut tx, &people, &notice, Some(&caller.user.id)).await?;
    tx.commit().await?;
    Ok(())
}
