//! A meeting as the reader sees it (page, print, API) and as an `.ics` event.

use serde::Serialize;

use super::store::{self, MeetingRow, NextStep};
use crate::db::Db;
use crate::domain::ics::{self, Invite};
use crate::domain::time::{beijing_input, chinese_datetime_text, chinese_span, parse_stored};

#[derive(Debug, Clone, Serialize)]
pub struct ParticipantView {
    pub side: String,
    pub side_label: &'static str,
    pub name: String,
    pub organisation: String,
    pub has_account: bool,
}

/// One meeting with its people and next steps.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingView {
    pub id: String,
    pub deal_id: String,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub when_label: String,
    pub starts_input: String,
    pub place: String,
    pub online_url: String,
    pub agenda: String,
    pub nda_signed: bool,
    pub nda_signed_on: Option<String>,
    pub minutes: String,
    pub outcome: String,
    pub status: String,
    pub status_label: &'static str,
    pub participants: Vec<ParticipantView>,
    pub steps: Vec<NextStep>,
    pub version: i64,
    pub updated_label: String,
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "held" => "已举行",
        "cancelled" => "已取消",
        _ => "待举行",
    }
}

fn when(row: &MeetingRow) -> String {
    match (parse_stored(&row.starts_at), parse_stored(&row.ends_at)) {
        (Some(s), Some(e)) => chinese_span(s, e),
        _ => String::new(),
    }
}

/// The meeting without its people (lists).
pub fn line(row: &MeetingRow) -> MeetingView {
    MeetingView {
        id: row.id.clone(),
        deal_id: row.deal_id.clone(),
        title: row.title.clone(),
        starts_at: row.starts_at.clone(),
        ends_at: row.ends_at.clone(),
        when_label: when(row),
        starts_input: parse_stored(&row.starts_at).map(beijing_input).unwrap_or_default(),
        place: row.place.clone(),
        online_url: row.online_url.clone(),
        agenda: row.agenda.clone(),
        nda_signed: row.nda_signed == 1,
        nda_signed_on: row.nda_signed_on.clone(),
        minutes: row.minutes.clone(),
        outcome: row.outcome.clone(),
        status: row.status.clone(),
        status_label: status_label(&row.status),
        participants: Vec::new(),
        steps: Vec::new(),
        version: row.version,
        updated_label: chinese_datetime_text(&row.updated_at),
    }
}

pub async fn whole(db: &Db, row: &MeetingRow) -> Result<MeetingView, sqlx::Error> {
    let mut view = line(row);
    view.participants = store::participants(db, &row.id)
        .await?
        .into_iter()
        .map(|p| ParticipantView {
            side_label: super::model::Side::from_code(&p.side).map(super::model::Side::label).unwrap_or("其他"),
            side: p.side,
            name: p.name,
            organisation: p.organisation,
            has_account: p.user_id.is_some(),
        })
        .collect();
    view.steps = store::steps(db, &row.id).await?;
    Ok(view)
}

/// The `.ics` text; `base_url` makes the link back absolute.
pub fn ics(platform: &str, base_url: &str, deal_title: &str, meeting: &MeetingView) -> String {
    let (Some(starts), Some(ends)) = (parse_stored(&meeting.starts_at), parse_stored(&meeting.ends_at)) else {
        return String::new();
    };
    let people: Vec<String> = meeting
        .participants
        .iter()
        .map(|p| if p.organisation.is_empty() { p.name.clone() } else { format!("{}（{}）", p.name, p.organisation) })
        .collect();
    let mut description = format!("对接项目：{deal_title}\n时间（北京时间）：{}", meeting.when_label);
    if !people.is_empty() {
        description.push_str(&format!("\n参会：{}", people.join("、")));
    }
    if !meeting.agenda.is_empty() {
        description.push_str(&format!("\n议程：{}", meeting.agenda));
    }
    if !meeting.online_url.is_empty() {
        description.push_str(&format!("\n线上会议：{}", meeting.online_url));
    }
    let summary = format!("{}：{deal_title}", meeting.title);
    let location = if meeting.place.is_empty() { meeting.online_url.clone() } else { meeting.place.clone() };
    ics::calendar(
        platform,
        &Invite {
            uid: format!("meeting-{}@techmarket", meeting.id),
            summary: &summary,
            description,
            location,
            url: format!("{base_url}/deals/{}/meetings/{}", meeting.deal_id, meeting.id),
            starts,
            ends,
            sequence: meeting.version,
            cancelled: meeting.status == "cancelled",
        },
    )
}
