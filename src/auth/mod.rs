//! Accounts and security: registration, sign-in, sessions, CSRF, API tokens, throttling, and
//! the role guards every feature's handlers take as arguments.

pub mod admin;
pub mod api;
pub mod caller;
pub mod drafts;
pub mod gate;
pub mod identity;
pub mod mail;
pub mod model;
pub mod pages;
pub mod password;
pub mod reset;
pub mod reset_pages;
pub mod service;
pub mod store;
pub mod throttle;

pub use crate::web::request_state::CurrentUser;
pub use caller::{Acting, Caller};
pub use identity::{ActiveUser, AdminUser, ClientAddr, UserAgent};
