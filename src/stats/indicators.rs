//! The plan's 15 indicators (主要指标, DOMAIN.md §8): baseline, 2025 target, yearly actuals, and
//! whether each is on the straight path from its baseline to the target. Indicator 12 (技术合同
//! 成交额) comes live from registered contracts, 13–15 from organisations' qualifications; the
//! rest are entered by administrators with source and date. Values are decimals scaled to
//! 1/10,000 in integers.

use serde::Serialize;

/// Where an indicator's actuals come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Entered,
    /// Registered contracts (in 亿元).
    Contracts,
    /// Organisations of the district holding this qualification.
    Qualification(&'static str),
}

/// One indicator of the plan.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Indicator {
    pub no: u8,
    pub name: &'static str,
    pub unit: &'static str,
    pub baseline: &'static str,
    pub baseline_year: i32,
    pub target: &'static str,
    pub source: Source,
}

const fn entered(
    no: u8,
    name: &'static str,
    unit: &'static str,
    baseline: &'static str,
    year: i32,
    target: &'static str,
) -> Indicator {
    Indicator { no, name, unit, baseline, baseline_year: year, target, source: Source::Entered }
}

/// The target year of every indicator.
pub const TARGET_YEAR: i32 = 2025;

pub const INDICATORS: [Indicator; 15] = [
    entered(1, "科技进步贡献率", "%", "55.4", 2020, "65"),
    entered(2, "综合科技创新水平指数", "%", "54.04", 2020, "65"),
    entered(3, "企业研发经费支出占全社会研发经费支出的比重", "%", "77.8", 2020, "80"),
    entered(4, "全社会研发经费支出占地区生产总值的比重", "%", "1.27", 2020, "1.8"),
    entered(5, "区本级财政科技支出占一般公共预算支出的比重", "%", "0.45", 2021, "1.0"),
    entered(6, "全区规模以上工业企业研发经费支出占营业收入的比重", "%", "2.48", 2020, "2.8"),
    entered(7, "规模以上工业企业有研发活动的占比", "%", "25", 2021, "40"),
    entered(8, "每万名就业人员中研发人员", "人年", "12.47", 2020, "20"),
    entered(9, "每万人口高价值发明专利拥有量", "件", "0.5", 2021, "0.6"),
    entered(10, "新产品销售收入占企业营业收入的比重", "%", "32.52", 2020, "35"),
    entered(11, "高技术产业营业收入占工业营业收入比重", "%", "43.67", 2020, "45"),
    Indicator { source: Source::Contracts, ..entered(12, "技术合同成交额", "亿元", "4", 2021, "6") },
    Indicator {
        source: Source::Qualification("high_tech_enterprise"),
        ..entered(13, "高新技术企业", "家", "13", 2021, "23")
    },
    Indicator {
        source: Source::Qualification("provincial_innovative_enterprise"),
        ..entered(14, "省级科技创新型企业", "家", "3", 2021, "26")
    },
    Indicator {
        source: Source::Qualification("tech_sme"), ..entered(15, "科技型中小企业", "家", "16", 2021, "45")
    },
];

/// The scale of stored decimals: 1 = 1/10,000.
pub const SCALE: i64 = 10_000;

/// Reads a decimal with at most four places (`55.4`, `0.45`, `-1`, `１２．５`) into 1/10,000ths.
pub fn parse_decimal(text: &str) -> Option<i64> {
    let normalized: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            other => other,
        })
        .collect();
    let (negative, body) = match normalized.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, normalized.as_str()),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty()
        || fraction.len() > 4
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok().filter(|w: &i64| *w < 1_000_000_000_000)?;
    let mut frac: i64 = if fraction.is_empty() { 0 } else { fraction.parse().ok()? };
    frac *= 10_i64.pow(4 - fraction.len() as u32);
    let value = whole * SCALE + frac;
    Some(if negative { -value } else { value })
}

/// 1/10,000ths as the shortest exact decimal (`554000` → `55.4`).
pub fn decimal_text(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    let (whole, frac) = (abs / SCALE as u64, abs % SCALE as u64);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{}", format!("{frac:04}").trim_end_matches('0'))
    }
}

/// The straight path from `baseline` (in `baseline_year`) to `target` (in [`TARGET_YEAR`]) at `year`.
pub fn on_path(baseline: i64, baseline_year: i32, target: i64, year: i32) -> i64 {
    if year <= baseline_year {
        return baseline;
    }
    if year >= TARGET_YEAR {
        return target;
    }
    let span = i64::from(TARGET_YEAR - baseline_year);
    baseline + (target - baseline) * i64::from(year - baseline_year) / span
}

/// Where a year's actual should be on the straight path from the baseline to the target.
pub fn expected(indicator: &Indicator, year: i32) -> i64 {
    let baseline = parse_decimal(indicator.baseline).unwrap_or(0);
    let target = parse_decimal(indicator.target).unwrap_or(0);
    on_path(baseline, indicator.baseline_year, target, year)
}

/// On track when the actual reaches the straight path (every indicator here grows towards its target).
pub fn on_track(indicator: &Indicator, year: i32, actual: i64) -> bool {
    actual >= expected(indicator, year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal("55.4"), Some(554_000));
        assert_eq!(parse_decimal("０．４５"), Some(4_500));
        assert_eq!(parse_decimal("1.2345"), Some(12_345));
        assert_eq!(parse_decimal("1.23456"), None);
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal(".5"), None);
        assert_eq!(decimal_text(554_000), "55.4");
        assert_eq!(decimal_text(-12_345), "-1.2345");
        assert_eq!(decimal_text(60_000), "6");
    }

    #[test]
    fn status_follows_the_straight_path_from_baseline_to_target() {
        let contracts = INDICATORS[11];
        // 4 亿元 in 2021 to 6 in 2025: 4.5 in 2022, 5 in 2023, 5.5 in 2024.
        assert_eq!(expected(&contracts, 2023), 50_000);
        assert!(on_track(&contracts, 2023, 50_000));
        assert!(!on_track(&contracts, 2024, 54_999));
        assert_eq!(expected(&contracts, 2026), 60_000);
        let progress = INDICATORS[0];
        // 55.4 (2020) → 65 (2025): 2022 expects 55.4 + 9.6 × 2/5 = 59.24.
        assert_eq!(expected(&progress, 2022), 592_400);
        assert_eq!(INDICATORS.iter().map(|i| i.no).collect::<Vec<_>>(), (1..=15).collect::<Vec<u8>>());
        // Names as the plan writes them.
        assert_eq!(INDICATORS[5].name, "全区规模以上工业企业研发经费支出占营业收入的比重");
        assert_eq!(INDICATORS[6].name, "规模以上工业企业有研发活动的占比");
    }
}
