//! A salon as pages and the API show it, and its `.ics` event.

use serde::Serialize;

use super::model::SalonKind;
use super::store::{Featured, SalonRow};
use crate::domain::ics::{self, Invite};
use crate::domain::time::{chinese_span, parse_stored};

#[derive(Debug, Clone, Serialize)]
pub struct SalonView {
    pub id: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub theme: String,
    pub description: String,
    pub starts_at: String,
    pub ends_at: String,
    pub when_label: String,
    pub venue: String,
    pub online_url: String,
    pub capacity: i64,
    pub confirmed: i64,
    pub waiting: i64,
    pub seats_left: i64,
    pub agency_organisation_id: Option<String>,
    pub agency_name: Option<String>,
    pub status: String,
    pub status_label: &'static str,
    pub featured: Vec<Featured>,
}

/// `past` when it has ended at `now`.
pub fn status_label(row: &SalonRow, past: bool) -> &'static str {
    match (row.status.as_str(), past) {
        ("cancelled", _) => "已取消",
        (_, true) => "已结束",
        _ if row.confirmed >= row.capacity => "名额已满（可候补）",
        _ => "报名中",
    }
}

pub fn view(row: SalonRow, featured: Vec<Featured>, now: &str) -> SalonView {
    let past = row.ends_at.as_str() < now;
    let when_label = match (parse_stored(&row.starts_at), parse_stored(&row.ends_at)) {
        (Some(s), Some(e)) => chinese_span(s, e),
        _ => String::new(),
    };
    SalonView {
        status_label: status_label(&row, past),
        kind_label: SalonKind::from_code(&row.kind).map(SalonKind::label).unwrap_or("活动"),
        seats_left: (row.capacity - row.confirmed).max(0),
        id: row.id,
        kind: row.kind,
        theme: row.theme,
        description: row.description,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        when_label,
        venue: row.venue,
        online_url: row.online_url,
        capacity: row.capacity,
        confirmed: row.confirmed,
        waiting: row.waiting,
        agency_organisation_id: row.agency_organisation_id,
        agency_name: row.agency_name,
        status: row.status,
        featured,
    }
}

pub fn ics(platform: &str, base_url: &str, salon: &SalonView) -> String {
    let (Some(starts), Some(ends)) = (parse_stored(&salon.starts_at), parse_stored(&salon.ends_at)) else {
        return String::new();
    };
    let mut description = format!("{}（北京时间 {}）", salon.kind_label, salon.when_label);
    if let Some(agency) = &salon.agency_name {
        description.push_str(&format!("\n承办：{agency}"));
    }
    if !salon.description.is_empty() {
        description.push_str(&format!("\n{}", salon.description));
    }
    if !salon.online_url.is_empty() {
        description.push_str(&format!("\n线上参会：{}", salon.online_url));
    }
    let location = if salon.venue.is_empty() { salon.online_url.clone() } else { salon.venue.clone() };
    ics::calendar(
        platform,
        &Invite {
            uid: format!("salon-{}@techmarket", salon.id),
            summary: &salon.theme,
            description,
            location,
            url: format!("{base_url}/salons/{}", salon.id),
            starts,
            ends,
            sequence: 0,
            cancelled: salon.status == "cancelled",
        },
    )
}
