//! `/saved-searches`: the person's saved searches (what each looks for, how it tells, what it
//! found), saving the search page's current search, and deleting one.

use std::collections::BTreeMap;

use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::model::{SavedSearchInput, describe};
use super::notify::link;
use super::service;
use super::store;
use crate::auth::{ActiveUser, CurrentUser};
use crate::db::Db;
use crate::domain::time::chinese_datetime_text;
use crate::error::{AppError, FormFailure};
use crate::web::input::Form;
use crate::web::page::Page;

#[get("/")]
async fn index(db: &State<Db>, user: CurrentUser, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let searches: Vec<Value> = store::of_user(db, &user.id)
        .await?
        .iter()
        .map(|s| {
            json!({"saved": s, "describe": describe(&s.params), "link": link(&s.params),
                "created": chinese_datetime_text(&s.created_at)})
        })
        .collect();
    let data = json!({"searches": searches, "max": super::model::MAX_PER_USER, "has_organisation": user.organisation_id.is_some()});
    Ok(Page::new("saved_searches/index", "我的订阅", data).with_flash(flash))
}

/// The search page's form: the search's parameters, a name, the ways ticked.
#[derive(Debug, rocket::FromForm)]
struct Save {
    name: Option<String>,
    params: BTreeMap<String, String>,
    /// `inbox`, `digest`, `webhook`.
    channels: Vec<String>,
}

#[post("/", data = "<form>")]
async fn create(form: Form<Save>, db: &State<Db>, user: ActiveUser) -> Result<Flash<Redirect>, AppError> {
    let back = Redirect::to("/saved-searches");
    let form = form.into_inner();
    let ticked = |way: &str| Some(form.channels.iter().any(|c| c == way));
    let input = SavedSearchInput {
        name: form.name,
        params: form.params,
        notify_inbox: ticked("inbox"),
        notify_digest: ticked("digest"),
        notify_webhook: ticked("webhook"),
    };
    match service::create(db, &user.0, &input).await {
        Ok(saved) => Ok(Flash::success(back, format!("已保存订阅“{}”，有新发布的匹配条目时会提醒您", saved.name))),
        Err(FormFailure::Fields(errors)) => {
            let message = errors.values().cloned().collect::<Vec<_>>().join("；");
            Ok(Flash::error(back, format!("订阅没有保存：{message}")))
        }
        Err(FormFailure::Other(error)) => Err(error),
    }
}

#[post("/<id>/delete")]
async fn delete(id: &str, db: &State<Db>, user: CurrentUser) -> Result<Flash<Redirect>, AppError> {
    service::delete(db, &user, id).await?;
    Ok(Flash::success(Redirect::to("/saved-searches"), "订阅已删除"))
}

/// Mounted at `/saved-searches`.
pub fn routes() -> Vec<Route> {
    routes![index, create, delete]
}
