//! Contract use cases: drafting (with one-time tokens and idempotency keys), editing, the
//! registration lifecycle, amendments, cancellation and revenue-share payments. Every step writes
//! a lifecycle event and an audit event in the same transaction as the change.

use rocket::http::Status as HttpStatus;
use serde::Deserialize;
use serde_json::json;
use time::{OffsetDateTime, PrimitiveDateTime, Time};

use super::diff;
use super::lifecycle::{self, Action, Status};
use super::model::{self, ContractInput, Draft, OverrideRights};
use super::precheck::{self, Finding};
use super::records;
use super::store::{self, ContractRow, NewContract, Transition};
use super::totals::{self, Contribution};
use crate::audit;
use crate::auth::{Caller, CurrentUser};
use crate::config::ReviewRule;
use crate::db::Db;
use crate::db::once::{self, Claim};
use crate::domain::account::{AccountStatus, Role};
use crate::domain::contract_vocab::RefusalReason;
use crate::domain::forms::{Checker, date_text};
use crate::domain::money::{Fen, Unit};
use crate::domain::time::{SHANGHAI, parse_stored, to_stored, today_shanghai};
use crate::error::{AppError, FormFailure};
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

fn not_found() -> AppError {
    AppError::not_found("contract_not_found", "合同不存在，或您无权查看")
}

/// The contract and how the user stands to it; 404 for everyone else (its existence is private).
pub async fn visible(db: &Db, user: &CurrentUser, id: &str) -> Result<(ContractRow, Side), AppError> {
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
struct Parties {
    seller: orgs::Organisation,
    buyer: Option<orgs::Organisation>,
    broker_user_id: Option<String>,
}

async fn resolve_parties(
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
                return Err(
                    AppError::forbidden("no_organisation", "您的账号尚未关联单位，不能起草合同；请联系管理员").into()
                );
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
fn read_draft(
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

async fn check_links(db: &Db, draft: &Draft) -> Result<(), FormFailure> {
    let mut check = Checker::default();
    if let Some(id) = &draft.achievement_id {
        if crate::achievements::store::find(db, id).await?.is_none() {
            check.fail("achievement_id", "关联的科技成果不存在");
        }
    }
    if let Some(id) = &draft.demand_id {
        if crate::demands::store::find(db, id).await?.is_none() {
            check.fail("demand_id", "关联的技术需求不存在");
        }
    }
    if check.errors.is_empty() { Ok(()) } else { Err(FormFailure::Fields(check.errors)) }
}

fn summary(draft: &Draft) -> serde_json::Value {
    json!({
        "title": draft.title,
        "contract_type": draft.contract_type.code(),
        "subtype": draft.subtype.code(),
        "total_fen": draft.amounts.map(|a| a.total().0),
        "technology_fen": draft.amounts.map(|a| a.technology().0),
    })
}

async fn audit_overrides(
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
        return Err(AppError::forbidden("cannot_draft", "账号通过审核后才能起草技术合同").into());
    }
    let parties = resolve_parties(db, caller, input, None).await?;
    let (draft, _) = read_draft(caller, &parties, input)?;
    check_links(db, &draft).await?;
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
            return Err(AppError::conflict("form_expired", "表单已失效，请重新打开“起草合同”页面后再提交").into());
        }
    }
    let new = NewContract {
        id: &id,
        seller_organisation_id: &parties.seller.id,
        buyer_organisation_id: parties.buyer.as_ref().map(|b| b.id.as_str()),
        broker_user_id: parties.broker_user_id.as_deref(),
        created_by: &caller.user.id,
    };
    store::insert(&mut tx, &new, &draft).await?;
    records::add_event(&mut tx, &id, "created", Some(1), "", &caller.user.id).await?;
    audit::append(&mut tx, db.backend(), &caller.event("contract.created", "contract", &id, summary(&draft))).await?;
    audit_overrides(&mut tx, db, caller, &id, None, &draft).await?;
    tx.commit().await?;
    Ok(Created { id, replayed: false })
}

