//! The in-app inbox: messages to signed-in users about what concerns them (new leads, deal
//! invitations and steps, meeting invitations, salon reminders, review and 揭榜 outcomes,
//! contract registration steps), the unread count in the header, and the page and API to read
//! them. Messages to an organisation also go to its webhooks.

pub mod api;
pub mod deliver;
pub mod pages;
pub mod store;
pub mod unread;

pub use deliver::{Notice, Topic};
