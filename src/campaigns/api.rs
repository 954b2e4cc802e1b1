//! `/api/v1/campaigns`: campaigns in JSON — the public list and page, opening one
//! (administrators), entering listings (members), the progress table (administrators).

use rocket::{Responder, Route, State, get, post, routes};
use serde::Deserialize;
use serde_json::{Value, json};

use super::model::CampaignInput;
use super::pages::view;
use super::progress;
use super::service;
use super::store;
use crate::auth::{Acting, AdminUser};
use crate::db::Db;
use crate::error::AppError;
use crate::web::input::Json;

#[derive(Responder)]
#[response(status = 201, content_type = "json")]
struct Created(Json<Value>);

#[get("/campaigns")]
async fn list(db: &State<Db>) -> Result<Json<Value>, AppError> {
    let today = service::today();
    let items: Vec<Value> = store::list(db, &today).await?.iter().map(|c| view(c, &today)).collect();
    Ok(Json(json!({"items": items})))
}

async fn whole(db: &Db, id: &str) -> Result<Value, AppError> {
    let row = service::find(db, id).await?;
    let mut data = view(&row, &service::today());
    data["targets"] = json!(
        store::targets(db, id).await?.into_iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>()
    );
    data["entries"] = json!(store::public_entries(db, id, 500).await?);
    Ok(data)
}

#[get("/campaigns/<id>")]
async fn one(id: &str, db: &State<Db>) -> Result<Json<Value>, AppError> {
    Ok(Json(whole(db, id).await?))
}

#[post("/campaigns", format = "json", data = "<body>")]
async fn create(body: Json<CampaignInput>, db: &State<Db>, acting: Acting) -> Result<Created, AppError> {
    let id = service::create(db, &acting.caller(), &body).await?;
    Ok(Created(Json(whole(db, &id).await?)))
}

/// Listings to enter; administrators name the organisation they enter for.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct EntriesInput {
    listing_ids: Vec<String>,
    organisation_id: Option<String>,
}

#[post("/campaigns/<id>/entries", format = "json", data = "<body>")]
async fn enter(id: &str, body: Json<EntriesInput>, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    let added = service::enter(db, &acting.caller(), id, body.organisation_id.as_deref(), &body.listing_ids).await?;
    Ok(Json(json!({"added": added, "campaign": whole(db, id).await?})))
}

#[get("/campaigns/<id>/progress")]
async fn progress_of(id: &str, db: &State<Db>, _admin: AdminUser) -> Result<Json<Value>, AppError> {
    service::find(db, id).await?;
    let rows = store::progress(db, id).await?;
    Ok(Json(json!({"totals": progress::totals(&rows), "rows": rows})))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, one, create, enter, progress_of]
}
