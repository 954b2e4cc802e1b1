//! What a meeting form or API body holds, and the rules it is checked with. No SQL here.

use time::{Date, Duration, OffsetDateTime};

use crate::domain::forms::{Checker, FieldErrors};
use crate::domain::time::today_shanghai;

/// Who a participant is there for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Buyer,
    Seller,
    Bureau,
    Broker,
    Other,
}

impl Side {
    pub fn code(self) -> &'static str {
        match self {
            Side::Buyer => "buyer",
            Side::Seller => "seller",
            Side::Bureau => "bureau",
            Side::Broker => "broker",
            Side::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Side::Buyer => "需求方",
            Side::Seller => "成果方",
            Side::Bureau => "科技局",
            Side::Broker => "经纪机构",
            Side::Other => "其他",
        }
    }

    pub fn from_code(code: &str) -> Option<Side> {
        [Side::Buyer, Side::Seller, Side::Bureau, Side::Broker, Side::Other].into_iter().find(|s| s.code() == code)
    }
}

/// A participant who has no account here.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct GuestInput {
    pub name: Option<String>,
    pub organisation: Option<String>,
    /// buyer / seller / bureau / broker / other
    pub side: Option<String>,
}

/// A meeting as typed (scheduling it).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct MeetingInput {
    pub title: Option<String>,
    /// Beijing time `2026-12-10T09:30`, or RFC 3339 with an offset.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub agenda: Option<String>,
    /// Accounts invited (members of either side, the broker's agency, the bureau).
    pub participant_ids: Vec<String>,
    pub guests: Vec<GuestInput>,
    pub nda_signed: Option<bool>,
    pub nda_signed_on: Option<String>,
}

/// A next step agreed at the meeting.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct StepLine {
    pub task: Option<String>,
    pub owner: Option<String>,
    pub due_on: Option<String>,
}

/// The record written after the meeting.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct RecordInput {
    pub minutes: Option<String>,
    pub outcome: Option<String>,
    pub nda_signed: Option<bool>,
    pub nda_signed_on: Option<String>,
    pub steps: Vec<StepLine>,
    /// The version the record is based on (optional; a stale one is refused).
    pub version: Option<i64>,
}

/// The most guests, participants and next steps one meeting holds.
pub const MAX_GUESTS: usize = 20;
pub const MAX_PARTICIPANTS: usize = 40;
pub const MAX_STEPS: usize = 20;
/// The longest meeting.
const LONGEST: Duration = Duration::hours(12);

/// A checked meeting.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub title: String,
    pub starts: OffsetDateTime,
    pub ends: OffsetDateTime,
    pub place: String,
    pub online_url: String,
    pub agenda: String,
    pub guests: Vec<(Side, String, String)>,
    pub nda_signed: bool,
    pub nda_signed_on: Option<Date>,
}

fn nda(check: &mut Checker, signed: Option<bool>, on: Option<&str>) -> (bool, Option<Date>) {
    let signed = signed.unwrap_or(false);
    let date = check.date("nda_signed_on", "保密协议签署日期", on);
    if signed && date.is_none() && !check.errors.contains_key("nda_signed_on") {
        check.fail("nda_signed_on", "已签署保密协议时请填写签署日期");
    }
    if date.is_some_and(|d| d > today_shanghai()) {
        check.fail("nda_signed_on", "保密协议签署日期不能晚于今天");
    }
    (signed, if signed { date } else { None })
}

