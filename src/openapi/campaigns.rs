//! 成果征集 and saved searches in the document: the public list and page of campaigns, opening
//! one, entering listings, the progress table; a person's saved searches — operations and closed
//! schemas.

use serde_json::{Value, json};

use super::schema_parts::{array_of, boolean, closed, integer, nullable, string};
use super::{Operation, op};

/// The campaign operations of `/api/v1`.
pub const CAMPAIGN_OPERATIONS: &[Operation] = &[
    op("get", "/campaigns", "成果征集", "公开：征集活动（征集中在前）", None, "CampaignList", false, &[]),
    op("get", "/campaigns/{id}", "成果征集", "公开：征集活动、目标单位与审核通过的条目", None, "Campaign", false, &[]),
    op(
        "post",
        "/campaigns",
        "成果征集",
        "管理员发起征集（目标单位的成员收到站内消息和 Webhook campaign.opened）",
        Some("CampaignInput"),
        "Campaign",
        true,
        &[],
    ),
    op(
        "post",
        "/campaigns/{id}/entries",
        "成果征集",
        "目标单位的认证成员报送本单位待审核或已公开的条目（管理员用 organisation_id 代为报送）；重复报送不计",
        Some("CampaignEntries"),
        "CampaignEntered",
        true,
        &[],
    ),
    op(
        "get",
        "/campaigns/{id}/progress",
        "成果征集",
        "管理员：各单位报送数、待审核、已通过",
        None,
        "CampaignProgress",
        true,
        &[],
    ),
    op("get", "/saved-searches", "订阅", "我保存的搜索", None, "SavedSearchList", true, &[]),
    op(
        "post",
        "/saved-searches",
        "订阅",
        "保存搜索（params 为搜索页的参数 q、kind、field…），之后新发布的匹配条目按所选方式提醒（每个账号最多 20 个）",
        Some("SavedSearchInput"),
        "SavedSearch",
        true,
        &[],
    ),
    op("delete", "/saved-searches/{id}", "订阅", "删除一个订阅", None, "Empty", true, &[]),
];

fn text(max: usize, description: &str) -> Value {
    json!({"type": ["string", "null"], "maxLength": max, "description": description})
}

fn summary_properties() -> Value {
    json!({
        "campaign": closed(json!({
            "id": string(), "kind": {"type": "string", "enum": ["achievement", "demand"]}, "title": string(),
            "description": string(), "technical_fields": {"type": "array", "items": string()}, "deadline": string(),
            "status": {"type": "string", "enum": ["open", "closed"]}, "created_at": string(),
            "entered": integer(), "approved": integer(), "targets": integer()})),
        "kind_label": string(), "noun": string(), "fields": {"type": "array", "items": string()},
        "accepting": boolean(), "status_label": string(), "days_left": nullable("integer"), "open_to_all": boolean(),
    })
}

/// The schemas of campaigns.
pub fn all() -> Value {
    let summary = closed(summary_properties());
    let mut whole = summary_properties();
    whole["targets"] = json!({"type": "array", "items": closed(json!({"id": string(), "name": string()}))});
    whole["entries"] = json!({"type": "array", "items": closed(json!({"kind": string(), "id": string(), "title": string(), "organisation_name": string()}))});
    let row = closed(json!({
        "organisation_id": string(), "organisation_name": string(), "target": boolean(), "entered": integer(),
        "imported": integer(), "in_review": integer(), "approved": integer(), "returned": integer(), "other": integer(),
        "last_entered_at": nullable("string")}));
    let totals = closed(json!({
        "organisations": integer(), "targets": integer(), "silent_targets": integer(), "entered": integer(),
        "imported": integer(), "in_review": integer(), "approved": integer(), "returned": integer(), "other": integer()}));
    let saved = closed(json!({
        "id": string(), "user_id": string(), "name": string(),
        "params": {"type": "object", "additionalProperties": {"type": "string"}}, "notify_inbox": boolean(),
        "notify_digest": boolean(), "notify_webhook": boolean(), "created_at": string(), "checked_at": string(),
        "digest_on": nullable("string"), "found": integer()}));
    let kept: serde_json::Map<String, Value> =
        ["q", "kind", "field", "industry", "stage", "mode", "pricing", "region", "status", "trl", "min", "max"]
            .iter()
            .map(|k| (k.to_string(), json!({"type": "string", "maxLength": 200})))
            .collect();
    json!({
        "SavedSearch": saved,
        "SavedSearchList": closed(json!({"items": array_of("SavedSearch")})),
        "SavedSearchInput": {"type": "object", "additionalProperties": false, "properties": {
            "name": text(50, "订阅名称；不填用关键词"),
            "params": {"type": "object", "additionalProperties": false, "properties": kept, "description": "搜索页的参数"},
            "notify_inbox": {"type": ["boolean", "null"], "description": "站内消息即时提醒（默认 true）"},
            "notify_digest": {"type": ["boolean", "null"], "description": "每日摘要（北京时间 8 点后）"},
            "notify_webhook": {"type": ["boolean", "null"], "description": "推送到本单位 Webhook（事件 search.matched）"},
        }},
        "CampaignSummary": summary,
        "CampaignList": closed(json!({"items": array_of("CampaignSummary")})),
        "Campaign": closed(whole),
        "CampaignEntered": closed(json!({"added": integer(), "campaign": {"$ref": "#/components/schemas/Campaign"}})),
        "CampaignProgress": closed(json!({"totals": totals, "rows": {"type": "array", "items": row}})),
        "CampaignInput": {"type": "object", "additionalProperties": false, "required": ["title", "deadline"], "properties": {
            "kind": {"type": ["string", "null"], "enum": ["achievement", "demand", null], "description": "征集内容，默认 achievement"},
            "title": {"type": ["string", "null"], "minLength": 4, "maxLength": 100, "description": "征集主题"},
            "description": text(5000, "征集说明"),
            "technical_fields": {"type": "array", "items": {"type": "string"}, "description": "技术领域代码；不填为不限"},
            "deadline": {"type": ["string", "null"], "format": "date", "description": "截止日期（北京时间，当天可报送）"},
            "target_organisation_ids": {"type": "array", "maxItems": 500, "items": {"type": "string"}, "description": "目标单位；不填为所有高校院所和企业"},
        }},
        "CampaignEntries": {"type": "object", "additionalProperties": false, "required": ["listing_ids"], "properties": {
            "listing_ids": {"type": "array", "minItems": 1, "maxItems": 500, "items": {"type": "string"}},
            "organisation_id": text(100, "管理员代为报送的单位"),
        }},
    })
}
