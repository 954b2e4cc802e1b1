//! The import API (`/api/v1/imports…`): the request body is the file itself; the report lists
//! every row with its state and its problems by field; confirmation loads the passing rows.

use rocket::data::Data;
use rocket::http::Status as HttpStatus;
use rocket::{FromForm, Route, State, get, post, routes};
use serde_json::{Value, json};

use super::access;
use crate::auth::{ActiveUser, ClientAddr};
use crate::db::Db;
use crate::error::AppError;
use crate::search::Search;
use crate::web::download::body_file;
use crate::web::input::Json;

/// The upload's query: what the file holds, for whom, its name.
#[derive(FromForm)]
struct UploadQuery<'r> {
    kind: Option<&'r str>,
    organisation_id: Option<&'r str>,
    campaign_id: Option<&'r str>,
    file_name: Option<&'r str>,
}

#[post("/imports?<query..>", data = "<data>")]
async fn upload(
    query: UploadQuery<'_>,
    data: Data<'_>,
    db: &State<Db>,
    search: &State<Search>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<(HttpStatus, Json<Value>), AppError> {
    let bytes = body_file(data).await?;
    let file = access::Upload {
        kind: query.kind,
        organisation: query.organisation_id,
        campaign: query.campaign_id,
        name: query.file_name.unwrap_or_default(),
        bytes: &bytes,
    };
    let id = access::upload(db, search, &user.0, &ip.0, file).await?;
    Ok((HttpStatus::Created, Json(access::report(db, &user.0, &id).await?)))
}

#[get("/imports/<id>")]
async fn report(id: &str, db: &State<Db>, user: ActiveUser) -> Result<Json<Value>, AppError> {
    Ok(Json(access::report(db, &user.0, id).await?))
}

#[post("/imports/<id>/confirm")]
async fn confirm(id: &str, db: &State<Db>, user: ActiveUser, ip: ClientAddr) -> Result<Json<Value>, AppError> {
    Ok(Json(json!(access::confirm(db, &user.0, &ip.0, id).await?)))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![upload, report, confirm]
}
