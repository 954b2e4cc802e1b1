//! Achievement API under `/api/v1/achievements`: the cursor-paged public list with the
//! achievement filters; detail, create, PATCH and lifecycle actions come from the listing core.

use rocket::form::FromForm;
use rocket::{Route, State, get};
use serde_json::Value;

use super::listing::Achievements;
use super::store::Filter;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::AppError;
use crate::web::input::Json;

crate::listing_api!(Achievements, "/achievements/<id>", "/achievements", "/achievements/<id>/<action>");

/// The list's filters (besides the cursor and the page size).
#[derive(Debug, Default, FromForm)]
struct ListQuery {
    field: Option<String>,
    stage: Option<String>,
    mode: Option<String>,
    route: Option<String>,
}

#[get("/achievements?<after>&<limit>&<query..>")]
async fn list(
    db: &State<Db>,
    user: Option<CurrentUser>,
    after: Option<&str>,
    limit: Option<i64>,
    query: ListQuery,
) -> Result<Json<Value>, AppError> {
    let filter =
        Filter { stage: query.stage, transfer_mode: query.mode, pricing_route: query.route, ..Filter::default() };
    crate::listings::api::list::<Achievements>(db, user.as_ref(), query.field.as_deref(), filter, after, limit).await
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    let mut routes = rocket::routes![list];
    routes.extend(shared_api::routes());
    routes
}
