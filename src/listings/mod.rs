//! What achievements and demands share as public listings: interest counters (views and
//! contact requests), API cursors, and partial updates of a listing's input.

pub mod cursor;
pub mod interest;
pub mod patch;

/// The two kinds of listing, as stored in `listing_contact_requests.listing_kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Achievement,
    Demand,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Achievement => "achievement",
            Kind::Demand => "demand",
        }
    }

    /// The table holding this kind (a fixed name, never user input).
    pub fn table(self) -> &'static str {
        match self {
            Kind::Achievement => "achievements",
            Kind::Demand => "demands",
        }
    }
}
