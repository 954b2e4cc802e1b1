//! Managing an organisation's endpoints: who may (its approved members; administrators see
//! every organisation's), adding one with a fresh secret, removing one, a test event, and
//! sending a given-up delivery again.

use serde_json::json;

use super::store::{self, Hook, MAX_HOOKS};
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::forms::Checker;
use crate::error::{AppError, ErrorCode, FormFailure};

/// An endpoint as typed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct HookInput {
    pub url: Option<String>,
}

pub fn not_found() -> AppError {
    AppError::not_found(ErrorCode::WebhookNotFound, "接收地址不存在")
}

/// The caller's organisation, which their endpoints belong to.
pub fn organisation<'a>(caller: &'a Caller<'_>) -> Result<&'a str, AppError> {
    match caller.user.organisation_id.as_deref() {
        Some(org) if caller.active() => Ok(org),
        _ => Err(AppError::forbidden(ErrorCode::Forbidden, "只有已审核的单位成员可以设置本单位的 Webhook")),
    }
}

/// An endpoint the caller may manage (their organisation's, or any for an administrator).
pub async fn managed(db: &Db, caller: &Caller<'_>, id: &str) -> Result<Hook, AppError> {
    let hook = store::find(db, id).await?.filter(|h| h.active == 1).ok_or_else(not_found)?;
    if caller.is_admin() || caller.member_of(&hook.organisation_id) { Ok(hook) } else { Err(not_found()) }
}

fn check_url(check: &mut Checker, raw: Option<&str>) -> String {
    let url = check.text("url", "接收地址", raw, 1, 500);
    if check.errors.contains_key("url") {
        return url;
    }
    match reqwest::Url::parse(&url) {
        Ok(parsed) if !matches!(parsed.scheme(), "http" | "https") => {
            check.fail("url", "接收地址应以 http:// 或 https:// 开头");
        }
        Ok(parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            check.fail("url", "接收地址不能包含用户名或密码，请用签名验证来源");
        }
        Ok(parsed) if parsed.host_str().is_none_or(str::is_empty) => check.fail("url", "接收地址缺少主机名"),
        Ok(_) => {}
        Err(_) => check.fail("url", "接收地址不是有效的网址，格式如 https://example.com/hooks/techmarket"),
    }
    url
}

/// Adds an endpoint for the caller's organisation; returns it and its secret (shown once).
pub async fn create(db: &Db, caller: &Caller<'_>, input: &HookInput) -> Result<(String, String), FormFailure> {
    let organisation = organisation(caller)?;
    let mut check = Checker::default();
    let url = check_url(&mut check, input.url.as_deref());
    if store::count_active(db, organisation).await? >= MAX_HOOKS {
        check.fail("url", format!("每个单位最多设置 {MAX_HOOKS} 个接收地址"));
    }
    if !check.errors.is_empty() {
        return Err(FormFailure::Fields(check.errors));
    }
    let secret = format!("whsec_{}", crate::secrets::random_token(24));
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, organisation, &url, &secret, &caller.user.id).await?;
    let details = json!({"organisation_id": organisation, "url": url});
    audit::append(&mut tx, db.backend(), &caller.event("webhook.created", "webhook", &id, details)).await?;
    tx.commit().await?;
    Ok((id, secret))
}

pub async fn remove(db: &Db, caller: &Caller<'_>, id: &str) -> Result<(), AppError> {
    let hook = managed(db, caller, id).await?;
    let mut tx = db.begin_write().await?;
    store::deactivate(&mut tx, &hook.id).await?;
    let details = json!({"organisation_id": hook.organisation_id, "url": hook.url});
    audit::append(&mut tx, db.backend(), &caller.event("webhook.removed", "webhook", id, details)).await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a `ping` event for one endpoint; returns the delivery's id.
pub async fn ping(db: &Db, caller: &Caller<'_>, id: &str) -> Result<String, AppError> {
    let hook = managed(db, caller, id).await?;
    let mut tx = db.begin_write().await?;
    let payload = json!({"message": "这是一条测试消息", "by": caller.user.display_name});
    let delivery = store::enqueue_one(&mut tx, &hook.id, &hook.organisation_id, "ping", &payload).await?;
    tx.commit().await?;
    Ok(delivery)
}

/// Sends a given-up delivery again.
pub async fn retry(db: &Db, caller: &Caller<'_>, id: &str, delivery: &str) -> Result<(), AppError> {
    let hook = managed(db, caller, id).await?;
    if store::retry(db, &hook.id, delivery).await? {
        Ok(())
    } else {
        Err(AppError::conflict(ErrorCode::InvalidTransition, "只有已放弃的投递可以重新发送"))
    }
}
