//! Deal API: `/api/v1/deals` (list, open), one deal with its timeline as the caller may see it,
//! notes, steps and the parties' answers as sub-resources; `/api/v1/leads` and claiming one.

use rocket::{Responder, Route, State, get, post, routes};
use serde_json::{Value, json};

use super::leads;
use super::pages::scope_of;
use super::service::{self, DealInput, NoteInput, StepInput};
use super::stage::{Action, Stage};
use super::{store, view};
use crate::auth::{Acting, CurrentUser};
use crate::db::Db;
use crate::domain::account::Role;
use crate::error::{AppError, ErrorCode};
use crate::web::input::{Json, OptionalJson};

fn signed_in(user: &CurrentUser) -> Result<(), AppError> {
    if user.status == crate::domain::account::AccountStatus::Active || user.is_admin {
        Ok(())
    } else {
        Err(AppError::forbidden(ErrorCode::AccountPending, "账号审核通过后才能查看对接项目"))
    }
}

#[get("/deals?<stage>")]
async fn list(db: &State<Db>, user: CurrentUser, stage: Option<&str>) -> Result<Json<Value>, AppError> {
    signed_in(&user)?;
    let stage = match stage {
        Some(code) => Some(
            Stage::from_code(code)
                .ok_or_else(|| AppError::bad_request(ErrorCode::InvalidParameter, "stage 不是有效的项目阶段"))?,
        ),
        None => None,
    };
    let items = store::list(db, &scope_of(&user), stage, 500).await?;
    Ok(Json(json!({"items": items, "total": items.len()})))
}

async fn whole(db: &Db, user: &CurrentUser, id: &str) -> Result<Value, AppError> {
    let (deal, access) = service::visible(db, user, id).await?;
    Ok(json!(view::detail(db, deal, access).await?))
}

#[get("/deals/<id>")]
async fn one(id: &str, db: &State<Db>, user: CurrentUser) -> Result<Json<Value>, AppError> {
    signed_in(&user)?;
    Ok(Json(whole(db, &user, id).await?))
}

/// A created deal (or a note added to one): 201 with the deal.
#[derive(Responder)]
#[response(status = 201, content_type = "json")]
struct CreatedDeal(Json<Value>);

#[post("/deals", format = "json", data = "<body>")]
async fn create(body: Json<DealInput>, db: &State<Db>, acting: Acting) -> Result<CreatedDeal, AppError> {
    let id = service::open(db, &acting.caller(), &body).await?;
    Ok(CreatedDeal(Json(whole(db, &acting.user, &id).await?)))
}

#[post("/deals/<id>/notes", format = "json", data = "<body>")]
async fn note(id: &str, body: Json<NoteInput>, db: &State<Db>, acting: Acting) -> Result<CreatedDeal, AppError> {
    service::note(db, &acting.caller(), id, &body).await?;
    Ok(CreatedDeal(Json(whole(db, &acting.user, id).await?)))
}

#[post("/deals/<id>/<action>", data = "<body>", rank = 5)]
async fn act(
    id: &str,
    action: &str,
    body: OptionalJson<StepInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Json<Value>, AppError> {
    let caller = acting.caller();
    match action {
        "accept" | "decline" => service::answer(db, &caller, id, action == "accept").await?,
        _ => {
            let action = Action::from_code(action).ok_or_else(AppError::unknown_action)?;
            let input = body.into_inner().unwrap_or_default();
            service::step(db, &caller, id, action, &input).await?;
        }
    }
    Ok(Json(whole(db, &acting.user, id).await?))
}

#[get("/leads")]
async fn lead_queue(db: &State<Db>, acting: Acting) -> Result<Json<Value>, AppError> {
    if !(acting.user.role == Role::Broker || acting.user.is_admin) {
        return Err(AppError::forbidden(ErrorCode::Forbidden, "线索供技术经纪人和管理员查看"));
    }
    let items = leads::for_user(db, &acting.user, 100).await?;
    Ok(Json(json!({"items": items})))
}

#[post("/leads/<source>/<id>/claim")]
async fn claim(source: &str, id: &str, db: &State<Db>, acting: Acting) -> Result<CreatedDeal, AppError> {
    let deal = leads::claim(db, &acting.caller(), source, id).await?;
    Ok(CreatedDeal(Json(whole(db, &acting.user, &deal).await?)))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, one, create, note, act, lead_queue, claim]
}
