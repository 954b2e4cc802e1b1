//! The administrators' back office under `/admin`: the approval queue and account management.

mod pages;

pub use pages::routes;
