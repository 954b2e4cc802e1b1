//! What a salon form or API body holds and the rules it is checked with. No SQL here.

use time::{Duration, OffsetDateTime};

use crate::domain::forms::{Checker, FieldErrors};

/// A matchmaking salon or a roadshow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalonKind {
    Salon,
    Roadshow,
}

impl SalonKind {
    pub fn code(self) -> &'static str {
        match self {
            SalonKind::Salon => "salon",
            SalonKind::Roadshow => "roadshow",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SalonKind::Salon => "成果对接沙龙",
            SalonKind::Roadshow => "项目路演",
        }
    }

    pub fn from_code(code: &str) -> Option<SalonKind> {
        [SalonKind::Salon, SalonKind::Roadshow].into_iter().find(|k| k.code() == code)
    }
}

/// A salon as typed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct SalonInput {
    /// salon / roadshow
    pub kind: Option<String>,
    pub theme: Option<String>,
    pub description: Option<String>,
    /// Beijing time `2026-12-18T14:00`, or RFC 3339 with an offset.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub venue: Option<String>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    /// Administrators name the organising agency; a broker organises for their own.
    pub agency_organisation_id: Option<String>,
    pub achievement_ids: Vec<String>,
    pub demand_ids: Vec<String>,
}

pub const MAX_CAPACITY: i64 = 5000;
pub const MAX_FEATURED: usize = 20;

/// A checked salon (the featured listings are checked against the library by the service).
#[derive(Debug, Clone)]
pub struct Plan {
    pub kind: SalonKind,
    pub theme: String,
    pub description: String,
    pub starts: OffsetDateTime,
    pub ends: OffsetDateTime,
    pub venue: String,
    pub online_url: String,
    pub capacity: i64,
}

pub fn check(input: &SalonInput, now: OffsetDateTime) -> Result<Plan, FieldErrors> {
    let mut check = Checker::default();
    let kind = match input.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => Some(SalonKind::Salon),
        Some(code) => check.choice("kind", "活动类型", Some(code), SalonKind::from_code),
    };
    let theme = check.text("theme", "活动主题", input.theme.as_deref(), 4, 100);
    let description = check.text("description", "活动介绍", input.description.as_deref(), 0, 4000);
    let starts = check.datetime("starts_at", "开始时间", input.starts_at.as_deref());
    let ends = check.datetime("ends_at", "结束时间", input.ends_at.as_deref());
    if let Some(s) = starts {
        if s <= now {
            check.fail("starts_at", "开始时间应晚于现在");
        } else if s > now + Duration::days(731) {
            check.fail("starts_at", "开始时间应在两年之内");
        }
    }
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            check.fail("ends_at", "结束时间应晚于开始时间");
        } else if e - s > Duration::days(3) {
            check.fail("ends_at", "一场活动最长 3 天");
        }
    }
    let venue = check.text("venue", "活动地点", input.venue.as_deref(), 0, 200);
    let online_url = check.link("online_url", "线上参会链接", input.online_url.as_deref(), 500);
    if venue.is_empty() && online_url.is_empty() {
        check.fail("venue", "请填写活动地点或线上参会链接");
    }
    let capacity = match input.capacity {
        None => {
            check.fail("capacity", "请填写名额");
            0
        }
        Some(c) if !(1..=MAX_CAPACITY).contains(&c) => {
            check.fail("capacity", format!("名额应在 1 到 {MAX_CAPACITY} 之间"));
            0
        }
        Some(c) => c,
    };
    for (field, list, label) in
        [("achievement_ids", &input.achievement_ids, "科技成果"), ("demand_ids", &input.demand_ids, "技术需求")]
    {
        if list.len() > MAX_FEATURED {
            check.fail(field, format!("推介的{label}最多 {MAX_FEATURED} 项"));
        }
    }
    match (kind, starts, ends) {
        (Some(kind), Some(starts), Some(ends)) if check.errors.is_empty() => {
            Ok(Plan { kind, theme, description, starts, ends, venue, online_url, capacity })
        }
        _ => Err(check.errors),
    }
}

/// Check-in opens two hours before the start and closes at the end of the (Beijing) day the
/// salon ends.
pub fn check_in_open(starts: OffsetDateTime, ends: OffsetDateTime, now: OffsetDateTime) -> bool {
    let local_end = ends.to_offset(crate::domain::time::SHANGHAI);
    let day_end = local_end.replace_time(time::Time::MIDNIGHT) + Duration::days(1);
    now >= starts - Duration::hours(2) && now < day_end
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_salon_needs_a_future_start_a_place_and_a_capacity() {
        let now = datetime!(2026-12-03 02:00 UTC);
        let input = SalonInput {
            theme: Some("花牛苹果产业技术对接沙龙".into()),
            starts_at: Some("2026-12-18T14:00".into()),
            ends_at: Some("2026-12-18T17:00".into()),
            venue: Some("麦积区科技局报告厅".into()),
            capacity: Some(60),
            ..Default::default()
        };
        let plan = check(&input, now).expect("valid");
        assert_eq!(plan.kind, SalonKind::Salon);
        assert_eq!(plan.starts, datetime!(2026-12-18 06:00 UTC));
        let bad = SalonInput { starts_at: Some("2026-12-01T14:00".into()), venue: None, capacity: Some(0), ..input };
        let errors = check(&bad, now).expect_err("invalid");
        for field in ["starts_at", "venue", "capacity"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn check_in_runs_from_two_hours_before_to_the_end_of_the_beijing_day() {
        let starts = datetime!(2026-12-18 14:00 +8);
        let ends = datetime!(2026-12-18 17:00 +8);
        assert!(!check_in_open(starts, ends, datetime!(2026-12-18 11:59 +8)));
        assert!(check_in_open(starts, ends, datetime!(2026-12-18 12:00 +8)));
        assert!(check_in_open(starts, ends, datetime!(2026-12-18 23:59 +8)));
        assert!(!check_in_open(starts, ends, datetime!(2026-12-19 00:00 +8)));
    }
}
