//! Demand pages: the public board with filters, detail pages, the enterprises' forms and
//! "my demands", and the administrators' review queue.

use crate::web::input::Form;
use rocket::form::FromForm;
use rocket::http::Status as HttpStatus;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::model::{Action, DemandInput, Status};
use super::service::{self, Caller};
use super::store::{self, ListFilter, Sort};
use super::view;
use crate::auth::{ActiveUser, AdminUser, ClientAddr, CurrentUser};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::forms::{FieldErrors, date_text};
use crate::domain::money::{Fen, Unit};
use crate::domain::taxonomy::{CooperationMode, IndustrySection, TechnicalField};
use crate::domain::time::today_shanghai;
use crate::error::{AppError, FormFailure};
use crate::web::choices;
use crate::web::{Page, pager, url_encode};

const PAGE_SIZE: i64 = 20;

#[derive(Debug, Default, FromForm)]
struct DemandForm {
    title: Option<String>,
    description: Option<String>,
    indicators: Option<String>,
    basis: Option<String>,
    keywords: Option<String>,
    technical_field: Option<String>,
    industry_section: Option<String>,
    cooperation_modes: Vec<String>,
    budget_min: Option<String>,
    budget_max: Option<String>,
    budget_negotiable: Option<String>,
    valid_until: Option<String>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    contact_email: Option<String>,
    region_code: Option<String>,
    version: Option<i64>,
}

impl From<DemandForm> for DemandInput {
    fn from(f: DemandForm) -> Self {
        DemandInput {
            title: f.title,
            description: f.description,
            indicators: f.indicators,
            basis: f.basis,
            keywords: f.keywords,
            technical_field: f.technical_field,
            industry_section: f.industry_section,
            cooperation_modes: f.cooperation_modes,
            budget_min: f.budget_min,
            budget_max: f.budget_max,
            budget_negotiable: f.budget_negotiable.is_some_and(|v| v == "on" || v == "true" || v == "1"),
            valid_until: f.valid_until,
            contact_name: f.contact_name,
            contact_phone: f.contact_phone,
            contact_email: f.contact_email,
            region_code: f.region_code,
            version: f.version,
        }
    }
}

fn form_page(title: &str, action: &str, input: &DemandInput, errors: &FieldErrors, status: HttpStatus) -> Page {
    let data = json!({
        "action": action,
        "values": input,
        "choices": view::form_choices(input),
        "errors": errors,
        "editing": input.version.is_some(),
    });
    Page::new("demands/form", title, data).with_status(status)
}

fn public_statuses() -> Vec<Status> {
    vec![Status::Published, Status::InTalks, Status::Solved]
}

#[expect(clippy::too_many_arguments, reason = "each filter is a query parameter")]
#[get("/?<field>&<industry>&<mode>&<region>&<budget>&<sort>&<page>")]
async fn index(
    db: &State<Db>,
    field: Option<&str>,
    industry: Option<&str>,
    mode: Option<&str>,
    region: Option<&str>,
    budget: Option<&str>,
    sort: Option<&str>,
    page: Option<i64>,
) -> Result<Page, AppError> {
    let keep = |v: Option<&str>, valid: bool| v.filter(|_| valid).map(str::to_string);
    let filter = ListFilter {
        technical_field: keep(field, field.and_then(TechnicalField::from_code).is_some()),
        industry_section: keep(industry, industry.and_then(IndustrySection::from_code).is_some()),
        cooperation_mode: keep(mode, mode.and_then(CooperationMode::from_code).is_some()),
        region_code: keep(region, region.is_some_and(|r| r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit()))),
        min_budget_fen: budget
            .filter(|b| !b.trim().is_empty())
            .and_then(|b| Fen::parse(b, Unit::Wan).ok())
            .map(|f| f.0),
        statuses: public_statuses(),
        valid_on: Some(date_text(today_shanghai())),
        ..ListFilter::default()
    };
    let sort_order = match sort {
        Some("ending") => Sort::EndingSoon,
        Some("budget") => Sort::BudgetHigh,
        _ => Sort::Newest,
    };
    let page_number = page.unwrap_or(1).clamp(1, 10_000);
    let (rows, total) = store::list(db, &filter, sort_order, (page_number - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    let selected = |v: &Option<String>| v.clone().into_iter().collect::<Vec<_>>();
    let query = |p: i64| {
        let mut parts = vec![format!("page={p}")];
        let params = [
            ("field", field),
            ("industry", industry),
            ("mode", mode),
            ("region", region),
            ("budget", budget),
            ("sort", sort),
        ];
        for (key, value) in params {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                parts.push(format!("{key}={}", url_encode(value)));
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
            "fields": choices(TechnicalField::ALL, TechnicalField::code, TechnicalField::label, &selected(&filter.technical_field)),
            "sections": choices(IndustrySection::ALL, IndustrySection::code, IndustrySection::label, &selected(&filter.industry_section)),
            "modes": choices(CooperationMode::ALL, CooperationMode::code, CooperationMode::label, &selected(&filter.cooperation_mode)),
            "region": filter.region_code.clone().unwrap_or_default(),
            "budget": budget.unwrap_or_default(),
            "sort": sort.unwrap_or("newest"),
        },
    });
    Ok(Page::new("demands/index", "技术需求", data))
}

