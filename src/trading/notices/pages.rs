//! `/notices`: the public 公示 board and its Atom feed, the publishing form (and corrections),
//! a notice's page with its versions and objections, and the forms to object, answer, close and
//! withdraw.

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{FromForm, Route, State, get, post, routes};
use serde_json::{Value, json};

use super::model::{DEFAULT_DAYS, NoticeInput, NoticeStatus};
use super::{service, store, view};
use crate::auth::{Acting, ActiveUser, Caller, CurrentUser};
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::domain::taxonomy::TransferMode;
use crate::error::{AppError, FormFailure};
use crate::trading::rules::{self, flash_back};
use crate::web::input::Form;
use crate::web::{Page, Site};

/// Notices per board page.
pub const PER_PAGE: i64 = 20;

/// One board page: the notices and the total.
pub async fn board(db: &Db, status: Option<&str>, page: i64) -> Result<(Vec<view::NoticeView>, i64), AppError> {
    let status = status.filter(|s| NoticeStatus::from_code(s).is_some());
    let rows = store::board(db, status, PER_PAGE, (page.max(1) - 1) * PER_PAGE).await?;
    Ok((rows.into_iter().map(view::view).collect(), store::count(db, status).await?))
}

#[get("/?<status>&<page>")]
async fn index(
    db: &State<Db>,
    user: Option<CurrentUser>,
    status: Option<&str>,
    page: Option<i64>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let page = page.unwrap_or(1).clamp(1, 10_000);
    let (items, total) = board(db, status, page).await?;
    let filters: Vec<Value> = NoticeStatus::ALL
        .iter()
        .map(|s| json!({"code": s.code(), "label": s.label(), "selected": status == Some(s.code())}))
        .collect();
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let data = json!({"items": items, "total": total, "filters": filters, "status": status,
        "previous": (page > 1).then_some(page - 1), "next": (page < pages).then_some(page + 1),
        "can_publish": user.is_some()});
    Ok(Page::new("trading/notices_index", "协议定价公示", data).with_flash(flash))
}

async fn form_page(
    db: &Db,
    user: &CurrentUser,
    input: &NoticeInput,
    errors: &FieldErrors,
    previous: Option<&view::NoticeView>,
) -> Result<Page, AppError> {
    let achievements = rules::pick(rules::own_choices(db, user).await?, input.achievement_id.as_deref());
    let modes: Vec<Value> = TransferMode::ALL
        .iter()
        .map(|m| json!({"code": m.code(), "label": m.label(), "selected": input.transfer_mode.as_deref() == Some(m.code())}))
        .collect();
    let enterprises =
        crate::orgs::store::list_by_kinds(db, &[crate::domain::org::OrganisationKind::Enterprise]).await?;
    let organisations = crate::orgs::store::choices(&enterprises, input.transferee_organisation_id.as_deref());
    let action = match previous {
        Some(p) => format!("/notices/{}/correct", p.id),
        None => "/notices".to_string(),
    };
    let data = json!({"values": input, "errors": errors, "achievements": achievements, "modes": modes,
        "organisations": organisations, "previous": previous, "action": action});
    let status = if errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    let title = if previous.is_some() { "更正协议定价公示" } else { "发布协议定价公示" };
    Ok(Page::new("trading/notice_form", title, data).with_status(status))
}

#[get("/new?<achievement>")]
async fn new_form(db: &State<Db>, user: ActiveUser, achievement: Option<&str>) -> Result<Page, AppError> {
    let input = NoticeInput {
        achievement_id: achievement.map(str::to_string),
        days: Some(DEFAULT_DAYS),
        transfer_mode: Some("transfer".into()),
        ..Default::default()
    };
    form_page(db, &user.0, &input, &FieldErrors::new(), None).await
}

