//! 挂牌 API: `/api/v1/listings` (public list, list an achievement), one offering, its intents
//! (`GET` for the seller, `POST` to register the caller's enterprise) and withdrawal.

use rocket::{Responder, Route, State, get, post, routes};
use serde_json::{Value, json};

use super::model::OfferingInput;
use super::pages::{listed, whole};
use super::service;
use crate::auth::Acting;
use crate::db::Db;
use crate::error::AppError;
use crate::web::input::{Json, OptionalJson};

#[derive(Responder)]
#[response(status = 201, content_type = "json")]
struct Created(Json<Value>);

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Intent {
    statement: Option<String>,
}

#[get("/listings")]
async fn list(db: &State<Db>) -> Result<Json<Value>, AppError> {
    Ok(Json(json!({"items": listed(db).await?})))
}

#[post("/listings", format = "json", data = "<body>")]
async fn create(body: Json<OfferingInput>, db: &State<Db>, acting: Acting) -> Result<Created, AppError> {
    let id = service::create(db, &acting.caller(), &body).await?;
    Ok(Created(Json(whole(db, Some(&acting.caller()), &id).await?)))
}

#[get("/listings/<id>")]
async fn one(id: &str, db: &State<Db>, acting: Option<Acting>) -> Result<Json<Value>, AppError> {
    Ok(Json(whole(db, acting.as_ref().map(Acting::caller).as_ref(), id).await?))
}

#[get("/listings/<id>/intents")]
async fn intents(id: &str, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    let row = service::find(db, id).await?;
    if !service::manages(&acting.caller(), &row) {
        return Err(crate::trading::rules::not_seller());
    }
    let data = whole(db, Some(&acting.caller()), id).await?;
    Ok(Json(json!({"items": data["intents"].clone()})))
}

#[post("/listings/<id>/intents", data = "<body>")]
async fn intent(id: &str, body: OptionalJson<Intent>, db: &State<Db>, acting: Acting) -> Result<Created, AppError> {
    let statement = body.into_inner().and_then(|b| b.statement);
    service::register_intent(db, &acting.caller(), id, statement.as_deref()).await?;
    Ok(Created(Json(whole(db, Some(&acting.caller()), id).await?)))
}

#[post("/listings/<id>/withdraw")]
async fn withdraw(id: &str, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    service::withdraw(db, &acting.caller(), id).await?;
    Ok(Json(whole(db, Some(&acting.caller()), id).await?))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, create, one, intents, intent, withdraw]
}
