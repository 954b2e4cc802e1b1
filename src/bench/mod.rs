//! Benchmarks as commands (`techmarket bench …`): they print measured figures on real corpora
//! given by path; nothing here runs in the test suite.

pub mod bids;
pub mod contracts;
pub mod corpus;
pub mod crash;
pub mod history;
pub mod import;
pub mod lists;
pub mod load;
pub mod mix;
pub mod process;
pub mod recommend;
pub mod sheet;
pub mod watchers;
