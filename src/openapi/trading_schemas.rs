//! The schemas of the pricing routes: 协议定价公示, 挂牌交易, 网络竞价 and 资产评估 — bodies a client
//! sends and what the API returns (closed: the suite holds every real response against them).

use serde_json::{Value, json};

use super::schema_parts::{array_of, boolean, closed, integer, list_of, merged, nullable, string};

fn input(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "additionalProperties": false, "required": required, "properties": properties})
}

fn text(max: usize, description: &str) -> Value {
    json!({"type": ["string", "null"], "maxLength": max, "description": description})
}

fn flags(names: &[&str]) -> Value {
    let properties: serde_json::Map<String, Value> = names.iter().map(|n| (n.to_string(), boolean())).collect();
    closed(Value::Object(properties))
}

fn notices() -> Value {
    let modes = [
        "transfer",
        "license_exclusive",
        "license_sole",
        "license_general",
        "equity",
        "co_development",
        "service",
        "consulting",
    ];
    let mut modes_or_null: Vec<Value> = modes.iter().map(|m| json!(m)).collect();
    modes_or_null.push(Value::Null);
    json!({
        "Notice": closed(json!({
            "id": string(), "series_id": string(), "version_no": integer(), "achievement_id": string(),
            "organisation_id": string(), "organisation_name": string(), "title": string(), "team": string(),
            "transferee": string(), "transferee_organisation_id": nullable("string"),
            "transfer_mode": {"type": "string", "enum": modes}, "transfer_mode_label": string(),
            "price_fen": integer(), "price_text": string(), "starts_on": string(), "ends_on": string(),
            "period_label": string(), "days_left": integer(), "contact": string(), "statement": string(),
            "correction_note": string(), "published_at": string(), "published_label": string(),
            "status": {"type": "string", "enum": ["open", "closed_clear", "closed_resolved", "withdrawn", "superseded"]},
            "status_label": string(), "closed_at": nullable("string"), "close_note": string(),
            "objections": integer(), "unanswered": integer(), "is_demo": boolean()})),
        "NoticeBoard": closed(json!({"items": array_of("Notice"), "total": integer(), "page": integer(), "per_page": integer()})),
        "NoticeDetail": closed(json!({
            "notice": {"$ref": "#/components/schemas/Notice"},
            "versions": {"type": "array", "items": closed(json!({"id": string(), "version_no": integer(), "current": boolean(),
                "price_text": string(), "published_label": string(), "correction_note": string()}))},
            "objections": {"type": "array", "items": closed(json!({"id": string(), "number": integer(),
                "filer": {"type": ["string", "null"], "description": "提出人，仅公示单位和管理员可见"},
                "reasons": string(), "filed_label": string(), "answer": nullable("string"), "answered_label": nullable("string")}))},
            "may": flags(&["object", "manage", "answer", "close", "withdraw", "correct", "draft_contract"])})),
        "NoticeInput": input(&["transferee", "transfer_mode", "price", "contact"], json!({
            "achievement_id": text(100, "本单位已公开的科技成果（更正版本时不用填）"),
            "team": text(500, "成果完成人；留空用成果登记的完成团队"),
            "transferee": text(200, "拟受让方名称"),
            "transferee_organisation_id": text(100, "受让方在平台的单位（用于起草合同）"),
            "transfer_mode": {"type": ["string", "null"], "enum": modes_or_null},
            "price": text(40, "拟交易价格，万元（可带“元”）"),
            "days": {"type": ["integer", "null"], "minimum": 1, "maximum": 60, "description": "公示自然日，含发布当日；默认 15，不少于 5 个工作日"},
            "contact": text(200, "异议受理联系方式"),
            "statement": text(2000, "公示说明"),
            "correction_note": text(500, "更正说明（更正版本必填）")})),
        "ObjectionInput": input(&["reasons"], json!({"reasons": {"type": ["string", "null"], "minLength": 10, "maxLength": 4000}})),
        "AnswerInput": input(&["answer"], json!({"answer": {"type": ["string", "null"], "minLength": 4, "maxLength": 4000}})),
        "NoteInput": input(&[], json!({"note": text(1000, "说明")})),
    })
}

fn offerings() -> Value {
    let intent = closed(
        json!({"organisation_id": string(), "name": string(), "statement": string(), "registered_label": string()}),
    );
    json!({
        "Offering": closed(json!({
            "id": string(), "achievement_id": string(), "title": string(), "organisation_id": string(), "seller_name": string(),
            "price_fen": integer(), "price_text": string(), "increment_text": string(), "conditions": string(),
            "starts_at": string(), "ends_at": string(), "period_label": string(),
            "status": {"type": "string", "enum": ["open", "agreed", "bidding", "unsold", "withdrawn"]}, "status_label": string(),
            "taking_intents": boolean(), "intents": integer(), "auction_id": nullable("string"),
            "buyer_organisation_id": nullable("string"), "buyer_name": nullable("string"), "is_demo": boolean()})),
        "OfferingList": list_of("Offering"),
        "OfferingDetail": closed(json!({
            "offering": {"$ref": "#/components/schemas/Offering"},
            "intents": {"type": ["array", "null"], "description": "意向受让方，仅转让方和管理员可见", "items": intent.clone()},
            "registered": boolean(), "may": flags(&["intent", "withdraw", "draft_contract"])})),
        "IntentList": closed(json!({"items": {"type": "array", "items": intent}})),
        "OfferingInput": input(&["achievement_id", "price", "increment", "ends_at"], json!({
            "achievement_id": text(100, "本单位已公开的科技成果"),
            "price": text(40, "挂牌价，万元"), "increment": text(40, "转入竞价时的加价幅度，万元"),
            "conditions": text(2000, "受让方资格条件"),
            "ends_at": text(40, "挂牌截止时间，北京时间 2026-12-31T17:00 或带时区的 RFC 3339；至少 1 天")})),
        "IntentInput": input(&[], json!({"statement": text(2000, "意向说明")})),
    })
}