/// Saves an edit of a draft (or of a contract sent back for correction).
pub async fn update(db: &Db, caller: &Caller<'_>, id: &str, input: &ContractInput) -> Result<(), FormFailure> {
    let (contract, side) = visible(db, caller.user, id).await?;
    if !matches!(side, Side::Seller | Side::Admin) {
        return Err(AppError::forbidden("not_seller", "只有卖方（或其经纪人）可以修改合同").into());
    }
    if !contract.status.is_editable() {
        let message = format!("“{}”的合同不能修改；已登记的合同请申请变更登记", contract.status.label());
        return Err(AppError::conflict("not_editable", message).into());
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
        return Err(AppError::conflict("edit_conflict", "合同已被他人修改或状态已变化，请刷新后重试").into());
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

fn invalid(contract: &ContractRow, action: Action) -> AppError {
    let status = if contract.is_cancelled() { "已注销" } else { contract.status.label() };
    AppError::conflict("invalid_transition", format!("“{status}”的合同不能{}", action.label()))
}

fn changed_meanwhile() -> AppError {
    AppError::conflict("edit_conflict", "合同状态已被他人改变，请刷新后重试")
}

async fn for_action(db: &Db, caller: &Caller<'_>, id: &str, action: Action) -> Result<ContractRow, AppError> {
    let (contract, side) = visible(db, caller.user, id).await?;
    let allowed = if action.by_administrator() { side == Side::Admin } else { side == Side::Seller };
    if !allowed {
        let message = if action.by_administrator() {
            format!("只有管理员（登记机构）可以{}", action.label())
        } else {
            "只有卖方（或其经纪人）可以提交登记".to_string()
        };
        return Err(AppError::forbidden("not_allowed", message));
    }
    if lifecycle::next(contract.status, action, contract.is_cancelled()).is_none() {
        return Err(invalid(&contract, action));
    }
    Ok(contract)
}

/// Submits for registration (受理): the pre-check must find nothing that blocks; the clock starts.
pub async fn submit(db: &Db, caller: &Caller<'_>, id: &str, rule: ReviewRule) -> Result<Vec<Finding>, AppError> {
    let contract = for_action(db, caller, id, Action::Submit).await?;
    let revision = current(db, &contract).await?;
    let findings = precheck::run(&revision.draft);
    if precheck::blocks(&findings) {
        let mut error =
            AppError::new(HttpStatus::UnprocessableEntity, "precheck_failed", "登记预审未通过：请先补齐以下内容再提交");
        for finding in findings.iter().filter(|f| f.severity == precheck::Severity::Error) {
            error = error.with_field(finding.code, finding.message.clone());
        }
        return Err(error);
    }
    let amounts = revision.draft.amounts.ok_or_else(|| AppError::bad_request("missing_price", "未填写合同成交额"))?;
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

fn required_note(input: &ActionInput, label: &str) -> Result<String, AppError> {
    let note = input.note.as_deref().unwrap_or_default().trim().to_string();
    if note.chars().count() < 5 || note.chars().count() > 1000 {
        return Err(AppError::validation(Default::default()).with_field("note", format!("请填写{label}（5–1000 字）")));
    }
    Ok(note)
}

/// 补正: the registry sends the contract back; the clock stops until it is resubmitted.
pub async fn request_correction(db: &Db, caller: &Caller<'_>, id: &str, input: &ActionInput) -> Result<(), AppError> {
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
pub async fn register(db: &Db, caller: &Caller<'_>, id: &str, input: &ActionInput) -> Result<(), AppError> {
    let contract = for_action(db, caller, id, Action::Register).await?;
    let number = registration_number(input.registration_no.as_deref())?;
    let at = registration_instant(input.registered_at.as_deref(), OffsetDateTime::now_utc())?;
    let on = date_text(at.to_offset(SHANGHAI).date());
    if contract.accepted_on.as_deref().is_some_and(|accepted| on.as_str() < accepted) {
        return Err(AppError::validation(Default::default()).with_field("registered_at", "登记日期不能早于受理日期"));
    }
    let mut tx = db.begin_write().await?;
    if store::registration_no_taken(&mut tx, &number).await? {
        return Err(AppError::conflict("registration_no_taken", format!("登记编号 {number} 已被另一份合同使用")));
    }
    let transition = Transition {
        registration_no: Some(&number),
        registered_at: Some(to_stored(at)),
        registered_on: Some(on.clone()),
        decided_by: Some(&caller.user.id),
        ..Transition::default()
    };
    // The check above answers the common case; two registrations racing for one number meet the
    // unique index, and the second is told the same.
    match store::transition(&mut tx, id, contract.version, Status::Submitted, Status::Registered, &transition).await {
        Ok(true) => {}
        Ok(false) => return Err(changed_meanwhile()),
        Err(error) if error.as_database_error().is_some_and(|e| e.is_unique_violation()) => {
            return Err(AppError::conflict("registration_no_taken", format!("登记编号 {number} 已被另一份合同使用")));
        }
        Err(error) => return Err(error.into()),
    }
    store::seal(&mut tx, id).await?;
    let revision = store::current_revision_in(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::internal(std::io::Error::other(format!("contract {id} has no revision"))))?;
    if let Some(amounts) = &revision.draft.amounts {
        let key = Contribution::of(&on, contract.broker_user_id.as_deref(), &revision.draft);
        totals::apply(&mut tx, &key, 1, amounts).await?;
    }
    records::add_event(&mut tx, id, "registered", Some(contract.current_revision), &number, &caller.user.id).await?;
    let details = json!({"registration_no": number, "registered_at": to_stored(at), "registered_on": on});
    audit::append(&mut tx, db.backend(), &caller.event("contract.registered", "contract", id, details)).await?;
    tx.commit().await?;
    Ok(())
}

/// 未予登记, with one of the registries' reasons.
pub async fn refuse(db: &Db, caller: &Caller<'_>, id: &str, input: &ActionInput) -> Result<(), AppError> {
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
    id: &str,
    input: &ActionInput,
    rule: ReviewRule,
) -> Result<(), AppError> {
    let contract = for_action(db, caller, id, Action::Dispute).await?;
    if contract.disputed {
        return Err(AppError::conflict("already_disputed", "该合同已标记为存在争议"));
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

/// What a 变更登记 sends: why, and the whole contract as it now reads.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmendInput {
    pub reason: Option<String>,
    pub changes: ContractInput,
}

/// 变更登记: a new sealed revision; the old ones stay as they were.
pub async fn amend(db: &Db, caller: &Caller<'_>, id: &str, input: &AmendInput) -> Result<i64, FormFailure> {
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
    store::lock(&mut tx, db.backend(), id).await?;
    let in_force = store::current_revision_in(&mut tx, id).await?.map(|r| r.revision_no);
    if in_force != Some(before.revision_no) || store::is_cancelled_in(&mut tx, id).await? {
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
        totals::apply(&mut tx, &Contribution::of(&on, contract.broker_user_id.as_deref(), &before.draft), -1, amounts)
            .await?;
    }
    if let Some(amounts) = &draft.amounts {
        totals::apply(&mut tx, &Contribution::of(&on, contract.broker_user_id.as_deref(), &draft), 1, amounts).await?;
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
pub async fn cancel(db: &Db, caller: &Caller<'_>, id: &str, input: &ActionInput) -> Result<(), AppError> {
    let contract = for_action(db, caller, id, Action::Cancel).await?;
    let reason = required_note(input, "注销原因")?;
    let mut tx = db.begin_write().await?;
    store::lock(&mut tx, db.backend(), id).await?;
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
            &Contribution::of(&on, contract.broker_user_id.as_deref(), &revision.draft),
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
    id: &str,
    input: &PaymentInput,
) -> Result<String, FormFailure> {
    let (contract, side) = visible(db, caller.user, id).await?;
    if side == Side::Buyer {
        return Err(AppError::forbidden("not_seller", "只有卖方或管理员可以登记奖励发放").into());
    }
    let revision = current(db, &contract).await?;
    if !revision.draft.institution_achievement {
        return Err(AppError::conflict("no_revenue_share", "该合同不涉及职务科技成果收益分配").into());
    }
    if contract.status != Status::Registered || contract.is_cancelled() {
        return Err(AppError::conflict(
            "not_registered",
            "奖励发放只能登记在已登记且未注销的合同上（合同登记后，收益才依合同取得）",
        )
        .into());
    }
    let Some(owed) = revision.draft.team_share else {
        return Err(AppError::conflict("share_not_recorded", "合同未填写奖励成果完成人的金额，请先变更登记补充").into());
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
    store::lock(&mut tx, db.backend(), id).await?;
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
