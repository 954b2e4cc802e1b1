//! Contract API: drafting (with `Idempotency-Key`), editing, the registration actions as
//! sub-resources, revisions, the pre-check, team-share payments, and the public aggregate.

use crate::web::input::{Json, OptionalJson};
use rocket::http::{Header, Status as HttpStatus};
use rocket::{Responder, Route, State, get, post, put, routes};
use serde_json::{Value, json};

use super::changes::{self, AmendInput, PaymentInput};
use super::lifecycle::Action;
use super::model::ContractInput;
use super::query::ListQuery;
use super::query::Scope;
use super::records;
use super::review::{self, ActionInput};
use super::service::{self, Once};
use super::{store, view};
use crate::auth::CurrentUser;
use crate::auth::{Acting, Caller};
use crate::config::{ReviewRule, Settings};
use crate::db::Db;
use crate::db::once;
use crate::domain::account::AccountStatus;
use crate::domain::ids::ContractId;
use crate::domain::time::today_shanghai;
use crate::error::{AppError, ErrorCode};
use crate::web::idempotency::{IdempotencyKey, replayed_header};

const PER_PAGE: i64 = 50;

/// Scope of the caller's lists: everything for administrators, their own otherwise.
pub fn scope_of(user: &CurrentUser) -> Scope {
    if user.is_admin {
        Scope::All
    } else {
        Scope::Member {
            user_id: user.id.clone(),
            organisation_id: user.organisation_id.clone().filter(|_| user.status == AccountStatus::Active),
        }
    }
}

#[get("/contracts?<query..>")]
async fn list(db: &State<Db>, user: CurrentUser, query: ListQuery) -> Result<Json<Value>, AppError> {
    let page = query.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(AppError::bad_request(ErrorCode::InvalidParameter, "page 应为 1 到 100000 之间的整数"));
    }
    let filter = query.filter(scope_of(&user))?;
    let today = today_shanghai();
    // With a cursor the page is found by key, however deep it is; page numbers stay for people.
    let offset = if filter.after.is_some() { 0 } else { (page - 1) * PER_PAGE };
    let (rows, total) = records::list(db, &filter, offset, PER_PAGE).await?;
    let next_after = rows.last().filter(|_| rows.len() as i64 == PER_PAGE).map(|last| {
        let (at, id) = records::key_of(&filter, last);
        crate::listings::cursor::encode(&at, &id)
    });
    let items: Vec<_> = rows.iter().map(|r| view::list_row(r, today)).collect();
    Ok(Json(json!({"items": items, "total": total, "page": page, "per_page": PER_PAGE, "next_after": next_after})))
}

/// The public's view: aggregate figures of registered contracts, no contract details.
#[get("/contracts/summary?<year>")]
async fn summary(db: &State<Db>, settings: &State<Settings>, year: Option<i32>) -> Result<Json<Value>, AppError> {
    let year = year.unwrap_or_else(|| today_shanghai().year());
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad_request(ErrorCode::InvalidParameter, "year 应为 2000 到 2100 之间的年份"));
    }
    Ok(Json(summary_of(db, settings, year).await?))
}

