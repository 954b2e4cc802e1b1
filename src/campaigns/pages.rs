//! The campaign pages (`/campaigns`): the public list and page of each campaign, what a member
//! may enter into it, and the administrators' form, close button and progress table (also as
//! XLSX).

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::model::{self, CampaignInput};
use super::progress;
use super::service;
use super::store::{self, CampaignRow};
use crate::auth::{Acting, AdminUser, CurrentUser};
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::domain::org::OrganisationKind;
use crate::domain::taxonomy::TechnicalField;
use crate::error::{AppError, FormFailure};
use crate::listings::Kind;
use crate::web::download::Download;
use crate::web::input::Form;
use crate::web::page::Page;

/// Approved entries a campaign's page lists.
const SHOWN_ENTRIES: i64 = 100;

/// A campaign as pages show it.
pub fn view(row: &CampaignRow, today: &str) -> Value {
    let kind = Kind::from_code(&row.kind).unwrap_or(Kind::Achievement);
    let fields: Vec<&str> =
        row.technical_fields.iter().filter_map(|c| TechnicalField::from_code(c)).map(|f| f.label()).collect();
    let days_left = crate::domain::time::parse_date(&row.deadline)
        .zip(crate::domain::time::parse_date(today))
        .map(|(deadline, today)| (deadline - today).whole_days());
    json!({
        "campaign": row,
        "kind_label": kind.label(),
        "noun": if kind == Kind::Achievement { "成果" } else { "需求" },
        "fields": fields,
        "accepting": model::accepting(&row.status, &row.deadline, today),
        "status_label": model::status_label(&row.status, &row.deadline, today),
        "days_left": days_left,
        "open_to_all": row.targets == 0,
    })
}

#[get("/")]
async fn index(db: &State<Db>, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let today = service::today();
    let campaigns: Vec<Value> = store::list(db, &today).await?.iter().map(|c| view(c, &today)).collect();
    Ok(Page::new("campaigns/index", "成果征集", json!({"campaigns": campaigns})).with_flash(flash))
}

async fn form_page(db: &Db, input: &CampaignInput, errors: &FieldErrors) -> Result<Page, AppError> {
    let kinds: Vec<Value> = [Kind::Achievement, Kind::Demand]
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label(), "checked": input.kind.as_deref().unwrap_or("achievement") == k.code()}))
        .collect();
    let fields: Vec<Value> = TechnicalField::ALL
        .iter()
        .map(|f| json!({"code": f.code(), "label": f.label(), "checked": input.technical_fields.iter().any(|c| c == f.code())}))
        .collect();
    let organisations =
        crate::orgs::store::list_by_kinds(db, &[OrganisationKind::Institution, OrganisationKind::Enterprise]).await?;
    let organisations: Vec<Value> = organisations
        .iter()
        .map(|o| {
            json!({"code": o.id, "label": format!("{}（{}）", o.name, o.kind_label),
            "selected": input.target_organisation_ids.contains(&o.id)})
        })
        .collect();
    let data =
        json!({"values": input, "errors": errors, "kinds": kinds, "fields": fields, "organisations": organisations});
    let status = if errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    Ok(Page::new("campaigns/form", "发起成果征集", data).with_status(status))
}

#[get("/new")]
async fn new_form(db: &State<Db>, _admin: AdminUser) -> Result<Page, AppError> {
    form_page(db, &CampaignInput::default(), &FieldErrors::new()).await
}

