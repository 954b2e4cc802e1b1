//! 发起对接 requests as people see them: the listing's owner reads each one (who, from which
//! organisation, what they wrote, when) and answers or declines it; the sender sees the answer.
//! Requests are made in `lifecycle::request_contact`; this module reads and replies.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::Kind;
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::time::{chinese_datetime_text, now_stored};
use crate::error::{AppError, ErrorCode, FormFailure};

/// Whether a request was answered yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    Open,
    Answered,
    Declined,
}

impl ContactStatus {
    pub fn from_code(code: &str) -> ContactStatus {
        match code {
            "answered" => ContactStatus::Answered,
            "declined" => ContactStatus::Declined,
            _ => ContactStatus::Open,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ContactStatus::Open => "open",
            ContactStatus::Answered => "answered",
            ContactStatus::Declined => "declined",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ContactStatus::Open => "待回复",
            ContactStatus::Answered => "已回复",
            ContactStatus::Declined => "已婉拒",
        }
    }
}

/// One request, with the listing it is about and the person who sent it.
#[derive(Debug, Clone, Serialize)]
pub struct ContactRequest {
    pub id: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub listing_id: String,
    pub listing_path: String,
    pub listing_title: String,
    #[serde(skip)]
    pub listing_organisation_id: String,
    pub sender_name: String,
    pub sender_organisation: Option<String>,
    /// The sender's e-mail or mobile, for the owner to reply outside the platform too.
    pub sender_contact: Option<String>,
    pub message: String,
    pub sent_at: String,
    pub status: ContactStatus,
    pub status_label: &'static str,
    pub reply: String,
    pub replied_at: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.listing_kind, r.listing_id, r.message, r.created_at, r.status, r.reply, r.replied_at, \
     COALESCE(a.title, d.title, '') AS listing_title, COALESCE(a.organisation_id, d.organisation_id, '') AS listing_org, \
     u.display_name, COALESCE(u.email, u.mobile) AS sender_contact, o.name AS sender_org \
     FROM listing_contact_requests r \
     LEFT JOIN achievements a ON r.listing_kind = 'achievement' AND a.id = r.listing_id \
     LEFT JOIN demands d ON r.listing_kind = 'demand' AND d.id = r.listing_id \
     JOIN users u ON u.id = r.user_id \
     LEFT JOIN organisations o ON o.id = u.organisation_id";

fn from_row(row: &AnyRow) -> Result<ContactRequest, sqlx::Error> {
    let kind = Kind::from_code(&row.try_get::<String, _>("listing_kind")?).unwrap_or(Kind::Achievement);
    let listing_id: String = row.try_get("listing_id")?;
    let status = ContactStatus::from_code(&row.try_get::<String, _>("status")?);
    Ok(ContactRequest {
        id: row.try_get("id")?,
        kind: kind.code(),
        kind_label: kind.label(),
        listing_path: kind.path(&listing_id),
        listing_id,
        listing_title: row.try_get("listing_title")?,
        listing_organisation_id: row.try_get("listing_org")?,
        sender_name: row.try_get("display_name")?,
        sender_organisation: row.try_get("sender_org")?,
        sender_contact: row.try_get("sender_contact")?,
        message: row.try_get("message")?,
        sent_at: chinese_datetime_text(&row.try_get::<String, _>("created_at")?),
        status,
        status_label: status.label(),
        reply: row.try_get("reply")?,
        replied_at: row.try_get::<Option<String>, _>("replied_at")?.as_deref().map(chinese_datetime_text),
    })
}

async fn fetch(db: &Db, filter: &str, binds: &[&str], limit: i64) -> Result<Vec<ContactRequest>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE {filter} ORDER BY r.created_at DESC, r.id DESC LIMIT {limit}");
    let mut query = sqlx::query(&sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    query.fetch_all(db.pool()).await?.iter().map(from_row).collect()
}

/// Every request about one listing, newest first (for its owner).
pub async fn for_listing(db: &Db, kind: Kind, listing_id: &str) -> Result<Vec<ContactRequest>, sqlx::Error> {
    fetch(db, "r.listing_kind = $1 AND r.listing_id = $2", &[kind.code(), listing_id], 200).await
}

/// The requests about an organisation's listings still waiting for a reply (of one kind, or all).
pub async fn open_for_organisation(
    db: &Db,
    organisation_id: &str,
    kind: Option<Kind>,
) -> Result<Vec<ContactRequest>, sqlx::Error> {
    let open = "r.status = 'open' AND COALESCE(a.organisation_id, d.organisation_id) = $1";
    match kind {
        Some(kind) => fetch(db, &format!("{open} AND r.listing_kind = $2"), &[organisation_id, kind.code()], 100).await,
        None => fetch(db, open, &[organisation_id], 100).await,
    }
}

/// The requests a person sent, newest first.
pub async fn sent_by(db: &Db, user_id: &str) -> Result<Vec<ContactRequest>, sqlx::Error> {
    fetch(db, "r.user_id = $1", &[user_id], 200).await
}

/// The request this person sent about a listing, if any.
pub async fn sent_about(
    db: &Db,
    kind: Kind,
    listing_id: &str,
    user_id: &str,
) -> Result<Option<ContactRequest>, sqlx::Error> {
    Ok(fetch(
        db,
        "r.listing_kind = $1 AND r.listing_id = $2 AND r.user_id = $3",
        &[kind.code(), listing_id, user_id],
        1,
    )
    .await?
    .into_iter()
    .next())
}

/// The owner's answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Answer,
    Decline,
}

