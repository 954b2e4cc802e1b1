//! The gate every request passes before routing: it resolves who is asking, hands out the CSRF
//! token, and refuses unsafe requests (POST, PUT, PATCH, DELETE) that lack a valid token or
//! come from another site. Being a fairing, it covers every route, present and future.
//!
//! Every unsafe request that passes the CSRF check (or carries a bearer token) spends from a
//! per-address budget (`writes_per_minute`), so a script cannot flood forms or the API; over it
//! the answer is 429 with `Retry-After`. Refused junk spends nothing, so it cannot exhaust the
//! budget of everyone behind the same address.
//!
//! Before all of that, a URI holding a control character (decoded) is refused with 400
//! `control_character`, whatever the route and the database.
//!
//! The CSRF token lives in a private (encrypted, HttpOnly) cookie and is repeated in each form
//! (`_csrf`, first field) or in an `X-CSRF-Token` header. Bearer-token API calls carry no cookies
//! and need no token.

use rocket::data::Data;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::uri::Origin;
use rocket::http::{ContentType, Cookie, CookieJar, Method, RawStr, SameSite, Status};
use rocket::request::Request;
use rocket::{Route, delete, get, patch, post, put, routes, uri};

use super::identity;
use super::throttle::WriteThrottle;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{AppError, ErrorCode};
use crate::openapi::Operation;
use crate::secrets::{random_token, same_secret};
use crate::web::request_state::{CsrfToken, Identity};

/// The private cookie holding the CSRF token.
pub const CSRF_COOKIE: &str = "tm_csrf";
/// The form field and header that repeat it.
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// Why a request was refused at the gate.
#[derive(Debug, Clone)]
struct GateRefusal {
    status: Status,
    code: ErrorCode,
    message: String,
    headers: Vec<(&'static str, String)>,
}

impl Default for GateRefusal {
    fn default() -> Self {
        csrf_refusal("请求未通过安全校验")
    }
}

fn csrf_refusal(message: &'static str) -> GateRefusal {
    GateRefusal { status: Status::Forbidden, code: ErrorCode::CsrfFailed, message: message.into(), headers: Vec::new() }
}

/// A control character in the decoded path or query.
fn uri_refusal(request: &Request<'_>) -> Option<GateRefusal> {
    let uri = request.uri();
    let path = RawStr::new(uri.path().as_str()).percent_decode_lossy();
    let query = uri.query().map(|q| RawStr::new(q.as_str()).percent_decode_lossy()).unwrap_or_default();
    let (c, place) = match crate::domain::control::first_in_uri(&path) {
        Some(c) => (c, "网址路径"),
        None => (crate::domain::control::first_in_uri(&query)?, "网址参数"),
    };
    let message = crate::domain::control::message(c, place);
    Some(GateRefusal { status: Status::BadRequest, code: ErrorCode::ControlCharacter, message, headers: Vec::new() })
}

/// Spends one unsafe request from the address's budget; the refusal when it is spent.
async fn throttle_refusal(request: &Request<'_>) -> Option<GateRefusal> {
    if !is_unsafe(request.method()) {
        return None;
    }
    let throttle = request.rocket().state::<WriteThrottle>()?;
    let db = request.rocket().state::<Db>()?;
    let address = request.client_ip().map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into());
    let wait = throttle.allow(db, &address).await.err()?;
    let seconds = (wait.as_secs_f64().ceil().max(1.0) as u64).to_string();
    Some(GateRefusal {
        status: Status::TooManyRequests,
        code: ErrorCode::TooManyRequests,
        message: "提交过于频繁，请稍后再试".into(),
        headers: vec![("Retry-After", seconds)],
    })
}

/// The documented operation a `/api/v1` request asks for (of the most specific template:
/// `/contracts/history/imports`, not `/contracts/{id}/{action}`); `Err` with the documented
/// methods when the path is documented but the method is not; `Ok(None)` for other paths.
type ApiOperation = Result<Option<&'static Operation>, Vec<String>>;

fn api_operation(request: &Request<'_>) -> ApiOperation {
    let Some(path) = request.uri().path().as_str().strip_prefix("/api/v1") else { return Ok(None) };
    let operations = crate::openapi::operations_at(path);
    if operations.is_empty() {
        return Ok(None);
    }
    let method = request.method().as_str().to_ascii_lowercase();
    let asked = if method == "head" { "get" } else { method.as_str() };
    match operations.iter().find(|o| o.method == asked) {
        Some(operation) => Ok(Some(operation)),
        None => Err(crate::openapi::allowed_at(path)),
    }
}

