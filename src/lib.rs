//! techmarket — the technology market platform (技术市场服务平台) of Maiji District, Tianshui.
//!
//! `app::build` assembles the whole application; `cli` holds the commands of the one binary.

// The listing views build large JSON objects with `json!`.
#![recursion_limit = "256"]

pub mod achievements;
pub mod admin;
pub mod app;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod calendar;
pub mod campaigns;
pub mod cli;
pub mod config;
pub mod contracts;
pub mod db;
pub mod deals;
pub mod demands;
pub mod demo;
pub mod domain;
pub mod duplicates;
pub mod error;
pub mod eval;
pub mod health;
pub mod home;
pub mod imports;
pub mod inbox;
pub mod jobs;
pub mod listings;
pub mod matching;
pub mod openapi;
pub mod opendata;
pub mod orgs;
pub mod salons;
pub mod saved_searches;
pub mod search;
pub mod secrets;
pub mod sheets;
pub mod stats;
pub mod trading;
pub mod web;
pub mod webhooks;
