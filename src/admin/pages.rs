//! Account management pages: approve or reject (with a reason), disable, enable, change role,
//! end sessions, unlock, issue a one-time password reset link.
//! Every action goes through `auth::admin::admin_action`, which audits it.

use crate::web::input::Form;
use rocket::form::FromForm;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use crate::audit;
use crate::auth::Caller;
use crate::auth::admin::{self, AdminAction};
use crate::auth::store::{self, UserRecord};
use crate::auth::{AdminUser, ClientAddr};
use crate::db::Db;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::ids::UserId;
use crate::domain::time::{chinese_datetime_text, parse_stored};
use crate::error::{AppError, ErrorCode};
use crate::web::Page;

fn user_view(user: &UserRecord) -> Value {
    let locked =
        user.locked_until.as_deref().and_then(parse_stored).is_some_and(|t| t > time::OffsetDateTime::now_utc());
    json!({
        "id": user.id,
        "display_name": user.display_name,
        "job_title": user.job_title,
        "login": user.email.clone().or_else(|| user.mobile.clone()),
        "role": user.role.code(),
        "role_label": user.role.label(),
        "status": user.status.code(),
        "status_label": user.status.label(),
        "organisation_name": user.organisation_name,
        "created_at": chinese_datetime_text(&user.created_at),
        "last_login_at": user.last_login_at.as_deref().map(chinese_datetime_text),
        "locked": locked,
        "locked_until": user.locked_until.as_deref().map(chinese_datetime_text),
    })
}

#[get("/")]
async fn dashboard(db: &State<Db>, _admin: AdminUser, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let mut counts = serde_json::Map::new();
    for status in AccountStatus::ALL {
        counts.insert(status.code().to_string(), json!(store::count_users_by_status(db, *status).await?));
    }
    // What waits for review: listings submitted, contracts accepted for registration.
    for (key, sql) in [
        ("achievements", "SELECT CAST(COUNT(*) AS BIGINT) FROM achievements WHERE status = 'submitted'"),
        ("demands", "SELECT CAST(COUNT(*) AS BIGINT) FROM demands WHERE status = 'submitted'"),
        ("contracts", "SELECT CAST(COUNT(*) AS BIGINT) FROM contracts WHERE status = 'submitted'"),
    ] {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(db.pool()).await?;
        counts.insert(key.to_string(), json!(n));
    }
    let pending: Vec<Value> =
        store::list_users(db, Some(AccountStatus::Pending), None, 0, 50).await?.0.iter().map(user_view).collect();
    Ok(Page::new("admin/index", "管理后台", json!({"counts": counts, "pending": pending})).with_flash(flash))
}

#[get("/users?<status>&<q>&<page>")]
async fn users(
    db: &State<Db>,
    _admin: AdminUser,
    status: Option<&str>,
    q: Option<&str>,
    page: Option<i64>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let status = status.and_then(AccountStatus::from_code);
    let search = q.map(str::trim).filter(|s| !s.is_empty());
    let page = crate::web::pager::page_number(page)?;
    let (rows, total) =
        store::list_users(db, status, search, crate::web::pager::offset(page), crate::web::pager::PER_PAGE).await?;
    let users: Vec<Value> = rows.iter().map(user_view).collect();
    let base = format!(
        "/admin/users?status={}&q={}",
        status.map(|s| s.code()).unwrap_or(""),
        crate::web::url_encode(search.unwrap_or(""))
    );
    let tabs: Vec<Value> = std::iter::once(json!({"code": "", "label": "全部", "active": status.is_none()}))
        .chain(
            AccountStatus::ALL
                .iter()
                .map(|s| json!({"code": s.code(), "label": s.label(), "active": Some(*s) == status})),
        )
        .collect();
    let data = json!({"users": users, "tabs": tabs, "q": search.unwrap_or(""), "status": status.map(|s| s.code()).unwrap_or(""),
        "pager": crate::web::pager::pager(&base, page, total)});
    Ok(Page::new("admin/users", "账号管理", data).with_flash(flash))
}

