//! `/salons`: the public list (coming and past), the organiser's form, the salon page (details,
//! featured listings, sign-up or waiting list, results once over, the attendee list with
//! check-in for organisers) and the `.ics` download.

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::model::{SalonInput, SalonKind};
use super::{results, service, signups, store, view};
use crate::auth::{Acting, ActiveUser, CurrentUser};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::domain::time::now_stored;
use crate::error::{AppError, FormFailure};
use crate::web::calendar_file::CalendarFile;
use crate::web::input::Form;
use crate::web::{Page, Site};

/// How many salons each half of the list shows.
pub const LISTED: i64 = 50;

pub async fn listed(db: &Db, past: bool) -> Result<Vec<view::SalonView>, sqlx::Error> {
    let now = now_stored();
    Ok(store::list(db, &now, past, LISTED).await?.into_iter().map(|row| view::view(row, Vec::new(), &now)).collect())
}

#[get("/")]
async fn index(db: &State<Db>, user: Option<CurrentUser>, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let upcoming = listed(db, false).await?;
    let past = listed(db, true).await?;
    let can_create = user.as_ref().is_some_and(|u| {
        u.is_admin
            || (u.role == crate::domain::account::Role::Broker
                && u.status == crate::domain::account::AccountStatus::Active)
    });
    let data = json!({"upcoming": upcoming, "past": past, "can_create": can_create});
    Ok(Page::new("salons/index", "成果对接沙龙", data).with_flash(flash))
}

async fn form_page(db: &Db, user: &CurrentUser, input: &SalonInput, errors: &FieldErrors) -> Result<Page, AppError> {
    let pick = |rows: Vec<(String, String)>, chosen: &[String]| -> Vec<Value> {
        rows.into_iter()
            .map(|(id, title)| json!({"selected": chosen.contains(&id), "code": id, "label": title}))
            .collect()
    };
    let choices = |kind| crate::listings::store::public_choices(db, kind, crate::listings::store::FORM_CHOICES);
    let achievements = choices(crate::listings::Kind::Achievement).await?;
    let demands = choices(crate::listings::Kind::Demand).await?;
    let kinds: Vec<Value> = [SalonKind::Salon, SalonKind::Roadshow]
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label(), "selected": input.kind.as_deref().unwrap_or("salon") == k.code()}))
        .collect();
    let agencies: Vec<Value> = if user.is_admin {
        let all = crate::orgs::store::list_by_kinds(db, crate::domain::org::OrganisationKind::ALL).await?;
        crate::orgs::store::choices(&all, input.agency_organisation_id.as_deref())
    } else {
        Vec::new()
    };
    let data = json!({"values": input, "errors": errors, "kinds": kinds, "agencies": agencies,
        "achievements": pick(achievements, &input.achievement_ids), "demands": pick(demands, &input.demand_ids)});
    let status = if errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    Ok(Page::new("salons/form", "举办对接活动", data).with_status(status))
}

#[get("/new")]
async fn new_form(db: &State<Db>, user: ActiveUser) -> Result<Page, AppError> {
    if !(user.0.is_admin || user.0.role == crate::domain::account::Role::Broker) {
        return Err(service::organiser_refusal());
    }
    form_page(db, &user.0, &SalonInput { capacity: Some(50), ..Default::default() }, &FieldErrors::new()).await
}

#[post("/", data = "<form>")]
async fn create(
    form: Form<SalonInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    match service::create(db, &acting.caller(), &input).await {
        Ok(id) => Ok(Flash::success(Redirect::to(format!("/salons/{id}")), "活动已发布，可以开始报名")),
        Err(FormFailure::Fields(errors)) => Err(form_page(db, &acting.user, &input, &errors).await),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

/// The salon with what this person may see of it.
pub async fn whole(db: &Db, user: Option<&CurrentUser>, id: &str) -> Result<Value, AppError> {
    let row = service::find(db, id).await?;
    let organises = user.is_some_and(|u| service::organises(u, &row));
    let now = now_stored();
    let featured = store::featured(db, &row.id).await?;
    let salon = view::view(row, featured, &now);
    let past = salon.ends_at.as_str() < now.as_str();
    let mine = match user {
        Some(u) => signups::standing_of(db, &salon.id, &u.id)
            .await?
            .map(|(s, place, checked_in)| json!({"status": s.code(), "label": s.label(), "place": place, "checked_in": checked_in})),
        None => None,
    };
    let results = if past { Some(results::of(db, &salon.id).await?) } else { None };
    let attendees = if organises { Some(signups::attendees(db, &salon.id).await?) } else { None };
    Ok(
        json!({"salon": salon, "past": past, "mine": mine, "results": results, "attendees": attendees, "organises": organises}),
    )
}

#[get("/<id>")]
async fn detail(
    id: &str,
    db: &State<Db>,
    user: Option<CurrentUser>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let data = whole(db, user.as_ref(), id).await?;
    let title = data["salon"]["theme"].as_str().unwrap_or("对接活动").to_string();
    Ok(Page::new("salons/detail", title, data).with_flash(flash))
}

fn back(id: &str) -> Redirect {
    Redirect::to(format!("/salons/{id}"))
}

fn settle(id: &str, outcome: Result<String, AppError>) -> Result<Flash<Redirect>, AppError> {
    match outcome {
        Ok(message) => Ok(Flash::success(back(id), message)),
        Err(error) if error.status == Status::Conflict => Ok(Flash::error(back(id), error.message)),
        Err(error) => Err(error),
    }
}

#[post("/<id>/signup")]
async fn sign_up(id: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let outcome = service::sign_up(db, &acting.caller(), id).await.map(|s| match s {
        signups::Standing::Confirmed => "报名成功".to_string(),
        signups::Standing::Waiting => "名额已满，您已进入候补名单，有人退出时会按顺序递补".to_string(),
    });
    settle(id, outcome)
}

#[post("/<id>/withdraw")]
async fn withdraw(id: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    settle(id, service::withdraw(db, &acting.caller(), id).await.map(|()| "已取消报名".to_string()))
}

#[post("/<id>/check-in/<user_id>")]
async fn check_in(id: &str, user_id: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    settle(id, service::check_in(db, &acting.caller(), id, user_id).await.map(|()| "已签到".to_string()))
}

#[post("/<id>/cancel")]
async fn cancel(id: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    settle(id, service::cancel(db, &acting.caller(), id).await.map(|()| "活动已取消，已通知报名人员".to_string()))
}

#[get("/<id>/calendar.ics")]
async fn ics(
    id: &str,
    db: &State<Db>,
    site: &State<Site>,
    settings: &State<Settings>,
) -> Result<CalendarFile, AppError> {
    let row = service::find(db, id).await?;
    let salon = view::view(row, Vec::new(), &now_stored());
    let body = view::ics(&site.platform_name, &settings.mail.public_url, &salon);
    Ok(CalendarFile { file_name: format!("salon-{}.ics", salon.id), body })
}

/// Mounted at `/salons`.
pub fn routes() -> Vec<Route> {
    routes![index, new_form, create, detail, sign_up, withdraw, check_in, cancel, ics]
}
