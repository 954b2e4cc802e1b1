//! What people may do with a deal and the writes that do it: open one, take a step, write a
//! note, answer an invitation, hand a deal to another broker. Who sees what is decided here
//! (`access`): the broker, their agency and administrators see everything; the invited
//! organisations see the deal and its shared notes; nobody else learns it exists.

use serde_json::json;

use super::opening::Opening;
use super::stage::{self, Action, LostReason, Stage};
use super::store::{self, DealRow, NewEvent};
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::account::Role;
use crate::domain::forms::Checker;
use crate::domain::money::{Fen, MAX_CONTRACT_AMOUNT, Unit};
use crate::domain::time::now_stored;
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::listings::Kind;
use crate::web::request_state::CurrentUser;

/// How a person stands to a deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Admin,
    /// The broker running it.
    Broker,
    /// A colleague in the broker's agency: reads everything, writes notes.
    Agency,
    /// A member of an invited organisation (not one that declined).
    Party {
        invited: bool,
    },
}

impl Access {
    /// May take steps (stage changes).
    pub fn steers(self) -> bool {
        matches!(self, Access::Admin | Access::Broker)
    }

    /// Reads the agency's private notes.
    pub fn sees_private(self) -> bool {
        matches!(self, Access::Admin | Access::Broker | Access::Agency)
    }
}

pub fn not_found() -> AppError {
    AppError::not_found(ErrorCode::DealNotFound, "对接项目不存在或无权查看")
}

/// The deal and how the person stands to it; a deal they have no part in is not found.
pub async fn visible(db: &Db, user: &CurrentUser, id: &str) -> Result<(DealRow, Access), AppError> {
    let deal = store::find(db, id).await?.ok_or_else(not_found)?;
    let access = access(db, user, &deal).await?.ok_or_else(not_found)?;
    Ok((deal, access))
}

async fn access(db: &Db, user: &CurrentUser, deal: &DealRow) -> Result<Option<Access>, sqlx::Error> {
    if user.is_admin {
        return Ok(Some(Access::Admin));
    }
    if user.status != crate::domain::account::AccountStatus::Active {
        return Ok(None);
    }
    if deal.broker_user_id == user.id {
        return Ok(Some(Access::Broker));
    }
    let Some(org) = user.organisation_id.as_deref() else { return Ok(None) };
    if user.role == Role::Broker && deal.agency_organisation_id.as_deref() == Some(org) {
        return Ok(Some(Access::Agency));
    }
    Ok(match store::party_of(db, &deal.id, org).await? {
        Some((_, status)) if status == "accepted" => Some(Access::Party { invited: false }),
        Some((_, status)) if status == "invited" => Some(Access::Party { invited: true }),
        _ => None,
    })
}

/// A deal as typed in the form or sent to the API.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct DealInput {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub demand_id: Option<String>,
    pub achievement_ids: Vec<String>,
    pub buyer_organisation_id: Option<String>,
    pub seller_organisation_id: Option<String>,
    /// Administrators name the broker; a broker opens deals for themselves.
    pub broker_user_id: Option<String>,
    /// The 成果对接沙龙 the match was made at (the deal counts among its results).
    pub salon_id: Option<String>,
}

/// The most achievements one deal offers.
pub const MAX_ACHIEVEMENTS: usize = 10;