fn auctions() -> Value {
    let event = closed(json!({
        "kind": {"type": "string", "enum": ["bid", "closed"]}, "auction_id": string(), "seq": integer(), "bidder": string(),
        "amount_fen": integer(), "price_text": string(), "bid_count": integer(), "ends_at": string(), "extended": boolean(),
        "placed_at": string(), "status": string(), "status_label": string()}));
    json!({
        "Auction": closed(json!({
            "id": string(), "achievement_id": string(), "offering_id": nullable("string"), "title": string(),
            "seller_organisation_id": string(), "seller_name": string(), "agency_name": nullable("string"), "rules": string(),
            "opening_price_fen": integer(), "opening_text": string(), "increment_fen": integer(), "increment_text": string(),
            "has_reserve": boolean(), "reserve_text": {"type": ["string", "null"], "description": "保留价，仅组织方和转让方可见"},
            "starts_at": string(), "ends_at": string(), "scheduled_end_at": string(), "when_label": string(),
            "extend_minutes": integer(), "current_price_fen": nullable("integer"), "current_text": nullable("string"),
            "next_minimum_wan": string(), "next_minimum_text": string(), "bid_count": integer(),
            "phase": {"type": "string", "enum": ["coming", "running", "ended", "sold", "unsold", "cancelled"]},
            "status": {"type": "string", "enum": ["open", "sold", "unsold", "cancelled"]}, "status_label": string(),
            "winner_organisation_id": nullable("string"), "winner_name": nullable("string"), "is_demo": boolean()})),
        "AuctionList": list_of("Auction"),
        "Bid": closed(json!({"seq": integer(), "bidder": {"type": "string", "description": "竞买人 N"}, "mine": boolean(),
            "amount_fen": integer(), "amount_text": string(), "placed_at": string(), "placed_label": string(), "ends_at": string()})),
        "BidList": closed(json!({"items": array_of("Bid"), "bid_count": integer()})),
        "AuctionDetail": closed(json!({
            "auction": {"$ref": "#/components/schemas/Auction"}, "bids": array_of("Bid"),
            "bidders": {"type": ["array", "null"], "description": "竞买人名单，仅组织方可见", "items": closed(json!({
                "organisation_id": string(), "name": string(), "number": integer(), "approved_at": string(), "note": string()}))},
            "mine": {"type": ["object", "null"], "additionalProperties": false, "description": "本单位的竞买人编号",
                "properties": {"number": integer(), "label": string(), "leading": boolean()}},
            "may": flags(&["bid", "organise", "cancel", "draft_contract"])})),
        "BidAccepted": closed(json!({"bid": event, "seq": integer(), "extended": boolean()})),
        "AuctionInput": input(&["achievement_id", "opening_price", "increment", "starts_at", "ends_at"], json!({
            "achievement_id": text(100, "已公开的科技成果"),
            "rules": text(4000, "竞价须知"),
            "opening_price": text(40, "起拍价，万元"), "increment": text(40, "加价幅度，万元"),
            "reserve_price": text(40, "保留价，万元（不公开，可不设）"),
            "starts_at": text(40, "北京时间 2026-12-18T09:30 或带时区的 RFC 3339"), "ends_at": text(40, "结束时间"),
            "extend_minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": 60, "description": "延时周期（分钟），默认 5"},
            "agency_organisation_id": text(100, "承办机构（管理员指定；经纪人为本机构）")})),
        "BidInput": input(&["amount"], json!({"amount": text(40, "出价，万元（可带“元”）")})),
        "BidderInput": input(&["organisation_id"], json!({"organisation_id": text(100, "企业"), "note": text(200, "备注")})),
    })
}

fn appraisals() -> Value {
    json!({
        "Appraisal": closed(json!({
            "id": string(), "agency": string(), "report_no": string(), "appraised_on": string(),
            "method": {"type": "string", "enum": ["income", "market", "cost", "other"]}, "method_label": string(),
            "value_fen": integer(), "value_text": string(), "valid_until": string(), "valid": boolean()})),
        "AppraisalList": list_of("Appraisal"),
        "AppraisalInput": input(&["agency", "report_no", "appraised_on", "method", "value", "valid_until"], json!({
            "agency": text(100, "评估机构"), "report_no": text(60, "评估报告编号"),
            "appraised_on": text(10, "评估基准日 YYYY-MM-DD"),
            "method": {"type": ["string", "null"], "enum": ["income", "market", "cost", "other", null]},
            "value": text(40, "评估值，万元"), "valid_until": text(10, "有效期至 YYYY-MM-DD")})),
    })
}

/// The trading schemas, merged into `components.schemas`.
pub fn all() -> Value {
    merged([notices(), offerings(), auctions(), appraisals()])
}
