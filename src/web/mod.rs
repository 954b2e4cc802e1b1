//! The web shell shared by every page: templates, the page context, static assets, security
//! headers, error catchers and responses, typed request bodies, and the request state the gate
//! fills in.

pub mod assets;
pub mod calendar_file;
pub mod catchers;
pub mod download;
pub mod error_response;
pub mod headers;
pub mod idempotency;
pub mod input;
pub mod page;
pub mod pager;
pub mod params;
pub mod request_id;
pub mod request_state;
pub mod templates;

pub use page::{Notice, Page, Site};
pub use templates::Templates;

/// Percent-encodes a value for a query string (unreserved characters and `/` stay as they are).
pub fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// `{code, label, selected}` for each value of a vocabulary: the options of a select or a group
/// of checkboxes, with the chosen codes marked.
pub fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: &[String],
) -> serde_json::Value {
    serde_json::Value::Array(
        all.iter()
            .map(|v| serde_json::json!({"code": code(*v), "label": label(*v), "selected": selected.iter().any(|s| s == code(*v))}))
            .collect(),
    )
}
