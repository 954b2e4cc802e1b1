//! `GET /api/v1/search`: public listings by text and filters, as JSON.

use crate::web::input::Json;
use rocket::{Route, State, get, routes};
use serde_json::{Value, json};

use super::Search;
use super::params::{SearchParams, find};
use crate::db::Db;
use crate::error::AppError;

#[get("/search?<params..>")]
async fn search(db: &State<Db>, search: &State<Search>, params: SearchParams) -> Result<Json<Value>, AppError> {
    let request = params.request(10, false)?;
    let (page, per_page, sort, facets_wanted) = (params.page()?, request.limit, request.sort.code(), request.facets);
    let found = find(db, search, request, params.wants_highlight()).await?;
    let mut body = json!({
        "query": params.text(),
        "words": found.words,
        "relaxed": found.relaxed,
        "total": found.total,
        "page": page,
        "per_page": per_page,
        "sort": sort,
        "hits": found.cards,
    });
    if facets_wanted {
        body["facets"] = json!(found.facets);
    }
    Ok(Json(body))
}

pub fn routes() -> Vec<Route> {
    routes![search]
}
