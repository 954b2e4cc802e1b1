//! `/auctions`: the list (running and coming, then finished), the organiser's form, the live
//! auction page (price, countdown, anonymised bid history, the bid form; a small static script
//! follows the event stream, and the page still works with a refresh), qualification of bidders
//! and cancellation.

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{FromForm, Route, State, get, post, routes};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::bidding::{self, BidInput};
use super::live::Hub;
use super::model::{AuctionInput, DEFAULT_EXTEND_MINUTES};
use super::{service, settle, store, view};
use crate::auth::{Acting, ActiveUser, Caller, CurrentUser};
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::domain::time::now_stored;
use crate::error::{AppError, FormFailure};
use crate::trading::rules::{self, flash_back};
use crate::web::Page;
use crate::web::input::Form;

/// Auctions each half of the list shows.
pub const LISTED: i64 = 50;
/// Bids the page and the API show (newest first).
pub const HISTORY: i64 = 100;

pub async fn listed(db: &Db, finished: bool) -> Result<Vec<view::AuctionView>, AppError> {
    let now = now_stored();
    Ok(store::list(db, &now, finished, LISTED).await?.into_iter().map(|row| view::view(row, &now, false)).collect())
}

#[get("/")]
async fn index(db: &State<Db>, acting: Option<Acting>, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let running = listed(db, false).await?;
    let done = listed(db, true).await?;
    let can_create = acting.as_ref().is_some_and(|a| service::may_create(&a.caller()));
    let data = json!({"running": running, "finished": done, "can_create": can_create});
    Ok(Page::new("trading/auctions_index", "竞价交易", data).with_flash(flash))
}

async fn form_page(db: &Db, user: &CurrentUser, input: &AuctionInput, errors: &FieldErrors) -> Result<Page, AppError> {
    let achievements = rules::pick(
        crate::listings::store::public_choices(
            db,
            crate::listings::Kind::Achievement,
            crate::listings::store::FORM_CHOICES,
        )
        .await?,
        input.achievement_id.as_deref(),
    );
    let agencies: Vec<Value> = if user.is_admin {
        let all = crate::orgs::store::list_by_kinds(db, crate::domain::org::OrganisationKind::ALL).await?;
        crate::orgs::store::choices(&all, input.agency_organisation_id.as_deref())
    } else {
        Vec::new()
    };
    let data = json!({"values": input, "errors": errors, "achievements": achievements, "agencies": agencies});
    let status = if errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    Ok(Page::new("trading/auction_form", "组织竞价", data).with_status(status))
}

#[get("/new?<achievement>")]
async fn new_form(db: &State<Db>, user: ActiveUser, achievement: Option<&str>) -> Result<Page, AppError> {
    if !(user.0.is_admin || user.0.role == crate::domain::account::Role::Broker) {
        return Err(AppError::forbidden(
            crate::error::ErrorCode::CannotTrade,
            "只有管理员和承办机构的已审核技术经纪人可以组织竞价",
        ));
    }
    let input = AuctionInput {
        achievement_id: achievement.map(str::to_string),
        extend_minutes: Some(DEFAULT_EXTEND_MINUTES),
        ..Default::default()
    };
    form_page(db, &user.0, &input, &FieldErrors::new()).await
}

