//! What people may do with 挂牌: the seller's members (and administrators) list an achievement
//! and may withdraw it while no intent is registered; approved enterprise members register
//! intent during the period. At the end, [`settle_one`] decides: one intent → agreed at the
//! posted price, several → a 竞价 with the intending enterprises as bidders, none → unsold.

use serde_json::json;
use time::OffsetDateTime;

use super::model::{self, OfferingInput, OfferingStatus};
use super::store::{self, NewOffering, OfferingRow};
use crate::audit::{self, NewAuditEvent};
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::account::Role;
use crate::domain::forms::Checker;
use crate::domain::money::Fen;
use crate::domain::time::{now_stored, to_stored};
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::inbox::{Notice, Topic, deliver};
use crate::trading::auctions::model::Plan;
use crate::trading::auctions::store::{self as auction_store, NewAuction};
use crate::trading::rules;

pub fn not_found() -> AppError {
    AppError::not_found(ErrorCode::OfferingNotFound, "挂牌项目不存在")
}

pub async fn find(db: &Db, id: &str) -> Result<OfferingRow, AppError> {
    store::find(db, id.trim()).await?.ok_or_else(not_found)
}

pub fn manages(caller: &Caller<'_>, row: &OfferingRow) -> bool {
    caller.is_admin() || caller.member_of(&row.organisation_id)
}

fn link(id: &str) -> String {
    format!("/offerings/{id}")
}

/// Lists an achievement; returns the offering's id.
pub async fn create(db: &Db, caller: &Caller<'_>, input: &OfferingInput) -> Result<String, FormFailure> {
    let mut check = Checker::default();
    let traded = rules::traded_field(db, &mut check, input.achievement_id.as_deref()).await?;
    if let Some(traded) = &traded {
        if !rules::speaks_for_seller(caller, traded) {
            return Err(rules::not_seller().into());
        }
    }
    let checked = model::check(input, OffsetDateTime::now_utc());
    let mut errors = check.errors;
    errors.extend(checked.as_ref().err().cloned().unwrap_or_default());
    let (Some(traded), Ok(terms)) = (traded, checked) else { return Err(FormFailure::Fields(errors)) };
    if !errors.is_empty() {
        return Err(FormFailure::Fields(errors));
    }
    let new = NewOffering {
        achievement_id: &traded.id,
        organisation_id: &traded.organisation_id,
        title: &traded.title,
        created_by: &caller.user.id,
        is_demo: traded.is_demo,
    };
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, &new, &terms).await?;
    let details = json!({"achievement_id": traded.id, "price_fen": terms.price.0, "ends_at": to_stored(terms.ends)});
    audit::append(&mut tx, db.backend(), &caller.event("offering.listed", "offering", &id, details)).await?;
    let notice = Notice::new(
        Topic::Lead,
        format!("新挂牌成果：{}（挂牌价 {}）", traded.title, terms.price.format_wan()),
        link(&id),
    );
    deliver::to_brokers_near_organisation(&mut tx, &traded.organisation_id, &notice).await?;
    tx.commit().await?;
    Ok(id)
}

/// Locks an offering that is still taking intents at this moment; false otherwise.
async fn lock_open(conn: &mut sqlx::AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE offerings SET status = status WHERE id = $1 AND status = 'open' AND ends_at > $2")
        .bind(id)
        .bind(now_stored())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Registers the caller's enterprise's intent to take the achievement at the posted price.
pub async fn register_intent(
    db: &Db,
    caller: &Caller<'_>,
    id: &str,
    statement: Option<&str>,
) -> Result<(), FormFailure> {
    let row = find(db, id).await?;
    let org = caller.user.organisation_id.clone().filter(|_| caller.active() && caller.user.role == Role::Enterprise);
    let Some(org) = org else {
        return Err(AppError::forbidden(ErrorCode::CannotTrade, "只有已审核的企业用户可以登记受让意向").into());
    };
    if org == row.organisation_id {
        return Err(AppError::forbidden(ErrorCode::CannotTrade, "成果所属单位不能登记受让本单位的成果").into());
    }
    let mut check = Checker::default();
    let statement = check.text("statement", "受让意向说明", statement, 0, 2000);
    if !check.errors.is_empty() {
        return Err(FormFailure::Fields(check.errors));
    }
    let mut tx = db.begin_write().await?;
    if !lock_open(&mut tx, &row.id).await? {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::PeriodClosed, "挂牌期已结束，不再受理意向登记").into());
    }
    if !store::add_intent(&mut tx, &row.id, &org, &caller.user.id, &statement).await? {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::AlreadyApplied, "贵单位已经登记过受让意向").into());
    }
    audit::append(
        &mut tx,
        db.backend(),
        &caller.event("offering.intent", "offering", &row.id, json!({"organisation_id": org})),
    )
    .await?;
    let notice = Notice::new(Topic::Trade, format!("挂牌成果收到受让意向：{}", row.title), link(&row.id));
    deliver::to_organisation(&mut tx, &row.organisation_id, &notice, Some(&caller.user.id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws an offering that has no intent yet.
pub async fn withdraw(db: &Db, caller: &Caller<'_>, id: &str) -> Result<(), AppError> {
    let row = find(db, id).await?;
    if !manages(caller, &row) {
        return Err(rules::not_seller());
    }
    let mut tx = db.begin_write().await?;
    let intents =
        if lock_open(&mut tx, &row.id).await? { store::intents(&mut tx, &row.id).await?.len() } else { usize::MAX };
    if intents != 0 || !store::settle(&mut tx, &row.id, OfferingStatus::Withdrawn.code(), None, None).await? {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "已有企业登记意向或挂牌期已结束，不能撤牌"));
    }
    audit::append(&mut tx, db.backend(), &caller.event("offering.withdrawn", "offering", &row.id, json!({}))).await?;
    tx.commit().await?;
    Ok(())
}

