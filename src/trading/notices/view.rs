//! A 公示 as the board, its page, the feed and the API show it.

use serde::Serialize;

use super::model::NoticeStatus;
use super::store::{NoticeRow, ObjectionRow};
use crate::domain::money::Fen;
use crate::domain::taxonomy::TransferMode;
use crate::domain::time::{chinese_datetime_text, parse_date, today_shanghai};

#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    pub id: String,
    pub series_id: String,
    pub version_no: i64,
    pub achievement_id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub title: String,
    pub team: String,
    pub transferee: String,
    pub transferee_organisation_id: Option<String>,
    pub transfer_mode: String,
    pub transfer_mode_label: &'static str,
    pub price_fen: i64,
    pub price_text: String,
    pub starts_on: String,
    pub ends_on: String,
    pub period_label: String,
    /// Calendar days left including today (0 once the period is over).
    pub days_left: i64,
    pub contact: String,
    pub statement: String,
    pub correction_note: String,
    pub published_at: String,
    pub published_label: String,
    pub status: String,
    pub status_label: &'static str,
    pub closed_at: Option<String>,
    pub close_note: String,
    pub objections: i64,
    pub unanswered: i64,
    pub is_demo: bool,
}

fn chinese_day(text: &str) -> String {
    parse_date(text).map(crate::domain::time::chinese_day).unwrap_or_default()
}

pub fn view(row: NoticeRow) -> NoticeView {
    let status = NoticeStatus::from_code(&row.status).unwrap_or(NoticeStatus::Open);
    let today = today_shanghai();
    let days_left = match parse_date(&row.ends_on) {
        Some(last) if status == NoticeStatus::Open && last >= today => (last - today).whole_days() + 1,
        _ => 0,
    };
    let status_label =
        if status == NoticeStatus::Open && days_left == 0 { "公示期满，待结束" } else { status.label() };
    NoticeView {
        transfer_mode_label: TransferMode::from_code(&row.transfer_mode).map(TransferMode::label).unwrap_or(""),
        price_text: Fen(row.price_fen).format_wan(),
        period_label: format!("{} 至 {}", chinese_day(&row.starts_on), chinese_day(&row.ends_on)),
        published_label: chinese_datetime_text(&row.published_at),
        days_left,
        status_label,
        is_demo: row.is_demo == 1,
        id: row.id,
        series_id: row.series_id,
        version_no: row.version_no,
        achievement_id: row.achievement_id,
        organisation_id: row.organisation_id,
        organisation_name: row.organisation_name,
        title: row.title,
        team: row.team,
        transferee: row.transferee,
        transferee_organisation_id: row.transferee_organisation_id,
        transfer_mode: row.transfer_mode,
        price_fen: row.price_fen,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        contact: row.contact,
        statement: row.statement,
        correction_note: row.correction_note,
        published_at: row.published_at,
        status: row.status,
        closed_at: row.closed_at,
        close_note: row.close_note,
        objections: row.objections,
        unanswered: row.unanswered,
    }
}

/// An objection as shown: who filed it only to the institution and administrators.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectionView {
    pub id: String,
    pub number: usize,
    pub filer: Option<String>,
    pub reasons: String,
    pub filed_label: String,
    pub answer: Option<String>,
    pub answered_label: Option<String>,
}

pub fn objections(rows: Vec<ObjectionRow>, show_filer: bool) -> Vec<ObjectionView> {
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| ObjectionView {
            number: i + 1,
            filer: show_filer.then_some(row.filer),
            filed_label: chinese_datetime_text(&row.filed_at),
            answered_label: row.answered_at.as_deref().map(chinese_datetime_text),
            id: row.id,
            reasons: row.reasons,
            answer: row.answer,
        })
        .collect()
}
