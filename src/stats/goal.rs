//! The goal arithmetic, in integers (DOMAIN.md §7): progress, run rate, the projection from the
//! monthly trend, what each remaining month must add, and the comparison with last year. No I/O.

use serde::Serialize;
use time::{Date, Month};

/// What the figures are computed from.
#[derive(Debug, Clone)]
pub struct GoalInput {
    pub year: i32,
    /// The goal in fen.
    pub goal_fen: i64,
    /// Registered amounts of each month of the year (January first), in fen.
    pub months: [i64; 12],
    /// The day the figures describe: today for the current year, 31 December for a past one.
    pub as_of: Date,
    /// Last year's registered amount from 1 January up to the same month and day.
    pub last_year_to_date: i64,
    /// The year is over (seen from a later year): nothing is left to add.
    pub closed: bool,
}

/// The figures the goal page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoalFigures {
    pub so_far_fen: i64,
    /// Progress in hundredths of a percent, rounded down (10,000 = 100 %).
    pub progress_bp: i64,
    pub remaining_fen: i64,
    /// Days of the year elapsed up to and including `as_of`.
    pub elapsed_days: i64,
    pub days_in_year: i64,
    /// so far × days in the year ÷ days elapsed.
    pub run_rate_projection_fen: i64,
    /// Completed months plus the least-squares line through them carried to December.
    pub trend_projection_fen: i64,
    /// Months still open, including the current one.
    pub months_left: i64,
    /// What each open month must add to reach the goal (rounded up to the fen).
    pub required_per_month_fen: i64,
    pub last_year_to_date_fen: i64,
    /// Change against last year to date, in hundredths of a percent (None when last year is zero).
    pub change_vs_last_year_bp: Option<i64>,
    /// Cumulative amount at the end of each month (up to `as_of`'s month; later months are None).
    pub cumulative: Vec<Option<i64>>,
    /// The straight path to the goal at the end of each month.
    pub goal_path: Vec<i64>,
    pub on_track: bool,
}

fn days_in_year(year: i32) -> i64 {
    if time::util::is_leap_year(year) { 366 } else { 365 }
}

/// Integer division rounding to the nearest (half away from zero).
fn div_round(n: i128, d: i128) -> i128 {
    if d == 0 {
        return 0;
    }
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() { q + n.signum() * d.signum() } else { q }
}

