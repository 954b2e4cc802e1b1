//! Contract use cases: drafting (with one-time tokens and idempotency keys), editing, the
//! registration lifecycle, amendments, cancellation and revenue-share payments. Every step writes
//! a lifecycle event and an audit event in the same transaction as the change.

use serde_json::json;

use super::diff;
use super::model::{self, ContractInput, Draft, OverrideRights};
use super::precheck::{self, Finding};
use super::records;
use super::store::{self, ContractRow, NewContract};
use crate::audit;
use crate::auth::{Caller, CurrentUser};
use crate::db::Db;
use crate::db::once::{self, Claim};
use crate::domain::account::{AccountStatus, Role};
use crate::domain::forms::Checker;
use crate::domain::ids::ContractId;
use crate::domain::time::today_shanghai;
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::orgs::store as orgs;

/// How a viewer stands to a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The seller's members, the person who drafted it, its broker.
    Seller,
    /// The buyer's members: they read it.
    Buyer,
    Admin,
}

/// How `user` stands to `contract`, if they may see it at all.
pub fn side_of(user: &CurrentUser, contract: &ContractRow) -> Option<Side> {
    if user.is_admin {
        return Some(Side::Admin);
    }
    if user.status != AccountStatus::Active {
        return None;
    }
    let org = user.organisation_id.as_deref();
    if org == Some(contract.seller_organisation_id.as_str())
        || user.id == contract.created_by
        || contract.broker_user_id.as_deref() == Some(user.id.as_str())
    {
        Some(Side::Seller)
    } else if org.is_some() && org == contract.buyer_organisation_id.as_deref() {
        Some(Side::Buyer)
    } else {
        None
    }
}

/// A path's contract id: a malformed one is a contract that does not exist.
pub fn contract_id(id: Result<ContractId, uuid::Error>) -> Result<ContractId, AppError> {
    id.map_err(|_| not_found())
}

fn not_found() -> AppError {
    AppError::not_found(ErrorCode::ContractNotFound, "合同不存在，或您无权查看")
}

/// The contract and how the user stands to it; 404 for everyone else (its existence is private).
pub async fn visible(db: &Db, user: &CurrentUser, id: ContractId) -> Result<(ContractRow, Side), AppError> {
    visible_by(db, user, &id.to_string()).await
}

/// [`visible`] by the stored id (within a use case that already holds it).
pub(super) async fn visible_by(db: &Db, user: &CurrentUser, id: &str) -> Result<(ContractRow, Side), AppError> {
    let contract = store::find(db, id).await?.ok_or_else(not_found)?;
    let side = side_of(user, &contract).ok_or_else(not_found)?;
    Ok((contract, side))
}

/// The revision in force (every contract has one).
pub async fn current(db: &Db, contract: &ContractRow) -> Result<store::Revision, AppError> {
    store::current_revision(db, &contract.id)
        .await?
        .ok_or_else(|| AppError::internal(std::io::Error::other(format!("contract {} has no revision", contract.id))))
}

/// The contract as its form and the API's `input` hold it: what the revision in force says plus
/// who the parties and the broker are and the version an edit is based on, so that sending it back
/// unchanged to `PUT` or to `amend` keeps every link.
pub fn input_of(contract: &ContractRow, draft: &Draft) -> ContractInput {
    ContractInput {
        seller_organisation_id: Some(contract.seller_organisation_id.clone()),
        buyer_organisation_id: contract.buyer_organisation_id.clone(),
        broker_user_id: contract.broker_user_id.clone(),
        deal_id: contract.deal_id.clone(),
        version: Some(contract.version),
        ..draft.to_input()
    }
}

