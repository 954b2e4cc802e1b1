//! 技术需求 — the demand board: enterprises post what they need solved, administrators review,
//! the public browses; demands past their validity date leave the board. 揭榜挂帅 challenges are
//! demands with a reward and an application window (`challenge`). What is theirs lives here; the
//! rest is the listing core's, run on the [`listing::Demands`] descriptor.

pub mod api;
pub mod challenge;
pub mod detail;
pub mod expiry;
pub mod listing;
pub mod model;
pub mod pages;
pub mod store;
pub mod view;
