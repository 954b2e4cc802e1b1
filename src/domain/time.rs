//! Timestamps: stored as RFC 3339 UTC text with fixed width (they sort), shown in Asia/Shanghai.

use time::format_description::FormatItem;
use time::macros::{format_description, offset};
use time::{OffsetDateTime, UtcOffset};

/// China Standard Time; the district's calendar (months, years, the goal) is counted in it.
pub const SHANGHAI: UtcOffset = offset!(+8);

const STORED: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Now, in the stored form: `2026-11-28T04:10:50.123456Z`.
pub fn now_stored() -> String {
    to_stored(OffsetDateTime::now_utc())
}

/// Any instant in the stored form (always UTC, microseconds, fixed width).
pub fn to_stored(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC).format(STORED).unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// Parses the stored form (or any RFC 3339 text).
pub fn parse_stored(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// A calendar date as stored and typed in forms (`2026-12-02`).
pub fn parse_date(text: &str) -> Option<time::Date> {
    time::Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// Today's calendar date in Asia/Shanghai.
pub fn today_shanghai() -> time::Date {
    OffsetDateTime::now_utc().to_offset(SHANGHAI).date()
}

/// `2026年11月28日`, in Asia/Shanghai.
pub fn chinese_date(at: OffsetDateTime) -> String {
    chinese_day(at.to_offset(SHANGHAI).date())
}

/// A calendar date as `2026年11月28日`.
pub fn chinese_day(day: time::Date) -> String {
    format!("{}年{}月{}日", day.year(), u8::from(day.month()), day.day())
}

/// `2026年11月28日 12:10`, in Asia/Shanghai.
pub fn chinese_datetime(at: OffsetDateTime) -> String {
    let local = at.to_offset(SHANGHAI);
    format!("{} {:02}:{:02}", chinese_date(at), local.hour(), local.minute())
}

/// A stored timestamp as `2026年11月28日 12:10` (empty if it cannot be read).
pub fn chinese_datetime_text(stored: &str) -> String {
    parse_stored(stored).map(chinese_datetime).unwrap_or_default()
}

/// A Beijing wall-clock time as typed in a form (`2026-12-10T09:30`, seconds optional, a space
/// instead of `T` accepted) or any RFC 3339 instant with its own offset (the API).
pub fn parse_beijing_input(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    if let Some(at) = parse_stored(text) {
        return Some(at);
    }
    let normalised = text.replacen(' ', "T", 1);
    let local =
        time::PrimitiveDateTime::parse(&normalised, format_description!("[year]-[month]-[day]T[hour]:[minute]"))
            .or_else(|_| {
                time::PrimitiveDateTime::parse(
                    &normalised,
                    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
                )
            })
            .ok()?;
    Some(local.assume_offset(SHANGHAI))
}

/// An incremental sync's starting point: an RFC 3339 instant with its own offset, or a date
/// (`2026-12-01`) read as Beijing midnight. Years outside 2000–2100 are refused.
pub fn parse_since(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let at = parse_stored(text).or_else(|| parse_date(text).map(|day| day.midnight().assume_offset(SHANGHAI)))?;
    (2000..=2100).contains(&at.year()).then_some(at)
}

/// An instant as a form's `datetime-local` value in Beijing time (`2026-12-10T09:30`).
pub fn beijing_input(at: OffsetDateTime) -> String {
    let local = at.to_offset(SHANGHAI);
    format!("{}T{:02}:{:02}", local.date(), local.hour(), local.minute())
}

/// `12月10日 09:30–11:00` (or with both dates when it spans days), in Beijing time.
pub fn chinese_span(starts: OffsetDateTime, ends: OffsetDateTime) -> String {
    let (s, e) = (starts.to_offset(SHANGHAI), ends.to_offset(SHANGHAI));
    if s.date() == e.date() {
        format!("{} {:02}:{:02}–{:02}:{:02}", chinese_date(starts), s.hour(), s.minute(), e.hour(), e.minute())
    } else {
        format!("{} – {}", chinese_datetime(starts), chinese_datetime(ends))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_typed_beijing_time_is_the_right_instant() {
        let at = parse_beijing_input("2026-12-10T09:30").expect("parses");
        assert_eq!(to_stored(at), "2026-12-10T01:30:00.000000Z");
        assert_eq!(parse_beijing_input("2026-12-10 09:30:00"), Some(at));
        assert_eq!(parse_beijing_input("2026-12-10T01:30:00Z"), Some(at));
        assert_eq!(beijing_input(at), "2026-12-10T09:30");
        assert_eq!(parse_beijing_input("2026-13-10T09:30"), None);
        assert_eq!(parse_beijing_input("明天上午"), None);
        let end = parse_beijing_input("2026-12-10T11:00").expect("parses");
        assert_eq!(chinese_span(at, end), "2026年12月10日 09:30–11:00");
    }

    #[test]
    fn stored_form_is_fixed_width_utc_and_round_trips() {
        let at = datetime!(2026-01-01 07:00:00.5 +8);
        let stored = to_stored(at);
        assert_eq!(stored, "2025-12-31T23:00:00.500000Z");
        assert_eq!(parse_stored(&stored), Some(at));
        assert_eq!(now_stored().len(), stored.len());
    }

    #[test]
    fn chinese_dates_use_shanghai_time() {
        let at = datetime!(2025-12-31 23:30:00 UTC);
        assert_eq!(chinese_date(at), "2026年1月1日");
        assert_eq!(chinese_datetime(at), "2026年1月1日 07:30");
    }
}
