//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the JSON API, built from one table of
//! operations kept beside the routes (a test checks it against the mounted routes, both ways).
//!
//! Written by hand rather than derived with utoipa: the API is small, its inputs are the same
//! serde structs the forms use, and one table is easier to keep exact than annotations spread
//! over every handler.

use crate::web::input::Json;
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
        Some("AchievementInput"),
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
    op("patch", "/demands/{id}", "技术需求", "修改技术需求（须带 version）", Some("DemandInput"), "Demand", true, &[]),
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

fn text(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn schemas() -> Value {
    let listing_common = json!({
        "id": {"type": "string", "format": "uuid"},
        "title": {"type": "string"},
        "status": {"type": "string"},
        "status_label": {"type": "string"},
        "organisation_name": {"type": "string"},
        "version": {"type": "integer"},
        "views": {"type": "integer"},
        "contact": {"type": "object", "description": "仅对登录用户返回", "properties": {
            "name": {"type": "string"}, "phone": {"type": "string"}, "email": {"type": ["string", "null"]}}},
    });
    json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": text("稳定的 snake_case 错误代码"), "message": text("中文提示"),
            "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "逐字段的中文提示"}}}}},
        "Health": {"type": "object", "properties": {"status": {"type": "string"}, "database": {"type": "string"}, "version": {"type": "string"}}},
        "Object": {"type": "object"},
        "SearchResult": {"type": "object", "properties": {
            "query": {"type": "string"}, "words": {"type": "array", "items": {"type": "string"}, "description": "分词后的检索词"},
            "relaxed": {"type": "boolean", "description": "没有同时包含全部词的结果，已放宽为包含任一词"},
            "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}, "sort": text("relevance | newest | price_asc | price_desc"),
            "hits": {"type": "array", "items": {"type": "object", "properties": {
                "kind": text("achievement | demand"), "id": {"type": "string"}, "url": {"type": "string"}, "title": {"type": "string"},
                "title_html": text("已转义的标题，命中词以 <b> 标出（highlight=true 时）"), "snippet_html": text("已转义的摘要片段"),
                "organisation": {"type": "string"}, "technical_field_label": {"type": "string"}, "price_text": {"type": "string"},
                "status": {"type": "string"}, "status_label": {"type": "string"}, "published_date": {"type": ["string", "null"]}, "score": {"type": "number"}}}},
            "facets": {"type": "array", "description": "facets=true 时返回：每个维度的取值与命中数", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "label": {"type": "string"}, "values": {"type": "array", "items": {"type": "object", "properties": {
                    "value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}}}}}}}}},
        "Empty": {"type": "null"},
        "Me": {"type": "object", "properties": {"id": {"type": "string"}, "display_name": {"type": "string"}, "role": {"type": "string"},
            "status": {"type": "string"}, "organisation_id": {"type": ["string", "null"]}, "email": {"type": ["string", "null"]}, "mobile": {"type": ["string", "null"]}}},
        "NewToken": {"type": "object", "required": ["name"], "additionalProperties": false, "properties": {"name": text("1–50 字的令牌名称")}},
        "CreatedToken": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "token": text("只返回这一次"), "prefix": {"type": "string"}}},
        "TokenList": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}, "next_cursor": {"type": ["string", "null"]}}},
        "ActionNote": {"type": "object", "additionalProperties": false, "properties": {"note": text("退回原因（return 时必填，至少 5 字）")}},
        "AchievementInput": {"type": "object", "additionalProperties": false, "properties": {
            "title": text("成果名称，4–100 字"), "summary": text("成果简介，20–500 字"), "description": text("详细介绍"),
            "keywords": text("关键词，逗号或顿号分隔，最多 10 个"), "achievement_type": text("applied | basic_theory | soft_science"),
            "ip_carriers": {"type": "array", "items": {"type": "string"}}, "patent_numbers": text("专利（申请）号，每行一个"),
            "technical_field": text("技术领域代码"), "industry_section": text("GB/T 4754 门类 A–T"), "industry_division": text("大类两位数字"),
            "trl": text("1–9"), "stage": text("laboratory | small_pilot | pilot | industrial，与 TRL 一致"),
            "transfer_modes": {"type": "array", "items": {"type": "string"}}, "pricing_route": text("negotiated | listing | auction | appraisal"),
            "price_negotiable": {"type": "boolean"}, "asking_price": text("万元，或带单位"), "publicity_start": text("YYYY-MM-DD"),
            "publicity_end": text("YYYY-MM-DD"), "team": {"type": "string"}, "contact_name": {"type": "string"}, "contact_phone": {"type": "string"},
            "contact_email": {"type": "string"}, "problem": {"type": "string"}, "advantages": {"type": "string"}, "scenarios": {"type": "string"},
            "region_code": text("6 位行政区划代码"), "version": {"type": "integer"}}},
        "DemandInput": {"type": "object", "additionalProperties": false, "properties": {
            "title": text("需求名称，4–100 字"), "description": text("问题描述，20–5000 字"), "indicators": text("量化指标，每行“名称：目标值”"),
            "basis": text("现有基础"), "keywords": {"type": "string"}, "technical_field": {"type": "string"}, "industry_section": {"type": "string"},
            "cooperation_modes": {"type": "array", "items": {"type": "string"}}, "budget_min": text("万元"), "budget_max": text("万元"),
            "budget_negotiable": {"type": "boolean"}, "valid_until": text("YYYY-MM-DD，不早于今天，最长两年"), "contact_name": {"type": "string"},
            "contact_phone": {"type": "string"}, "contact_email": {"type": "string"}, "region_code": {"type": "string"}, "version": {"type": "integer"}}},
        "ChallengeTerms": {"type": "object", "additionalProperties": false, "properties": {
            "reward": text("揭榜奖励，万元"), "apply_from": text("YYYY-MM-DD"), "apply_until": text("YYYY-MM-DD，不晚于需求有效期")}},
        "ChallengeApplication": {"type": "object", "additionalProperties": false, "properties": {
            "team": text("团队介绍"), "proposal": text("技术方案，至少 20 字"), "expected_results": text("预期成果"),
            "attachments": text("附件链接，每行一个 http/https")}},
        "ContractInput": {"type": "object", "additionalProperties": false, "description": "金额为文本，默认单位元（amount_unit=wan 为万元，或在数字后写“万”），精确到分", "properties": {
            "contract_type": text("development | transfer | licence | consulting | service"), "subtype": text("合同子类代码，须属于合同类型"),
            "title": text("合同名称，4–100 字"), "subject": text("合同标的与技术内容"), "seller_organisation_id": text("卖方单位（经纪人、管理员起草时必填）"),
            "buyer_organisation_id": text("买方单位（平台内）"), "broker_user_id": text("技术经纪人账号"),
            "seller_name": {"type": "string"}, "seller_credit_code": text("统一社会信用代码"), "seller_credit_override": {"type": "boolean", "description": "校验位不符时由管理员确认"},
            "seller_nature": text("单位性质代码"), "seller_region": text("6 位行政区划代码"),
            "buyer_name": {"type": "string"}, "buyer_credit_code": {"type": "string"}, "buyer_credit_override": {"type": "boolean"},
            "buyer_nature": {"type": "string"}, "buyer_region": {"type": "string"}, "achievement_id": {"type": "string"}, "demand_id": {"type": "string"},
            "signed_on": text("YYYY-MM-DD"), "valid_from": text("YYYY-MM-DD"), "valid_until": text("YYYY-MM-DD"), "technical_field": {"type": "string"},
            "ip_type": {"type": "string"}, "programme": {"type": "string"}, "payment_mode": {"type": "string"}, "payment_terms": {"type": "string"},
            "amount_unit": text("yuan | wan"), "total": text("合同成交额"), "equipment": text("设备购置费（扣除）"), "instruments": text("仪器费（扣除）"),
            "parts": text("零部件费（扣除）"), "materials": text("原材料费（扣除）"), "carrier": text("技术载体费（不扣除）"),
            "expected_investment": text("预计新增投资（仅技术转让）"), "expected_output": text("预计新增产值（仅技术转让）"),
            "written": {"type": "boolean"}, "signed_by_parties": {"type": "boolean"}, "approvals": text("not_required | obtained | missing"),
            "institution_achievement": {"type": "boolean"}, "team_self_transfer": {"type": "boolean"}, "net_income": {"type": "string"}, "team_share": {"type": "string"},
            "technology_import": {"type": "boolean", "description": "技术进口：境外卖方（所在地填国家或地区代码），由境内买方登记"},
            "version": {"type": "integer"}}},
        "HistoryInput": {"type": "object", "additionalProperties": false, "description": "一份历史登记；类型、性质、领域可写代码或中文名称",
            "required": ["registration_no", "title", "contract_type", "subtype", "seller_name", "seller_region", "buyer_name", "buyer_region", "registered_on", "total"],
            "properties": {
            "registration_no": text("登记编号"), "title": text("合同名称"), "contract_type": text("合同类型"), "subtype": text("合同子类"),
            "seller_name": {"type": "string"}, "seller_credit_code": {"type": "string"}, "seller_nature": {"type": "string"}, "seller_region": text("6 位行政区划代码；技术进口为国家或地区代码"),
            "buyer_name": {"type": "string"}, "buyer_credit_code": {"type": "string"}, "buyer_nature": {"type": "string"}, "buyer_region": {"type": "string"},
            "technology_import": text("是 / 否"), "technical_field": {"type": "string"}, "signed_on": text("YYYY-MM-DD"),
            "accepted_on": text("YYYY-MM-DD，默认同登记日期"), "registered_on": text("YYYY-MM-DD（北京时间）"), "total": text("合同成交额，元"),
            "equipment": {"type": "string"}, "instruments": {"type": "string"}, "parts": {"type": "string"}, "materials": {"type": "string"},
            "carrier": {"type": "string"}, "subject": {"type": "string"}}},
        "HistoryReport": {"type": "object", "properties": {"import": {"type": "object"}, "format": text("xlsx | csv (UTF-8) | csv (GBK)"),
            "counts": {"type": "object", "properties": {"rows": {"type": "integer"}, "ok": {"type": "integer"}, "exists": {"type": "integer"}, "invalid": {"type": "integer"}}},
            "ready_total_text": {"type": "string"}, "rows": {"type": "array", "items": {"type": "object", "description": "line（文件中的行号）、state（ok | exists | invalid）、errors（列 → 中文说明）"}}}},
        "HolidayNotice": {"type": "object", "additionalProperties": false, "properties": {
            "year": {"type": "integer"}, "document": text("通知文号"), "published_on": text("YYYY-MM-DD"),
            "holidays": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"}}}},
            "workdays": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "day": {"type": "string"}}}}}},
        "Contract": {"type": "object", "properties": {
            "id": {"type": "string"}, "status": text("draft | submitted | correction_requested | registered | refused"), "status_label": {"type": "string"},
            "cancelled": {"type": "boolean"}, "registration": {"type": ["object", "null"]}, "clock": {"type": "object", "description": "受理日期、工作日时限、办结期限、是否逾期"},
            "revision_no": {"type": "integer"}, "version": {"type": "integer"}, "contract": {"type": "object", "description": "现行版本内容；金额含 fen（整数分）与文本"},
            "precheck": {"type": "array", "items": {"type": "object"}}, "input": {"$ref": "#/components/schemas/ContractInput"},
            "warnings": {"type": "array", "description": "submit 时仍存在的预审提示"}}},
        "ContractList": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}}},
        "ContractSummary": {"type": "object", "properties": {"year": {"type": "integer"}, "registered_count": {"type": "integer"}, "total_fen": {"type": "integer"},
            "technology_fen": {"type": "integer"}, "months": {"type": "array", "items": {"type": "object"}}}},
        "ContractAction": {"type": "object", "additionalProperties": false, "properties": {
            "note": text("补正内容 / 注销原因 / 不予登记说明"), "registration_no": text("登记编号（register）"),
            "registered_at": text("登记日期 YYYY-MM-DD 或 RFC 3339，默认现在"), "reason": text("不予登记理由代码（refuse）")}},
        "ContractAmend": {"type": "object", "additionalProperties": false, "required": ["reason", "changes"], "properties": {
            "reason": text("变更原因，5–1000 字"), "changes": {"$ref": "#/components/schemas/ContractInput"}}},
        "StatsSummary": {"type": "object", "properties": {"year": {"type": "integer"}, "as_of": {"type": "string"},
            "goal": {"type": "object", "properties": {"amount_fen": {"type": "integer"}, "basis": text("turnover | technology_value"), "side": text("output | absorb")}},
            "so_far_fen": {"type": "integer"}, "progress_bp": {"type": "integer", "description": "万分比，10000 = 100%"},
            "months": {"type": "array", "items": {"type": "object"}}}},
        "GoalSetting": {"type": "object", "additionalProperties": false, "properties": {
            "amount": text("目标金额，默认万元，可写“6亿”"), "basis": text("turnover | technology_value"), "side": text("output | absorb"), "note": {"type": "string"}}},
        "IndicatorActual": {"type": "object", "additionalProperties": false, "properties": {
            "value": text("数值，最多 4 位小数"), "source": text("数据来源"), "published_on": text("发布日期 YYYY-MM-DD")}},
        "SharePayment": {"type": "object", "additionalProperties": false, "properties": {"paid_on": text("YYYY-MM-DD"), "amount": text("元"), "note": {"type": "string"}}},
        "Achievement": {"type": "object", "properties": listing_common.clone()},
        "Demand": {"type": "object", "properties": listing_common},
        "AchievementList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Achievement"}}, "next_cursor": {"type": ["string", "null"]}}},
        "DemandList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Demand"}}, "next_cursor": {"type": ["string", "null"]}}},
    })
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for operation in OPERATIONS {
        let mut parameters: Vec<Value> = operation
            .path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        parameters.extend(
            operation
                .query
                .iter()
                .map(|name| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}})),
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
            "schemas": with_nullable_input(schemas()),
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

/// `input` (GET) and the bodies of PUT and amend are one struct whose unset fields are `null`:
/// the document says so, so that a client may send back exactly what it read.
fn with_nullable_input(mut schemas: Value) -> Value {
    if let Some(properties) = schemas["ContractInput"]["properties"].as_object_mut() {
        for property in properties.values_mut() {
            if let Some(kind) = property["type"].as_str().map(str::to_string) {
                property["type"] = json!([kind, "null"]);
            }
        }
    }
    schemas
}

#[get("/openapi.json")]
fn openapi() -> Json<Value> {
    Json(document())
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![openapi]
}
