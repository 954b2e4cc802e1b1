//! Catchers for statuses the framework or a guard produces: the same envelope under `/api/` and
//! the same Chinese page elsewhere as handler errors. A page that needs sign-in redirects to it.

use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Catcher, Request, catch, catchers};

use crate::auth::identity::Refusal;
use crate::error::AppError;

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
    catchers![unauthorized, not_found, unprocessable, internal, any_status]
}