/// Checks a meeting being scheduled at `now`.
pub fn check_schedule(input: &MeetingInput, now: OffsetDateTime) -> Result<Schedule, FieldErrors> {
    let mut check = Checker::default();
    let title = match input.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(_) => check.text("title", "会议名称", input.title.as_deref(), 2, 100),
        None => "联席预谈判".to_string(),
    };
    let starts = check.datetime("starts_at", "开始时间", input.starts_at.as_deref());
    let ends = check.datetime("ends_at", "结束时间", input.ends_at.as_deref());
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            check.fail("ends_at", "结束时间应晚于开始时间");
        } else if e - s > LONGEST {
            check.fail("ends_at", "一次会议最长 12 小时");
        }
    }
    if let Some(s) = starts {
        if s < now - Duration::days(366) || s > now + Duration::days(731) {
            check.fail("starts_at", "开始时间应在前后一两年之内");
        }
    }
    let place = check.text("place", "会议地点", input.place.as_deref(), 0, 200);
    let online_url = check.link("online_url", "线上会议链接", input.online_url.as_deref(), 500);
    if place.is_empty() && online_url.is_empty() {
        check.fail("place", "请填写会议地点或线上会议链接");
    }
    let agenda = check.text("agenda", "议程", input.agenda.as_deref(), 0, 4000);
    let mut guests = Vec::new();
    let given: Vec<&GuestInput> = input
        .guests
        .iter()
        .filter(|g| {
            g.name.as_deref().is_some_and(|n| !n.trim().is_empty())
                || g.organisation.as_deref().is_some_and(|o| !o.trim().is_empty())
        })
        .collect();
    if given.len() > MAX_GUESTS {
        check.fail("guests", format!("其他参会人员最多 {MAX_GUESTS} 位"));
    }
    for (i, guest) in given.iter().take(MAX_GUESTS).enumerate() {
        let name = check.text(&format!("guests[{i}].name"), "参会人员姓名", guest.name.as_deref(), 1, 50);
        let organisation =
            check.text(&format!("guests[{i}].organisation"), "参会人员单位", guest.organisation.as_deref(), 0, 100);
        let side = match guest.side.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Side::Other,
            Some(code) => Side::from_code(code).unwrap_or_else(|| {
                check.fail(&format!("guests[{i}].side"), "参会方不是可选的值");
                Side::Other
            }),
        };
        guests.push((side, name, organisation));
    }
    if input.participant_ids.len() > MAX_PARTICIPANTS {
        check.fail("participant_ids", format!("参会账号最多 {MAX_PARTICIPANTS} 个"));
    }
    let (nda_signed, nda_signed_on) = nda(&mut check, input.nda_signed, input.nda_signed_on.as_deref());
    match (starts, ends) {
        (Some(starts), Some(ends)) if check.errors.is_empty() => {
            Ok(Schedule { title, starts, ends, place, online_url, agenda, guests, nda_signed, nda_signed_on })
        }
        _ => Err(check.errors),
    }
}

/// A checked record.
#[derive(Debug, Clone)]
pub struct Record {
    pub minutes: String,
    pub outcome: String,
    pub nda_signed: bool,
    pub nda_signed_on: Option<Date>,
    pub steps: Vec<(String, String, Option<Date>)>,
}

pub fn check_record(input: &RecordInput) -> Result<Record, FieldErrors> {
    let mut check = Checker::default();
    let minutes = check.text("minutes", "会议纪要", input.minutes.as_deref(), 0, 20_000);
    let outcome = check.text("outcome", "会议结论", input.outcome.as_deref(), 2, 2000);
    let (nda_signed, nda_signed_on) = nda(&mut check, input.nda_signed, input.nda_signed_on.as_deref());
    let given: Vec<&StepLine> =
        input.steps.iter().filter(|s| s.task.as_deref().is_some_and(|t| !t.trim().is_empty())).collect();
    if given.len() > MAX_STEPS {
        check.fail("steps", format!("后续事项最多 {MAX_STEPS} 项"));
    }
    let mut steps = Vec::new();
    for (i, step) in given.iter().take(MAX_STEPS).enumerate() {
        let task = check.text(&format!("steps[{i}].task"), "后续事项", step.task.as_deref(), 2, 200);
        let owner = check.text(&format!("steps[{i}].owner"), "负责人", step.owner.as_deref(), 1, 50);
        let due = check.date(&format!("steps[{i}].due_on"), "完成期限", step.due_on.as_deref());
        steps.push((task, owner, due));
    }
    check.finish(|| Some(Record { minutes, outcome, nda_signed, nda_signed_on, steps }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn input() -> MeetingInput {
        MeetingInput {
            starts_at: Some("2026-12-10T09:30".into()),
            ends_at: Some("2026-12-10T11:00".into()),
            place: Some("麦积区科技局三楼会议室".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_meeting_needs_a_place_or_a_link_and_an_end_after_its_start() {
        let now = datetime!(2026-12-03 09:00 UTC);
        let ok = check_schedule(&input(), now).expect("valid");
        assert_eq!(ok.title, "联席预谈判");
        assert_eq!(ok.starts, datetime!(2026-12-10 01:30 UTC));
        let mut bad = input();
        bad.place = None;
        bad.ends_at = Some("2026-12-10T09:00".into());
        let errors = check_schedule(&bad, now).expect_err("invalid");
        assert!(errors.contains_key("place") && errors.contains_key("ends_at"), "{errors:?}");
        let mut link = input();
        link.place = None;
        link.online_url = Some("javascript:alert(1)".into());
        assert!(check_schedule(&link, now).expect_err("invalid").contains_key("online_url"));
    }

    #[test]
    fn a_signed_nda_needs_its_date_and_steps_need_an_owner() {
        let mut nda = input();
        nda.nda_signed = Some(true);
        let errors = check_schedule(&nda, datetime!(2026-12-03 09:00 UTC)).expect_err("no date");
        assert!(errors.contains_key("nda_signed_on"));
        let record = RecordInput {
            outcome: Some("双方同意进入技术方案细化".into()),
            steps: vec![StepLine {
                task: Some("提交改造方案".into()), owner: None, due_on: Some("2026-12-20".into())
            }],
            ..Default::default()
        };
        assert!(check_record(&record).expect_err("no owner").contains_key("steps[0].owner"));
    }
}
