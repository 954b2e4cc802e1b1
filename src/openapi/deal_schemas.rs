//! The schemas of 对接项目 (deals), leads and recommendations: the bodies a client sends and the deal as the API
//! returns it, field by field (closed: the suite holds every real response against them).

use serde_json::{Value, json};

use super::schema_parts::{closed, nullable, string};

const STAGES: [&str; 6] = ["lead", "contacted", "negotiating", "agreed", "contracted", "lost"];

fn deal_row() -> serde_json::Map<String, Value> {
    let fields = json!({
        "id": {"type": "string", "format": "uuid"}, "title": string(), "summary": string(),
        "demand_id": nullable("string"), "demand_title": nullable("string"),
        "buyer_organisation_id": nullable("string"), "buyer_name": nullable("string"),
        "seller_organisation_id": nullable("string"), "seller_name": nullable("string"),
        "broker_user_id": string(), "broker_name": string(),
        "agency_organisation_id": nullable("string"), "agency_name": nullable("string"),
        "stage": {"type": "string", "enum": STAGES}, "stage_label": string(),
        "lost_from": {"type": ["string", "null"], "description": "关闭前所处阶段（重新打开时回到这里）"},
        "lost_reason": nullable("string"), "lost_reason_label": nullable("string"),
        "agreed_amount_fen": {"type": ["integer", "null"], "description": "达成意向时记录的金额（分）"},
        "agreed_amount_text": nullable("string"),
        "lead_source": {"type": ["string", "null"], "description": "contact（发起对接）或 application（揭榜申请）"},
        "lead_id": nullable("string"),
        "created_at": string(), "created_text": string(), "last_step_at": string(), "last_step_text": string(),
        "version": {"type": "integer"},
        "salon_id": {"type": ["string", "null"], "description": "促成对接的沙龙活动"}, "salon_theme": nullable("string"),
    });
    match fields {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

fn deal() -> Value {
    let mut properties = deal_row();
    properties.insert(
        "achievements".into(),
        json!({"type": "array", "items": closed(json!({"id": string(), "title": string()}))}),
    );
    properties.insert(
        "parties".into(),
        json!({"type": "array", "items": closed(json!({
            "organisation_id": string(), "name": string(), "side": {"type": "string", "enum": ["buyer", "seller"]},
            "side_label": string(), "status": {"type": "string", "enum": ["invited", "accepted", "declined"]},
            "status_label": string(), "answered_text": nullable("string")}))}),
    );
    properties.insert(
        "timeline".into(),
        json!({"type": "array", "description": "项目进展；内部记录只对经纪人、其机构和管理员返回", "items": closed(json!({
            "id": string(), "occurred_at": string(), "occurred_text": string(), "actor_name": nullable("string"),
            "kind": {"type": "string", "enum": ["opened", "stage", "note", "party", "reassigned"]},
            "from_stage": nullable("string"), "to_stage": nullable("string"), "to_stage_label": nullable("string"),
            "reason": string(), "body": string(), "visibility": {"type": "string", "enum": ["shared", "private"]},
            "private": {"type": "boolean"}}))}),
    );
    properties.insert(
        "rights".into(),
        closed(json!({
            "role": {"type": "string", "enum": ["admin", "broker", "agency", "party"]},
            "steps": {"type": "array", "items": closed(json!({"action": string(), "label": string(), "needs_reason": {"type": "boolean"}}))},
            "writes_notes": {"type": "boolean"}, "writes_private": {"type": "boolean"},
            "answers_invitation": {"type": "boolean"}, "drafts_contract": {"type": "boolean"}, "reassigns": {"type": "boolean"},
            "organises_meetings": {"type": "boolean"}})),
    );
    properties.insert("meetings".into(), json!({"type": "array", "items": {"$ref": "#/components/schemas/Meeting"}}));
    json!({"type": "object", "additionalProperties": false, "required": ["id", "title", "stage", "version"], "properties": properties})
}

/// The deal schemas, merged into `components.schemas`.
pub fn all() -> Value {
    let row = json!({"type": "object", "additionalProperties": false, "properties": deal_row()});
    json!({
        "Deal": deal(),
        "DealList": closed(json!({"items": {"type": "array", "items": row}, "total": {"type": "integer"}})),
        "DealInput": {"type": "object", "additionalProperties": false, "required": ["title"], "properties": {
            "title": {"type": "string", "minLength": 2, "maxLength": 100, "description": "项目名称"},
            "summary": {"type": ["string", "null"], "maxLength": 2000},
            "demand_id": {"type": ["string", "null"], "description": "已公开的技术需求"},
            "achievement_ids": {"type": "array", "maxItems": 10, "items": {"type": "string"}, "description": "已公开的科技成果"},
            "buyer_organisation_id": {"type": ["string", "null"], "description": "默认为技术需求的发布单位"},
            "seller_organisation_id": {"type": ["string", "null"], "description": "默认为第一项科技成果的完成单位"},
            "broker_user_id": {"type": ["string", "null"], "description": "管理员指定负责的经纪人（不填为本人）；经纪人创建时为本人"},
            "salon_id": {"type": ["string", "null"], "description": "在哪场成果对接沙龙或路演上促成（计入该活动成果，登记合同计入沙龙渠道）"}}},
        "DealNote": {"type": "object", "additionalProperties": false, "required": ["body"], "properties": {
            "body": {"type": "string", "minLength": 1, "maxLength": 4000},
            "visibility": {"type": ["string", "null"], "enum": ["shared", "private", null], "description": "private 仅经纪机构可见；不填为 shared"}}},
        "DealStep": {"type": "object", "additionalProperties": false, "properties": {
            "reason": {"type": ["string", "null"], "enum": ["no_match", "price", "buyer_withdrew", "seller_withdrew", "unreachable", "funding", "elsewhere", "other", null], "description": "关闭（lose）时必填"},
            "note": {"type": ["string", "null"], "maxLength": 2000, "description": "重新打开（reopen）时必填"},
            "amount_wan": {"type": ["string", "null"], "description": "达成意向（agree）时的金额，万元"},
            "version": {"type": ["integer", "null"]}}},
        "RecommendationList": closed(json!({
            "items": {"type": "array", "items": closed(json!({
                "kind": {"type": "string", "enum": ["achievement", "demand"]}, "id": string(), "url": string(), "title": string(),
                "organisation_id": string(), "organisation": string(), "technical_field_label": string(), "price_text": string(),
                "status": string(), "score": {"type": "integer", "minimum": 0, "maximum": 100},
                "reasons": {"type": "array", "items": closed(json!({"code": string(), "text": string()}))}}))},
            "enterprises": {"type": "array", "description": "提出过类似需求的企业（仅成果的推荐）", "items": closed(json!({
                "organisation_id": string(), "name": string(), "demands": {"type": "integer"}, "best_score": {"type": "integer"}}))}})),
        "LeadList": closed(json!({"items": {"type": "array", "items": {"type": "object"}}})),
    })
}
