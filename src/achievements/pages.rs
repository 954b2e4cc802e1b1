//! Achievement pages: the public library with filters, detail pages, the owners' forms and
//! "my listings", and the administrators' review queue.

use crate::web::input::Form;
use rocket::form::FromForm;
use rocket::http::Status as HttpStatus;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::model::{AchievementInput, Action, Status};
use super::service::{self, Caller};
use super::store::{self, ListFilter, Sort};
use super::view;
use crate::auth::{ActiveUser, AdminUser, ClientAddr, CurrentUser};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::domain::money::{Fen, Unit};
use crate::domain::taxonomy::{IndustrySection, PricingRoute, Stage, TechnicalField, TransferMode};
use crate::error::{AppError, FormFailure};
use crate::web::{Page, pager};

const PAGE_SIZE: i64 = 20;

/// The create/edit form as posted (checkbox groups arrive as repeated fields).
#[derive(Debug, Default, FromForm)]
struct AchievementForm {
    title: Option<String>,
    summary: Option<String>,
    description: Option<String>,
    keywords: Option<String>,
    achievement_type: Option<String>,
    ip_carriers: Vec<String>,
    patent_numbers: Option<String>,
    technical_field: Option<String>,
    industry_section: Option<String>,
    industry_division: Option<String>,
    trl: Option<String>,
    stage: Option<String>,
    transfer_modes: Vec<String>,
    pricing_route: Option<String>,
    price_negotiable: Option<String>,
    asking_price: Option<String>,
    publicity_start: Option<String>,
    publicity_end: Option<String>,
    team: Option<String>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    contact_email: Option<String>,
    problem: Option<String>,
    advantages: Option<String>,
    scenarios: Option<String>,
    region_code: Option<String>,
    version: Option<i64>,
}

impl From<AchievementForm> for AchievementInput {
    fn from(f: AchievementForm) -> Self {
        AchievementInput {
            title: f.title,
            summary: f.summary,
            description: f.description,
            keywords: f.keywords,
            achievement_type: f.achievement_type,
            ip_carriers: f.ip_carriers,
            patent_numbers: f.patent_numbers,
            technical_field: f.technical_field,
            industry_section: f.industry_section,
            industry_division: f.industry_division,
            trl: f.trl,
            stage: f.stage,
            transfer_modes: f.transfer_modes,
            pricing_route: f.pricing_route,
            price_negotiable: f.price_negotiable.is_some_and(|v| v == "on" || v == "true" || v == "1"),
            asking_price: f.asking_price,
            publicity_start: f.publicity_start,
            publicity_end: f.publicity_end,
            team: f.team,
            contact_name: f.contact_name,
            contact_phone: f.contact_phone,
            contact_email: f.contact_email,
            problem: f.problem,
            advantages: f.advantages,
            scenarios: f.scenarios,
            region_code: f.region_code,
            version: f.version,
        }
    }
}

fn form_page(title: &str, action: &str, input: &AchievementInput, errors: &FieldErrors, status: HttpStatus) -> Page {
    let data = json!({
        "action": action,
        "values": input,
        "choices": view::form_choices(input),
        "errors": errors,
        "editing": input.version.is_some(),
    });
    Page::new("achievements/form", title, data).with_status(status)
}

fn price_bound(text: Option<&str>) -> Option<i64> {
    text.filter(|t| !t.trim().is_empty()).and_then(|t| Fen::parse(t, Unit::Wan).ok()).map(|f| f.0)
}

