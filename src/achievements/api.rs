//! Achievement API under `/api/v1/achievements`: the cursor-paged public list with the
//! achievement filters; detail, create, PATCH and lifecycle actions come from the listing core.

use rocket::{Route, State, get};
use serde_json::Value;

use super::listing::Achievements;
use super::store::Filter;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::AppError;
use crate::web::input::Json;

crate::listing_api!(Achievements, "/achievements/<id>", "/achievements", "/achievements/<id>/<action>");

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
    let filter = Filter {
        stage: stage.map(str::to_string),
        transfer_mode: mode.map(str::to_string),
        pricing_route: route.map(str::to_string),
        ..Filter::default()
    };
    crate::listings::api::list::<Achievements>(db, user.as_ref(), field, filter, after, limit).await
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    let mut routes = rocket::routes![list];
    routes.extend(shared_api::routes());
    routes
}
