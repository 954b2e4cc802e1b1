//! What every open-data response shares: the per-address budget (429 with `Retry-After` when
//! spent), and conditional answers — an `ETag` from the body's SHA-256, `Last-Modified`, a 304
//! to an `If-None-Match` that names it, and CORS so a browser app elsewhere may read it.

use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use sha2::{Digest, Sha256};

use crate::auth::throttle::OpenDataThrottle;
use crate::db::Db;
use crate::domain::time::parse_stored;
use crate::error::{AppError, ErrorCode};

/// The request's place in its address's budget, spent as the guard runs.
pub struct OpenBudget(Result<u32, std::time::Duration>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for OpenBudget {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let (Some(throttle), Some(db)) = (request.rocket().state::<OpenDataThrottle>(), request.rocket().state::<Db>())
        else {
            return Outcome::Success(OpenBudget(Ok(0)));
        };
        let address = request.client_ip().map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into());
        Outcome::Success(OpenBudget(throttle.allow(db, &address).await.map(|()| throttle.per_minute)))
    }
}

impl OpenBudget {
    /// The budget per minute, or the refusal when it is spent.
    pub fn check(&self) -> Result<u32, AppError> {
        self.0.map_err(|wait| {
            AppError::new(
                Status::TooManyRequests,
                ErrorCode::TooManyRequests,
                "开放数据请求过于频繁，请稍后再试（需要全量数据请下载批量文件）",
            )
            .with_retry_after(wait)
        })
    }
}

/// A body answered conditionally.
pub struct Conditional {
    pub body: Vec<u8>,
    pub content_type: ContentType,
    /// Stored-form time of the latest change the body holds.
    pub last_modified: Option<String>,
    /// The address's budget per minute (`X-RateLimit-Limit`).
    pub budget: u32,
    /// Extra headers (a download's `Content-Disposition`).
    pub headers: Vec<Header<'static>>,
}

/// The strong validator of a body.
pub fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(body))[..32])
}

/// Whether an `If-None-Match` header value names `etag` (or is `*`); weak forms compare equal.
pub fn matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// An HTTP date (`Tue, 01 Dec 2026 08:00:00 GMT`) of a stored time.
pub fn http_date(stored: &str) -> Option<String> {
    let at = parse_stored(stored)?.to_offset(time::UtcOffset::UTC);
    at.format(time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    ))
    .ok()
}

impl<'r> Responder<'r, 'static> for Conditional {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let etag = etag_of(&self.body);
        let fresh = request.headers().get_one("If-None-Match").is_some_and(|value| matches(value, &etag));
        let mut response = Response::build();
        response
            .header(Header::new("ETag", etag))
            .header(Header::new("Cache-Control", "no-cache"))
            .header(Header::new("Access-Control-Allow-Origin", "*"))
            .header(Header::new("Access-Control-Expose-Headers", "ETag, Last-Modified, Retry-After, X-RateLimit-Limit"))
            .header(Header::new("X-RateLimit-Limit", self.budget.to_string()));
        if let Some(date) = self.last_modified.as_deref().and_then(http_date) {
            response.header(Header::new("Last-Modified", date));
        }
        if fresh {
            return response.status(Status::NotModified).ok();
        }
        for header in self.headers {
            response.header(header);
        }
        response.header(self.content_type).sized_body(self.body.len(), std::io::Cursor::new(self.body)).ok()
    }
}

/// A page's `updated_since`: RFC 3339 (any offset) or a date, read as Beijing midnight; the
/// stored form it compares with.
pub fn since(text: &str) -> Result<String, AppError> {
    crate::domain::time::parse_since(text).map(crate::domain::time::to_stored).ok_or_else(|| {
        AppError::bad_request(
            ErrorCode::InvalidParameter,
            "参数 updated_since 应为 RFC 3339 时间（如 2026-12-01T08:00:00Z）或日期（如 2026-12-01，按北京时间零点）",
        )
        .with_field("updated_since", "时间格式不对")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators_and_dates() {
        let etag = etag_of(b"{}");
        assert!(matches(&etag, &etag));
        assert!(matches(&format!("\"x\", W/{etag}"), &etag));
        assert!(matches("*", &etag));
        assert!(!matches("\"other\"", &etag));
        assert_eq!(http_date("2026-12-01T08:00:00.000000Z").as_deref(), Some("Tue, 01 Dec 2026 08:00:00 GMT"));
        assert_eq!(since("2026-12-01").ok().as_deref(), Some("2026-11-30T16:00:00.000000Z"));
        assert_eq!(since("2026-12-01T10:00:00+08:00").ok().as_deref(), Some("2026-12-01T02:00:00.000000Z"));
        assert!(since("yesterday").is_err());
        assert!(since("2026-13-01").is_err());
    }
}