/// How a create proves it is not a repeat.
pub enum Once<'a> {
    /// An API client's `Idempotency-Key` and the hash of its request body.
    Key { key: &'a str, request_hash: String },
    /// A form's one-time token.
    FormToken(&'a str),
}

pub use crate::db::once::Created;

/// The purpose form tokens of the new-contract form carry.
pub const CREATE_PURPOSE: &str = "contract.create";

/// Whose contract it is and who brokers it, resolved from the caller and the input.
pub(super) struct Parties {
    pub(super) seller: orgs::Organisation,
    pub(super) buyer: Option<orgs::Organisation>,
    pub(super) broker_user_id: Option<String>,
}

pub(super) async fn resolve_parties(
    db: &Db,
    caller: &Caller<'_>,
    input: &ContractInput,
    seller_fixed: Option<&str>,
) -> Result<Parties, FormFailure> {
    let mut check = Checker::default();
    let user = caller.user;
    let seller_id = match seller_fixed {
        Some(id) => Some(id.to_string()),
        None if user.is_admin || user.role == Role::Broker => {
            let chosen = input.seller_organisation_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
            if chosen.is_none() {
                check.fail("seller_organisation_id", "请选择卖方单位");
            }
            chosen.map(str::to_string)
        }
        None => match user.organisation_id.clone() {
            Some(org) => Some(org),
            None => {
                return Err(AppError::forbidden(
                    ErrorCode::NoOrganisation,
                    "您的账号尚未关联单位，不能起草合同；请联系管理员",
                )
                .into());
            }
        },
    };
    let seller = match seller_id {
        Some(id) => {
            let found = orgs::find(db, &id).await?;
            if found.is_none() {
                check.fail("seller_organisation_id", "所选卖方单位不存在");
            }
            found
        }
        None => None,
    };
    let buyer = match input.buyer_organisation_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => {
            let found = orgs::find(db, id).await?;
            if found.is_none() {
                check.fail("buyer_organisation_id", "所选买方单位不存在");
            }
            found
        }
        None => None,
    };
    if let (Some(s), Some(b)) = (&seller, &buyer) {
        if s.id == b.id {
            check.fail("buyer_organisation_id", "买方不能与卖方是同一单位");
        }
    }
    let broker_user_id = if user.role == Role::Broker && !user.is_admin {
        Some(user.id.clone())
    } else {
        match input.broker_user_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(id) => {
                let broker = crate::auth::store::find_user(db, id).await?;
                if !broker.is_some_and(|b| b.role == Role::Broker && b.status == AccountStatus::Active) {
                    check.fail("broker_user_id", "所选技术经纪人不存在或未通过审核");
                }
                Some(id.to_string())
            }
            None => None,
        }
    };
    if !check.errors.is_empty() {
        return Err(FormFailure::Fields(check.errors));
    }
    let seller =
        seller.ok_or_else(|| FormFailure::Other(AppError::internal(std::io::Error::other("seller missing"))))?;
    Ok(Parties { seller, buyer, broker_user_id })
}

/// Fills a party's blank fields from its organisation record and says whether a failing check
/// digit is already confirmed there.
fn prefill(
    org: &orgs::Organisation,
    name: &mut Option<String>,
    code: &mut Option<String>,
    nature: &mut Option<String>,
    region: &mut Option<String>,
) -> bool {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|t| t.trim().is_empty());
    if blank(name) {
        *name = Some(org.name.clone());
    }
    if blank(code) {
        code.clone_from(&org.credit_code);
    }
    if blank(nature) {
        *nature = Some(org.nature_code.clone());
    }
    if blank(region) {
        *region = Some(org.region_code.clone());
    }
    org.credit_code_overridden && code.as_deref().map(str::trim) == org.credit_code.as_deref()
}

