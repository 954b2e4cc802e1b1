//! The request bodies handlers read: `Json<T>` and `Form<T>` replace Rocket's own so that every
//! body passes one boundary — control characters refused with the same 400 on every database,
//! JSON mistakes explained in Chinese with the field's path, and nothing of the body written to
//! the log. `Json<T>` is also the JSON responder, so a module imports one name for both.

use std::ops::{Deref, DerefMut};

use rocket::data::{self, Data, FromData, Limits};
use rocket::form::{self, FromForm};
use rocket::http::{ContentType, Status};
use rocket::request::{Request, local_cache};
use rocket::response::{self, Responder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::request_state::Refusal;
use crate::domain::control;
use crate::error::ErrorCode;

/// Why a body was refused; its `Debug` never shows the body (phones and names stay out of logs).
pub struct BodyRefused;

impl std::fmt::Debug for BodyRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("request body refused (see the response)")
    }
}

fn refuse<'r, T, E>(request: &Request<'_>, status: Status, code: ErrorCode, message: String) -> data::Outcome<'r, T, E>
where
    E: From<BodyRefused>,
{
    Refusal::record_owned(request, code, message);
    data::Outcome::Error((status, E::from(BodyRefused)))
}

/// A JSON request body, or a JSON response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// Where in a JSON value the first refused character sits (`title`, `items[2].name`, or the key).
fn control_in_value(value: &Value, path: &mut String) -> Option<(char, String)> {
    match value {
        Value::String(text) => control::first_in_text(text).map(|c| (c, path.clone())),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let mark = path.len();
            path.push_str(&format!("[{i}]"));
            let found = control_in_value(item, path);
            path.truncate(mark);
            found
        }),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let mark = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            let found = control::first_in_text(key).map(|c| (c, path.clone())).or_else(|| control_in_value(item, path));
            path.truncate(mark);
            found
        }),
        _ => None,
    }
}

/// serde's English reasons, said in Chinese.
fn chinese_reason(reason: &str) -> String {
    let quoted = |text: &str| text.split('`').nth(1).unwrap_or_default().to_string();
    if reason.starts_with("missing field") {
        return format!("缺少必填字段 {}", quoted(reason));
    }
    if reason.starts_with("unknown field") {
        return format!("不认识的字段 {}", quoted(reason));
    }
    if reason.starts_with("unknown variant") {
        return format!("取值“{}”不在可选范围内", quoted(reason));
    }
    if reason.starts_with("duplicate field") {
        return format!("字段 {} 重复出现", quoted(reason));
    }
    if let Some(expected) = reason.split(", expected ").nth(1) {
        let kind = match expected.trim() {
            e if e.contains("string") || e.contains("char") => "文本",
            e if (e.starts_with('u') || e.starts_with('i')) && e.len() <= 5 => "整数",
            e if e.starts_with('f') && e.len() <= 3 => "数字",
            e if e.contains("bool") => "true 或 false",
            e if e.contains("sequence") => "数组",
            e if e.contains("map") || e.starts_with("struct") => "对象",
            _ => "",
        };
        if reason.starts_with("invalid type") {
            return if kind.is_empty() { "类型不对".into() } else { format!("类型不对，应为{kind}") };
        }
        if reason.starts_with("invalid value") || reason.starts_with("invalid length") {
            return if kind.is_empty() { "取值不对".into() } else { format!("取值不对，应为{kind}") };
        }
    }
    "内容无法识别".into()
}

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for Json<T> {
    type Error = BodyRefused;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let limit = request.limits().get("json").unwrap_or(Limits::JSON);
        let bytes = match data.open(limit).into_bytes().await {
            Ok(bytes) if bytes.is_complete() => bytes.into_inner(),
            Ok(_) => {
                let message = format!("请求体超过 {} 的上限", limit);
                return refuse(request, Status::PayloadTooLarge, ErrorCode::PayloadTooLarge, message);
            }
            Err(_) => return refuse(request, Status::BadRequest, ErrorCode::BadBody, "请求体读取失败".into()),
        };
        let value: Value = match serde_json::from_slice(&bytes) {
            Ok(value) => value,
            Err(error) => {
                let message = if error.is_eof() && bytes.iter().all(u8::is_ascii_whitespace) {
                    "请求体为空，应为 JSON".to_string()
                } else {
                    format!("请求体不是有效的 JSON（第 {} 行第 {} 列）", error.line(), error.column())
                };
                return refuse(request, Status::BadRequest, ErrorCode::BadBody, message);
            }
        };
        // Every body is an object, and no list holds lists: serde would otherwise read an array
        // as a struct's fields in order (`[null, null]` as an empty step).
        if !value.is_object() || holds_nested_list(&value) {
            let message = "请求体应为 JSON 对象，列表中的每一项应为文本、数字或对象".to_string();
            return refuse(request, Status::UnprocessableEntity, ErrorCode::BadBody, message);
        }
        if let Some((c, path)) = control_in_value(&value, &mut String::new()) {
            let place = if path.is_empty() { "请求体".to_string() } else { format!("字段 {path} ") };
            return refuse(request, Status::BadRequest, ErrorCode::ControlCharacter, control::message(c, &place));
        }
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(input) => data::Outcome::Success(Json(input)),
            Err(error) => {
                let path = error.path().to_string();
                let reason = chinese_reason(&error.inner().to_string());
                let message = if path == "." || reason.starts_with("缺少") || reason.starts_with("不认识") {
                    format!("请求体有误：{reason}")
                } else {
                    format!("请求体有误：字段 {path} {reason}")
                };
                refuse(request, Status::UnprocessableEntity, ErrorCode::BadBody, message)
            }
        }
    }
}

