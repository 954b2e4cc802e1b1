//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the JSON API, built from one table of
//! operations kept beside the routes (a test checks it against the mounted routes, both ways).
//!
//! Written by hand rather than derived with utoipa: the API is small, its inputs are the same
//! serde structs the forms use, and one table is easier to keep exact than annotations spread
//! over every handler.

pub mod params;
mod schemas;

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

/// Every operation of `/api/v1`.
pub const OPERATIONS: &[Operation] = &[
    op("get", "/health", "系统", "健康检查：数据库可用", None, "Health", false, &[]),
    op("get", "/openapi.json", "系统", "本文档", None, "Object", false, &[]),
    op("get", "/me", "账号", "当前账号信息", None, "Me", true, &[]),
    op("get", "/tokens", "账号", "我的 API 令牌", None, "TokenList", true, &[]),
    op("post", "/tokens", "账号", "创建 API 令牌（令牌只在此返回一次）", Some("NewToken"), "CreatedToken", true, &[]),
    op("delete", "/tokens/{id}", "账号", "撤销 API 令牌", None, "Empty", true, &[]),
    op(
        "get",
        "/achievements",
        "科技成果",
        "公开的科技成果（按发布时间倒序，游标分页）",
        None,
        "AchievementList",
        false,
        &["after", "limit", "field", "stage", "mode", "route"],
    ),
    op("get", "/achievements/{id}", "科技成果", "科技成果详情", None, "Achievement", false, &[]),
    op("post", "/achievements", "科技成果", "创建科技成果草稿", Some("AchievementInput"), "Achievement", true, &[]),
    op(
        "patch",
        "/achievements/{id}",
        "科技成果",
        "修改科技成果（须带 version）",
        Some("AchievementPatch"),
        "Achievement",
        true,
        &[],
    ),
    op(
        "post",
        "/achievements/{id}/{action}",
        "科技成果",
        "状态操作：submit/approve/return/negotiate/reopen/transferred/withdraw/redraft",
        Some("ActionNote"),
        "Achievement",
        true,
        &[],
    ),
    op(
        "get",
        "/demands",
        "技术需求",
        "征集中的技术需求（游标分页）",
        None,
        "DemandList",
        false,
        &["after", "limit", "field", "mode"],
    ),
    op("get", "/demands/{id}", "技术需求", "技术需求详情", None, "Demand", false, &[]),
    op("post", "/demands", "技术需求", "创建技术需求草稿", Some("DemandInput"), "Demand", true, &[]),
    op("patch", "/demands/{id}", "技术需求", "修改技术需求（须带 version）", Some("DemandPatch"), "Demand", true, &[]),
    op(
        "post",
        "/demands/{id}/{action}",
        "技术需求",
        "状态操作：submit/approve/return/talks/reopen/solved/close/redraft",
        Some("ActionNote"),
        "Demand",
        true,
        &[],
    ),
    op("get", "/challenges", "揭榜挂帅", "公开的揭榜挂帅榜单", None, "Object", false, &[]),
    op(
        "get",
        "/search",
        "搜索",
        "全文搜索公开的科技成果与技术需求：中文分词，全部词命中优先、无结果时放宽；筛选、分面计数、排序、分页",
        None,
        "SearchResult",
        false,
        &[
            "q",
            "kind",
            "field",
            "industry",
            "stage",
            "mode",
            "pricing",
            "region",
            "status",
            "trl",
            "min",
            "max",
            "within",
            "sort",
            "page",
            "per_page",
            "facets",
            "highlight",
        ],
    ),
    op(
        "post",
        "/demands/{id}/challenge",
        "揭榜挂帅",
        "设置或修改揭榜条件（奖励、揭榜时间）",
        Some("ChallengeTerms"),
        "Object",
        true,
        &[],
    ),
    op(
        "get",
        "/demands/{id}/applications",
        "揭榜挂帅",
        "揭榜申请（发榜方看全部，申请人看自己的）",
        None,
        "Object",
        true,
        &[],
    ),
    op(
        "post",
        "/demands/{id}/applications",
        "揭榜挂帅",
        "提交揭榜申请",
        Some("ChallengeApplication"),
        "Object",
        true,
        &[],
    ),
    op(
        "post",
        "/applications/{id}/{decision}",
        "揭榜挂帅",
        "shortlist / select / reject（发榜方）或 withdraw（申请人）",
        None,
        "Object",
        true,
        &[],
    ),
    op(
        "get",
        "/contracts",
        "技术合同",
        "我可见的技术合同（管理员为全部）；status 含 cancelled，overdue=true 只看逾期",
        None,
        "ContractList",
        true,
        &[
            "status",
            "overdue",
            "q",
            "page",
            "after",
            "year",
            "month",
            "contract_type",
            "technical_field",
            "seller_nature",
            "buyer_nature",
            "seller_region",
            "buyer_region",
            "broker",
            "import",
            "origin",
        ],
    ),
    op(
        "get",
        "/contracts/summary",
        "技术合同",
        "公开汇总：某年已登记、未注销合同的份数与金额（按北京时间逐月）",
        None,
        "ContractSummary",
        false,
        &["year"],
    ),
    op(
        "post",
        "/contracts",
        "技术合同",
        "起草技术合同（可带 Idempotency-Key 请求头，重复请求只创建一份）",
        Some("ContractInput"),
        "Contract",
        true,
        &[],
    ),
    op("get", "/contracts/{id}", "技术合同", "合同详情（现行版本、登记时钟、预审结果）", None, "Contract", true, &[]),
    op(
        "put",
        "/contracts/{id}",
        "技术合同",
        "修改草稿或待补正的合同（须带 version）",
        Some("ContractInput"),
        "Contract",
        true,
        &[],
    ),
    op("get", "/contracts/{id}/revisions", "技术合同", "全部版本（变更登记保留旧版本）", None, "Object", true, &[]),
    op("get", "/contracts/{id}/events", "技术合同", "办理记录", None, "Object", true, &[]),
    op(
        "get",
        "/contracts/{id}/precheck",
        "技术合同",
        "登记预审：error 阻止提交，warning 仅提示",
        None,
        "Object",
        true,
        &[],
    ),
    op(
        "post",
        "/contracts/{id}/amend",
        "技术合同",
        "变更登记（管理员）：新增版本并说明原因",
        Some("ContractAmend"),
        "Contract",
        true,
        &[],
    ),
    op("get", "/contracts/{id}/share-payments", "技术合同", "完成团队奖励发放记录", None, "Object", true, &[]),
    op(
        "post",
        "/contracts/{id}/share-payments",
        "技术合同",
        "登记一笔完成团队奖励发放",
        Some("SharePayment"),
        "Object",
        true,
        &[],
    ),
    op(
        "post",
        "/contracts/{id}/{action}",
        "技术合同",
        "submit（卖方）/ request-correction / register / refuse / dispute / cancel（管理员）",
        Some("ContractAction"),
        "Contract",
        true,
        &[],
    ),
    op(
        "post",
        "/contracts/history",
        "技术合同",
        "管理员：逐笔补录平台建成前的登记（原受理、登记日期；登记编号唯一）",
        Some("HistoryInput"),
        "Object",
        true,
        &[],
    ),
    op(
        "post",
        "/contracts/history/imports",
        "技术合同",
        "管理员：上传历史登记表格（请求体为 XLSX/CSV 文件本身）；只检查不保存，返回逐行逐列的检查结果",
        None,
        "HistoryReport",
        true,
        &["file_name"],
    ),
    op(
        "get",
        "/contracts/history/imports/{id}",
        "技术合同",
        "管理员：一次上传按当前数据重新检查的结果",
        None,
        "HistoryReport",
        true,
        &[],
    ),
    op(
        "post",
        "/contracts/history/imports/{id}/confirm",
        "技术合同",
        "管理员：确认导入检查通过的行（已存在的登记编号跳过，重复确认不会重复导入）",
        None,
        "Object",
        true,
        &[],
    ),
    op(
        "get",
        "/calendar/notices",
        "办结时限",
        "公开：已录入的国务院节假日安排通知（放假与调休上班日）",
        None,
        "Object",
        false,
        &[],
    ),
    op(
        "put",
        "/calendar/notices/{year}",
        "办结时限",
        "管理员：录入或替换某年的节假日安排通知（记入审计日志）",
        Some("HolidayNotice"),
        "Object",
        true,
        &[],
    ),
    op(
        "get",
        "/stats/summary",
        "统计",
        "公开：某年目标、已登记额、完成进度与逐月数字（不含合同明细）",
        None,
        "StatsSummary",
        false,
        &["year"],
    ),
    op(
        "get",
        "/stats/goal",
        "统计",
        "管理员：目标页全部数字（进度、预测、逐月、各维度分解及对应合同列表链接、最大合同）",
        None,
        "Object",
        true,
        &["year"],
    ),
    op("get", "/stats/goals", "统计", "管理员：各年度目标设置", None, "Object", true, &[]),
    op(
        "put",
        "/stats/goals/{year}",
        "统计",
        "管理员：设置某年目标（记入审计日志）",
        Some("GoalSetting"),
        "Object",
        true,
        &[],
    ),
    op(
        "get",
        "/stats/market",
        "统计",
        "管理员：市场活跃度（逐月发布、领域、浏览最多、成熟度、从发布到登记的天数）",
        None,
        "Object",
        true,
        &["year"],
    ),
    op(
        "get",
        "/stats/indicators",
        "统计",
        "管理员：15 项主要指标（基期、目标、本年实际、进度线应达、状态、来源）",
        None,
        "Object",
        true,
        &["year"],
    ),
    op(
        "put",
        "/stats/indicators/{no}/{year}",
        "统计",
        "管理员：填报或更正某项指标某年的数值（记入审计日志）",
        Some("IndicatorActual"),
        "Object",
        true,
        &[],
    ),
];

/// The documented resource `path` (under `/api/v1`) is: the operations of the most specific
/// matching template (`/contracts/history` before `/contracts/{id}`), any method.
pub fn operations_at(path: &str) -> Vec<&'static Operation> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let matching: Vec<&'static Operation> = OPERATIONS
        .iter()
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
    operation.path == UPLOAD_PATH
}

/// Unsafe requests a browser session makes are refused here when the CSRF check fails; they are
/// mounted under `/api/v1` but are not operations a client calls.
pub const INTERNAL_PATHS: &[&str] = &["/__refused"];

/// The whole document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for operation in OPERATIONS {
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
            && (operation.body.is_some() || operation.path == UPLOAD_PATH)
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
            entry["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body}")}}}});
        }
        if operation.path == UPLOAD_PATH {
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

/// POSTs that set something in place (create or replace) and answer 200, not 201.
const SETS_IN_PLACE: &[&str] = &["/demands/{id}/challenge"];

/// The upload of a history file: its body is the file itself.
const UPLOAD_PATH: &str = "/contracts/history/imports";

#[get("/openapi.json")]
fn openapi() -> (rocket::http::ContentType, String) {
    (rocket::http::ContentType::JSON, document().to_string())
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![openapi]
}