/// A demand's page. `application` carries a 揭榜 form that failed, to show it again with its
/// messages and everything that was typed.
pub async fn detail_page(
    db: &Db,
    search: &crate::search::Search,
    user: Option<&CurrentUser>,
    id: &str,
    application: Option<(&crate::challenges::model::ApplicationInput, &FieldErrors)>,
) -> Result<Page, AppError> {
    let demand = service::visible(db, user, id).await?;
    if application.is_none() {
        service::record_view(db, user, &demand).await?;
    }
    let owner = user.is_some_and(|u| u.organisation_id.as_deref() == Some(demand.organisation_id.as_str()));
    let admin = user.is_some_and(|u| u.is_admin);
    let asked = match user {
        Some(u) if !owner => {
            crate::listings::interest::has_contact_request(db, crate::listings::Kind::Demand, id, &u.id).await?
        }
        _ => false,
    };
    let (values, errors) = match application {
        Some((values, errors)) => (json!(values), json!(errors)),
        None => (json!(crate::challenges::model::ApplicationInput::default()), json!({})),
    };
    let sees_contact = user.as_ref().is_some_and(|u| u.sees_contacts());
    let data = json!({
        "item": view::listing(&demand, sees_contact),
        "signed_in": user.is_some(),
        "sees_contact": sees_contact,
        "owner": owner,
        "owner_actions": if owner { view::owner_actions(demand.status) } else { Vec::new() },
        "can_edit": owner && demand.status.is_editable(),
        "can_review": admin && demand.status == Status::Submitted,
        "can_contact": sees_contact && !owner && service::publicly_visible(&demand),
        "asked": asked,
        "challenge": crate::challenges::pages::block(db, user, &demand).await?,
        "can_set_challenge": owner && demand.status.is_editable(),
        "application": values,
        "application_errors": errors,
        "matches": if service::publicly_visible(&demand) {
            crate::search::params::matching_achievements(db, search, &demand.title, &demand.description, 5).await?
        } else {
            Vec::new()
        },
    });
    let page = Page::new("demands/detail", demand.title.clone(), data);
    Ok(if application.is_some() { page.with_status(HttpStatus::UnprocessableEntity) } else { page })
}

#[get("/<id>")]
async fn detail(
    id: &str,
    db: &State<Db>,
    search: &State<crate::search::Search>,
    user: Option<CurrentUser>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    Ok(detail_page(db, search, user.as_ref(), id, None).await?.with_flash(flash))
}

#[get("/new")]
async fn new_form(user: ActiveUser, db: &State<Db>, settings: &State<Settings>) -> Result<Page, AppError> {
    if !service::may_create(&user.0) {
        return Err(AppError::forbidden("cannot_post_demands", "只有已审核的企业用户可以发布技术需求"));
    }
    let region = match &user.0.organisation_id {
        Some(org) => crate::orgs::store::find(db, org).await?.map(|o| o.region_code),
        None => None,
    };
    let valid_until = date_text(today_shanghai() + time::Duration::days(180));
    let input = DemandInput {
        region_code: Some(region.unwrap_or_else(|| settings.region_code.clone())),
        valid_until: Some(valid_until),
        contact_name: Some(user.0.display_name.clone()),
        ..DemandInput::default()
    };
    Ok(form_page("发布技术需求", "/demands", &input, &FieldErrors::new(), HttpStatus::Ok))
}

