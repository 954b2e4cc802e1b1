//! The progress table of a campaign — who entered how many, how many are approved — with its
//! totals, for the page and as an XLSX workbook.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Serialize;

use super::store::ProgressRow;
use crate::domain::time::chinese_datetime_text;

pub const HEADERS: [&str; 9] =
    ["单位", "目标单位", "报送数", "其中批量导入", "待审核", "已通过", "退回修改", "其他", "最近报送"];

/// The table's totals row.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub organisations: usize,
    pub targets: usize,
    /// Targets that entered nothing yet.
    pub silent_targets: usize,
    pub entered: i64,
    pub imported: i64,
    pub in_review: i64,
    pub approved: i64,
    pub returned: i64,
    pub other: i64,
}

pub fn totals(rows: &[ProgressRow]) -> Totals {
    let mut t = Totals { organisations: rows.len(), ..Totals::default() };
    for row in rows {
        t.targets += usize::from(row.target);
        t.silent_targets += usize::from(row.target && row.entered == 0);
        t.entered += row.entered;
        t.imported += row.imported;
        t.in_review += row.in_review;
        t.approved += row.approved;
        t.returned += row.returned;
        t.other += row.other;
    }
    t
}

/// The table as a workbook: one row an organisation, numbers as numbers, totals last.
pub fn xlsx(title: &str, rows: &[ProgressRow]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet().set_name("征集进度")?;
    sheet.write_string_with_format(0, 0, title, &bold)?;
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *header, &bold)?;
        sheet.set_column_width(col as u16, if col == 0 { 36 } else { 12 })?;
    }
    sheet.set_column_width(8, 20)?;
    let mut r = 3;
    for row in rows {
        sheet.write_string(r, 0, &row.organisation_name)?;
        sheet.write_string(r, 1, if row.target { "是" } else { "否" })?;
        for (col, n) in
            [row.entered, row.imported, row.in_review, row.approved, row.returned, row.other].iter().enumerate()
        {
            sheet.write_number(r, col as u16 + 2, *n as f64)?;
        }
        sheet.write_string(r, 8, row.last_entered_at.as_deref().map(chinese_datetime_text).unwrap_or_default())?;
        r += 1;
    }
    let t = totals(rows);
    sheet.write_string_with_format(r, 0, "合计", &bold)?;
    sheet.write_string_with_format(r, 1, format!("{} 个目标单位", t.targets), &bold)?;
    for (col, n) in [t.entered, t.imported, t.in_review, t.approved, t.returned, t.other].iter().enumerate() {
        sheet.write_number_with_format(r, col as u16 + 2, *n as f64, &bold)?;
    }
    workbook.save_to_buffer()
}
