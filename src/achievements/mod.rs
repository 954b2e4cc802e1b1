//! 科技成果 — the achievement library: researchers list, administrators review, the public browses.

pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
pub mod view;
