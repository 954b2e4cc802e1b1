//! Outbound webhooks per organisation: the endpoints an organisation registers, the durable
//! queue of deliveries (one row per event and endpoint, kept as the delivery log), the HMAC-SHA256
//! signature, and the job that posts due deliveries with exponential back-off.

pub mod api;
pub mod delivery;
pub mod pages;
pub mod service;
pub mod signing;
pub mod store;
