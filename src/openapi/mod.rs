//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the JSON API, built from one table of
//! operations kept beside the routes (a test checks it against the mounted routes, both ways).
//!
//! Written by hand rather than derived with utoipa: the API is small, its inputs are the same
//! serde structs the forms use, and one table is easier to keep exact than annotations spread
//! over every handler.

mod campaigns;
pub mod conformance;
mod deal_schemas;
mod desk_operations;
mod desk_schemas;
mod open_data;
mod operations;
pub mod params;
mod responses;
mod schema_parts;
mod schemas;
mod trading_operations;
mod trading_schemas;

pub use operations::OPERATIONS;

use rocket::{Route, get, routes};
use serde_json::{Value, json};

/// One documented operation.
pub struct Operation {
    pub method: &'static str,
    /// OpenAPI form, `{id}` for parameters, without the `/api/v1` prefix.
    pub path: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub body: Option<&'static str>,
    pub response: &'static str,
    pub auth: bool,
    pub query: &'static [&'static str],
}

#[expect(clippy::too_many_arguments, reason = "one argument per column of the operations table")]
const fn op(
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    body: Option<&'static str>,
    response: &'static str,
    auth: bool,
    query: &'static [&'static str],
) -> Operation {
    Operation { method, path, tag, summary, body, response, auth, query }
}

/// The documented resource `path` (under `/api/v1`) is: the operations of the most specific
/// matching template (`/contracts/history` before `/contracts/{id}`), any method.
pub fn operations_at(path: &str) -> Vec<&'static Operation> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let matching: Vec<&'static Operation> = all_operations()
        .filter(|operation| {
            let template: Vec<&str> = operation.path.split('/').collect();
            template.len() == segments.len()
                && template.iter().zip(&segments).all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s)
        })
        .collect();
    let specific = matching.iter().map(|o| o.path.matches('{').count()).min().unwrap_or(0);
    matching.into_iter().filter(|o| o.path.matches('{').count() == specific).collect()
}

/// The methods documented for `path` (under `/api/v1`), upper case, HEAD beside GET: an
/// `Allow` header's list. Empty for undocumented paths.
pub fn allowed_at(path: &str) -> Vec<String> {
    let mut allowed: Vec<String> = operations_at(path).iter().map(|o| o.method.to_ascii_uppercase()).collect();
    if allowed.iter().any(|m| m == "GET") {
        allowed.push("HEAD".into());
    }
    allowed.sort();
    allowed.dedup();
    allowed
}

/// Whether the operation's body is an uploaded file rather than JSON.
pub fn is_upload(operation: &Operation) -> bool {
    operation.method == "post" && UPLOAD_PATHS.contains(&operation.path)
}

/// Unsafe requests a browser session makes are refused here when the CSRF check fails; they are
/// mounted under `/api/v1` but are not operations a client calls.
pub const INTERNAL_PATHS: &[&str] = &["/__refused"];

/// The whole document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for operation in all_operations() {
        let mut parameters: Vec<Value> = operation
            .path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": params::path_schema(operation.path, name)}))
            .collect();
        parameters.extend(
            operation.query.iter().map(
                |name| json!({"name": name, "in": "query", "required": false, "schema": params::query_schema(name)}),
            ),
        );
        let ok = if operation.response == "Empty" {
            "204"
        } else if operation.method == "post"
            && (operation.body.is_some() || is_upload(operation) || operation.path.ends_with("/claim"))
            && !operation.path.contains("{action}")
            && !operation.path.ends_with("/amend")
            && !SETS_IN_PLACE.contains(&operation.path)
        {
            "201"
        } else {
            "200"
        };
        let mut responses = json!({
            "default": {"description": "错误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        });
        responses[ok] = if operation.response == "Empty" {
            json!({"description": "成功，无内容"})
        } else if operation.response == "EventStream" {
            json!({"description": "事件流（text/event-stream）；竞价结束或 30 分钟后关闭，浏览器会自动重连",
                "content": {"text/event-stream": {"schema": {"type": "string"}}}})
        } else {
            let schema = format!("#/components/schemas/{}", operation.response);
            json!({"description": "成功", "content": {"application/json": {"schema": {"$ref": schema}}}})
        };
        if operation.method == "post" && operation.path == "/contracts" {
            parameters.push(json!({"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string", "maxLength": 200},
                "description": "同一个键的重复请求返回第一次创建的合同（响应头 Idempotent-Replayed: true）"}));
        }
        let mut entry = json!({"tags": [operation.tag], "summary": operation.summary, "parameters": parameters, "responses": responses});
        if let Some(body) = operation.body {
            entry["requestBody"] = json!({"required": !BODY_OPTIONAL.contains(&operation.path), "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body}")}}}});
        }
        if is_upload(operation) {
            let file = json!({"schema": {"type": "string", "format": "binary"}});
            entry["requestBody"] = json!({"required": true, "description": "XLSX、XLS 或 CSV（UTF-8 / GBK）文件本身",
                "content": {"application/octet-stream": file, "text/csv": file,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": file}});
        }
        if operation.auth {
            entry["security"] = json!([{"bearer": []}, {"session": []}]);
        }
        let item = paths.entry(operation.path.to_string()).or_insert_with(|| json!({}));
        item[operation.method] = entry;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "麦积区技术市场服务平台 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "科技成果、技术需求、技术合同与账号的 JSON 接口。错误统一为 {\"error\":{\"code\",\"message\",\"fields\"}}。浏览器会话的写操作须带 X-CSRF-Token；程序请使用 Authorization: Bearer 令牌。",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas::all(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "个人 API 令牌（tm_…），在“我的账号”页创建"},
                "session": {"type": "apiKey", "in": "cookie", "name": "tm_session", "description": "浏览器会话；写操作还须 X-CSRF-Token"},
            },
        },
    })
}

/// Every documented operation: the listing, contract and deal table, then the broker's desk
/// (meetings, salons, inbox, webhooks), the pricing routes, campaigns and the open data.
pub fn all_operations() -> impl Iterator<Item = &'static Operation> {
    OPERATIONS
        .iter()
        .chain(desk_operations::DESK_OPERATIONS.iter())
        .chain(trading_operations::TRADING_OPERATIONS.iter())
        .chain(campaigns::CAMPAIGN_OPERATIONS.iter())
        .chain(open_data::OPEN_OPERATIONS.iter())
}

/// POSTs that set something in place (create or replace) and answer 200, not 201.
const SETS_IN_PLACE: &[&str] = &[
    "/campaigns/{id}/entries",
    "/demands/{id}/challenge",
    "/deals/{id}/meetings/{meeting}/record",
    "/notices/{id}/objections/{objection}/answer",
    "/notices/{id}/close",
    "/notices/{id}/withdraw",
];

/// Operations whose body may be left out (a deal step needs no reason or note unless the step
/// says so: `accept`, `contact`, `negotiate` are taken with none).
const BODY_OPTIONAL: &[&str] =
    &["/deals/{id}/{action}", "/notices/{id}/close", "/notices/{id}/withdraw", "/listings/{id}/intents"];

/// Uploads of a spreadsheet (history, listings): the body is the file itself.
const UPLOAD_PATHS: &[&str] = &["/contracts/history/imports", "/imports"];

#[get("/openapi.json")]
fn openapi() -> (rocket::http::ContentType, String) {
    (rocket::http::ContentType::JSON, document().to_string())
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![openapi]
}
