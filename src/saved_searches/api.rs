//! `/api/v1/saved-searches`: the caller's saved searches — list, save, delete.

use rocket::http::Status;
use rocket::{Responder, Route, State, delete, get, post, routes};
use serde_json::{Value, json};

use super::model::SavedSearchInput;
use super::service;
use super::store;
use crate::auth::{ActiveUser, CurrentUser};
use crate::db::Db;
use crate::error::AppError;
use crate::web::input::Json;

#[derive(Responder)]
#[response(status = 201, content_type = "json")]
struct Created(Json<Value>);

#[get("/saved-searches")]
async fn list(db: &State<Db>, user: CurrentUser) -> Result<Json<Value>, AppError> {
    Ok(Json(json!({"items": store::of_user(db, &user.id).await?})))
}

#[post("/saved-searches", format = "json", data = "<body>")]
async fn create(body: Json<SavedSearchInput>, db: &State<Db>, user: ActiveUser) -> Result<Created, AppError> {
    let saved = service::create(db, &user.0, &body).await?;
    Ok(Created(Json(json!(saved))))
}

#[delete("/saved-searches/<id>")]
async fn remove(id: &str, db: &State<Db>, user: CurrentUser) -> Result<Status, AppError> {
    service::delete(db, &user, id).await?;
    Ok(Status::NoContent)
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, create, remove]
}
