//! The registry's history (历史登记补录): contracts registered before the platform existed, entered
//! by administrators one by one or in bulk from the registry's exports and the bureau's ledgers
//! (XLSX, or CSV in UTF-8 or GBK). A file is checked first (a dry run with a per-row, per-cell
//! Chinese report; nothing saved), then loaded on confirmation; re-loading the same rows creates
//! nothing new (the 登记编号 is unique). Loaded contracts count in the months they were registered.

pub mod check;
pub mod columns;
pub mod load;
pub mod pages;
pub mod sheet;
