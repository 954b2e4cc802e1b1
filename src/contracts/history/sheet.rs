//! History files in and out: reading an XLSX/XLS workbook or a CSV (UTF-8, or GBK/GB18030 as
//! Chinese Excel saves it — detected) into text rows; the downloadable template (Chinese headers,
//! drop-down lists, an example row, an instructions sheet); and the checked file back as XLSX
//! with every bad cell marked and explained.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader as _};
use rust_xlsxwriter::{Color, DataValidation, Format, Note, Workbook, XlsxError};
use time::{Date, Duration, Month};

use super::columns::COLUMNS;
use crate::domain::contract_vocab::{ContractType, Subtype};
use crate::domain::org::NatureCode;
use crate::domain::taxonomy::TechnicalField;

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 20_000;

/// Why a file cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("文件是空的")]
    Empty,
    #[error("无法读取这个 Excel 文件（{0}）；如文件设置了打开密码，请先取消密码再上传")]
    Workbook(String),
    #[error("文件不是 XLSX、XLS 或 CSV 表格")]
    NotATable,
    #[error("第一行应为表头（如“登记编号”“合同名称”…），未找到任何可识别的列；请使用平台提供的模板")]
    NoHeaders,
    #[error("一次最多导入 {MAX_ROWS} 行，这个文件有 {0} 行；请分成几个文件")]
    TooManyRows(usize),
}

/// A file's header row and data rows, as text.
#[derive(Debug, Clone)]
pub struct Table {
    pub headers: Vec<String>,
    /// (the row's number in the file, counting the header as row 1; its cells).
    pub rows: Vec<(usize, Vec<String>)>,
    /// `xlsx`, `csv (UTF-8)` or `csv (GBK)`.
    pub format: &'static str,
}

/// Excel's serial day number as a date (the 1900 system; day 60 is Excel's phantom 29 Feb 1900).
fn excel_date(serial: f64) -> Option<Date> {
    let base = Date::from_calendar_date(1899, Month::December, 30).ok()?;
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    base.checked_add(Duration::days(serial.floor() as i64))
}

