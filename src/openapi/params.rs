//! The parameters of the API's operations: their schemas in the document, and the check the gate
//! runs on every `/api/v1` request, so that what the document says about a parameter (an integer
//! in a range, a boolean) is exactly what the server enforces — never silently ignored.

use serde_json::{Value, json};

use super::Operation;

/// Integer query parameters and their inclusive ranges.
const INTEGERS: &[(&str, i64, i64)] = &[
    ("limit", 1, 100),
    ("page", 1, 100_000),
    ("per_page", 1, 50),
    ("year", 2000, 2100),
    ("trl", 1, 9),
    ("within", 1, 3650),
];

/// Boolean query parameters (`true` or `false`).
const BOOLEANS: &[&str] = &["overdue", "import", "facets", "highlight", "unread", "past", "finished"];

/// The longest text parameter.
const MAX_TEXT: usize = 200;

/// Text that holds no control character (the gate refuses them anywhere in a URI).
pub const PLAIN_TEXT: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

/// `updated_since`: a date, or an RFC 3339 instant with its offset.
const SINCE_PATTERN: &str = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\
     ([Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$";

/// The schema of a query parameter.
pub fn query_schema(name: &str) -> Value {
    if let Some((_, min, max)) = INTEGERS.iter().find(|(n, _, _)| *n == name) {
        return json!({"type": "integer", "minimum": min, "maximum": max});
    }
    if BOOLEANS.contains(&name) {
        return json!({"type": "boolean"});
    }
    match name {
        "after" => {
            json!({"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": "^[A-Za-z0-9_-]+$", "description": "上一页返回的 next_cursor"})
        }
        // A search text of any length is taken (the engine reads its first words).
        "q" => json!({"type": "string", "pattern": PLAIN_TEXT}),
        "region" => {
            json!({"type": "string", "pattern": "^[0-9]{2,6}$", "description": "行政区划代码（省 2 位、市 4 位、县 6 位）"})
        }
        "updated_since" => json!({"type": "string", "pattern": SINCE_PATTERN,
            "description": "只要此后（含）修改的记录及删除：RFC 3339 时间，或日期（按北京时间零点）"}),
        _ => json!({"type": "string", "maxLength": MAX_TEXT, "pattern": PLAIN_TEXT}),
    }
}

/// The schema of a path parameter of `operation_path`.
pub fn path_schema(operation_path: &str, name: &str) -> Value {
    match name {
        "year" => json!({"type": "integer", "minimum": 2000, "maximum": 2100}),
        "no" => json!({"type": "integer", "minimum": 1, "maximum": 15}),
        "action" if operation_path.starts_with("/achievements") => json!({"type": "string", "enum": [
            "submit", "approve", "return", "negotiate", "reopen", "transferred", "withdraw", "redraft"]}),
        "action" if operation_path.starts_with("/demands") => json!({"type": "string", "enum": [
            "submit", "approve", "return", "talks", "reopen", "solved", "close", "redraft"]}),
        "action" if operation_path.starts_with("/deals") => json!({"type": "string", "enum": [
            "contact", "negotiate", "agree", "lose", "reopen", "accept", "decline"]}),
        "action" => {
            json!({"type": "string", "enum": ["submit", "request-correction", "register", "refuse", "dispute", "cancel"]})
        }
        "source" => json!({"type": "string", "enum": ["contact", "application"]}),
        "decision" => json!({"type": "string", "enum": ["shortlist", "select", "reject", "withdraw"]}),
        _ => json!({"type": "string", "format": "uuid"}),
    }
}

/// Checks the typed query parameters of a request for `operation`: the Chinese message for the
/// first one that is not what the document says.
pub fn check_query<'a>(operation: &Operation, pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Result<(), String> {
    for (name, value) in pairs {
        if !operation.query.contains(&name) {
            continue;
        }
        if let Some((_, min, max)) = INTEGERS.iter().find(|(n, _, _)| *n == name) {
            match value.trim().parse::<i64>() {
                Ok(n) if (*min..=*max).contains(&n) => {}
                _ => return Err(format!("参数 {name} 应为 {min} 到 {max} 之间的整数")),
            }
        } else if BOOLEANS.contains(&name) {
            if !matches!(value, "true" | "false") {
                return Err(format!("参数 {name} 应为 true 或 false"));
            }
        } else if name == "after"
            && (value.is_empty() || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            return Err("参数 after 应为上一页返回的 next_cursor".to_string());
        } else if name == "region"
            && !(value.len() >= 2 && value.len() <= 6 && value.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err("参数 region 应为 2–6 位行政区划代码".to_string());
        } else if name == "updated_since" && crate::domain::time::parse_since(value).is_none() {
            return Err(
                "参数 updated_since 应为 RFC 3339 时间（如 2026-12-01T08:00:00Z）或日期（如 2026-12-01）".to_string()
            );
        } else if name != "q" && value.chars().count() > MAX_TEXT {
            return Err(format!("参数 {name} 最长 {MAX_TEXT} 个字符"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_parameters_are_enforced_as_documented() {
        let operation = super::super::OPERATIONS.iter().find(|o| o.path == "/achievements" && o.method == "get");
        let operation = operation.expect("documented");
        assert!(check_query(operation, [("limit", "20")].into_iter()).is_ok());
        assert!(check_query(operation, [("limit", "abc")].into_iter()).is_err());
        assert!(check_query(operation, [("limit", "0")].into_iter()).is_err());
        assert!(check_query(operation, [("unknown", "x")].into_iter()).is_ok());
        assert_eq!(query_schema("year")["minimum"], 2000);
        assert_eq!(path_schema("/contracts/{id}", "id")["format"], "uuid");
        assert!(query_schema("q")["maxLength"].is_null(), "search text of any length is taken");
        assert!(check_query(operation, [("limit", "5")].into_iter()).is_ok());
    }
}
