//! The optional `Idempotency-Key` header of an API create: a client that retries after a
//! dropped connection sends the same key and gets the first result back (201 with
//! `Idempotent-Replayed: true`) instead of a second row.

use rocket::request::{FromRequest, Outcome, Request};

use crate::error::{AppError, ErrorCode};

/// The header as sent; `checked` validates it.
pub struct IdempotencyKey(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IdempotencyKey {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(IdempotencyKey(request.headers().get_one("Idempotency-Key").map(str::to_string)))
    }
}

impl IdempotencyKey {
    /// The key, when one was sent and is usable: 1–200 visible ASCII characters.
    pub fn checked(&self) -> Result<Option<&str>, AppError> {
        match self.0.as_deref().map(str::trim) {
            None => Ok(None),
            Some(key) if (1..=200).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(key)),
            Some(_) => Err(AppError::bad_request(
                ErrorCode::InvalidIdempotencyKey,
                "Idempotency-Key 应为 1–200 个可见 ASCII 字符（例如一个 UUID）",
            )),
        }
    }
}

/// The `Idempotent-Replayed` header of a create's answer.
pub fn replayed_header(replayed: bool) -> rocket::http::Header<'static> {
    rocket::http::Header::new("Idempotent-Replayed", if replayed { "true" } else { "false" })
}
