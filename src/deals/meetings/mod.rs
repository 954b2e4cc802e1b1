//! 联席预谈判 meetings on a deal: date and time (Beijing), place or online link, participants
//! from each side and the bureau, agenda, NDA, then minutes, outcome and next steps with owners
//! and due dates. Participants get an inbox invitation with the `.ics`; a printable record.

pub mod api;
pub mod calendar;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
