//! One error type for every handler: a stable snake_case code, a Chinese message, per-field
//! messages, and (never shown to clients) the cause. Under `/api/` it answers with the JSON
//! envelope `{"error":{"code","message","fields"}}`; elsewhere with a Chinese HTML page.

mod code;

use std::collections::BTreeMap;
use std::fmt;

use rocket::http::Status;
use rocket::request::Request;
use serde::Serialize;

pub use code::ErrorCode;

/// Every failure a handler can return.
#[derive(Debug)]
pub struct AppError {
    pub status: Status,
    /// Stable, documented, snake_case: clients branch on it.
    pub code: ErrorCode,
    /// Chinese, for people.
    pub message: String,
    /// Per-field Chinese messages for form and body validation.
    pub fields: BTreeMap<String, String>,
    /// For the logs only.
    cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// Response headers that go with this error (`Retry-After`, `Allow`).
    headers: Vec<(&'static str, String)>,
}

/// The JSON body of an error.
#[derive(Debug, Serialize)]
pub struct ErrorEnvelope<'a> {
    pub error: ErrorBody<'a>,
}

#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub code: &'a str,
    pub message: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: &'a BTreeMap<String, String>,
}

impl AppError {
    pub fn new(status: Status, code: ErrorCode, message: impl Into<String>) -> Self {
        AppError { status, code, message: message.into(), fields: BTreeMap::new(), cause: None, headers: Vec::new() }
    }

    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(Status::NotFound, code, message)
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(Status::BadRequest, code, message)
    }

    pub fn forbidden(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(Status::Forbidden, code, message)
    }

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(Status::Conflict, code, message)
    }

    /// 404 for an action or decision a path names that does not exist.
    pub fn unknown_action() -> Self {
        Self::not_found(ErrorCode::UnknownAction, "没有这个操作")
    }

    /// 422 with one message per field.
    pub fn validation(fields: BTreeMap<String, String>) -> Self {
        AppError {
            fields,
            ..Self::new(Status::UnprocessableEntity, ErrorCode::ValidationFailed, "提交的内容有误，请按提示修改")
        }
    }

    /// 500: the cause goes to the log, the client sees only a generic message.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AppError {
            cause: Some(cause.into()),
            ..Self::new(Status::InternalServerError, ErrorCode::InternalError, INTERNAL_MESSAGE)
        }
    }

    pub fn with_field(mut self, field: &str, message: impl Into<String>) -> Self {
        self.fields.insert(field.to_string(), message.into());
        self
    }

    /// When the client may try again (sent as `Retry-After`).
    pub fn with_retry_after(self, wait: std::time::Duration) -> Self {
        self.with_header("Retry-After", (wait.as_secs_f64().ceil().max(1.0) as u64).to_string())
    }

    /// A header to send with the error (e.g. `Allow` on 405).
    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn with_cause(mut self, cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        self.cause = Some(cause.into());
        self
    }

    /// The headers that go with the response.
    pub fn headers(&self) -> &[(&'static str, String)] {
        &self.headers
    }

    /// What went wrong underneath (logged, never shown).
    pub fn cause(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.cause.as_deref()
    }

    pub fn envelope(&self) -> ErrorEnvelope<'_> {
        ErrorEnvelope { error: ErrorBody { code: self.code.code(), message: &self.message, fields: &self.fields } }
    }

    /// The standard error for a status the framework produced (catchers).
    pub fn for_status(status: Status) -> Self {
        let (code, message) = match status.code {
            400 => (ErrorCode::BadRequest, "请求格式不正确"),
            401 => (ErrorCode::Unauthorized, "请先登录"),
            403 => (ErrorCode::Forbidden, "您没有权限进行此操作"),
            404 => (ErrorCode::NotFound, "您访问的页面或资源不存在"),
            405 => (ErrorCode::MethodNotAllowed, "不支持此请求方式"),
            409 => (ErrorCode::Conflict, "内容已被他人修改，请刷新后重试"),
            413 => (ErrorCode::PayloadTooLarge, "提交的内容过大"),
            415 => (ErrorCode::UnsupportedMediaType, "不支持的内容类型"),
            422 => (ErrorCode::UnprocessableEntity, "提交的内容无法识别，请检查格式和必填项"),
            429 => (ErrorCode::TooManyRequests, "操作过于频繁，请稍后再试"),
            503 => (ErrorCode::ServiceUnavailable, "服务暂时不可用，请稍后再试"),
            code if code >= 500 => (ErrorCode::InternalError, INTERNAL_MESSAGE),
            _ => (ErrorCode::RequestFailed, "请求未能完成"),
        };
        Self::new(status, code, message)
    }

    /// Whether this error belongs to the JSON API, judged by the request path.
    pub fn is_api_request(request: &Request<'_>) -> bool {
        let path = request.uri().path();
        path == "/api" || path.starts_with("/api/")
    }
}

/// A failed form or API body: either the person's to fix (one message per field) or ours.
#[derive(Debug)]
pub enum FormFailure {
    Fields(BTreeMap<String, String>),
    Other(AppError),
}

impl FormFailure {
    /// One field's message.
    pub fn field(name: &str, message: &str) -> FormFailure {
        FormFailure::Fields(BTreeMap::from([(name.to_string(), message.to_string())]))
    }
}

impl From<sqlx::Error> for FormFailure {
    fn from(error: sqlx::Error) -> Self {
        FormFailure::Other(AppError::internal(error))
    }
}

impl From<AppError> for FormFailure {
    fn from(error: AppError) -> Self {
        FormFailure::Other(error)
    }
}

impl From<FormFailure> for AppError {
    fn from(failure: FormFailure) -> Self {
        match failure {
            FormFailure::Fields(fields) => AppError::validation(fields),
            FormFailure::Other(error) => error,
        }
    }
}

const INTERNAL_MESSAGE: &str = "服务器内部错误，请稍后再试；如果问题持续，请联系平台管理员";

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.code, self.code, self.message)?;
        if let Some(cause) = &self.cause {
            write!(f, " (cause: {cause})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::internal(error)
    }
}

impl From<handlebars::RenderError> for AppError {
    fn from(error: handlebars::RenderError) -> Self {
        AppError::internal(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause_from_the_envelope() {
        let error = AppError::internal(std::io::Error::other("disk on fire at /secret/path"));
        let json = serde_json::to_string(&error.envelope()).expect("serialises");
        assert!(!json.contains("secret"), "{json}");
        assert!(json.contains("internal_error"));
        assert!(error.to_string().contains("disk on fire"), "the log line keeps the cause");
    }

    #[test]
    fn validation_errors_carry_fields() {
        let error = AppError::validation(BTreeMap::new()).with_field("amount", "请填写金额");
        let json = serde_json::to_value(error.envelope()).expect("serialises");
        assert_eq!(json["error"]["code"], "validation_failed");
        assert_eq!(json["error"]["fields"]["amount"], "请填写金额");
    }
}