/// A documented `/api/v1` path asked with a method the API does not document: 405 with `Allow`
/// (rather than 404, or a CSRF refusal for an unsafe method).
fn method_refusal(request: &Request<'_>, operation: &ApiOperation) -> Option<GateRefusal> {
    let allowed = operation.as_ref().err()?;
    let message = format!("此地址不支持 {} 请求（支持：{}）", request.method(), allowed.join("、"));
    let headers = vec![("Allow", allowed.join(", "))];
    Some(GateRefusal { status: Status::MethodNotAllowed, code: ErrorCode::MethodNotAllowed, message, headers })
}

/// A typed query parameter (integer, boolean) that is not what the document says: 400, never
/// silently ignored.
fn query_refusal(request: &Request<'_>, operation: &ApiOperation) -> Option<GateRefusal> {
    let operation = (*operation.as_ref().ok()?)?;
    let query = request.uri().query()?;
    let message = crate::openapi::params::check_query(operation, query.segments()).err()?;
    Some(GateRefusal { status: Status::BadRequest, code: ErrorCode::InvalidParameter, message, headers: Vec::new() })
}

/// A JSON operation sent another content type: 415 (rather than 404).
fn media_refusal(request: &Request<'_>, operation: &ApiOperation) -> Option<GateRefusal> {
    let operation = (*operation.as_ref().ok()?)?;
    let wants_json = operation.body.is_some() && !crate::openapi::is_upload(operation);
    let body_optional = operation.path.contains("{action}") || operation.path.contains("{decision}");
    let refused = match request.content_type() {
        Some(content_type) => wants_json && !content_type.is_json(),
        None => wants_json && !body_optional,
    };
    refused.then(|| GateRefusal {
        status: Status::UnsupportedMediaType,
        code: ErrorCode::UnsupportedMediaType,
        message: "请求体应为 JSON（Content-Type: application/json）".into(),
        headers: Vec::new(),
    })
}

/// Routes a refused request to the handler that answers with the refusal.
fn refuse(request: &mut Request<'_>, refusal: GateRefusal) {
    let is_api = request.uri().path().starts_with("/api/");
    request.local_cache(|| refusal);
    let target: Origin<'static> = if is_api { uri!("/api/v1/__refused") } else { uri!("/__refused") };
    request.set_uri(target);
    if !is_unsafe(request.method()) {
        request.set_method(Method::Get);
    }
}

pub struct Gate;

fn is_unsafe(method: Method) -> bool {
    matches!(method, Method::Post | Method::Put | Method::Patch | Method::Delete)
}

