//! Demand use cases: create, edit (optimistic locking), lifecycle actions, expiry, views and
//! contact requests — each change one transaction with its audit event. Only members of the
//! posting enterprise manage a demand.

use rocket::http::Status as HttpStatus;
use serde_json::json;

use super::model::{self, Action, Actor as ActionActor, DemandInput, Status};
use super::store::{self, DemandRow};
use crate::audit::{self, NewAuditEvent};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::db::once::{self, Created};
use crate::domain::account::{AccountStatus, Role};
use crate::domain::forms::{FieldErrors, date_text};
use crate::domain::time::today_shanghai;
use crate::error::{AppError, FormFailure};
use crate::listings::{Kind, interest};

/// The acting person and where they are.
pub struct Caller<'a> {
    pub user: &'a CurrentUser,
    pub ip: &'a str,
}

impl Caller<'_> {
    fn event(&self, action: &str, id: &str, details: serde_json::Value) -> NewAuditEvent {
        NewAuditEvent {
            actor_user_id: Some(self.user.id.clone()),
            actor_ip: Some(self.ip.to_string()),
            action: action.to_string(),
            subject_type: "demand".to_string(),
            subject_id: id.to_string(),
            details,
        }
    }

    fn is_admin(&self) -> bool {
        self.user.role == Role::Admin && self.user.status == AccountStatus::Active
    }

    fn owns(&self, demand: &DemandRow) -> bool {
        self.user.status == AccountStatus::Active
            && self.user.organisation_id.as_deref() == Some(demand.organisation_id.as_str())
    }
}

/// Enterprises post demands.
pub fn may_create(user: &CurrentUser) -> bool {
    user.status == AccountStatus::Active && user.role == Role::Enterprise && user.organisation_id.is_some()
}

fn not_found() -> AppError {
    AppError::not_found("demand_not_found", "该技术需求不存在或尚未公开")
}

fn not_yours() -> AppError {
    AppError::forbidden("not_owner", "只有发布需求的企业成员才能管理该需求")
}

fn stale() -> AppError {
    AppError::conflict("edit_conflict", "该需求已被他人修改，请查看最新内容后重新编辑")
}

/// Whether the public may see this demand today.
pub fn publicly_visible(demand: &DemandRow) -> bool {
    demand.status.is_public() && (demand.status == Status::Solved || demand.valid_until >= date_text(today_shanghai()))
}

pub async fn visible(db: &Db, user: Option<&CurrentUser>, id: &str) -> Result<DemandRow, AppError> {
    let demand = store::find(db, id).await?.ok_or_else(not_found)?;
    let privileged = user.is_some_and(|u| {
        let caller = Caller { user: u, ip: "" };
        caller.is_admin() || caller.owns(&demand)
    });
    if publicly_visible(&demand) || privileged { Ok(demand) } else { Err(not_found()) }
}

/// Creates a draft. With an API client's `Idempotency-Key` (key, request hash), a retry of the
/// same request finds the draft the first one made.
pub async fn create(
    db: &Db,
    caller: &Caller<'_>,
    input: &DemandInput,
    key: Option<(&str, &str)>,
) -> Result<Created, FormFailure> {
    if !may_create(caller.user) {
        return Err(AppError::forbidden("cannot_post_demands", "只有已审核的企业用户可以发布技术需求").into());
    }
    let demand = model::validate(input, today_shanghai()).map_err(FormFailure::Fields)?;
    let organisation_id = caller.user.organisation_id.clone().unwrap_or_default();
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    if let Some(earlier) = once::claim_optional_key(&mut tx, &caller.user.id, key, &id).await? {
        tx.rollback().await?;
        return Ok(Created { id: earlier, replayed: true });
    }
    store::insert(&mut tx, &id, &organisation_id, &caller.user.id, &demand, Status::Draft, false).await?;
    let details = json!({"title": demand.title, "organisation_id": organisation_id});
    audit::append(&mut tx, db.backend(), &caller.event("demand.created", &id, details)).await?;
    tx.commit().await?;
    Ok(Created { id, replayed: false })
}

pub async fn update(db: &Db, caller: &Caller<'_>, id: &str, input: &DemandInput) -> Result<Status, FormFailure> {
    let demand = store::find(db, id).await?.ok_or_else(not_found)?;
    if !caller.owns(&demand) {
        return Err(not_yours().into());
    }
    if !demand.status.is_editable() {
        return Err(AppError::conflict("not_editable", format!("“{}”状态的需求不能修改", demand.status.label())).into());
    }
    let Some(version) = input.version else {
        let fields = FieldErrors::from([("version".to_string(), "缺少版本号，请刷新页面后重新编辑".to_string())]);
        return Err(FormFailure::Fields(fields));
    };
    if version != demand.version {
        return Err(stale().into());
    }
    let valid = model::validate(input, today_shanghai()).map_err(FormFailure::Fields)?;
    let status = model::status_after_edit(demand.status);
    let mut tx = db.begin_write().await?;
    if !store::update_content(&mut tx, id, &valid, version, status).await? {
        return Err(stale().into());
    }
    let details = json!({"from": demand.status.code(), "to": status.code(), "version": version + 1});
    audit::append(&mut tx, db.backend(), &caller.event("demand.updated", id, details)).await?;
    tx.commit().await?;
    Ok(status)
}

