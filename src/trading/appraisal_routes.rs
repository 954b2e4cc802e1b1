//! 资产评估 routes: the form on the achievement page (`POST /achievements/{id}/appraisals`) and
//! the API (`GET`/`POST /api/v1/achievements/{id}/appraisals`).

use rocket::response::{Flash, Redirect};
use rocket::{Responder, Route, State, get, post, routes};
use serde_json::{Value, json};

use super::appraisals::{self, AppraisalInput};
use super::rules::flash_back;
use crate::auth::Acting;
use crate::db::Db;
use crate::error::{AppError, ErrorCode};
use crate::web::input::{Form, Json};

#[derive(Responder)]
#[response(status = 201, content_type = "json")]
struct Created(Json<Value>);

#[post("/<id>/appraisals", data = "<form>")]
async fn record_page(
    id: &str,
    form: Form<AppraisalInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, AppError> {
    let outcome = appraisals::record(db, &acting.caller(), id, &form).await;
    flash_back(
        format!("/achievements/{id}#pricing"),
        outcome.map(|_| "资产评估已登记，将作为合同的参考价格".to_string()),
    )
}

async fn listed(db: &Db, id: &str) -> Result<Value, AppError> {
    if super::rules::traded(db, id).await?.is_none() {
        return Err(AppError::not_found(ErrorCode::AchievementNotFound, "科技成果不存在或尚未公开"));
    }
    Ok(json!({"items": appraisals::of(db, id).await?}))
}

#[get("/achievements/<id>/appraisals")]
async fn list(id: &str, db: &State<Db>) -> Result<Json<Value>, AppError> {
    Ok(Json(listed(db, id).await?))
}

#[post("/achievements/<id>/appraisals", format = "json", data = "<body>")]
async fn record(id: &str, body: Json<AppraisalInput>, db: &State<Db>, acting: Acting) -> Result<Created, AppError> {
    appraisals::record(db, &acting.caller(), id, &body).await?;
    Ok(Created(Json(listed(db, id).await?)))
}

/// Mounted at `/achievements`.
pub fn pages() -> Vec<Route> {
    routes![record_page]
}

/// Mounted at `/api/v1`.
pub fn api() -> Vec<Route> {
    routes![list, record]
}
