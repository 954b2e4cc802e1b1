//! The one CSV writer every export uses: UTF-8 cells quoted when needed, and cells a spreadsheet
//! would run as a formula (a leading `= + - @`, tab or carriage return) neutralised with `'`.

/// One CSV cell.
pub fn cell(text: &str) -> String {
    let guarded =
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() };
    if guarded.contains([',', '"', '\n', '\r']) { format!("\"{}\"", guarded.replace('"', "\"\"")) } else { guarded }
}

/// A line of cells ending in CRLF.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells.iter().map(|c| cell(c.as_ref())).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

/// A number written by the program itself (an amount, a count): never a formula, never quoted.
pub fn number_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells
        .iter()
        .map(|c| {
            let text = c.as_ref();
            let numeric = !text.is_empty()
                && text.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && text.starts_with(|ch: char| ch == '-' || ch.is_ascii_digit());
            if numeric { text.to_string() } else { cell(text) }
        })
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("苹果"), "苹果");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("说\"明\""), "\"说\"\"明\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("=1+2*3"), "'=1+2*3");
        assert_eq!(number_line(&["-1.50", "=1+2", "12"]), "-1.50,'=1+2,12\r\n");
    }
}
