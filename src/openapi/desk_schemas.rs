//! The schemas of the broker's desk: 联席预谈判 meetings, 成果对接沙龙 salons, the inbox and
//! webhooks — bodies a client sends and what the API returns (closed: the suite holds every real
//! response against them).

use serde_json::{Value, json};

use super::schema_parts::{boolean, closed, integer, list_of, merged, nullable, string};

const SIDES: [&str; 5] = ["buyer", "seller", "bureau", "broker", "other"];

fn meetings() -> Value {
    json!({
        "Meeting": closed(json!({
            "id": string(), "deal_id": string(), "title": string(),
            "starts_at": {"type": "string", "description": "UTC，RFC 3339"}, "ends_at": string(),
            "when_label": {"type": "string", "description": "北京时间"}, "starts_input": string(),
            "place": string(), "online_url": string(), "agenda": string(),
            "nda_signed": boolean(), "nda_signed_on": nullable("string"),
            "minutes": string(), "outcome": string(),
            "status": {"type": "string", "enum": ["scheduled", "held", "cancelled"]}, "status_label": string(),
            "participants": {"type": "array", "items": closed(json!({
                "side": {"type": "string", "enum": SIDES}, "side_label": string(), "name": string(),
                "organisation": string(), "has_account": boolean()}))},
            "steps": {"type": "array", "items": closed(json!({"task": string(), "owner": string(), "due_on": nullable("string")}))},
            "version": integer(), "updated_label": string()})),
        "MeetingList": list_of("Meeting"),
        "MeetingInput": {"type": "object", "additionalProperties": false, "required": ["starts_at", "ends_at"], "properties": {
            "title": {"type": ["string", "null"], "maxLength": 100, "description": "不填为“联席预谈判”"},
            "starts_at": {"type": ["string", "null"], "description": "北京时间 2026-12-10T09:30，或带时区的 RFC 3339"},
            "ends_at": {"type": ["string", "null"]},
            "place": {"type": ["string", "null"], "maxLength": 200},
            "online_url": {"type": ["string", "null"], "maxLength": 500},
            "agenda": {"type": ["string", "null"], "maxLength": 4000},
            "participant_ids": {"type": "array", "maxItems": 40, "items": string(), "description": "受邀账号：双方单位成员、经纪机构、科技局"},
            "guests": {"type": "array", "maxItems": 20, "items": {"type": "object", "additionalProperties": false, "properties": {
                "name": nullable("string"), "organisation": nullable("string"),
                "side": {"type": ["string", "null"], "enum": ["buyer", "seller", "bureau", "broker", "other", null]}}}},
            "nda_signed": nullable("boolean"), "nda_signed_on": {"type": ["string", "null"], "description": "YYYY-MM-DD"}}},
        "MeetingRecord": {"type": "object", "additionalProperties": false, "required": ["outcome"], "properties": {
            "minutes": {"type": ["string", "null"], "maxLength": 20000},
            "outcome": {"type": ["string", "null"], "maxLength": 2000},
            "nda_signed": nullable("boolean"), "nda_signed_on": nullable("string"),
            "steps": {"type": "array", "maxItems": 20, "items": {"type": "object", "additionalProperties": false, "properties": {
                "task": nullable("string"), "owner": nullable("string"), "due_on": nullable("string")}}},
            "version": nullable("integer")}},
    })
}

