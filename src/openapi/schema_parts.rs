//! The small pieces every schema table is written with: plain types, nullable ones, closed
//! objects, arrays of a named schema, and the merge of several tables into one map.

use serde_json::{Value, json};

pub fn string() -> Value {
    json!({"type": "string"})
}

pub fn nullable(kind: &str) -> Value {
    json!({"type": [kind, "null"]})
}

pub fn boolean() -> Value {
    json!({"type": "boolean"})
}

pub fn integer() -> Value {
    json!({"type": "integer"})
}

/// An object with exactly these properties (no others).
pub fn closed(properties: Value) -> Value {
    json!({"type": "object", "additionalProperties": false, "properties": properties})
}

/// An array of the named component schema.
pub fn array_of(schema: &str) -> Value {
    json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{schema}")}})
}

/// `{"items": [schema]}`, the shape of every plain list the API returns.
pub fn list_of(schema: &str) -> Value {
    closed(json!({"items": array_of(schema)}))
}

/// Several tables of named schemas as one map.
pub fn merged(parts: impl IntoIterator<Item = Value>) -> Value {
    let mut all = serde_json::Map::new();
    for part in parts {
        if let Value::Object(map) = part {
            all.extend(map);
        }
    }
    Value::Object(all)
}
