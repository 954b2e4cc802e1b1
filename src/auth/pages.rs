//! Account pages: 注册 `/register`, 登录 `/login`, 退出 `POST /logout`, 我的账号 `/account`.

use std::collections::HashMap;

use crate::web::input::Form;
use rocket::form::FromForm;
use rocket::http::CookieJar;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Either, Route, State, get, post, routes};
use serde::Serialize;
use serde_json::{Value, json};

use super::Caller;
use super::gate::rotate_csrf;
use super::identity::{self, ActiveUser};
use super::model::{FieldErrors, RegistrationInput, natures_for, organisation_kind_for};
use super::password::PasswordHasher;
use super::service::{self, FormFailure};
use super::store;
use super::throttle::LoginThrottle;
use super::{ClientAddr, UserAgent};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::account::Role;
use crate::domain::time::chinese_datetime_text;
use crate::error::{AppError, ErrorCode};
use crate::orgs;
use crate::web::Page;
use crate::web::request_state::CurrentUser;

/// Only same-site paths may be redirected to after sign-in, and only ones that are already a
/// valid URI (visible ASCII): anything else — another site, a tab, a full-width space — goes to
/// the account page rather than into a `Location` header.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.bytes().all(|b| b.is_ascii_graphic())
                && rocket::http::uri::Origin::parse(path).is_ok() =>
        {
            path.to_string()
        }
        _ => "/account".to_string(),
    }
}

/// Where a person lands after signing in when no page asked for it: where their work is.
fn landing(user: &store::UserRecord) -> &'static str {
    use crate::domain::account::AccountStatus;
    match (user.status, user.role) {
        (AccountStatus::Active, Role::Admin) => "/admin",
        (AccountStatus::Active, Role::Enterprise) => "/demands/mine",
        (AccountStatus::Active, Role::Researcher) => "/achievements/mine",
        (AccountStatus::Active, Role::Broker) => "/broker",
        _ => "/account",
    }
}

fn actor_of<'a>(user: &'a CurrentUser, ip: &'a ClientAddr) -> Caller<'a> {
    Caller { user, ip: &ip.0 }
}

#[derive(Debug, FromForm)]
struct LoginForm {
    login: Option<String>,
    password: Option<String>,
    next: Option<String>,
}

fn login_page(login: &str, next: &str, error: Option<&AppError>) -> Page {
    let page =
        Page::new("auth/login", "登录", json!({"login": login, "next": next, "error": error.map(|e| &e.message)}));
    match error {
        Some(error) => page.with_status(error.status),
        None => page,
    }
}

#[get("/login?<next>")]
fn login_form(
    next: Option<&str>,
    user: Option<CurrentUser>,
    flash: Option<FlashMessage<'_>>,
) -> Either<Redirect, Page> {
    if user.is_some() {
        return Either::Left(Redirect::to(safe_next(next)));
    }
    Either::Right(login_page("", &safe_next(next), None).with_flash(flash))
}

#[expect(clippy::too_many_arguments, reason = "a handler receives each guard it needs")]
#[post("/login", data = "<form>")]
async fn login_submit(
    form: Form<LoginForm>,
    cookies: &CookieJar<'_>,
    db: &State<Db>,
    hasher: &State<PasswordHasher>,
    throttle: &State<LoginThrottle>,
    settings: &State<Settings>,
    ip: ClientAddr,
    agent: UserAgent,
) -> Result<Redirect, Result<Page, AppError>> {
    let login = form.login.clone().unwrap_or_default();
    let next = safe_next(form.next.as_deref());
    let password = form.password.clone().unwrap_or_default();
    let asked_for = form.next.as_deref().is_some_and(|n| safe_next(Some(n)) == n && n != "/account");
    match service::login(db, hasher, throttle, settings, &login, &password, &ip.0, &agent.0).await {
        Ok(session) => {
            identity::set_session_cookie(cookies, session.session_id, settings);
            rotate_csrf(cookies, settings);
            Ok(Redirect::to(if asked_for { next } else { landing(&session.user).to_string() }))
        }
        Err(failure) => {
            let error = AppError::from(failure);
            if error.status.code >= 500 {
                // Our failure, not the visitor's: log the cause and show the generic page.
                return Err(Err(error));
            }
            Err(Ok(login_page(&login, &next, Some(&error))))
        }
    }
}