fn chosen(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

async fn organisation_exists(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    Ok(found.is_some())
}

async fn check_input(db: &Db, caller: &Caller<'_>, input: &DealInput) -> Result<Opening, FormFailure> {
    let user = caller.user;
    if !(caller.is_admin() || (caller.active() && user.role == Role::Broker)) {
        return Err(
            AppError::forbidden(ErrorCode::CannotOpenDeal, "只有已审核的技术经纪人和管理员可以创建对接项目").into()
        );
    }
    let mut check = Checker::default();
    let title = check.text("title", "项目名称", input.title.as_deref(), 2, 100);
    let summary = check.text("summary", "项目说明", input.summary.as_deref(), 0, 2000);
    let demand_id = chosen(&input.demand_id).map(str::to_string);
    let mut demand_owner = None;
    if let Some(id) = &demand_id {
        demand_owner = crate::listings::store::public_owner(db, Kind::Demand, id).await?;
        if demand_owner.is_none() {
            check.fail("demand_id", "所选技术需求不存在或尚未公开");
        }
    }
    let mut achievement_ids: Vec<String> = Vec::new();
    for id in input.achievement_ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !achievement_ids.iter().any(|known| known == id) {
            achievement_ids.push(id.to_string());
        }
    }
    // Counted as sent (the document's maxItems), blanks included.
    if input.achievement_ids.len() > MAX_ACHIEVEMENTS {
        check.fail("achievement_ids", format!("一个项目最多关联 {MAX_ACHIEVEMENTS} 项科技成果"));
    }
    let mut achievement_owner = None;
    for id in achievement_ids.iter().take(MAX_ACHIEVEMENTS) {
        match crate::listings::store::public_owner(db, Kind::Achievement, id).await? {
            Some(owner) => {
                achievement_owner.get_or_insert(owner);
            }
            None => check.fail("achievement_ids", "所选科技成果不存在或尚未公开"),
        }
    }
    // The sides default to the listings' owners.
    let buyer = chosen(&input.buyer_organisation_id).map(str::to_string).or(demand_owner);
    let seller = chosen(&input.seller_organisation_id).map(str::to_string).or(achievement_owner);
    for (field, id, label) in
        [("buyer_organisation_id", &buyer, "需求方"), ("seller_organisation_id", &seller, "成果方")]
    {
        if let Some(id) = id {
            if !organisation_exists(db, id).await? {
                check.fail(field, format!("所选{label}单位不存在"));
            }
        }
    }
    if buyer.is_some() && buyer == seller {
        check.fail("seller_organisation_id", "需求方与成果方不能是同一单位");
    }
    if demand_id.is_none() && achievement_ids.is_empty() && (buyer.is_none() || seller.is_none()) {
        check.fail("demand_id", "请至少关联一项技术需求或科技成果，或同时选择需求方和成果方单位");
    }
    let (broker_user_id, agency) = if user.role == Role::Broker && !user.is_admin {
        (user.id.clone(), user.organisation_id.clone())
    } else {
        match chosen(&input.broker_user_id) {
            Some(id) => match crate::auth::store::find_user(db, id).await? {
                Some(b) if b.role == Role::Broker && b.status == crate::domain::account::AccountStatus::Active => {
                    (b.id.clone(), b.organisation_id.clone())
                }
                _ => {
                    check.fail("broker_user_id", "所选技术经纪人不存在或未通过审核");
                    (String::new(), None)
                }
            },
            None => (user.id.clone(), user.organisation_id.clone()),
        }
    };
    let salon_id = chosen(&input.salon_id).map(str::to_string);
    if let Some(id) = &salon_id {
        if crate::salons::store::find(db, id).await?.is_none_or(|s| s.status == "cancelled") {
            check.fail("salon_id", "所选沙龙活动不存在或已取消");
        }
    }
    if !check.errors.is_empty() {
        return Err(FormFailure::Fields(check.errors));
    }
    Ok(Opening { title, summary, demand_id, achievement_ids, buyer, seller, broker_user_id, agency, salon_id })
}

/// Opens a deal at the lead stage and invites both sides. Returns its id.
pub async fn open(db: &Db, caller: &Caller<'_>, input: &DealInput) -> Result<String, FormFailure> {
    let opening = check_input(db, caller, input).await?;
    let mut tx = db.begin_write().await?;
    let id = super::opening::insert(&mut tx, &opening, None, &caller.user.id).await?;
    let details = json!({"title": opening.title, "demand_id": opening.demand_id,
        "achievement_ids": opening.achievement_ids, "broker_user_id": opening.broker_user_id, "salon_id": opening.salon_id});
    audit::append(&mut tx, db.backend(), &caller.event("deal.opened", "deal", &id, details)).await?;
    tx.commit().await?;
    Ok(id)
}

/// A step as typed: the action's code comes from the URL.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct StepInput {
    /// Closing: a reason code from the list.
    pub reason: Option<String>,
    /// Why (required to reopen, and for "other" when closing); a note for any step.
    pub note: Option<String>,
    /// Agreeing: the amount agreed, in 万元 (optional).
    pub amount_wan: Option<String>,
    /// The version the step is based on (optional; a stale one is refused).
    pub version: Option<i64>,
}

