//! `/admin/calendar` (administrators enter each year's holiday notice) and the API beside it:
//! `GET /api/v1/calendar/notices` (public) and `PUT /api/v1/calendar/notices/{year}`.

use crate::web::input::Form;
use crate::web::input::Json;
use rocket::form::FromForm;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, put, routes};
use serde_json::{Value, json};

use super::model::{self, NoticeInput};
use super::store::{self, SaveError};
use crate::auth::{AdminUser, ClientAddr};
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::domain::time::today_shanghai;
use crate::error::AppError;
use crate::web::Page;

/// The page's form: the runs and make-up days as text lines.
#[derive(Debug, Clone, Default, FromForm, serde::Serialize)]
pub struct NoticeForm {
    pub year: Option<i32>,
    pub document: Option<String>,
    pub published_on: Option<String>,
    pub holidays: Option<String>,
    pub workdays: Option<String>,
}

impl NoticeForm {
    fn input(&self) -> NoticeInput {
        let (holidays, workdays) = model::from_lines(
            self.holidays.as_deref().unwrap_or_default(),
            self.workdays.as_deref().unwrap_or_default(),
        );
        NoticeInput {
            year: self.year,
            document: self.document.clone(),
            published_on: self.published_on.clone(),
            holidays,
            workdays,
        }
    }
}

async fn page_of(db: &Db, values: &NoticeForm, errors: &FieldErrors) -> Result<Page, AppError> {
    let calendar = store::load(db).await?;
    let notices = store::notices(db).await?;
    let rows: Vec<Value> = notices
        .iter()
        .map(|n| {
            let (holidays, workdays) = model::to_lines(&n.holidays, &n.workdays);
            json!({"notice": n, "holidays_text": holidays, "workdays_text": workdays})
        })
        .collect();
    let data = json!({
        "notices": rows,
        "known_until": calendar.known_until(),
        "next_year": today_shanghai().year() + 1,
        "values": values,
        "errors": errors,
    });
    let status = if errors.is_empty() { rocket::http::Status::Ok } else { rocket::http::Status::UnprocessableEntity };
    Ok(Page::new("calendar/index", "法定节假日与调休安排", data).with_status(status))
}

#[get("/")]
async fn page(db: &State<Db>, _admin: AdminUser, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let values = NoticeForm { year: Some(today_shanghai().year() + 1), ..<NoticeForm as Default>::default() };
    Ok(page_of(db, &values, &FieldErrors::new()).await?.with_flash(flash))
}

#[post("/", data = "<form>")]
async fn save_page(
    form: Form<NoticeForm>,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let values = form.into_inner();
    let errors = match model::check(&values.input(), today_shanghai()) {
        Ok(notice) => match store::save(db, &admin.0.id, &ip.0, &notice).await {
            Ok(replaced) => {
                let verb = if replaced { "已更新" } else { "已录入" };
                let message = format!("{} 年放假安排{verb}；此后受理的合同按新的安排计算办结期限", notice.year);
                return Ok(Flash::success(Redirect::to("/admin/calendar"), message));
            }
            Err(SaveError::Fields(errors)) => errors,
            Err(SaveError::Other(error)) => return Err(Err(error)),
        },
        Err(errors) => errors,
    };
    Err(page_of(db, &values, &errors).await)
}

#[get("/calendar/notices")]
async fn list_api(db: &State<Db>) -> Result<Json<Value>, AppError> {
    let calendar = store::load(db).await?;
    Ok(Json(json!({"items": store::notices(db).await?, "known_until": calendar.known_until()})))
}

#[put("/calendar/notices/<year>", format = "json", data = "<body>")]
async fn save_api(
    year: i32,
    body: Json<NoticeInput>,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Json<Value>, AppError> {
    let mut input = body.into_inner();
    if input.year.is_some_and(|y| y != year) {
        return Err(AppError::validation(FieldErrors::new()).with_field("year", "请求体中的年份与地址中的年份不一致"));
    }
    input.year = Some(year);
    let notice = model::check(&input, today_shanghai()).map_err(AppError::validation)?;
    match store::save(db, &admin.0.id, &ip.0, &notice).await {
        Ok(replaced) => {
            let saved = store::notices(db).await?.into_iter().find(|n| n.year == year);
            Ok(Json(json!({"replaced": replaced, "notice": saved})))
        }
        Err(SaveError::Fields(errors)) => Err(AppError::validation(errors)),
        Err(SaveError::Other(error)) => Err(error),
    }
}

/// Mounted at `/admin/calendar`.
pub fn pages() -> Vec<Route> {
    routes![page, save_page]
}

/// Mounted at `/api/v1`.
pub fn api() -> Vec<Route> {
    routes![list_api, save_api]
}