#[expect(clippy::too_many_arguments, reason = "each filter is a query parameter")]
#[get("/?<field>&<industry>&<stage>&<mode>&<route>&<region>&<min>&<max>&<sort>&<page>")]
async fn index(
    db: &State<Db>,
    field: Option<&str>,
    industry: Option<&str>,
    stage: Option<&str>,
    mode: Option<&str>,
    route: Option<&str>,
    region: Option<&str>,
    min: Option<&str>,
    max: Option<&str>,
    sort: Option<&str>,
    page: Option<i64>,
) -> Result<Page, AppError> {
    let keep = |v: Option<&str>, valid: bool| v.filter(|_| valid).map(str::to_string);
    let filter = ListFilter {
        technical_field: keep(field, field.and_then(TechnicalField::from_code).is_some()),
        industry_section: keep(industry, industry.and_then(IndustrySection::from_code).is_some()),
        stage: keep(stage, stage.and_then(Stage::from_code).is_some()),
        transfer_mode: keep(mode, mode.and_then(TransferMode::from_code).is_some()),
        pricing_route: keep(route, route.and_then(PricingRoute::from_code).is_some()),
        region_code: keep(region, region.is_some_and(|r| r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit()))),
        min_price_fen: price_bound(min),
        max_price_fen: price_bound(max),
        organisation_id: None,
        statuses: vec![Status::Published, Status::Negotiating, Status::Transferred],
    };
    let sort_order = match sort {
        Some("price_low") => Sort::PriceLow,
        Some("price_high") => Sort::PriceHigh,
        Some("views") => Sort::MostViewed,
        _ => Sort::Newest,
    };
    let page_number = page.unwrap_or(1).clamp(1, 10_000);
    let (rows, total) = store::list(db, &filter, sort_order, (page_number - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    let selected = |v: &Option<String>| v.clone().into_iter().collect::<Vec<_>>();
    let query = |p: i64| {
        let mut parts = vec![format!("page={p}")];
        for (key, value) in [
            ("field", field),
            ("industry", industry),
            ("stage", stage),
            ("mode", mode),
            ("route", route),
            ("region", region),
            ("min", min),
            ("max", max),
            ("sort", sort),
        ] {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                parts.push(format!("{key}={}", crate::web::url_encode(value)));
            }
        }
        format!("?{}", parts.join("&"))
    };
    let data = json!({
        "items": rows.iter().map(|r| view::listing(r, false)).collect::<Vec<Value>>(),
        "total": total,
        "page": page_number,
        "pages": pages,
        "prev": (page_number > 1).then(|| query(page_number - 1)),
        "next": (page_number < pages).then(|| query(page_number + 1)),
        "filters": {
            "fields": view::choices(TechnicalField::ALL, TechnicalField::code, TechnicalField::label, &selected(&filter.technical_field)),
            "sections": view::choices(IndustrySection::ALL, IndustrySection::code, IndustrySection::label, &selected(&filter.industry_section)),
            "stages": view::choices(Stage::ALL, Stage::code, Stage::label, &selected(&filter.stage)),
            "modes": view::choices(TransferMode::ALL, TransferMode::code, TransferMode::label, &selected(&filter.transfer_mode)),
            "routes": view::choices(PricingRoute::ALL, PricingRoute::code, PricingRoute::label, &selected(&filter.pricing_route)),
            "region": filter.region_code.clone().unwrap_or_default(),
            "min": min.unwrap_or_default(),
            "max": max.unwrap_or_default(),
            "sort": sort.unwrap_or("newest"),
        },
    });
    Ok(Page::new("achievements/index", "科技成果库", data))
}

#[get("/<id>")]
async fn detail(
    id: &str,
    db: &State<Db>,
    user: Option<CurrentUser>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let listing = service::visible(db, user.as_ref(), id).await?;
    service::record_view(db, user.as_ref(), &listing).await?;
    let owner = user.as_ref().is_some_and(|u| u.organisation_id.as_deref() == Some(listing.organisation_id.as_str()));
    let admin = user.as_ref().is_some_and(|u| u.is_admin);
    let asked = match &user {
        Some(u) if !owner => {
            crate::listings::interest::has_contact_request(db, crate::listings::Kind::Achievement, id, &u.id).await?
        }
        _ => false,
    };
    let sees_contact = user.as_ref().is_some_and(|u| u.sees_contacts());
    let data = json!({
        "item": view::listing(&listing, sees_contact),
        "signed_in": user.is_some(),
        "sees_contact": sees_contact,
        "owner": owner,
        "owner_actions": if owner { view::owner_actions(listing.status) } else { Vec::new() },
        "can_edit": owner && listing.status.is_editable(),
        "can_review": admin && listing.status == Status::Submitted,
        "can_contact": sees_contact && !owner && listing.status.is_public(),
        "asked": asked,
    });
    Ok(Page::new("achievements/detail", listing.title.clone(), data).with_flash(flash))
}

#[get("/new")]
async fn new_form(user: ActiveUser, db: &State<Db>, settings: &State<Settings>) -> Result<Page, AppError> {
    if !service::may_create(&user.0) {
        return Err(AppError::forbidden("cannot_list_achievements", "只有已审核的科研人员和企业用户可以发布科技成果"));
    }
    let region = match &user.0.organisation_id {
        Some(org) => crate::orgs::store::find(db, org).await?.map(|o| o.region_code),
        None => None,
    };
    let input = AchievementInput {
        region_code: Some(region.unwrap_or_else(|| settings.region_code.clone())),
        achievement_type: Some("applied".into()),
        pricing_route: Some("negotiated".into()),
        ..AchievementInput::default()
    };
    Ok(form_page("发布科技成果", "/achievements", &input, &FieldErrors::new(), HttpStatus::Ok))
}