/// Takes one step on a deal (broker or administrator), decided against the stored stage.
pub async fn step(
    db: &Db,
    caller: &Caller<'_>,
    id: &str,
    action: Action,
    input: &StepInput,
) -> Result<Stage, FormFailure> {
    let (deal, access) = visible(db, caller.user, id).await?;
    if !access.steers() {
        return Err(
            AppError::forbidden(ErrorCode::NotDealBroker, "只有负责该项目的技术经纪人或管理员可以推进项目").into()
        );
    }
    let to = stage::next(deal.stage, action, deal.lost_from)
        .map_err(|stage::Refused(message)| AppError::conflict(ErrorCode::InvalidTransition, message))?;
    let mut check = Checker::default();
    let note = check.text("note", "说明", input.note.as_deref(), 0, 2000);
    let given = input.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if given.is_some_and(|code| LostReason::from_code(code).is_none()) {
        check.fail("reason", "关闭原因不是可选的值");
    }
    let reason = match action {
        Action::Lose => {
            let reason = input.reason.as_deref().and_then(LostReason::from_code);
            if reason.is_none() {
                check.fail("reason", "请选择关闭原因");
            }
            if reason == Some(LostReason::Other) && note.is_empty() {
                check.fail("note", "选择“其他原因”时请写明原因");
            }
            reason
        }
        _ => None,
    };
    if action == Action::Reopen && note.is_empty() {
        check.fail("note", "请写明重新打开的原因");
    }
    let amount = match (action, input.amount_wan.as_deref().map(str::trim).filter(|t| !t.is_empty())) {
        (Action::Agree, Some(text)) => match Fen::parse(text, Unit::Wan) {
            Ok(fen) if fen > MAX_CONTRACT_AMOUNT => {
                check.fail("amount_wan", "意向金额过大");
                None
            }
            Ok(fen) => Some(fen.0),
            Err(error) => {
                check.fail("amount_wan", format!("意向金额{error}"));
                None
            }
        },
        _ => None,
    };
    if input.version.is_some_and(|v| v != deal.version) {
        return Err(AppError::conflict(ErrorCode::EditConflict, "项目已被他人推进，请刷新后再操作").into());
    }
    if !check.errors.is_empty() {
        return Err(FormFailure::Fields(check.errors));
    }
    let mut tx = db.begin_write().await?;
    let now = now_stored();
    let lost_from = if to == Stage::Lost { Some(deal.stage.code()) } else { None };
    let moved = sqlx::query(
        "UPDATE deals SET stage = $1, lost_from = $2, lost_reason = $3, \
         agreed_amount_fen = COALESCE($4, agreed_amount_fen), stage_changed_at = $5, version = version + 1 \
         WHERE id = $6 AND stage = $7",
    )
    .bind(to.code())
    .bind(lost_from)
    .bind(reason.map(LostReason::code))
    .bind(amount)
    .bind(&now)
    .bind(id)
    .bind(deal.stage.code())
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::EditConflict, "项目已被他人推进，请刷新后再操作").into());
    }
    // The agreed amount is part of what the parties read on the timeline.
    let body = match amount {
        Some(fen) if note.is_empty() => format!("意向金额 {}", Fen(fen).format_wan()),
        Some(fen) => format!("意向金额 {}。{note}", Fen(fen).format_wan()),
        None => note.clone(),
    };
    let event = NewEvent {
        kind: "stage",
        from_stage: Some(deal.stage.code()),
        to_stage: Some(to.code()),
        reason: reason.map(LostReason::label).unwrap_or_default(),
        body: &body,
        private: false,
    };
    store::add_event(&mut tx, id, Some(&caller.user.id), &event).await?;
    let details = json!({"from": deal.stage.code(), "to": to.code(), "reason": reason.map(LostReason::code),
        "note": note, "agreed_amount_fen": amount});
    audit::append(&mut tx, db.backend(), &caller.event(&format!("deal.{}", action.code()), "deal", id, details))
        .await?;
    super::notices::stepped(&mut tx, id, &deal.title, to.label(), &body, &caller.user.id).await?;
    tx.commit().await?;
    Ok(to)
}

/// A note as typed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct NoteInput {
    pub body: Option<String>,
    /// `shared` (default: the parties read it) or `private` (the broker's agency only).
    pub visibility: Option<String>,
}