fn cell_text(cell: &Data) -> String {
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

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

fn table_of(mut lines: Vec<Vec<String>>, format: &'static str) -> Result<Table, SheetError> {
    let Some(header_at) = lines.iter().position(|l| !is_blank(l)) else {
        return Err(SheetError::Empty);
    };
    let rest = lines.split_off(header_at + 1);
    let headers = lines.pop().unwrap_or_default();
    if super::columns::map_headers(&headers).iter().all(Option::is_none) {
        return Err(SheetError::NoHeaders);
    }
    let rows: Vec<(usize, Vec<String>)> = rest
        .into_iter()
        .enumerate()
        .map(|(i, cells)| (header_at + i + 2, cells))
        .filter(|(_, cells)| !is_blank(cells))
        .collect();
    if rows.len() > MAX_ROWS {
        return Err(SheetError::TooManyRows(rows.len()));
    }
    Ok(Table { headers, rows, format })
}

/// Splits CSV text into rows of cells (RFC 4180 quoting; CRLF or LF).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, other) => cell.push(other),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, other) => cell.push(other),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// Reads a file by its content (never by its name).
pub fn read(bytes: &[u8]) -> Result<Table, SheetError> {
    if bytes.is_empty() {
        return Err(SheetError::Empty);
    }
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if zip || ole {
        let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
            .map_err(|e| SheetError::Workbook(e.to_string()))?;
        let range = workbook
            .worksheet_range_at(0)
            .ok_or(SheetError::Empty)?
            .map_err(|e| SheetError::Workbook(e.to_string()))?;
        if range.height() > MAX_ROWS + 1000 {
            return Err(SheetError::TooManyRows(range.height()));
        }
        let lines = range.rows().map(|row| row.iter().map(cell_text).collect()).collect();
        return table_of(lines, "xlsx");
    }
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
    if text.contains('\0') {
        return Err(SheetError::NotATable);
    }
    table_of(parse_csv(&text), format)
}

/// The template workbook: 历史登记 (headers, drop-downs, one example row) and 填写说明.
pub fn template() -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_background_color(Color::RGB(0xE8F0FE));
    let required = Format::new().set_bold().set_background_color(Color::RGB(0xFDE7E9));
    let example_format = Format::new().set_font_color(Color::RGB(0x666666));
    let sheet = workbook.add_worksheet().set_name("历史登记")?;
    for (col, column) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        let title = if column.required { format!("{}*", column.header) } else { column.header.to_string() };
        sheet.write_string_with_format(0, col, &title, if column.required { &required } else { &header })?;
        sheet.set_column_width(col, if column.field == "subject" { 40 } else { 16 })?;
    }
    let example = [
        "62050320210001",
        "苹果气调贮藏技术秘密转让",
        "技术转让",
        "技术秘密转让",
        "天水市果树研究所",
        "",
        "事业单位（科研机构）",
        "620503",
        "天水花牛果业有限公司",
        "",
        "私营企业",
        "620502",
        "否",
        "农业",
        "2021-03-02",
        "2021-03-05",
        "2021-03-19",
        "1,250,000",
        "50,000",
        "",
        "",
        "",
        "",
        "转让苹果气调贮藏的工艺参数与控制方法，并提供现场调试和技术培训。",
    ];
    for (col, value) in example.iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *value, &example_format)?;
    }
    let lists: [(&str, Vec<&str>); 6] = [
        ("contract_type", ContractType::ALL.iter().map(|t| t.label()).collect()),
        ("subtype", Subtype::ALL.iter().map(|t| t.label()).collect()),
        ("seller_nature", NatureCode::ALL.iter().map(|t| t.label()).collect()),
        ("buyer_nature", NatureCode::ALL.iter().map(|t| t.label()).collect()),
        ("technical_field", TechnicalField::ALL.iter().map(|t| t.label()).collect()),
        ("technology_import", vec!["否", "是"]),
    ];
    for (field, values) in lists {
        let Some(col) = COLUMNS.iter().position(|c| c.field == field) else { continue };
        // Excel caps a literal list at 255 characters; longer lists stay free text (read by label).
        if let Ok(validation) = DataValidation::new().allow_list_strings(&values) {
            let validation = validation.ignore_blank(true);
            sheet.add_data_validation(1, col as u16, MAX_ROWS as u32, col as u16, &validation)?;
        }
    }
    let help = workbook.add_worksheet().set_name("填写说明")?;
    help.set_column_width(0, 24)?;
    help.set_column_width(1, 12)?;
    help.set_column_width(2, 90)?;
    for (col, title) in ["列", "是否必填", "说明"].iter().enumerate() {
        help.write_string_with_format(0, col as u16, *title, &header)?;
    }
    for (i, column) in COLUMNS.iter().enumerate() {
        let row = i as u32 + 1;
        help.write_string(row, 0, column.header)?;
        help.write_string(row, 1, if column.required { "必填" } else { "选填" })?;
        help.write_string(row, 2, column.help)?;
    }
    let notes = [
        "第 2 行是示例，导入前请删除或改写；空行会被跳过。",
        "上传后平台先逐行检查（不保存任何内容），列出每个需要修改的单元格；确认后才导入检查通过的行。",
        "同一登记编号只会导入一次：重复上传同一文件不会产生重复合同。",
        "合同按登记日期（北京时间）计入当月的登记额和年度目标；导入记入审计日志。",
        "也可上传 CSV（UTF-8 或 Excel 默认的 GBK 编码），表头与本模板相同。",
    ];
    let start = COLUMNS.len() as u32 + 2;
    for (i, note) in notes.iter().enumerate() {
        help.write_string(start + i as u32, 0, *note)?;
    }
    workbook.save_to_buffer()
}

