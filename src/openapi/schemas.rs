//! The component schemas of the OpenAPI document: request bodies with their required fields,
//! closed vocabularies as enums and length limits as the server checks them, and the responses.

use serde_json::{Value, json};

use crate::domain::contract_vocab::{ContractType, Subtype};
use crate::domain::taxonomy::{
    AchievementType, CooperationMode, IndustrySection, IpCarrier, PricingRoute, Stage, TechnicalField, TransferMode,
};
use crate::error::ErrorCode;

/// A closed vocabulary: its codes as an enum.
fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, description: &str) -> Value {
    json!({"type": "string", "enum": all.iter().map(|v| code(*v)).collect::<Vec<_>>(), "description": description})
}

/// A list of codes of a closed vocabulary.
fn code_list<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, min_items: usize) -> Value {
    json!({"type": "array", "minItems": min_items, "items": codes(all, code, "")})
}

/// Bounded text, as the server counts it (characters, after trimming).
fn bounded(description: &str, min: usize, max: usize) -> Value {
    json!({"type": "string", "minLength": min, "maxLength": max, "description": description})
}

/// `schema` without `required`: the body of a PATCH (present fields replace the current ones).
fn patch_of(schema: &Value) -> Value {
    let mut patch = schema.clone();
    if let Some(object) = patch.as_object_mut() {
        object.remove("required");
    }
    patch
}

