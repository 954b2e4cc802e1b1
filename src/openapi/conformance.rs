//! Holds a real response against the document: every field a response carries must be declared
//! in its schema (an object without `additionalProperties` is closed), with the declared type;
//! required fields must be there. The test suite runs every `/api/v1` response through this, so a
//! field added to a response cannot be missing from the document.

use serde_json::Value;

use super::operations_at;

/// What is wrong with `body`, the answer `status` to `method path` (a concrete `/api/v1` path
/// without the prefix); empty when it conforms or the path is not documented.
pub fn violations(document: &Value, method: &str, path: &str, status: u16, body: &Value) -> Vec<String> {
    let method = method.to_ascii_lowercase();
    let Some(operation) = operations_at(path).into_iter().find(|o| o.method == method) else {
        return Vec::new();
    };
    let responses = &document["paths"][operation.path][method.as_str()]["responses"];
    let declared = responses.get(status.to_string()).or_else(|| responses.get("default"));
    let Some(schema) = declared.map(|r| &r["content"]["application/json"]["schema"]) else {
        return vec![format!("{method} {path}: status {status} is not documented")];
    };
    if schema.is_null() {
        return vec![format!("{method} {path}: status {status} is documented without a body")];
    }
    let mut found = Vec::new();
    check(document, schema, body, "$", &mut found);
    found.into_iter().map(|v| format!("{} {path} ({status}): {v}", method.to_ascii_uppercase())).collect()
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/")) {
        Some(pointer) => resolve(document, document.pointer(&format!("/{pointer}")).unwrap_or(&Value::Null)),
        None => schema,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_allows(declared: &Value, actual: &str) -> bool {
    let allows = |name: &str| name == actual || (name == "number" && actual == "integer");
    match declared {
        Value::String(name) => allows(name),
        Value::Array(names) => names.iter().filter_map(Value::as_str).any(allows),
        _ => true,
    }
}

fn check(document: &Value, schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
    let schema = resolve(document, schema);
    for alternatives in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(alternatives).and_then(Value::as_array) {
            let fits = options.iter().any(|option| {
                let mut inner = Vec::new();
                check(document, option, value, at, &mut inner);
                inner.is_empty()
            });
            if !fits {
                found.push(format!("{at} matches none of the {alternatives} schemas"));
            }
            return;
        }
    }
    if let Some(declared) = schema.get("type")
        && !type_allows(declared, type_name(value))
    {
        found.push(format!("{at} is {} where the document says {declared}", type_name(value)));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        found.push(format!("{at} = {value} is not one of the documented values"));
    }
    match value {
        Value::Object(fields) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties");
            for (name, field) in fields {
                let path = format!("{at}.{name}");
                match (properties.and_then(|p| p.get(name)), extra) {
                    (Some(declared), _) => check(document, declared, field, &path, found),
                    (None, Some(Value::Bool(true))) => {}
                    (None, Some(extra)) if extra.is_object() => check(document, extra, field, &path, found),
                    // A schema that declares no properties at all is a free-form object.
                    (None, _) if properties.is_none() => {}
                    (None, _) => found.push(format!("{path} is not in the document")),
                }
            }
            for name in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                if !fields.contains_key(name) {
                    found.push(format!("{at}.{name} is required by the document but missing"));
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, element) in items.iter().enumerate() {
                    check(document, item, element, &format!("{at}[{i}]"), found);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn undeclared_fields_and_wrong_types_are_found() {
        let document = json!({
            "paths": {"/health": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}}}},
            "components": {"schemas": {"Health": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}, "n": {"type": ["integer", "null"]}}}}},
        });
        assert!(violations(&document, "GET", "/health", 200, &json!({"status": "ok", "n": null})).is_empty());
        let extra = violations(&document, "GET", "/health", 200, &json!({"status": "ok", "surprise": 1}));
        assert_eq!(extra.len(), 1, "{extra:?}");
        assert!(extra[0].contains("$.surprise is not in the document"), "{extra:?}");
        let typed = violations(&document, "GET", "/health", 200, &json!({"status": 3}));
        assert!(typed[0].contains("$.status is integer"), "{typed:?}");
        let missing = violations(&document, "GET", "/health", 200, &json!({}));
        assert!(missing[0].contains("$.status is required"), "{missing:?}");
    }
}
