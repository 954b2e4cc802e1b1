//! What happens to a registered contract: amendments (a new sealed revision), cancellation and
//! revenue-share payments. Each step writes a lifecycle event and an audit event in the same
//! transaction as the change.

use serde::Deserialize;
use serde_json::json;

use super::diff;
use super::lifecycle::{Action, Status};
use super::model::ContractInput;
use super::precheck::{self, Finding};
use super::records;
use super::review::{ActionInput, changed_meanwhile, for_action, invalid, required_note};
use super::service::{
    Parties, Side, audit_overrides, check_links, current, read_draft, resolve_parties, summary, visible_by,
};
use super::store::{self, ContractRow};
use super::totals::{self, Contribution};
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::forms::{Checker, date_text};
use crate::domain::ids::ContractId;
use crate::domain::money::{Fen, Unit};
use crate::domain::time::today_shanghai;
use crate::error::{AppError, ErrorCode, FormFailure};
use sqlx::AnyConnection;

/// What a 变更登记 sends: why, and the whole contract as it now reads.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmendInput {
    pub reason: Option<String>,
    pub changes: ContractInput,
}

/// 变更登记: a new sealed revision; the old ones stay as they were.
pub async fn amend(db: &Db, caller: &Caller<'_>, id: ContractId, input: &AmendInput) -> Result<i64, FormFailure> {
    let id = &id.to_string();
    let contract = for_action(db, caller, id, Action::Amend).await?;
    let reason = input.reason.as_deref().unwrap_or_default().trim().to_string();
    let mut errors = crate::domain::forms::FieldErrors::new();
    if !(5..=1000).contains(&reason.chars().count()) {
        errors.insert("reason".to_string(), "请填写变更原因（5–1000 字）".to_string());
    }
    let parties = resolve_parties(db, caller, &input.changes, Some(&contract.seller_organisation_id)).await?;
    let draft = match read_draft(caller, &parties, &input.changes) {
        Ok((draft, _)) => Some(draft),
        Err(FormFailure::Fields(fields)) => {
            errors.extend(fields);
            None
        }
        Err(other) => return Err(other),
    };
    let Some(draft) = draft.filter(|_| errors.is_empty()) else {
        return Err(FormFailure::Fields(errors));
    };
    check_links(db, &draft).await?;
    let before = current(db, &contract).await?;
    let changes = diff::changes(&before.draft, &draft);
    if changes.is_empty() {
        return Err(FormFailure::Fields([("reason".to_string(), "合同内容没有变化，无需变更登记".to_string())].into()));
    }
    if buyer_changed(&contract, &parties) {
        return Err(FormFailure::Fields(
            [("buyer_organisation_id".to_string(), "变更登记不能更换买方单位；更换当事人请注销后重新登记".to_string())]
                .into(),
        ));
    }
    let blocking: Vec<Finding> =
        precheck::run(&draft).into_iter().filter(|f| f.severity == precheck::Severity::Error).collect();
    if !blocking.is_empty() {
        return Err(FormFailure::Fields(blocking.into_iter().map(|f| (f.code.to_string(), f.message)).collect()));
    }
    let revision_no = before.revision_no + 1;
    let mut tx = db.begin_write().await?;
    lock(&mut tx, db.backend(), id).await?;
    let in_force = store::current_revision_in(&mut tx, id).await?.map(|r| r.revision_no);
    if in_force != Some(before.revision_no) || is_cancelled_in(&mut tx, id).await? {
        return Err(changed_meanwhile().into());
    }
    // Two amendments racing for the same number: the primary key lets one through.
    if let Err(error) = store::insert_revision(&mut tx, id, revision_no, true, &reason, &caller.user.id, &draft).await {
        if error.as_database_error().is_some_and(|e| e.is_unique_violation()) {
            return Err(changed_meanwhile().into());
        }
        return Err(error.into());
    }
    let on = contract.registered_on.clone().unwrap_or_default();
    if let Some(amounts) = &before.draft.amounts {
        totals::apply(
            &mut tx,
            &Contribution::of(&on, contract.broker_user_id.as_deref(), &before.draft)
                .attributed(contract.channel.as_deref(), contract.agency_organisation_id.as_deref()),
            -1,
            amounts,
        )
        .await?;
    }
    if let Some(amounts) = &draft.amounts {
        totals::apply(
            &mut tx,
            &Contribution::of(&on, contract.broker_user_id.as_deref(), &draft)
                .attributed(contract.channel.as_deref(), contract.agency_organisation_id.as_deref()),
            1,
            amounts,
        )
        .await?;
    }
    let labels: Vec<&str> = changes.iter().map(|c| c.label).collect();
    let note = format!("{reason}（变更：{}）", labels.join("、"));
    records::add_event(&mut tx, id, "amended", Some(revision_no), &note, &caller.user.id).await?;
    let details = json!({"revision_no": revision_no, "reason": reason, "changes": changes, "after": summary(&draft)});
    audit::append(&mut tx, db.backend(), &caller.event("contract.amended", "contract", id, details)).await?;
    audit_overrides(&mut tx, db, caller, id, Some(&before.draft), &draft).await?;
    tx.commit().await?;
    Ok(revision_no)
}

fn buyer_changed(contract: &ContractRow, parties: &Parties) -> bool {
    parties.buyer.as_ref().map(|b| b.id.as_str()) != contract.buyer_organisation_id.as_deref()
}