/// Replaces this browser's CSRF token (after sign-in and sign-out, so a token seen before
/// cannot be reused across the change).
pub fn rotate_csrf(cookies: &CookieJar<'_>, settings: &Settings) -> String {
    let token = random_token(32);
    let cookie = Cookie::build((CSRF_COOKIE, token.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.auth.secure_cookies);
    cookies.add_private(cookie);
    token
}

/// The `_csrf` value of a url-encoded form body, if it is among the first bytes.
fn form_token(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok().or_else(|| {
        // A peek can end inside a multi-byte character; the token sits before that.
        body.utf8_chunks().next().map(|chunk| chunk.valid())
    })?;
    text.split('&').find_map(|pair| pair.strip_prefix("_csrf=")).map(|v| v.to_string())
}

/// The `_csrf` part of a multipart form body, when it is the first part (the csrf partial is the
/// first field of every upload form).
fn multipart_token(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let at = text.find("name=\"_csrf\"")?;
    let rest = &text[at..];
    let value_start = rest.find("\r\n\r\n")? + 4;
    let value = &rest[value_start..];
    let end = value.find("\r\n")?;
    Some(value[..end].trim().to_string())
}

/// Whether the `Origin` header (if any) names this very host.
fn origin_matches_host(request: &Request<'_>) -> bool {
    let Some(origin) = request.headers().get_one("Origin") else {
        return true;
    };
    let Some(host) = request.headers().get_one("Host") else {
        return false;
    };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    !origin_host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

#[rocket::async_trait]
impl Fairing for Gate {
    fn info(&self) -> Info {
        Info { name: "identity and CSRF gate", kind: Kind::Request }
    }

    async fn on_request(&self, request: &mut Request<'_>, data: &mut Data<'_>) {
        // The documented operation, looked up once for the three checks that read it.
        let operation = api_operation(request);
        if let Some(refusal) = uri_refusal(request)
            .or_else(|| method_refusal(request, &operation))
            .or_else(|| query_refusal(request, &operation))
        {
            refuse(request, refusal);
            return;
        }
        let path = request.uri().path().as_str().to_string();
        if path.starts_with("/static/") {
            return;
        }
        let (Some(db), Some(settings)) = (request.rocket().state::<Db>(), request.rocket().state::<Settings>()) else {
            return;
        };
        let identity = match identity::resolve(request, db, settings).await {
            Ok(identity) => identity,
            Err(error) => {
                tracing::error!(%error, "resolving the session failed");
                Identity::default()
            }
        };
        let bearer = identity.user.as_ref().is_some_and(|u| u.via == crate::web::request_state::AuthVia::Token)
            || identity.bad_bearer;
        let session_ended = identity.user.is_none() && identity.expired_user.is_some();
        request.local_cache(|| identity);
        if bearer {
            // Bearer calls carry no cookie; the token itself is the proof of intent.
            let refusal = match media_refusal(request, &operation) {
                Some(refusal) => Some(refusal),
                None => throttle_refusal(request).await,
            };
            if let Some(refusal) = refusal {
                refuse(request, refusal);
            }
            return;
        }
        let cookie_token = request.cookies().get_private(CSRF_COOKIE).map(|c| c.value().to_string());
        let token = match cookie_token.clone() {
            Some(token) => token,
            None => rotate_csrf(request.cookies(), settings),
        };
        request.local_cache(|| CsrfToken(token));
        if !is_unsafe(request.method()) {
            return;
        }
        let refusal =
            if request.headers().get_one("Sec-Fetch-Site") == Some("cross-site") || !origin_matches_host(request) {
                Some(csrf_refusal("请求来自其他网站，已被拒绝"))
            } else {
                let provided = match request.headers().get_one(CSRF_HEADER) {
                    Some(header) => Some(header.to_string()),
                    None if request.content_type() == Some(&ContentType::Form) => form_token(data.peek(512).await),
                    None if request.content_type().is_some_and(|t| t.is_form_data()) => {
                        multipart_token(data.peek(1024).await)
                    }
                    None => None,
                };
                match (cookie_token, provided) {
                    (Some(expected), Some(given)) if same_secret(&expected, &given) => None,
                    _ => Some(csrf_refusal("页面已过期或缺少安全令牌，请刷新页面后重新提交")),
                }
            };
        let refusal = match refusal.or_else(|| media_refusal(request, &operation)) {
            Some(refusal) => Some(refusal),
            None => throttle_refusal(request).await,
        };
        if let Some(refusal) = refusal {
            refuse(request, refusal);
        } else if session_ended
            && request.content_type() == Some(&ContentType::Form)
            && !path.starts_with("/api/")
            && !super::drafts::never_kept(&path)
        {
            // A form sent after its session ended: kept for the same person, not lost.
            request.set_uri(uri!("/__expired"));
        }
    }
}

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for GateRefusal {
    type Error = std::convert::Infallible;
    async fn from_request(request: &'r Request<'_>) -> rocket::request::Outcome<Self, Self::Error> {
        rocket::request::Outcome::Success(request.local_cache(GateRefusal::default).clone())
    }
}

impl GateRefusal {
    fn error(self) -> AppError {
        let mut error = AppError::new(self.status, self.code, self.message);
        for (name, value) in self.headers {
            error = error.with_header(name, value);
        }
        error
    }
}

#[get("/__refused")]
fn refused_get(refusal: GateRefusal) -> AppError {
    refusal.error()
}
#[post("/__refused")]
fn refused_post(refusal: GateRefusal) -> AppError {
    refusal.error()
}
#[put("/__refused")]
fn refused_put(refusal: GateRefusal) -> AppError {
    refusal.error()
}
#[patch("/__refused")]
fn refused_patch(refusal: GateRefusal) -> AppError {
    refusal.error()
}
#[delete("/__refused")]
fn refused_delete(refusal: GateRefusal) -> AppError {
    refusal.error()
}

/// Mounted at `/` and at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![refused_get, refused_post, refused_put, refused_patch, refused_delete]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_token_in_a_form_body() {
        assert_eq!(form_token(b"_csrf=abc-_1&name=x").as_deref(), Some("abc-_1"));
        assert_eq!(form_token(b"name=x&_csrf=t").as_deref(), Some("t"));
        assert_eq!(form_token(b"name=x"), None);
        assert_eq!(form_token(b"x_csrf=t"), None);
        let mut cut = b"_csrf=tok&name=".to_vec();
        cut.extend_from_slice(&"张".as_bytes()[..2]);
        assert_eq!(form_token(&cut).as_deref(), Some("tok"));
    }
}
