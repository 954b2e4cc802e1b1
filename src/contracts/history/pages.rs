//! The history pages (`/contracts/history`: template, upload, the dry run's report, confirmation,
//! one-by-one back-entry) and their API (`/api/v1/contracts/history…`). Administrators only.

use crate::web::input::Form;
use crate::web::input::Json;
use rocket::data::Data;
use rocket::form::FromForm;
use rocket::fs::TempFile;
use rocket::http::Status as HttpStatus;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::check::HistoryInput;
use super::load::{self, Checking, ImportSummary, Loader};
use super::sheet;
use crate::auth::{AdminUser, ClientAddr};
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::error::{AppError, ErrorCode};
use crate::web::Page;
use crate::web::download::{Download, MAX_UPLOAD_MIB, body_file, form_file};

/// A spreadsheet download.
fn report_json(summary: &ImportSummary, checking: &Checking) -> Value {
    let count = |state: &str| checking.outcomes.iter().filter(|(_, o)| o.state == state).count();
    let rows: Vec<Value> = checking
        .outcomes
        .iter()
        .map(|(line, o)| {
            json!({"line": line, "state": o.state, "registration_no": o.registration_no, "title": o.title,
            "registered_on": o.registered_on, "total_text": o.total_text, "errors": o.errors, "summary": o.summary()})
        })
        .collect();
    let total: i64 =
        checking.ready.iter().filter_map(|(_, c)| c.draft.amounts.map(|a| a.total().0)).fold(0, i64::saturating_add);
    json!({
        "import": summary,
        "format": checking.table.format,
        "counts": {"rows": checking.outcomes.len(), "ok": count("ok"), "exists": count("exists"), "invalid": count("invalid")},
        "ready_total_text": load::total_text(total),
        "rows": rows,
    })
}

#[get("/")]
async fn index(db: &State<Db>, _admin: AdminUser, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let data = json!({"imports": load::recent(db, 20).await?, "max_rows": sheet::MAX_ROWS, "max_mib": MAX_UPLOAD_MIB});
    Ok(Page::new("contracts/history", "历史登记补录", data).with_flash(flash))
}

#[get("/template.xlsx")]
async fn template(_admin: AdminUser) -> Result<Download, AppError> {
    Ok(Download::xlsx(sheet::template().map_err(AppError::internal)?, "技术合同历史登记模板.xlsx"))
}

#[derive(FromForm)]
struct Upload<'r> {
    file: TempFile<'r>,
}

#[post("/", data = "<form>")]
async fn upload(
    form: Form<Upload<'_>>,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Redirect, Flash<Redirect>> {
    let back = || Redirect::to("/contracts/history");
    let bytes = form_file(&form.file).await.map_err(|e| Flash::error(back(), e.message))?;
    let name = form.file.raw_name().map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string());
    let loader = Loader { user_id: &admin.0.id, ip: &ip.0 };
    match load::upload(db, &loader, name.as_deref().unwrap_or("history.xlsx"), &bytes).await {
        Ok((id, _)) => Ok(Redirect::to(format!("/contracts/history/imports/{id}"))),
        Err(error) => Err(Flash::error(back(), error.message)),
    }
}

#[get("/imports/<id>")]
async fn report(
    id: &str,
    db: &State<Db>,
    _admin: AdminUser,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let (summary, checking) = load::checked(db, id).await?;
    let data = report_json(&summary, &checking);
    Ok(Page::new("contracts/history_report", format!("检查结果 · {}", summary.file_name), data).with_flash(flash))
}

#[get("/imports/<id>/report.xlsx")]
async fn report_xlsx(id: &str, db: &State<Db>, _admin: AdminUser) -> Result<Download, AppError> {
    let (_, checking) = load::checked(db, id).await?;
    let body = sheet::report_xlsx(&checking.table, &checking.outcomes).map_err(AppError::internal)?;
    Ok(Download::xlsx(body, "历史登记检查结果.xlsx"))
}