/// Who did something, by name: the person themselves, a named administrator, or the system
/// (the console, the demo seed).
async fn actor_names(db: &Db, user_id: &str, ids: &[Option<String>]) -> Result<Vec<String>, AppError> {
    let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let name = match id.as_deref() {
            None => "系统".to_string(),
            Some(id) if id == user_id => "本人".to_string(),
            Some(id) => match names.get(id) {
                Some(name) => name.clone(),
                None => {
                    let name = match store::find_user(db, id).await? {
                        Some(actor) if actor.role == Role::Admin => format!("管理员 {}", actor.display_name),
                        Some(actor) => actor.display_name,
                        None => "已删除的账号".to_string(),
                    };
                    names.insert(id.to_string(), name.clone());
                    name
                }
            },
        };
        out.push(name);
    }
    Ok(out)
}

async fn user_page(db: &Db, admin: &AdminUser, id: UserId, reset_link: Option<String>) -> Result<Page, AppError> {
    let Some(user) = store::find_user(db, &id.to_string()).await? else {
        return Err(AppError::not_found(ErrorCode::UserNotFound, "账号不存在"));
    };
    let sessions = store::live_sessions(db, &user.id).await?.len();
    let events = audit::recent_for_subject(db, "user", &user.id, 30).await?;
    let ids: Vec<Option<String>> = events.iter().map(|e| e.actor_user_id.clone()).collect();
    let names = actor_names(db, &user.id, &ids).await?;
    let history: Vec<Value> = events
        .iter()
        .zip(names)
        .map(|(e, by)| json!({"action": action_label(&e.action), "at": chinese_datetime_text(&e.occurred_at), "ip": e.actor_ip, "by": by}))
        .collect();
    let roles: Vec<Value> =
        Role::ALL.iter().map(|r| json!({"code": r.code(), "label": r.label(), "current": *r == user.role})).collect();
    let data = json!({
        "user": user_view(&user),
        "live_sessions": sessions,
        "history": history,
        "roles": roles,
        "is_self": admin.0.id == user.id,
        "reset_link": reset_link,
        "status_reason": user.status_reason,
    });
    Ok(Page::new("admin/user", format!("账号：{}", user.display_name), data))
}

#[get("/users/<id>")]
async fn user_detail(
    id: UserId,
    db: &State<Db>,
    admin: AdminUser,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    Ok(user_page(db, &admin, id, None).await?.with_flash(flash))
}

/// A one-time password reset link for the account, shown to the administrator on this answer
/// only (to hand over after checking who is asking).
#[post("/users/<id>/reset-link")]
async fn reset_link(
    id: UserId,
    db: &State<Db>,
    settings: &State<crate::config::Settings>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Result<Page, Flash<Redirect>>, AppError> {
    let actor = Caller { user: &admin.0, ip: &ip.0 };
    match crate::auth::reset::issue_by_admin(db, settings, &actor, &id.to_string()).await {
        Ok(link) => Ok(Ok(user_page(db, &admin, id, Some(link))
            .await?
            .with_notice("success", "已生成一次性重置链接（24 小时内有效，只能使用一次）；请核实身份后交给本人"))),
        Err(error) if error.status.code == 409 => {
            Ok(Err(Flash::error(Redirect::to(format!("/admin/users/{id}")), error.message)))
        }
        Err(error) => Err(error),
    }
}

#[derive(Debug, FromForm)]
struct RejectForm {
    reason: Option<String>,
}

/// 不予通过: a pending registration refused with a reason the person sees.
#[post("/users/<id>/reject", data = "<form>")]
async fn reject(
    id: UserId,
    form: Form<RejectForm>,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    let actor = Caller { user: &admin.0, ip: &ip.0 };
    let back = Redirect::to(format!("/admin/users/{id}"));
    match admin::reject_registration(db, &actor, &id.to_string(), form.reason.as_deref().unwrap_or_default()).await {
        Ok(done) => Ok(Flash::success(back, done)),
        Err(crate::error::FormFailure::Fields(fields)) => {
            Ok(Flash::error(back, fields.into_values().next().unwrap_or_default()))
        }
        Err(crate::error::FormFailure::Other(error)) if error.status.code == 409 => {
            Ok(Flash::error(back, error.message))
        }
        Err(crate::error::FormFailure::Other(error)) => Err(error),
    }
}

/// The Chinese name of an audited account action.
fn action_label(action: &str) -> &'static str {
    match action {
        "account.registered" => "注册账号",
        "account.signed_in" => "登录",
        "account.signed_out" => "退出登录",
        "account.locked" => "多次登录失败，账号被临时锁定",
        "account.unlocked" => "管理员解除锁定",
        "account.approved" => "管理员审核通过",
        "account.disabled" => "管理员停用账号",
        "account.enabled" => "管理员恢复账号",
        "account.role_changed" => "管理员修改身份",
        "account.sessions_ended" => "管理员结束全部会话",
        "account.password_changed" => "修改密码",
        "account.profile_updated" => "修改个人资料",
        "account.admin_created" => "通过命令行创建管理员",
        "account.rejected" => "注册申请不予通过",
        "account.reset_link_issued" => "生成重置密码链接",
        "account.password_reset" => "通过链接重置密码",
        "account.sign_in_failed" => "登录失败（密码错误）",
        _ => "其他操作",
    }
}

