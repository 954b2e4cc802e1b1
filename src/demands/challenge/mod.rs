//! 揭榜挂帅 — challenges: a demand with a reward and an application window; teams apply, the
//! poster shortlists and selects one, and every applicant sees the outcome.

pub mod api;
pub mod block;
pub mod model;
pub mod notices;
pub mod pages;
pub mod service;
pub mod store;