impl Decision {
    pub fn from_code(code: &str) -> Option<Decision> {
        match code {
            "answer" => Some(Decision::Answer),
            "decline" => Some(Decision::Decline),
            _ => None,
        }
    }
}

/// The longest reply kept.
pub const MAX_REPLY_CHARS: usize = 1000;

/// Answers or declines a request about one of the caller's organisation's listings, once; the
/// listing it was about is returned so the page can go back to it.
pub async fn reply(
    db: &Db,
    caller: &Caller<'_>,
    request_id: &str,
    decision: Decision,
    text: &str,
) -> Result<ContactRequest, FormFailure> {
    let not_found = || AppError::not_found(ErrorCode::ContactRequestNotFound, "对接请求不存在");
    let request = fetch(db, "r.id = $1", &[request_id], 1).await?.into_iter().next().ok_or_else(not_found)?;
    if !caller.member_of(&request.listing_organisation_id) {
        // Someone else's request is not shown to exist.
        return Err(not_found().into());
    }
    if !caller.active() {
        return Err(AppError::forbidden(ErrorCode::AccountPending, "账号审核通过后才能回复对接请求").into());
    }
    let text = text.trim();
    let count = text.chars().count();
    if decision == Decision::Answer && count == 0 {
        return Err(FormFailure::field("reply", "请填写回复内容，例如约定洽谈的时间和方式"));
    }
    if count > MAX_REPLY_CHARS {
        return Err(FormFailure::field("reply", &format!("回复最多 {MAX_REPLY_CHARS} 个字（现为 {count} 个）")));
    }
    let status = match decision {
        Decision::Answer => ContactStatus::Answered,
        Decision::Decline => ContactStatus::Declined,
    };
    let mut tx = db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE listing_contact_requests SET status = $1, reply = $2, replied_at = $3, replied_by = $4 WHERE id = $5 AND status = 'open'",
    )
    .bind(status.code())
    .bind(text)
    .bind(now_stored())
    .bind(&caller.user.id)
    .bind(request_id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::AlreadyReplied, "这条对接请求已经回复过了").into());
    }
    let details = json!({"request_id": request_id, "decision": status.code(), "reply": text});
    let event = caller.event(
        &format!("{}.contact_{}", request.kind, status.code()),
        request.kind,
        &request.listing_id,
        details,
    );
    audit::append(&mut tx, db.backend(), &event).await?;
    tx.commit().await?;
    Ok(request)
}

/// Where the listing a request is about is shown.
pub async fn listing_path_of(db: &Db, request_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT listing_kind, listing_id FROM listing_contact_requests WHERE id = $1")
            .bind(request_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|(kind, id)| Kind::from_code(&kind).map(|k| k.path(&id))))
}
