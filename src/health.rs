//! `GET /api/v1/health`: whether this node can reach its database, for load balancers and operators.

use crate::web::input::Json;
use rocket::{Route, State, get, routes};
use serde::Serialize;

use crate::db::Db;
use crate::error::AppError;

#[derive(Serialize)]
pub struct Health {
    status: &'static str,
    database: &'static str,
    version: &'static str,
}

#[get("/health")]
async fn health(db: &State<Db>) -> Result<Json<Health>, AppError> {
    let one: i64 = sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(db.pool()).await?;
    debug_assert_eq!(one, 1);
    Ok(Json(Health { status: "ok", database: db.backend().name(), version: env!("CARGO_PKG_VERSION") }))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![health]
}