#[post("/", data = "<form>")]
async fn create(
    form: Form<AchievementForm>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input: AchievementInput = form.into_inner().into();
    let caller = Caller { user: &user.0, ip: &ip.0 };
    match service::create(db, &caller, &input, None).await {
        Ok(created) => Ok(Flash::success(
            Redirect::to(format!("/achievements/{}", created.id)),
            "已保存为草稿。检查无误后请“提交审核”，审核通过即公开发布。",
        )),
        Err(FormFailure::Fields(errors)) => {
            Err(Ok(form_page("发布科技成果", "/achievements", &input, &errors, HttpStatus::UnprocessableEntity)))
        }
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[get("/<id>/edit")]
async fn edit_form(id: &str, db: &State<Db>, user: ActiveUser) -> Result<Page, AppError> {
    let listing = service::visible(db, Some(&user.0), id).await?;
    if user.0.organisation_id.as_deref() != Some(listing.organisation_id.as_str()) {
        return Err(AppError::forbidden("not_owner", "只有成果所属单位的成员才能管理该成果"));
    }
    let input = view::input_from_row(&listing);
    Ok(form_page("修改科技成果", &format!("/achievements/{id}"), &input, &FieldErrors::new(), HttpStatus::Ok))
}

#[post("/<id>", data = "<form>")]
async fn update(
    id: &str,
    form: Form<AchievementForm>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input: AchievementInput = form.into_inner().into();
    let caller = Caller { user: &user.0, ip: &ip.0 };
    let action = format!("/achievements/{id}");
    match service::update(db, &caller, id, &input).await {
        Ok(Status::Submitted) => {
            Ok(Flash::success(Redirect::to(action), "修改已保存，成果已重新提交审核，审核通过后恢复公开。"))
        }
        Ok(_) => Ok(Flash::success(Redirect::to(action), "修改已保存")),
        Err(FormFailure::Fields(errors)) => {
            Err(Ok(form_page("修改科技成果", &action, &input, &errors, HttpStatus::UnprocessableEntity)))
        }
        Err(FormFailure::Other(error)) if error.code == "edit_conflict" => {
            // Show the current content again, with the message, so nothing is applied blindly.
            let fresh = match service::visible(db, Some(&user.0), id).await {
                Ok(listing) => view::input_from_row(&listing),
                Err(e) => return Err(Err(e)),
            };
            let page = form_page("修改科技成果", &action, &fresh, &FieldErrors::new(), HttpStatus::Conflict);
            Err(Ok(page.with_notice("error", error.message)))
        }
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[derive(Debug, FromForm)]
struct ActionForm {
    note: Option<String>,
}

#[post("/<id>/actions/<action>", data = "<form>")]
async fn act(
    id: &str,
    action: &str,
    form: Form<ActionForm>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    let action = Action::from_code(action).ok_or_else(|| AppError::not_found("unknown_action", "没有这个操作"))?;
    let caller = Caller { user: &user.0, ip: &ip.0 };
    let back = Redirect::to(format!("/achievements/{id}"));
    match service::act(db, &caller, id, action, form.note.as_deref().unwrap_or_default()).await {
        Ok(to) => Ok(Flash::success(back, format!("已{}，当前状态：{}", action.label(), to.label()))),
        Err(error) if error.status == HttpStatus::Conflict || error.status == HttpStatus::UnprocessableEntity => {
            let message = error.fields.values().next().cloned().unwrap_or(error.message);
            Ok(Flash::error(back, message))
        }
        Err(error) => Err(error),
    }
}

#[derive(Debug, FromForm)]
struct ContactForm {
    message: Option<String>,
}

#[post("/<id>/contact", data = "<form>")]
async fn contact(
    id: &str,
    form: Form<ContactForm>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    let caller = Caller { user: &user.0, ip: &ip.0 };
    let back = Redirect::to(format!("/achievements/{id}"));
    match service::request_contact(db, &caller, id, form.message.as_deref().unwrap_or_default()).await {
        Ok(true) => Ok(Flash::success(back, "已向成果方发出对接意向，请通过页面上的联系方式与对方沟通。")),
        Ok(false) => Ok(Flash::success(back, "您已发出过对接意向。")),
        Err(error) if error.status == HttpStatus::Conflict => Ok(Flash::error(back, error.message)),
        Err(error) => Err(error),
    }
}

#[get("/mine?<page>")]
async fn mine(
    db: &State<Db>,
    user: ActiveUser,
    page: Option<i64>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let page = pager::page_number(page)?;
    let Some(org) = user.0.organisation_id.clone() else {
        return Err(AppError::forbidden("no_organisation", "您的账号未关联单位"));
    };
    let filter = ListFilter { organisation_id: Some(org), ..ListFilter::default() };
    let (rows, total) = store::list(db, &filter, Sort::Newest, pager::offset(page), pager::PER_PAGE).await?;
    let data = json!({
        "items": rows.iter().map(|r| view::listing(r, true)).collect::<Vec<Value>>(),
        "total": total,
        "pager": pager::pager("/achievements/mine", page, total),
        "can_create": service::may_create(&user.0),
    });
    Ok(Page::new("achievements/mine", "我的科技成果", data).with_flash(flash))
}

#[get("/review?<page>")]
async fn review(
    db: &State<Db>,
    _admin: AdminUser,
    page: Option<i64>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let page = pager::page_number(page)?;
    let filter = ListFilter { statuses: vec![Status::Submitted], ..ListFilter::default() };
    let (rows, total) = store::list(db, &filter, Sort::Newest, pager::offset(page), pager::PER_PAGE).await?;
    let data = json!({"items": rows.iter().map(|r| view::listing(r, true)).collect::<Vec<Value>>(), "total": total, "pager": pager::pager("/achievements/review", page, total)});
    Ok(Page::new("achievements/review", "成果审核", data).with_flash(flash))
}

/// Mounted at `/achievements`.
pub fn routes() -> Vec<Route> {
    routes![index, detail, new_form, create, edit_form, update, act, contact, mine, review]
}
