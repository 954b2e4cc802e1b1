//! `/stats`: the public headline figures and progress chart; `/stats/goal`: the administrators'
//! goal page with every breakdown, the goal settings, and the spreadsheet exports.

use crate::web::input::Form;
use rocket::http::ContentType;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::indicator_table::{self, ActualInput};
use super::indicators::{INDICATORS, Source};
use super::report::{self, Report, year_or_now};
use super::service::{self, GoalInput};
use super::store::{self, Basis, Side};
use super::{charts, export};
use crate::auth::{AdminUser, ClientAddr};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::domain::time::today_shanghai;
use crate::error::{AppError, FormFailure};
use crate::web::download::Download;
use crate::web::{Page, choices};

/// The charts and texts every view of a report shares.
fn drawn(report: &Report) -> Value {
    let title = format!("{}年{}累计登记额与目标", report.year, report.goal.basis.label());
    json!({
        "progress_svg": charts::progress(report.figures.progress_bp, "目标完成度"),
        "cumulative_svg": charts::cumulative(report.year, &report.figures.cumulative, &report.figures.goal_path, &title),
        "texts": report::figure_texts(&report.figures),
        "years": ((report.year - 4)..=today_shanghai().year().max(report.year)).rev().collect::<Vec<i32>>(),
    })
}

#[get("/?<year>")]
async fn public(db: &State<Db>, settings: &State<Settings>, year: Option<i32>) -> Result<Page, AppError> {
    let year = year_or_now(year)?;
    let report = report::build(db, settings, year, today_shanghai()).await?;
    let data = json!({
        "year": report.year,
        "as_of": report.as_of,
        "goal_text": report.goal_text,
        "basis_label": report.goal.basis.label(),
        "side_label": report.goal.side.label(),
        "figures": report.figures,
        "months": report.months.iter().map(|m| json!({"label": m["label"], "amount_text": m["amount_text"],
            "contracts": m["contracts"], "cumulative_text": m["cumulative_text"]})).collect::<Vec<Value>>(),
        "drawn": drawn(&report),
        "demo_contracts": crate::stats::store::demo_contracts(db, report.year).await?,
    });
    Ok(Page::new("stats/index", format!("{year}年技术合同成交情况"), data))
}

async fn goal_page_of(
    db: &Db,
    settings: &Settings,
    year: i32,
    input: Option<(&GoalInput, &FieldErrors)>,
) -> Result<Page, AppError> {
    let report = report::build(db, settings, year, today_shanghai()).await?;
    let breakdowns: Vec<Value> = report
        .breakdowns
        .iter()
        .map(|b| {
            let slices: Vec<(String, i64)> = b.rows.iter().take(10).map(|r| (r.label.clone(), r.amount_fen)).collect();
            json!({"code": b.code, "title": b.title, "rows": b.rows, "svg": charts::bars(&slices, b.title)})
        })
        .collect();
    let (values, errors) = match input {
        Some((values, errors)) => (json!(values), json!(errors)),
        None => (
            json!({"year": year, "amount": report.goal.amount.wan_exact(), "basis": report.goal.basis.code(),
                "side": report.goal.side.code(), "note": report.goal.note}),
            json!({}),
        ),
    };
    let selected = |v: &Value| v.as_str().map(|s| vec![s.to_string()]).unwrap_or_default();
    let market = super::market::activity(db, year).await?;
    let field_slices: Vec<(String, i64)> =
        market.by_field.iter().take(10).map(|c| (c.label.clone(), c.count)).collect();
    let data = json!({
        "report": report,
        "market": market,
        "market_fields_svg": charts::count_bars(&field_slices, "按技术领域发布的成果与需求（条）"),
        "breakdowns": breakdowns,
        "funnel": super::funnel::year(db, year).await?,
        "funnel_steps": super::funnel::STEPS.iter().map(|(_, _, label)| *label).collect::<Vec<_>>(),
        "drawn": drawn(&report),
        "demo_contracts": crate::stats::store::demo_contracts(db, report.year).await?,
        "goals": store::goals(db).await?.iter().map(|g| json!({"year": g.year, "amount": g.amount.format_compact(),
            "basis": g.basis.label(), "side": g.side.label(), "note": g.note})).collect::<Vec<Value>>(),
        "values": values,
        "errors": errors,
        "bases": choices(Basis::ALL, Basis::code, Basis::label, &selected(&values["basis"])),
        "sides": choices(Side::ALL, Side::code, Side::label, &selected(&values["side"])),
    });
    let status = if input.is_some() { rocket::http::Status::UnprocessableEntity } else { rocket::http::Status::Ok };
    Ok(Page::new("stats/goal", format!("{year}年技术合同成交额目标"), data).with_status(status))
}

#[get("/goal?<year>")]
async fn goal_page(
    db: &State<Db>,
    settings: &State<Settings>,
    _admin: AdminUser,
    year: Option<i32>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    Ok(goal_page_of(db, settings, year_or_now(year)?, None).await?.with_flash(flash))
}

