//! The hash of one audit row: SHA-256 over the previous hash and a canonical JSON of the row.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The parent of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields a hash covers, in a fixed order (serde serialises struct fields in order).
#[derive(Serialize)]
struct Canonical<'a> {
    id: &'a str,
    occurred_at: &'a str,
    actor_user_id: Option<&'a str>,
    actor_ip: Option<&'a str>,
    action: &'a str,
    subject_type: &'a str,
    subject_id: &'a str,
    details: &'a str,
}

/// Hex SHA-256 of `prev_hash` and the row's canonical form.
#[expect(clippy::too_many_arguments, reason = "one argument per hashed column keeps call sites explicit")]
pub fn event_hash(
    prev_hash: &str,
    id: &str,
    occurred_at: &str,
    actor_user_id: Option<&str>,
    actor_ip: Option<&str>,
    action: &str,
    subject_type: &str,
    subject_id: &str,
    details: &str,
) -> String {
    let canonical = Canonical { id, occurred_at, actor_user_id, actor_ip, action, subject_type, subject_id, details };
    // Serialising a struct of strings cannot fail; an empty fallback would still change the hash.
    let body = serde_json::to_string(&canonical).unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(body.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_field_change_changes_the_hash() {
        let base = event_hash(GENESIS_HASH, "a", "t", Some("u"), None, "act", "s", "1", "{}");
        assert_eq!(base.len(), 64);
        assert_eq!(base, event_hash(GENESIS_HASH, "a", "t", Some("u"), None, "act", "s", "1", "{}"));
        let variants = [
            event_hash("1", "a", "t", Some("u"), None, "act", "s", "1", "{}"),
            event_hash(GENESIS_HASH, "b", "t", Some("u"), None, "act", "s", "1", "{}"),
            event_hash(GENESIS_HASH, "a", "t", None, None, "act", "s", "1", "{}"),
            event_hash(GENESIS_HASH, "a", "t", Some("u"), Some("ip"), "act", "s", "1", "{}"),
            event_hash(GENESIS_HASH, "a", "t", Some("u"), None, "act", "s", "1", "{\"x\":1}"),
            // Moving text between fields must not collide.
            event_hash(GENESIS_HASH, "a", "t", Some("u"), None, "ac", "ts", "1", "{}"),
        ];
        for variant in variants {
            assert_ne!(base, variant);
        }
    }
}
