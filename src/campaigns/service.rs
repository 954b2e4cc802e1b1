//! What people do with campaigns: administrators open and close them (audited; the target
//! organisations are told in their inbox and webhooks), members enter their organisation's
//! listings (imports made for a campaign enter what they load themselves, through `store::enter`).

use serde_json::json;

use super::model::{self, CampaignInput};
use super::store::{self, CampaignRow, Entering};
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::forms::date_text;
use crate::domain::org::OrganisationKind;
use crate::domain::time::today_shanghai;
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::inbox::deliver::{self, Notice, Topic};
use crate::listings::Kind;
use crate::web::request_state::CurrentUser;

pub fn not_found() -> AppError {
    AppError::not_found(ErrorCode::CampaignNotFound, "征集活动不存在")
}

fn admin_only() -> AppError {
    AppError::forbidden(ErrorCode::AdminOnly, "只有平台管理员可以发起或结束征集")
}

pub async fn find(db: &Db, id: &str) -> Result<CampaignRow, AppError> {
    store::find(db, id).await?.ok_or_else(not_found)
}

pub fn today() -> String {
    date_text(today_shanghai())
}

/// Opens a campaign; its id.
pub async fn create(db: &Db, caller: &Caller<'_>, input: &CampaignInput) -> Result<String, FormFailure> {
    if !caller.user.is_admin {
        return Err(admin_only().into());
    }
    let checked = model::check(input, today_shanghai());
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    let mut targets: Vec<String> = Vec::new();
    for id in input.target_organisation_ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if targets.iter().any(|t| t == id) {
            continue;
        }
        let found = crate::orgs::store::find(db, id).await?;
        match found.and_then(|o| OrganisationKind::from_code(&o.kind)) {
            Some(OrganisationKind::Institution | OrganisationKind::Enterprise) => targets.push(id.to_string()),
            _ => {
                errors
                    .entry("target_organisation_ids".into())
                    .or_insert_with(|| "目标单位应为平台上的高校院所或企业".into());
            }
        }
    }
    let plan = match checked {
        Ok(plan) if errors.is_empty() => plan,
        _ => return Err(FormFailure::Fields(errors)),
    };
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, &plan, &targets, &caller.user.id).await?;
    let details = json!({"title": plan.title, "kind": plan.kind.code(), "deadline": date_text(plan.deadline),
        "technical_fields": plan.fields.iter().map(|f| f.code()).collect::<Vec<_>>(), "targets": targets});
    audit::append(&mut tx, db.backend(), &caller.event("campaign.opened", "campaign", &id, details)).await?;
    let notice = Notice::new(
        Topic::Campaign,
        format!("邀请报送{}：{}", plan.kind.label(), plan.title),
        format!("/campaigns/{id}"),
    )
    .with_body(format!("截止日期 {}", date_text(plan.deadline)));
    for organisation in &targets {
        deliver::to_organisation(&mut tx, organisation, &notice, None).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Ends a campaign before its deadline.
pub async fn close(db: &Db, caller: &Caller<'_>, id: &str) -> Result<(), AppError> {
    if !caller.user.is_admin {
        return Err(admin_only());
    }
    let campaign = find(db, id).await?;
    let mut tx = db.begin_write().await?;
    if !store::close(&mut tx, id).await? {
        return Err(AppError::conflict(ErrorCode::CampaignClosed, "征集已经结束"));
    }
    let details = json!({"title": campaign.title, "entered": campaign.entered});
    audit::append(&mut tx, db.backend(), &caller.event("campaign.closed", "campaign", id, details)).await?;
    tx.commit().await?;
    Ok(())
}

/// The organisation `user` enters listings for in this campaign: their own (an approved member
/// of a target — or, with no targets, of any institution or enterprise), or for administrators
/// the one they name. Refused once the campaign stopped accepting.
pub async fn entrant(
    db: &Db,
    user: &CurrentUser,
    campaign: &CampaignRow,
    named: Option<&str>,
) -> Result<String, AppError> {
    if !model::accepting(&campaign.status, &campaign.deadline, &today()) {
        return Err(AppError::conflict(ErrorCode::CampaignClosed, "征集已截止或已结束，不能再报送"));
    }
    let organisation = match (user.is_admin, named.map(str::trim).filter(|n| !n.is_empty())) {
        (true, Some(named)) => named.to_string(),
        _ if user.status != AccountStatus::Active || !matches!(user.role, Role::Researcher | Role::Enterprise) => {
            return Err(AppError::forbidden(
                ErrorCode::NotCampaignTarget,
                "只有高校院所、企业的认证成员（或管理员代为）可以报送",
            ));
        }
        _ => user
            .organisation_id
            .clone()
            .ok_or_else(|| AppError::forbidden(ErrorCode::NotCampaignTarget, "账号没有所属单位，不能报送"))?,
    };
    let open_to_all = campaign.targets == 0;
    if !(open_to_all || store::is_target(db, &campaign.id, &organisation).await?) {
        return Err(AppError::forbidden(ErrorCode::NotCampaignTarget, "本单位不在此次征集的范围内"));
    }
    Ok(organisation)
}

/// Enters these listings of the caller's organisation (in review or public ones; others are
/// refused); how many were new.
pub async fn enter(
    db: &Db,
    caller: &Caller<'_>,
    id: &str,
    organisation: Option<&str>,
    listing_ids: &[String],
) -> Result<usize, AppError> {
    let campaign = find(db, id).await?;
    let organisation = entrant(db, caller.user, &campaign, organisation).await?;
    let kind = Kind::from_code(&campaign.kind).unwrap_or(Kind::Achievement);
    let wanted: Vec<String> =
        listing_ids.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).take(500).collect();
    if wanted.is_empty() {
        return Err(AppError::validation(
            [("listing_ids".to_string(), format!("请选择要报送的{}", kind.label()))].into(),
        ));
    }
    let owned = store::owned_enterable(db, kind, &organisation, &wanted).await?;
    if owned.len() != wanted.len() {
        return Err(AppError::validation(
            [("listing_ids".to_string(), format!("只能报送本单位待审核或已公开的{}", kind.label()))].into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let entering = Entering {
        campaign_id: id,
        kind,
        organisation_id: &organisation,
        entered_by: &caller.user.id,
        import_id: None,
    };
    let added = store::enter(&mut tx, entering, &owned).await?;
    let details = json!({"organisation_id": organisation, "listings": owned, "added": added});
    audit::append(&mut tx, db.backend(), &caller.event("campaign.entered", "campaign", id, details)).await?;
    tx.commit().await?;
    Ok(added)
}
