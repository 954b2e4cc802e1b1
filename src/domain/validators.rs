//! Validators users expect (DOMAIN.md §9): 统一社会信用代码, patent application numbers, mobiles.
//!
//! Each takes what a person typed (full-width digits, spaces, prefixes) and returns the
//! normalised form to store, or an error whose Display text is the Chinese message to show.

/// The 31 characters of GB 32100-2015 (no I, O, S, V, Z).
const CREDIT_CODE_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Full-width ASCII to half-width, whitespace removed.
fn to_half_width(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码应为 18 位，当前为 {0} 位")]
    Length(usize),
    #[error("统一社会信用代码第 {position} 位“{found}”不是有效字符（不含 I、O、S、V、Z）")]
    Character { position: usize, found: char },
    #[error("统一社会信用代码校验位不符（应为 {expected}），请核对后重新填写")]
    Checksum { expected: char },
}

impl CreditCodeError {
    /// Some early pilot codes fail the check yet were issued: only a checksum mismatch may be
    /// overridden by an administrator (audited); length and alphabet errors never.
    pub fn is_overridable(&self) -> bool {
        matches!(self, CreditCodeError::Checksum { .. })
    }
}

/// The check character of the first 17 characters, per GB 32100-2015.
fn credit_code_check(body: &[u8]) -> Option<char> {
    let alphabet = CREDIT_CODE_ALPHABET.as_bytes();
    let mut sum = 0usize;
    let mut weight = 1usize;
    for &b in body {
        let value = alphabet.iter().position(|&a| a == b)?;
        sum += value * weight;
        weight = weight * 3 % 31;
    }
    Some(char::from(alphabet[(31 - sum % 31) % 31]))
}

/// Completes the first 17 characters of a 统一社会信用代码 with their check character
/// (`None` if a character is outside the alphabet). Demo data and tests make codes with it.
pub fn complete_credit_code(body: &str) -> Option<String> {
    if body.len() != 17 {
        return None;
    }
    credit_code_check(body.as_bytes()).map(|check| format!("{body}{check}"))
}