/// 注销登记: recorded beside the contract, which leaves every total from then on.
pub async fn cancel(db: &Db, caller: &Caller<'_>, id: ContractId, input: &ActionInput) -> Result<(), AppError> {
    let id = &id.to_string();
    let contract = for_action(db, caller, id, Action::Cancel).await?;
    let reason = required_note(input, "注销原因")?;
    let mut tx = db.begin_write().await?;
    lock(&mut tx, db.backend(), id).await?;
    if !records::add_cancellation(&mut tx, id, &reason, &caller.user.id).await? {
        return Err(invalid(&contract, Action::Cancel));
    }
    // Read under the lock: this is the revision in force when the cancellation commits.
    let revision = store::current_revision_in(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::internal(std::io::Error::other(format!("contract {id} has no revision"))))?;
    if let Some(amounts) = &revision.draft.amounts {
        let on = contract.registered_on.clone().unwrap_or_default();
        totals::apply(
            &mut tx,
            &Contribution::of(&on, contract.broker_user_id.as_deref(), &revision.draft)
                .attributed(contract.channel.as_deref(), contract.agency_organisation_id.as_deref()),
            -1,
            amounts,
        )
        .await?;
    }
    records::add_event(&mut tx, id, "cancelled", Some(contract.current_revision), &reason, &caller.user.id).await?;
    audit::append(
        &mut tx,
        db.backend(),
        &caller.event("contract.cancelled", "contract", id, json!({"reason": reason})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A payment of the completing team's share, as typed.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, rocket::form::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct PaymentInput {
    pub paid_on: Option<String>,
    /// 元 unless a unit is written.
    pub amount: Option<String>,
    pub note: Option<String>,
}

/// Records a payment to the completing team (seller's side or administrators).
pub async fn record_payment(
    db: &Db,
    caller: &Caller<'_>,
    id: ContractId,
    input: &PaymentInput,
) -> Result<String, FormFailure> {
    let id = &id.to_string();
    let (contract, side) = visible_by(db, caller.user, id).await?;
    if side == Side::Buyer {
        return Err(AppError::forbidden(ErrorCode::NotSeller, "只有卖方或管理员可以登记奖励发放").into());
    }
    let revision = current(db, &contract).await?;
    if !revision.draft.institution_achievement {
        return Err(AppError::conflict(ErrorCode::NoRevenueShare, "该合同不涉及职务科技成果收益分配").into());
    }
    if contract.status != Status::Registered || contract.is_cancelled() {
        return Err(AppError::conflict(
            ErrorCode::NotRegistered,
            "奖励发放只能登记在已登记且未注销的合同上（合同登记后，收益才依合同取得）",
        )
        .into());
    }
    let Some(owed) = revision.draft.team_share else {
        return Err(AppError::conflict(
            ErrorCode::ShareNotRecorded,
            "合同未填写奖励成果完成人的金额，请先变更登记补充",
        )
        .into());
    };
    let mut check = Checker::default();
    let paid_on = check.date("paid_on", "发放日期", input.paid_on.as_deref());
    if paid_on.is_none() && !check.errors.contains_key("paid_on") {
        check.fail("paid_on", "请填写发放日期");
    }
    if paid_on.is_some_and(|d| d > today_shanghai()) {
        check.fail("paid_on", "发放日期不能晚于今天");
    }
    let amount = match Fen::parse(input.amount.as_deref().unwrap_or_default(), Unit::Yuan) {
        Ok(fen) if fen.is_zero() => {
            check.fail("amount", "发放金额须大于零");
            None
        }
        Ok(fen) if fen > super::amounts::MAX_AMOUNT => {
            check.fail("amount", "金额过大");
            None
        }
        Ok(fen) => Some(fen),
        Err(error) => {
            check.fail("amount", error.to_string());
            None
        }
    };
    let note = check.text("note", "备注", input.note.as_deref(), 0, 500);
    let (paid_on, amount) = check.finish(|| Some((paid_on?, amount?))).map_err(FormFailure::Fields)?;
    let payment_id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    // Read under the contract's lock, so two payments at once cannot both fit in what is left.
    lock(&mut tx, db.backend(), id).await?;
    let paid = records::paid_in(&mut tx, id).await?;
    let left = owed.0 - paid;
    if amount.0 > left {
        let message = format!(
            "发放金额超过尚未发放的奖励：应发 {}，已发 {}，尚余 {}",
            owed.format_yuan(),
            Fen(paid).format_yuan(),
            Fen(left.max(0)).format_yuan()
        );
        return Err(FormFailure::Fields([("amount".to_string(), message)].into()));
    }
    records::add_payment(&mut tx, &payment_id, id, &date_text(paid_on), amount.0, &note, &caller.user.id).await?;
    records::add_event(
        &mut tx,
        id,
        "share_paid",
        None,
        &format!("{} {}", date_text(paid_on), amount.format_yuan()),
        &caller.user.id,
    )
    .await?;
    let details = json!({"payment_id": payment_id, "paid_on": date_text(paid_on), "amount_fen": amount.0});
    audit::append(&mut tx, db.backend(), &caller.event("contract.share_paid", "contract", id, details)).await?;
    tx.commit().await?;
    Ok(payment_id)
}

/// Serialises changes to one registered contract (amendment, cancellation) until the transaction
/// ends. SQLite's write transactions are serial already; PostgreSQL takes a row lock, which the
/// update-refusing trigger does not see (nothing is updated).
async fn lock(conn: &mut AnyConnection, backend: crate::db::Backend, id: &str) -> Result<(), sqlx::Error> {
    if backend == crate::db::Backend::Postgres {
        sqlx::query("SELECT id FROM contracts WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(conn).await?;
    }
    Ok(())
}

/// Whether a 注销登记 is recorded, read inside a transaction.
async fn is_cancelled_in(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT contract_id FROM contract_cancellations WHERE contract_id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}
