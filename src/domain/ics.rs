//! iCalendar (`.ics`) files for meetings and salons: one event, times in UTC (`…Z`), which every
//! calendar shows in the reader's own zone — a 09:30 Beijing start reads 09:30 in Beijing.

use icalendar::{Calendar, Component, Event, EventLike};
use time::OffsetDateTime;
use time::macros::format_description;

/// What the event says.
#[derive(Debug, Clone)]
pub struct Invite<'a> {
    /// Stable across updates, so a calendar replaces the event instead of adding another.
    pub uid: String,
    pub summary: &'a str,
    pub description: String,
    pub location: String,
    pub url: String,
    pub starts: OffsetDateTime,
    pub ends: OffsetDateTime,
    /// Bumped on each change of the event (the record's version).
    pub sequence: i64,
    pub cancelled: bool,
}

/// `20261210T013000Z`.
pub fn utc_stamp(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(format_description!("[year][month][day]T[hour][minute][second]Z"))
        .unwrap_or_default()
}

/// The calendar file's text.
pub fn calendar(platform: &str, invite: &Invite<'_>) -> String {
    let mut event = Event::new();
    event
        .uid(&invite.uid)
        .summary(invite.summary)
        .description(&invite.description)
        .add_property("DTSTART", utc_stamp(invite.starts))
        .add_property("DTEND", utc_stamp(invite.ends))
        .add_property("SEQUENCE", invite.sequence.to_string())
        .add_property("STATUS", if invite.cancelled { "CANCELLED" } else { "CONFIRMED" });
    if !invite.location.is_empty() {
        event.location(&invite.location);
    }
    if !invite.url.is_empty() {
        event.url(&invite.url);
    }
    let mut calendar = Calendar::new();
    calendar.name(platform).push(event.done());
    calendar.append_property(icalendar::Property::new("METHOD", "PUBLISH"));
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_beijing_morning_is_written_in_utc_and_parses_back() {
        let invite = Invite {
            uid: "meeting-1@techmarket".into(),
            summary: "联席预谈判：花牛苹果保鲜",
            description: "议程：技术方案，报价".into(),
            location: "麦积区科技局三楼会议室".into(),
            url: String::new(),
            starts: datetime!(2026-12-10 09:30 +8),
            ends: datetime!(2026-12-10 11:00 +8),
            sequence: 2,
            cancelled: false,
        };
        let text = calendar("麦积区技术市场服务平台", &invite);
        let parsed: icalendar::Calendar = text.parse().expect("parses");
        let event = parsed.components.iter().find_map(|c| c.as_event()).expect("an event");
        assert_eq!(event.property_value("DTSTART"), Some("20261210T013000Z"));
        assert_eq!(event.property_value("DTEND"), Some("20261210T030000Z"));
        assert_eq!(event.get_summary(), Some("联席预谈判：花牛苹果保鲜"));
        assert_eq!(event.get_location(), Some("麦积区科技局三楼会议室"));
    }
}