fn clamp_i64(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// The least-squares line through `ys` at x = 1..=n, evaluated at `x`; `None` with fewer than two points.
fn trend_at(ys: &[i64], x: i128) -> Option<i128> {
    let n = ys.len() as i128;
    if n < 2 {
        return None;
    }
    let sx: i128 = (1..=n).sum();
    let sxx: i128 = (1..=n).map(|x| x * x).sum();
    let sy: i128 = ys.iter().map(|y| i128::from(*y)).sum();
    let sxy: i128 = ys.iter().enumerate().map(|(i, y)| (i as i128 + 1) * i128::from(*y)).sum();
    let denominator = n * sxx - sx * sx;
    // y(x) = (sy·sxx − sx·sxy + x·(n·sxy − sx·sy)) / denominator
    Some(div_round(sy * sxx - sx * sxy + x * (n * sxy - sx * sy), denominator))
}

/// Computes every figure of the goal page.
pub fn figures(input: &GoalInput) -> GoalFigures {
    let year_days = days_in_year(input.year);
    let (elapsed_days, current_month) = if input.as_of.year() < input.year {
        (0, 0)
    } else if input.as_of.year() > input.year {
        (year_days, 13)
    } else {
        (i64::from(input.as_of.ordinal()), u8::from(input.as_of.month()))
    };
    let shown_months = usize::from(current_month.min(12));
    let so_far: i128 = input.months[..shown_months].iter().map(|m| i128::from(*m)).sum();
    let goal = i128::from(input.goal_fen.max(0));
    let progress_bp = if goal > 0 { clamp_i64(so_far * 10_000 / goal) } else { 0 };
    let remaining = (goal - so_far).max(0);
    let run_rate =
        if elapsed_days > 0 { div_round(so_far * i128::from(year_days), i128::from(elapsed_days)) } else { 0 };
    // Completed months are those before the current one; the trend line goes through them.
    let completed = usize::from(current_month.saturating_sub(1).min(12));
    let completed_sum: i128 = input.months[..completed].iter().map(|m| i128::from(*m)).sum();
    let trend = match trend_at(&input.months[..completed], 0) {
        Some(_) => {
            let mut total = completed_sum;
            for month in completed + 1..=12 {
                let predicted = trend_at(&input.months[..completed], month as i128).unwrap_or(0).max(0);
                // The current month has at least what is registered already.
                let actual = if month == completed + 1 { i128::from(input.months[completed.min(11)]) } else { 0 };
                total += predicted.max(actual);
            }
            total
        }
        None => run_rate,
    };
    let months_left = if current_month > 12 || input.closed { 0 } else { i64::from(13 - current_month.max(1)) };
    let required = if months_left > 0 && remaining > 0 {
        (remaining + i128::from(months_left) - 1) / i128::from(months_left)
    } else {
        0
    };
    let last = i128::from(input.last_year_to_date);
    let change = (last > 0).then(|| clamp_i64((so_far - last) * 10_000 / last));
    let mut running = 0i128;
    let cumulative = (0..12)
        .map(|i| {
            running += i128::from(input.months[i]);
            (i < shown_months).then(|| clamp_i64(running))
        })
        .collect();
    let goal_path: Vec<i64> = (1..=12).map(|m| clamp_i64(div_round(goal * m, 12))).collect();
    // On track: at least the straight path's share of the goal for the days elapsed.
    let expected_now = if year_days > 0 { goal * i128::from(elapsed_days) / i128::from(year_days) } else { 0 };
    GoalFigures {
        so_far_fen: clamp_i64(so_far),
        progress_bp,
        remaining_fen: clamp_i64(remaining),
        elapsed_days,
        days_in_year: year_days,
        run_rate_projection_fen: clamp_i64(run_rate),
        trend_projection_fen: clamp_i64(trend),
        months_left,
        required_per_month_fen: clamp_i64(required),
        last_year_to_date_fen: input.last_year_to_date,
        change_vs_last_year_bp: change,
        cumulative,
        goal_path,
        on_track: so_far >= expected_now,
    }
}

/// `12.34%` from hundredths of a percent.
pub fn percent_text(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let abs = bp.unsigned_abs();
    format!("{sign}{}.{:02}%", abs / 100, abs % 100)
}

/// The last day of a year.
pub fn year_end(year: i32) -> Date {
    Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const YI: i64 = 10_000_000_000; // 1 亿元 in fen

    fn input(months: [i64; 12], as_of: Date, last: i64) -> GoalInput {
        GoalInput { year: 2026, goal_fen: 6 * YI, months, as_of, last_year_to_date: last, closed: as_of.year() > 2026 }
    }

    #[test]
    fn a_steady_year_projects_its_own_pace() {
        // ¥50M registered in each month January to May; figures as of 31 May 2026.
        let mut months = [0; 12];
        for m in months.iter_mut().take(5) {
            *m = YI / 2;
        }
        let f = figures(&input(months, date!(2026 - 05 - 31), 2 * YI));
        assert_eq!(f.so_far_fen, 5 * YI / 2);
        assert_eq!(f.progress_bp, 4166); // 2.5 / 6 = 41.66 %
        assert_eq!(f.remaining_fen, 7 * YI / 2);
        assert_eq!(f.elapsed_days, 151);
        // Four completed months at ¥50M: the trend is flat, May keeps its ¥50M, June–December add ¥50M each.
        assert_eq!(f.trend_projection_fen, 6 * YI);
        assert_eq!(f.run_rate_projection_fen, 60_430_463_576); // 2.5亿 × 365 / 151, rounded
        assert_eq!(f.months_left, 8);
        assert_eq!(f.required_per_month_fen, 7 * YI / 2 / 8);
        assert_eq!(f.change_vs_last_year_bp, Some(2500));
        assert_eq!(f.cumulative[4], Some(5 * YI / 2));
        assert_eq!(f.cumulative[5], None);
        assert_eq!(f.goal_path[11], 6 * YI);
        assert_eq!(f.goal_path[5], 3 * YI);
        assert!(f.on_track);
    }

    #[test]
    fn a_growing_trend_is_carried_forward() {
        // 10, 20, 30 (万元 ×1e6 fen) in January–March, nothing yet in April (as of 10 April).
        let wan = 1_000_000;
        let months = [10 * wan, 20 * wan, 30 * wan, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let f = figures(&input(months, date!(2026 - 04 - 10), 0));
        // Line y = 10x: April 40 … December 120 → 60 + (40+…+120) = 60 + 720 = 780 万元.
        assert_eq!(f.trend_projection_fen, 780 * wan);
        assert_eq!(f.change_vs_last_year_bp, None);
        assert!(!f.on_track);
    }

    #[test]
    fn past_and_future_years_and_a_reached_goal() {
        let months = [YI; 12];
        let past = figures(&input(months, date!(2027 - 02 - 01), 0));
        assert_eq!(past.so_far_fen, 12 * YI);
        assert_eq!(past.progress_bp, 20_000);
        assert_eq!((past.remaining_fen, past.required_per_month_fen, past.months_left), (0, 0, 0));
        let future = figures(&input([0; 12], date!(2025 - 12 - 01), 0));
        assert_eq!((future.so_far_fen, future.elapsed_days, future.months_left), (0, 0, 12));
        assert_eq!(future.required_per_month_fen, YI / 2);
        assert_eq!(percent_text(4166), "41.66%");
        // A closed year seen from the next one: figures as of 31 December, nothing left to do.
        let half = [YI / 4; 12];
        let closed = figures(&GoalInput {
            year: 2025,
            goal_fen: 6 * YI,
            months: half,
            as_of: date!(2025 - 12 - 31),
            last_year_to_date: 0,
            closed: true,
        });
        assert_eq!((closed.months_left, closed.required_per_month_fen), (0, 0));
        assert_eq!(closed.remaining_fen, 3 * YI);
        assert_eq!(closed.elapsed_days, 365);
        assert_eq!(percent_text(-250), "-2.50%");
    }
}
