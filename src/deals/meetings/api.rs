//! Meeting API: `/api/v1/deals/{id}/meetings` (list, schedule) and one meeting with its record
//! and cancellation.

use rocket::{Responder, Route, State, get, post, routes};
use serde_json::{Value, json};

use super::calendar;
use super::model::{MeetingInput, RecordInput};
use super::{service, store};
use crate::auth::{Acting, ActiveUser};
use crate::db::Db;
use crate::error::AppError;
use crate::web::input::Json;

#[derive(Responder)]
#[response(status = 201, content_type = "json")]
struct Created(Json<Value>);

async fn one_view(
    db: &Db,
    user: &crate::web::request_state::CurrentUser,
    id: &str,
    meeting: &str,
) -> Result<Value, AppError> {
    let (_, _, row) = service::visible_meeting(db, user, id, meeting).await?;
    Ok(json!(calendar::whole(db, &row).await?))
}

#[get("/deals/<id>/meetings")]
async fn list(id: &str, db: &State<Db>, user: ActiveUser) -> Result<Json<Value>, AppError> {
    let (deal, _) = crate::deals::service::visible(db, &user.0, id).await?;
    let mut items = Vec::new();
    for row in store::for_deal(db, &deal.id).await? {
        items.push(calendar::whole(db, &row).await?);
    }
    Ok(Json(json!({"items": items})))
}

#[post("/deals/<id>/meetings", format = "json", data = "<body>")]
async fn create(id: &str, body: Json<MeetingInput>, db: &State<Db>, acting: Acting) -> Result<Created, AppError> {
    let meeting = service::schedule(db, &acting.caller(), id, &body).await?;
    Ok(Created(Json(one_view(db, &acting.user, id, &meeting).await?)))
}

#[get("/deals/<id>/meetings/<meeting>")]
async fn one(id: &str, meeting: &str, db: &State<Db>, user: ActiveUser) -> Result<Json<Value>, AppError> {
    Ok(Json(one_view(db, &user.0, id, meeting).await?))
}

#[post("/deals/<id>/meetings/<meeting>/record", format = "json", data = "<body>")]
async fn record(
    id: &str,
    meeting: &str,
    body: Json<RecordInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Json<Value>, AppError> {
    service::record(db, &acting.caller(), id, meeting, &body).await?;
    Ok(Json(one_view(db, &acting.user, id, meeting).await?))
}

#[post("/deals/<id>/meetings/<meeting>/cancel")]
async fn cancel(id: &str, meeting: &str, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    service::cancel(db, &acting.caller(), id, meeting).await?;
    Ok(Json(one_view(db, &acting.user, id, meeting).await?))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, create, one, record, cancel]
}
