//! A holiday notice as typed (the API's JSON, or the page's text lines) and as checked. No SQL.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, Weekday};

use crate::domain::forms::{Checker, FieldErrors, date_text};
use crate::domain::workdays::DayKind;

/// A run of days off, as the notice lists it (`春节：2月15日至23日放假调休，共9天`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct HolidayRun {
    pub name: String,
    pub from: String,
    pub to: String,
}

/// A weekend day worked in exchange.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct MakeupDay {
    pub name: String,
    pub day: String,
}

/// One year's notice as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoticeInput {
    pub year: Option<i32>,
    /// The document number, e.g. 国办发明电〔2025〕7号.
    pub document: Option<String>,
    pub published_on: Option<String>,
    pub holidays: Vec<HolidayRun>,
    pub workdays: Vec<MakeupDay>,
}

/// A checked notice: every listed day with its kind and holiday name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub year: i32,
    pub document: String,
    pub published_on: Date,
    pub days: BTreeMap<Date, (DayKind, String)>,
}

fn parse_day(text: &str) -> Option<Date> {
    crate::domain::time::parse_date(text.trim())
}

/// The dates a notice for `year` may speak of: it often starts the New Year holiday in late
/// December and may reach into the next January.
fn in_reach(year: i32, day: Date) -> bool {
    let first = Date::from_calendar_date(year - 1, Month::December, 1).unwrap_or(Date::MIN);
    let last = Date::from_calendar_date(year + 1, Month::January, 31).unwrap_or(Date::MAX);
    (first..=last).contains(&day)
}

/// Checks a notice: dates real and within the year's reach, runs of at most 10 days, make-up days
/// on weekends, no day both off and worked, published before the year's end.
pub fn check(input: &NoticeInput, today: Date) -> Result<Notice, FieldErrors> {
    let mut check = Checker::default();
    let year = input.year.filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        check.fail("year", "请填写通知适用的年份（2000–2100）");
    }
    let document = check.text("document", "通知文号", input.document.as_deref(), 4, 60);
    let published_on = check.date("published_on", "发布日期", input.published_on.as_deref());
    if published_on.is_none() && !check.errors.contains_key("published_on") {
        check.fail("published_on", "请填写通知的发布日期");
    }
    if published_on.is_some_and(|d| d > today) {
        check.fail("published_on", "发布日期不能晚于今天");
    }
    if input.holidays.is_empty() {
        check.fail("holidays", "请至少填写一段放假安排");
    }
    let mut days: BTreeMap<Date, (DayKind, String)> = BTreeMap::new();
    let year_value = year.unwrap_or(0);
    for (index, run) in input.holidays.iter().enumerate() {
        let line = index + 1;
        let name = run.name.trim();
        if name.is_empty() || name.chars().count() > 20 {
            check.fail("holidays", format!("第 {line} 段放假安排：请填写节日名称（最多 20 字）"));
            continue;
        }
        let (Some(from), Some(to)) = (parse_day(&run.from), parse_day(&run.to)) else {
            check.fail("holidays", format!("第 {line} 段（{name}）：日期应为 2027-01-01 这样的格式"));
            continue;
        };
        if to < from || (to - from).whole_days() > 9 {
            check.fail("holidays", format!("第 {line} 段（{name}）：结束日期应不早于开始日期，且一段最多 10 天"));
            continue;
        }
        if year.is_some() && !(in_reach(year_value, from) && in_reach(year_value, to)) {
            check.fail("holidays", format!("第 {line} 段（{name}）：日期不在 {year_value} 年通知的范围内"));
            continue;
        }
        let mut day = from;
        while day <= to {
            days.insert(day, (DayKind::Off, name.to_string()));
            day += Duration::days(1);
        }
    }
    for (index, makeup) in input.workdays.iter().enumerate() {
        let line = index + 1;
        let name = makeup.name.trim();
        let Some(day) = parse_day(&makeup.day) else {
            check.fail("workdays", format!("第 {line} 个调休上班日：日期应为 2027-02-06 这样的格式"));
            continue;
        };
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            check.fail("workdays", format!("{} 不是周末，无需调休上班", date_text(day)));
            continue;
        }
        if year.is_some() && !in_reach(year_value, day) {
            check.fail("workdays", format!("{} 不在 {year_value} 年通知的范围内", date_text(day)));
            continue;
        }
        if days.get(&day).is_some_and(|(kind, _)| *kind == DayKind::Off) {
            check.fail("workdays", format!("{} 已列为放假日，不能同时是上班日", date_text(day)));
            continue;
        }
        let label = if name.is_empty() { "调休".to_string() } else { name.chars().take(20).collect() };
        days.insert(day, (DayKind::Work, label));
    }
    check.finish(|| Some(Notice { year: year?, document, published_on: published_on?, days }))
}

