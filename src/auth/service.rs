//! Account use cases: register, sign in and out, change password, API tokens, and the
//! administrator's actions. Each write is one transaction with its audit event.

use serde_json::json;

use super::Caller;
use super::model::{self, FieldErrors, Login, OrganisationChoice, RegistrationInput};
use super::password::{self, PasswordHasher};
use super::store::{self, NewUser, UserRecord};
use super::throttle::LoginThrottle;
use crate::audit::{self, NewAuditEvent};
use crate::config::Settings;
use crate::db::{Db, WriteTx};
use crate::domain::account::AccountStatus;
use crate::domain::ids::UserId;
use crate::domain::time::{parse_stored, to_stored};
use crate::error::{AppError, ErrorCode};
use crate::orgs;
use crate::secrets::{hash_secret, random_token};

pub(super) async fn record(tx: &mut WriteTx, db: &Db, event: NewAuditEvent) -> Result<(), sqlx::Error> {
    audit::append(tx, db.backend(), &event).await.map(|_| ())
}

pub use crate::error::FormFailure;

impl From<password::HashError> for FormFailure {
    fn from(error: password::HashError) -> Self {
        FormFailure::Other(AppError::internal(error))
    }
}

fn field(name: &str, message: &str) -> FormFailure {
    FormFailure::Fields(FieldErrors::from([(name.to_string(), message.to_string())]))
}

/// Applies the password rules with this district's words as context.
pub(super) fn password_rules(settings: &Settings) -> impl Fn(&str, &[&str]) -> Result<(), String> + '_ {
    move |candidate: &str, context: &[&str]| {
        let mut words: Vec<&str> = context.to_vec();
        words.push(&settings.district_name);
        password::check_new_password(candidate, &words).map_err(|e| e.to_string())
    }
}

/// The organisation a registration names, as far as it could be read.
enum NamedOrganisation<'a> {
    Existing(&'a str),
    New { name: &'a str, credit_code: Option<&'a str> },
}

/// What only the database can say about a registration: the login already registered, the
/// chosen organisation missing or of another kind, the new organisation's name or credit code
/// taken — every one of them, so they arrive in one answer.
async fn database_problems(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    login: Option<&Login>,
    role: Option<crate::domain::account::Role>,
    organisation: NamedOrganisation<'_>,
) -> Result<FieldErrors, sqlx::Error> {
    let mut found = FieldErrors::new();
    let mut note = |name: &str, message: &str| found.insert(name.to_string(), message.to_string());
    if let Some(login) = login {
        let (email, mobile) = match login {
            Login::Email(e) => (Some(e.as_str()), None),
            Login::Mobile(m) => (None, Some(m.as_str())),
        };
        if store::login_taken(&mut *conn, email, mobile).await? {
            note("login", "该邮箱或手机号已注册，请直接登录");
        }
    }
    match organisation {
        NamedOrganisation::Existing(id) => {
            if let Some(role) = role {
                let expected = model::organisation_kind_for(role).code();
                if orgs::store::find(db, id).await?.is_none_or(|org| org.kind != expected) {
                    note("organisation_id", "所选单位不存在或与身份不符，请重新选择");
                }
            }
        }
        NamedOrganisation::New { name, credit_code } => {
            let (name_taken, code_taken) = orgs::store::name_or_code_taken(&mut *conn, name, credit_code).await?;
            if name_taken {
                note("org_name", "该单位已在平台登记，请选择“已有单位”");
            }
            if code_taken {
                note("org_credit_code", "该统一社会信用代码已被其他单位使用");
            }
        }
    }
    Ok(found)
}

/// The database's problems with a registration that failed its own checks, read from what was
/// typed; fields that already have an error keep it.
async fn lookup_problems(db: &Db, input: &RegistrationInput, errors: &mut FieldErrors) -> Result<(), FormFailure> {
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_string();
    let login = Login::parse(&text(&input.login)).ok();
    let role = crate::domain::account::Role::from_code(&text(&input.role));
    let (id, name) = (text(&input.organisation_id), text(&input.org_name));
    let credit_code = crate::domain::validators::credit_code(&text(&input.org_credit_code)).ok();
    let organisation = if model::chose_existing(input) {
        NamedOrganisation::Existing(&id)
    } else {
        NamedOrganisation::New { name: &name, credit_code: credit_code.as_deref() }
    };
    let mut conn = db.pool().acquire().await?;
    for (name, message) in database_problems(&mut conn, db, login.as_ref(), role, organisation).await? {
        errors.entry(name).or_insert(message);
    }
    Ok(())
}