/// Registered, not-cancelled contracts of one year (Asia/Shanghai), month by month: every one
/// registered on the platform, and — said apart, as `/stats` counts it — those the year's goal
/// counts (its basis and side).
pub async fn summary_of(db: &Db, settings: &Settings, year: i32) -> Result<Value, AppError> {
    let months = records::monthly_totals(db, &format!("{year:04}-01"), &format!("{:04}-01", year + 1)).await?;
    let count: i64 = months.iter().map(|m| m.count).sum();
    let total: i128 = months.iter().map(|m| i128::from(m.total_fen)).sum();
    let technology: i128 = months.iter().map(|m| i128::from(m.technology_fen)).sum();
    let as_fen = |v: i128| crate::domain::money::Fen(i64::try_from(v).unwrap_or(i64::MAX));
    let goal = crate::stats::store::goal_for(db, year, &settings.goal).await?;
    let scope =
        crate::stats::store::Scope { year, basis: goal.basis, side: goal.side, district: &settings.region_code };
    let (goal_amounts, goal_counts) = crate::stats::store::months(db, &scope).await?;
    let goal_fen: i128 = goal_amounts.iter().map(|v| i128::from(*v)).sum();
    Ok(json!({
        "year": year,
        "scope_label": "平台登记的全部技术合同（不分买卖方所在地）",
        "demo_contracts": crate::stats::store::demo_contracts(db, year).await?,
        "goal_counted": {
            "label": format!("计入{}年度目标：{}，{}", settings.district_name, goal.basis.label(), goal.side.label()),
            "contracts": goal_counts.iter().sum::<i64>(),
            "amount_fen": as_fen(goal_fen).0,
            "amount_text": as_fen(goal_fen).format_compact(),
            "link": format!("/stats?year={year}"),
        },
        "registered_count": count,
        "total_fen": as_fen(total).0,
        "total_text": as_fen(total).format_compact(),
        "technology_fen": as_fen(technology).0,
        "technology_text": as_fen(technology).format_compact(),
        "months": months,
    }))
}

/// A created contract: 201 with the contract, and a header when an earlier request made it.
#[derive(Responder)]
#[response(status = 201, content_type = "json")]
struct CreatedResponse {
    body: Json<Value>,
    replayed: Header<'static>,
}

async fn full(db: &Db, user: &CurrentUser, id: ContractId) -> Result<Value, AppError> {
    let (contract, _) = service::visible(db, user, id).await?;
    let revision = service::current(db, &contract).await?;
    let calendar = crate::calendar::load(db).await?;
    let mut value = json!(view::contract(&contract, &revision, today_shanghai(), &calendar));
    value["precheck"] = json!(super::precheck::run(&revision.draft));
    value["input"] = json!(service::input_of(&contract, &revision.draft));
    Ok(value)
}

#[post("/contracts", format = "json", data = "<body>")]
async fn create(
    body: Json<ContractInput>,
    key: IdempotencyKey,
    db: &State<Db>,
    acting: Acting,
) -> Result<CreatedResponse, AppError> {
    let caller = acting.caller();
    let proof =
        key.checked()?.map(|key| Once::Key { key, request_hash: once::request_hash("POST /contracts", &body.0) });
    let created = service::create(db, &caller, &body, proof).await?;
    let id = created.id.parse().map_err(|_| AppError::internal("a new contract's id is not a uuid"))?;
    let value = full(db, &acting.user, id).await?;
    Ok(CreatedResponse { body: Json(value), replayed: replayed_header(created.replayed) })
}

#[get("/contracts/<id>")]
async fn detail(
    id: Result<ContractId, uuid::Error>,
    db: &State<Db>,
    user: CurrentUser,
) -> Result<Json<Value>, AppError> {
    let id = service::contract_id(id)?;
    Ok(Json(full(db, &user, id).await?))
}

