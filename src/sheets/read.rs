//! A file into a table, by its content (never by its name): the header row found, blank rows
//! skipped, each row keeping its number in the file, and the cells that cannot be read as
//! written (merged, formulas without a value, too long) listed so the check can name them.

use std::collections::BTreeMap;

use super::cells::{Lines, MAX_CELL_CHARS, MAX_ROWS, SheetError};

/// A file's header row and data rows, as text.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    /// (the row's number in the file, counting the header's row; its cells).
    pub rows: Vec<(usize, Vec<String>)>,
    /// `xlsx`, `xls`, `csv (UTF-8)` or `csv (GBK)`.
    pub format: &'static str,
    /// (row number, column index) → why the cell cannot be taken as written.
    pub problems: BTreeMap<(usize, usize), String>,
}

impl Table {
    /// The problems of one row, by column index.
    pub fn problems_in(&self, line: usize) -> impl Iterator<Item = (usize, &String)> {
        self.problems.range((line, 0)..(line + 1, 0)).map(|((_, col), why)| (*col, why))
    }
}

fn table_of(lines: Lines, recognise: &dyn Fn(&[String]) -> bool) -> Result<Table, SheetError> {
    let Lines { mut rows, format, mut problems } = lines;
    if rows.is_empty() {
        return Err(SheetError::Empty);
    }
    let rest = rows.split_off(1);
    let (header_line, headers) = rows.pop().unwrap_or_default();
    if !recognise(&headers) {
        return Err(SheetError::NoHeaders);
    }
    if rest.len() > MAX_ROWS {
        return Err(SheetError::TooManyRows);
    }
    problems.retain(|(line, _), _| *line > header_line);
    for (line, cells) in &rest {
        for (col, text) in cells.iter().enumerate() {
            if text.chars().count() > MAX_CELL_CHARS {
                problems.insert((*line, col), format!("单元格内容超过 {MAX_CELL_CHARS} 字"));
            }
        }
    }
    Ok(Table { headers, rows: rest, format, problems })
}

/// Reads a file by its content. `recognise` says whether a header row names any known column.
pub fn read(bytes: &[u8], recognise: &dyn Fn(&[String]) -> bool) -> Result<Table, SheetError> {
    if bytes.is_empty() {
        return Err(SheetError::Empty);
    }
    let workbook = if bytes.starts_with(b"PK\x03\x04") {
        Some(super::xlsx::read_xlsx(bytes))
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some(super::xlsx::read_xls(bytes))
    } else {
        None
    };
    if let Some(Err(SheetError::Workbook(detail))) = &workbook {
        tracing::info!(%detail, "an uploaded workbook could not be read");
    }
    let lines = if let Some(workbook) = workbook {
        workbook?
    } else {
        let (text, format) = super::csv::decode(bytes)?;
        let rows = super::csv::parse(&text, MAX_ROWS + 1);
        Lines { rows, format, problems: BTreeMap::new() }
    };
    table_of(lines, recognise)
}
