//! Achievement API under `/api/v1/achievements`: cursor-paged public list, detail, create,
//! partial update (PATCH with `version`), and lifecycle actions as sub-resources.

use crate::web::input::{Json, OptionalJson};
use rocket::{Responder, Route, State, get, patch, post, routes};
use serde::Deserialize;
use serde_json::{Value, json};

use super::model::{AchievementInput, Action, Status};
use super::service::{self, Caller};
use super::store::{self, ListFilter};
use super::view;
use crate::auth::{ActiveUser, ClientAddr, CurrentUser};
use crate::db::Db;
use crate::db::once;
use crate::error::AppError;
use crate::listings::{cursor, patch};
use crate::web::idempotency::{IdempotencyKey, replayed_header};

#[expect(clippy::too_many_arguments, reason = "each filter is a query parameter")]
#[get("/achievements?<after>&<limit>&<field>&<stage>&<mode>&<route>")]
async fn list(
    db: &State<Db>,
    user: Option<CurrentUser>,
    after: Option<&str>,
    limit: Option<i64>,
    field: Option<&str>,
    stage: Option<&str>,
    mode: Option<&str>,
    route: Option<&str>,
) -> Result<Json<Value>, AppError> {
    let limit = limit.unwrap_or(20).clamp(1, 100);
    let cursor = after.map(cursor::decode).transpose()?;
    let filter = ListFilter {
        technical_field: field.map(str::to_string),
        stage: stage.map(str::to_string),
        transfer_mode: mode.map(str::to_string),
        pricing_route: route.map(str::to_string),
        statuses: vec![Status::Published, Status::Negotiating, Status::Transferred],
        ..ListFilter::default()
    };
    let rows =
        store::list_after(db, &filter, cursor.as_ref().map(|(a, i)| (a.as_str(), i.as_str())), limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let page: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = if more {
        page.last().map(|r| cursor::encode(r.published_at.as_deref().unwrap_or(&r.created_at), &r.id))
    } else {
        None
    };
    let items: Vec<Value> =
        page.iter().map(|r| view::listing(r, user.as_ref().is_some_and(|u| u.sees_contacts()))).collect();
    Ok(Json(json!({"items": items, "next_cursor": next_cursor})))
}

#[get("/achievements/<id>")]
async fn detail(id: &str, db: &State<Db>, user: Option<CurrentUser>) -> Result<Json<Value>, AppError> {
    let listing = service::visible(db, user.as_ref(), id).await?;
    Ok(Json(view::listing(&listing, user.as_ref().is_some_and(|u| u.sees_contacts()))))
}

/// 201 with the draft; `Idempotent-Replayed` says whether an earlier request made it.
#[derive(Responder)]
#[response(status = 201)]
struct Created {
    body: Json<Value>,
    replayed: rocket::http::Header<'static>,
}

#[post("/achievements", format = "json", data = "<body>")]
async fn create(
    body: Json<AchievementInput>,
    key: IdempotencyKey,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Created, AppError> {
    let caller = Caller { user: &user.0, ip: &ip.0 };
    let request_hash = once::request_hash("POST /achievements", &body.0);
    let key = key.checked()?.map(|key| (key, request_hash.as_str()));
    let created = service::create(db, &caller, &body, key).await?;
    let listing = service::visible(db, Some(&user.0), &created.id).await?;
    Ok(Created { body: Json(view::listing(&listing, true)), replayed: replayed_header(created.replayed) })
}

#[patch("/achievements/<id>", format = "json", data = "<body>")]
async fn update(
    id: &str,
    body: Json<Value>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Json<Value>, AppError> {
    let current = service::visible(db, Some(&user.0), id).await?;
    let mut base = view::input_from_row(&current);
    base.version = None;
    let input = patch::merge(&base, body.into_inner())?;
    let caller = Caller { user: &user.0, ip: &ip.0 };
    service::update(db, &caller, id, &input).await.map_err(AppError::from)?;
    let listing = service::visible(db, Some(&user.0), id).await?;
    Ok(Json(view::listing(&listing, true)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ActionBody {
    note: String,
}

#[post("/achievements/<id>/<action>", data = "<body>")]
async fn act(
    id: &str,
    action: &str,
    body: OptionalJson<ActionBody>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Json<Value>, AppError> {
    let action = Action::from_code(action).ok_or_else(|| AppError::not_found("unknown_action", "没有这个操作"))?;
    let caller = Caller { user: &user.0, ip: &ip.0 };
    let note = body.into_inner().map(|b| b.note).unwrap_or_default();
    service::act(db, &caller, id, action, &note).await?;
    let listing = service::visible(db, Some(&user.0), id).await?;
    Ok(Json(view::listing(&listing, true)))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, detail, create, update, act]
}