/// Settles an offering whose period has ended; the outcome when it did.
pub async fn settle_one(db: &Db, id: &str, now: OffsetDateTime) -> Result<Option<OfferingStatus>, AppError> {
    let mut tx = db.begin_write().await?;
    let locked =
        sqlx::query("UPDATE offerings SET status = status WHERE id = $1 AND status = 'open' AND ends_at <= $2")
            .bind(id)
            .bind(to_stored(now))
            .execute(&mut *tx)
            .await?;
    let row = match store::find_in(&mut tx, id).await? {
        Some(row) if locked.rows_affected() == 1 => row,
        _ => {
            tx.rollback().await?;
            return Ok(None);
        }
    };
    let intents = store::intents(&mut tx, &row.id).await?;
    let link = link(&row.id);
    let outcome = match intents.as_slice() {
        [] => {
            store::settle(&mut tx, &row.id, OfferingStatus::Unsold.code(), None, None).await?;
            OfferingStatus::Unsold
        }
        [only] => {
            store::settle(&mut tx, &row.id, OfferingStatus::Agreed.code(), Some(&only.organisation_id), None).await?;
            let notice = Notice::new(
                Topic::Trade,
                format!("挂牌成交：{}，成交价 {}，请起草技术合同", row.title, Fen(row.price_fen).format_wan()),
                &link,
            );
            deliver::to_organisation(&mut tx, &only.organisation_id, &notice, None).await?;
            OfferingStatus::Agreed
        }
        several => {
            let (starts, ends) = model::bidding_window(now);
            let plan = Plan {
                rules: format!(
                    "挂牌期内有 {} 家企业登记受让意向，依挂牌规则转入网络竞价，以挂牌价为起拍价。",
                    several.len()
                ),
                opening: Fen(row.price_fen),
                increment: Fen(row.increment_fen),
                reserve: None,
                starts,
                ends,
                extend_minutes: 5,
            };
            let new = NewAuction {
                achievement_id: &row.achievement_id,
                seller_organisation_id: &row.organisation_id,
                agency_organisation_id: None,
                offering_id: Some(&row.id),
                title: &row.title,
                created_by: &row.created_by,
                is_demo: row.is_demo,
            };
            let auction = auction_store::insert(&mut tx, &new, &plan).await?;
            for intent in several {
                auction_store::add_bidder(
                    &mut tx,
                    &auction,
                    &intent.organisation_id,
                    &row.created_by,
                    "挂牌意向受让方",
                )
                .await?;
                let notice = Notice::new(
                    Topic::Trade,
                    format!("挂牌转入竞价：{}，{} 开始", row.title, crate::domain::time::chinese_datetime(starts)),
                    format!("/auctions/{auction}"),
                );
                deliver::to_organisation(&mut tx, &intent.organisation_id, &notice, None).await?;
            }
            store::settle(&mut tx, &row.id, OfferingStatus::Bidding.code(), None, Some(&auction)).await?;
            OfferingStatus::Bidding
        }
    };
    let details = json!({"status": outcome.code(), "intents": intents.len()});
    audit::append(
        &mut tx,
        db.backend(),
        &NewAuditEvent::by(None, None, "offering.settled", "offering", &row.id, details),
    )
    .await?;
    let notice = Notice::new(Topic::Trade, format!("挂牌期结束（{}）：{}", outcome.label(), row.title), &link);
    deliver::to_organisation(&mut tx, &row.organisation_id, &notice, None).await?;
    tx.commit().await?;
    Ok(Some(outcome))
}

/// Settles every offering whose period has ended.
pub async fn settle_due(db: &Db, now: OffsetDateTime) -> Result<usize, AppError> {
    let mut settled = 0;
    for id in store::due(db, &to_stored(now), 50).await? {
        settled += usize::from(settle_one(db, &id, now).await?.is_some());
    }
    Ok(settled)
}
