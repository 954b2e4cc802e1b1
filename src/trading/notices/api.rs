//! 公示 API: `/api/v1/notices` (public board, publish), one notice (public), corrections as new
//! versions, objections and answers, closing and withdrawal.

use rocket::{Responder, Route, State, get, post, routes};
use serde_json::{Value, json};

use super::model::NoticeInput;
use super::pages::{PER_PAGE, board, whole};
use super::service;
use crate::auth::{Acting, Caller};
use crate::db::Db;
use crate::error::AppError;
use crate::web::input::{Json, OptionalJson};

#[derive(Responder)]
#[response(status = 201, content_type = "json")]
struct Created(Json<Value>);

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Objection {
    reasons: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Answer {
    answer: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Note {
    note: Option<String>,
}

#[get("/notices?<status>&<page>")]
async fn list(db: &State<Db>, status: Option<&str>, page: Option<i64>) -> Result<Json<Value>, AppError> {
    let page = page.unwrap_or(1).clamp(1, 10_000);
    let (items, total) = board(db, status, page).await?;
    Ok(Json(json!({"items": items, "total": total, "page": page, "per_page": PER_PAGE})))
}

#[post("/notices", format = "json", data = "<body>")]
async fn create(body: Json<NoticeInput>, db: &State<Db>, acting: Acting) -> Result<Created, AppError> {
    let id = service::publish(db, &acting.caller(), &body, None).await?;
    Ok(Created(Json(whole(db, Some(&acting.caller()), &id).await?)))
}

#[get("/notices/<id>")]
async fn one(id: &str, db: &State<Db>, acting: Option<Acting>) -> Result<Json<Value>, AppError> {
    Ok(Json(whole(db, acting.as_ref().map(Acting::caller).as_ref(), id).await?))
}

#[post("/notices/<id>/versions", format = "json", data = "<body>")]
async fn correct(id: &str, body: Json<NoticeInput>, db: &State<Db>, acting: Acting) -> Result<Created, AppError> {
    let previous = service::find(db, id).await?;
    let new = service::publish(db, &acting.caller(), &body, Some(&previous)).await?;
    Ok(Created(Json(whole(db, Some(&acting.caller()), &new).await?)))
}

async fn answer_with(db: &Db, caller: &Caller<'_>, id: &str) -> Result<Json<Value>, AppError> {
    Ok(Json(whole(db, Some(caller), id).await?))
}

#[post("/notices/<id>/objections", format = "json", data = "<body>")]
async fn object(id: &str, body: Json<Objection>, db: &State<Db>, acting: Acting) -> Result<Created, AppError> {
    service::object(db, &acting.caller(), id, body.reasons.as_deref()).await?;
    Ok(Created(answer_with(db, &acting.caller(), id).await?))
}

#[post("/notices/<id>/objections/<objection>/answer", format = "json", data = "<body>")]
async fn answer(
    id: &str,
    objection: &str,
    body: Json<Answer>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Json<Value>, AppError> {
    service::answer(db, &acting.caller(), id, objection, body.answer.as_deref()).await?;
    answer_with(db, &acting.caller(), id).await
}

#[post("/notices/<id>/close", data = "<body>")]
async fn close(id: &str, body: OptionalJson<Note>, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    let note = body.into_inner().and_then(|b| b.note);
    service::close(db, &acting.caller(), id, false, note.as_deref()).await?;
    answer_with(db, &acting.caller(), id).await
}

#[post("/notices/<id>/withdraw", data = "<body>")]
async fn withdraw(id: &str, body: OptionalJson<Note>, db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    let note = body.into_inner().and_then(|b| b.note);
    service::close(db, &acting.caller(), id, true, note.as_deref()).await?;
    answer_with(db, &acting.caller(), id).await
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, create, one, correct, object, answer, close, withdraw]
}
