//! The ¥600M goal (DOMAIN.md §7): yearly goal settings, the goal arithmetic, the report with its
//! breakdowns, server-drawn SVG charts, the public `/stats` page, the administrators' goal page,
//! JSON and spreadsheet exports. Figures come from `contract_totals`, which the contract
//! transactions keep exact.

pub mod api;
pub mod charts;
pub mod export;
pub mod funnel;
pub mod goal;
pub mod indicator_table;
pub mod indicators;
pub mod market;
pub mod pages;
pub mod report;
pub mod service;
pub mod store;
pub mod trading;
