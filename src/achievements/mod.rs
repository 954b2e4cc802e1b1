//! 科技成果 — the achievement library: researchers list, administrators review, the public browses.
//! What is theirs lives here (fields, rules, state machine, views, filters); the rest is the
//! listing core's, run on the [`listing::Achievements`] descriptor.

pub mod api;
pub mod listing;
pub mod model;
pub mod pages;
pub mod store;
pub mod view;