fn salons() -> Value {
    let results = closed(json!({
        "signed_up": integer(), "attended": integer(), "deals": integer(), "agreed": integer(),
        "contracts": integer(), "contract_fen": integer(), "contract_text": string()}));
    let attendee = closed(json!({
        "user_id": string(), "name": string(), "organisation": nullable("string"),
        "status": {"type": "string", "enum": ["confirmed", "waiting"]}, "status_label": string(),
        "signed_up_at": string(), "signed_up_label": string(), "checked_in": boolean(), "checked_in_label": nullable("string")}));
    json!({
        "Salon": closed(json!({
            "id": string(), "kind": {"type": "string", "enum": ["salon", "roadshow"]}, "kind_label": string(),
            "theme": string(), "description": string(), "starts_at": string(), "ends_at": string(), "when_label": string(),
            "venue": string(), "online_url": string(), "capacity": integer(), "confirmed": integer(), "waiting": integer(),
            "seats_left": integer(), "agency_organisation_id": nullable("string"), "agency_name": nullable("string"),
            "status": {"type": "string", "enum": ["scheduled", "cancelled"]}, "status_label": string(),
            "featured": {"type": "array", "items": closed(json!({
                "kind": {"type": "string", "enum": ["achievement", "demand"]}, "id": string(), "title": string()}))}})),
        "SalonList": list_of("Salon"),
        "SalonDetail": closed(json!({
            "salon": {"$ref": "#/components/schemas/Salon"}, "past": boolean(), "organises": boolean(),
            "mine": {"type": ["object", "null"], "additionalProperties": false, "description": "本人的报名：confirmed 或 waiting（place 为候补位次）",
                "properties": {"status": {"type": "string", "enum": ["confirmed", "waiting"]}, "label": string(),
                    "place": integer(), "checked_in": boolean()}},
            "results": {"type": ["object", "null"], "additionalProperties": false, "description": "活动结束后公开的汇总成果",
                "properties": results["properties"].clone()},
            "attendees": {"type": ["array", "null"], "description": "报名名单，仅组织方可见", "items": attendee}})),
        "SalonInput": {"type": "object", "additionalProperties": false, "required": ["theme", "starts_at", "ends_at", "capacity"], "properties": {
            "kind": {"type": ["string", "null"], "enum": ["salon", "roadshow", null]},
            "theme": {"type": ["string", "null"], "minLength": 4, "maxLength": 100},
            "description": {"type": ["string", "null"], "maxLength": 4000},
            "starts_at": {"type": ["string", "null"], "description": "北京时间 2026-12-18T14:00，或带时区的 RFC 3339；须晚于现在"},
            "ends_at": nullable("string"),
            "venue": {"type": ["string", "null"], "maxLength": 200},
            "online_url": {"type": ["string", "null"], "maxLength": 500},
            "capacity": {"type": ["integer", "null"], "minimum": 1, "maximum": 5000},
            "agency_organisation_id": {"type": ["string", "null"], "description": "管理员指定承办机构；经纪人举办时为本机构"},
            "achievement_ids": {"type": "array", "maxItems": 20, "items": string()},
            "demand_ids": {"type": "array", "maxItems": 20, "items": string()}}},
    })
}

fn inbox_and_webhooks() -> Value {
    let topics = [
        "lead",
        "deal_invitation",
        "deal_step",
        "meeting",
        "salon",
        "review",
        "application",
        "contract",
        "trade",
        "campaign",
        "saved_search",
    ];
    let webhook = json!({"id": string(), "organisation_id": string(), "url": string(), "active": boolean(), "created_at": string()});
    let mut created = webhook.clone();
    created["secret"] = json!({"type": "string", "description": "签名密钥，只在创建时返回这一次"});
    json!({
        "InboxMessage": closed(json!({
            "id": string(), "topic": {"type": "string", "enum": topics}, "topic_label": string(), "title": string(),
            "body": string(), "link": {"type": "string", "description": "本站页面路径"}, "created_at": string(),
            "created_label": string(), "read": boolean()})),
        "InboxList": closed(json!({
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/InboxMessage"}}, "unread": integer()})),
        "InboxReadAll": closed(json!({"marked": integer(), "unread": integer()})),
        "Webhook": closed(webhook),
        "WebhookList": list_of("Webhook"),
        "WebhookCreated": closed(created),
        "WebhookInput": {"type": "object", "additionalProperties": false, "required": ["url"], "properties": {
            "url": {"type": ["string", "null"], "maxLength": 500, "description": "http:// 或 https:// 地址，接收 POST 的 JSON"}}},
        "WebhookRemoved": closed(json!({"id": string(), "active": boolean()})),
        "WebhookQueued": {"type": "object", "additionalProperties": false, "required": ["id", "status"],
            "properties": {"id": string(), "event": string(), "status": {"type": "string", "enum": ["pending"]}}},
        "WebhookDeliveryList": closed(json!({"items": {"type": "array", "items": closed(json!({
            "id": string(), "webhook_id": string(), "event": string(),
            "status": {"type": "string", "enum": ["pending", "delivered", "failed"]}, "attempts": integer(),
            "next_attempt_at": string(), "last_status": nullable("integer"), "last_error": string(),
            "created_at": string(), "delivered_at": nullable("string")}))}})),
    })
}

/// The desk schemas, merged into `components.schemas`.
pub fn all() -> Value {
    merged([meetings(), salons(), inbox_and_webhooks()])
}
