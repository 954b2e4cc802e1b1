//! Working days (工作日) in mainland China, for the registration clock: Monday to Friday, minus
//! the statutory holidays, plus the weekend days worked in exchange (调休上班).
//!
//! Two sources, as the law has them: the fixed-date holidays of 《全国年节及纪念日放假办法》 hold
//! in every year (元旦 1 January; 劳动节 1 May, and 2 May from 2025; 国庆节 1–3 October), while the
//! lunar holidays (春节, 端午, 中秋), 清明 and every make-up working day come from each year's
//! State Council notice, which administrators enter in the app (contracts::calendar). A year
//! without a notice counts weekends and the fixed dates only; [`Calendar::covers`] tells a caller
//! when a deadline runs into such a year so that it can warn.

use std::collections::{BTreeMap, BTreeSet};

use time::{Date, Duration, Month, Weekday};

/// What a notice says of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A day off (放假).
    Off,
    /// A weekend day worked in exchange (调休上班).
    Work,
}

/// The statutory calendar plus the notices entered so far.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days: BTreeMap<Date, DayKind>,
    noticed_years: BTreeSet<i32>,
}

/// Whether the law fixes `day` as a holiday regardless of any notice.
pub fn is_fixed_holiday(day: Date) -> bool {
    let (month, date) = (day.month(), day.day());
    match month {
        Month::January => date == 1,
        Month::May => date == 1 || (date == 2 && day.year() >= 2025),
        Month::October => date <= 3,
        _ => false,
    }
}

impl Calendar {
    /// A calendar with notices for the given years (which may also have no listed days).
    pub fn new(days: impl IntoIterator<Item = (Date, DayKind)>, noticed_years: impl IntoIterator<Item = i32>) -> Self {
        Calendar { days: days.into_iter().collect(), noticed_years: noticed_years.into_iter().collect() }
    }

    /// The last year with a notice, if any.
    pub fn known_until(&self) -> Option<i32> {
        self.noticed_years.last().copied()
    }

    /// Whether every year from `from` to `to` (inclusive) has its notice.
    pub fn covers(&self, from: Date, to: Date) -> bool {
        (from.year()..=to.year()).all(|year| self.noticed_years.contains(&year))
    }

    /// Whether government offices work on this day.
    pub fn is_working_day(&self, day: Date) -> bool {
        match self.days.get(&day) {
            Some(DayKind::Work) => return true,
            Some(DayKind::Off) => return false,
            None => {}
        }
        if is_fixed_holiday(day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The day on which `count` working days after `start` have passed (`start` itself is not
    /// counted: accepted on a Monday with 1 working day to go is due on Tuesday).
    pub fn add_working_days(&self, start: Date, count: u32) -> Date {
        let mut day = start;
        let mut left = count;
        while left > 0 {
            day += Duration::days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut day = from;
        let mut count = 0;
        while day < to {
            day += Duration::days(1);
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// The 2026 notice (国办发明电〔2025〕7号) as the migration seeds it.
    fn with_2026() -> Calendar {
        let mut days = Vec::new();
        for (from, to) in [
            (date!(2026 - 01 - 01), date!(2026 - 01 - 03)),
            (date!(2026 - 02 - 15), date!(2026 - 02 - 23)),
            (date!(2026 - 10 - 01), date!(2026 - 10 - 07)),
        ] {
            let mut day = from;
            while day <= to {
                days.push((day, DayKind::Off));
                day += Duration::days(1);
            }
        }
        for day in [date!(2026 - 01 - 04), date!(2026 - 02 - 14), date!(2026 - 02 - 28), date!(2026 - 10 - 10)] {
            days.push((day, DayKind::Work));
        }
        Calendar::new(days, [2026])
    }

    #[test]
    fn weekends_and_fixed_dates_are_skipped_in_every_year() {
        let plain = Calendar::default();
        // Friday 2027-03-05 + 1 working day = Monday 2027-03-08.
        assert_eq!(plain.add_working_days(date!(2027 - 03 - 05), 1), date!(2027 - 03 - 08));
        assert_eq!(plain.add_working_days(date!(2027 - 03 - 01), 15), date!(2027 - 03 - 22));
        assert_eq!(plain.working_days_between(date!(2027 - 03 - 01), date!(2027 - 03 - 22)), 15);
        assert_eq!(plain.working_days_between(date!(2027 - 03 - 22), date!(2027 - 03 - 01)), 0);
        // 元旦 2027 is a Friday: not a working day even without a notice.
        assert!(!plain.is_working_day(date!(2027 - 01 - 01)));
        assert_eq!(plain.add_working_days(date!(2026 - 12 - 31), 1), date!(2027 - 01 - 04));
        // 劳动节 is two days from 2025, one before; 国庆节 three.
        assert!(!plain.is_working_day(date!(2031 - 05 - 02)));
        assert!(plain.is_working_day(date!(2024 - 05 - 02)));
        assert!(!plain.is_working_day(date!(2029 - 10 - 03)));
        assert!(plain.is_working_day(date!(2029 - 10 - 04)));
        assert_eq!(plain.known_until(), None);
    }

    #[test]
    fn holidays_and_makeup_days_count_as_the_notices_say() {
        let calendar = with_2026();
        assert!(!calendar.is_working_day(date!(2026 - 10 - 05)));
        assert!(calendar.is_working_day(date!(2026 - 10 - 10)));
        // Accepted Wednesday 30 September 2026: 8, 9, 10 (Sat, worked) … are the working days.
        assert_eq!(calendar.add_working_days(date!(2026 - 09 - 30), 3), date!(2026 - 10 - 10));
        assert!(calendar.is_working_day(date!(2026 - 02 - 14)));
        assert_eq!(calendar.add_working_days(date!(2026 - 02 - 13), 2), date!(2026 - 02 - 24));
        assert_eq!(calendar.known_until(), Some(2026));
        assert!(calendar.covers(date!(2026 - 12 - 01), date!(2026 - 12 - 31)));
        assert!(!calendar.covers(date!(2026 - 12 - 01), date!(2027 - 01 - 05)));
    }

    #[test]
    fn counting_and_adding_agree() {
        let calendar = with_2026();
        let start = date!(2025 - 12 - 20);
        for n in 0..60 {
            assert_eq!(calendar.working_days_between(start, calendar.add_working_days(start, n)), n);
        }
    }
}
