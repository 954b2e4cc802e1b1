//! `GET /api/v1/demands/<id>/recommendations` and `GET /api/v1/achievements/<id>/recommendations`:
//! public, for public listings; each item with its score (0–100) and reasons.

use rocket::{Route, State, get, routes};
use serde_json::{Value, json};

use super::service::{self, MAX_LIMIT};
use crate::db::Db;
use crate::error::{AppError, ErrorCode};
use crate::search::Search;
use crate::web::input::Json;

fn limit_of(limit: Option<usize>) -> Result<usize, AppError> {
    match limit {
        None => Ok(10),
        // The gate has checked 1–100 (the document's range); more than the candidates is all of them.
        Some(n) if n >= 1 => Ok(n.min(MAX_LIMIT)),
        Some(_) => Err(AppError::bad_request(ErrorCode::InvalidParameter, "limit 应为 1 到 100 之间的整数")),
    }
}

#[get("/demands/<id>/recommendations?<limit>")]
async fn for_demand(
    id: &str,
    limit: Option<usize>,
    db: &State<Db>,
    search: &State<Search>,
) -> Result<Json<Value>, AppError> {
    let items = service::for_demand(db, search, id, limit_of(limit)?).await?;
    Ok(Json(json!({"items": items})))
}

#[get("/achievements/<id>/recommendations?<limit>")]
async fn for_achievement(
    id: &str,
    limit: Option<usize>,
    db: &State<Db>,
    search: &State<Search>,
) -> Result<Json<Value>, AppError> {
    let (items, enterprises) = service::for_achievement(db, search, id, limit_of(limit)?).await?;
    Ok(Json(json!({"items": items, "enterprises": enterprises})))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![for_demand, for_achievement]
}