/// Reads the page's text lines: `春节 2027-02-06 2027-02-13` (a run; one date for a single day)
/// and `春节 2027-02-14` among the make-up days.
pub fn from_lines(holidays: &str, workdays: &str) -> (Vec<HolidayRun>, Vec<MakeupDay>) {
    let words = |line: &str| -> Vec<String> {
        line.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '至' | '~' | '～'))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let runs = holidays
        .lines()
        .map(words)
        .filter(|w| !w.is_empty())
        .map(|w| {
            let name = w.first().cloned().unwrap_or_default();
            let from = w.get(1).cloned().unwrap_or_default();
            let to = w.get(2).cloned().unwrap_or_else(|| from.clone());
            HolidayRun { name, from, to }
        })
        .collect();
    let makeups = workdays
        .lines()
        .map(words)
        .filter(|w| !w.is_empty())
        .map(|w| match w.as_slice() {
            [day] => MakeupDay { name: String::new(), day: day.clone() },
            [name, day, ..] => MakeupDay { name: name.clone(), day: day.clone() },
            [] => MakeupDay::default(),
        })
        .collect();
    (runs, makeups)
}

/// The notice's days back as text lines, for editing.
pub fn to_lines(runs: &[HolidayRun], makeups: &[MakeupDay]) -> (String, String) {
    let holidays = runs.iter().map(|r| format!("{} {} {}", r.name, r.from, r.to)).collect::<Vec<_>>().join("\n");
    let workdays = makeups.iter().map(|m| format!("{} {}", m.name, m.day)).collect::<Vec<_>>().join("\n");
    (holidays, workdays)
}

/// Groups a notice's stored days back into runs of consecutive days off and single make-up days.
pub fn runs_of(days: &[(Date, DayKind, String)]) -> (Vec<HolidayRun>, Vec<MakeupDay>) {
    let mut runs: Vec<HolidayRun> = Vec::new();
    let mut makeups = Vec::new();
    let mut last_off: Option<Date> = None;
    for (day, kind, name) in days {
        match kind {
            DayKind::Work => makeups.push(MakeupDay { name: name.clone(), day: date_text(*day) }),
            DayKind::Off => {
                let continues = last_off.is_some_and(|l| l + Duration::days(1) == *day)
                    && runs.last().is_some_and(|r| r.name == *name);
                match runs.last_mut() {
                    Some(run) if continues => run.to = date_text(*day),
                    _ => runs.push(HolidayRun { name: name.clone(), from: date_text(*day), to: date_text(*day) }),
                }
                last_off = Some(*day);
            }
        }
    }
    (runs, makeups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> NoticeInput {
        let (holidays, workdays) = from_lines(
            "元旦 2027-01-01 2027-01-03\n春节 2027-02-06 至 2027-02-13\n劳动节 2027-05-01 2027-05-05",
            "春节 2027-02-14\n劳动节 2027-04-25",
        );
        NoticeInput {
            year: Some(2027),
            document: Some("国办发明电〔2026〕9号".into()),
            published_on: Some("2026-11-20".into()),
            holidays,
            workdays,
        }
    }

    #[test]
    fn a_notice_is_read_from_lines_and_checked() {
        let notice = check(&input(), date!(2026 - 12 - 02)).expect("valid");
        assert_eq!(notice.days.len(), 3 + 8 + 5 + 2);
        assert_eq!(notice.days[&date!(2027 - 02 - 14)], (DayKind::Work, "春节".to_string()));
        let stored: Vec<(Date, DayKind, String)> = notice.days.iter().map(|(d, (k, n))| (*d, *k, n.clone())).collect();
        let (runs, makeups) = runs_of(&stored);
        assert_eq!(runs.len(), 3);
        assert_eq!(runs[1], HolidayRun { name: "春节".into(), from: "2027-02-06".into(), to: "2027-02-13".into() });
        assert_eq!(makeups.len(), 2);
    }

    #[test]
    fn bad_notices_are_explained() {
        let mut bad = input();
        bad.workdays.push(MakeupDay { name: "春节".into(), day: "2027-02-10".into() });
        bad.holidays.push(HolidayRun { name: "国庆节".into(), from: "2029-10-01".into(), to: "2029-10-07".into() });
        bad.published_on = Some("2027-12-01".into());
        let errors = check(&bad, date!(2026 - 12 - 02)).expect_err("invalid");
        assert!(errors["workdays"].contains("不是周末"), "{errors:?}");
        assert!(errors["holidays"].contains("不在 2027 年"), "{errors:?}");
        assert!(errors["published_on"].contains("不能晚于今天"));
        let empty = check(&NoticeInput::default(), date!(2026 - 12 - 02)).expect_err("empty");
        assert!(empty.contains_key("year") && empty.contains_key("document") && empty.contains_key("holidays"));
    }
}
