//! What achievements and demands share as public listings: interest counters (views and
//! contact requests), API cursors, and partial updates of a listing's input.

pub mod cursor;
pub mod interest;
pub mod patch;

/// The two kinds of listing, as stored in `listing_contact_requests.listing_kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

    pub fn from_code(code: &str) -> Option<Kind> {
        match code {
            "achievement" => Some(Kind::Achievement),
            "demand" => Some(Kind::Demand),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Achievement => "科技成果",
            Kind::Demand => "技术需求",
        }
    }

    /// Where a listing of this kind is shown.
    pub fn path(self, id: &str) -> String {
        match self {
            Kind::Achievement => format!("/achievements/{id}"),
            Kind::Demand => format!("/demands/{id}"),
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
