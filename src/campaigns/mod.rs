//! 科技成果征集: collection campaigns. An administrator opens one (theme, fields, deadline, target
//! organisations, who are told); members enter their organisation's listings from its page or
//! by an import made for it; the public page shows what was approved, the administrators'
//! progress table who entered how many and how many passed review.

pub mod api;
pub mod model;
pub mod pages;
pub mod progress;
pub mod service;
pub mod store;
