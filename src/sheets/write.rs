//! Workbooks out: an import template (Chinese headers, required ones marked, drop-down lists fed
//! from a hidden 选项 sheet so long vocabularies fit, an example row, an instructions sheet) and
//! the checked file back (the original cells, bad ones filled red with a note, a 检查结果 column).

use std::collections::BTreeMap;

use rust_xlsxwriter::{Color, DataValidation, DataValidationErrorStyle, Format, Formula, Note, Workbook, XlsxError};

use super::cells::MAX_ROWS;
use super::columns::{Column, map_headers};
use super::read::Table;

/// What a template holds.
pub struct Template<'a> {
    /// The data sheet's name (`科技成果`).
    pub sheet: &'a str,
    pub columns: &'a [Column],
    /// One example value per column, in order.
    pub example: &'a [&'a str],
    /// Field → the values its drop-down offers.
    pub lists: Vec<(&'a str, Vec<&'a str>)>,
    /// Fields whose drop-down only suggests (a cell may hold several values).
    pub suggest_only: &'a [&'a str],
    /// Fields shown in wide columns.
    pub wide: &'a [&'a str],
    /// Lines under the column help on the instructions sheet.
    pub notes: &'a [&'a str],
}

/// A column's letters as Excel names it: 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(mut index: u16) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push((b'A' + (index % 26) as u8) as char);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// The template workbook: the data sheet, 填写说明, and the hidden 选项 sheet.
pub fn template(spec: &Template<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_background_color(Color::RGB(0xE8F0FE));
    let required = Format::new().set_bold().set_background_color(Color::RGB(0xFDE7E9));
    let example_format = Format::new().set_font_color(Color::RGB(0x666666));
    let sheet = workbook.add_worksheet().set_name(spec.sheet)?;
    for (col, column) in spec.columns.iter().enumerate() {
        let col = col as u16;
        let title = if column.required { format!("{}*", column.header) } else { column.header.to_string() };
        sheet.write_string_with_format(0, col, &title, if column.required { &required } else { &header })?;
        sheet.set_column_width(col, if spec.wide.contains(&column.field) { 40 } else { 16 })?;
        if let Some(value) = spec.example.get(col as usize) {
            sheet.write_string_with_format(1, col, *value, &example_format)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    for (list_col, (field, values)) in spec.lists.iter().enumerate() {
        let Some(col) = spec.columns.iter().position(|c| c.field == *field) else { continue };
        let source = format!("='选项'!${0}$2:${0}${1}", column_letters(list_col as u16), values.len() + 1);
        let mut validation = DataValidation::new().allow_list_formula(Formula::new(source)).ignore_blank(true);
        if spec.suggest_only.contains(field) {
            validation = validation.set_error_style(DataValidationErrorStyle::Information);
        }
        sheet.add_data_validation(1, col as u16, MAX_ROWS as u32, col as u16, &validation)?;
    }
    let help = workbook.add_worksheet().set_name("填写说明")?;
    help.set_column_width(0, 24)?;
    help.set_column_width(1, 12)?;
    help.set_column_width(2, 90)?;
    for (col, title) in ["列", "是否必填", "说明"].iter().enumerate() {
        help.write_string_with_format(0, col as u16, *title, &header)?;
    }
    for (i, column) in spec.columns.iter().enumerate() {
        let row = i as u32 + 1;
        help.write_string(row, 0, column.header)?;
        help.write_string(row, 1, if column.required { "必填" } else { "选填" })?;
        help.write_string(row, 2, column.help)?;
    }
    let start = spec.columns.len() as u32 + 2;
    for (i, note) in spec.notes.iter().enumerate() {
        help.write_string(start + i as u32, 0, *note)?;
    }
    let options = workbook.add_worksheet().set_name("选项")?;
    for (list_col, (field, values)) in spec.lists.iter().enumerate() {
        let col = list_col as u16;
        let title = spec.columns.iter().find(|c| c.field == *field).map_or(*field, |c| c.header);
        options.write_string_with_format(0, col, title, &header)?;
        options.set_column_width(col, 24)?;
        for (i, value) in values.iter().enumerate() {
            options.write_string(i as u32 + 1, col, *value)?;
        }
    }
    options.set_hidden(true);
    workbook.save_to_buffer()
}

/// What the check said of one row.
#[derive(Debug, Clone, Default)]
pub struct RowReport {
    /// Field → message.
    pub errors: BTreeMap<String, String>,
    /// The 检查结果 cell.
    pub summary: String,
}

/// The checked file back, row by row as uploaded.
pub fn report(table: &Table, columns: &[Column], rows: &BTreeMap<usize, RowReport>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let bad = Format::new().set_background_color(Color::RGB(0xFFC7CE)).set_font_color(Color::RGB(0x9C0006));
    let sheet = workbook.add_worksheet().set_name("检查结果")?;
    let mapped = map_headers(columns, &table.headers);
    let result_col = table.headers.len().max(1) as u16;
    for (col, title) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, title, &bold)?;
        sheet.set_column_width(col as u16, 16)?;
    }
    sheet.write_string_with_format(0, result_col, "检查结果", &bold)?;
    sheet.set_column_width(result_col, 50)?;
    sheet.set_freeze_panes(1, 0)?;
    for (i, (line, cells)) in table.rows.iter().enumerate() {
        let row = i as u32 + 1;
        let report = rows.get(line);
        // Cells right of the last header are not read, and the result column sits there.
        for col in 0..table.headers.len() {
            let text = cells.get(col).map_or("", String::as_str);
            let field = mapped.get(col).copied().flatten().map(|c| columns[c].field);
            let problem = field.and_then(|f| report.and_then(|r| r.errors.get(f)));
            match problem {
                Some(message) => {
                    sheet.write_string_with_format(row, col as u16, text, &bad)?;
                    sheet.insert_note(row, col as u16, &Note::new(message.as_str()).set_author("techmarket"))?;
                }
                None if !text.is_empty() => {
                    sheet.write_string(row, col as u16, text)?;
                }
                None => {}
            }
        }
        sheet.write_string(row, result_col, report.map_or("", |r| r.summary.as_str()))?;
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_are_lettered_as_excel_does() {
        let letters: Vec<String> = [0, 25, 26, 27, 701, 702].into_iter().map(super::column_letters).collect();
        assert_eq!(letters, ["A", "Z", "AA", "AB", "ZZ", "AAA"]);
    }
}
