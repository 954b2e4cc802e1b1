//! Challenge API: the board, the poster's terms, applications and decisions.

use crate::web::input::Json;
use rocket::http::Status as HttpStatus;
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::model::{ApplicationInput, Decision, TermsInput};
use super::service;
use super::store;
use crate::auth::Acting;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::demands::listing::Demands;
use crate::domain::forms::date_text;
use crate::domain::ids::{ApplicationId, DemandId};
use crate::domain::time::today_shanghai;
use crate::error::AppError;
use crate::listings::lifecycle;

#[get("/challenges")]
async fn list(db: &State<Db>) -> Result<Json<Value>, AppError> {
    let items = store::public_challenges(db, &date_text(today_shanghai())).await?;
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

#[post("/demands/<id>/challenge", format = "json", data = "<body>")]
async fn set_terms(
    id: Result<DemandId, uuid::Error>,
    body: Json<TermsInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Json<Value>, AppError> {
    let caller = acting.caller();
    let id = service::demand_id(id)?;
    service::set_terms(db, &caller, id, &body).await?;
    let terms = store::find_terms(db, &id.to_string()).await?;
    Ok(Json(json!(terms)))
}

#[get("/demands/<id>/applications")]
async fn applications(
    id: Result<DemandId, uuid::Error>,
    db: &State<Db>,
    user: CurrentUser,
) -> Result<Json<Value>, AppError> {
    let id = service::demand_id(id)?;
    let demand = lifecycle::visible::<Demands>(db, Some(&user), id).await?;
    let items = service::visible_applications(db, Some(&user), &demand.meta.id, &demand.meta.organisation_id).await?;
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

#[post("/demands/<id>/applications", format = "json", data = "<body>")]
async fn apply(
    id: Result<DemandId, uuid::Error>,
    body: Json<ApplicationInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<(HttpStatus, Json<Value>), AppError> {
    let caller = acting.caller();
    let application_id = service::apply(db, &caller, service::demand_id(id)?, &body).await?;
    let application = store::find_application(db, &application_id).await?;
    Ok((HttpStatus::Created, Json(json!(application))))
}

#[post("/applications/<id>/<decision>")]
async fn decide(
    id: Result<ApplicationId, uuid::Error>,
    decision: &str,
    db: &State<Db>,
    acting: Acting,
) -> Result<Json<Value>, AppError> {
    let decision = Decision::from_code(decision).ok_or_else(AppError::unknown_action)?;
    let caller = acting.caller();
    let id = service::application_id(id)?;
    service::decide(db, &caller, id, decision).await?;
    Ok(Json(json!(store::find_application(db, &id.to_string()).await?)))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, set_terms, applications, apply, decide]
}
