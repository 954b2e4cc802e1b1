//! Security headers on every response (ARCHITECTURE.md §6): a CSP without inline script,
//! no framing, no sniffing, a strict referrer policy, and no caching of dynamic responses.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

/// Our only scripts and styles are files under `/static`; nothing inline, nothing remote.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'";

/// Adds the headers; attached once in `app::build`.
pub struct SecurityHeaders;

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info { name: "security headers", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        response.set_header(Header::new("Content-Security-Policy", CONTENT_SECURITY_POLICY));
        response.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        response.set_header(Header::new("X-Frame-Options", "DENY"));
        response.set_header(Header::new("Referrer-Policy", "strict-origin-when-cross-origin"));
        response.set_header(Header::new("Cross-Origin-Opener-Policy", "same-origin"));
        response.set_header(Header::new(
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ));
        // Dynamic pages carry live figures and, once signed in, personal data: never cache them.
        // Static assets set their own caching.
        if !request.uri().path().starts_with("/static/") && response.headers().get_one("Cache-Control").is_none() {
            response.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}