#[post("/logout")]
async fn logout(
    cookies: &CookieJar<'_>,
    user: Option<CurrentUser>,
    db: &State<Db>,
    settings: &State<Settings>,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    if let Some(user) = &user
        && let Some(hash) = user.session_hash()
    {
        service::logout(db, &actor_of(user, &ip), hash).await?;
    }
    identity::clear_session_cookie(cookies);
    rotate_csrf(cookies, settings);
    Ok(Flash::success(Redirect::to("/"), "您已安全退出"))
}

#[derive(Serialize)]
struct Choice {
    code: &'static str,
    label: &'static str,
}

async fn register_page(
    db: &Db,
    settings: &Settings,
    values_in: &RegistrationInput,
    errors: &FieldErrors,
) -> Result<Page, AppError> {
    let roles: Vec<Value> = Role::SELF_REGISTERED
        .iter()
        .map(|role| {
            let natures: Vec<Choice> = natures_for(*role).iter().map(|n| Choice { code: n.code(), label: n.label() }).collect();
            json!({"code": role.code(), "label": role.label(), "org_kind": organisation_kind_for(*role).label(), "natures": natures})
        })
        .collect();
    let kinds: Vec<_> = Role::SELF_REGISTERED.iter().map(|r| organisation_kind_for(*r)).collect();
    let organisations = orgs::store::list_by_kinds(db, &kinds).await?;
    let all_natures: Vec<Choice> = crate::domain::org::NatureCode::ALL
        .iter()
        .filter(|n| n.code() != "individual")
        .map(|n| Choice { code: n.code(), label: n.label() })
        .collect();
    let mut values = serde_json::to_value(values_in).unwrap_or(Value::Null);
    if values["org_region_code"].is_null() {
        values["org_region_code"] = json!(settings.region_code);
    }
    // The radio shows what the form was taken to mean (an organisation picked from the list
    // counts as the list even when the radio was left on 登记新单位).
    let existing = super::model::chose_existing(values_in);
    // Passwords come back unless they are the problem (then they must be typed anew anyway).
    if errors.contains_key("password") {
        values["password"] = Value::Null;
        values["password_confirm"] = Value::Null;
    } else if errors.contains_key("password_confirm") {
        values["password_confirm"] = Value::Null;
    }
    values["org_mode"] = json!(if existing { "existing" } else { "new" });
    let page = Page::new(
        "auth/register",
        "注册",
        json!({"roles": roles, "organisations": organisations, "natures": all_natures, "values": values, "errors": errors}),
    );
    Ok(if errors.is_empty() { page } else { page.with_status(Status::UnprocessableEntity) })
}

#[get("/register")]
async fn register_form(
    db: &State<Db>,
    settings: &State<Settings>,
    user: Option<CurrentUser>,
) -> Either<Redirect, Result<Page, AppError>> {
    if user.is_some() {
        return Either::Left(Redirect::to("/account"));
    }
    Either::Right(register_page(db, settings, &RegistrationInput::default(), &FieldErrors::new()).await)
}

