//! Control characters are refused wherever text enters (URIs, JSON and form bodies, uploaded
//! cells): PostgreSQL cannot store NUL, and no person types the others. Line breaks and tabs stay
//! allowed in bodies (multi-line descriptions); in a URI nothing below U+0020 is allowed.

/// The first character a body may not contain: C0 controls other than tab, line feed and
/// carriage return, DEL, and the C1 block.
pub fn first_in_text(text: &str) -> Option<char> {
    text.chars().find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The first control character of a decoded URI component (tab and line breaks included).
pub fn first_in_uri(text: &str) -> Option<char> {
    text.chars().find(|c| c.is_control())
}

/// `U+0000` style, for messages.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// The Chinese message for a refused character, naming where it was found.
pub fn message(c: char, place: &str) -> String {
    format!("{place}含有不允许的控制字符（{}），请删除后重新提交", code_point(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_keep_line_breaks_and_refuse_the_rest() {
        assert_eq!(first_in_text("第一行\n第二行\t制表\r\n"), None);
        assert_eq!(first_in_text("a\u{0}b"), Some('\u{0}'));
        assert_eq!(first_in_text("a\u{7f}"), Some('\u{7f}'));
        assert_eq!(first_in_text("a\u{85}"), Some('\u{85}'));
        assert_eq!(first_in_text("全角　空格"), None);
    }

    #[test]
    fn uris_refuse_every_control() {
        assert_eq!(first_in_uri("a\tb"), Some('\t'));
        assert_eq!(first_in_uri("/stats?year=2025"), None);
        assert_eq!(code_point('\u{0}'), "U+0000");
    }
}
