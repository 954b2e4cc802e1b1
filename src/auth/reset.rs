//! Password reset by one-time link: mailed to the account's e-mail when a relay is configured
//! (the answer never says whether an account exists), or issued by an administrator (account
//! page) or the console (`techmarket reset-link`). A link works once, expires (30 minutes by
//! e-mail, 24 hours when issued by hand), and a new one replaces the older ones. Using it sets
//! the password, ends every session, lifts a lock, and is audited.

use serde_json::json;

use super::Caller;
use super::mail::Mailer;
use super::model::Login;
use super::password::PasswordHasher;
use super::service::{password_rules, record};
use super::store::{self, UserRecord};
use crate::audit::NewAuditEvent;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::account::AccountStatus;
use crate::domain::time::{now_stored, to_stored};
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::secrets::{hash_secret, random_token};

/// How long a mailed link works.
pub const MAILED_LINK: time::Duration = time::Duration::minutes(30);
/// How long a link issued by an administrator or the console works (handed over in person).
pub const ISSUED_LINK: time::Duration = time::Duration::hours(24);
/// A second mail to the same account within this time is not sent (a mailbox is not flooded).
const MAIL_INTERVAL: time::Duration = time::Duration::seconds(60);

/// The account an e-mail address or mobile number signs in as (none when it is neither).
async fn account_by_login(db: &Db, login: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let Ok(key) = Login::parse(login.trim()) else { return Ok(None) };
    store::find_user_by_login(&mut *db.pool().acquire().await?, key.key()).await
}

/// Where a reset link points.
pub fn link(settings: &Settings, token: &str) -> String {
    format!("{}/password/reset/{token}", settings.mail.public_url)
}