fn text(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

/// Every component schema.
pub fn all() -> Value {
    let mut schemas = with_nullable_input(bodies());
    if let (Some(all), Value::Object(responses)) = (schemas.as_object_mut(), super::responses::all()) {
        all.extend(responses);
    }
    if let (Some(all), Value::Object(deals)) = (schemas.as_object_mut(), super::deal_schemas::all()) {
        all.extend(deals);
    }
    if let (Some(all), Value::Object(desk)) = (schemas.as_object_mut(), super::desk_schemas::all()) {
        all.extend(desk);
    }
    if let (Some(all), Value::Object(trading)) = (schemas.as_object_mut(), super::trading_schemas::all()) {
        all.extend(trading);
    }
    for part in [super::open_data::all(), super::campaigns::all()] {
        if let (Some(all), Value::Object(part)) = (schemas.as_object_mut(), part) {
            all.extend(part);
        }
    }
    schemas["AchievementPatch"] = patch_of(&schemas["AchievementInput"]);
    schemas["DemandPatch"] = patch_of(&schemas["DemandInput"]);
    schemas
}

fn bodies() -> Value {
    json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "description": "稳定的 snake_case 错误代码", "enum": ErrorCode::ALL.iter().map(|c| c.code()).collect::<Vec<_>>()}, "message": text("中文提示"),
            "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "逐字段的中文提示"}}}}},
        "Health": {"type": "object", "properties": {"status": {"type": "string"}, "database": {"type": "string"}, "version": {"type": "string"}}},
        "Object": {"type": "object"},
        "SearchResult": {"type": "object", "properties": {
            "query": {"type": "string"}, "words": {"type": "array", "items": {"type": "string"}, "description": "分词后的检索词"},
            "relaxed": {"type": "boolean", "description": "没有同时包含全部词的结果，已放宽为包含任一词"},
            "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}, "sort": text("relevance | newest | price_asc | price_desc"),
            "hits": {"type": "array", "items": {"type": "object", "properties": {
                "kind": text("achievement | demand"), "kind_label": {"type": "string"}, "id": {"type": "string"}, "url": {"type": "string"}, "title": {"type": "string"},
                "title_html": text("已转义的标题，命中词以 <b> 标出（highlight=true 时）"), "snippet_html": text("已转义的摘要片段"),
                "organisation": {"type": "string"}, "technical_field_label": {"type": "string"}, "stage_label": {"type": ["string", "null"]}, "price_text": {"type": "string"},
                "status": {"type": "string"}, "status_label": {"type": "string"}, "published_date": {"type": ["string", "null"]}, "score": {"type": "number"}}}},
            "facets": {"type": "array", "description": "facets=true 时返回：每个维度的取值与命中数", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "label": {"type": "string"}, "values": {"type": "array", "items": {"type": "object", "properties": {
                    "value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}}}}}}}}},
        "Empty": {"type": "null"},
        "NewToken": {"type": "object", "required": ["name"], "additionalProperties": false, "properties": {"name": bounded("令牌名称", 1, 50)}},
        "CreatedToken": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "token": text("只返回这一次"), "prefix": {"type": "string"}}},
        "TokenList": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}, "next_cursor": {"type": ["string", "null"]}}},
        "ActionNote": {"type": "object", "additionalProperties": false, "properties": {"note": text("退回原因（return 时必填，至少 5 字）")}},
        "AchievementInput": {"type": "object", "additionalProperties": false,
            "required": ["title", "summary", "keywords", "achievement_type", "technical_field", "industry_section", "trl", "stage",
                "transfer_modes", "pricing_route", "contact_name", "contact_phone", "problem", "advantages", "region_code"],
            "properties": {
            "title": bounded("成果名称", 4, 100), "summary": bounded("成果简介", 20, 500), "description": text("详细介绍"),
            "keywords": text("关键词，逗号或顿号分隔，最多 10 个"),
            "achievement_type": codes(AchievementType::ALL, AchievementType::code, "成果类型"),
            "ip_carriers": code_list(IpCarrier::ALL, IpCarrier::code, 0), "patent_numbers": text("专利（申请）号，每行一个"),
            "technical_field": codes(TechnicalField::ALL, TechnicalField::code, "技术领域"),
            "industry_section": codes(IndustrySection::ALL, IndustrySection::code, "GB/T 4754 门类"),
            "industry_division": text("大类两位数字"),
            "trl": {"type": "string", "enum": ["1", "2", "3", "4", "5", "6", "7", "8", "9"], "description": "技术就绪度"},
            "stage": codes(Stage::ALL, Stage::code, "所处阶段，须与技术就绪度一致"),
            "transfer_modes": code_list(TransferMode::ALL, TransferMode::code, 1),
            "pricing_route": codes(PricingRoute::ALL, PricingRoute::code, "定价方式"),
            "price_negotiable": {"type": "boolean"}, "asking_price": text("万元，或带单位"), "publicity_start": text("YYYY-MM-DD"),
            "publicity_end": text("YYYY-MM-DD"), "team": {"type": "string"}, "contact_name": {"type": "string"}, "contact_phone": {"type": "string"},
            "contact_email": {"type": "string"}, "problem": bounded("解决的问题", 10, 2000),
            "advantages": bounded("相对领先技术的优势", 10, 2000), "scenarios": {"type": "string"},
            "region_code": text("6 位行政区划代码"), "version": {"type": "integer"}}},
        "DemandInput": {"type": "object", "additionalProperties": false,
            "required": ["title", "description", "indicators", "technical_field", "industry_section", "cooperation_modes",
                "valid_until", "contact_name", "contact_phone", "region_code"],
            "properties": {
            "title": bounded("需求名称", 4, 100), "description": bounded("问题描述", 20, 5000),
            "indicators": text("量化指标，每行“名称：目标值”"),
            "basis": text("现有基础"), "keywords": {"type": "string"},
            "technical_field": codes(TechnicalField::ALL, TechnicalField::code, "技术领域"),
            "industry_section": codes(IndustrySection::ALL, IndustrySection::code, "GB/T 4754 门类"),
            "cooperation_modes": code_list(CooperationMode::ALL, CooperationMode::code, 1), "budget_min": text("万元"), "budget_max": text("万元"),
            "budget_negotiable": {"type": "boolean"}, "valid_until": text("YYYY-MM-DD，不早于今天，最长两年"), "contact_name": {"type": "string"},
            "contact_phone": {"type": "string"}, "contact_email": {"type": "string"}, "region_code": {"type": "string"}, "version": {"type": "integer"}}},
        "ChallengeTerms": {"type": "object", "additionalProperties": false, "properties": {
            "reward": text("揭榜奖励，万元"), "apply_from": text("YYYY-MM-DD"), "apply_until": text("YYYY-MM-DD，不晚于需求有效期")}},
        "ChallengeApplication": {"type": "object", "additionalProperties": false, "properties": {
            "team": text("团队介绍"), "proposal": text("技术方案，至少 20 字"), "expected_results": text("预期成果"),
            "attachments": text("附件链接，每行一个 http/https")}},
        "ContractInput": {"type": "object", "additionalProperties": false, "description": "金额为文本，默认单位元（amount_unit=wan 为万元，或在数字后写“万”），精确到分；草稿只须类型、子类与名称，预审决定能否提交",
            "required": ["contract_type", "subtype", "title"], "properties": {
            "contract_type": codes(ContractType::ALL, ContractType::code, "合同类型"),
            "subtype": codes(Subtype::ALL, Subtype::code, "合同子类，须属于合同类型"),
            "title": bounded("合同名称", 4, 100), "subject": text("合同标的与技术内容"), "seller_organisation_id": text("卖方单位（经纪人、管理员起草时必填）"),
            "buyer_organisation_id": text("买方单位（平台内）"), "broker_user_id": text("技术经纪人账号"),
            "seller_name": {"type": "string"}, "seller_credit_code": text("统一社会信用代码"), "seller_credit_override": {"type": "boolean", "description": "校验位不符时由管理员确认"},
            "seller_nature": text("单位性质代码"), "seller_region": text("6 位行政区划代码"),
            "buyer_name": {"type": "string"}, "buyer_credit_code": {"type": "string"}, "buyer_credit_override": {"type": "boolean"},
            "buyer_nature": {"type": "string"}, "buyer_region": {"type": "string"}, "achievement_id": {"type": "string"}, "demand_id": {"type": "string"},
            "deal_id": {"type": "string", "description": "合同据以起草的对接项目（须已达成意向）"},
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
        "ImportReport": {"type": "object", "additionalProperties": false, "properties": {
            "import": {"type": "object", "description": "上传记录：id、kind、organisation_id、file_name、file_sha256、row_count、valid_count、status（checked | loaded）…"},
            "format": text("xlsx | xls | csv (UTF-8) | csv (GBK)"),
            "counts": {"type": "object", "additionalProperties": false, "properties": {"rows": {"type": "integer"}, "ok": {"type": "integer"}, "exists": {"type": "integer"}, "invalid": {"type": "integer"}}},
            "rows": {"type": "array", "items": {"type": "object", "additionalProperties": false, "properties": {
                "line": {"type": "integer", "description": "文件中的行号（表头所在行也计数）"},
                "state": text("ok | exists | invalid"), "title": {"type": "string"},
                "errors": {"type": "object", "additionalProperties": {"type": "string"}, "description": "字段 → 中文说明"},
                "summary": text("检查结果：可导入、已存在，或“列名：说明”"),
                "duplicates": {"type": "array", "description": "上传时发现的库中可能重复的条目", "items": {"type": "object", "additionalProperties": false,
                    "properties": {"url": {"type": "string"}, "title": {"type": "string"}, "reason": text("专利号相同（…）或 名称与简介相似度 0.83")}}}}}}}},
        "ImportLoaded": {"type": "object", "additionalProperties": false, "properties": {
            "loaded": {"type": "integer"}, "skipped_existing": {"type": "integer"}, "invalid": {"type": "integer"}}},
        "HolidayNotice": {"type": "object", "additionalProperties": false, "properties": {
            "year": {"type": "integer"}, "document": text("通知文号"), "published_on": text("YYYY-MM-DD"),
            "holidays": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"}}}},
            "workdays": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "day": {"type": "string"}}}}}},
        "Contract": {"type": "object", "additionalProperties": false, "properties": {
            "id": {"type": "string"}, "status": text("draft | submitted | correction_requested | registered | refused"), "status_label": {"type": "string"},
            "seller_organisation_id": {"type": "string"}, "seller_organisation_name": {"type": "string"},
            "buyer_organisation_id": {"type": ["string", "null"]}, "broker_user_id": {"type": ["string", "null"]}, "broker_name": {"type": ["string", "null"]},
            "deal_id": {"type": ["string", "null"], "description": "合同来自的对接项目"}, "deal_title": {"type": ["string", "null"]},
            "origin": text("platform | history | demo"), "origin_label": {"type": "string"},
            "correction_note": {"type": ["string", "null"], "description": "管理员要求补正的内容"},
            "refusal": {"type": ["object", "null"], "description": "不予登记：理由代码、说明、时间"},
            "cancellation": {"type": ["object", "null"], "description": "注销：原因与时间"},
            "created_at": {"type": "string"}, "updated_at": {"type": "string"},
            "cancelled": {"type": "boolean"}, "registration": {"type": ["object", "null"]}, "clock": {"type": "object", "description": "受理日期、工作日时限、办结期限、是否逾期"},
            "revision_no": {"type": "integer"}, "version": {"type": "integer"}, "contract": {"type": "object", "description": "现行版本内容；金额含 fen（整数分）与文本"},
            "precheck": {"type": "array", "items": {"type": "object"}}, "input": {"$ref": "#/components/schemas/ContractInput"},
            "warnings": {"type": "array", "description": "submit 时仍存在的预审提示"}}},
        "ContractList": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "next_after": {"type": ["string", "null"], "description": "下一页的游标（after=…）"}}},
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
        "AchievementList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Achievement"}}, "next_cursor": {"type": ["string", "null"]}}},
        "DemandList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Demand"}}, "next_cursor": {"type": ["string", "null"]}}},
    })
}

/// `input` (GET) and the bodies of PUT and amend are one struct whose unset fields are `null`:
/// the document says so, so that a client may send back exactly what it read.
fn with_nullable_input(mut schemas: Value) -> Value {
    if let Some(properties) = schemas["ContractInput"]["properties"].as_object_mut() {
        for property in properties.values_mut() {
            if let Some(kind) = property["type"].as_str().map(str::to_string) {
                property["type"] = json!([kind, "null"]);
            }
            if let Some(values) = property.get_mut("enum").and_then(Value::as_array_mut) {
                values.push(Value::Null);
            }
        }
    }
    schemas
}
