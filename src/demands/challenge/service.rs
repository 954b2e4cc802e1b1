//! Challenge use cases: the poster sets the terms, teams apply within the window, the poster
//! shortlists, rejects and selects one; applicants may withdraw. Every step is audited.

use rocket::http::Status as HttpStatus;
use serde_json::json;

use super::model::{self, ApplicationInput, ApplicationStatus, Decision, TermsInput};
use super::store::{self, ApplicationRow, TermsRow};
use crate::audit;
use crate::auth::{Caller, CurrentUser};
use crate::db::Db;
use crate::demands::listing::Demands;
use crate::demands::model::Status as DemandStatus;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::forms::date_text;
use crate::domain::ids::{ApplicationId, DemandId};
use crate::domain::time::today_shanghai;
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::listings::{lifecycle, store as listing_store};

/// A path's demand id: a malformed one is a demand that does not exist.
pub fn demand_id(id: Result<DemandId, uuid::Error>) -> Result<DemandId, AppError> {
    lifecycle::known::<Demands>(id)
}

/// A path's application id: a malformed one is an application that does not exist.
pub fn application_id(id: Result<ApplicationId, uuid::Error>) -> Result<ApplicationId, AppError> {
    id.map_err(|_| AppError::not_found(ErrorCode::ApplicationNotFound, "揭榜申请不存在"))
}

fn no_challenge() -> AppError {
    AppError::not_found(ErrorCode::ChallengeNotFound, "该需求没有设置揭榜挂帅")
}

/// Whether applications are open today.
pub fn window_open(terms: &TermsRow) -> bool {
    let today = date_text(today_shanghai());
    terms.apply_from <= today && today <= terms.apply_until
}

