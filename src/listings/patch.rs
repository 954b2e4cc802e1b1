//! PATCH for listings: the fields present in the body replace those of the current content;
//! the result is read back through the same strict input type (unknown fields refused).

use rocket::http::Status;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{AppError, ErrorCode};

/// The stored content with the body's fields over it; the result carries no `version` unless the
/// body sends one (the API's PATCH needs none).
pub fn merge_without_version<T: Serialize + DeserializeOwned>(current: &T, patch: Value) -> Result<T, AppError> {
    let Value::Object(changes) = patch else {
        return Err(AppError::bad_request(ErrorCode::BadBody, "请求体应为 JSON 对象"));
    };
    let mut merged = serde_json::to_value(current).map_err(AppError::internal)?;
    merged["version"] = Value::Null;
    for (key, value) in changes {
        merged[key] = value;
    }
    serde_json::from_value(merged)
        .map_err(|e| AppError::new(Status::UnprocessableEntity, ErrorCode::BadBody, format!("请求体有误：{e}")))
}
