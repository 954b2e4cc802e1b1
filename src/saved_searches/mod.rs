//! Saved searches (订阅): a signed-in person keeps any search — words and filters — and hears
//! of listings published after it was saved that match it: in the inbox at once, in a daily
//! digest, or through their organisation's webhooks.

pub mod api;
pub mod model;
pub mod notify;
pub mod pages;
pub mod service;
pub mod store;
