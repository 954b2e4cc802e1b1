//! Workbooks read in bounded memory: an XLSX's archive is inflated once into nothing to measure
//! it (a zip bomb is refused before anything is parsed), its first sheet is streamed cell by
//! cell (a million empty rows cost nothing), formulas are read by their last computed value,
//! and merged regions are reported cell by cell. Legacy XLS files (at most 65,536 rows) are
//! read whole; an encrypted workbook is named as such.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read as _};

use calamine::{Data, Reader as _, Xls, XlsError, Xlsx, XlsxError};

use super::cells::{Lines, MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, SheetError, cell_text, is_error};

/// What an XLSX archive may hold once inflated.
pub const MAX_INFLATED_MB: u64 = 256;
/// Entries an XLSX archive may hold (a workbook has a dozen or two).
const MAX_ENTRIES: usize = 2_000;

fn workbook_error(error: XlsxError) -> SheetError {
    match error {
        XlsxError::Password => SheetError::Password,
        other => SheetError::Workbook(other.to_string()),
    }
}

/// Inflates every entry into nothing, counting the bytes it really holds (declared sizes can lie).
fn measure(bytes: &[u8]) -> Result<(), SheetError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| SheetError::Workbook(format!("压缩包损坏：{e}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(SheetError::Workbook(format!("压缩包内有 {} 个文件", archive.len())));
    }
    let budget = MAX_INFLATED_MB * 1024 * 1024;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|e| SheetError::Workbook(format!("压缩包损坏：{e}")))?;
        let mut limited = entry.take(budget - total + 1);
        let inflated = std::io::copy(&mut limited, &mut std::io::sink())
            .map_err(|e| SheetError::Workbook(format!("压缩包损坏：{e}")))?;
        total += inflated;
        if total > budget {
            return Err(SheetError::Inflated(MAX_INFLATED_MB));
        }
    }
    Ok(())
}

/// Keeps at most `MAX_CELL_CHARS + 1` characters, so the check can say a cell is too long.
fn capped(text: String) -> String {
    if text.len() > MAX_CELL_CHARS * 4 { text.chars().take(MAX_CELL_CHARS + 1).collect() } else { text }
}

pub fn read_xlsx(bytes: &[u8]) -> Result<Lines, SheetError> {
    measure(bytes)?;
    let mut workbook: Xlsx<_> = calamine::Reader::new(Cursor::new(bytes)).map_err(workbook_error)?;
    let name = workbook.sheet_names().first().cloned().ok_or(SheetError::Empty)?;
    // Row (0-based) → column → text; only cells holding something.
    let mut cells: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    let mut problems = BTreeMap::new();
    {
        let mut reader = workbook.worksheet_cells_reader(&name).map_err(workbook_error)?;
        while let Some(cell) = reader.next_cell().map_err(workbook_error)? {
            let (row, col) = cell.get_position();
            let value = Data::from(cell.get_value().clone());
            let text = capped(cell_text(&value));
            if col as usize >= MAX_COLUMNS || text.is_empty() {
                continue;
            }
            if is_error(&value) {
                problems.insert((row as usize + 1, col as usize), format!("单元格显示错误值 {text}，请改为实际内容"));
            }
            cells.entry(row).or_default().insert(col, text);
            if cells.len() > MAX_ROWS + 1 {
                return Err(SheetError::TooManyRows);
            }
        }
    }
    let formulas = formula_cells(&mut workbook, &name, &cells)?;
    for (row, col) in formulas {
        let has_value = cells.get(&row).is_some_and(|r| r.contains_key(&col));
        if !has_value {
            let why = "该单元格是没有计算结果的公式；请在 Excel 中计算后另存，或粘贴为数值".to_string();
            problems.insert((row as usize + 1, col as usize), why);
            cells.entry(row).or_default();
        }
    }
    if let Some(Ok(regions)) = workbook.worksheet_merge_cells(&name) {
        for region in regions {
            let (top, left) = region.start;
            let (bottom, right) = region.end;
            let right = right.min(MAX_COLUMNS as u32 - 1);
            for (row, _) in cells.range(top..=bottom) {
                for col in left..=right {
                    if (*row, col) != (top, left) && problems.len() < 100_000 {
                        let why = "合并单元格：请取消合并，并在每一行、每一列分别填写".to_string();
                        problems.insert((*row as usize + 1, col as usize), why);
                    }
                }
            }
        }
    }
    let rows = cells
        .into_iter()
        .map(|(row, by_col)| {
            let width = by_col.keys().next_back().map_or(0, |c| *c as usize + 1);
            let mut line = vec![String::new(); width];
            for (col, text) in by_col {
                line[col as usize] = text;
            }
            (row as usize + 1, line)
        })
        .filter(|(line, texts)| {
            texts.iter().any(|t| !t.trim().is_empty()) || problems.range((*line, 0)..(*line + 1, 0)).next().is_some()
        })
        .collect();
    Ok(Lines { rows, format: "xlsx", problems })
}

/// The cells of rows worth reading that hold a formula.
fn formula_cells(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    cells: &BTreeMap<u32, BTreeMap<u32, String>>,
) -> Result<BTreeSet<(u32, u32)>, SheetError> {
    let mut found = BTreeSet::new();
    let mut reader = workbook.worksheet_cells_reader(name).map_err(workbook_error)?;
    while let Some(cell) = reader.next_formula().map_err(workbook_error)? {
        let (row, col) = cell.get_position();
        if cell.get_value().is_empty() || col as usize >= MAX_COLUMNS {
            continue;
        }
        // A formula in an otherwise empty row far below the data counts too, within the cap.
        if cells.contains_key(&row) || found.len() < MAX_ROWS {
            found.insert((row, col));
        }
    }
    Ok(found)
}

/// A legacy XLS workbook, or an encrypted XLSX (both are OLE compound files).
pub fn read_xls(bytes: &[u8]) -> Result<Lines, SheetError> {
    if let Err(XlsxError::Password) = calamine::Reader::new(Cursor::new(bytes)).map(|_: Xlsx<_>| ()) {
        return Err(SheetError::Password);
    }
    let xls_error = |error: XlsError| match error {
        XlsError::Password => SheetError::Password,
        other => SheetError::Workbook(other.to_string()),
    };
    let mut workbook: Xls<_> = calamine::Reader::new(Cursor::new(bytes)).map_err(xls_error)?;
    let range = workbook.worksheet_range_at(0).ok_or(SheetError::Empty)?.map_err(xls_error)?;
    let (top, _) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let texts: Vec<String> = row.iter().take(MAX_COLUMNS).map(|c| capped(cell_text(c))).collect();
        if texts.iter().any(|t| !t.trim().is_empty()) {
            rows.push((top as usize + i + 1, texts));
            if rows.len() > MAX_ROWS + 1 {
                return Err(SheetError::TooManyRows);
            }
        }
    }
    Ok(Lines { rows, format: "xls", problems: BTreeMap::new() })
}