/// Whether a list anywhere in the value holds a list.
fn holds_nested_list(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().any(|item| item.is_array() || holds_nested_list(item)),
        Value::Object(map) => map.values().any(holds_nested_list),
        _ => false,
    }
}

/// A JSON body that may be absent (an action's optional note): no body is `None`, but a body
/// that is there must be right — a bad one is refused, never silently dropped.
#[derive(Debug, Clone, Default)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for OptionalJson<T> {
    type Error = BodyRefused;

    async fn from_data(request: &'r Request<'_>, mut data: Data<'r>) -> data::Outcome<'r, Self> {
        if data.peek(1).await.is_empty() {
            return data::Outcome::Success(OptionalJson(None));
        }
        match Json::<T>::from_data(request, data).await {
            data::Outcome::Success(body) => data::Outcome::Success(OptionalJson(Some(body.0))),
            data::Outcome::Error(error) => data::Outcome::Error(error),
            data::Outcome::Forward(forward) => data::Outcome::Forward(forward),
        }
    }
}

impl<'r, T: Serialize> Responder<'r, 'static> for Json<T> {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        rocket::serde::json::Json(self.0).respond_to(request)
    }
}

/// A url-encoded or multipart form body.
#[derive(Debug, Clone, Default)]
pub struct Form<T>(pub T);

impl<T> Form<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Form<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Form<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// `+` and `%XX` decoded, for the control-character check (invalid UTF-8 is replaced).
fn decode_form_component(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A url-encoded body as decoded (name, value) pairs, empty pieces skipped as browsers do.
fn decode_form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_form_component(name), decode_form_component(value))
        })
        .collect()
}

/// The first refused character of decoded form fields and the field it is in.
fn control_in_form(fields: &[(String, String)]) -> Option<(char, String)> {
    fields.iter().find_map(|(name, value)| {
        control::first_in_text(name).or_else(|| control::first_in_text(value)).map(|c| (c, name.clone()))
    })
}

/// A refused form: Rocket's errors, or ours (already recorded for the catcher).
#[derive(Debug)]
pub enum FormRefused<'r> {
    Fields(form::Errors<'r>),
    Body(BodyRefused),
}

impl From<BodyRefused> for FormRefused<'_> {
    fn from(refused: BodyRefused) -> Self {
        FormRefused::Body(refused)
    }
}

#[rocket::async_trait]
impl<'r, T: FromForm<'r>> FromData<'r> for Form<T> {
    type Error = FormRefused<'r>;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if request.content_type() != Some(&ContentType::Form) {
            // Multipart: files are read as they are; their text cells pass the form checks.
            return match rocket::form::Form::<T>::from_data(request, data).await {
                data::Outcome::Success(form) => data::Outcome::Success(Form(form.into_inner())),
                data::Outcome::Error((status, errors)) => data::Outcome::Error((status, FormRefused::Fields(errors))),
                data::Outcome::Forward(forward) => data::Outcome::Forward(forward),
            };
        }
        let limit = request.limits().get("form").unwrap_or(Limits::FORM);
        let text = match data.open(limit).into_string().await {
            Ok(text) if text.is_complete() => text.into_inner(),
            Ok(_) => {
                let message = format!("提交的内容超过 {} 的上限", limit);
                return refuse(request, Status::PayloadTooLarge, ErrorCode::PayloadTooLarge, message);
            }
            Err(_) => {
                return refuse(request, Status::BadRequest, ErrorCode::BadBody, "表单不是有效的 UTF-8 文本".into());
            }
        };
        let fields = decode_form(&text);
        if let Some((c, field)) = control_in_form(&fields) {
            let place = if field.is_empty() { "表单".to_string() } else { format!("表单字段 {field} ") };
            return refuse(request, Status::BadRequest, ErrorCode::ControlCharacter, control::message(c, &place));
        }
        let fields: &'r [(String, String)] = local_cache!(request, fields);
        let values = fields.iter().map(|(name, value)| form::ValueField::from((name.as_str(), value.as_str())));
        match rocket::form::Form::<T>::parse_iter(values) {
            Ok(value) => data::Outcome::Success(Form(value)),
            Err(errors) => data::Outcome::Error((errors.status(), FormRefused::Fields(errors))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_control_characters_with_their_path() {
        let value = serde_json::json!({"title": "好", "items": [{"name": "a\u{0}"}]});
        assert_eq!(control_in_value(&value, &mut String::new()), Some(('\u{0}', "items[0].name".to_string())));
        assert_eq!(control_in_value(&serde_json::json!({"a": "x\ny"}), &mut String::new()), None);
    }

    #[test]
    fn decodes_form_fields_before_checking() {
        let check = |body: &str| control_in_form(&decode_form(body));
        assert_eq!(check("_csrf=t&title=%E5%A5%BD%00"), Some(('\u{0}', "title".to_string())));
        assert_eq!(check("a=line%0D%0Abreak&b=100%25"), None);
        assert_eq!(check("a=%2"), None);
        assert_eq!(
            decode_form("a=1+2&b=%E5%A5%BD&&c"),
            vec![
                ("a".to_string(), "1 2".to_string()),
                ("b".to_string(), "好".to_string()),
                ("c".to_string(), String::new())
            ]
        );
    }

    #[test]
    fn says_serde_reasons_in_chinese() {
        assert_eq!(chinese_reason("missing field `title`"), "缺少必填字段 title");
        assert_eq!(chinese_reason("invalid type: string \"x\", expected u32"), "类型不对，应为整数");
        assert_eq!(chinese_reason("unknown variant `zz`, expected one of `a`, `b`"), "取值“zz”不在可选范围内");
    }
}