#[post("/", data = "<form>")]
async fn create(
    form: Form<CampaignInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    match service::create(db, &acting.caller(), &input).await {
        Ok(id) => Ok(Flash::success(Redirect::to(format!("/campaigns/{id}")), "征集已发布，目标单位已收到通知")),
        Err(FormFailure::Fields(errors)) => Err(form_page(db, &input, &errors).await),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

/// What the signed-in person may do on a campaign's page.
async fn own_part(db: &Db, user: &CurrentUser, row: &CampaignRow) -> Result<Value, AppError> {
    let kind = Kind::from_code(&row.kind).unwrap_or(Kind::Achievement);
    match service::entrant(db, user, row, None).await {
        Ok(organisation) => {
            let listings = store::enterable(db, &row.id, kind, &organisation).await?;
            let listings: Vec<Value> = listings
                .iter()
                .map(|l| {
                    json!({"id": l.id, "title": l.title,
                    "status_label": crate::listings::status::label(kind, &l.status).unwrap_or_default()})
                })
                .collect();
            Ok(
                json!({"may_enter": true, "listings": listings, "kind_code": kind.code(), "new_path": format!("{}/new", kind.base())}),
            )
        }
        Err(refusal) => Ok(json!({"may_enter": false, "refusal": refusal.message})),
    }
}

#[get("/<id>")]
async fn detail(
    id: &str,
    db: &State<Db>,
    user: Option<CurrentUser>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let row = service::find(db, id).await?;
    let today = service::today();
    let mut data = view(&row, &today);
    data["targets"] = json!(store::targets(db, id).await?.into_iter().map(|(_, name)| name).collect::<Vec<_>>());
    let entries: Vec<Value> = store::public_entries(db, id, SHOWN_ENTRIES)
        .await?
        .iter()
        .map(|e| json!({"path": Kind::from_code(&e.kind).map(|k| k.path(&e.id)), "title": e.title, "organisation_name": e.organisation_name}))
        .collect();
    data["entries"] = json!(entries);
    if let Some(user) = &user {
        data["mine"] = own_part(db, user, &row).await?;
        data["is_admin"] = json!(user.is_admin);
    }
    Ok(Page::new("campaigns/detail", row.title.clone(), data).with_flash(flash))
}

/// The entry form: the listings ticked.
#[derive(Debug, rocket::FromForm)]
struct Entries {
    listing_ids: Vec<String>,
}

#[post("/<id>/entries", data = "<form>")]
async fn enter(id: &str, form: Form<Entries>, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let back = Redirect::to(format!("/campaigns/{id}"));
    match service::enter(db, &acting.caller(), id, None, &form.listing_ids).await {
        Ok(added) => Ok(Flash::success(back, format!("已报送 {added} 项"))),
        Err(error) if error.status == Status::UnprocessableEntity => {
            let message = error.fields.values().next().cloned().unwrap_or(error.message);
            Ok(Flash::error(back, message))
        }
        Err(error) => Err(error),
    }
}

#[post("/<id>/close")]
async fn close(id: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    service::close(db, &acting.caller(), id).await?;
    Ok(Flash::success(Redirect::to(format!("/campaigns/{id}/progress")), "征集已结束，不再接受报送"))
}

#[get("/<id>/progress")]
async fn progress_page(
    id: &str,
    db: &State<Db>,
    _admin: AdminUser,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let row = service::find(db, id).await?;
    let rows = store::progress(db, id).await?;
    let mut data = view(&row, &service::today());
    data["totals"] = json!(progress::totals(&rows));
    data["rows"] = json!(rows
        .iter()
        .map(|r| json!({"row": r, "last": r.last_entered_at.as_deref().map(crate::domain::time::chinese_datetime_text)}))
        .collect::<Vec<_>>());
    Ok(Page::new("campaigns/progress", format!("征集进度：{}", row.title), data).with_flash(flash))
}

#[get("/<id>/progress.xlsx")]
async fn progress_xlsx(id: &str, db: &State<Db>, _admin: AdminUser) -> Result<Download, AppError> {
    let row = service::find(db, id).await?;
    let rows = store::progress(db, id).await?;
    let title = format!("{}（截止 {}，导出于 {}）", row.title, row.deadline, service::today());
    let body = progress::xlsx(&title, &rows).map_err(AppError::internal)?;
    Ok(Download::xlsx(body, &format!("征集进度-{}.xlsx", row.title)))
}

/// Mounted at `/campaigns`.
pub fn routes() -> Vec<Route> {
    routes![index, new_form, create, detail, enter, close, progress_page, progress_xlsx]
}