/// Sets or changes the terms of a demand the caller's enterprise posted. Refused once a team
/// has been selected.
pub async fn set_terms(
    db: &Db,
    caller: &Caller<'_>,
    demand_id: DemandId,
    input: &TermsInput,
) -> Result<(), FormFailure> {
    let demand_id = &demand_id.to_string();
    let demand = listing_store::find::<Demands>(db, demand_id)
        .await?
        .ok_or_else(|| AppError::not_found(ErrorCode::DemandNotFound, "该技术需求不存在"))?;
    if !caller.member_of(&demand.meta.organisation_id) {
        return Err(AppError::forbidden(ErrorCode::NotOwner, "只有发布需求的企业成员才能设置揭榜挂帅").into());
    }
    if matches!(demand.meta.status, DemandStatus::Solved | DemandStatus::Closed | DemandStatus::Expired) {
        return Err(AppError::conflict(
            ErrorCode::NotOpen,
            format!("“{}”状态的需求不能设置揭榜挂帅", demand.meta.status.label()),
        )
        .into());
    }
    if store::find_terms(db, demand_id).await?.is_some_and(|t| t.selected_application_id.is_some()) {
        return Err(AppError::conflict(ErrorCode::AlreadySelected, "已选定揭榜方，揭榜条件不能再修改").into());
    }
    let valid_until = crate::domain::time::parse_date(&demand.valid_until)
        .ok_or_else(|| AppError::internal("a stored validity date is not a date"))?;
    let terms = model::validate_terms(input, today_shanghai(), valid_until).map_err(FormFailure::Fields)?;
    let mut tx = db.begin_write().await?;
    store::upsert_terms(&mut tx, demand_id, &terms).await?;
    let details = json!({"reward_fen": terms.reward.0, "apply_from": date_text(terms.apply_from), "apply_until": date_text(terms.apply_until)});
    audit::append(&mut tx, db.backend(), &caller.event("challenge.terms_set", "demand", demand_id, details)).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends an application: the challenge is public and open, the caller is an approved person of
/// another organisation, and has not applied before.
pub async fn apply(
    db: &Db,
    caller: &Caller<'_>,
    demand_id: DemandId,
    input: &ApplicationInput,
) -> Result<String, FormFailure> {
    let demand = lifecycle::visible::<Demands>(db, Some(caller.user), demand_id).await?;
    let demand_id = &demand_id.to_string();
    let terms = store::find_terms(db, demand_id).await?.ok_or_else(no_challenge)?;
    if caller.user.status != AccountStatus::Active || caller.user.role == Role::Admin {
        return Err(
            AppError::forbidden(ErrorCode::CannotApply, "只有已审核的科研人员、企业用户和技术经纪人可以揭榜").into()
        );
    }
    if caller.member_of(&demand.meta.organisation_id) {
        return Err(AppError::conflict(ErrorCode::OwnChallenge, "不能揭本单位发布的榜").into());
    }
    if !demand.publicly_visible() || !window_open(&terms) || terms.selected_application_id.is_some() {
        return Err(AppError::conflict(ErrorCode::WindowClosed, "当前不在揭榜时间内，或已选定揭榜方").into());
    }
    if !store::applications(db, demand_id, Some(&caller.user.id)).await?.is_empty() {
        return Err(AppError::conflict(ErrorCode::AlreadyApplied, "您已提交过揭榜申请").into());
    }
    let application = model::validate_application(input).map_err(FormFailure::Fields)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    store::insert_application(
        &mut tx,
        &id,
        demand_id,
        &caller.user.id,
        caller.user.organisation_id.as_deref(),
        &application,
    )
    .await?;
    let details = json!({"demand_id": demand_id, "team": application.team});
    audit::append(&mut tx, db.backend(), &caller.event("challenge.applied", "challenge_application", &id, details))
        .await?;
    super::notices::applied(&mut tx, &demand, &application.team).await?;
    tx.commit().await?;
    Ok(id)
}

/// The poster's decisions and the applicant's withdrawal.
pub async fn decide(
    db: &Db,
    caller: &Caller<'_>,
    application_id: ApplicationId,
    decision: Decision,
) -> Result<ApplicationStatus, AppError> {
    let application_id = &application_id.to_string();
    let application = store::find_application(db, application_id)
        .await?
        .ok_or_else(|| AppError::not_found(ErrorCode::ApplicationNotFound, "揭榜申请不存在"))?;
    let demand = listing_store::find::<Demands>(db, &application.demand_id)
        .await?
        .ok_or_else(|| AppError::not_found(ErrorCode::DemandNotFound, "该技术需求不存在"))?;
    let allowed = if decision.by_applicant() {
        caller.user.id == application.applicant_id
    } else {
        caller.member_of(&demand.meta.organisation_id)
    };
    if !allowed {
        return Err(AppError::forbidden(ErrorCode::NotAllowed, "您不能对这份揭榜申请进行此操作"));
    }
    let Some(to) = model::decide(application.status, decision) else {
        let message = format!("“{}”的申请不能{}", application.status.label(), decision.label());
        return Err(AppError::new(HttpStatus::Conflict, ErrorCode::InvalidTransition, message));
    };
    let mut tx = db.begin_write().await?;
    if decision == Decision::Select && !store::select(&mut tx, &application.demand_id, application_id).await? {
        return Err(AppError::conflict(ErrorCode::AlreadySelected, "该榜单已选定揭榜方，每个榜单只能选定一个"));
    }
    if !store::set_application_status(&mut tx, application_id, application.status, to).await? {
        return Err(AppError::conflict(ErrorCode::EditConflict, "申请状态已变化，请刷新后重试"));
    }
    if decision == Decision::Select && demand.meta.status == DemandStatus::Published {
        listing_store::set_status::<Demands>(
            &mut tx,
            &demand.meta.id,
            DemandStatus::Published,
            DemandStatus::InTalks,
            None,
        )
        .await?;
    }
    let details = json!({"demand_id": application.demand_id, "from": application.status.code(), "to": to.code()});
    let action = format!("challenge.{}", decision.code());
    audit::append(&mut tx, db.backend(), &caller.event(&action, "challenge_application", application_id, details))
        .await?;
    if !decision.by_applicant() {
        super::notices::decided(&mut tx, &demand, &application.applicant_id, to, &caller.user.id).await?;
    }
    tx.commit().await?;
    Ok(to)
}

/// What one viewer may see of a challenge: the poster sees every application, an applicant their
/// own, everyone else only the count.
pub async fn visible_applications(
    db: &Db,
    user: Option<&CurrentUser>,
    demand_id: &str,
    poster_org: &str,
) -> Result<Vec<ApplicationRow>, AppError> {
    let Some(user) = user else {
        return Ok(Vec::new());
    };
    let poster = user.status == AccountStatus::Active && user.organisation_id.as_deref() == Some(poster_org);
    let list = if poster || user.is_admin {
        store::applications(db, demand_id, None).await?
    } else {
        store::applications(db, demand_id, Some(&user.id)).await?
    };
    Ok(list)
}
