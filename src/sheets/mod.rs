//! Spreadsheets in and out, for every import: reading an XLSX/XLS workbook or a CSV (UTF-8, or
//! GBK/GB18030 as Chinese Excel saves it) into text rows with hostile files refused in bounded
//! memory; template columns and vocabulary cells; the template and the checked file written back.

mod cells;
pub mod columns;
mod csv;
pub mod read;
pub mod write;
mod xlsx;

pub use cells::{MAX_CELL_CHARS, MAX_ROWS, SheetError};
pub use columns::{Column, col, map_headers, vocabulary, yes_no};
pub use read::{Table, read};
