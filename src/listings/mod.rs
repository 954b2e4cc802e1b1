//! The listing core: what every published kind (科技成果, 技术需求, and the kinds to come) shares —
//! the lifecycle and review queue, contact requests and views, cursor-paged API lists, "my
//! listings", visibility, the search outbox and status labels — written once against the
//! [`Listing`] descriptor each kind implements. See docs/ARCHITECTURE.md, "Adding a listing kind".

pub mod api;
pub mod contact_pages;
pub mod contacts;
pub mod cursor;
pub mod interest;
pub mod kind;
pub mod lifecycle;
pub mod meta;
pub mod notices;
pub mod outbox;
pub mod pages;
pub mod patch;
pub mod public;
pub mod status;
pub mod store;

pub use kind::{
    Actor, Listing, ListingAction, ListingKind, ListingRow, ListingStatus, ListingStore, ListingView, Words,
};
pub use meta::Meta;

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

    /// Where the kind's pages are mounted (and, under `/api/v1`, its API).
    pub fn base(self) -> &'static str {
        match self {
            Kind::Achievement => "/achievements",
            Kind::Demand => "/demands",
        }
    }

    /// Where a listing of this kind is shown.
    pub fn path(self, id: &str) -> String {
        format!("{}/{id}", self.base())
    }

    /// The template of one of the kind's shared pages.
    pub fn template(self, page: SharedPage) -> &'static str {
        match (self, page) {
            (Kind::Achievement, SharedPage::Form) => "achievements/form",
            (Kind::Achievement, SharedPage::Mine) => "achievements/mine",
            (Kind::Achievement, SharedPage::Review) => "achievements/review",
            (Kind::Demand, SharedPage::Form) => "demands/form",
            (Kind::Demand, SharedPage::Mine) => "demands/mine",
            (Kind::Demand, SharedPage::Review) => "demands/review",
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

/// The pages the core renders for every kind, each from the kind's own template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedPage {
    Form,
    Mine,
    Review,
}
