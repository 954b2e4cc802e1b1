//! Money as integer fen (分): exact parsing of 元 / 万元 / 亿元 input and Chinese display.
//!
//! Amounts never pass through floating point. Input may use full-width digits, `¥`/`￥`,
//! thousands separators `,`/`，` and a unit suffix; output follows the forms the district's
//! reports use: `¥1,234.56`, `12.5万元`, `6.00亿元`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of money in fen (1 元 = 100 分). Never negative when parsed from user input.
/// The largest amount a contract (or any of its parts) may carry: ¥10 万亿, far above any real
/// contract and far below where sums of many could overflow.
pub const MAX_CONTRACT_AMOUNT: Fen = Fen(1_000_000_000_000_000);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// The unit an input is written in when it carries no suffix of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Yuan,
    Wan,
    Yi,
}

impl Unit {
    /// How many decimal places of this unit make one fen.
    fn fen_digits(self) -> u32 {
        match self {
            Unit::Yuan => 2,
            Unit::Wan => 6,
            Unit::Yi => 10,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::Wan => "万元",
            Unit::Yi => "亿元",
        }
    }
}

/// Why an amount could not be read; the Display text is shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("请填写金额")]
    Empty,
    #[error("金额不能为负数")]
    Negative,
    #[error("“{0}”不是有效的金额，请填写数字，例如 12.5 或 1,234.56")]
    Invalid(String),
    #[error("金额最多精确到分（以{0}为单位时最多 {1} 位小数）")]
    TooPrecise(&'static str, u32),
    #[error("金额过大，超出系统可记录的范围")]
    Overflow,
}

/// Suffixes recognised at the end of an input, longest first.
const SUFFIXES: [(&str, Unit); 5] =
    [("亿元", Unit::Yi), ("万元", Unit::Wan), ("亿", Unit::Yi), ("万", Unit::Wan), ("元", Unit::Yuan)];

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// From whole yuan; `None` on overflow.
    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        yuan.checked_mul(100).map(Fen)
    }

    /// Parses user input. A unit suffix (元, 万/万元, 亿/亿元) wins over `default_unit`.
    pub fn parse(input: &str, default_unit: Unit) -> Result<Fen, MoneyError> {
        let normalized = normalize(input);
        let mut text = normalized.as_str();
        // A currency sign means yuan unless a suffix says otherwise: `¥1,234.56` is never 万元.
        let mut unit = default_unit;
        for prefix in ["¥", "￥", "RMB", "rmb", "人民币"] {
            if let Some(rest) = text.strip_prefix(prefix) {
                text = rest;
                unit = Unit::Yuan;
            }
        }
        for (suffix, suffix_unit) in SUFFIXES {
            if let Some(rest) = text.strip_suffix(suffix) {
                text = rest;
                unit = suffix_unit;
                break;
            }
        }
        if text.is_empty() {
            return Err(if normalized.is_empty() {
                MoneyError::Empty
            } else {
                MoneyError::Invalid(input.trim().to_string())
            });
        }
        if let Some(rest) = text.strip_prefix('-') {
            return Err(if is_number_shape(rest) {
                MoneyError::Negative
            } else {
                MoneyError::Invalid(input.trim().to_string())
            });
        }
        let text = text.strip_prefix('+').unwrap_or(text);
        if !is_number_shape(text) {
            return Err(MoneyError::Invalid(input.trim().to_string()));
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = unit.fen_digits();
        let fraction = fraction.trim_end_matches('0');
        if fraction.len() > digits as usize {
            return Err(MoneyError::TooPrecise(unit.label(), digits));
        }
        let mut fen: i64 = 0;
        for b in whole.bytes().filter(|b| *b != b',') {
            fen = fen.checked_mul(10).and_then(|v| v.checked_add(i64::from(b - b'0'))).ok_or(MoneyError::Overflow)?;
        }
        fen = fen.checked_mul(10_i64.pow(digits)).ok_or(MoneyError::Overflow)?;
        let mut frac_fen: i64 = 0;
        for b in fraction.bytes() {
            frac_fen = frac_fen * 10 + i64::from(b - b'0');
        }
        frac_fen *= 10_i64.pow(digits - fraction.len() as u32);
        fen.checked_add(frac_fen).map(Fen).ok_or(MoneyError::Overflow)
    }

    /// `¥1,234.56`
    pub fn format_yuan(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = i128::from(self.0).unsigned_abs();
        format!("{sign}¥{}.{:02}", group_thousands(abs / 100), abs % 100)
    }

    /// `12.5万元`: rounded half up to 0.01 万元, trailing zeros dropped.
    pub fn format_wan(self) -> String {
        let (sign, whole, hundredths) = self.rounded_hundredths(1_000_000);
        let decimals = match hundredths {
            0 => String::new(),
            h if h % 10 == 0 => format!(".{}", h / 10),
            h => format!(".{h:02}"),
        };
        format!("{sign}{}{decimals}万元", group_thousands(whole))
    }

    /// `6.00亿元`: always two decimals, rounded half up.
    pub fn format_yi(self) -> String {
        let (sign, whole, hundredths) = self.rounded_hundredths(10_000_000_000);
        format!("{sign}{}.{hundredths:02}亿元", group_thousands(whole))
    }

    /// The exact amount in 元 without a unit or separators, for forms and CSV: `1234.56`, `85`.
    pub fn yuan_exact(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = i128::from(self.0).unsigned_abs();
        match abs % 100 {
            0 => format!("{sign}{}", abs / 100),
            cents => format!("{sign}{}.{cents:02}", abs / 100),
        }
    }

    /// The exact amount in 万元 without a unit, for putting back into a form: `1.234567`, `85`.
    pub fn wan_exact(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = i128::from(self.0).unsigned_abs();
        let (whole, fraction) = (abs / 1_000_000, abs % 1_000_000);
        if fraction == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{}", format!("{fraction:06}").trim_end_matches('0'))
        }
    }

    /// The form a reader takes in at a glance: 亿元 from one 亿, 万元 from one 万, else `¥…`.
    pub fn format_compact(self) -> String {
        match self.0.unsigned_abs() {
            n if n >= 10_000_000_000 => self.format_yi(),
            n if n >= 1_000_000 => self.format_wan(),
            _ => self.format_yuan(),
        }
    }

    /// Splits into sign, whole units and hundredths of a unit of `unit_fen`, rounding half up.
    fn rounded_hundredths(self, unit_fen: u128) -> (&'static str, u128, u128) {
        let abs = i128::from(self.0).unsigned_abs();
        let step = unit_fen / 100;
        let hundredths_total = (abs + step / 2) / step;
        let sign = if self.0 < 0 && hundredths_total > 0 { "-" } else { "" };
        (sign, hundredths_total / 100, hundredths_total % 100)
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_yuan())
    }
}

