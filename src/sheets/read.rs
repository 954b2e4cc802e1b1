//! A file into a table, by its content (never by its name): the header row found, blank rows
//! skipped, each row keeping its number in the file, and the cells that cannot be read as
//! written (merged, formulas without a value, too long) listed so the check can name them.

use std::collections::BTreeMap;

use calamine::Data;
use time::{Date, Duration, Month};

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 20_000;
/// The longest text one cell may hold (a listing's 详细介绍 allows 20,000 characters).
pub const MAX_CELL_CHARS: usize = 20_000;
/// Columns read from a row; a template has a few dozen.
pub const MAX_COLUMNS: usize = 200;

/// Why a file cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("文件是空的")]
    Empty,
    #[error("无法读取这个 Excel 文件（{0}）")]
    Workbook(String),
    #[error("文件设置了打开密码，请在 Excel 中取消密码后再上传")]
    Password,
    #[error("文件解压后超过 {0} MB，不像正常的表格文件（可能是压缩炸弹），已拒绝")]
    Inflated(u64),
    #[error("文件不是 XLSX、XLS 或 CSV 表格")]
    NotATable,
    #[error("第一行应为表头，未找到任何可识别的列；请使用平台提供的模板")]
    NoHeaders,
    #[error("一次最多导入 {MAX_ROWS} 行，这个文件超过了；请分成几个文件")]
    TooManyRows,
}

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

/// Excel's serial day number as a date (the 1900 system; day 60 is Excel's phantom 29 Feb 1900).
pub(super) fn excel_date(serial: f64) -> Option<Date> {
    let base = Date::from_calendar_date(1899, Month::December, 30).ok()?;
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    base.checked_add(Duration::days(serial.floor() as i64))
}

/// A cell as the text a person would type: whole numbers without `.0`, dates as `YYYY-MM-DD`,
/// booleans as 是/否.
pub(super) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => {
            excel_date(dt.as_f64()).map(crate::domain::forms::date_text).unwrap_or_else(|| dt.as_f64().to_string())
        }
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Whether Excel shows an error in the cell (`#DIV/0!`, `#REF!`, …).
pub(super) fn is_error(cell: &Data) -> bool {
    matches!(cell, Data::Error(_))
}

/// Rows with their numbers in the file (blank ones already left out), as read from any format.
pub(super) struct Lines {
    pub rows: Vec<(usize, Vec<String>)>,
    pub format: &'static str,
    pub problems: BTreeMap<(usize, usize), String>,
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
    let lines = if bytes.starts_with(b"PK\x03\x04") {
        super::xlsx::read_xlsx(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        super::xlsx::read_xls(bytes)?
    } else {
        let (text, format) = super::csv::decode(bytes)?;
        let rows = super::csv::parse(&text, MAX_ROWS + 1);
        Lines { rows, format, problems: BTreeMap::new() }
    };
    table_of(lines, recognise)
}