/// Registers a pending account (and its new organisation, if any).
pub async fn register(
    db: &Db,
    hasher: &PasswordHasher,
    settings: &Settings,
    input: &RegistrationInput,
    ip: &str,
) -> Result<UserId, FormFailure> {
    let valid = match model::validate_registration(input, password_rules(settings)) {
        Ok(valid) => valid,
        Err(mut errors) => {
            // Every problem at once: what only the database knows is named in the same answer.
            lookup_problems(db, input, &mut errors).await?;
            return Err(FormFailure::Fields(errors));
        }
    };
    let password_hash = hasher.hash(&valid.password).await?;
    let (email, mobile) = match &valid.login {
        Login::Email(e) => (Some(e.clone()), None),
        Login::Mobile(m) => (None, Some(m.clone())),
    };
    let mut tx = db.begin_write().await?;
    let named = match &valid.organisation {
        OrganisationChoice::Existing(id) => NamedOrganisation::Existing(id),
        OrganisationChoice::New(new) => {
            NamedOrganisation::New { name: &new.name, credit_code: new.credit_code.as_deref() }
        }
    };
    let problems = database_problems(&mut tx, db, Some(&valid.login), Some(valid.role), named).await?;
    if !problems.is_empty() {
        return Err(FormFailure::Fields(problems));
    }
    let (organisation_id, new_organisation) = match &valid.organisation {
        OrganisationChoice::Existing(id) => (id.clone(), false),
        OrganisationChoice::New(new) => {
            // The checks above read before writing; two registrations at once can both pass
            // them, and the unique keys decide (the loser gets the same field error).
            let id = orgs::store::insert(&mut tx, new).await.map_err(taken)?.to_string();
            let details = json!({"name": new.name, "kind": new.kind.code(), "credit_code": new.credit_code});
            record(
                &mut tx,
                db,
                NewAuditEvent::by(None, Some(ip), "organisation.created", "organisation", &id, details),
            )
            .await?;
            (id, true)
        }
    };
    let user_id = store::insert_user(
        &mut tx,
        &NewUser {
            display_name: valid.display_name.clone(),
            email,
            mobile,
            password_hash,
            role: valid.role,
            status: AccountStatus::Pending,
            organisation_id: Some(organisation_id.clone()),
        },
    )
    .await
    .map_err(taken)?;
    let details =
        json!({"role": valid.role.code(), "organisation_id": organisation_id, "new_organisation": new_organisation});
    record(
        &mut tx,
        db,
        NewAuditEvent::by(
            Some(&user_id.to_string()),
            Some(ip),
            "account.registered",
            "user",
            &user_id.to_string(),
            details,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// A unique key lost in a race, said as the registration form's field error.
fn taken(error: sqlx::Error) -> FormFailure {
    match crate::db::unique_violation(&error) {
        Some(what) if what.contains("credit_code") => field("org_credit_code", "该统一社会信用代码已被其他单位使用"),
        Some(what) if what.contains("organisations") => field("org_name", "该单位已在平台登记，请选择“已有单位”"),
        Some(what) if what.contains("email") || what.contains("mobile") => {
            field("login", "该邮箱或手机号已注册，请直接登录")
        }
        _ => FormFailure::from(error),
    }
}

/// Why a sign-in did not succeed. Wrong name and wrong password read the same.
#[derive(Debug)]
pub enum LoginFailure {
    Throttled(std::time::Duration),
    Locked,
    BadCredentials,
    /// Disabled by an administrator; the reason when a registration was refused.
    Disabled(String),
    /// A demo account on a server where demo content is not allowed.
    DemoNotAllowed,
    Internal(AppError),
}

impl From<sqlx::Error> for LoginFailure {
    fn from(error: sqlx::Error) -> Self {
        LoginFailure::Internal(AppError::internal(error))
    }
}

impl From<LoginFailure> for AppError {
    fn from(failure: LoginFailure) -> AppError {
        use rocket::http::Status;
        match failure {
            LoginFailure::Throttled(wait) => {
                AppError::new(Status::TooManyRequests, ErrorCode::TooManyAttempts, "登录尝试过于频繁，请稍后再试")
                    .with_retry_after(wait)
            }
            LoginFailure::Locked => AppError::new(
                Status::TooManyRequests,
                ErrorCode::AccountLocked,
                "该账号因多次登录失败已被临时锁定，请稍后再试或联系管理员解锁",
            ),
            LoginFailure::BadCredentials => {
                AppError::new(Status::Unauthorized, ErrorCode::InvalidCredentials, "账号或密码不正确")
            }
            LoginFailure::Disabled(reason) if !reason.is_empty() => AppError::forbidden(
                ErrorCode::RegistrationRejected,
                format!("您的注册申请未通过审核：{reason}。如有疑问请联系平台管理员"),
            ),
            LoginFailure::Disabled(_) => {
                AppError::forbidden(ErrorCode::AccountDisabled, "该账号已被停用，如有疑问请联系管理员")
            }
            LoginFailure::DemoNotAllowed => AppError::forbidden(
                ErrorCode::DemoAccountRefused,
                "演示账号只能在本机运行的演示站点上使用；本站点对外提供服务，不接受演示账号登录",
            ),
            LoginFailure::Internal(error) => error,
        }
    }
}

/// A started session: the id for the cookie (never stored) and who signed in.
pub struct NewSession {
    pub session_id: String,
    pub user: UserRecord,
}

/// Signs in: throttles, checks the lock, verifies the password, starts a session.
#[expect(clippy::too_many_arguments, reason = "each collaborator is a distinct piece of request state")]
pub async fn login(
    db: &Db,
    hasher: &PasswordHasher,
    throttle: &LoginThrottle,
    settings: &Settings,
    login_input: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
) -> Result<NewSession, LoginFailure> {
    let login = Login::parse(login_input);
    let key = login.as_ref().map(|l| l.key().to_string()).unwrap_or_else(|_| login_input.trim().to_lowercase());
    throttle.allow(db, ip, &key).await.map_err(LoginFailure::Throttled)?;
    let user = match &login {
        Ok(login) => store::find_user_by_login(&mut *db.pool().acquire().await?, login.key()).await?,
        Err(_) => None,
    };
    let now = time::OffsetDateTime::now_utc();
    let locked =
        user.as_ref().and_then(|u| u.locked_until.as_deref()).and_then(parse_stored).is_some_and(|until| now < until);
    let matches = hasher
        .verify(password, user.as_ref().map(|u| u.password_hash.as_str()))
        .await
        .map_err(|e| LoginFailure::Internal(AppError::internal(e)))?;
    let Some(user) = user else {
        return Err(LoginFailure::BadCredentials);
    };
    if locked {
        return Err(LoginFailure::Locked);
    }
    let event = |action: &str, details| NewAuditEvent::by(Some(&user.id), Some(ip), action, "user", &user.id, details);
    if !matches {
        let mut tx = db.begin_write().await?;
        let failures = store::record_failed_login(&mut tx, &user.id).await?;
        let lock = failures >= i64::from(settings.auth.lock_after_failures);
        if lock {
            let until = to_stored(now + settings.auth.lock_duration);
            store::set_lock(&mut tx, &user.id, Some(&until)).await?;
            let details = json!({"failures": failures, "locked_until": until});
            record(&mut tx, db, event("account.locked", details)).await?;
        }
        record(&mut tx, db, event("account.sign_in_failed", json!({"failures": failures}))).await?;
        tx.commit().await?;
        return Err(if lock { LoginFailure::Locked } else { LoginFailure::BadCredentials });
    }
    if user.status == AccountStatus::Disabled {
        return Err(LoginFailure::Disabled(user.status_reason.clone()));
    }
    if user.is_demo && !settings.demo_allowed() {
        return Err(LoginFailure::DemoNotAllowed);
    }
    let session_id = random_token(32);
    let mut tx = db.begin_write().await?;
    store::record_login(&mut tx, &user.id).await?;
    store::insert_session(
        &mut tx,
        &hash_secret(&session_id),
        &user.id,
        &session_expiry(settings),
        Some(ip),
        user_agent,
    )
    .await?;
    record(&mut tx, db, event("account.signed_in", json!({}))).await?;
    tx.commit().await?;
    Ok(NewSession { session_id, user })
}

fn session_expiry(settings: &Settings) -> String {
    to_stored(time::OffsetDateTime::now_utc() + settings.auth.session_absolute)
}

/// Ends one session.
pub async fn logout(db: &Db, actor: &Caller<'_>, session_hash: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    store::revoke_session(&mut tx, session_hash, "signed_out").await?;
    let user_id = actor.user.id.clone();
    record(&mut tx, db, actor.event("account.signed_out", "user", &user_id, json!({}))).await?;
    tx.commit().await
}

/// Changes a password after checking the current one; ends every session of the user and
/// starts a fresh one for this browser.
#[expect(clippy::too_many_arguments, reason = "each collaborator is a distinct piece of request state")]
pub async fn change_password(
    db: &Db,
    hasher: &PasswordHasher,
    settings: &Settings,
    actor: &Caller<'_>,
    user_id: &str,
    current: &str,
    new_password: &str,
    confirm: &str,
    user_agent: &str,
) -> Result<String, FormFailure> {
    let Some(user) = store::find_user(db, user_id).await? else {
        return Err(FormFailure::Other(AppError::not_found(ErrorCode::UserNotFound, "账号不存在")));
    };
    if !hasher.verify(current, Some(&user.password_hash)).await? {
        return Err(field("current_password", "当前密码不正确"));
    }
    let context =
        [user.display_name.as_str(), user.email.as_deref().unwrap_or(""), user.mobile.as_deref().unwrap_or("")];
    if let Err(message) = password_rules(settings)(new_password, &context) {
        return Err(field("new_password", &message));
    }
    if new_password != confirm {
        return Err(field("new_password_confirm", "两次输入的密码不一致"));
    }
    let hash = hasher.hash(new_password).await?;
    let session_id = random_token(32);
    let mut tx = db.begin_write().await?;
    store::set_password(&mut tx, user_id, &hash).await?;
    let ended = store::revoke_user_sessions(&mut tx, user_id, "password_changed").await?;
    store::insert_session(
        &mut tx,
        &hash_secret(&session_id),
        user_id,
        &session_expiry(settings),
        Some(actor.ip),
        user_agent,
    )
    .await?;
    record(&mut tx, db, actor.event("account.password_changed", "user", user_id, json!({"sessions_ended": ended})))
        .await?;
    tx.commit().await?;
    Ok(session_id)
}

/// Updates the name and job title a user shows.
pub async fn update_profile(
    db: &Db,
    actor: &Caller<'_>,
    user_id: &str,
    display_name: &str,
    job_title: &str,
) -> Result<(), FormFailure> {
    let display_name = display_name.trim();
    let job_title = job_title.trim();
    if display_name.is_empty() {
        return Err(field("display_name", "请填写姓名"));
    }
    if display_name.chars().count() > 50 {
        return Err(field("display_name", "姓名最多 50 个字"));
    }
    if job_title.chars().count() > 50 {
        return Err(field("job_title", "职务最多 50 个字"));
    }
    let mut tx = db.begin_write().await?;
    store::set_profile(&mut tx, user_id, display_name, job_title).await?;
    let details = json!({"display_name": display_name, "job_title": job_title});
    record(&mut tx, db, actor.event("account.profile_updated", "user", user_id, details)).await?;
    tx.commit().await?;
    Ok(())
}

/// A newly created API token: its secret is shown once and never again.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CreatedToken {
    pub id: String,
    pub name: String,
    pub token: String,
    pub prefix: String,
}

pub async fn create_token(db: &Db, actor: &Caller<'_>, user_id: &str, name: &str) -> Result<CreatedToken, FormFailure> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(field("name", "请为令牌起一个 1–50 字的名称，例如“数据对接脚本”"));
    }
    if store::live_tokens(db, user_id).await?.len() >= 20 {
        return Err(field("name", "每个账号最多保留 20 个有效令牌，请先撤销不用的令牌"));
    }
    let token = format!("tm_{}", random_token(32));
    let prefix: String = token.chars().take(10).collect();
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    store::insert_token(&mut tx, &id, user_id, name, &hash_secret(&token), &prefix).await?;
    record(&mut tx, db, actor.event("api_token.created", "api_token", &id, json!({"name": name, "prefix": prefix})))
        .await?;
    tx.commit().await?;
    Ok(CreatedToken { id, name: name.to_string(), token, prefix })
}

pub async fn revoke_token(db: &Db, actor: &Caller<'_>, user_id: &str, token_id: &str) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    if store::revoke_token(&mut tx, token_id, user_id).await? == 0 {
        return Err(AppError::not_found(ErrorCode::TokenNotFound, "令牌不存在或已撤销"));
    }
    record(&mut tx, db, actor.event("api_token.revoked", "api_token", token_id, json!({}))).await?;
    tx.commit().await?;
    Ok(())
}
