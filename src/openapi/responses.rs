//! The response schemas of the OpenAPI document, field by field as the API writes them. Objects
//! are closed where the test suite holds every real response against them (an undeclared field
//! fails a test), so this file and the views change together.

use serde_json::{Value, json};

fn string() -> Value {
    json!({"type": "string"})
}

fn nullable(kind: &str) -> Value {
    json!({"type": [kind, "null"]})
}

fn strings() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}

fn text(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

/// What every listing shows (the core's `Meta` and the contact block).
fn listing_common() -> serde_json::Map<String, Value> {
    let fields = json!({
        "id": {"type": "string", "format": "uuid"},
        "organisation_id": string(),
        "organisation_name": string(),
        "status": string(),
        "status_label": string(),
        "is_public": {"type": "boolean", "description": "公众现在能否看到"},
        "review_note": text("退回原因（管理员填写）"),
        "views": {"type": "integer"},
        "contact_requests": {"type": "integer", "description": "对接意向数"},
        "is_demo": {"type": "boolean"},
        "published_at": nullable("string"),
        "published_date": nullable("string"),
        "updated_text": nullable("string"),
        "version": {"type": "integer", "description": "乐观锁版本号，PATCH 时带回"},
        "title": string(),
        "keywords": strings(),
        "technical_field": string(),
        "technical_field_label": string(),
        "industry_section": string(),
        "industry_label": string(),
        "region_code": string(),
        "contact": {"type": "object", "additionalProperties": false, "description": "仅对已审核的登录用户返回", "properties": {
            "name": string(), "phone": string(), "email": nullable("string")}},
    });
    match fields {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

fn listing(own: Value) -> Value {
    let mut properties = listing_common();
    if let Value::Object(own) = own {
        properties.extend(own);
    }
    json!({"type": "object", "additionalProperties": false,
        "required": ["id", "title", "status", "status_label", "organisation_name", "version"], "properties": properties})
}

/// The response schemas, merged into `components.schemas`.
pub fn all() -> Value {
    json!({
        "Achievement": listing(json!({
            "summary": string(), "description": string(),
            "achievement_type": string(), "achievement_type_label": string(),
            "ip_carriers": strings(), "ip_carrier_labels": strings(), "patent_numbers": strings(),
            "industry_division": nullable("string"), "trl": {"type": "integer"},
            "stage": string(), "stage_label": string(),
            "transfer_modes": strings(), "transfer_mode_labels": strings(),
            "pricing_route": string(), "pricing_route_label": string(),
            "asking_price_fen": {"type": ["integer", "null"], "description": "挂牌价（分）；面议为 null"},
            "price_text": string(), "publicity_start": nullable("string"), "publicity_end": nullable("string"),
            "team": string(), "problem": string(), "advantages": string(), "scenarios": string(),
            "updated_at": string(),
        })),
        "Demand": listing(json!({
            "description": string(),
            "indicators": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                "properties": {"name": string(), "target": string()}}},
            "basis": string(), "cooperation_modes": strings(), "cooperation_mode_labels": strings(),
            "budget_min_fen": nullable("integer"), "budget_max_fen": nullable("integer"), "budget_text": string(),
            "valid_until": text("YYYY-MM-DD"), "days_left": {"type": ["integer", "null"], "description": "距有效期还有几天"},
        })),
        "Me": {"type": "object", "additionalProperties": false, "properties": {
            "id": string(), "display_name": string(), "job_title": nullable("string"), "role": string(), "status": string(),
            "organisation_id": nullable("string"), "organisation_name": nullable("string"),
            "email": nullable("string"), "mobile": nullable("string"),
            "created_at": string(), "last_login_at": nullable("string")}},
        "ContractSummary": {"type": "object", "additionalProperties": false, "properties": {
            "year": {"type": "integer"}, "scope_label": text("统计口径"),
            "demo_contracts": {"type": "integer", "description": "其中演示合同数"},
            "goal_counted": {"type": "object", "description": "计入年度目标的部分（口径同 /stats）", "additionalProperties": false, "properties": {
                "label": string(), "contracts": {"type": "integer"}, "amount_fen": {"type": "integer"}, "amount_text": string(), "link": string()}},
            "registered_count": {"type": "integer"}, "total_fen": {"type": "integer"}, "total_text": string(),
            "technology_fen": {"type": "integer"}, "technology_text": string(),
            "months": {"type": "array", "items": {"type": "object"}}}},
    })
}
