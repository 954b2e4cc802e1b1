//! What administrators do to accounts (approve, disable, enable, change role, end sessions,
//! unlock), refusing what makes no sense, and the command that creates the first administrator.
//! Every change is audited.

use super::Caller;
use super::model::Login;
use super::password::PasswordHasher;
use super::service::{password_rules, record};
use super::store::{self, NewUser};
use crate::audit::{self, NewAuditEvent};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::ids::UserId;
use crate::error::{AppError, ErrorCode};
use serde_json::json;

/// What an administrator can do to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    Approve,
    Disable,
    Enable,
    SetRole(Role),
    EndSessions,
    Unlock,
}

/// Applies an administrator's action, refusing what makes no sense (approving an active
/// account, an administrator disabling or demoting themselves).
pub async fn admin_action(
    db: &Db,
    actor: &Caller<'_>,
    target_id: &str,
    action: AdminAction,
) -> Result<&'static str, AppError> {
    let Some(target) = store::find_user(db, target_id).await? else {
        return Err(AppError::not_found(ErrorCode::UserNotFound, "账号不存在"));
    };
    let is_self = actor.user.id == target.id;
    if is_self && matches!(action, AdminAction::Disable | AdminAction::SetRole(_)) {
        return Err(AppError::conflict(ErrorCode::CannotChangeSelf, "不能停用自己的账号或修改自己的身份"));
    }
    let mut tx = db.begin_write().await?;
    let (event, details, done): (&str, serde_json::Value, &'static str) = match action {
        AdminAction::Approve => {
            if target.status != AccountStatus::Pending {
                return Err(AppError::conflict(ErrorCode::NotPending, "该账号不是待审核状态"));
            }
            store::set_status(&mut tx, &target.id, AccountStatus::Active).await?;
            ("account.approved", json!({"from": "pending", "to": "active"}), "已审核通过")
        }
        AdminAction::Disable => {
            if target.status == AccountStatus::Disabled {
                return Err(AppError::conflict(ErrorCode::AlreadyDisabled, "该账号已是停用状态"));
            }
            store::set_status(&mut tx, &target.id, AccountStatus::Disabled).await?;
            let ended = store::revoke_user_sessions(&mut tx, &target.id, "disabled").await?;
            ("account.disabled", json!({"from": target.status.code(), "sessions_ended": ended}), "已停用该账号")
        }
        AdminAction::Enable => {
            if target.status != AccountStatus::Disabled {
                return Err(AppError::conflict(ErrorCode::NotDisabled, "该账号未被停用"));
            }
            store::set_status(&mut tx, &target.id, AccountStatus::Active).await?;
            store::set_status_reason(&mut tx, &target.id, "").await?;
            ("account.enabled", json!({"from": "disabled", "to": "active"}), "已恢复该账号")
        }
        AdminAction::SetRole(role) => {
            if role == target.role {
                return Err(AppError::conflict(ErrorCode::SameRole, "该账号已是此身份"));
            }
            store::set_role(&mut tx, &target.id, role).await?;
            let ended = store::revoke_user_sessions(&mut tx, &target.id, "role_changed").await?;
            let details = json!({"from": target.role.code(), "to": role.code(), "sessions_ended": ended});
            ("account.role_changed", details, "已修改身份")
        }
        AdminAction::EndSessions => {
            let ended = store::revoke_user_sessions(&mut tx, &target.id, "ended_by_admin").await?;
            ("account.sessions_ended", json!({"sessions_ended": ended}), "已结束该账号的全部登录会话")
        }
        AdminAction::Unlock => {
            store::set_lock(&mut tx, &target.id, None).await?;
            ("account.unlocked", json!({"was_locked_until": target.locked_until}), "已解除登录锁定")
        }
    };
    record(&mut tx, db, actor.event(event, "user", &target.id, details)).await?;
    tx.commit().await?;
    Ok(done)
}

/// The longest reason kept for a refused registration.
pub const MAX_REASON_CHARS: usize = 200;

/// Refuses a pending registration with a reason the person sees when they sign in: the account
/// is disabled (an administrator can restore it later), and the refusal is audited.
pub async fn reject_registration(
    db: &Db,
    actor: &Caller<'_>,
    target_id: &str,
    reason: &str,
) -> Result<&'static str, crate::error::FormFailure> {
    let reason = reason.trim();
    let count = reason.chars().count();
    if count == 0 {
        return Err(crate::error::FormFailure::field("reason", "请填写不予通过的原因，申请人登录时会看到"));
    }
    if count > MAX_REASON_CHARS {
        let message = format!("原因最多 {MAX_REASON_CHARS} 个字（现为 {count} 个）");
        return Err(crate::error::FormFailure::field("reason", &message));
    }
    let Some(target) = store::find_user(db, target_id).await? else {
        return Err(AppError::not_found(ErrorCode::UserNotFound, "账号不存在").into());
    };
    if target.status != AccountStatus::Pending {
        return Err(AppError::conflict(ErrorCode::NotPending, "该账号不是待审核状态").into());
    }
    let mut tx = db.begin_write().await?;
    store::set_status(&mut tx, &target.id, AccountStatus::Disabled).await?;
    store::set_status_reason(&mut tx, &target.id, reason).await?;
    store::revoke_user_sessions(&mut tx, &target.id, "rejected").await?;
    let details = json!({"from": "pending", "to": "disabled", "reason": reason});
    record(&mut tx, db, actor.event("account.rejected", "user", &target.id, details)).await?;
    tx.commit().await?;
    Ok("已不予通过，申请人登录时会看到原因")
}

/// Creates an active administrator (the `techmarket admin create` command). There is no
/// default account anywhere: the first administrator is made this way.
pub async fn create_admin(
    db: &Db,
    hasher: &PasswordHasher,
    settings: &Settings,
    display_name: &str,
    login: &str,
    password: &str,
) -> Result<UserId, String> {
    let display_name = display_name.trim();
    if display_name.is_empty() {
        return Err("请提供管理员姓名（--name）".into());
    }
    let login = Login::parse(login).map_err(str::to_string)?;
    password_rules(settings)(password, &[display_name, login.key()])?;
    let hash = hasher.hash(password).await.map_err(|e| e.to_string())?;
    let (email, mobile) = match &login {
        Login::Email(e) => (Some(e.clone()), None),
        Login::Mobile(m) => (None, Some(m.clone())),
    };
    let internal = |e: sqlx::Error| format!("数据库错误：{e}");
    let mut tx = db.begin_write().await.map_err(internal)?;
    if store::login_taken(&mut tx, email.as_deref(), mobile.as_deref()).await.map_err(internal)? {
        return Err("该邮箱或手机号已被使用".into());
    }
    let new = NewUser {
        display_name: display_name.to_string(),
        email,
        mobile,
        password_hash: hash,
        role: Role::Admin,
        status: AccountStatus::Active,
        organisation_id: None,
    };
    let id = store::insert_user(&mut tx, &new).await.map_err(internal)?;
    let admins = store::count_admins(&mut tx).await.map_err(internal)?;
    let event = NewAuditEvent::system(
        "account.admin_created",
        "user",
        &id.to_string(),
        json!({"via": "cli", "admins": admins}),
    );
    audit::append(&mut tx, db.backend(), &event).await.map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}
