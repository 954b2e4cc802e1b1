//! 批量导入: achievements and demands handed in as a spreadsheet (XLSX, XLS, CSV in UTF-8 or
//! GBK). The template, the dry run (every row checked with exactly the form's rules, a report
//! per row and cell, on the page and as XLSX), and the confirmed load into the review queue in
//! batches, each listing with its audit event and search outbox entry; a file imported twice
//! creates nothing new.

pub mod access;
pub mod achievement_sheet;
pub mod api;
pub mod check;
pub mod demand_sheet;
pub mod kinds;
pub mod load;
pub mod pages;
pub mod rows;
pub mod store;
pub mod template;

pub use kinds::{Importable, KINDS};