#[post("/register", data = "<form>")]
async fn register_submit(
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
    hasher: &State<PasswordHasher>,
    settings: &State<Settings>,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input: RegistrationInput = serde_json::from_value(json!(form.into_inner()))
        .map_err(|e| Err(AppError::bad_request(ErrorCode::BadForm, "表单格式不正确").with_cause(e)))?;
    match service::register(db, hasher, settings, &input, &ip.0).await {
        Ok(_) => {
            Ok(Flash::success(Redirect::to("/login"), "注册成功！账号正在等待管理员审核；您现在即可登录查看审核进度。"))
        }
        Err(FormFailure::Fields(errors)) => Err(register_page(db, settings, &input, &errors).await),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

/// What the account page shows.
async fn account_page(
    db: &Db,
    user: &CurrentUser,
    errors: &FieldErrors,
    created_token: Option<&service::CreatedToken>,
) -> Result<Page, AppError> {
    let Some(record) = store::find_user(db, &user.id).await? else {
        return Err(AppError::not_found(ErrorCode::UserNotFound, "账号不存在"));
    };
    let sessions: Vec<Value> = store::live_sessions(db, &user.id)
        .await?
        .iter()
        .map(|s| json!({"created_at": chinese_datetime_text(&s.created_at), "last_seen_at": chinese_datetime_text(&s.last_seen_at), "ip": s.ip, "user_agent": s.user_agent}))
        .collect();
    let tokens: Vec<Value> = store::live_tokens(db, &user.id)
        .await?
        .iter()
        .map(|t| json!({"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": chinese_datetime_text(&t.created_at), "last_used_at": t.last_used_at.as_deref().map(chinese_datetime_text)}))
        .collect();
    let data = json!({
        "account": {
            "display_name": record.display_name,
            "job_title": record.job_title,
            "email": record.email,
            "mobile": record.mobile,
            "role_label": record.role.label(),
            "status": record.status.code(),
            "status_label": record.status.label(),
            "organisation_name": record.organisation_name,
            "created_at": chinese_datetime_text(&record.created_at),
            "last_login_at": record.last_login_at.as_deref().map(chinese_datetime_text),
        },
        "sessions": sessions,
        "tokens": tokens,
        "can_create_tokens": user.sees_contacts(),
        "created_token": created_token,
        "errors": errors,
    });
    let page = Page::new("account/index", "我的账号", data);
    Ok(if errors.is_empty() { page } else { page.with_status(Status::UnprocessableEntity) })
}

#[get("/account")]
async fn account(db: &State<Db>, user: CurrentUser, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    Ok(account_page(db, &user, &FieldErrors::new(), None).await?.with_flash(flash))
}

#[derive(Debug, FromForm)]
struct ProfileForm {
    display_name: Option<String>,
    job_title: Option<String>,
}

#[post("/account/profile", data = "<form>")]
async fn account_profile(
    form: Form<ProfileForm>,
    db: &State<Db>,
    user: CurrentUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let name = form.display_name.clone().unwrap_or_default();
    let title = form.job_title.clone().unwrap_or_default();
    match service::update_profile(db, &actor_of(&user, &ip), &user.id, &name, &title).await {
        Ok(()) => Ok(Flash::success(Redirect::to("/account"), "个人资料已保存")),
        Err(FormFailure::Fields(errors)) => Err(account_page(db, &user, &errors, None).await),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[derive(Debug, FromForm)]
struct PasswordForm {
    current_password: Option<String>,
    new_password: Option<String>,
    new_password_confirm: Option<String>,
}

#[expect(clippy::too_many_arguments, reason = "a handler receives each guard it needs")]
#[post("/account/password", data = "<form>")]
async fn account_password(
    form: Form<PasswordForm>,
    cookies: &CookieJar<'_>,
    db: &State<Db>,
    hasher: &State<PasswordHasher>,
    settings: &State<Settings>,
    user: CurrentUser,
    ip: ClientAddr,
    agent: UserAgent,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let current = form.current_password.clone().unwrap_or_default();
    let new = form.new_password.clone().unwrap_or_default();
    let confirm = form.new_password_confirm.clone().unwrap_or_default();
    let actor = actor_of(&user, &ip);
    match service::change_password(db, hasher, settings, &actor, &user.id, &current, &new, &confirm, &agent.0).await {
        Ok(session_id) => {
            identity::set_session_cookie(cookies, session_id, settings);
            rotate_csrf(cookies, settings);
            Ok(Flash::success(Redirect::to("/account"), "密码已修改，其他设备上的登录已全部退出"))
        }
        Err(FormFailure::Fields(errors)) => Err(account_page(db, &user, &errors, None).await),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[derive(Debug, FromForm)]
struct TokenForm {
    name: Option<String>,
}

#[post("/account/tokens", data = "<form>")]
async fn token_create(
    form: Form<TokenForm>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Page, AppError> {
    let ActiveUser(user) = user;
    let name = form.name.clone().unwrap_or_default();
    match service::create_token(db, &actor_of(&user, &ip), &user.id, &name).await {
        // Shown on this response only; the page says it will not be shown again.
        Ok(created) => {
            Ok(account_page(db, &user, &FieldErrors::new(), Some(&created)).await?.with_status(Status::Created))
        }
        Err(FormFailure::Fields(errors)) => account_page(db, &user, &errors, None).await,
        Err(FormFailure::Other(error)) => Err(error),
    }
}

#[post("/account/tokens/<id>/revoke")]
async fn token_revoke(
    id: &str,
    db: &State<Db>,
    user: CurrentUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    service::revoke_token(db, &actor_of(&user, &ip), &user.id, id).await?;
    Ok(Flash::success(Redirect::to("/account"), "令牌已撤销"))
}

pub fn routes() -> Vec<Route> {
    routes![
        login_form,
        login_submit,
        logout,
        register_form,
        register_submit,
        account,
        account_profile,
        account_password,
        token_create,
        token_revoke
    ]
}
