//! What people may do with auctions: administrators and the running agency's approved brokers
//! create them, qualify bidders (enterprises, never the seller) and cancel one that has no bid;
//! the seller's members see the reserve too. Each write is one transaction with its audit event.

use serde_json::json;
use time::OffsetDateTime;

use super::model::{self, AuctionInput};
use super::store::{self, AuctionRow, NewAuction};
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::account::Role;
use crate::domain::forms::Checker;
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::inbox::{Notice, Topic, deliver};
use crate::trading::rules;

pub fn not_found() -> AppError {
    AppError::not_found(ErrorCode::AuctionNotFound, "竞价项目不存在")
}

pub async fn find(db: &Db, id: &str) -> Result<AuctionRow, AppError> {
    store::find(db, id.trim()).await?.ok_or_else(not_found)
}

/// Whether the caller runs this auction: an administrator, or an approved broker of its agency.
pub fn organises(caller: &Caller<'_>, auction: &AuctionRow) -> bool {
    caller.is_admin()
        || (caller.user.role == Role::Broker
            && auction.agency_organisation_id.as_deref().is_some_and(|agency| caller.member_of(agency)))
}

/// Organisers and the seller's members see the reserve.
pub fn sees_reserve(caller: &Caller<'_>, auction: &AuctionRow) -> bool {
    organises(caller, auction) || caller.member_of(&auction.seller_organisation_id)
}

pub fn may_create(caller: &Caller<'_>) -> bool {
    caller.is_admin() || (caller.user.role == Role::Broker && caller.active() && caller.user.organisation_id.is_some())
}

fn refusal() -> AppError {
    AppError::forbidden(ErrorCode::CannotTrade, "只有管理员和承办机构的已审核技术经纪人可以组织竞价")
}

/// Creates an auction; returns its id.
pub async fn create(db: &Db, caller: &Caller<'_>, input: &AuctionInput) -> Result<String, FormFailure> {
    if !may_create(caller) {
        return Err(refusal().into());
    }
    let mut check = Checker::default();
    let traded = rules::traded_field(db, &mut check, input.achievement_id.as_deref()).await?;
    let own = caller.user.organisation_id.as_deref();
    let named = input.agency_organisation_id.as_deref();
    let agency = crate::orgs::store::agency_for(db, caller.is_admin(), own, named).await?.unwrap_or_else(|message| {
        check.fail("agency_organisation_id", message);
        None
    });
    let checked = model::check(input, OffsetDateTime::now_utc());
    let mut errors = check.errors;
    errors.extend(checked.as_ref().err().cloned().unwrap_or_default());
    let (Some(traded), Ok(plan)) = (traded, checked) else { return Err(FormFailure::Fields(errors)) };
    if !errors.is_empty() {
        return Err(FormFailure::Fields(errors));
    }
    let new = NewAuction {
        achievement_id: &traded.id,
        seller_organisation_id: &traded.organisation_id,
        agency_organisation_id: agency.as_deref(),
        offering_id: None,
        title: &traded.title,
        created_by: &caller.user.id,
        is_demo: traded.is_demo,
    };
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, &new, &plan).await?;
    let details = json!({"achievement_id": traded.id, "opening_fen": plan.opening.0, "increment_fen": plan.increment.0,
        "reserve": plan.reserve.is_some(), "starts_at": crate::domain::time::to_stored(plan.starts),
        "ends_at": crate::domain::time::to_stored(plan.ends), "extend_minutes": plan.extend_minutes});
    audit::append(&mut tx, db.backend(), &caller.event("auction.created", "auction", &id, details)).await?;
    let notice = Notice::new(Topic::Trade, format!("您的成果进入竞价：{}", traded.title), format!("/auctions/{id}"));
    deliver::to_organisation(&mut tx, &traded.organisation_id, &notice, Some(&caller.user.id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Qualifies an enterprise to bid (after its deposit was confirmed offline).
pub async fn qualify(
    db: &Db,
    caller: &Caller<'_>,
    id: &str,
    organisation_id: Option<&str>,
    note: Option<&str>,
) -> Result<(), FormFailure> {
    let auction = find(db, id).await?;
    if !organises(caller, &auction) {
        return Err(refusal().into());
    }
    let mut check = Checker::default();
    let note = check.text("note", "备注", note, 0, 200);
    let org = match organisation_id.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            check.fail("organisation_id", "请选择竞买单位");
            None
        }
        Some(id) => crate::orgs::store::find(db, id).await?,
    };
    match &org {
        None => check.fail("organisation_id", "所选竞买单位不存在"),
        Some(org) if org.id == auction.seller_organisation_id => {
            check.fail("organisation_id", "成果所属单位不能参与本单位成果的竞价")
        }
        Some(org) if org.kind != "enterprise" => check.fail("organisation_id", "竞买人须为企业"),
        Some(_) => {}
    }
    let Some(org) = org.filter(|_| check.errors.is_empty()) else { return Err(FormFailure::Fields(check.errors)) };
    if auction.status != "open" {
        return Err(AppError::conflict(ErrorCode::AuctionNotRunning, "竞价已经结束").into());
    }
    let mut tx = db.begin_write().await?;
    store::lock(&mut tx, &auction.id).await?;
    if !store::add_bidder(&mut tx, &auction.id, &org.id, &caller.user.id, &note).await? {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::InvalidTransition, format!("{}已有竞买资格", org.name)).into());
    }
    audit::append(
        &mut tx,
        db.backend(),
        &caller.event("auction.bidder_qualified", "auction", &auction.id, json!({"organisation_id": org.id})),
    )
    .await?;
    let notice =
        Notice::new(Topic::Trade, format!("已获得竞买资格：{}", auction.title), format!("/auctions/{}", auction.id));
    deliver::to_organisation(&mut tx, &org.id, &notice, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels an auction that has no bid yet.
pub async fn cancel(db: &Db, caller: &Caller<'_>, id: &str) -> Result<(), AppError> {
    let auction = find(db, id).await?;
    if !organises(caller, &auction) {
        return Err(refusal());
    }
    let mut tx = db.begin_write().await?;
    store::lock(&mut tx, &auction.id).await?;
    if !store::cancel(&mut tx, &auction.id).await? {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "已有出价或竞价已结束，不能取消"));
    }
    audit::append(&mut tx, db.backend(), &caller.event("auction.cancelled", "auction", &auction.id, json!({}))).await?;
    tx.commit().await?;
    Ok(())
}
