//! 对接项目 (brokered deals), DOMAIN.md §5: leads from 发起对接 requests and 揭榜 applications,
//! deals carried by a broker through their stages with a timeline of steps and notes (shared
//! with the parties or private to the broker's agency), the broker's workspace, and the link to
//! the contract a deal produces.

pub mod api;
pub mod contracting;
pub mod leads;
pub mod meetings;
pub mod notices;
pub mod opening;
pub mod pages;
pub mod service;
pub mod stage;
pub mod store;
pub mod view;
pub mod workspace;
