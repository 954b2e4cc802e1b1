//! Demand API under `/api/v1/demands`: the cursor-paged public list (demands still valid today)
//! with the demand filters; detail, create, PATCH and lifecycle actions come from the listing core.

use rocket::{Route, State, get};
use serde_json::Value;

use super::listing::Demands;
use super::store::Filter;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::domain::forms::date_text;
use crate::domain::time::today_shanghai;
use crate::error::AppError;
use crate::web::input::Json;

crate::listing_api!(Demands, "/demands/<id>", "/demands", "/demands/<id>/<action>");

#[get("/demands?<after>&<limit>&<field>&<mode>")]
async fn list(
    db: &State<Db>,
    user: Option<CurrentUser>,
    after: Option<&str>,
    limit: Option<i64>,
    field: Option<&str>,
    mode: Option<&str>,
) -> Result<Json<Value>, AppError> {
    let today = Some(date_text(today_shanghai()));
    let filter = Filter { cooperation_mode: mode.map(str::to_string), valid_on: today, ..Filter::default() };
    crate::listings::api::list::<Demands>(db, user.as_ref(), field, filter, after, limit).await
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    let mut routes = rocket::routes![list];
    routes.extend(shared_api::routes());
    routes
}
