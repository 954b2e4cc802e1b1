//! The JSON API every listing kind shares, written once: cursor-paged public lists, detail,
//! create (with `Idempotency-Key`), partial update (PATCH with `version`) and lifecycle actions
//! as sub-resources. [`crate::listing_api!`] mounts them for a kind under `/api/v1`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::kind::{Listing, ListingAction, ListingRow};
use super::store::{self, ListFilter};
use super::{cursor, lifecycle, patch};
use crate::auth::{Acting, CurrentUser};
use crate::db::Db;
use crate::db::once;
use crate::error::AppError;
use crate::web::idempotency::{IdempotencyKey, replayed_header};
use crate::web::input::Json;

/// 201 with the draft; `Idempotent-Replayed` says whether an earlier request made it.
#[derive(rocket::Responder)]
#[response(status = 201)]
pub struct Created {
    body: Json<Value>,
    replayed: rocket::http::Header<'static>,
}

/// A page of a cursor-paged list: the items and the cursor of the next page (`null` at the end).
#[derive(Debug, Serialize)]
pub struct CursorPage<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The body of a lifecycle action: the reason when returning a listing.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActionBody {
    note: String,
}

fn sees_contacts(user: Option<&CurrentUser>) -> bool {
    user.is_some_and(|u| u.sees_contacts())
}

/// A page of the public list after `after` (an opaque cursor), `limit` rows (1–100, default 20).
pub async fn list<K: Listing>(
    db: &Db,
    user: Option<&CurrentUser>,
    technical_field: Option<&str>,
    own: K::Filter,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Json<Value>, AppError> {
    let limit = limit.unwrap_or(20).clamp(1, 100);
    let cursor = after.map(cursor::decode).transpose()?;
    let filter = ListFilter::<K> { technical_field: technical_field.map(str::to_string), ..ListFilter::public(own) };
    let after = cursor.as_ref().map(|(a, i)| (a.as_str(), i.as_str()));
    let rows = store::list_after(db, &filter, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let page: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = if more { page.last().map(|r| cursor::encode(r.meta().listed_at(), r.id())) } else { None };
    let items = page.iter().map(|r| K::view(r, sees_contacts(user))).collect();
    Ok(Json(json!(CursorPage { items, next_cursor })))
}

pub async fn detail<K: Listing>(
    db: &Db,
    user: Option<&CurrentUser>,
    id: Result<K::Id, uuid::Error>,
) -> Result<Json<Value>, AppError> {
    let listing = lifecycle::visible::<K>(db, user, lifecycle::known::<K>(id)?).await?;
    Ok(Json(json!(K::view(&listing, sees_contacts(user)))))
}

pub async fn create<K: Listing>(
    db: &Db,
    acting: &Acting,
    body: K::Input,
    key: IdempotencyKey,
) -> Result<Created, AppError> {
    let request_hash = once::request_hash(&format!("POST {}", K::KIND.base()), &body);
    let key = key.checked()?.map(|key| (key, request_hash.as_str()));
    let created = lifecycle::create::<K>(db, &acting.caller(), &body, key).await?;
    let listing = lifecycle::visible::<K>(db, Some(&acting.user), lifecycle::created_id::<K>(&created)?).await?;
    Ok(Created { body: Json(json!(K::view(&listing, true))), replayed: replayed_header(created.replayed) })
}

pub async fn update<K: Listing>(
    db: &Db,
    acting: &Acting,
    id: Result<K::Id, uuid::Error>,
    body: Value,
) -> Result<Json<Value>, AppError> {
    let id = lifecycle::known::<K>(id)?;
    let current = lifecycle::visible::<K>(db, Some(&acting.user), id).await?;
    let input: K::Input = patch::merge_without_version(&K::input_of(&current), body)?;
    lifecycle::update::<K>(db, &acting.caller(), id, &input).await.map_err(AppError::from)?;
    let listing = lifecycle::visible::<K>(db, Some(&acting.user), id).await?;
    Ok(Json(json!(K::view(&listing, true))))
}

pub async fn act<K: Listing>(
    db: &Db,
    acting: &Acting,
    id: Result<K::Id, uuid::Error>,
    action: &str,
    body: Option<ActionBody>,
) -> Result<Json<Value>, AppError> {
    let id = lifecycle::known::<K>(id)?;
    let action = K::Action::from_code(action).ok_or_else(AppError::unknown_action)?;
    let note = body.map(|b| b.note).unwrap_or_default();
    lifecycle::act::<K>(db, &acting.caller(), id, action, &note).await?;
    let listing = lifecycle::visible::<K>(db, Some(&acting.user), id).await?;
    Ok(Json(json!(K::view(&listing, true))))
}

/// Mounts the shared API of a listing kind (detail, create, PATCH, actions) for paths under
/// `/api/v1/<base>`; the kind writes its own list route (its filters are its own).
#[macro_export]
macro_rules! listing_api {
    ($kind:ty, $detail:literal, $collection:literal, $action:literal) => {
        mod shared_api {
            use super::*;
            use rocket::{State, get, patch, post};
            use serde_json::Value;
            use $crate::auth::{Acting, CurrentUser};
            use $crate::db::Db;
            use $crate::error::AppError;

            use $crate::listings::api::{self as shared, ActionBody, Created};
            use $crate::web::idempotency::IdempotencyKey;
            use $crate::web::input::{Json, OptionalJson};

            type Input = <$kind as $crate::listings::ListingKind>::Input;
            type Id = Result<<$kind as $crate::listings::ListingKind>::Id, uuid::Error>;

            #[get($detail)]
            pub async fn detail(id: Id, db: &State<Db>, user: Option<CurrentUser>) -> Result<Json<Value>, AppError> {
                shared::detail::<$kind>(db, user.as_ref(), id).await
            }

            #[post($collection, format = "json", data = "<body>")]
            pub async fn create(
                body: Json<Input>,
                key: IdempotencyKey,
                db: &State<Db>,
                acting: Acting,
            ) -> Result<Created, AppError> {
                shared::create::<$kind>(db, &acting, body.into_inner(), key).await
            }

            #[patch($detail, format = "json", data = "<body>")]
            pub async fn update(
                id: Id,
                body: Json<Value>,
                db: &State<Db>,
                acting: Acting,
            ) -> Result<Json<Value>, AppError> {
                shared::update::<$kind>(db, &acting, id, body.into_inner()).await
            }

            #[post($action, data = "<body>", rank = 5)]
            pub async fn act(
                id: Id,
                action: &str,
                body: OptionalJson<ActionBody>,
                db: &State<Db>,
                acting: Acting,
            ) -> Result<Json<Value>, AppError> {
                shared::act::<$kind>(db, &acting, id, action, body.into_inner()).await
            }

            pub fn routes() -> Vec<rocket::Route> {
                rocket::routes![detail, create, update, act]
            }
        }
    };
}
