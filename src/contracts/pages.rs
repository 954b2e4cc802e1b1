//! Contract pages: the list (the public sees aggregate figures only), the drafting form with its
//! one-time token, the contract page with its pre-check, history and registry actions, the
//! amendment form, the printable registration summary, and administrators' CSV export.

use crate::web::input::Form;
use rocket::http::Status as HttpStatus;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::api::{scope_of, summary_of};
use super::changes::{self, AmendInput, PaymentInput};
use super::lifecycle::{self, Action, Status};
use super::model::ContractInput;
use super::query::ListFilter;
use super::query::ListQuery;
use super::records;
use super::review::ActionInput;
use super::service::{self, Once, Side};
use super::{diff, export, precheck, store, view};
use crate::auth::{Acting, Caller, drafts};
use crate::auth::{ActiveUser, AdminUser, ClientAddr, CurrentUser};
use crate::db::Db;
use crate::db::once;
use crate::domain::account::Role;
use crate::domain::contract_vocab::{Approvals, ContractType, IpType, PaymentMode, Programme, RefusalReason};
use crate::domain::forms::{FieldErrors, date_text};
use crate::domain::ids::ContractId;
use crate::domain::money::Fen;
use crate::domain::org::{NatureCode, OrganisationKind};
use crate::domain::taxonomy::TechnicalField;
use crate::domain::time::today_shanghai;
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::web::{Page, choices};

const PAGE_SIZE: i64 = 20;

/// Which form is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    New,
    Edit,
    Amend,
}

async fn form_page(
    db: &Db,
    user: &CurrentUser,
    mode: Mode,
    action: &str,
    input: &ContractInput,
    errors: &FieldErrors,
    token: Option<&str>,
) -> Result<Page, AppError> {
    let selected = |v: &Option<String>| v.clone().into_iter().collect::<Vec<String>>();
    let subtypes: Vec<Value> = ContractType::ALL
        .iter()
        .map(|kind| {
            json!({"label": kind.label(), "options": kind.subtypes().iter().map(|s| json!({
                "code": s.code(), "label": s.label(), "selected": input.subtype.as_deref() == Some(s.code())})).collect::<Vec<_>>()})
        })
        .collect();
    let organisations = crate::orgs::store::list_by_kinds(db, OrganisationKind::ALL).await?;
    let org_choices = |chosen: &Option<String>| crate::orgs::store::choices(&organisations, chosen.as_deref());
    let brokers: Vec<Value> = crate::auth::store::active_brokers(db)
        .await?
        .into_iter()
        .map(|(id, name)| json!({"code": id, "label": name, "selected": input.broker_user_id.as_deref() == Some(id.as_str())}))
        .collect();
    let listing = |rows: Vec<(String, String)>, chosen: &Option<String>| -> Vec<Value> {
        rows.into_iter()
            .map(|(id, title)| json!({"selected": chosen.as_deref() == Some(id.as_str()), "code": id, "label": title}))
            .collect()
    };
    let achievements = listing(
        records::listing_choices(db, crate::listings::Kind::Achievement, input.achievement_id.as_deref()).await?,
        &input.achievement_id,
    );
    let demands = listing(
        records::listing_choices(db, crate::listings::Kind::Demand, input.demand_id.as_deref()).await?,
        &input.demand_id,
    );
    let written = input.written.unwrap_or(true);
    let data = json!({
        "action": action,
        "form_page": if action == "/contracts" { "/contracts/new".to_string() } else { format!("{action}/edit") },
        "mode": match mode { Mode::New => "new", Mode::Edit => "edit", Mode::Amend => "amend" },
        "amending": mode == Mode::Amend,
        "values": input,
        "written": written,
        "amend_reason": input.amend_reason,
        "errors": errors,
        "form_token": token,
        "choose_seller": mode == Mode::New && (user.is_admin || user.role == Role::Broker),
        "choose_broker": user.role != Role::Broker,
        "is_admin": user.is_admin,
        "choices": {
            "types": choices(ContractType::ALL, ContractType::code, ContractType::label, &selected(&input.contract_type)),
            "subtypes": subtypes,
            "seller_natures": choices(NatureCode::ALL, NatureCode::code, NatureCode::label, &selected(&input.seller_nature)),
            "buyer_natures": choices(NatureCode::ALL, NatureCode::code, NatureCode::label, &selected(&input.buyer_nature)),
            "fields": choices(TechnicalField::ALL, TechnicalField::code, TechnicalField::label, &selected(&input.technical_field)),
            "ip_types": choices(IpType::ALL, IpType::code, IpType::label, &selected(&input.ip_type)),
            "programmes": choices(Programme::ALL, Programme::code, Programme::label, &selected(&input.programme)),
            "payment_modes": choices(PaymentMode::ALL, PaymentMode::code, PaymentMode::label, &selected(&input.payment_mode)),
            "approvals": choices(Approvals::ALL, Approvals::code, Approvals::label, &selected(&input.approvals)),
            "sellers": org_choices(&input.seller_organisation_id),
            "buyers": org_choices(&input.buyer_organisation_id),
            "brokers": brokers,
            "achievements": achievements,
            "demands": demands,
            "wan": input.amount_unit.as_deref() == Some("wan"),
        },
    });
    let title = match mode {
        Mode::New => "起草技术合同",
        Mode::Edit => "修改技术合同",
        Mode::Amend => "变更登记",
    };
    let status = if errors.is_empty() { HttpStatus::Ok } else { HttpStatus::UnprocessableEntity };
    Ok(Page::new("contracts/form", title, data).with_status(status))
}

