//! Webhook API: `/api/v1/webhooks` (the caller's organisation's endpoints; adding one answers
//! its secret once), removing one, its delivery log, a test event, sending a delivery again.

use rocket::{Responder, Route, State, delete, get, post, routes};
use serde_json::{Value, json};

use super::service::{self, HookInput};
use super::store;
use crate::auth::Acting;
use crate::db::Db;
use crate::error::AppError;
use crate::web::input::Json;

/// How many deliveries the log shows.
pub const LOG_LENGTH: i64 = 100;

#[derive(Responder)]
#[response(status = 201, content_type = "json")]
struct Created(Json<Value>);

#[get("/webhooks")]
async fn list(db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    let caller = acting.caller();
    let organisation = service::organisation(&caller)?;
    Ok(Json(json!({"items": store::list_for(db, organisation).await?})))
}

#[post("/webhooks", format = "json", data = "<body>")]
async fn create(body: Json<HookInput>, db: &State<Db>, acting: Acting) -> Result<Created, AppError> {
    let (id, secret) = service::create(db, &acting.caller(), &body).await?;
    let hook = store::find(db, &id).await?.ok_or_else(service::not_found)?;
    let mut value = json!(hook);
    value["secret"] = json!(secret);
    Ok(Created(Json(value)))
}

#[delete("/webhooks/<id>")]
async fn remove(id: &str, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    service::remove(db, &acting.caller(), id).await?;
    Ok(Json(json!({"id": id, "active": false})))
}

#[get("/webhooks/<id>/deliveries")]
async fn deliveries(id: &str, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    let hook = service::managed(db, &acting.caller(), id).await?;
    Ok(Json(json!({"items": store::deliveries(db, &hook.id, LOG_LENGTH).await?})))
}

#[post("/webhooks/<id>/ping")]
async fn ping(id: &str, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    let delivery = service::ping(db, &acting.caller(), id).await?;
    Ok(Json(json!({"id": delivery, "event": "ping", "status": "pending"})))
}

#[post("/webhooks/<id>/deliveries/<delivery>/retry")]
async fn retry(id: &str, delivery: &str, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    service::retry(db, &acting.caller(), id, delivery).await?;
    Ok(Json(json!({"id": delivery, "status": "pending"})))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, create, remove, deliveries, ping, retry]
}
