//! Account API: `GET /api/v1/me` and personal API tokens under `/api/v1/tokens`.

use crate::web::input::Json;
use rocket::http::Status;
use rocket::{Route, State, delete, get, post, routes};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Caller;
use super::identity::ActiveUser;
use super::service::{self, FormFailure};
use super::{ClientAddr, CurrentUser, store};
use crate::db::Db;
use crate::error::{AppError, ErrorCode};

/// The caller's own account (never a password hash or session id).
#[get("/me")]
async fn me(db: &State<Db>, user: CurrentUser) -> Result<Json<Value>, AppError> {
    let Some(record) = store::find_user(db, &user.id).await? else {
        return Err(AppError::not_found(ErrorCode::UserNotFound, "账号不存在"));
    };
    Ok(Json(json!({
        "id": record.id,
        "display_name": record.display_name,
        "job_title": record.job_title,
        "email": record.email,
        "mobile": record.mobile,
        "role": record.role.code(),
        "status": record.status.code(),
        "organisation_id": record.organisation_id,
        "organisation_name": record.organisation_name,
        "created_at": record.created_at,
        "last_login_at": record.last_login_at,
    })))
}

#[get("/tokens")]
async fn list_tokens(db: &State<Db>, user: CurrentUser) -> Result<Json<Value>, AppError> {
    let tokens = store::live_tokens(db, &user.id).await?;
    Ok(Json(json!({"items": tokens, "next_cursor": null})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    name: String,
}

#[post("/tokens", format = "json", data = "<body>")]
async fn create_token(
    body: Json<NewToken>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<(Status, Json<service::CreatedToken>), AppError> {
    let ActiveUser(user) = user;
    let actor = Caller { user: &user, ip: &ip.0 };
    match service::create_token(db, &actor, &user.id, &body.name).await {
        Ok(created) => Ok((Status::Created, Json(created))),
        Err(FormFailure::Fields(fields)) => Err(AppError::validation(fields)),
        Err(FormFailure::Other(error)) => Err(error),
    }
}

#[delete("/tokens/<id>")]
async fn revoke_token(id: &str, db: &State<Db>, user: CurrentUser, ip: ClientAddr) -> Result<Status, AppError> {
    let actor = Caller { user: &user, ip: &ip.0 };
    service::revoke_token(db, &actor, &user.id, id).await?;
    Ok(Status::NoContent)
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![me, list_tokens, create_token, revoke_token]
}
