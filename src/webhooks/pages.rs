//! `/webhooks`: an organisation's endpoints (add, remove, send a test event) and each one's
//! delivery log, where a given-up delivery can be sent again. A new endpoint's secret is shown
//! once, on the page that answers the form.

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::api::LOG_LENGTH;
use super::service::{self, HookInput};
use super::store;
use crate::auth::Acting;
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::domain::time::chinese_datetime_text;
use crate::error::{AppError, FormFailure};
use crate::web::Page;
use crate::web::input::Form;

async fn index_page(
    db: &Db,
    acting: &Acting,
    input: &HookInput,
    errors: &FieldErrors,
    secret: Option<(String, String)>,
) -> Result<Page, AppError> {
    let caller = acting.caller();
    let organisation = service::organisation(&caller)?;
    let hooks: Vec<Value> = store::list_for(db, organisation)
        .await?
        .into_iter()
        .map(|h| json!({"id": h.id, "url": h.url, "created_label": chinese_datetime_text(&h.created_at)}))
        .collect();
    let created = secret.map(|(id, secret)| json!({"id": id, "secret": secret}));
    let data = json!({"hooks": hooks, "values": input, "errors": errors, "created": created,
        "max": store::MAX_HOOKS, "organisation": acting.user.organisation_name});
    let status = if errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    Ok(Page::new("webhooks/index", "Webhook 推送", data).with_status(status))
}

#[get("/")]
async fn index(db: &State<Db>, acting: Acting, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    Ok(index_page(db, &acting, &HookInput::default(), &FieldErrors::new(), None).await?.with_flash(flash))
}

#[post("/", data = "<form>")]
async fn create(form: Form<HookInput>, db: &State<Db>, acting: Acting) -> Result<Page, AppError> {
    let input = form.into_inner();
    match service::create(db, &acting.caller(), &input).await {
        Ok(created) => Ok(index_page(db, &acting, &HookInput::default(), &FieldErrors::new(), Some(created))
            .await?
            .with_notice("success", "已添加接收地址。请立即复制签名密钥，离开本页后将不再显示。")),
        Err(FormFailure::Fields(errors)) => index_page(db, &acting, &input, &errors, None).await,
        Err(FormFailure::Other(error)) => Err(error),
    }
}

fn delivery_view(d: store::Delivery) -> Value {
    let label = match d.status.as_str() {
        "delivered" => "已送达",
        "failed" => "已放弃",
        _ => "等待重试",
    };
    json!({
        "id": d.id, "event": d.event, "status": d.status, "status_label": label, "attempts": d.attempts,
        "last_status": d.last_status, "last_error": d.last_error,
        "created_label": chinese_datetime_text(&d.created_at),
        "next_label": if d.status == "pending" { chinese_datetime_text(&d.next_attempt_at) } else { String::new() },
        "delivered_label": d.delivered_at.as_deref().map(chinese_datetime_text),
        "retryable": d.status == "failed",
    })
}

#[get("/<id>")]
async fn log(id: &str, db: &State<Db>, acting: Acting, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let hook = service::managed(db, &acting.caller(), id).await?;
    let deliveries: Vec<Value> =
        store::deliveries(db, &hook.id, LOG_LENGTH).await?.into_iter().map(delivery_view).collect();
    let data = json!({"hook": hook, "deliveries": deliveries});
    Ok(Page::new("webhooks/log", "投递记录", data).with_flash(flash))
}

#[post("/<id>/delete")]
async fn remove(id: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    service::remove(db, &acting.caller(), id).await?;
    Ok(Flash::success(Redirect::to("/webhooks"), "已删除接收地址，尚未送达的消息不再发送"))
}

#[post("/<id>/ping")]
async fn ping(id: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    service::ping(db, &acting.caller(), id).await?;
    Ok(Flash::success(Redirect::to(format!("/webhooks/{id}")), "已排队发送一条测试消息（ping）"))
}

#[post("/<id>/deliveries/<delivery>/retry")]
async fn retry(id: &str, delivery: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let back = Redirect::to(format!("/webhooks/{id}"));
    match service::retry(db, &acting.caller(), id, delivery).await {
        Ok(()) => Ok(Flash::success(back, "已重新排队发送")),
        Err(error) if error.status == Status::Conflict => Ok(Flash::error(back, error.message)),
        Err(error) => Err(error),
    }
}

/// Mounted at `/webhooks`.
pub fn routes() -> Vec<Route> {
    routes![index, create, log, remove, ping, retry]
}
