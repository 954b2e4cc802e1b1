//! `/inbox`: a person's messages, newest first; opening one marks it read and goes to its page.

use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::json;

use super::store;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::{AppError, ErrorCode};
use crate::web::Page;

/// How many messages the page and the API show.
pub const SHOWN: i64 = 200;

pub fn not_found() -> AppError {
    AppError::not_found(ErrorCode::MessageNotFound, "消息不存在")
}

#[get("/?<unread>")]
async fn index(
    db: &State<Db>,
    user: CurrentUser,
    unread: Option<bool>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let only_unread = unread.unwrap_or(false);
    let messages = store::list(db, &user.id, only_unread, SHOWN).await?;
    let unread_total = store::unread_count(db, &user.id).await?;
    let data = json!({"messages": messages, "only_unread": only_unread, "unread_total": unread_total});
    Ok(Page::new("inbox/index", "消息", data).with_flash(flash))
}

/// Opens a message: marks it read and goes where it points (a path on this site).
#[post("/<id>/open")]
async fn open(id: &str, db: &State<Db>, user: CurrentUser) -> Result<Redirect, AppError> {
    let message = store::mark_read(db, &user.id, id).await?.ok_or_else(not_found)?;
    let target =
        if message.link.starts_with('/') && !message.link.starts_with("//") { message.link } else { "/inbox".into() };
    Ok(Redirect::to(target))
}

#[post("/read-all")]
async fn read_all(db: &State<Db>, user: CurrentUser) -> Result<Flash<Redirect>, AppError> {
    let marked = store::mark_all_read(db, &user.id).await?;
    Ok(Flash::success(Redirect::to("/inbox"), format!("已将 {marked} 条消息标为已读")))
}

/// Mounted at `/inbox`.
pub fn routes() -> Vec<Route> {
    routes![index, open, read_all]
}
