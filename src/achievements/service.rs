//! Achievement use cases: create, edit (optimistic locking), lifecycle actions, views and
//! contact requests. Each change is one transaction with its audit event; the rule that a
//! person edits only their own organisation's listings lives here.

use rocket::http::Status as HttpStatus;
use serde_json::json;

use super::model::{self, AchievementInput, Action, Actor as ActionActor, Status};
use super::store::{self, AchievementRow};
use crate::audit::{self, NewAuditEvent};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::db::once::{self, Created};
use crate::domain::account::{AccountStatus, Role};
use crate::domain::forms::FieldErrors;
use crate::error::{AppError, FormFailure};
use crate::listings::{Kind, interest};

/// The acting person and where they are, for checks and the audit log.
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
            subject_type: "achievement".to_string(),
            subject_id: id.to_string(),
            details,
        }
    }

    fn is_admin(&self) -> bool {
        self.user.role == Role::Admin && self.user.status == AccountStatus::Active
    }

    /// Members of the owning organisation may manage a listing.
    fn owns(&self, listing: &AchievementRow) -> bool {
        self.user.status == AccountStatus::Active
            && self.user.organisation_id.as_deref() == Some(listing.organisation_id.as_str())
    }
}

/// Roles that list achievements.
pub fn may_create(user: &CurrentUser) -> bool {
    user.status == AccountStatus::Active
        && matches!(user.role, Role::Researcher | Role::Enterprise)
        && user.organisation_id.is_some()
}

fn not_found() -> AppError {
    AppError::not_found("achievement_not_found", "该科技成果不存在或尚未公开")
}

fn not_yours() -> AppError {
    AppError::forbidden("not_owner", "只有成果所属单位的成员才能管理该成果")
}

fn stale() -> AppError {
    AppError::conflict("edit_conflict", "该成果已被他人修改，请查看最新内容后重新编辑")
}

/// A listing as the caller may see it: public ones for everyone, others for owners and admins.
pub async fn visible(db: &Db, user: Option<&CurrentUser>, id: &str) -> Result<AchievementRow, AppError> {
    let listing = store::find(db, id).await?.ok_or_else(not_found)?;
    let privileged = user.is_some_and(|u| {
        let caller = Caller { user: u, ip: "" };
        caller.is_admin() || caller.owns(&listing)
    });
    if listing.status.is_public() || privileged { Ok(listing) } else { Err(not_found()) }
}

/// Creates a draft owned by the caller's organisation.
/// Creates a draft. With an API client's `Idempotency-Key` (key, request hash), a retry of the
/// same request finds the draft the first one made.
pub async fn create(
    db: &Db,
    caller: &Caller<'_>,
    input: &AchievementInput,
    key: Option<(&str, &str)>,
) -> Result<Created, FormFailure> {
    if !may_create(caller.user) {
        return Err(
            AppError::forbidden("cannot_list_achievements", "只有已审核的科研人员和企业用户可以发布科技成果").into()
        );
    }
    let achievement = model::validate(input).map_err(FormFailure::Fields)?;
    let organisation_id = caller.user.organisation_id.clone().unwrap_or_default();
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    if let Some(earlier) = once::claim_optional_key(&mut tx, &caller.user.id, key, &id).await? {
        tx.rollback().await?;
        return Ok(Created { id: earlier, replayed: true });
    }
    store::insert(&mut tx, &id, &organisation_id, &caller.user.id, &achievement, Status::Draft, false).await?;
    let details = json!({"title": achievement.title, "organisation_id": organisation_id});
    audit::append(&mut tx, db.backend(), &caller.event("achievement.created", &id, details)).await?;
    tx.commit().await?;
    Ok(Created { id, replayed: false })
}

/// Replaces the content, if the caller's copy is current. Editing a public listing sends it
/// back to review.
pub async fn update(db: &Db, caller: &Caller<'_>, id: &str, input: &AchievementInput) -> Result<Status, FormFailure> {
    let listing = store::find(db, id).await?.ok_or_else(not_found)?;
    if !caller.owns(&listing) {
        return Err(not_yours().into());
    }
    if !listing.status.is_editable() {
        let message = format!("“{}”状态的成果不能修改", listing.status.label());
        return Err(AppError::conflict("not_editable", message).into());
    }
    let Some(version) = input.version else {
        let fields = FieldErrors::from([("version".to_string(), "缺少版本号，请刷新页面后重新编辑".to_string())]);
        return Err(FormFailure::Fields(fields));
    };
    if version != listing.version {
        return Err(stale().into());
    }
    let achievement = model::validate(input).map_err(FormFailure::Fields)?;
    let status = model::status_after_edit(listing.status);
    let mut tx = db.begin_write().await?;
    if !store::update_content(&mut tx, id, &achievement, version, status).await? {
        return Err(stale().into());
    }
    let details = json!({"from": listing.status.code(), "to": status.code(), "version": version + 1});
    audit::append(&mut tx, db.backend(), &caller.event("achievement.updated", id, details)).await?;
    tx.commit().await?;
    Ok(status)
}