#[post("/goal", data = "<form>")]
async fn set_goal(
    form: Form<GoalInput>,
    db: &State<Db>,
    settings: &State<Settings>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    match service::set_goal(db, &admin.0, &ip.0, &input).await {
        Ok(year) => Ok(Flash::success(Redirect::to(format!("/stats/goal?year={year}")), format!("{year}年目标已保存"))),
        Err(FormFailure::Other(error)) => Err(Err(error)),
        Err(FormFailure::Fields(errors)) => {
            let year = input.year.filter(|y| (2000..=2100).contains(y)).unwrap_or_else(|| today_shanghai().year());
            Err(goal_page_of(db, settings, year, Some((&input, &errors))).await)
        }
    }
}

#[get("/goal.xlsx?<year>")]
async fn goal_xlsx(
    db: &State<Db>,
    settings: &State<Settings>,
    _admin: AdminUser,
    year: Option<i32>,
) -> Result<Download, AppError> {
    let report = report::build(db, settings, year_or_now(year)?, today_shanghai()).await?;
    let bytes = export::xlsx(&report).map_err(AppError::internal)?;
    Ok(Download::xlsx(bytes, &format!("goal-{}.xlsx", report.year)))
}

#[get("/goal.csv?<year>")]
async fn goal_csv(
    db: &State<Db>,
    settings: &State<Settings>,
    _admin: AdminUser,
    year: Option<i32>,
) -> Result<Download, AppError> {
    let report = report::build(db, settings, year_or_now(year)?, today_shanghai()).await?;
    Ok(Download::new(export::csv(&report).into_bytes(), ContentType::CSV, &format!("goal-{}.csv", report.year)))
}

async fn indicators_page_of(
    db: &Db,
    settings: &Settings,
    year: i32,
    input: Option<(&ActualInput, &FieldErrors)>,
) -> Result<Page, AppError> {
    let rows = indicator_table::table(db, settings, year).await?;
    let entered: Vec<Value> = INDICATORS
        .iter()
        .filter(|i| !matches!(i.source, Source::Qualification(_)))
        .map(|i| {
            let name = if i.source == Source::Contracts {
                format!("{}（仅用于平台建成前未逐笔登记的年度汇总数）", i.name)
            } else {
                i.name.to_string()
            };
            json!({"no": i.no, "name": name, "unit": i.unit})
        })
        .collect();
    let (values, errors) = match input {
        Some((values, errors)) => (json!(values), json!(errors)),
        None => (json!({"year": year, "indicator_no": null, "value": "", "source": "", "published_on": ""}), json!({})),
    };
    let data = json!({
        "year": year,
        "rows": rows,
        "entered": entered,
        "values": values,
        "errors": errors,
        "years": ((year - 4)..=today_shanghai().year().max(year)).rev().collect::<Vec<i32>>(),
        "on_track": rows.iter().filter(|r| r.status == "on_track").count(),
        "behind": rows.iter().filter(|r| r.status == "behind").count(),
        "missing": rows.iter().filter(|r| r.status == "missing").count(),
    });
    let status = if input.is_some() { rocket::http::Status::UnprocessableEntity } else { rocket::http::Status::Ok };
    Ok(Page::new("stats/indicators", format!("{year}年主要指标"), data).with_status(status))
}

#[get("/indicators?<year>")]
async fn indicators_page(
    db: &State<Db>,
    settings: &State<Settings>,
    _admin: AdminUser,
    year: Option<i32>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    Ok(indicators_page_of(db, settings, year_or_now(year)?, None).await?.with_flash(flash))
}

#[post("/indicators", data = "<form>")]
async fn enter_actual(
    form: Form<ActualInput>,
    db: &State<Db>,
    settings: &State<Settings>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    match indicator_table::save_actual(db, &admin.0, &ip.0, &input).await {
        Ok((no, year)) => Ok(Flash::success(
            Redirect::to(format!("/stats/indicators?year={year}")),
            format!("指标 {no} 的 {year} 年数值已保存"),
        )),
        Err(FormFailure::Other(error)) => Err(Err(error)),
        Err(FormFailure::Fields(errors)) => {
            let year = input.year.filter(|y| (2020..=2100).contains(y)).unwrap_or_else(|| today_shanghai().year());
            Err(indicators_page_of(db, settings, year, Some((&input, &errors))).await)
        }
    }
}

#[get("/indicators.xlsx?<year>")]
async fn indicators_xlsx(
    db: &State<Db>,
    settings: &State<Settings>,
    _admin: AdminUser,
    year: Option<i32>,
) -> Result<Download, AppError> {
    let year = year_or_now(year)?;
    let rows = indicator_table::table(db, settings, year).await?;
    let bytes = export::indicators_xlsx(year, &rows).map_err(AppError::internal)?;
    Ok(Download::xlsx(bytes, &format!("indicators-{year}.xlsx")))
}

#[get("/indicators.csv?<year>")]
async fn indicators_csv(
    db: &State<Db>,
    settings: &State<Settings>,
    _admin: AdminUser,
    year: Option<i32>,
) -> Result<Download, AppError> {
    let year = year_or_now(year)?;
    let rows = indicator_table::table(db, settings, year).await?;
    Ok(Download::new(export::indicators_csv(&rows).into_bytes(), ContentType::CSV, &format!("indicators-{year}.csv")))
}

/// Mounted at `/stats`.
pub fn routes() -> Vec<Route> {
    routes![
        public,
        goal_page,
        set_goal,
        goal_xlsx,
        goal_csv,
        indicators_page,
        enter_actual,
        indicators_xlsx,
        indicators_csv
    ]
}
