//! `/offerings`: the 挂牌 list, the listing form, an offering's page (price, period, conditions,
//! the intent form for enterprises, the intents for the seller, the 竞价 it moved into), and the
//! forms to register intent and withdraw.

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{FromForm, Route, State, get, post, routes};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::model::{OfferingInput, OfferingStatus};
use super::service;
use super::store::{self, OfferingRow};
use crate::auth::{Acting, ActiveUser, Caller, CurrentUser};
use crate::db::Db;
use crate::domain::account::Role;
use crate::domain::forms::FieldErrors;
use crate::domain::money::Fen;
use crate::domain::time::{chinese_datetime_text, now_stored};
use crate::error::{AppError, FormFailure};
use crate::trading::rules::{self, flash_back};
use crate::web::Page;
use crate::web::input::Form;

#[derive(Debug, Clone, Serialize)]
pub struct OfferingView {
    pub id: String,
    pub achievement_id: String,
    pub title: String,
    pub organisation_id: String,
    pub seller_name: String,
    pub price_fen: i64,
    pub price_text: String,
    pub increment_text: String,
    pub conditions: String,
    pub starts_at: String,
    pub ends_at: String,
    pub period_label: String,
    pub status: String,
    pub status_label: &'static str,
    pub taking_intents: bool,
    pub intents: i64,
    pub auction_id: Option<String>,
    pub buyer_organisation_id: Option<String>,
    pub buyer_name: Option<String>,
    pub is_demo: bool,
}

pub fn view(row: OfferingRow, now: &str) -> OfferingView {
    let status = OfferingStatus::from_code(&row.status).unwrap_or(OfferingStatus::Open);
    let taking_intents = status == OfferingStatus::Open && now < row.ends_at.as_str();
    OfferingView {
        status_label: if status == OfferingStatus::Open && !taking_intents {
            "挂牌期满，结果确认中"
        } else {
            status.label()
        },
        price_text: Fen(row.price_fen).format_wan(),
        increment_text: Fen(row.increment_fen).format_wan(),
        period_label: format!("{} 至 {}", chinese_datetime_text(&row.starts_at), chinese_datetime_text(&row.ends_at)),
        is_demo: row.is_demo == 1,
        taking_intents,
        id: row.id,
        achievement_id: row.achievement_id,
        title: row.title,
        organisation_id: row.organisation_id,
        seller_name: row.seller_name,
        price_fen: row.price_fen,
        conditions: row.conditions,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        status: row.status,
        intents: row.intents,
        auction_id: row.auction_id,
        buyer_organisation_id: row.buyer_organisation_id,
        buyer_name: row.buyer_name,
    }
}

pub async fn listed(db: &Db) -> Result<Vec<OfferingView>, AppError> {
    let now = now_stored();
    Ok(store::list(db, 100).await?.into_iter().map(|r| view(r, &now)).collect())
}

#[get("/")]
async fn index(db: &State<Db>, user: Option<CurrentUser>, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let data = json!({"items": listed(db).await?, "signed_in": user.is_some()});
    Ok(Page::new("trading/offerings_index", "挂牌交易", data).with_flash(flash))
}

async fn form_page(db: &Db, user: &CurrentUser, input: &OfferingInput, errors: &FieldErrors) -> Result<Page, AppError> {
    let achievements = rules::pick(rules::own_choices(db, user).await?, input.achievement_id.as_deref());
    let data = json!({"values": input, "errors": errors, "achievements": achievements});
    let status = if errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    Ok(Page::new("trading/offering_form", "挂牌交易", data).with_status(status))
}

#[get("/new?<achievement>")]
async fn new_form(db: &State<Db>, user: ActiveUser, achievement: Option<&str>) -> Result<Page, AppError> {
    let input = OfferingInput { achievement_id: achievement.map(str::to_string), ..Default::default() };
    form_page(db, &user.0, &input, &FieldErrors::new()).await
}

#[post("/", data = "<form>")]
async fn create(
    form: Form<OfferingInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    match service::create(db, &acting.caller(), &input).await {
        Ok(id) => Ok(Flash::success(Redirect::to(format!("/offerings/{id}")), "已挂牌，挂牌期内企业可以登记受让意向")),
        Err(FormFailure::Fields(errors)) => Err(form_page(db, &acting.user, &input, &errors).await),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

/// The offering (settled first if its period has ended) with what this caller may see and do.
pub async fn whole(db: &Db, caller: Option<&Caller<'_>>, id: &str) -> Result<Value, AppError> {
    let mut row = service::find(db, id).await?;
    if row.status == "open" && row.ends_at.as_str() <= now_stored().as_str() {
        service::settle_one(db, &row.id, OffsetDateTime::now_utc()).await?;
        row = service::find(db, id).await?;
    }
    let manages = caller.is_some_and(|c| service::manages(c, &row));
    let org = caller.and_then(|c| c.user.organisation_id.clone());
    let mut conn = db.pool().acquire().await?;
    let intents = store::intents(&mut conn, &row.id).await?;
    drop(conn);
    let mine = org.as_deref().is_some_and(|o| intents.iter().any(|i| i.organisation_id == o));
    let offering = view(row, &now_stored());
    let enterprise = caller.is_some_and(|c| c.active() && c.user.role == Role::Enterprise)
        && org.as_deref() != Some(offering.organisation_id.as_str());
    let buyer = offering.buyer_organisation_id.is_some() && offering.buyer_organisation_id == org;
    let may = json!({
        "intent": offering.taking_intents && enterprise && !mine,
        "withdraw": manages && offering.taking_intents && offering.intents == 0,
        "draft_contract": offering.status == "agreed" && (manages || buyer),
    });
    let intents: Option<Vec<Value>> = manages.then(|| {
        intents
            .into_iter()
            .map(|i| {
                json!({"organisation_id": i.organisation_id, "name": i.name, "statement": i.statement,
            "registered_label": chinese_datetime_text(&i.registered_at)})
            })
            .collect()
    });
    Ok(json!({"offering": offering, "intents": intents, "registered": mine, "may": may}))
}

#[get("/<id>", rank = 2)]
async fn detail(
    id: &str,
    db: &State<Db>,
    acting: Option<Acting>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let data = whole(db, acting.as_ref().map(Acting::caller).as_ref(), id).await?;
    let title = format!("挂牌：{}", data["offering"]["title"].as_str().unwrap_or_default());
    Ok(Page::new("trading/offering_detail", title, data).with_flash(flash))
}

#[derive(Debug, FromForm)]
struct Intent<'r> {
    statement: Option<&'r str>,
}

#[post("/<id>/intents", data = "<form>")]
async fn intent(id: &str, form: Form<Intent<'_>>, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let outcome = service::register_intent(db, &acting.caller(), id, form.statement).await;
    flash_back(
        format!("/offerings/{id}"),
        outcome.map(|()| "受让意向已登记；挂牌期满只有一家时按挂牌价成交，多家时转入竞价".to_string()),
    )
}

#[post("/<id>/withdraw")]
async fn withdraw(id: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let outcome = service::withdraw(db, &acting.caller(), id).await.map_err(FormFailure::Other);
    flash_back(format!("/offerings/{id}"), outcome.map(|()| "已撤牌".to_string()))
}

/// Mounted at `/offerings`.
pub fn routes() -> Vec<Route> {
    routes![index, new_form, create, detail, intent, withdraw]
}
