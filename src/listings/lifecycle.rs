//! What people do with a listing of any kind: create a draft, edit it (optimistic locking), move
//! it through its lifecycle (submit, review, …), count views and ask to be put in touch. Each
//! change is one transaction with its audit event; members of the owning organisation manage a
//! listing, administrators review it.

use rocket::http::Status as HttpStatus;
use serde_json::json;

use super::interest;
use super::kind::{Actor, Listing, ListingAction, ListingRow, ListingStatus, version_of};
use super::store::{self, Owner};
use crate::audit::{self, NewAuditEvent};
use crate::auth::{Caller, CurrentUser};
use crate::db::Db;
use crate::db::once::{self, Created};
use crate::domain::forms::FieldErrors;
use crate::error::{AppError, ErrorCode, FormFailure};

pub fn not_found<K: Listing>() -> AppError {
    let (code, message) = K::WORDS.not_found;
    AppError::not_found(code, message)
}

pub fn not_yours<K: Listing>() -> AppError {
    AppError::forbidden(ErrorCode::NotOwner, K::WORDS.not_owner)
}

fn stale<K: Listing>() -> AppError {
    AppError::conflict(ErrorCode::EditConflict, format!("该{}已被他人修改，请查看最新内容后重新编辑", K::WORDS.noun))
}

pub fn cannot_create<K: Listing>() -> AppError {
    let (code, message) = K::WORDS.cannot_create;
    AppError::forbidden(code, message)
}

fn event<K: Listing>(caller: &Caller<'_>, action: &str, id: &str, details: serde_json::Value) -> NewAuditEvent {
    caller.event(&format!("{}.{action}", K::WORDS.subject), K::WORDS.subject, id, details)
}

/// Whether this person belongs to the organisation that owns the listing.
pub fn owns(user: &CurrentUser, row: &impl ListingRow) -> bool {
    user.organisation_id.as_deref() == Some(row.organisation_id())
}

/// A path's id: a malformed one is a listing that does not exist.
pub fn known<K: Listing>(id: Result<K::Id, uuid::Error>) -> Result<K::Id, AppError> {
    id.map_err(|_| not_found::<K>())
}

/// The id of a listing just created.
pub fn created_id<K: Listing>(created: &Created) -> Result<K::Id, AppError> {
    created.id.parse().map_err(|_| AppError::internal("a new listing's id is not a uuid"))
}

/// A listing as the caller may see it: public ones for everyone, others for its owners (approved
/// members) and administrators.
pub async fn visible<K: Listing>(db: &Db, user: Option<&CurrentUser>, id: K::Id) -> Result<K::Row, AppError> {
    let listing = store::find::<K>(db, &id.to_string()).await?.ok_or_else(not_found::<K>)?;
    let privileged = user.is_some_and(|u| {
        let caller = Caller { user: u, ip: "" };
        caller.is_admin() || caller.member_of(listing.organisation_id())
    });
    if K::publicly_visible(&listing) || privileged { Ok(listing) } else { Err(not_found::<K>()) }
}

/// Creates a draft owned by the caller's organisation. With an API client's `Idempotency-Key`
/// (key, request hash), a retry of the same request finds the draft the first one made.
pub async fn create<K: Listing>(
    db: &Db,
    caller: &Caller<'_>,
    input: &K::Input,
    key: Option<(&str, &str)>,
) -> Result<Created, FormFailure> {
    if !K::may_create(caller.user) {
        return Err(cannot_create::<K>().into());
    }
    let content = K::validate(input).map_err(FormFailure::Fields)?;
    let organisation_id = caller.user.organisation_id.clone().unwrap_or_default();
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    if let Some(earlier) = once::claim_optional_key(&mut tx, &caller.user.id, key, &id).await? {
        tx.rollback().await?;
        return Ok(Created { id: earlier, replayed: true });
    }
    let owner = Owner {
        organisation_id: &organisation_id,
        created_by: &caller.user.id,
        status: K::Status::DRAFT,
        is_demo: false,
    };
    store::insert::<K>(&mut tx, &id, owner, &content).await?;
    let details = json!({"title": K::title_of(&content), "organisation_id": organisation_id});
    audit::append(&mut tx, db.backend(), &event::<K>(caller, "created", &id, details)).await?;
    tx.commit().await?;
    Ok(Created { id, replayed: false })
}

/// Replaces the content, if the caller's copy is current. Editing a public listing sends it
/// back to review.
pub async fn update<K: Listing>(
    db: &Db,
    caller: &Caller<'_>,
    id: K::Id,
    input: &K::Input,
) -> Result<K::Status, FormFailure> {
    let id = &id.to_string();
    let listing = store::find::<K>(db, id).await?.ok_or_else(not_found::<K>)?;
    if !caller.member_of(listing.organisation_id()) {
        return Err(not_yours::<K>().into());
    }
    let from = listing.status();
    if !from.is_editable() {
        let message = format!("“{}”状态的{}不能修改", from.label(), K::WORDS.noun);
        return Err(AppError::conflict(ErrorCode::NotEditable, message).into());
    }
    let Some(version) = version_of::<K>(input) else {
        let fields = FieldErrors::from([("version".to_string(), "缺少版本号，请刷新页面后重新编辑".to_string())]);
        return Err(FormFailure::Fields(fields));
    };
    if version != listing.version() {
        return Err(stale::<K>().into());
    }
    let content = K::validate(input).map_err(FormFailure::Fields)?;
    let status = from.after_edit();
    let mut tx = db.begin_write().await?;
    if !store::update_content::<K>(&mut tx, id, &content, version, status).await? {
        return Err(stale::<K>().into());
    }
    let details = json!({"from": from.code(), "to": status.code(), "version": version + 1});
    audit::append(&mut tx, db.backend(), &event::<K>(caller, "updated", id, details)).await?;
    tx.commit().await?;
    Ok(status)
}

