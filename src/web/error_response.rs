//! How an `AppError` answers: the JSON envelope under `/api/`, the Chinese error page elsewhere;
//! 5xx causes go to the log with the request id, never to the client.

use rocket::http::ContentType;
use rocket::request::Request;
use rocket::response::{self, Responder, Response};

use crate::error::AppError;

/// The response of a refused or failed request, with the error's extra headers.
fn error_response(error: &AppError, content_type: ContentType, body: String) -> response::Result<'static> {
    let mut response = Response::build();
    response.status(error.status).header(content_type).sized_body(body.len(), std::io::Cursor::new(body));
    for (name, value) in error.headers() {
        response.raw_header(*name, value.clone());
    }
    response.ok()
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        // The path only: queries can hold what people typed (names, phones).
        let path = request.uri().path();
        let request_id = super::request_id::RequestId::of(request);
        if self.status.code >= 500 {
            tracing::error!(status = self.status.code, code = self.code.code(), %path, %request_id, cause = ?self.cause(), "request failed");
        } else {
            tracing::debug!(status = self.status.code, code = self.code.code(), %path, %request_id, "request refused");
        }
        if AppError::is_api_request(request) {
            let body = serde_json::to_string(&self.envelope()).unwrap_or_else(|_| String::from("{}"));
            return error_response(&self, ContentType::JSON, body);
        }
        let html = super::page::render_error_page(request, &self);
        error_response(&self, ContentType::HTML, html)
    }
}