/// Validates the input against the resolved parties: organisations fill blanks, administrators
/// may confirm failing check digits.
pub(super) fn read_draft(
    caller: &Caller<'_>,
    parties: &Parties,
    input: &ContractInput,
) -> Result<(Draft, ContractInput), FormFailure> {
    let mut input = input.clone();
    let mut rights = OverrideRights { seller: caller.user.is_admin, buyer: caller.user.is_admin };
    // A technology import is registered by the domestic buyer: the registering organisation fills
    // the buyer's side and the seller abroad is typed by hand. Otherwise the registering
    // organisation is the seller, and a chosen buyer organisation fills the buyer's side.
    let (seller_org, buyer_org) = if input.technology_import {
        if parties.buyer.is_some() {
            let message = "技术进口合同由境内买方（本单位）登记，无需另选买方单位";
            return Err(FormFailure::Fields([("buyer_organisation_id".to_string(), message.to_string())].into()));
        }
        (None, Some(&parties.seller))
    } else {
        (Some(&parties.seller), parties.buyer.as_ref())
    };
    if let Some(org) = seller_org {
        let i = &mut input;
        if prefill(org, &mut i.seller_name, &mut i.seller_credit_code, &mut i.seller_nature, &mut i.seller_region) {
            rights.seller = true;
            input.seller_credit_override = true;
        }
    }
    if let Some(org) = buyer_org {
        let i = &mut input;
        if prefill(org, &mut i.buyer_name, &mut i.buyer_credit_code, &mut i.buyer_nature, &mut i.buyer_region) {
            rights.buyer = true;
            input.buyer_credit_override = true;
        }
    }
    let draft = model::validate(&input, today_shanghai(), rights).map_err(FormFailure::Fields)?;
    Ok((draft, input))
}

pub(super) async fn check_links(db: &Db, draft: &Draft) -> Result<(), FormFailure> {
    let mut check = Checker::default();
    if let Some(id) = &draft.achievement_id {
        if crate::listings::store::find::<crate::achievements::listing::Achievements>(db, id).await?.is_none() {
            check.fail("achievement_id", "关联的科技成果不存在");
        }
    }
    if let Some(id) = &draft.demand_id {
        if crate::listings::store::find::<crate::demands::listing::Demands>(db, id).await?.is_none() {
            check.fail("demand_id", "关联的技术需求不存在");
        }
    }
    if check.errors.is_empty() { Ok(()) } else { Err(FormFailure::Fields(check.errors)) }
}

pub(super) fn summary(draft: &Draft) -> serde_json::Value {
    json!({
        "title": draft.title,
        "contract_type": draft.contract_type.code(),
        "subtype": draft.subtype.code(),
        "total_fen": draft.amounts.map(|a| a.total().0),
        "technology_fen": draft.amounts.map(|a| a.technology().0),
    })
}

pub(super) async fn audit_overrides(
    tx: &mut sqlx::AnyConnection,
    db: &Db,
    caller: &Caller<'_>,
    id: &str,
    before: Option<&Draft>,
    draft: &Draft,
) -> Result<(), sqlx::Error> {
    for (side, party, earlier) in
        [("seller", &draft.seller, before.map(|d| &d.seller)), ("buyer", &draft.buyer, before.map(|d| &d.buyer))]
    {
        let new_override =
            party.credit_override && earlier.is_none_or(|e| !e.credit_override || e.credit_code != party.credit_code);
        if new_override {
            let details = json!({"side": side, "credit_code": party.credit_code, "name": party.name});
            audit::append(tx, db.backend(), &caller.event("contract.credit_code_overridden", "contract", id, details))
                .await?;
        }
    }
    Ok(())
}