/// Adds a note to the timeline. Parties write shared notes only, and only once they accepted.
pub async fn note(db: &Db, caller: &Caller<'_>, id: &str, input: &NoteInput) -> Result<(), FormFailure> {
    let (_, access) = visible(db, caller.user, id).await?;
    if access == (Access::Party { invited: true }) {
        return Err(AppError::forbidden(ErrorCode::Forbidden, "接受邀请后才能在项目中留言").into());
    }
    let mut check = Checker::default();
    let body = check.text("body", "记录内容", input.body.as_deref(), 1, 4000);
    let private = match input.visibility.as_deref().unwrap_or("shared") {
        "shared" => false,
        "private" if access.sees_private() => true,
        "private" => {
            check.fail("visibility", "只有经纪机构可以写内部记录");
            false
        }
        _ => {
            check.fail("visibility", "请选择记录对谁可见");
            false
        }
    };
    if !check.errors.is_empty() {
        return Err(FormFailure::Fields(check.errors));
    }
    let mut tx = db.begin_write().await?;
    let event = NewEvent { kind: "note", body: &body, private, ..Default::default() };
    store::add_event(&mut tx, id, Some(&caller.user.id), &event).await?;
    let details = json!({"private": private, "length": body.chars().count()});
    audit::append(&mut tx, db.backend(), &caller.event("deal.note_added", "deal", id, details)).await?;
    tx.commit().await?;
    Ok(())
}

/// An invited organisation's member accepts or declines, once.
pub async fn answer(db: &Db, caller: &Caller<'_>, id: &str, accept: bool) -> Result<(), AppError> {
    let (deal, access) = visible(db, caller.user, id).await?;
    let org = caller.user.organisation_id.as_deref().unwrap_or_default();
    if access != (Access::Party { invited: true }) {
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "您的单位没有待答复的邀请"));
    }
    let status = if accept { "accepted" } else { "declined" };
    let mut tx = db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE deal_parties SET status = $1, answered_at = $2, answered_by = $3 \
         WHERE deal_id = $4 AND organisation_id = $5 AND status = 'invited'",
    )
    .bind(status)
    .bind(now_stored())
    .bind(&caller.user.id)
    .bind(id)
    .bind(org)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "邀请已经答复过了"));
    }
    let name = caller.user.organisation_name.clone().unwrap_or_default();
    let body = format!("{name}{}", if accept { "接受了对接邀请" } else { "谢绝了对接邀请" });
    store::add_event(
        &mut tx,
        id,
        Some(&caller.user.id),
        &NewEvent { kind: "party", body: &body, ..Default::default() },
    )
    .await?;
    let details = json!({"organisation_id": org, "answer": status});
    audit::append(&mut tx, db.backend(), &caller.event("deal.party_answered", "deal", id, details)).await?;
    super::notices::answered(&mut tx, id, &deal.title, &body, &caller.user.id).await?;
    tx.commit().await?;
    Ok(())
}

/// An administrator hands a deal to another broker (and so to that broker's agency).
pub async fn reassign(db: &Db, caller: &Caller<'_>, id: &str, broker_user_id: &str) -> Result<(), FormFailure> {
    if !caller.is_admin() {
        return Err(AppError::forbidden(ErrorCode::AdminOnly, "只有管理员可以更换项目的经纪人").into());
    }
    let (deal, _) = visible(db, caller.user, id).await?;
    let broker = match crate::auth::store::find_user(db, broker_user_id.trim()).await? {
        Some(b) if b.role == Role::Broker && b.status == crate::domain::account::AccountStatus::Active => b,
        _ => return Err(FormFailure::field("broker_user_id", "所选技术经纪人不存在或未通过审核")),
    };
    if broker.id == deal.broker_user_id {
        return Err(FormFailure::field("broker_user_id", "项目已由这位经纪人负责"));
    }
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE deals SET broker_user_id = $1, agency_organisation_id = $2, version = version + 1 WHERE id = $3",
    )
    .bind(&broker.id)
    .bind(&broker.organisation_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let body = format!("项目由 {} 转交给 {}", deal.broker_name, broker.display_name);
    store::add_event(
        &mut tx,
        id,
        Some(&caller.user.id),
        &NewEvent { kind: "reassigned", body: &body, ..Default::default() },
    )
    .await?;
    let details = json!({"from": deal.broker_user_id, "to": broker.id});
    audit::append(&mut tx, db.backend(), &caller.event("deal.reassigned", "deal", id, details)).await?;
    let notice = crate::inbox::Notice::new(
        crate::inbox::Topic::DealStep,
        format!("对接项目“{}”已转交给您", deal.title),
        format!("/deals/{id}"),
    );
    super::notices::to_broker(&mut tx, id, &notice, &caller.user.id).await?;
    tx.commit().await?;
    Ok(())
}