#[post("/", data = "<form>")]
async fn create(
    form: Form<DemandForm>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input: DemandInput = form.into_inner().into();
    let caller = Caller { user: &user.0, ip: &ip.0 };
    match service::create(db, &caller, &input, None).await {
        Ok(created) => Ok(Flash::success(
            Redirect::to(format!("/demands/{}", created.id)),
            "已保存为草稿。检查无误后请“提交审核”，审核通过即公开征集。",
        )),
        Err(FormFailure::Fields(errors)) => {
            Err(Ok(form_page("发布技术需求", "/demands", &input, &errors, HttpStatus::UnprocessableEntity)))
        }
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[get("/<id>/edit")]
async fn edit_form(id: &str, db: &State<Db>, user: ActiveUser) -> Result<Page, AppError> {
    let demand = service::visible(db, Some(&user.0), id).await?;
    if user.0.organisation_id.as_deref() != Some(demand.organisation_id.as_str()) {
        return Err(AppError::forbidden("not_owner", "只有发布需求的企业成员才能管理该需求"));
    }
    Ok(form_page(
        "修改技术需求",
        &format!("/demands/{id}"),
        &view::input_from_row(&demand),
        &FieldErrors::new(),
        HttpStatus::Ok,
    ))
}

#[post("/<id>", data = "<form>")]
async fn update(
    id: &str,
    form: Form<DemandForm>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input: DemandInput = form.into_inner().into();
    let caller = Caller { user: &user.0, ip: &ip.0 };
    let action = format!("/demands/{id}");
    match service::update(db, &caller, id, &input).await {
        Ok(Status::Submitted) => {
            Ok(Flash::success(Redirect::to(action), "修改已保存，需求已重新提交审核，审核通过后恢复公开。"))
        }
        Ok(_) => Ok(Flash::success(Redirect::to(action), "修改已保存")),
        Err(FormFailure::Fields(errors)) => {
            Err(Ok(form_page("修改技术需求", &action, &input, &errors, HttpStatus::UnprocessableEntity)))
        }
        Err(FormFailure::Other(error)) if error.code == "edit_conflict" => {
            let fresh = match service::visible(db, Some(&user.0), id).await {
                Ok(demand) => view::input_from_row(&demand),
                Err(e) => return Err(Err(e)),
            };
            let page = form_page("修改技术需求", &action, &fresh, &FieldErrors::new(), HttpStatus::Conflict);
            Err(Ok(page.with_notice("error", error.message)))
        }
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[derive(Debug, FromForm)]
struct NoteForm {
    note: Option<String>,
    message: Option<String>,
}

#[post("/<id>/actions/<action>", data = "<form>")]
async fn act(
    id: &str,
    action: &str,
    form: Form<NoteForm>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    let action = Action::from_code(action).ok_or_else(|| AppError::not_found("unknown_action", "没有这个操作"))?;
    let caller = Caller { user: &user.0, ip: &ip.0 };
    let back = Redirect::to(format!("/demands/{id}"));
    match service::act(db, &caller, id, action, form.note.as_deref().unwrap_or_default()).await {
        Ok(to) => Ok(Flash::success(back, format!("已{}，当前状态：{}", action.label(), to.label()))),
        Err(error) if error.status == HttpStatus::Conflict || error.status == HttpStatus::UnprocessableEntity => {
            let message = error.fields.values().next().cloned().unwrap_or(error.message);
            Ok(Flash::error(back, message))
        }
        Err(error) => Err(error),
    }
}

#[post("/<id>/contact", data = "<form>")]
async fn contact(
    id: &str,
    form: Form<NoteForm>,
    db: &State<Db>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    let caller = Caller { user: &user.0, ip: &ip.0 };
    let back = Redirect::to(format!("/demands/{id}"));
    match service::request_contact(db, &caller, id, form.message.as_deref().unwrap_or_default()).await {
        Ok(true) => Ok(Flash::success(back, "已向需求方发出对接意向，请通过页面上的联系方式与对方沟通。")),
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
        "pager": pager::pager("/demands/mine", page, total),
        "can_create": service::may_create(&user.0),
    });
    Ok(Page::new("demands/mine", "我的技术需求", data).with_flash(flash))
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
    let data = json!({"items": rows.iter().map(|r| view::listing(r, true)).collect::<Vec<Value>>(), "total": total, "pager": pager::pager("/demands/review", page, total)});
    Ok(Page::new("demands/review", "需求审核", data).with_flash(flash))
}

/// Mounted at `/demands`.
pub fn routes() -> Vec<Route> {
    routes![index, detail, new_form, create, edit_form, update, act, contact, mine, review]
}