#[post("/imports/<id>/confirm")]
async fn confirm(id: &str, db: &State<Db>, admin: AdminUser, ip: ClientAddr) -> Result<Flash<Redirect>, AppError> {
    let loader = Loader { user_id: &admin.0.id, ip: &ip.0 };
    let done = load::confirm(db, &loader, id).await?;
    let message = format!(
        "已导入 {} 份（合同成交额合计 {}）；已存在跳过 {} 份，有误未导入 {} 行",
        done.loaded,
        load::total_text(done.total_fen),
        done.skipped_existing,
        done.invalid
    );
    Ok(Flash::success(Redirect::to(format!("/contracts/history/imports/{id}")), message))
}

fn entry_page(values: &HistoryInput, errors: &FieldErrors) -> Page {
    let status = if errors.is_empty() { HttpStatus::Ok } else { HttpStatus::UnprocessableEntity };
    let fields: Vec<Value> = super::columns::COLUMNS
        .iter()
        .map(|c| {
            json!({"field": c.field, "label": c.header, "required": c.required, "help": c.help,
            "value": serde_json::to_value(values).ok().and_then(|v| v.get(c.field).cloned()).unwrap_or(Value::Null),
            "error": errors.get(c.field), "long": c.field == "subject"})
        })
        .collect();
    Page::new("contracts/history_entry", "逐笔补录历史登记", json!({"fields": fields, "errors": errors}))
        .with_status(status)
}

#[get("/new")]
async fn entry_form(_admin: AdminUser) -> Page {
    entry_page(&<HistoryInput as Default>::default(), &FieldErrors::new())
}

#[post("/new", data = "<form>")]
async fn enter(
    form: Form<HistoryInput>,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    let loader = Loader { user_id: &admin.0.id, ip: &ip.0 };
    match load::enter_one(db, &loader, &input).await {
        Ok(id) => Ok(Flash::success(Redirect::to(format!("/contracts/{id}")), "历史登记已补录，已计入登记当月的统计")),
        Err(error) if !error.fields.is_empty() || error.code == ErrorCode::RegistrationNoTaken => {
            let mut errors = error.fields.clone();
            if errors.is_empty() {
                errors.insert("registration_no".into(), error.message.clone());
            }
            Err(Ok(entry_page(&input, &errors)))
        }
        Err(error) => Err(Err(error)),
    }
}

/// Mounted at `/contracts/history`.
pub fn routes() -> Vec<Route> {
    routes![index, template, upload, report, report_xlsx, confirm, entry_form, enter]
}

#[post("/contracts/history", format = "json", data = "<body>")]
async fn enter_api(
    body: Json<HistoryInput>,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<(HttpStatus, Json<Value>), AppError> {
    let loader = Loader { user_id: &admin.0.id, ip: &ip.0 };
    let id = load::enter_one(db, &loader, &body).await?;
    Ok((HttpStatus::Created, Json(json!({"id": id}))))
}

#[post("/contracts/history/imports?<file_name>", data = "<data>")]
async fn upload_api(
    file_name: Option<&str>,
    data: Data<'_>,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<(HttpStatus, Json<Value>), AppError> {
    let bytes = body_file(data).await?;
    let loader = Loader { user_id: &admin.0.id, ip: &ip.0 };
    let (id, checking) = load::upload(db, &loader, file_name.unwrap_or("history.xlsx"), &bytes).await?;
    let summary = load::summary(db, &id).await?;
    Ok((HttpStatus::Created, Json(report_json(&summary, &checking))))
}

#[get("/contracts/history/imports/<id>")]
async fn report_api(id: &str, db: &State<Db>, _admin: AdminUser) -> Result<Json<Value>, AppError> {
    let (summary, checking) = load::checked(db, id).await?;
    Ok(Json(report_json(&summary, &checking)))
}

#[post("/contracts/history/imports/<id>/confirm")]
async fn confirm_api(id: &str, db: &State<Db>, admin: AdminUser, ip: ClientAddr) -> Result<Json<Value>, AppError> {
    let loader = Loader { user_id: &admin.0.id, ip: &ip.0 };
    Ok(Json(json!(load::confirm(db, &loader, id).await?)))
}

/// Mounted at `/api/v1`.
pub fn api() -> Vec<Route> {
    routes![enter_api, upload_api, report_api, confirm_api]
}