pub async fn act(db: &Db, caller: &Caller<'_>, id: &str, action: Action, note: &str) -> Result<Status, AppError> {
    let demand = store::find(db, id).await?.ok_or_else(not_found)?;
    let allowed = match action.actor() {
        ActionActor::Owner => caller.owns(&demand),
        ActionActor::Admin => caller.is_admin(),
        ActionActor::System => false,
    };
    if !allowed {
        return Err(match action.actor() {
            ActionActor::Owner => not_yours(),
            _ => AppError::forbidden("admin_only", "此操作仅限平台管理员"),
        });
    }
    let Some(to) = model::transition(demand.status, action) else {
        let message = format!("“{}”状态的需求不能{}", demand.status.label(), action.label());
        return Err(AppError::new(HttpStatus::Conflict, "invalid_transition", message));
    };
    let note = note.trim();
    if action == Action::Return && note.chars().count() < 5 {
        return Err(AppError::validation(FieldErrors::from([(
            "note".to_string(),
            "请写明退回原因（至少 5 个字），以便企业修改".to_string(),
        )])));
    }
    let review_note = match action {
        Action::Return => Some(note),
        Action::Approve => Some(""),
        _ => None,
    };
    let mut tx = db.begin_write().await?;
    if !store::set_status(&mut tx, id, demand.status, to, review_note).await? {
        return Err(stale());
    }
    let details = json!({"from": demand.status.code(), "to": to.code(), "note": note});
    audit::append(&mut tx, db.backend(), &caller.event(&format!("demand.{}", action.code()), id, details)).await?;
    tx.commit().await?;
    Ok(to)
}

/// Moves every published or in-talks demand past its validity date to `expired`, audited as the
/// system's doing; returns how many. Public lists already hide them by date, so this keeps the
/// stored status honest for owners and statistics.
pub async fn expire_due(db: &Db) -> Result<usize, sqlx::Error> {
    let today = date_text(today_shanghai());
    let mut tx = db.begin_write().await?;
    let due = store::due_to_expire(&mut tx, &today).await?;
    for id in &due {
        for from in [Status::Published, Status::InTalks] {
            if store::set_status(&mut tx, id, from, Status::Expired, None).await? {
                let event =
                    NewAuditEvent::system("demand.expire", "demand", id, json!({"from": from.code(), "on": today}));
                audit::append(&mut tx, db.backend(), &event).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(due.len())
}

pub async fn record_view(db: &Db, user: Option<&CurrentUser>, demand: &DemandRow) -> Result<(), AppError> {
    let own = user.is_some_and(|u| u.organisation_id.as_deref() == Some(demand.organisation_id.as_str()));
    if publicly_visible(demand) && !own {
        interest::count_view(db, Kind::Demand, &demand.id).await?;
    }
    Ok(())
}

pub async fn request_contact(db: &Db, caller: &Caller<'_>, id: &str, message: &str) -> Result<bool, AppError> {
    let demand = visible(db, Some(caller.user), id).await?;
    if !publicly_visible(&demand) {
        return Err(AppError::conflict("not_public", "该需求未在征集中，不能发起对接"));
    }
    if caller.owns(&demand) {
        return Err(AppError::conflict("own_listing", "这是您所在企业发布的需求"));
    }
    if interest::has_contact_request(db, Kind::Demand, id, &caller.user.id).await? {
        return Ok(false);
    }
    let message: String = message.trim().chars().take(500).collect();
    let mut tx = db.begin_write().await?;
    if !interest::add_contact_request(&mut tx, Kind::Demand, id, &caller.user.id, &message).await? {
        // A parallel request got there first.
        tx.rollback().await?;
        return Ok(false);
    }
    audit::append(&mut tx, db.backend(), &caller.event("demand.contact_requested", id, json!({"message": message})))
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Loads vetted demands straight into the public list in one transaction (bulk import), each
/// with its search outbox entry and an audit event naming its source. Returns the new ids.
pub async fn import_published(
    db: &Db,
    organisation_id: &str,
    user_id: &str,
    items: &[(String, model::Demand)],
) -> Result<Vec<String>, sqlx::Error> {
    let ids: Vec<String> = items.iter().map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let rows: Vec<(&str, &model::Demand)> = ids.iter().map(String::as_str).zip(items.iter().map(|(_, l)| l)).collect();
    let events: Vec<NewAuditEvent> = ids
        .iter()
        .zip(items)
        .map(|(id, (source, _))| {
            let mut event = NewAuditEvent::system("demand.imported", "demand", id, json!({"source": source}));
            event.actor_user_id = Some(user_id.to_string());
            event
        })
        .collect();
    let mut tx = db.begin_write().await?;
    store::insert_many(&mut tx, organisation_id, user_id, Status::Published, false, &rows).await?;
    audit::append_many(&mut tx, db.backend(), &events).await?;
    tx.commit().await?;
    Ok(ids)
}
