//! Who is asking: resolved once per request (session cookie, or a bearer token under `/api/`),
//! then handed to handlers through typed guards — `CurrentUser` (signed in), `ActiveUser`
//! (approved), `AdminUser`. A refused guard records why, so the error page can say so.

use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};

use super::store::{self, UserRecord};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::time::{now_stored, parse_stored};
use crate::error::ErrorCode;
use crate::secrets::hash_secret;
use crate::web::request_state::{AuthVia, CurrentUser, Identity, Refusal};

/// The private cookie holding the session id.
pub const SESSION_COOKIE: &str = "tm_session";

impl CurrentUser {
    pub(super) fn from_record(user: &UserRecord, via: AuthVia) -> CurrentUser {
        CurrentUser {
            id: user.id.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            role_label: user.role.label(),
            status: user.status,
            status_label: user.status.label(),
            organisation_id: user.organisation_id.clone(),
            organisation_name: user.organisation_name.clone(),
            is_admin: user.role == Role::Admin && user.status == AccountStatus::Active,
            via,
        }
    }
}

/// A user as a caller, by id (command-line tools act as someone without a request).
pub async fn user_by_id(db: &Db, user_id: &str) -> Result<Option<CurrentUser>, sqlx::Error> {
    Ok(store::find_user(db, user_id).await?.map(|user| CurrentUser::from_record(&user, AuthVia::Token)))
}

/// Resolves the caller. Under `/api/` an `Authorization: Bearer` header is the only credential
/// looked at (cookies are ignored, so a bad token can never fall back to a cookie session).
pub async fn resolve(request: &Request<'_>, db: &Db, settings: &Settings) -> Result<Identity, sqlx::Error> {
    let is_api = request.uri().path().starts_with("/api/");
    if is_api && let Some(header) = request.headers().get_one("Authorization") {
        let token = header.strip_prefix("Bearer ").map(str::trim).unwrap_or_default();
        if token.is_empty() {
            return Ok(Identity { user: None, bad_bearer: true, expired_user: None });
        }
        let user = store::user_by_token(db, &hash_secret(token)).await?;
        let usable = |u: &UserRecord| u.status != AccountStatus::Disabled && (!u.is_demo || settings.demo_allowed());
        return Ok(match user.filter(usable) {
            Some(user) => {
                Identity { user: Some(CurrentUser::from_record(&user, AuthVia::Token)), ..Identity::default() }
            }
            None => Identity { user: None, bad_bearer: true, expired_user: None },
        });
    }
    let cookies = request.cookies();
    let Some(cookie) = cookies.get_private(SESSION_COOKIE) else {
        return Ok(Identity::default());
    };
    let id_hash = hash_secret(cookie.value());
    let session = store::find_session(db, &id_hash).await?;
    let now = time::OffsetDateTime::now_utc();
    let ended_for = session
        .as_ref()
        .filter(|s| s.user.status != AccountStatus::Disabled && (!s.user.is_demo || settings.demo_allowed()))
        .map(|s| s.user.id.clone());
    let live = session.filter(|s| {
        let within_absolute = parse_stored(&s.expires_at).is_some_and(|end| now < end);
        let within_idle = parse_stored(&s.last_seen_at).is_some_and(|seen| now < seen + settings.auth.session_idle);
        let demo_refused = s.user.is_demo && !settings.demo_allowed();
        s.revoked_at.is_none()
            && within_absolute
            && within_idle
            && s.user.status != AccountStatus::Disabled
            && !demo_refused
    });
    let Some(session) = live else {
        cookies.remove_private(Cookie::build(SESSION_COOKIE).path("/"));
        return Ok(Identity { expired_user: ended_for, ..Identity::default() });
    };
    // Writing on every request would make each page view a write; a minute's precision is plenty.
    // A failed bookkeeping write is logged; the visitor stays signed in.
    if parse_stored(&session.last_seen_at).is_none_or(|seen| now - seen > time::Duration::minutes(1))
        && let Err(error) = store::touch_session(db, &session.id_hash, &now_stored()).await
    {
        tracing::warn!(%error, "recording a session's last activity failed");
    }
    Ok(Identity {
        user: Some(CurrentUser::from_record(&session.user, AuthVia::Session(id_hash))),
        ..Identity::default()
    })
}

/// Sets the session cookie for a new session id.
pub fn set_session_cookie(cookies: &CookieJar<'_>, session_id: String, settings: &Settings) {
    let cookie = Cookie::build((SESSION_COOKIE, session_id))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.auth.secure_cookies)
        .max_age(time::Duration::seconds(settings.auth.session_absolute.whole_seconds()));
    cookies.add_private(cookie);
}

pub fn clear_session_cookie(cookies: &CookieJar<'_>) {
    cookies.remove_private(Cookie::build(SESSION_COOKIE).path("/"));
}

fn identity<'r>(request: &'r Request<'_>) -> &'r Identity {
    request.local_cache(Identity::default)
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let identity = identity(request);
        match &identity.user {
            Some(user) => Outcome::Success(user.clone()),
            None if identity.bad_bearer => {
                Refusal::record(request, ErrorCode::InvalidToken, "API 令牌无效或已撤销");
                Outcome::Error((Status::Unauthorized, ()))
            }
            None => Outcome::Error((Status::Unauthorized, ())),
        }
    }
}

/// A signed-in user whose account is approved and not disabled.
#[derive(Debug, Clone)]
pub struct ActiveUser(pub CurrentUser);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ActiveUser {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let user = match CurrentUser::from_request(request).await {
            Outcome::Success(user) => user,
            Outcome::Error(e) => return Outcome::Error(e),
            Outcome::Forward(s) => return Outcome::Forward(s),
        };
        match user.status {
            AccountStatus::Active => Outcome::Success(ActiveUser(user)),
            AccountStatus::Pending => {
                Refusal::record(
                    request,
                    ErrorCode::AccountPending,
                    "您的账号正在等待管理员审核，审核通过后即可使用此功能",
                );
                Outcome::Error((Status::Forbidden, ()))
            }
            AccountStatus::Disabled => {
                Refusal::record(request, ErrorCode::AccountDisabled, "您的账号已被停用");
                Outcome::Error((Status::Forbidden, ()))
            }
        }
    }
}

/// An approved administrator.
#[derive(Debug, Clone)]
pub struct AdminUser(pub CurrentUser);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AdminUser {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let ActiveUser(user) = match ActiveUser::from_request(request).await {
            Outcome::Success(user) => user,
            Outcome::Error(e) => return Outcome::Error(e),
            Outcome::Forward(s) => return Outcome::Forward(s),
        };
        if user.role == Role::Admin {
            Outcome::Success(AdminUser(user))
        } else {
            Refusal::record(request, ErrorCode::AdminOnly, "此功能仅限平台管理员使用");
            Outcome::Error((Status::Forbidden, ()))
        }
    }
}

/// The caller's address as Rocket sees it (the socket, or the trusted proxy's header when
/// `ip_header` is configured), for throttling and the audit log.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddr {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(ClientAddr(request.client_ip().map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into())))
    }
}

/// The caller's `User-Agent`, shortened, for the session list.
#[derive(Debug, Clone)]
pub struct UserAgent(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for UserAgent {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let agent = request.headers().get_one("User-Agent").unwrap_or_default();
        Outcome::Success(UserAgent(agent.chars().take(300).collect()))
    }
}
