//! Challenge pages: the 揭榜挂帅 board, the poster's terms form, applying, and the decisions.
//! The challenge block on a demand's page is built in `block`.

use crate::listings::ListingView;
use crate::web::input::Form;
use rocket::http::Status as HttpStatus;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::json;

use super::model::{ApplicationInput, Decision, TermsInput};
use super::service;
use super::store;
use crate::auth::Acting;
use crate::db::Db;
use crate::demands::detail::{Returned, detail_page};
use crate::demands::listing::Demands;
use crate::domain::forms::date_text;
use crate::domain::ids::{ApplicationId, DemandId};
use crate::domain::money::Fen;
use crate::domain::time::today_shanghai;
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::listings::store as listing_store;
use crate::web::Page;

#[get("/")]
async fn board(db: &State<Db>) -> Result<Page, AppError> {
    let today = date_text(today_shanghai());
    let mut items = Vec::new();
    for terms in store::public_challenges(db, &today).await? {
        if let Some(demand) = listing_store::find::<Demands>(db, &terms.demand_id).await? {
            let mut item = json!(Demands::view(&demand, false));
            item["challenge"] = json!({
                "reward_text": Fen(terms.reward_fen).format_compact(),
                "apply_from": terms.apply_from,
                "apply_until": terms.apply_until,
                "open": service::window_open(&terms),
                "selected": terms.selected_application_id.is_some(),
                "count": terms.applications,
            });
            items.push(item);
        }
    }
    Ok(Page::new("challenges/index", "揭榜挂帅", json!({"items": items})))
}

/// 我的揭榜申请: the caller's applications and where each stands.
#[get("/mine")]
async fn mine(db: &State<Db>, acting: Acting) -> Result<Page, AppError> {
    let items: Vec<_> = store::applications_of(db, &acting.user.id)
        .await?
        .into_iter()
        .map(|(a, title)| {
            json!({"demand_id": a.demand_id, "demand_title": title, "team": a.team, "status": a.status.code(),
                "status_label": a.status.label(), "created_at": crate::domain::time::chinese_datetime_text(&a.created_at)})
        })
        .collect();
    Ok(Page::new("challenges/mine", "我的揭榜申请", json!({"items": items})))
}

fn first_message(failure: FormFailure) -> Result<String, AppError> {
    match failure {
        FormFailure::Fields(fields) => Ok(fields.into_values().collect::<Vec<_>>().join("；")),
        FormFailure::Other(error) if error.status == HttpStatus::Conflict => Ok(error.message),
        FormFailure::Other(error) => Err(error),
    }
}

#[post("/<demand_id>/terms", data = "<form>")]
async fn set_terms(
    demand_id: Result<DemandId, uuid::Error>,
    form: Form<TermsInput>,
    db: &State<Db>,
    search: &State<crate::search::Search>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    let demand_id = service::demand_id(demand_id).map_err(Err)?;
    let caller = acting.caller();
    let back = Redirect::to(format!("/demands/{demand_id}"));
    match service::set_terms(db, &caller, demand_id, &input).await {
        Ok(()) => Ok(Flash::success(back, "揭榜挂帅条件已保存")),
        // The terms form comes back with its messages beside the fields and what was typed.
        Err(FormFailure::Fields(errors)) => {
            let returned = Returned::Terms(&input, &errors);
            Err(detail_page(db, search, Some(&acting.user), demand_id, Some(returned)).await)
        }
        Err(failure) => Ok(Flash::error(back, first_message(failure).map_err(Err)?)),
    }
}

#[post("/<demand_id>/applications", data = "<form>")]
async fn apply(
    demand_id: Result<DemandId, uuid::Error>,
    form: Form<ApplicationInput>,
    db: &State<Db>,
    search: &State<crate::search::Search>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    let demand_id = service::demand_id(demand_id).map_err(Err)?;
    let caller = acting.caller();
    let back = Redirect::to(format!("/demands/{demand_id}"));
    match service::apply(db, &caller, demand_id, &input).await {
        Ok(_) => Ok(Flash::success(back, "揭榜申请已提交，发榜企业审阅后您会在本页看到结果")),
        // The form comes back with its messages and everything typed.
        Err(FormFailure::Fields(errors)) => {
            let returned = Returned::Application(&input, &errors);
            Err(detail_page(db, search, Some(&acting.user), demand_id, Some(returned)).await)
        }
        Err(failure) => Ok(Flash::error(back, first_message(failure).map_err(Err)?)),
    }
}

#[post("/applications/<id>/<decision>")]
async fn decide(
    id: Result<ApplicationId, uuid::Error>,
    decision: &str,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, AppError> {
    let decision = Decision::from_code(decision).ok_or_else(AppError::unknown_action)?;
    let id = service::application_id(id)?;
    let application = store::find_application(db, &id.to_string())
        .await?
        .ok_or_else(|| AppError::not_found(ErrorCode::ApplicationNotFound, "揭榜申请不存在"))?;
    let caller = acting.caller();
    let back = Redirect::to(format!("/demands/{}", application.demand_id));
    match service::decide(db, &caller, id, decision).await {
        Ok(to) => Ok(Flash::success(back, format!("已{}，申请状态：{}", decision.label(), to.label()))),
        Err(error) if error.status == HttpStatus::Conflict => Ok(Flash::error(back, error.message)),
        Err(error) => Err(error),
    }
}

/// Mounted at `/challenges`.
pub fn routes() -> Vec<Route> {
    routes![mine, board, set_terms, apply, decide]
}
