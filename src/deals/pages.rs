//! 对接项目 pages: the list of deals a person is part of, the form a broker opens one with, the
//! deal page (parties, timeline, notes, the next steps) and its forms.

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::service::{self, DealInput, NoteInput, StepInput};
use super::stage::{Action, Stage};
use super::store::{self, Scope};
use super::view;
use crate::auth::{Acting, ActiveUser};
use crate::db::Db;
use crate::domain::account::Role;
use crate::domain::forms::FieldErrors;
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::listings::Kind;
use crate::listings::store::{FORM_CHOICES, public_choices};
use crate::web::Page;
use crate::web::input::Form;
use crate::web::request_state::CurrentUser;

/// Whose deals a person's list shows.
pub fn scope_of(user: &CurrentUser) -> Scope<'_> {
    if user.is_admin {
        Scope::Everything
    } else {
        Scope::Involving { user_id: &user.id, organisation_id: user.organisation_id.as_deref() }
    }
}

#[get("/?<stage>")]
async fn index(
    db: &State<Db>,
    user: ActiveUser,
    stage: Option<&str>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let chosen = stage.and_then(Stage::from_code);
    let deals = store::list(db, &scope_of(&user.0), chosen, 300).await?;
    let stages: Vec<Value> = Stage::ALL
        .iter()
        .map(|s| json!({"code": s.code(), "label": s.label(), "selected": Some(*s) == chosen}))
        .collect();
    let opens = user.0.is_admin || user.0.role == Role::Broker;
    let data = json!({"deals": deals, "stages": stages, "can_open": opens, "stage": chosen.map(Stage::code)});
    Ok(Page::new("deals/index", "对接项目", data).with_flash(flash))
}

async fn form_page(db: &Db, user: &CurrentUser, input: &DealInput, errors: &FieldErrors) -> Result<Page, AppError> {
    let pick = |rows: Vec<(String, String)>, chosen: &[String]| -> Vec<Value> {
        rows.into_iter()
            .map(|(id, title)| json!({"selected": chosen.contains(&id), "code": id, "label": title}))
            .collect()
    };
    let demand = input.demand_id.clone().into_iter().collect::<Vec<_>>();
    let demands = pick(public_choices(db, Kind::Demand, FORM_CHOICES).await?, &demand);
    let achievements = pick(public_choices(db, Kind::Achievement, FORM_CHOICES).await?, &input.achievement_ids);
    let organisations = crate::orgs::store::list_by_kinds(db, crate::domain::org::OrganisationKind::ALL).await?;
    let orgs = |chosen: &Option<String>| crate::orgs::store::choices(&organisations, chosen.as_deref());
    let brokers: Vec<Value> = crate::auth::store::active_brokers(db)
        .await?
        .into_iter()
        .map(|(id, name)| json!({"selected": input.broker_user_id.as_deref() == Some(id.as_str()), "code": id, "label": name}))
        .collect();
    let since = crate::domain::time::to_stored(time::OffsetDateTime::now_utc() - time::Duration::days(180));
    let salons: Vec<Value> = crate::salons::store::recent_choices(db, &since)
        .await?
        .into_iter()
        .map(|(id, theme)| json!({"selected": input.salon_id.as_deref() == Some(id.as_str()), "code": id, "label": theme}))
        .collect();
    let data = json!({
        "values": input, "errors": errors, "demands": demands, "achievements": achievements, "salons": salons,
        "buyers": orgs(&input.buyer_organisation_id), "sellers": orgs(&input.seller_organisation_id),
        "brokers": brokers, "choose_broker": user.is_admin,
    });
    let status = if errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    Ok(Page::new("deals/form", "新建对接项目", data).with_status(status))
}

fn opener(user: &CurrentUser) -> Result<(), AppError> {
    let broker = user.role == Role::Broker && user.status == crate::domain::account::AccountStatus::Active;
    if user.is_admin || broker {
        Ok(())
    } else {
        Err(AppError::forbidden(ErrorCode::CannotOpenDeal, "只有已审核的技术经纪人和管理员可以创建对接项目"))
    }
}

#[get("/new?<demand>&<achievement>&<salon>")]
async fn new_form(
    db: &State<Db>,
    user: ActiveUser,
    demand: Option<&str>,
    achievement: Option<&str>,
    salon: Option<&str>,
) -> Result<Page, AppError> {
    opener(&user.0)?;
    let input = DealInput {
        salon_id: salon.map(str::to_string),
        demand_id: demand.map(str::to_string),
        achievement_ids: achievement.map(str::to_string).into_iter().collect(),
        ..Default::default()
    };
    form_page(db, &user.0, &input, &FieldErrors::new()).await
}

