//! CSV text into rows of cells: the encoding detected (UTF-8 with or without BOM, else GB18030,
//! which covers GBK), RFC 4180 quoting, CRLF or LF; binary content refused.

use super::cells::{MAX_CELL_CHARS, SheetError};

/// Decodes a CSV file's bytes; names the encoding found.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), SheetError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, format) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_string(), "csv (UTF-8)"),
        Err(_) => {
            let (decoded, _, bad) = encoding_rs::GB18030.decode(body);
            if bad {
                return Err(SheetError::NotATable);
            }
            (decoded.into_owned(), "csv (GBK)")
        }
    };
    // NUL and other C0 controls besides tab and line ends do not occur in a saved table.
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')) {
        return Err(SheetError::NotATable);
    }
    Ok((text, format))
}

/// Splits CSV text into (record number, counting from 1; cells), blank records left out, and
/// stops once more than `limit` records hold something. A cell longer than `MAX_CELL_CHARS`
/// keeps one character more, so the check can say it is too long.
pub fn parse(text: &str, limit: usize) -> Vec<(usize, Vec<String>)> {
    let mut rows = Vec::new();
    let mut record = 0usize;
    let mut keep = |rows: &mut Vec<(usize, Vec<String>)>, row: Vec<String>| {
        record += 1;
        if row.iter().any(|c| !c.trim().is_empty()) {
            rows.push((record, row));
        }
    };
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut chars_in_cell = 0usize;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let push = |cell: &mut String, chars_in_cell: &mut usize, c: char| {
        if *chars_in_cell <= MAX_CELL_CHARS {
            cell.push(c);
        }
        *chars_in_cell += 1;
    };
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                push(&mut cell, &mut chars_in_cell, '"');
            }
            (true, '"') => quoted = false,
            (true, other) => push(&mut cell, &mut chars_in_cell, other),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => {
                row.push(std::mem::take(&mut cell));
                chars_in_cell = 0;
            }
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                chars_in_cell = 0;
                keep(&mut rows, std::mem::take(&mut row));
                if rows.len() > limit {
                    return rows;
                }
            }
            (false, other) => push(&mut cell, &mut chars_in_cell, other),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        keep(&mut rows, row);
    }
    rows
}