/// Creates a link for a user (older unused ones stop working). `issued_by` is the administrator
/// who asked for it, or none (mailed, or from the console).
async fn issue(
    db: &Db,
    user: &UserRecord,
    issued_by: Option<&str>,
    valid_for: time::Duration,
) -> Result<String, sqlx::Error> {
    let token = random_token(32);
    let now = time::OffsetDateTime::now_utc();
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL")
        .bind(&user.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at, issued_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(hash_secret(&token))
        .bind(&user.id)
        .bind(to_stored(now))
        .bind(to_stored(now + valid_for))
        .bind(issued_by)
        .execute(&mut *tx)
        .await?;
    let how = if issued_by.is_some() { "admin" } else { "console" };
    let event = NewAuditEvent::by(issued_by, None, "account.reset_link_issued", "user", &user.id, json!({"by": how}));
    record(&mut tx, db, event).await?;
    tx.commit().await?;
    Ok(token)
}

/// An administrator's link for an account (shown to the administrator once, handed over).
pub async fn issue_by_admin(
    db: &Db,
    settings: &Settings,
    admin: &Caller<'_>,
    user_id: &str,
) -> Result<String, AppError> {
    if !admin.is_admin() {
        return Err(AppError::forbidden(ErrorCode::AdminOnly, "只有管理员可以生成重置链接"));
    }
    let user = store::find_user(db, user_id)
        .await?
        .ok_or_else(|| AppError::not_found(ErrorCode::UserNotFound, "账号不存在"))?;
    if user.status == AccountStatus::Disabled {
        return Err(AppError::conflict(ErrorCode::AccountDisabled, "账号已停用，请先恢复账号再重置密码"));
    }
    Ok(link(settings, &issue(db, &user, Some(&admin.user.id), ISSUED_LINK).await?))
}

/// The console's link for an account, by its login (the way back in for the demo and for a
/// sole administrator who forgot the password).
pub async fn issue_from_console(db: &Db, settings: &Settings, login: &str) -> Result<String, AppError> {
    let user = account_by_login(db, login)
        .await?
        .ok_or_else(|| AppError::not_found(ErrorCode::UserNotFound, "没有这个账号（请填写注册时的邮箱或手机号）"))?;
    Ok(link(settings, &issue(db, &user, None, ISSUED_LINK).await?))
}

/// 忘记密码: mails a link when the login is an account with an e-mail address. Says nothing
/// about whether it is; the mail leaves in the background so timing does not tell either.
pub async fn request_by_mail(
    db: &Db,
    settings: &Settings,
    mailer: &Mailer,
    login: &str,
    ip: &str,
) -> Result<(), AppError> {
    let user = account_by_login(db, login).await?;
    let Some(user) = user.filter(|u| u.status != AccountStatus::Disabled && !u.is_demo) else { return Ok(()) };
    let Some(email) = user.email.clone() else { return Ok(()) };
    let recent: Option<String> = sqlx::query_scalar("SELECT MAX(created_at) FROM password_resets WHERE user_id = $1")
        .bind(&user.id)
        .fetch_one(db.pool())
        .await?;
    let cutoff = to_stored(time::OffsetDateTime::now_utc() - MAIL_INTERVAL);
    if recent.is_some_and(|at| at > cutoff) || !mailer.enabled() {
        return Ok(());
    }
    let token = issue(db, &user, None, MAILED_LINK).await?;
    let body = format!(
        "{name}，您好：\n\n有人（希望是您本人）在{platform}申请重置账号 {login} 的密码。请在 30 分钟内打开下面的链接设置新密码（链接只能使用一次）：\n\n{link}\n\n如果不是您本人操作，请忽略这封邮件，您的密码不会改变。\n\n{platform}\n",
        name = user.display_name,
        platform = format_args!("{}技术市场服务平台", settings.district_name),
        login = email,
        link = link(settings, &token),
    );
    let subject = format!("{}技术市场服务平台：重置密码", settings.district_name);
    let mailer = mailer.clone();
    let ip = ip.to_string();
    tokio::spawn(async move {
        if let Err(error) = mailer.send(&email, &subject, body).await {
            tracing::warn!(%error, %ip, "sending a password reset mail failed");
        }
    });
    Ok(())
}

/// The account a live link belongs to, if the link is live.
pub async fn account_of(db: &Db, token: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let user_id: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(hash_secret(token))
    .bind(now_stored())
    .fetch_optional(db.pool())
    .await?;
    match user_id {
        Some(id) => Ok(store::find_user(db, &id).await?.filter(|u| u.status != AccountStatus::Disabled)),
        None => Ok(None),
    }
}

pub fn invalid_link() -> AppError {
    AppError::not_found(ErrorCode::ResetLinkInvalid, "重置密码的链接无效、已使用或已过期，请重新申请")
}

/// Sets a new password through a live link, once: the link is spent in the same transaction
/// that sets the password, so two submissions cannot both use it.
pub async fn complete(
    db: &Db,
    hasher: &PasswordHasher,
    settings: &Settings,
    token: &str,
    new_password: &str,
    confirm: &str,
    ip: &str,
) -> Result<(), FormFailure> {
    let user = account_of(db, token).await?.ok_or_else(invalid_link)?;
    let context =
        [user.display_name.as_str(), user.email.as_deref().unwrap_or(""), user.mobile.as_deref().unwrap_or("")];
    if let Err(message) = password_rules(settings)(new_password, &context) {
        return Err(FormFailure::field("new_password", &message));
    }
    if new_password != confirm {
        return Err(FormFailure::field("new_password_confirm", "两次输入的密码不一致"));
    }
    let hash = hasher.hash(new_password).await.map_err(AppError::internal)?;
    let mut tx = db.begin_write().await?;
    let spent = sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now_stored())
    .bind(hash_secret(token))
    .execute(&mut *tx)
    .await?;
    if spent.rows_affected() != 1 {
        tx.rollback().await?;
        return Err(invalid_link().into());
    }
    store::set_password(&mut tx, &user.id, &hash).await?;
    store::set_lock(&mut tx, &user.id, None).await?;
    let ended = store::revoke_user_sessions(&mut tx, &user.id, "password_reset").await?;
    let event = NewAuditEvent::by(
        Some(&user.id),
        Some(ip),
        "account.password_reset",
        "user",
        &user.id,
        json!({"sessions_ended": ended}),
    );
    record(&mut tx, db, event).await?;
    tx.commit().await?;
    Ok(())
}