/// The checked file back: the original cells, bad ones filled red with a note, and a 检查结果
/// column (`可导入`, `已存在`, or the row's problems).
pub fn report_xlsx(table: &Table, outcomes: &[(usize, RowOutcome)]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let bad = Format::new().set_background_color(Color::RGB(0xFFC7CE)).set_font_color(Color::RGB(0x9C0006));
    let sheet = workbook.add_worksheet().set_name("检查结果")?;
    let mapped = super::columns::map_headers(&table.headers);
    let result_col = table.headers.len() as u16;
    for (col, title) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, title, &bold)?;
        sheet.set_column_width(col as u16, 16)?;
    }
    sheet.write_string_with_format(0, result_col, "检查结果", &bold)?;
    sheet.set_column_width(result_col, 50)?;
    let by_line: BTreeMap<usize, &RowOutcome> = outcomes.iter().map(|(line, o)| (*line, o)).collect();
    for (i, (line, cells)) in table.rows.iter().enumerate() {
        let row = i as u32 + 1;
        let outcome = by_line.get(line);
        let errors = outcome.map(|o| o.errors.clone()).unwrap_or_default();
        for (col, text) in cells.iter().enumerate() {
            let field = mapped.get(col).copied().flatten().map(|c| COLUMNS[c].field);
            match field.and_then(|f| errors.get(f)) {
                Some(message) => {
                    sheet.write_string_with_format(row, col as u16, text, &bad)?;
                    sheet.insert_note(row, col as u16, &Note::new(message.as_str()).set_author("techmarket"))?;
                }
                None => {
                    sheet.write_string(row, col as u16, text)?;
                }
            }
        }
        let summary = match outcome {
            Some(o) => o.summary(),
            None => String::new(),
        };
        sheet.write_string(row, result_col, &summary)?;
    }
    workbook.save_to_buffer()
}

/// What the check found for one row.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RowOutcome {
    /// `ok`, `exists` (this 登记编号 is already registered), or `invalid`.
    pub state: &'static str,
    /// Field → message.
    pub errors: BTreeMap<String, String>,
    pub registration_no: Option<String>,
    pub title: Option<String>,
    pub total_text: Option<String>,
    pub registered_on: Option<String>,
}

impl RowOutcome {
    pub fn summary(&self) -> String {
        match self.state {
            "ok" => "可导入".to_string(),
            "exists" => "已存在：该登记编号已在平台登记，不会重复导入".to_string(),
            _ => {
                let header = |field: &str| {
                    COLUMNS.iter().find(|c| c.field == field).map(|c| c.header).unwrap_or(field).to_string()
                };
                self.errors.iter().map(|(f, m)| format!("{}：{m}", header(f))).collect::<Vec<_>>().join("；")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_and_gbk_reads_the_same() {
        let text = "登记编号,合同名称,合同成交额（元）\r\n62050320210001,\"苹果, 贮藏\",\"1,250,000\"\r\n,,\r\n";
        let utf8 = read(text.as_bytes()).expect("utf-8");
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let gbk = read(&gbk).expect("gbk");
        assert_eq!(utf8.rows, gbk.rows);
        assert_eq!(utf8.rows.len(), 1, "the blank line is skipped");
        assert_eq!(utf8.rows[0], (2, vec!["62050320210001".into(), "苹果, 贮藏".into(), "1,250,000".into()]));
        assert_eq!((utf8.format, gbk.format), ("csv (UTF-8)", "csv (GBK)"));
    }

    #[test]
    fn the_template_reads_back_and_junk_is_refused() {
        let template = template().expect("template");
        let table = read(&template).expect("xlsx");
        assert_eq!(table.headers.len(), COLUMNS.len());
        assert_eq!(table.rows.len(), 1);
        assert!(matches!(read(b"\x00\x01\x02binary\xff\xfe"), Err(SheetError::NotATable)));
        assert!(matches!(read(b""), Err(SheetError::Empty)));
        assert!(matches!(read("名字,年龄\n张三,3\n".as_bytes()), Err(SheetError::NoHeaders)));
        assert!(matches!(read(b"PK\x03\x04garbage"), Err(SheetError::Workbook(_))));
        assert_eq!(excel_date(44_256.0), Some(time::macros::date!(2021 - 03 - 01)));
    }
}
