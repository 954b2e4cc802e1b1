//! Reading what people type into forms: trimmed text with length bounds, lists, dates, and
//! per-field Chinese messages collected in one map.

use std::collections::BTreeMap;

use time::Date;

/// Per-field Chinese messages, keyed by form field name.
pub type FieldErrors = BTreeMap<String, String>;

/// Collects field messages while a form is read.
#[derive(Debug, Default)]
pub struct Checker {
    pub errors: FieldErrors,
}

impl Checker {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.entry(field.to_string()).or_insert_with(|| message.into());
    }

    /// Trimmed text of `min..=max` characters; `min = 0` makes it optional.
    pub fn text(&mut self, field: &str, label: &str, value: Option<&str>, min: usize, max: usize) -> String {
        let text = value.unwrap_or_default().trim().to_string();
        let count = text.chars().count();
        if let Some(c) = super::control::first_in_text(&text) {
            self.fail(field, super::control::message(c, label));
        } else if count == 0 && min > 0 {
            self.fail(field, format!("请填写{label}"));
        } else if count > 0 && count < min {
            self.fail(field, format!("{label}至少需要 {min} 个字"));
        } else if count > max {
            self.fail(field, format!("{label}最多 {max} 个字，当前 {count} 个字"));
        }
        text
    }

    /// One value of a closed vocabulary, by its code.
    pub fn choice<T>(
        &mut self,
        field: &str,
        label: &str,
        value: Option<&str>,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let code = value.unwrap_or_default().trim();
        if code.is_empty() {
            self.fail(field, format!("请选择{label}"));
            return None;
        }
        let parsed = parse(code);
        if parsed.is_none() {
            self.fail(field, format!("{label}“{code}”不是可选的值"));
        }
        parsed
    }

    /// Several values of a closed vocabulary; unknown codes are an error, duplicates collapse.
    pub fn choices<T: PartialEq>(
        &mut self,
        field: &str,
        label: &str,
        values: &[String],
        parse: impl Fn(&str) -> Option<T>,
        at_least_one: bool,
    ) -> Vec<T> {
        let mut out = Vec::new();
        for code in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
            match parse(code) {
                Some(value) if !out.contains(&value) => out.push(value),
                Some(_) => {}
                None => self.fail(field, format!("{label}“{code}”不是可选的值")),
            }
        }
        if at_least_one && out.is_empty() {
            self.fail(field, format!("请至少选择一项{label}"));
        }
        out
    }

    /// An optional calendar date `YYYY-MM-DD`.
    pub fn date(&mut self, field: &str, label: &str, value: Option<&str>) -> Option<Date> {
        let text = value.unwrap_or_default().trim();
        if text.is_empty() {
            return None;
        }
        let parsed = super::time::parse_date(text);
        if parsed.is_none() {
            self.fail(field, format!("{label}应为日期，格式如 2026-03-01"));
        }
        parsed
    }

    /// An optional web link of at most `max` characters: `http://` or `https://`.
    pub fn link(&mut self, field: &str, label: &str, value: Option<&str>, max: usize) -> String {
        let url = self.text(field, label, value, 0, max);
        if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
            self.fail(field, format!("{label}应以 https:// 或 http:// 开头"));
        }
        url
    }

    /// A required Beijing date and time (`2026-12-10T09:30`, or RFC 3339 with an offset).
    pub fn datetime(&mut self, field: &str, label: &str, value: Option<&str>) -> Option<time::OffsetDateTime> {
        let text = value.unwrap_or_default().trim();
        if text.is_empty() {
            self.fail(field, format!("请填写{label}"));
            return None;
        }
        let parsed = super::time::parse_beijing_input(text);
        if parsed.is_none() {
            self.fail(field, format!("{label}应为北京时间，格式如 2026-12-10T09:30"));
        }
        parsed
    }

    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, FieldErrors> {
        if self.errors.is_empty() { value().ok_or(self.errors) } else { Err(self.errors) }
    }
}

/// Splits a free list (keywords, numbers) on commas, Chinese commas and 、, semicolons, new lines.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', '，', '、', ';', '；', '\n', '\r'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `2026-03-01`
pub fn date_text(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// A landline (`0938-1234567`) or mobile number, normalised; `None` if it is neither.
pub fn phone(text: &str) -> Option<String> {
    if let Ok(mobile) = super::validators::mobile(text) {
        return Some(mobile);
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let digits: String = compact.chars().filter(|c| *c != '-').collect();
    let landline = compact.starts_with('0')
        && compact.chars().all(|c| c.is_ascii_digit() || c == '-')
        && (10..=12).contains(&digits.len());
    landline.then_some(compact)
}

/// Whether an e-mail address looks deliverable enough to store.
pub fn email_ok(text: &str) -> bool {
    text.len() <= 254
        && !text.chars().any(char::is_whitespace)
        && text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_bounds_and_messages() {
        let mut check = Checker::default();
        assert_eq!(check.text("t", "标题", Some("  数控机床  "), 2, 10), "数控机床");
        check.text("a", "标题", None, 2, 10);
        check.text("b", "标题", Some("长".repeat(11).as_str()), 2, 10);
        check.text("c", "简介", Some("短"), 2, 10);
        check.text("d", "备注", None, 0, 10);
        assert_eq!(check.errors.len(), 3);
        assert_eq!(check.errors["a"], "请填写标题");
        assert!(check.errors["b"].contains("最多 10 个字"));
        assert!(check.errors["c"].contains("至少"));
    }

    #[test]
    fn lists_dates_and_phones() {
        assert_eq!(split_list("数控，轴承、 机床;;\n刀具"), ["数控", "轴承", "机床", "刀具"]);
        let mut check = Checker::default();
        assert!(check.date("d", "日期", Some("2026-02-30")).is_none());
        assert!(check.date("e", "日期", Some("2026-03-01")).is_some());
        assert!(check.date("f", "日期", Some("")).is_none());
        assert_eq!(check.errors.len(), 1);
        assert_eq!(phone("0938-8212345").as_deref(), Some("0938-8212345"));
        assert_eq!(phone("138 0013 8000").as_deref(), Some("13800138000"));
        assert_eq!(phone("12345"), None);
        assert!(email_ok("a@b.cn") && !email_ok("a@b") && !email_ok("a b@c.cn"));
    }
}