async fn act(
    db: &Db,
    admin: &AdminUser,
    ip: &ClientAddr,
    id: UserId,
    action: AdminAction,
) -> Result<Flash<Redirect>, AppError> {
    let actor = Caller { user: &admin.0, ip: &ip.0 };
    let back = Redirect::to(format!("/admin/users/{id}"));
    match admin::admin_action(db, &actor, &id.to_string(), action).await {
        Ok(done) => Ok(Flash::success(back, done)),
        Err(error) if error.status.code < 500 && error.status.code != 404 => Ok(Flash::error(back, error.message)),
        Err(error) => Err(error),
    }
}

#[post("/users/<id>/approve")]
async fn approve(id: UserId, db: &State<Db>, admin: AdminUser, ip: ClientAddr) -> Result<Flash<Redirect>, AppError> {
    act(db, &admin, &ip, id, AdminAction::Approve).await
}

#[post("/users/<id>/disable")]
async fn disable(id: UserId, db: &State<Db>, admin: AdminUser, ip: ClientAddr) -> Result<Flash<Redirect>, AppError> {
    act(db, &admin, &ip, id, AdminAction::Disable).await
}

#[post("/users/<id>/enable")]
async fn enable(id: UserId, db: &State<Db>, admin: AdminUser, ip: ClientAddr) -> Result<Flash<Redirect>, AppError> {
    act(db, &admin, &ip, id, AdminAction::Enable).await
}

#[derive(Debug, FromForm)]
struct RoleForm {
    role: Option<String>,
}

#[post("/users/<id>/role", data = "<form>")]
async fn change_role(
    id: UserId,
    form: Form<RoleForm>,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    let Some(role) = form.role.as_deref().and_then(Role::from_code) else {
        return Ok(Flash::error(Redirect::to(format!("/admin/users/{id}")), "请选择有效的身份"));
    };
    act(db, &admin, &ip, id, AdminAction::SetRole(role)).await
}

#[post("/users/<id>/end-sessions")]
async fn end_sessions(
    id: UserId,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    act(db, &admin, &ip, id, AdminAction::EndSessions).await
}

#[post("/users/<id>/unlock")]
async fn unlock(id: UserId, db: &State<Db>, admin: AdminUser, ip: ClientAddr) -> Result<Flash<Redirect>, AppError> {
    act(db, &admin, &ip, id, AdminAction::Unlock).await
}

/// Mounted at `/admin`.
pub fn routes() -> Vec<Route> {
    routes![
        dashboard,
        users,
        user_detail,
        approve,
        reject,
        disable,
        enable,
        change_role,
        end_sessions,
        unlock,
        reset_link
    ]
}
