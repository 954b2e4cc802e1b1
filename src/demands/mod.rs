//! 技术需求 — the demand board: enterprises post what they need solved, administrators review,
//! the public browses; demands past their validity date leave the board.

pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
pub mod view;
