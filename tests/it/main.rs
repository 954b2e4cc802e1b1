//! Integration tests through the real app: one test binary, a module per capability.
//! Every `on_both_databases!` test runs on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set.

mod accounts_support;
mod conformance;
mod support;

mod accounts;
mod achievements;
mod auctions;
mod audit_log;
mod authz;
mod backup;
mod campaigns;
mod challenges;
mod config_checks;
mod contract_history;
mod contract_totals;
mod contracts;
mod deals;
mod demands;
mod demo;
mod duplicates;
mod everyday;
mod funnel;
mod hostile;
mod import_files;
mod imports;
mod meetings;
mod migrations;
mod open_data;
mod openapi;
mod pages;
mod password_mail;
mod probes;
mod recommend;
mod salons;
mod saved_searches;
mod scale_out;
mod search;
mod server;
mod stats;
mod trading;
mod webhooks;
