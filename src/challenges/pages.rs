//! Challenge pages: the 揭榜挂帅 board, the poster's terms form, applying, and the decisions.
//! The challenge block on a demand's page is built by [`block`].

use crate::web::input::Form;
use rocket::form::FromForm;
use rocket::http::Status as HttpStatus;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::model::{ApplicationInput, Decision, TermsInput};
use super::service;
use super::store;
use crate::auth::Caller;
use crate::auth::{ActiveUser, ClientAddr, CurrentUser};
use crate::db::Db;
use crate::demands::store::DemandRow;
use crate::demands::{store as demand_store, view as demand_view};
use crate::domain::account::{AccountStatus, Role};
use crate::domain::forms::date_text;
use crate::domain::money::Fen;
use crate::domain::time::today_shanghai;
use crate::error::{AppError, FormFailure};
use crate::web::Page;

/// The challenge block of a demand page (`null` when the demand is no challenge).
pub async fn block(db: &Db, user: Option<&CurrentUser>, demand: &DemandRow) -> Result<Value, AppError> {
    let Some(terms) = store::find_terms(db, &demand.id).await? else {
        return Ok(Value::Null);
    };
    let applications = service::visible_applications(db, user, &demand.id, &demand.organisation_id).await?;
    let poster = user.is_some_and(|u| u.organisation_id.as_deref() == Some(demand.organisation_id.as_str()));
    let mine = user.and_then(|u| applications.iter().find(|a| a.applicant_id == u.id));
    let can_apply = user.is_some_and(|u| u.status == AccountStatus::Active && u.role != Role::Admin)
        && !poster
        && mine.is_none()
        && service::window_open(&terms)
        && terms.selected_application_id.is_none();
    let list: Vec<Value> = applications
        .iter()
        .map(|a| {
            json!({
                "id": a.id, "applicant_name": a.applicant_name, "organisation_name": a.organisation_name, "team": a.team,
                "proposal": a.proposal, "expected_results": a.expected_results, "attachments": a.attachments,
                "status": a.status.code(), "status_label": a.status.label(),
                "can_decide": poster && matches!(a.status.code(), "submitted" | "shortlisted"),
                "can_shortlist": poster && a.status.code() == "submitted",
            })
        })
        .collect();
    Ok(json!({
        "reward_text": Fen(terms.reward_fen).format_compact(),
        "reward_fen": terms.reward_fen,
        "reward_wan": Fen(terms.reward_fen).wan_exact(),
        "apply_from": terms.apply_from,
        "apply_until": terms.apply_until,
        "open": service::window_open(&terms),
        "selected": terms.selected_application_id.is_some(),
        "count": terms.applications,
        "poster": poster,
        "applications": list,
        "mine": mine.map(|a| json!({"id": a.id, "status": a.status.code(), "status_label": a.status.label()})),
        "can_apply": can_apply,
    }))
}

#[get("/")]
async fn board(db: &State<Db>) -> Result<Page, AppError> {
    let today = date_text(today_shanghai());
    let mut items = Vec::new();
    for terms in store::public_challenges(db, &today).await? {
        if let Some(demand) = demand_store::find(db, &terms.demand_id).await? {
            let mut item = demand_view::listing(&demand, false);
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

#[derive(Debug, FromForm)]
struct TermsForm {
    reward: Option<String>,
    apply_from: Option<String>,
    apply_until: Option<String>,
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
    demand_id: &str,
    form: Form<TermsForm>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    let form = form.into_inner();
    let input = TermsInput { reward: form.reward, apply_from: form.apply_from, apply_until: form.apply_until };
    let caller = Caller { user: &user.0, ip: &ip.0 };
    let back = Redirect::to(format!("/demands/{demand_id}"));
    match service::set_terms(db, &caller, demand_id, &input).await {
        Ok(()) => Ok(Flash::success(back, "揭榜挂帅条件已保存")),
        Err(failure) => Ok(Flash::error(back, first_message(failure)?)),
    }
}

#[derive(Debug, FromForm)]
struct ApplicationForm {
    team: Option<String>,
    proposal: Option<String>,
    expected_results: Option<String>,
    attachments: Option<String>,
}

#[post("/<demand_id>/applications", data = "<form>")]
async fn apply(
    demand_id: &str,
    form: Form<ApplicationForm>,
    db: &State<Db>,
    search: &State<crate::search::Search>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let form = form.into_inner();
    let input = ApplicationInput {
        team: form.team,
        proposal: form.proposal,
        expected_results: form.expected_results,
        attachments: form.attachments,
    };
    let caller = Caller { user: &user.0, ip: &ip.0 };
    let back = Redirect::to(format!("/demands/{demand_id}"));
    match service::apply(db, &caller, demand_id, &input).await {
        Ok(_) => Ok(Flash::success(back, "揭榜申请已提交，发榜企业审阅后您会在本页看到结果")),
        // The form comes back with its messages and everything typed.
        Err(FormFailure::Fields(errors)) => {
            Err(crate::demands::pages::detail_page(db, search, Some(&user.0), demand_id, Some((&input, &errors))).await)
        }
        Err(failure) => Ok(Flash::error(back, first_message(failure).map_err(Err)?)),
    }
}

#[post("/applications/<id>/<decision>")]
async fn decide(
    id: &str,
    decision: &str,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    let decision =
        Decision::from_code(decision).ok_or_else(|| AppError::not_found("unknown_action", "没有这个操作"))?;
    let application = store::find_application(db, id)
        .await?
        .ok_or_else(|| AppError::not_found("application_not_found", "揭榜申请不存在"))?;
    let caller = Caller { user: &user.0, ip: &ip.0 };
    let back = Redirect::to(format!("/demands/{}", application.demand_id));
    match service::decide(db, &caller, id, decision).await {
        Ok(to) => Ok(Flash::success(back, format!("已{}，申请状态：{}", decision.label(), to.label()))),
        Err(error) if error.status == HttpStatus::Conflict => Ok(Flash::error(back, error.message)),
        Err(error) => Err(error),
    }
}

/// Mounted at `/challenges`.
pub fn routes() -> Vec<Route> {
    routes![board, set_terms, apply, decide]
}