#[post("/", data = "<form>")]
async fn create(
    form: Form<NoticeInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    match service::publish(db, &acting.caller(), &input, None).await {
        Ok(id) => Ok(Flash::success(Redirect::to(format!("/notices/{id}")), "公示已发布，公示期内任何人可以提出异议")),
        Err(FormFailure::Fields(errors)) => Err(form_page(db, &acting.user, &input, &errors, None).await),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

/// The notice with its versions, objections and what this caller may do.
pub async fn whole(db: &Db, caller: Option<&Caller<'_>>, id: &str) -> Result<Value, AppError> {
    let row = service::find(db, id).await?;
    let manages = caller.is_some_and(|c| service::manages(c, &row));
    let status = service::status_of(&row);
    let versions: Vec<Value> = store::versions(db, &row.series_id)
        .await?
        .into_iter()
        .map(|v| json!({"id": v.id, "version_no": v.version_no, "current": v.id == row.id, "price_text": crate::domain::money::Fen(v.price_fen).format_wan(),
            "published_label": crate::domain::time::chinese_datetime_text(&v.published_at), "correction_note": v.correction_note}))
        .collect();
    let objections = view::objections(store::objections(db, &row.id).await?, manages);
    let notice = view::view(row);
    let open = status == NoticeStatus::Open;
    let may = json!({
        "object": open && notice.days_left > 0 && caller.is_some_and(|c| c.active()),
        "manage": manages,
        "answer": manages,
        "close": manages && open && notice.days_left == 0,
        "withdraw": manages && open,
        "correct": manages && open,
        "draft_contract": manages && matches!(status, NoticeStatus::ClosedClear | NoticeStatus::ClosedResolved),
    });
    Ok(json!({"notice": notice, "versions": versions, "objections": objections, "may": may}))
}

#[get("/<id>", rank = 2)]
async fn detail(
    id: &str,
    db: &State<Db>,
    acting: Option<Acting>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let data = whole(db, acting.as_ref().map(Acting::caller).as_ref(), id).await?;
    let title = format!("协议定价公示：{}", data["notice"]["title"].as_str().unwrap_or_default());
    Ok(Page::new("trading/notice_detail", title, data).with_flash(flash))
}

#[get("/<id>/correct")]
async fn correct_form(id: &str, db: &State<Db>, acting: Acting) -> Result<Page, AppError> {
    let row = service::find(db, id).await?;
    if !service::manages(&acting.caller(), &row) {
        return Err(rules::not_seller());
    }
    let input = NoticeInput {
        achievement_id: Some(row.achievement_id.clone()),
        team: Some(row.team.clone()),
        transferee: Some(row.transferee.clone()),
        transferee_organisation_id: row.transferee_organisation_id.clone(),
        transfer_mode: Some(row.transfer_mode.clone()),
        price: Some(crate::domain::money::Fen(row.price_fen).wan_exact()),
        days: Some(DEFAULT_DAYS),
        contact: Some(row.contact.clone()),
        statement: Some(row.statement.clone()),
        correction_note: None,
    };
    let previous = view::view(row);
    form_page(db, &acting.user, &input, &FieldErrors::new(), Some(&previous)).await
}

#[post("/<id>/correct", data = "<form>")]
async fn correct(
    id: &str,
    form: Form<NoticeInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    let previous = service::find(db, id).await.map_err(Err)?;
    match service::publish(db, &acting.caller(), &input, Some(&previous)).await {
        Ok(new) => Ok(Flash::success(Redirect::to(format!("/notices/{new}")), "已发布更正后的新版本，公示期重新计算")),
        Err(FormFailure::Fields(errors)) => {
            Err(form_page(db, &acting.user, &input, &errors, Some(&view::view(previous))).await)
        }
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[derive(Debug, FromForm)]
struct Text<'r> {
    reasons: Option<&'r str>,
    answer: Option<&'r str>,
    note: Option<&'r str>,
}

fn back(id: &str) -> String {
    format!("/notices/{id}")
}

#[post("/<id>/objections", data = "<form>")]
async fn object(id: &str, form: Form<Text<'_>>, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let outcome = service::object(db, &acting.caller(), id, form.reasons).await;
    flash_back(back(id), outcome.map(|_| "异议已提交，公示单位将逐条答复".to_string()))
}

#[post("/<id>/objections/<objection>/answer", data = "<form>")]
async fn answer(
    id: &str,
    objection: &str,
    form: Form<Text<'_>>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, AppError> {
    let outcome = service::answer(db, &acting.caller(), id, objection, form.answer).await;
    flash_back(back(id), outcome.map(|()| "答复已公开".to_string()))
}

#[post("/<id>/close", data = "<form>")]
async fn close(id: &str, form: Form<Text<'_>>, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let outcome = service::close(db, &acting.caller(), id, false, form.note).await;
    flash_back(back(id), outcome.map(|()| "公示已结束，可以据此起草合同".to_string()))
}

#[post("/<id>/withdraw", data = "<form>")]
async fn withdraw(id: &str, form: Form<Text<'_>>, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let outcome = service::close(db, &acting.caller(), id, true, form.note).await;
    flash_back(back(id), outcome.map(|()| "公示已撤回".to_string()))
}

#[get("/feed.atom")]
async fn feed(
    db: &State<Db>,
    site: &State<Site>,
    settings: &State<crate::config::Settings>,
) -> Result<super::feed::AtomFeed, AppError> {
    let rows = store::recent(db, super::feed::ENTRIES).await?;
    Ok(super::feed::of(&site.platform_name, &settings.mail.public_url, rows.into_iter().map(view::view).collect()))
}

/// Mounted at `/notices`.
pub fn routes() -> Vec<Route> {
    routes![index, new_form, create, detail, correct_form, correct, object, answer, close, withdraw, feed]
}
