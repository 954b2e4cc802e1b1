//! Working days (工作日) in mainland China, for the registration clock: Monday to Friday, minus the
//! statutory holidays, plus the weekend days worked in exchange (调休上班), as the State Council's
//! yearly notices set them. The dates below are those of the notices for 2025 (国办发明电〔2024〕12号)
//! and 2026 (国办发明电〔2025〕7号); for later years only weekends are skipped until the next notice is
//! added here (docs/OPERATIONS.md says so).

use time::macros::date;
use time::{Date, Duration, Weekday};

/// Statutory days off that fall on a weekday (or are listed in full for clarity).
const HOLIDAYS: &[(Date, Date)] = &[
    // 2025
    (date!(2025 - 01 - 01), date!(2025 - 01 - 01)),
    (date!(2025 - 01 - 28), date!(2025 - 02 - 04)),
    (date!(2025 - 04 - 04), date!(2025 - 04 - 06)),
    (date!(2025 - 05 - 01), date!(2025 - 05 - 05)),
    (date!(2025 - 05 - 31), date!(2025 - 06 - 02)),
    (date!(2025 - 10 - 01), date!(2025 - 10 - 08)),
    // 2026
    (date!(2026 - 01 - 01), date!(2026 - 01 - 03)),
    (date!(2026 - 02 - 15), date!(2026 - 02 - 23)),
    (date!(2026 - 04 - 04), date!(2026 - 04 - 06)),
    (date!(2026 - 05 - 01), date!(2026 - 05 - 05)),
    (date!(2026 - 06 - 19), date!(2026 - 06 - 21)),
    (date!(2026 - 09 - 25), date!(2026 - 09 - 27)),
    (date!(2026 - 10 - 01), date!(2026 - 10 - 07)),
];

/// Weekend days that are working days because a holiday borrowed them.
const MAKEUP_WORKDAYS: &[Date] = &[
    date!(2025 - 01 - 26),
    date!(2025 - 02 - 08),
    date!(2025 - 04 - 27),
    date!(2025 - 09 - 28),
    date!(2025 - 10 - 11),
    date!(2026 - 01 - 04),
    date!(2026 - 02 - 14),
    date!(2026 - 02 - 28),
    date!(2026 - 05 - 09),
    date!(2026 - 09 - 20),
    date!(2026 - 10 - 10),
];

/// The last year whose holiday notice is encoded above.
pub const CALENDAR_KNOWN_UNTIL: i32 = 2026;

/// Whether government offices work on this day.
pub fn is_working_day(day: Date) -> bool {
    if MAKEUP_WORKDAYS.contains(&day) {
        return true;
    }
    if HOLIDAYS.iter().any(|(from, to)| *from <= day && day <= *to) {
        return false;
    }
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The day on which `count` working days after `start` have passed (`start` itself is not
/// counted: accepted on a Monday with 1 working day to go is due on Tuesday).
pub fn add_working_days(start: Date, count: u32) -> Date {
    let mut day = start;
    let mut left = count;
    while left > 0 {
        day += Duration::days(1);
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
pub fn working_days_between(from: Date, to: Date) -> u32 {
    let mut day = from;
    let mut count = 0;
    while day < to {
        day += Duration::days(1);
        if is_working_day(day) {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_are_skipped() {
        // Friday 2027-03-05 + 1 working day = Monday 2027-03-08 (no notice for 2027: weekends only).
        assert_eq!(add_working_days(date!(2027 - 03 - 05), 1), date!(2027 - 03 - 08));
        assert_eq!(add_working_days(date!(2027 - 03 - 01), 15), date!(2027 - 03 - 22));
        assert_eq!(add_working_days(date!(2027 - 03 - 01), 30), date!(2027 - 04 - 12));
        assert_eq!(working_days_between(date!(2027 - 03 - 01), date!(2027 - 03 - 22)), 15);
        assert_eq!(working_days_between(date!(2027 - 03 - 22), date!(2027 - 03 - 01)), 0);
    }

    #[test]
    fn holidays_and_makeup_days_count_as_the_notices_say() {
        // National Day 2026: 1–7 October off, Saturday 10 October worked.
        assert!(!is_working_day(date!(2026 - 10 - 05)));
        assert!(is_working_day(date!(2026 - 10 - 10)));
        // Accepted Wednesday 30 September 2026: 8, 9, 10 (Sat, worked), 12 … are the working days.
        assert_eq!(add_working_days(date!(2026 - 09 - 30), 3), date!(2026 - 10 - 10));
        // Spring Festival 2026 spans 15–23 February; Saturday 14 February is worked.
        assert!(is_working_day(date!(2026 - 02 - 14)));
        assert_eq!(add_working_days(date!(2026 - 02 - 13), 2), date!(2026 - 02 - 24));
    }

    #[test]
    fn counting_and_adding_agree() {
        let start = date!(2025 - 12 - 20);
        for n in 0..60 {
            assert_eq!(working_days_between(start, add_working_days(start, n)), n);
        }
    }
}