/// Takes a lifecycle action; `note` is the reason when an administrator returns a listing.
pub async fn act(db: &Db, caller: &Caller<'_>, id: &str, action: Action, note: &str) -> Result<Status, AppError> {
    let listing = store::find(db, id).await?.ok_or_else(not_found)?;
    let allowed = match action.actor() {
        ActionActor::Owner => caller.owns(&listing),
        ActionActor::Admin => caller.is_admin(),
    };
    if !allowed {
        return Err(match action.actor() {
            ActionActor::Owner => not_yours(),
            ActionActor::Admin => AppError::forbidden("admin_only", "此操作仅限平台管理员"),
        });
    }
    let Some(to) = model::transition(listing.status, action) else {
        let message = format!("“{}”状态的成果不能{}", listing.status.label(), action.label());
        return Err(AppError::new(HttpStatus::Conflict, "invalid_transition", message));
    };
    let note = note.trim();
    if action == Action::Return && note.chars().count() < 5 {
        return Err(AppError::validation(FieldErrors::from([(
            "note".to_string(),
            "请写明退回原因（至少 5 个字），以便申请人修改".to_string(),
        )])));
    }
    let review_note = match action {
        Action::Return => Some(note),
        Action::Approve => Some(""),
        _ => None,
    };
    let mut tx = db.begin_write().await?;
    if !store::set_status(&mut tx, id, listing.status, to, review_note).await? {
        return Err(stale());
    }
    let details = json!({"from": listing.status.code(), "to": to.code(), "note": note});
    audit::append(&mut tx, db.backend(), &caller.event(&format!("achievement.{}", action.code()), id, details)).await?;
    tx.commit().await?;
    Ok(to)
}

/// Counts a view by someone other than the owners.
pub async fn record_view(db: &Db, user: Option<&CurrentUser>, listing: &AchievementRow) -> Result<(), AppError> {
    let own = user.is_some_and(|u| u.organisation_id.as_deref() == Some(listing.organisation_id.as_str()));
    if listing.status.is_public() && !own {
        interest::count_view(db, Kind::Achievement, &listing.id).await?;
    }
    Ok(())
}

/// Records that the caller wants to be put in touch; once per person and listing.
pub async fn request_contact(db: &Db, caller: &Caller<'_>, id: &str, message: &str) -> Result<bool, AppError> {
    let listing = visible(db, Some(caller.user), id).await?;
    if !listing.status.is_public() {
        return Err(AppError::conflict("not_public", "该成果尚未公开，不能发起对接"));
    }
    if caller.owns(&listing) {
        return Err(AppError::conflict("own_listing", "这是您所在单位的成果"));
    }
    if interest::has_contact_request(db, Kind::Achievement, id, &caller.user.id).await? {
        return Ok(false);
    }
    let message: String = message.trim().chars().take(500).collect();
    let mut tx = db.begin_write().await?;
    if !interest::add_contact_request(&mut tx, Kind::Achievement, id, &caller.user.id, &message).await? {
        // A parallel request got there first.
        tx.rollback().await?;
        return Ok(false);
    }
    audit::append(
        &mut tx,
        db.backend(),
        &caller.event("achievement.contact_requested", id, json!({"message": message})),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Loads vetted listings straight into the public library in one transaction (bulk import):
/// each gets the same row, search outbox entry and audit event as a listing published by hand,
/// the event naming where it came from. Returns the new ids.
pub async fn import_published(
    db: &Db,
    organisation_id: &str,
    user_id: &str,
    items: &[(String, model::Achievement)],
) -> Result<Vec<String>, sqlx::Error> {
    let ids: Vec<String> = items.iter().map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let rows: Vec<(&str, &model::Achievement)> =
        ids.iter().map(String::as_str).zip(items.iter().map(|(_, l)| l)).collect();
    let events: Vec<NewAuditEvent> = ids
        .iter()
        .zip(items)
        .map(|(id, (source, _))| {
            let mut event = NewAuditEvent::system("achievement.imported", "achievement", id, json!({"source": source}));
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
