//! `/api/v1/stats/...`: the public headline figures and, for administrators, the whole goal report
//! and the goal settings.

use crate::web::input::Json;
use rocket::{Route, State, get, put, routes};
use serde_json::{Value, json};

use super::indicator_table::{self, ActualInput};
use super::report::{self, year_or_now};
use super::service::{self, GoalInput};
use super::store;
use crate::auth::{AdminUser, ClientAddr};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::time::today_shanghai;
use crate::error::AppError;

/// Public: the goal, the registered amount so far, progress and the monthly series — no contracts.
#[get("/stats/summary?<year>")]
async fn summary(db: &State<Db>, settings: &State<Settings>, year: Option<i32>) -> Result<Json<Value>, AppError> {
    let report = report::build(db, settings, year_or_now(year)?, today_shanghai()).await?;
    let months: Vec<Value> = report
        .months
        .iter()
        .map(|m| json!({"month": m["month"], "contracts": m["contracts"], "amount_fen": m["amount_fen"], "cumulative_fen": m["cumulative_fen"]}))
        .collect();
    Ok(Json(json!({
        "year": report.year,
        "as_of": report.as_of,
        "goal": {"amount_fen": report.goal.amount.0, "basis": report.goal.basis.code(), "side": report.goal.side.code()},
        "so_far_fen": report.figures.so_far_fen,
        "progress_bp": report.figures.progress_bp,
        "months": months,
    })))
}

/// Administrators: every figure of the goal page.
#[get("/stats/goal?<year>")]
async fn goal(
    db: &State<Db>,
    settings: &State<Settings>,
    _admin: AdminUser,
    year: Option<i32>,
) -> Result<Json<Value>, AppError> {
    let report = report::build(db, settings, year_or_now(year)?, today_shanghai()).await?;
    let texts = report::figure_texts(&report.figures);
    let mut value = json!(report);
    value["texts"] = texts;
    Ok(Json(value))
}

#[get("/stats/goals")]
async fn goals(db: &State<Db>, _admin: AdminUser) -> Result<Json<Value>, AppError> {
    Ok(Json(json!({"items": store::goals(db).await?})))
}

#[put("/stats/goals/<year>", format = "json", data = "<body>")]
async fn set_goal(
    year: i32,
    body: Json<GoalInput>,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Json<Value>, AppError> {
    let input = GoalInput { year: Some(year), ..body.into_inner() };
    service::set_goal(db, &admin.0, &ip.0, &input).await.map_err(AppError::from)?;
    Ok(Json(json!({"items": store::goals(db).await?})))
}

/// Administrators: market activity of a year (publications, views, stages, time to contract).
#[get("/stats/market?<year>")]
async fn market(db: &State<Db>, _admin: AdminUser, year: Option<i32>) -> Result<Json<Value>, AppError> {
    let year = year_or_now(year)?;
    Ok(Json(json!({"year": year, "market": super::market::activity(db, year).await?})))
}

/// Administrators: the plan's 15 indicators for a year, with status.
#[get("/stats/indicators?<year>")]
async fn indicators(
    db: &State<Db>,
    settings: &State<Settings>,
    _admin: AdminUser,
    year: Option<i32>,
) -> Result<Json<Value>, AppError> {
    let year = year_or_now(year)?;
    Ok(Json(json!({"year": year, "items": indicator_table::table(db, settings, year).await?})))
}

#[put("/stats/indicators/<no>/<year>", format = "json", data = "<body>")]
async fn enter_actual(
    no: u8,
    year: i32,
    body: Json<ActualInput>,
    db: &State<Db>,
    settings: &State<Settings>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Json<Value>, AppError> {
    let input = ActualInput { indicator_no: Some(no), year: Some(year), ..body.into_inner() };
    indicator_table::save_actual(db, &admin.0, &ip.0, &input).await.map_err(AppError::from)?;
    Ok(Json(json!({"year": year, "items": indicator_table::table(db, settings, year).await?})))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![summary, goal, goals, set_goal, market, indicators, enter_actual]
}