/// Normalises and checks a 统一社会信用代码 (upper case, half width).
pub fn credit_code(input: &str) -> Result<String, CreditCodeError> {
    let code = to_half_width(input).to_ascii_uppercase();
    let count = code.chars().count();
    if count != 18 {
        return Err(CreditCodeError::Length(count));
    }
    if let Some((index, found)) = code.chars().enumerate().find(|(_, c)| !CREDIT_CODE_ALPHABET.contains(*c)) {
        return Err(CreditCodeError::Character { position: index + 1, found });
    }
    let bytes = code.as_bytes();
    let expected = credit_code_check(&bytes[..17]).ok_or(CreditCodeError::Length(count))?;
    if char::from(bytes[17]) != expected {
        return Err(CreditCodeError::Checksum { expected });
    }
    Ok(code)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatentNumberError {
    #[error("专利申请号格式不正确：应为 12 位数字（2003 年 10 月起）或 8 位数字，加校验位，例如 CN201080063196.9")]
    Format,
    #[error("专利申请号校验位不符（应为 {expected}），请核对后重新填写")]
    Checksum { expected: char },
}

const PATENT_WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

/// Normalises and checks a Chinese patent application number; returns `digits.check`
/// (e.g. `201080063196.9`), without the `ZL`/`CN` prefix.
pub fn patent_application_number(input: &str) -> Result<String, PatentNumberError> {
    let text = to_half_width(input).to_ascii_uppercase();
    let text = text.strip_prefix("ZL").or_else(|| text.strip_prefix("CN")).unwrap_or(&text);
    // The dot before the check character is optional: `201080063196.9` or `2010800631969`.
    let compact: String = match text.char_indices().rev().nth(1) {
        Some((index, '.')) => format!("{}{}", &text[..index], &text[index + 1..]),
        _ => text.to_string(),
    };
    if !(compact.len() == 13 || compact.len() == 9) || !compact.is_ascii() {
        return Err(PatentNumberError::Format);
    }
    let (digits, check) = compact.split_at(compact.len() - 1);
    let check = check.chars().next().unwrap_or('?');
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(check.is_ascii_digit() || check == 'X') {
        return Err(PatentNumberError::Format);
    }
    let sum: u32 = digits.bytes().zip(PATENT_WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let expected = match sum % 11 {
        10 => 'X',
        n => char::from_digit(n, 10).unwrap_or('X'),
    };
    if check != expected {
        return Err(PatentNumberError::Checksum { expected });
    }
    Ok(format!("{digits}.{check}"))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("手机号码格式不正确：应为 11 位、以 1 开头的中国大陆手机号")]
pub struct MobileError;

/// Normalises a mainland mobile number to its 11 digits (spaces, dashes, `+86` removed).
pub fn mobile(input: &str) -> Result<String, MobileError> {
    let text: String = to_half_width(input).chars().filter(|c| *c != '-').collect();
    let text = text.strip_prefix("+86").or_else(|| text.strip_prefix("0086")).unwrap_or(&text);
    let bytes = text.as_bytes();
    let valid = bytes.len() == 11
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
        && bytes.iter().all(u8::is_ascii_digit);
    if valid { Ok(text.to_string()) } else { Err(MobileError) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes() {
        let cases: &[(&str, Result<&str, CreditCodeError>)] = &[
            ("91350200776049653A", Ok("91350200776049653A")),
            ("91350200776049653a", Ok("91350200776049653A")),
            (" 9135 0200 7760 4965 3A ", Ok("91350200776049653A")),
            ("９１３５０２００７７６０４９６５３Ａ", Ok("91350200776049653A")),
            ("916205030000000009", Ok("916205030000000009")),
            ("12620000438000000E", Ok("12620000438000000E")),
            ("91350200776049653B", Err(CreditCodeError::Checksum { expected: 'A' })),
            ("91350200776049653", Err(CreditCodeError::Length(17))),
            ("913502007760496539A", Err(CreditCodeError::Length(19))),
            ("", Err(CreditCodeError::Length(0))),
            ("9135020077604965IA", Err(CreditCodeError::Character { position: 17, found: 'I' })),
            ("O1350200776049653A", Err(CreditCodeError::Character { position: 1, found: 'O' })),
            ("91350200776049653统", Err(CreditCodeError::Character { position: 18, found: '统' })),
        ];
        for (input, expected) in cases {
            assert_eq!(credit_code(input).as_deref().map_err(Clone::clone), expected.clone(), "{input:?}");
        }
    }

    #[test]
    fn completed_codes_validate() {
        assert_eq!(complete_credit_code("91350200776049653").as_deref(), Some("91350200776049653A"));
        assert_eq!(complete_credit_code("9135020077604965I"), None);
        assert_eq!(complete_credit_code("913"), None);
    }

    #[test]
    fn only_checksum_mismatches_may_be_overridden() {
        assert!(credit_code("91350200776049653B").expect_err("bad").is_overridable());
        assert!(!credit_code("9135").expect_err("bad").is_overridable());
        assert!(!credit_code("9135020077604965IA").expect_err("bad").is_overridable());
    }

    #[test]
    fn patent_numbers() {
        let cases: &[(&str, Result<&str, PatentNumberError>)] = &[
            ("CN201080063196.9", Ok("201080063196.9")),
            ("201080063196.9", Ok("201080063196.9")),
            ("2010800631969", Ok("201080063196.9")),
            ("cn 2010 8006 3196.9", Ok("201080063196.9")),
            ("ＣＮ２０１０８００６３１９６．９", Ok("201080063196.9")),
            ("ZL95115608.X", Ok("95115608.X")),
            ("zl95115608.x", Ok("95115608.X")),
            ("ZL201310699744.3", Err(PatentNumberError::Checksum { expected: '2' })),
            ("ZL201310699744.2", Ok("201310699744.2")),
            ("CN201080063196", Err(PatentNumberError::Format)),
            ("CN20108006319.9", Err(PatentNumberError::Format)),
            ("CN201080063196.99", Err(PatentNumberError::Format)),
            ("CN201080063196.A", Err(PatentNumberError::Format)),
            ("US201080063196.9", Err(PatentNumberError::Format)),
            ("", Err(PatentNumberError::Format)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                patent_application_number(input).as_deref().map_err(Clone::clone),
                expected.clone(),
                "{input:?}"
            );
        }
    }

    #[test]
    fn mobiles() {
        let cases: &[(&str, Option<&str>)] = &[
            ("13800138000", Some("13800138000")),
            ("+86 138 0013 8000", Some("13800138000")),
            ("+86-138-0013-8000", Some("13800138000")),
            ("0086 13800138000", Some("13800138000")),
            ("１３８００１３８０００", Some("13800138000")),
            ("19912345678", Some("19912345678")),
            ("12800138000", None),
            ("1380013800", None),
            ("138001380001", None),
            ("23800138000", None),
            ("1380013800a", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(mobile(input).ok().as_deref(), *expected, "{input:?}");
        }
    }

    #[test]
    fn messages_are_chinese() {
        for message in [
            credit_code("x").expect_err("bad").to_string(),
            patent_application_number("x").expect_err("bad").to_string(),
            mobile("x").expect_err("bad").to_string(),
        ] {
            assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{message}");
        }
    }
}
