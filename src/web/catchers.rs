//! Catchers for statuses the framework or a guard produces: the same envelope under `/api/` and
//! the same Chinese page elsewhere as handler errors. A page that needs sign-in redirects to it.

use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Catcher, Request, catch, catchers};

use super::request_state::Refusal;
use crate::error::{AppError, ErrorCode};

/// The standard error, with a guard's own reason when it recorded one.
fn error_for(status: Status, request: &Request<'_>) -> AppError {
    match Refusal::of(request) {
        Some((code, message)) => AppError::new(status, code, message),
        None => AppError::for_status(status),
    }
}

#[catch(401)]
fn unauthorized(request: &Request<'_>) -> Result<Redirect, AppError> {
    if AppError::is_api_request(request) {
        return Err(error_for(Status::Unauthorized, request));
    }
    let next = request.uri().path().as_str().to_string();
    Ok(Redirect::to(format!("/login?next={}", super::url_encode(&next))))
}

/// Rocket answers 400 before any fairing runs when the method is one it does not know (QUERY,
/// made-up verbs): on a documented API path that is a method the API does not allow, so 405.
#[catch(400)]
fn bad_request(request: &Request<'_>) -> AppError {
    let untouched = crate::web::request_id::RequestId::of(request).is_empty();
    let path = request.uri().path();
    let allowed = path.as_str().strip_prefix("/api/v1").map(crate::openapi::allowed_at).unwrap_or_default();
    if untouched && !allowed.is_empty() {
        return AppError::new(Status::MethodNotAllowed, ErrorCode::MethodNotAllowed, "此地址不支持这种请求方式")
            .with_header("Allow", allowed.join(", "));
    }
    error_for(Status::BadRequest, request)
}

#[catch(404)]
fn not_found(request: &Request<'_>) -> AppError {
    error_for(Status::NotFound, request)
}

#[catch(422)]
fn unprocessable(request: &Request<'_>) -> AppError {
    error_for(Status::UnprocessableEntity, request)
}

#[catch(500)]
fn internal(_request: &Request<'_>) -> AppError {
    AppError::for_status(Status::InternalServerError)
}

#[catch(default)]
fn any_status(status: Status, request: &Request<'_>) -> AppError {
    error_for(status, request)
}

/// Every catcher, registered once at `/`; the error's responder picks JSON or HTML by path.
pub fn all() -> Vec<Catcher> {
    catchers![bad_request, unauthorized, not_found, unprocessable, internal, any_status]
}
