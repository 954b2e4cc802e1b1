//! 忘记密码 pages: `/password/forgot` asks for a link by e-mail, `/password/reset/<token>` sets
//! a new password through a link (mailed, or handed over by an administrator).

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::json;

use super::ClientAddr;
use super::mail::Mailer;
use super::password::PasswordHasher;
use super::reset;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::error::{AppError, FormFailure};
use crate::web::Page;
use crate::web::input::Form;

fn forgot_page(mailer: &Mailer, sent: bool, login: &str) -> Page {
    Page::new("auth/forgot", "忘记密码", json!({"mail_enabled": mailer.enabled(), "sent": sent, "login": login}))
}

#[get("/forgot")]
fn forgot_form(mailer: &State<Mailer>) -> Page {
    forgot_page(mailer, false, "")
}

#[derive(Debug, rocket::FromForm)]
struct ForgotForm {
    login: Option<String>,
}

#[post("/forgot", data = "<form>")]
async fn forgot_submit(
    form: Form<ForgotForm>,
    db: &State<Db>,
    settings: &State<Settings>,
    mailer: &State<Mailer>,
    ip: ClientAddr,
) -> Result<Page, AppError> {
    let login = form.login.clone().unwrap_or_default();
    reset::request_by_mail(db, settings, mailer, &login, &ip.0).await?;
    Ok(forgot_page(mailer, true, &login))
}

fn reset_page(token: &str, name: &str, errors: &FieldErrors) -> Page {
    let page = Page::new("auth/reset", "设置新密码", json!({"token": token, "name": name, "errors": errors}));
    if errors.is_empty() { page } else { page.with_status(Status::UnprocessableEntity) }
}

#[get("/reset/<token>")]
async fn reset_form(token: &str, db: &State<Db>) -> Result<Page, AppError> {
    let user = reset::account_of(db, token).await?.ok_or_else(reset::invalid_link)?;
    Ok(reset_page(token, &user.display_name, &FieldErrors::new()))
}

#[derive(Debug, rocket::FromForm)]
struct ResetForm {
    new_password: Option<String>,
    new_password_confirm: Option<String>,
}

#[post("/reset/<token>", data = "<form>")]
async fn reset_submit(
    token: &str,
    form: Form<ResetForm>,
    db: &State<Db>,
    hasher: &State<PasswordHasher>,
    settings: &State<Settings>,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let new = form.new_password.clone().unwrap_or_default();
    let confirm = form.new_password_confirm.clone().unwrap_or_default();
    match reset::complete(db, hasher, settings, token, &new, &confirm, &ip.0).await {
        Ok(()) => {
            Ok(Flash::success(Redirect::to("/login"), "密码已重置，请用新密码登录；其他设备上的登录已全部退出。"))
        }
        Err(FormFailure::Fields(errors)) => {
            let name = match reset::account_of(db, token).await {
                Ok(Some(user)) => user.display_name,
                Ok(None) => return Err(Err(reset::invalid_link())),
                Err(e) => return Err(Err(e.into())),
            };
            Err(Ok(reset_page(token, &name, &errors)))
        }
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

/// Mounted at `/password`.
pub fn routes() -> Vec<Route> {
    routes![forgot_form, forgot_submit, reset_form, reset_submit]
}
