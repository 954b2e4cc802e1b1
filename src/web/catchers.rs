//! Catchers for statuses the framework produces (no route, unparsable body, panics): the same
//! envelope under `/api/` and the same Chinese page elsewhere as handler errors.

use rocket::http::Status;
use rocket::{Catcher, Request, catch, catchers};

use crate::error::AppError;

#[catch(404)]
fn not_found(_request: &Request<'_>) -> AppError {
    AppError::for_status(Status::NotFound)
}

#[catch(422)]
fn unprocessable(_request: &Request<'_>) -> AppError {
    AppError::for_status(Status::UnprocessableEntity)
}

#[catch(500)]
fn internal(_request: &Request<'_>) -> AppError {
    AppError::for_status(Status::InternalServerError)
}

#[catch(default)]
fn any_status(status: Status, _request: &Request<'_>) -> AppError {
    AppError::for_status(status)
}

/// Every catcher, registered once at `/`; the error's responder picks JSON or HTML by path.
pub fn all() -> Vec<Catcher> {
    catchers![not_found, unprocessable, internal, any_status]
}
