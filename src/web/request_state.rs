//! What the gate learned about this request, kept in the request's local cache for guards,
//! pages and catchers: who is asking (`Identity`, `CurrentUser`), the CSRF token forms repeat,
//! and why a guard refused. Plain data; it imports nothing above `domain` and `error`.

use rocket::request::Request;
use serde::Serialize;

use crate::domain::account::{AccountStatus, Role};
use crate::error::ErrorCode;

/// How the request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthVia {
    /// A browser session, by the hash of its id.
    Session(String),
    /// A personal API token.
    Token,
}

/// The signed-in user of this request. Holds nothing secret, so it may be shown.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentUser {
    pub id: String,
    pub display_name: String,
    pub role: Role,
    pub role_label: &'static str,
    pub status: AccountStatus,
    pub status_label: &'static str,
    pub organisation_id: Option<String>,
    pub organisation_name: Option<String>,
    pub is_admin: bool,
    #[serde(skip)]
    pub via: AuthVia,
}

impl CurrentUser {
    /// Contact details (names, phones, e-mails) are for approved accounts only.
    pub fn sees_contacts(&self) -> bool {
        self.status == AccountStatus::Active
    }

    pub fn session_hash(&self) -> Option<&str> {
        match &self.via {
            AuthVia::Session(hash) => Some(hash),
            AuthVia::Token => None,
        }
    }
}

/// The outcome of resolving a request, kept in the request's local cache.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub user: Option<CurrentUser>,
    /// An `Authorization` header was sent but did not name a live token.
    pub bad_bearer: bool,
    /// The browser still holds the cookie of a session that ended (timed out, signed out
    /// elsewhere): whose it was, so a form sent with it can be kept for them.
    pub expired_user: Option<String>,
}

/// Why a guard refused; the catcher shows it instead of the generic message.
#[derive(Debug, Clone, Default)]
pub struct Refusal(pub std::sync::OnceLock<(ErrorCode, String)>);

impl Refusal {
    pub fn record(request: &Request<'_>, code: ErrorCode, message: &'static str) {
        Self::record_owned(request, code, message.to_string());
    }

    /// A refusal whose message names what was wrong (a field, a character).
    pub fn record_owned(request: &Request<'_>, code: ErrorCode, message: String) {
        let _ = request.local_cache(Refusal::default).0.set((code, message));
    }

    pub fn of(request: &Request<'_>) -> Option<(ErrorCode, String)> {
        request.local_cache(Refusal::default).0.get().cloned()
    }
}

/// This request's CSRF token, for forms.
#[derive(Debug, Clone, Default)]
pub struct CsrfToken(pub String);

impl CsrfToken {
    pub fn of(request: &Request<'_>) -> String {
        request.local_cache(CsrfToken::default).0.clone()
    }
}

/// How many unread inbox messages the signed-in user has (filled for pages only).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unread(pub Option<i64>);
