//! Pure rules shared by every feature: money, ids, time, vocabularies, validators. No I/O here.

pub mod account;
pub mod contract_vocab;
pub mod control;
pub mod csv;
pub mod forms;
pub mod ics;
pub mod ids;
pub mod labels;
pub mod money;
pub mod open_data;
pub mod org;
pub mod regions;
pub mod taxonomy;
pub mod time;
pub mod validators;
pub mod workdays;
