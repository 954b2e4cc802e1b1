//! The open data in the document: one operation per dataset (no sign-in), and each dataset's
//! record schema derived from its field table (closed, so the suite holds every real record to
//! exactly the documented fields).

use serde_json::{Value, json};

use super::schema_parts::{array_of, closed, string};
use super::{Operation, op};
use crate::domain::open_data::{Dataset, Field};

const SYNC: &[&str] = &["updated_since", "after", "limit", "field"];

/// The open-data operations of `/api/v1`.
pub const OPEN_OPERATIONS: &[Operation] = &[
    op(
        "get",
        "/open/achievements",
        "开放数据",
        "公开：科技成果，按修改时间分页；带 updated_since 时含删除",
        None,
        "OpenAchievements",
        false,
        SYNC,
    ),
    op(
        "get",
        "/open/demands",
        "开放数据",
        "公开：技术需求，按修改时间分页；带 updated_since 时含删除",
        None,
        "OpenDemands",
        false,
        SYNC,
    ),
    op(
        "get",
        "/open/challenges",
        "开放数据",
        "公开：揭榜挂帅榜单，按修改时间分页；带 updated_since 时含删除",
        None,
        "OpenChallenges",
        false,
        SYNC,
    ),
    op(
        "get",
        "/open/salons",
        "开放数据",
        "公开：对接沙龙与路演，按修改时间分页",
        None,
        "OpenSalons",
        false,
        &["updated_since", "after", "limit"],
    ),
    op(
        "get",
        "/open/contracts",
        "开放数据",
        "公开：已登记技术合同按月份和分组的统计",
        None,
        "OpenContracts",
        false,
        &["year"],
    ),
    op(
        "get",
        "/open/manifest",
        "开放数据",
        "公开：批量文件清单（记录数、字节数、SHA-256、生成时间）",
        None,
        "OpenManifest",
        false,
        &[],
    ),
];

fn field_schema(field: &Field) -> Value {
    let mut schema = match field.format {
        "integer" => json!({"type": "integer"}),
        "boolean" => json!({"type": "boolean"}),
        "array" => json!({"type": "array", "items": {"type": "string"}}),
        "object" => json!({"type": "array", "items": closed(json!({"name": string(), "target": string()}))}),
        _ => json!({"type": "string"}),
    };
    if field.nullable {
        schema["type"] = json!([schema["type"].clone(), "null"]);
    }
    schema["description"] = json!(field.description);
    schema
}

fn record(dataset: Dataset) -> Value {
    let properties: serde_json::Map<String, Value> =
        dataset.fields().iter().map(|f| (f.name.to_string(), field_schema(f))).collect();
    let mut schema = closed(Value::Object(properties));
    schema["required"] = json!(dataset.fields().iter().map(|f| f.name).collect::<Vec<_>>());
    schema
}

fn page(record: &str) -> Value {
    closed(json!({
        "dataset": string(),
        "licence": {"type": "string", "description": "许可协议（SPDX）"},
        "items": array_of(record),
        "deleted": {"type": "array", "description": "带 updated_since 时：此后离开公开范围的记录（撤回、关闭、过期、重新送审），镜像应删除",
            "items": closed(json!({"id": string(), "modified_at": string()}))},
        "next_cursor": {"type": ["string", "null"], "description": "下一页作为 after 传回；null 表示没有了"},
    }))
}

/// The schemas of the open data.
pub fn all() -> Value {
    let file = closed(json!({
        "dataset": string(), "format": {"type": "string", "enum": ["csv", "jsonl.gz"]}, "name": string(), "url": string(),
        "records": {"type": "integer"}, "bytes": {"type": "integer"}, "sha256": string(),
    }));
    json!({
        "OpenAchievement": record(Dataset::Achievements),
        "OpenDemand": record(Dataset::Demands),
        "OpenChallenge": record(Dataset::Challenges),
        "OpenSalon": record(Dataset::Salons),
        "OpenContractStat": record(Dataset::Contracts),
        "OpenAchievements": page("OpenAchievement"),
        "OpenDemands": page("OpenDemand"),
        "OpenChallenges": page("OpenChallenge"),
        "OpenSalons": page("OpenSalon"),
        "OpenContracts": page("OpenContractStat"),
        "OpenManifest": closed(json!({"generated_at": string(), "licence": string(), "files": {"type": "array", "items": file}})),
    })
}