#[put("/contracts/<id>", format = "json", data = "<body>")]
async fn update(
    id: Result<ContractId, uuid::Error>,
    body: Json<ContractInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Json<Value>, AppError> {
    let id = service::contract_id(id)?;
    let caller = acting.caller();
    service::update(db, &caller, id, &body).await?;
    Ok(Json(full(db, &acting.user, id).await?))
}

#[get("/contracts/<id>/revisions")]
async fn revisions(
    id: Result<ContractId, uuid::Error>,
    db: &State<Db>,
    user: CurrentUser,
) -> Result<Json<Value>, AppError> {
    let id = service::contract_id(id)?;
    service::visible(db, &user, id).await?;
    let items: Vec<Value> = store::revisions(db, &id.to_string()).await?.iter().map(view::revision).collect();
    Ok(Json(json!({"items": items})))
}

#[get("/contracts/<id>/events")]
async fn events(
    id: Result<ContractId, uuid::Error>,
    db: &State<Db>,
    user: CurrentUser,
) -> Result<Json<Value>, AppError> {
    let id = service::contract_id(id)?;
    service::visible(db, &user, id).await?;
    let items: Vec<Value> = records::events(db, &id.to_string())
        .await?
        .iter()
        .map(|e| {
            json!({"kind": e.kind, "label": super::lifecycle::event_label(&e.kind), "revision_no": e.revision_no,
            "note": e.note, "actor_name": e.actor_name, "occurred_at": e.occurred_at})
        })
        .collect();
    Ok(Json(json!({"items": items})))
}

#[get("/contracts/<id>/precheck")]
async fn precheck(
    id: Result<ContractId, uuid::Error>,
    db: &State<Db>,
    user: CurrentUser,
) -> Result<Json<Value>, AppError> {
    let id = service::contract_id(id)?;
    let (contract, _) = service::visible(db, &user, id).await?;
    let findings = service::precheck_of(db, &contract).await?;
    let blocking = super::precheck::blocks(&findings);
    Ok(Json(json!({"items": findings, "can_submit": !blocking && contract.status.is_editable()})))
}

#[post("/contracts/<id>/amend", format = "json", data = "<body>")]
async fn amend(
    id: Result<ContractId, uuid::Error>,
    body: Json<AmendInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Json<Value>, AppError> {
    let id = service::contract_id(id)?;
    let caller = acting.caller();
    changes::amend(db, &caller, id, &body).await?;
    Ok(Json(full(db, &acting.user, id).await?))
}

#[get("/contracts/<id>/share-payments")]
async fn payments(
    id: Result<ContractId, uuid::Error>,
    db: &State<Db>,
    user: CurrentUser,
) -> Result<Json<Value>, AppError> {
    let id = service::contract_id(id)?;
    service::visible(db, &user, id).await?;
    Ok(Json(json!({"items": records::payments(db, &id.to_string()).await?})))
}

#[post("/contracts/<id>/share-payments", format = "json", data = "<body>")]
async fn pay(
    id: Result<ContractId, uuid::Error>,
    body: Json<PaymentInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<(HttpStatus, Json<Value>), AppError> {
    let id = service::contract_id(id)?;
    let caller = acting.caller();
    changes::record_payment(db, &caller, id, &body).await?;
    Ok((HttpStatus::Created, Json(json!({"items": records::payments(db, &id.to_string()).await?}))))
}

/// Runs one registration action (amend has its own route: it carries the whole contract).
pub async fn act(
    db: &Db,
    caller: &Caller<'_>,
    id: ContractId,
    action: Action,
    input: &ActionInput,
    rule: ReviewRule,
) -> Result<Value, AppError> {
    let warnings = match action {
        Action::Submit => review::submit(db, caller, id, rule).await?,
        Action::Dispute => {
            review::dispute(db, caller, id, input, rule).await?;
            Vec::new()
        }
        Action::RequestCorrection => {
            review::request_correction(db, caller, id, input).await?;
            Vec::new()
        }
        Action::Register => {
            review::register(db, caller, id, input).await?;
            Vec::new()
        }
        Action::Refuse => {
            review::refuse(db, caller, id, input).await?;
            Vec::new()
        }
        Action::Cancel => {
            changes::cancel(db, caller, id, input).await?;
            Vec::new()
        }
        Action::Amend => {
            return Err(AppError::bad_request(ErrorCode::UseAmend, "变更登记请提交完整的合同内容和变更原因"));
        }
    };
    Ok(json!({"warnings": warnings}))
}

#[post("/contracts/<id>/<action>", data = "<body>", rank = 5)]
async fn action(
    id: Result<ContractId, uuid::Error>,
    action: &str,
    body: OptionalJson<ActionInput>,
    db: &State<Db>,
    settings: &State<Settings>,
    acting: Acting,
) -> Result<Json<Value>, AppError> {
    let id = service::contract_id(id)?;
    let action = Action::from_code(action).ok_or_else(AppError::unknown_action)?;
    let caller = acting.caller();
    let input = body.into_inner().unwrap_or_default();
    let outcome = act(db, &caller, id, action, &input, settings.review_rule).await?;
    let mut value = full(db, &acting.user, id).await?;
    value["warnings"] = outcome["warnings"].clone();
    Ok(Json(value))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, summary, create, detail, update, revisions, events, precheck, amend, payments, pay, action]
}
