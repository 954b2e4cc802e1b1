//! What every stored listing carries besides its content: who owns it, where it stands in its
//! lifecycle, its counters and times. Read once by the core, shown once by the core.

use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::status::ListingStatus;
use crate::domain::time::{chinese_date, chinese_datetime, parse_stored};

/// The columns behind [`Meta`], in `SELECT` order (`{alias}.` is prefixed).
const COLUMNS: [&str; 12] = [
    "id",
    "organisation_id",
    "created_by",
    "status",
    "review_note",
    "views",
    "contact_requests",
    "is_demo",
    "created_at",
    "updated_at",
    "published_at",
    "version",
];

/// A stored listing's ownership, lifecycle position, counters and times.
#[derive(Debug, Clone, Serialize)]
pub struct Meta<S> {
    pub id: String,
    pub organisation_id: String,
    /// Joined from `organisations`.
    pub organisation_name: String,
    pub created_by: String,
    pub status: S,
    pub review_note: String,
    pub views: i64,
    pub contact_requests: i64,
    pub is_demo: bool,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
    /// Bumped by every change (optimistic locking).
    pub version: i64,
}

/// The columns a kind's rows are read with: the meta columns, then its content columns, then
/// the organisation's name (from [`from`]).
pub fn columns(alias: &str, content: &[&str]) -> String {
    let columns: Vec<String> = COLUMNS.iter().chain(content).map(|c| format!("{alias}.{c}")).collect();
    format!("{}, o.name AS organisation_name", columns.join(", "))
}

/// `FROM <table> <alias> JOIN organisations o`: where a kind's rows are read from.
pub fn from(table: &str, alias: &str) -> String {
    format!("FROM {table} {alias} JOIN organisations o ON o.id = {alias}.organisation_id")
}

impl<S: ListingStatus> Meta<S> {
    pub fn from_row(row: &AnyRow) -> Result<Meta<S>, sqlx::Error> {
        let status: String = row.try_get("status")?;
        Ok(Meta {
            id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            organisation_name: row.try_get("organisation_name")?,
            created_by: row.try_get("created_by")?,
            status: S::from_code(&status).ok_or_else(|| sqlx::Error::Decode(format!("status {status:?}").into()))?,
            review_note: row.try_get("review_note")?,
            views: row.try_get("views")?,
            contact_requests: row.try_get("contact_requests")?,
            is_demo: row.try_get::<i64, _>("is_demo")? == 1,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            published_at: row.try_get("published_at")?,
            version: row.try_get("version")?,
        })
    }

    /// The API cursor's time: published, else created.
    pub fn listed_at(&self) -> &str {
        self.published_at.as_deref().unwrap_or(&self.created_at)
    }

    /// How every kind shows these fields (pages and API); `public` is whether the public sees
    /// the listing now.
    pub fn view(&self, public: bool) -> MetaView<'_> {
        MetaView {
            id: &self.id,
            organisation_id: &self.organisation_id,
            organisation_name: &self.organisation_name,
            status: self.status.code(),
            status_label: self.status.label(),
            is_public: public,
            review_note: &self.review_note,
            views: self.views,
            contact_requests: self.contact_requests,
            is_demo: self.is_demo,
            published_at: self.published_at.as_deref(),
            published_date: self.published_at.as_deref().and_then(parse_stored).map(chinese_date),
            updated_text: parse_stored(&self.updated_at).map(chinese_datetime),
            version: self.version,
        }
    }
}

/// [`Meta`] as every listing response shows it (flattened into the kind's view).
#[derive(Debug, Serialize)]
pub struct MetaView<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub organisation_name: &'a str,
    pub status: &'static str,
    pub status_label: &'static str,
    /// Whether the public sees the listing now.
    pub is_public: bool,
    pub review_note: &'a str,
    pub views: i64,
    pub contact_requests: i64,
    pub is_demo: bool,
    pub published_at: Option<&'a str>,
    pub published_date: Option<String>,
    pub updated_text: Option<String>,
    pub version: i64,
}

/// Who to talk to about a listing: shown to approved, signed-in people only.
#[derive(Debug, Serialize)]
pub struct ContactView<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    pub email: Option<&'a str>,
}

impl<'a> ContactView<'a> {
    /// The block when `shown`, else nothing (the field is left out).
    pub fn when(shown: bool, name: &'a str, phone: &'a str, email: Option<&'a str>) -> Option<ContactView<'a>> {
        shown.then_some(ContactView { name, phone, email })
    }
}
