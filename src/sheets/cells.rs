//! What every reader shares: the limits a file must keep, why a file cannot be read, the rows
//! a format yields, and a cell as the text a person would type.

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
    /// The detail (the reader's own words, in English) goes to the log, not to the person.
    #[error("无法读取这个 Excel 文件：文件已损坏，或不是 Excel 保存的格式；请在 Excel 中打开后另存为 .xlsx 再上传")]
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

/// Excel's serial day number as a date (the 1900 system; day 60 is Excel's phantom 29 Feb 1900).
pub fn excel_date(serial: f64) -> Option<Date> {
    let base = Date::from_calendar_date(1899, Month::December, 30).ok()?;
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    base.checked_add(Duration::days(serial.floor() as i64))
}

/// A cell as the text a person would type: whole numbers without `.0`, dates as `YYYY-MM-DD`,
/// booleans as 是/否.
pub fn cell_text(cell: &Data) -> String {
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
pub fn is_error(cell: &Data) -> bool {
    matches!(cell, Data::Error(_))
}

/// Rows with their numbers in the file (blank ones already left out), as read from any format.
pub struct Lines {
    pub rows: Vec<(usize, Vec<String>)>,
    pub format: &'static str,
    pub problems: BTreeMap<(usize, usize), String>,
}
