//! 成果对接沙龙 and 路演 (DOMAIN.md §5): events an administrator or broker organises around
//! featured achievements and demands; public list and page, sign-up with a capacity and a
//! waiting list (race-safe), cancellation, check-in on the day, `.ics`, reminders the day
//! before, and afterwards the results: deals opened at the salon and the contract value they
//! brought (aggregates only).

pub mod api;
pub mod model;
pub mod pages;
pub mod reminders;
pub mod results;
pub mod service;
pub mod signups;
pub mod store;
pub mod view;