/// Full-width forms to ASCII, Chinese comma to comma, whitespace removed.
fn normalize(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            '，' => ',',
            '－' | '−' => '-',
            '＋' => '+',
            other => other,
        })
        .collect()
}

/// Digits with optional thousands separators in the whole part, then optionally `.` and digits.
fn is_number_shape(text: &str) -> bool {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let whole_ok = if whole.is_empty() {
        fraction.is_some_and(|f| !f.is_empty())
    } else {
        // Thousands separators only where they belong: "1,234,567", never "1,2,3" or "12,34".
        let groups: Vec<&str> = whole.split(',').collect();
        groups.iter().all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
            && (groups.len() == 1 || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3)))
    };
    let fraction_ok =
        fraction.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit()) && !(f.is_empty() && whole.is_empty()));
    whole_ok && fraction_ok
}

fn group_thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_people_type() {
        let cases: &[(&str, Unit, i64)] = &[
            ("0", Unit::Yuan, 0),
            ("0.01", Unit::Yuan, 1),
            ("1,234.56", Unit::Yuan, 123_456),
            ("¥1,234.56", Unit::Yuan, 123_456),
            ("￥ 1 234", Unit::Yuan, 123_400),
            ("１２３４．５", Unit::Yuan, 123_450),
            ("１，２３４元", Unit::Wan, 123_400),
            ("12.5", Unit::Wan, 12_500_000),
            ("12.5万元", Unit::Yuan, 12_500_000),
            ("12.5万", Unit::Yuan, 12_500_000),
            ("1.234567万元", Unit::Yuan, 1_234_567),
            ("0.000001万元", Unit::Yuan, 1),
            ("6亿元", Unit::Yuan, 60_000_000_000),
            ("6亿", Unit::Wan, 60_000_000_000),
            (".5", Unit::Yuan, 50),
            ("5.", Unit::Yuan, 500),
            ("+7", Unit::Yuan, 700),
            ("1.2300", Unit::Yuan, 123),
            ("92233720368547758.07", Unit::Yuan, i64::MAX),
            ("人民币100元", Unit::Wan, 10_000),
            ("¥12", Unit::Wan, 1_200),
            ("¥12万", Unit::Yuan, 12_000_000),
        ];
        for (input, unit, fen) in cases {
            assert_eq!(Fen::parse(input, *unit), Ok(Fen(*fen)), "input {input:?}");
        }
    }

    #[test]
    fn refuses_what_is_not_an_exact_amount() {
        let cases: &[(&str, Unit, MoneyError)] = &[
            ("", Unit::Yuan, MoneyError::Empty),
            ("   ", Unit::Yuan, MoneyError::Empty),
            ("-1", Unit::Yuan, MoneyError::Negative),
            ("－５万元", Unit::Yuan, MoneyError::Negative),
            ("0.001", Unit::Yuan, MoneyError::TooPrecise("元", 2)),
            ("1.2345678万元", Unit::Yuan, MoneyError::TooPrecise("万元", 6)),
            ("92233720368547758.08", Unit::Yuan, MoneyError::Overflow),
            ("99999999999999999999", Unit::Yuan, MoneyError::Overflow),
            ("999999999999999万元", Unit::Yuan, MoneyError::Overflow),
            ("abc", Unit::Yuan, MoneyError::Invalid("abc".into())),
            ("1.2.3", Unit::Yuan, MoneyError::Invalid("1.2.3".into())),
            ("1e5", Unit::Yuan, MoneyError::Invalid("1e5".into())),
            (",100", Unit::Yuan, MoneyError::Invalid(",100".into())),
            ("100,", Unit::Yuan, MoneyError::Invalid("100,".into())),
            ("万元", Unit::Yuan, MoneyError::Invalid("万元".into())),
            (".", Unit::Yuan, MoneyError::Invalid(".".into())),
            ("--1", Unit::Yuan, MoneyError::Invalid("--1".into())),
            ("NaN", Unit::Yuan, MoneyError::Invalid("NaN".into())),
            ("1,2,3", Unit::Wan, MoneyError::Invalid("1,2,3".into())),
            ("12,34", Unit::Yuan, MoneyError::Invalid("12,34".into())),
            ("1234,567", Unit::Yuan, MoneyError::Invalid("1234,567".into())),
        ];
        for (input, unit, error) in cases {
            assert_eq!(Fen::parse(input, *unit).as_ref(), Err(error), "input {input:?}");
        }
    }

    #[test]
    fn every_error_reads_in_chinese() {
        for input in ["", "-1", "0.001", "abc", "99999999999999999999"] {
            let message = Fen::parse(input, Unit::Yuan).expect_err("must fail").to_string();
            assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{message}");
        }
    }

    #[test]
    fn formats_as_reports_do() {
        let cases: &[(i64, &str, &str, &str)] = &[
            (0, "¥0.00", "0万元", "0.00亿元"),
            (1, "¥0.01", "0万元", "0.00亿元"),
            (123_456, "¥1,234.56", "0.12万元", "0.00亿元"),
            (12_500_000, "¥125,000.00", "12.5万元", "0.00亿元"),
            (1_234_567, "¥12,345.67", "1.23万元", "0.00亿元"),
            (1_235_000, "¥12,350.00", "1.24万元", "0.00亿元"),
            (60_000_000_000, "¥600,000,000.00", "60,000万元", "6.00亿元"),
            (54_321_000_000, "¥543,210,000.00", "54,321万元", "5.43亿元"),
            (-150, "-¥1.50", "0万元", "0.00亿元"),
            (-12_500_000, "-¥125,000.00", "-12.5万元", "0.00亿元"),
        ];
        for (fen, yuan, wan, yi) in cases {
            let amount = Fen(*fen);
            assert_eq!(amount.format_yuan(), *yuan, "yuan {fen}");
            assert_eq!(amount.format_wan(), *wan, "wan {fen}");
            assert_eq!(amount.format_yi(), *yi, "yi {fen}");
        }
        assert_eq!(Fen(i64::MAX).format_yuan(), "¥92,233,720,368,547,758.07");
        assert_eq!(Fen(i64::MIN).format_yuan(), "-¥92,233,720,368,547,758.08");
    }

    #[test]
    fn exact_wan_round_trips() {
        for fen in [0_i64, 1, 1_234_567, 85_000_000, 120_000_000_000] {
            let text = Fen(fen).wan_exact();
            assert_eq!(Fen::parse(&text, Unit::Wan), Ok(Fen(fen)), "{text}");
        }
        assert_eq!(Fen(1_234_567).wan_exact(), "1.234567");
        assert_eq!(Fen(85_000_000).wan_exact(), "85");
        assert_eq!(Fen(123_456).yuan_exact(), "1234.56");
        assert_eq!(Fen(123_450).yuan_exact(), "1234.50");
        assert_eq!(Fen(8_500).yuan_exact(), "85");
    }

    #[test]
    fn compact_form_picks_the_readable_unit() {
        assert_eq!(Fen(999_999).format_compact(), "¥9,999.99");
        assert_eq!(Fen(12_500_000).format_compact(), "12.5万元");
        assert_eq!(Fen(60_000_000_000).format_compact(), "6.00亿元");
    }

    #[test]
    fn round_trips_through_display_units() {
        for fen in [0_i64, 1, 99, 100, 123_456_789, 60_000_000_000] {
            let amount = Fen(fen);
            let yuan = amount.format_yuan();
            assert_eq!(Fen::parse(&yuan, Unit::Wan), Ok(amount), "{yuan}");
        }
    }
}