/// Drafts a new contract, exactly once per key or form token.
pub async fn create(
    db: &Db,
    caller: &Caller<'_>,
    input: &ContractInput,
    proof: Option<Once<'_>>,
) -> Result<Created, FormFailure> {
    if !caller.active() {
        return Err(AppError::forbidden(ErrorCode::CannotDraft, "账号通过审核后才能起草技术合同").into());
    }
    let parties = resolve_parties(db, caller, input, None).await?;
    let (draft, _) = read_draft(caller, &parties, input)?;
    check_links(db, &draft).await?;
    let deal_id = input.deal_id.as_deref().map(str::trim).filter(|id| !id.is_empty());
    if let Some(deal) = deal_id {
        crate::deals::contracting::linkable(db, caller.user, deal).await.map_err(|error| match error.status.code {
            404 => FormFailure::field("deal_id", "关联的对接项目不存在或无权查看"),
            409 => FormFailure::field("deal_id", &error.message),
            _ => FormFailure::Other(error),
        })?;
    }
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    let claim = match &proof {
        Some(Once::Key { key, request_hash }) => {
            once::claim_key(&mut tx, &caller.user.id, key, request_hash, &id).await?
        }
        Some(Once::FormToken(token)) => {
            once::spend_form_token(&mut tx, token, &caller.user.id, CREATE_PURPOSE, &id).await?
        }
        None => Claim::Fresh,
    };
    match claim {
        Claim::Fresh => {}
        Claim::Replay(earlier) => {
            tx.rollback().await?;
            return Ok(Created { id: earlier, replayed: true });
        }
        Claim::Mismatch => return Err(once::key_reused().into()),
        Claim::Unknown => {
            return Err(
                AppError::conflict(ErrorCode::FormExpired, "表单已失效，请重新打开“起草合同”页面后再提交").into()
            );
        }
    }
    let new = NewContract {
        id: &id,
        seller_organisation_id: &parties.seller.id,
        buyer_organisation_id: parties.buyer.as_ref().map(|b| b.id.as_str()),
        broker_user_id: parties.broker_user_id.as_deref(),
        created_by: &caller.user.id,
        deal_id,
    };
    store::insert(&mut tx, &new, &draft).await?;
    records::add_event(&mut tx, &id, "created", Some(1), "", &caller.user.id).await?;
    audit::append(&mut tx, db.backend(), &caller.event("contract.created", "contract", &id, summary(&draft))).await?;
    audit_overrides(&mut tx, db, caller, &id, None, &draft).await?;
    tx.commit().await?;
    Ok(Created { id, replayed: false })
}

/// Saves an edit of a draft (or of a contract sent back for correction).
pub async fn update(db: &Db, caller: &Caller<'_>, id: ContractId, input: &ContractInput) -> Result<(), FormFailure> {
    let id = &id.to_string();
    let (contract, side) = visible_by(db, caller.user, id).await?;
    if !matches!(side, Side::Seller | Side::Admin) {
        return Err(AppError::forbidden(ErrorCode::NotSeller, "只有卖方（或其经纪人）可以修改合同").into());
    }
    if !contract.status.is_editable() {
        let message = format!("“{}”的合同不能修改；已登记的合同请申请变更登记", contract.status.label());
        return Err(AppError::conflict(ErrorCode::NotEditable, message).into());
    }
    let Some(version) = input.version else {
        return Err(FormFailure::Fields([("version".to_string(), "缺少版本号，请刷新后重试".to_string())].into()));
    };
    let parties = resolve_parties(db, caller, input, Some(&contract.seller_organisation_id)).await?;
    let broker =
        if caller.user.role == Role::Broker { contract.broker_user_id.clone() } else { parties.broker_user_id.clone() };
    let (draft, _) = read_draft(caller, &parties, input)?;
    check_links(db, &draft).await?;
    let before = current(db, &contract).await?;
    let changes = diff::changes(&before.draft, &draft);
    let mut tx = db.begin_write().await?;
    let buyer_id = parties.buyer.as_ref().map(|b| b.id.as_str());
    if !store::update_draft(&mut tx, id, version, buyer_id, broker.as_deref(), &draft).await? {
        return Err(AppError::conflict(ErrorCode::EditConflict, "合同已被他人修改或状态已变化，请刷新后重试").into());
    }
    let labels: Vec<&str> = changes.iter().map(|c| c.label).collect();
    records::add_event(&mut tx, id, "edited", Some(1), &labels.join("、"), &caller.user.id).await?;
    let details = json!({"changes": changes});
    audit::append(&mut tx, db.backend(), &caller.event("contract.edited", "contract", id, details)).await?;
    audit_overrides(&mut tx, db, caller, id, Some(&before.draft), &draft).await?;
    tx.commit().await?;
    Ok(())
}

/// The pre-check of the revision in force.
pub async fn precheck_of(db: &Db, contract: &ContractRow) -> Result<Vec<Finding>, AppError> {
    Ok(precheck::run(&current(db, contract).await?.draft))
}
