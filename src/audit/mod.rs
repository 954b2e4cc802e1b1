//! The append-only audit log: who did what, when and from where, chained by SHA-256.
//!
//! Every state change that matters writes one event in the same transaction as the change.
//! Each row's hash covers its content and the previous row's hash, so editing or removing a row
//! outside the app breaks the chain at that point; `techmarket audit verify` finds it. The
//! database refuses UPDATE and DELETE on the table (triggers on both backends).

mod chain;
mod store;

pub use chain::{GENESIS_HASH, event_hash};
pub use store::{AuditEvent, BrokenLink, VerifyReport, append, append_many, recent_for_subject, verify};

/// What happened, by whom, to what. `details` is free-form JSON kept verbatim.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub actor_user_id: Option<String>,
    pub actor_ip: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub details: serde_json::Value,
}

impl NewAuditEvent {
    /// An event by a person (or an address before anyone signed in).
    pub fn by(
        user_id: Option<&str>,
        ip: Option<&str>,
        action: &str,
        subject_type: &str,
        subject_id: &str,
        details: serde_json::Value,
    ) -> Self {
        NewAuditEvent {
            actor_user_id: user_id.map(str::to_string),
            actor_ip: ip.map(str::to_string),
            action: action.to_string(),
            subject_type: subject_type.to_string(),
            subject_id: subject_id.to_string(),
            details,
        }
    }

    /// An event by the system itself (migrations, CLI), with no user or address.
    pub fn system(action: &str, subject_type: &str, subject_id: &str, details: serde_json::Value) -> Self {
        Self::by(None, None, action, subject_type, subject_id, details)
    }
}