#[post("/", data = "<form>")]
async fn create(
    form: Form<AuctionInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    match service::create(db, &acting.caller(), &input).await {
        Ok(id) => {
            Ok(Flash::success(Redirect::to(format!("/auctions/{id}")), "竞价已创建，请为缴纳保证金的企业开通竞买资格"))
        }
        Err(FormFailure::Fields(errors)) => Err(form_page(db, &acting.user, &input, &errors).await),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

/// The auction (settled first if its end has passed) with what this caller may see and do.
pub async fn whole(db: &Db, hub: &Hub, caller: Option<&Caller<'_>>, id: &str) -> Result<Value, AppError> {
    let mut row = service::find(db, id).await?;
    if row.status == "open" && row.ends_at.as_str() <= now_stored().as_str() {
        if let Some(event) = settle::one(db, &row.id, OffsetDateTime::now_utc()).await? {
            hub.publish(event);
        }
        row = service::find(db, id).await?;
    }
    let organises = caller.is_some_and(|c| service::organises(c, &row));
    let sees_reserve = caller.is_some_and(|c| service::sees_reserve(c, &row));
    let org = caller.and_then(|c| c.user.organisation_id.clone());
    let number = match (&org, caller) {
        (Some(org), Some(c)) if c.active() => store::bidder_number(db, &row.id, org).await?,
        _ => None,
    };
    let bidders = if organises { Some(store::bidders(db, &row.id).await?) } else { None };
    let bids = view::bids(store::bids(db, &row.id, HISTORY).await?, org.as_deref());
    let seller = caller.is_some_and(|c| c.member_of(&row.seller_organisation_id));
    let leading = org.is_some() && row.leader_organisation_id == org;
    let auction = view::view(row, &now_stored(), sees_reserve);
    let winner_member = auction.winner_organisation_id.is_some() && auction.winner_organisation_id == org;
    let may = json!({
        "bid": number.is_some() && matches!(auction.phase, "running"),
        "organise": organises,
        "cancel": organises && auction.bid_count == 0 && auction.status == "open",
        "draft_contract": auction.phase == "sold" && (organises || seller || winner_member),
    });
    let mine = number.map(|n| json!({"number": n, "label": view::bidder_label(n), "leading": leading}));
    Ok(json!({"auction": auction, "bids": bids, "bidders": bidders, "mine": mine, "may": may}))
}

#[get("/<id>", rank = 2)]
async fn detail(
    id: &str,
    db: &State<Db>,
    hub: &State<Hub>,
    acting: Option<Acting>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let mut data = whole(db, hub, acting.as_ref().map(Acting::caller).as_ref(), id).await?;
    let title = format!("竞价：{}", data["auction"]["title"].as_str().unwrap_or_default());
    let enterprises = if data["may"]["organise"] == json!(true) {
        let mut all =
            crate::orgs::store::list_by_kinds(db, &[crate::domain::org::OrganisationKind::Enterprise]).await?;
        all.retain(|o| data["auction"]["seller_organisation_id"].as_str() != Some(o.id.as_str()));
        crate::orgs::store::choices(&all, None)
    } else {
        Vec::new()
    };
    data["enterprises"] = json!(enterprises);
    Ok(Page::new("trading/auction_detail", title, data).with_flash(flash))
}

fn back(id: &str) -> String {
    format!("/auctions/{id}")
}

#[post("/<id>/bids", data = "<form>")]
async fn bid(
    id: &str,
    form: Form<BidInput>,
    db: &State<Db>,
    hub: &State<Hub>,
    acting: Acting,
) -> Result<Flash<Redirect>, AppError> {
    let outcome = bidding::place(db, &acting.caller(), id, &form, OffsetDateTime::now_utc()).await.map(|accepted| {
        hub.publish(view::bid_event(&accepted));
        let extended = if accepted.extended { "，结束时间已顺延" } else { "" };
        format!("出价成功：{}{extended}", crate::domain::money::Fen(accepted.amount_fen).format_wan())
    });
    flash_back(back(id), outcome)
}

#[derive(Debug, FromForm)]
struct Qualify<'r> {
    organisation_id: Option<&'r str>,
    note: Option<&'r str>,
}

#[post("/<id>/bidders", data = "<form>")]
async fn qualify(
    id: &str,
    form: Form<Qualify<'_>>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, AppError> {
    let outcome = service::qualify(db, &acting.caller(), id, form.organisation_id, form.note).await;
    flash_back(back(id), outcome.map(|()| "已开通竞买资格".to_string()))
}

#[post("/<id>/cancel")]
async fn cancel(id: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let outcome = service::cancel(db, &acting.caller(), id).await.map_err(FormFailure::Other);
    flash_back(back(id), outcome.map(|()| "竞价已取消".to_string()))
}

/// Mounted at `/auctions`.
pub fn routes() -> Vec<Route> {
    routes![index, new_form, create, detail, bid, qualify, cancel]
}
