//! Salon API: `/api/v1/salons` (public list, organise one), one salon (public, with the
//! caller's standing and, for organisers, the attendees), sign-up and withdrawal, check-in.

use rocket::{Responder, Route, State, delete, get, post, routes};
use serde_json::{Value, json};

use super::model::SalonInput;
use super::pages::{listed, whole};
use super::service;
use crate::auth::{Acting, CurrentUser};
use crate::db::Db;
use crate::error::AppError;
use crate::web::input::Json;

#[derive(Responder)]
#[response(status = 201, content_type = "json")]
struct Created(Json<Value>);

#[get("/salons?<past>")]
async fn list(db: &State<Db>, past: Option<bool>) -> Result<Json<Value>, AppError> {
    Ok(Json(json!({"items": listed(db, past.unwrap_or(false)).await?})))
}

#[post("/salons", format = "json", data = "<body>")]
async fn create(body: Json<SalonInput>, db: &State<Db>, acting: Acting) -> Result<Created, AppError> {
    let id = service::create(db, &acting.caller(), &body).await?;
    Ok(Created(Json(whole(db, Some(&acting.user), &id).await?)))
}

#[get("/salons/<id>")]
async fn one(id: &str, db: &State<Db>, user: Option<CurrentUser>) -> Result<Json<Value>, AppError> {
    Ok(Json(whole(db, user.as_ref(), id).await?))
}

#[post("/salons/<id>/signup")]
async fn sign_up(id: &str, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    service::sign_up(db, &acting.caller(), id).await?;
    Ok(Json(whole(db, Some(&acting.user), id).await?))
}

#[delete("/salons/<id>/signup")]
async fn withdraw(id: &str, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    service::withdraw(db, &acting.caller(), id).await?;
    Ok(Json(whole(db, Some(&acting.user), id).await?))
}

#[post("/salons/<id>/signups/<user_id>/check-in")]
async fn check_in(id: &str, user_id: &str, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    service::check_in(db, &acting.caller(), id, user_id).await?;
    Ok(Json(whole(db, Some(&acting.user), id).await?))
}

#[post("/salons/<id>/cancel")]
async fn cancel(id: &str, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    service::cancel(db, &acting.caller(), id).await?;
    Ok(Json(whole(db, Some(&acting.user), id).await?))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, create, one, sign_up, withdraw, check_in, cancel]
}