#[post("/", data = "<form>")]
async fn create(
    form: Form<DealInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    match service::open(db, &acting.caller(), &input).await {
        Ok(id) => Ok(Flash::success(Redirect::to(format!("/deals/{id}")), "对接项目已创建，已向双方单位发出邀请")),
        Err(FormFailure::Fields(errors)) => Err(form_page(db, &acting.user, &input, &errors).await),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

async fn detail_page(db: &Db, user: &CurrentUser, id: &str, errors: &FieldErrors) -> Result<Page, AppError> {
    let (deal, access) = service::visible(db, user, id).await?;
    let title = deal.title.clone();
    let detail = view::detail(db, deal, access).await?;
    let brokers =
        if access == service::Access::Admin { crate::auth::store::active_brokers(db).await? } else { Vec::new() };
    let brokers: Vec<Value> = brokers.into_iter().map(|(id, name)| json!({"code": id, "label": name})).collect();
    let data = json!({"deal": detail, "lost_reasons": view::lost_reasons(), "brokers": brokers, "errors": errors});
    let status = if errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    Ok(Page::new("deals/detail", title, data).with_status(status))
}

#[get("/<id>")]
async fn detail(id: &str, db: &State<Db>, user: ActiveUser, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    Ok(detail_page(db, &user.0, id, &FieldErrors::new()).await?.with_flash(flash))
}

/// After a form on the deal page: back to the page with a notice, or the page again with the
/// messages beside the fields.
async fn settle(
    db: &Db,
    user: &CurrentUser,
    id: &str,
    outcome: Result<(), FormFailure>,
    done: &str,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    match outcome {
        Ok(()) => Ok(Flash::success(Redirect::to(format!("/deals/{id}")), done.to_string())),
        Err(FormFailure::Fields(errors)) => Err(detail_page(db, user, id, &errors)
            .await
            .map(|page| page.with_notice("error", "提交的内容有误，请按提示修改"))),
        Err(FormFailure::Other(error)) if error.status.code == 409 => {
            Ok(Flash::error(Redirect::to(format!("/deals/{id}")), error.message))
        }
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[post("/<id>/notes", data = "<form>")]
async fn note(
    id: &str,
    form: Form<NoteInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let outcome = service::note(db, &acting.caller(), id, &form).await;
    settle(db, &acting.user, id, outcome, "记录已添加").await
}

#[post("/<id>/steps/<action>", data = "<form>")]
async fn step(
    id: &str,
    action: &str,
    form: Form<StepInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let action = Action::from_code(action).ok_or_else(|| Err(AppError::unknown_action()))?;
    let outcome = service::step(db, &acting.caller(), id, action, &form).await.map(|_| ());
    settle(db, &acting.user, id, outcome, &format!("项目已更新：{}", action.label())).await
}

#[derive(Debug, rocket::FromForm)]
struct AnswerForm {
    decision: Option<String>,
}

#[post("/<id>/answer", data = "<form>")]
async fn answer(id: &str, form: Form<AnswerForm>, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let accept = match form.decision.as_deref() {
        Some("accept") => true,
        Some("decline") => false,
        _ => return Err(AppError::unknown_action()),
    };
    match service::answer(db, &acting.caller(), id, accept).await {
        Ok(()) if accept => Ok(Flash::success(Redirect::to(format!("/deals/{id}")), "已接受邀请，可以在项目中留言了")),
        Ok(()) => Ok(Flash::success(Redirect::to("/deals"), "已谢绝这个对接项目的邀请")),
        Err(error) if error.status.code == 409 => Ok(Flash::error(Redirect::to(format!("/deals/{id}")), error.message)),
        Err(error) => Err(error),
    }
}

#[derive(Debug, rocket::FromForm)]
struct ReassignForm {
    broker_user_id: Option<String>,
}

#[post("/<id>/reassign", data = "<form>")]
async fn reassign(
    id: &str,
    form: Form<ReassignForm>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let broker = form.broker_user_id.clone().unwrap_or_default();
    let outcome = service::reassign(db, &acting.caller(), id, &broker).await;
    settle(db, &acting.user, id, outcome, "已更换负责的技术经纪人").await
}

/// Mounted at `/deals`.
pub fn routes() -> Vec<Route> {
    routes![index, new_form, create, detail, note, step, answer, reassign]
}