#[get("/?<query..>")]
async fn index(
    db: &State<Db>,
    settings: &State<crate::config::Settings>,
    user: Option<CurrentUser>,
    flash: Option<FlashMessage<'_>>,
    query: ListQuery,
) -> Result<Page, AppError> {
    let year = today_shanghai().year();
    let summary = summary_of(db, settings, year).await?;
    let Some(user) = user else {
        return Ok(Page::new("contracts/index", "技术合同登记", json!({"public": true, "summary": summary})));
    };
    let filter = query.filter(scope_of(&user))?;
    let page_number = query.page.unwrap_or(1).clamp(1, 100_000);
    let (rows, total) = records::list(db, &filter, (page_number - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    let today = today_shanghai();
    let base = query.to_query();
    let link = |p: i64| {
        let mut parts = base.clone();
        parts.push(format!("page={p}"));
        format!("?{}", parts.join("&"))
    };
    let overdue_count = if user.is_admin {
        let overdue_filter = ListFilter {
            overdue_on: Some(date_text(today)),
            ..<ListQuery as Default>::default().filter(scope_of(&user))?
        };
        records::list(db, &overdue_filter, 0, 1).await?.1
    } else {
        0
    };
    let status = query.status.as_deref().unwrap_or("");
    let statuses: Vec<Value> = [
        ("", "全部"),
        ("draft", "草稿"),
        ("submitted", "已受理"),
        ("correction_requested", "待补正"),
        ("registered", "已登记"),
        ("cancelled", "已注销"),
        ("refused", "未予登记"),
    ]
    .iter()
    .map(|(code, label)| json!({"code": code, "label": label, "selected": status == *code}))
    .collect();
    // Filters the text box does not show (set by a dashboard link) are kept and named.
    let narrowed = filter.registered_from.is_some() || !filter.dimensions.is_empty();
    let data = json!({
        "public": false,
        "summary": summary,
        "items": rows.iter().map(|r| view::list_row(r, today)).collect::<Vec<_>>(),
        "total": total,
        "page": page_number,
        "pages": pages,
        "prev": (page_number > 1).then(|| link(page_number - 1)),
        "next": (page_number < pages).then(|| link(page_number + 1)),
        "statuses": statuses,
        "overdue": query.overdue == Some(true),
        "q": query.q.clone().unwrap_or_default(),
        "narrowed": narrowed,
        "hidden": hidden_fields(&query),
        "is_admin": user.is_admin,
        "overdue_count": overdue_count,
        "export_query": base.join("&"),
        "can_draft": user.status == crate::domain::account::AccountStatus::Active,
    });
    Ok(Page::new("contracts/index", "技术合同登记", data).with_flash(flash))
}

/// The dashboard's filters as hidden form fields, so changing the status keeps them.
fn hidden_fields(query: &ListQuery) -> Vec<Value> {
    query
        .pairs()
        .into_iter()
        .filter(|(name, _)| !matches!(*name, "status" | "q" | "overdue"))
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect()
}

#[get("/export.csv?<query..>")]
async fn export_csv(db: &State<Db>, admin: AdminUser, query: ListQuery) -> Result<export::CsvStream, AppError> {
    let filter = query.filter(scope_of(&admin.0))?;
    let name = format!("contracts-{}.csv", date_text(today_shanghai()));
    Ok(export::CsvStream { db: db.inner().clone(), filter, name })
}

#[get("/new?<achievement>&<demand>&<deal>&<draft>&<notice>&<offering>&<auction>")]
#[allow(clippy::too_many_arguments)]
async fn new_form(
    db: &State<Db>,
    user: ActiveUser,
    achievement: Option<&str>,
    demand: Option<&str>,
    deal: Option<&str>,
    draft: Option<&str>,
    notice: Option<&str>,
    offering: Option<&str>,
    auction: Option<&str>,
) -> Result<Page, AppError> {
    let token = once::issue_form_token(db, &user.0.id, service::CREATE_PURPOSE).await?;
    if let Some(input) = drafts::kept::<ContractInput>(db, &user.0.id, draft, "/contracts/new").await? {
        let page = form_page(db, &user.0, Mode::New, "/contracts", &input, &FieldErrors::new(), Some(&token)).await?;
        return Ok(page.with_notice("info", drafts::RESTORED));
    }
    use super::prefill::Trade;
    let trade = notice.map(Trade::Notice).or(offering.map(Trade::Offering)).or(auction.map(Trade::Auction));
    let input = super::prefill::new_input(db, &user.0, achievement, demand, deal, trade).await?;
    form_page(db, &user.0, Mode::New, "/contracts", &input, &FieldErrors::new(), Some(&token)).await
}

#[post("/", data = "<form>")]
async fn create(
    form: Form<ContractInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    let caller = acting.caller();
    let token = input.form_token.clone().unwrap_or_default();
    match service::create(db, &caller, &input, Some(Once::FormToken(&token))).await {
        Ok(created) if created.replayed => {
            Ok(Flash::success(Redirect::to(format!("/contracts/{}", created.id)), "该合同已经保存过，未重复创建"))
        }
        Ok(created) => Ok(Flash::success(
            Redirect::to(format!("/contracts/{}", created.id)),
            "合同草稿已保存。请查看登记预审结果，补齐后提交登记",
        )),
        Err(FormFailure::Fields(errors)) => {
            Err(form_page(db, &acting.user, Mode::New, "/contracts", &input, &errors, Some(&token)).await)
        }
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[get("/<id>")]
async fn detail(
    id: Result<ContractId, uuid::Error>,
    db: &State<Db>,
    user: CurrentUser,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let id = service::contract_id(id)?;
    let (contract, side) = service::visible(db, &user, id).await?;
    let revisions = store::revisions(db, &id.to_string()).await?;
    let current = revisions.last().ok_or_else(|| AppError::internal(std::io::Error::other("no revision")))?;
    let today = today_shanghai();
    let findings = precheck::run(&current.draft);
    let history: Vec<Value> = revisions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut value = view::revision(r);
            value["changes"] =
                json!(if i == 0 { Vec::new() } else { diff::changes(&revisions[i - 1].draft, &r.draft) });
            value
        })
        .rev()
        .collect();
    let events: Vec<Value> = records::events(db, &id.to_string())
        .await?
        .iter()
        .map(|e| {
            json!({"label": super::lifecycle::event_label(&e.kind), "kind": e.kind, "note": e.note, "actor_name": e.actor_name,
            "revision_no": e.revision_no, "at": crate::domain::time::chinese_datetime_text(&e.occurred_at)})
        })
        .collect();
    let payments = records::payments(db, &id.to_string()).await?;
    let paid: i64 = payments.iter().map(|p| p.amount_fen).sum();
    let mut links = Vec::new();
    if let Some(found) = match &current.draft.achievement_id {
        Some(a) => crate::listings::store::find::<crate::achievements::listing::Achievements>(db, a).await?,
        None => None,
    } {
        links.push(
            json!({"label": "科技成果", "title": found.title, "href": format!("/achievements/{}", found.meta.id)}),
        );
    }
    if let Some(found) = match &current.draft.demand_id {
        Some(d) => crate::listings::store::find::<crate::demands::listing::Demands>(db, d).await?,
        None => None,
    } {
        links.push(json!({"label": "技术需求", "title": found.title, "href": format!("/demands/{}", found.meta.id)}));
    }
    let admin = side == Side::Admin;
    let seller = side == Side::Seller;
    let can = |action: Action| lifecycle::next(contract.status, action, contract.is_cancelled()).is_some();
    let share_due = current.draft.team_share.map(|f| f.0);
    let data = json!({
        "contract": view::contract(&contract, current, today, &crate::calendar::load(db).await?),
        "findings": findings,
        "blocked": precheck::blocks(&findings),
        "history": history,
        "events": events,
        "payments": payments.iter().map(|p| json!({"paid_on": p.paid_on, "amount": Fen(p.amount_fen).format_yuan(),
            "note": p.note, "recorded_by_name": p.recorded_by_name})).collect::<Vec<Value>>(),
        "paid_text": Fen(paid).format_yuan(),
        "unpaid_text": share_due.map(|due| Fen((due - paid).max(0)).format_yuan()),
        "can_record_payment": (seller || admin) && current.draft.institution_achievement && contract.status != Status::Refused,
        "side": match side { Side::Seller => "seller", Side::Buyer => "buyer", Side::Admin => "admin" },
        "can_edit": (seller || admin) && contract.status.is_editable(),
        "can_submit": seller && can(Action::Submit),
        "can_decide": admin && contract.status == Status::Submitted,
        "can_amend": admin && can(Action::Amend),
        "can_cancel": admin && can(Action::Cancel),
        "refusal_reasons": choices(RefusalReason::ALL, RefusalReason::code, RefusalReason::label, &[]),
        "today": date_text(today),
        "links": links,
    });
    let title = current.draft.title.clone();
    Ok(Page::new("contracts/detail", title, data).with_flash(flash))
}

#[get("/<id>/print")]
async fn print(id: Result<ContractId, uuid::Error>, db: &State<Db>, user: CurrentUser) -> Result<Page, AppError> {
    let id = service::contract_id(id)?;
    let (contract, _) = service::visible(db, &user, id).await?;
    let current = service::current(db, &contract).await?;
    let data = json!({
        "contract": view::contract(&contract, &current, today_shanghai(), &crate::calendar::load(db).await?),
        "printed_on": crate::domain::time::chinese_date(time::OffsetDateTime::now_utc()),
    });
    Ok(Page::new("contracts/print", format!("技术合同登记摘要 · {}", current.draft.title), data))
}

#[get("/<id>/edit?<draft>")]
async fn edit_form(
    id: Result<ContractId, uuid::Error>,
    db: &State<Db>,
    user: ActiveUser,
    draft: Option<&str>,
) -> Result<Page, AppError> {
    let id = service::contract_id(id)?;
    let (contract, side) = service::visible(db, &user.0, id).await?;
    if !matches!(side, Side::Seller | Side::Admin) || !contract.status.is_editable() {
        return Err(AppError::forbidden(ErrorCode::NotEditable, "这份合同现在不能由您修改"));
    }
    let action = format!("/contracts/{id}");
    let (input, restored) = match drafts::kept(db, &user.0.id, draft, &format!("{action}/edit")).await? {
        Some(input) => (input, true),
        None => (service::input_of(&contract, &service::current(db, &contract).await?.draft), false),
    };
    let page = form_page(db, &user.0, Mode::Edit, &action, &input, &FieldErrors::new(), None).await?;
    Ok(if restored { page.with_notice("info", drafts::RESTORED) } else { page })
}

#[post("/<id>", data = "<form>")]
async fn update(
    id: Result<ContractId, uuid::Error>,
    form: Form<ContractInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let id = service::contract_id(id).map_err(Err)?;
    let input = form.into_inner();
    let caller = acting.caller();
    let back = Redirect::to(format!("/contracts/{id}"));
    match service::update(db, &caller, id, &input).await {
        Ok(()) => Ok(Flash::success(back, "合同已保存")),
        Err(FormFailure::Fields(errors)) => {
            Err(form_page(db, &acting.user, Mode::Edit, &format!("/contracts/{id}"), &input, &errors, None).await)
        }
        Err(FormFailure::Other(error)) if error.status == HttpStatus::Conflict => Ok(Flash::error(back, error.message)),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[get("/<id>/amend")]
async fn amend_form(id: Result<ContractId, uuid::Error>, db: &State<Db>, admin: AdminUser) -> Result<Page, AppError> {
    let id = service::contract_id(id)?;
    let (contract, _) = service::visible(db, &admin.0, id).await?;
    if lifecycle::next(contract.status, Action::Amend, contract.is_cancelled()).is_none() {
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "只有已登记且未注销的合同可以变更登记"));
    }
    let current = service::current(db, &contract).await?;
    let input = service::input_of(&contract, &current.draft);
    form_page(db, &admin.0, Mode::Amend, &format!("/contracts/{id}/amend"), &input, &FieldErrors::new(), None).await
}

#[post("/<id>/amend", data = "<form>")]
async fn amend(
    id: Result<ContractId, uuid::Error>,
    form: Form<ContractInput>,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let id = service::contract_id(id).map_err(Err)?;
    let changes = form.into_inner();
    let caller = Caller { user: &admin.0, ip: &ip.0 };
    let input = AmendInput { reason: changes.amend_reason.clone(), changes: changes.clone() };
    let back = Redirect::to(format!("/contracts/{id}"));
    match changes::amend(db, &caller, id, &input).await {
        Ok(revision) => {
            Ok(Flash::success(back, format!("变更登记完成，现行版本为第 {revision} 版，原版本保留在历史中")))
        }
        Err(FormFailure::Fields(mut errors)) => {
            // The reason is typed in the form as `amend_reason`.
            if let Some(message) = errors.remove("reason") {
                errors.insert("amend_reason".to_string(), message);
            }
            Err(form_page(db, &admin.0, Mode::Amend, &format!("/contracts/{id}/amend"), &changes, &errors, None).await)
        }
        Err(FormFailure::Other(error)) if error.status == HttpStatus::Conflict => Ok(Flash::error(back, error.message)),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[post("/<id>/share-payments", data = "<form>")]
async fn pay(
    id: Result<ContractId, uuid::Error>,
    form: Form<PaymentInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, AppError> {
    let id = service::contract_id(id)?;
    let input = form.into_inner();
    let caller = acting.caller();
    let back = Redirect::to(format!("/contracts/{id}#share"));
    match changes::record_payment(db, &caller, id, &input).await {
        Ok(_) => Ok(Flash::success(back, "奖励发放已登记")),
        Err(FormFailure::Fields(errors)) => Ok(Flash::error(back, errors.into_values().collect::<Vec<_>>().join("；"))),
        Err(FormFailure::Other(error)) if error.status == HttpStatus::Conflict => Ok(Flash::error(back, error.message)),
        Err(FormFailure::Other(error)) => Err(error),
    }
}

#[post("/<id>/<action>", data = "<form>", rank = 5)]
async fn act(
    id: Result<ContractId, uuid::Error>,
    action: &str,
    form: Form<ActionInput>,
    db: &State<Db>,
    settings: &State<crate::config::Settings>,
    acting: Acting,
) -> Result<Flash<Redirect>, AppError> {
    let id = service::contract_id(id)?;
    let action = Action::from_code(action).ok_or_else(AppError::unknown_action)?;
    let input = form.into_inner();
    let caller = acting.caller();
    let back = Redirect::to(format!("/contracts/{id}"));
    match super::api::act(db, &caller, id, action, &input, settings.review_rule).await {
        Ok(outcome) => {
            let warned = outcome["warnings"].as_array().is_some_and(|w| !w.is_empty());
            let message = match action {
                Action::Submit if warned => "已提交登记（受理）。预审提示仍然存在，请留意登记机构的意见".to_string(),
                Action::Submit => "已提交登记（受理），登记机构将在办结期限内答复".to_string(),
                other => format!("已{}", other.label()),
            };
            Ok(Flash::success(back, message))
        }
        Err(error) if error.status == HttpStatus::UnprocessableEntity || error.status == HttpStatus::Conflict => {
            let detail = error.fields.values().cloned().collect::<Vec<_>>().join("；");
            let message = if detail.is_empty() { error.message } else { format!("{}：{detail}", error.message) };
            Ok(Flash::error(back, message))
        }
        Err(error) => Err(error),
    }
}

/// Mounted at `/contracts`.
pub fn routes() -> Vec<Route> {
    routes![index, export_csv, new_form, create, detail, print, edit_form, update, amend_form, amend, pay, act]
}