/// Takes a lifecycle action; `note` is the reason when an administrator returns a listing.
pub async fn act<K: Listing>(
    db: &Db,
    caller: &Caller<'_>,
    id: K::Id,
    action: K::Action,
    note: &str,
) -> Result<K::Status, AppError> {
    let id = &id.to_string();
    let listing = store::find::<K>(db, id).await?.ok_or_else(not_found::<K>)?;
    let allowed = match action.actor() {
        Actor::Owner => caller.member_of(listing.organisation_id()),
        Actor::Admin => caller.is_admin(),
        Actor::System => false,
    };
    if !allowed {
        return Err(match action.actor() {
            Actor::Owner => not_yours::<K>(),
            _ => AppError::forbidden(ErrorCode::AdminOnly, "此操作仅限平台管理员"),
        });
    }
    let from = listing.status();
    let Some(to) = K::transition(from, action) else {
        let message = format!("“{}”状态的{}不能{}", from.label(), K::WORDS.noun, action.label());
        return Err(AppError::new(HttpStatus::Conflict, ErrorCode::InvalidTransition, message));
    };
    let note = note.trim();
    if action.is_return() && note.chars().count() < 5 {
        let message = format!("请写明退回原因（至少 5 个字），以便{}修改", K::WORDS.fixer);
        return Err(AppError::validation(FieldErrors::from([("note".to_string(), message)])));
    }
    let review_note = if action.is_return() {
        Some(note)
    } else if action.is_approval() {
        Some("")
    } else {
        None
    };
    let mut tx = db.begin_write().await?;
    if !store::set_status::<K>(&mut tx, id, from, to, review_note).await? {
        return Err(stale::<K>());
    }
    let details = json!({"from": from.code(), "to": to.code(), "note": note});
    audit::append(&mut tx, db.backend(), &event::<K>(caller, action.code(), id, details)).await?;
    super::notices::reviewed::<K>(&mut tx, &listing, action, note, &caller.user.id).await?;
    tx.commit().await?;
    Ok(to)
}

/// Counts a view by someone other than the owners.
pub async fn record_view<K: Listing>(db: &Db, user: Option<&CurrentUser>, listing: &K::Row) -> Result<(), AppError> {
    let own = user.is_some_and(|u| owns(u, listing));
    if K::publicly_visible(listing) && !own {
        interest::count_view(db, K::KIND, listing.id()).await?;
    }
    Ok(())
}

/// Records that the caller wants to be put in touch; once per person and listing.
pub async fn request_contact<K: Listing>(
    db: &Db,
    caller: &Caller<'_>,
    id: K::Id,
    message: &str,
) -> Result<bool, AppError> {
    let listing = visible::<K>(db, Some(caller.user), id).await?;
    let id = listing.id();
    if !K::publicly_visible(&listing) {
        return Err(AppError::conflict(ErrorCode::NotPublic, K::WORDS.not_public));
    }
    if caller.member_of(listing.organisation_id()) {
        return Err(AppError::conflict(ErrorCode::OwnListing, K::WORDS.own_listing));
    }
    if interest::has_contact_request(db, K::KIND, id, &caller.user.id).await? {
        return Ok(false);
    }
    let message: String = message.trim().chars().take(500).collect();
    let mut tx = db.begin_write().await?;
    if !interest::add_contact_request(&mut tx, K::KIND, id, &caller.user.id, &message).await? {
        // A parallel request got there first.
        tx.rollback().await?;
        return Ok(false);
    }
    audit::append(&mut tx, db.backend(), &event::<K>(caller, "contact_requested", id, json!({"message": message})))
        .await?;
    super::notices::contact_requested::<K>(&mut tx, &listing, &message).await?;
    tx.commit().await?;
    Ok(true)
}

/// Loads vetted listings straight into the public library in one transaction (bulk import):
/// each gets the same row, search outbox entry and audit event as a listing published by hand,
/// the event naming where it came from. Returns the new ids.
pub async fn import_published<K: Listing>(
    db: &Db,
    organisation_id: &str,
    user_id: &str,
    items: &[(String, K::Content)],
) -> Result<Vec<String>, sqlx::Error> {
    let ids: Vec<String> = items.iter().map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let rows: Vec<(&str, &K::Content)> = ids.iter().map(String::as_str).zip(items.iter().map(|(_, l)| l)).collect();
    let subject = K::WORDS.subject;
    let events: Vec<NewAuditEvent> = ids
        .iter()
        .zip(items)
        .map(|(id, (source, _))| {
            let action = format!("{subject}.imported");
            NewAuditEvent::by(Some(user_id), None, &action, subject, id, json!({"source": source}))
        })
        .collect();
    let owner = Owner { organisation_id, created_by: user_id, status: K::Status::PUBLISHED, is_demo: false };
    let mut tx = db.begin_write().await?;
    store::insert_many::<K>(&mut tx, owner, &rows).await?;
    audit::append_many(&mut tx, db.backend(), &events).await?;
    tx.commit().await?;
    Ok(ids)
}
