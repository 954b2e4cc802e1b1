//! 技术合同 and their registration (技术合同认定登记, DOMAIN.md §6): drafting, the registration
//! pre-check, the registry's lifecycle with its working-day clock, amendments as revisions,
//! cancellation, revenue share, and the lists, prints and exports around them.

pub mod amounts;
pub mod api;
pub mod changes;
pub mod diff;
pub mod export;
pub mod history;
pub mod lifecycle;
pub mod model;
pub mod notices;
pub mod pages;
pub mod precheck;
pub mod prefill;
pub mod query;
pub mod records;
pub mod review;
pub mod service;
pub mod share;
pub mod store;
pub mod totals;
pub mod view;
