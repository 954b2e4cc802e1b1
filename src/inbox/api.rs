//! Inbox API: `GET /api/v1/inbox` (newest first, `unread=true` for the unread ones), marking one
//! message or all of them read.

use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::pages::{SHOWN, not_found};
use super::store;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::AppError;
use crate::web::input::Json;

#[get("/inbox?<unread>")]
async fn list(db: &State<Db>, user: CurrentUser, unread: Option<bool>) -> Result<Json<Value>, AppError> {
    let items = store::list(db, &user.id, unread.unwrap_or(false), SHOWN).await?;
    let unread = store::unread_count(db, &user.id).await?;
    Ok(Json(json!({"items": items, "unread": unread})))
}

#[post("/inbox/<id>/read")]
async fn read(id: &str, db: &State<Db>, user: CurrentUser) -> Result<Json<Value>, AppError> {
    let message = store::mark_read(db, &user.id, id).await?.ok_or_else(not_found)?;
    Ok(Json(json!(message)))
}

#[post("/inbox/read-all")]
async fn read_all(db: &State<Db>, user: CurrentUser) -> Result<Json<Value>, AppError> {
    let marked = store::mark_all_read(db, &user.id).await?;
    Ok(Json(json!({"marked": marked, "unread": 0})))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, read, read_all]
}
