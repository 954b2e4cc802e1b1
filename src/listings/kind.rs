//! The descriptor a listing kind implements: its vocabulary (statuses, actions), its content
//! (input, validated content, stored row), where it is stored and how it reads. Everything the
//! kinds share — lifecycle, review, interest, lists, pages and API — is written once against it.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::any::{AnyArguments, AnyRow};

use super::Kind;
use crate::auth::CurrentUser;
use crate::db::conditions::Conditions;
use crate::domain::forms::FieldErrors;

pub type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, AnyArguments<'q>>;

/// Where a listing stands: every kind has a draft, a review queue and public statuses.
pub trait ListingStatus: Copy + Eq + Send + Sync + Serialize + 'static {
    const DRAFT: Self;
    const SUBMITTED: Self;
    const PUBLISHED: Self;
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    fn from_code(code: &str) -> Option<Self>;
    /// Shown to the public (and searchable).
    fn is_public(self) -> bool;
    /// The owner may change the content.
    fn is_editable(self) -> bool;

    /// The public statuses, in display order.
    fn public() -> Vec<Self> {
        Self::ALL.iter().copied().filter(|s| s.is_public()).collect()
    }

    /// Editing what the public sees sends it back to review; drafts and returned ones stay.
    fn after_edit(self) -> Self {
        if self.is_public() { Self::SUBMITTED } else { self }
    }
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A member of the owning organisation.
    Owner,
    /// An administrator reviewing listings.
    Admin,
    /// The platform itself (expiry).
    System,
}

/// Something that moves a listing from one status to another.
pub trait ListingAction: Copy + Eq + Send + Sync + 'static {
    /// The buttons an owner may see, in order; the transition table decides which show.
    const OWNER_BUTTONS: &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    fn from_code(code: &str) -> Option<Self>;
    fn actor(self) -> Actor;
    /// An administrator approving a submitted listing (clears the review note).
    fn is_approval(self) -> bool;
    /// An administrator returning a listing (needs a reason, kept as the review note).
    fn is_return(self) -> bool;
    /// Shown as a dangerous button (withdraw, close).
    fn is_danger(self) -> bool;
}

/// What a stored row of any kind tells the core.
pub trait ListingRow: Send + Sync + 'static {
    type Status: ListingStatus;
    fn id(&self) -> &str;
    fn organisation_id(&self) -> &str;
    fn status(&self) -> Self::Status;
    fn title(&self) -> &str;
    /// Bumped by every change (optimistic locking).
    fn version(&self) -> i64;
    /// The API cursor's time: published, else created.
    fn listed_at(&self) -> &str;
}

/// The words a kind's messages and pages use.
pub struct Words {
    /// `achievement`: audit actions (`achievement.created`), codes (`achievement_not_found`).
    pub subject: &'static str,
    /// 成果 / 需求, inside sentences.
    pub noun: &'static str,
    /// 科技成果 / 技术需求, as a title.
    pub title: &'static str,
    pub not_found: (&'static str, &'static str),
    pub not_owner: &'static str,
    pub cannot_create: (&'static str, &'static str),
    /// Who fixes a returned listing (申请人 / 企业).
    pub fixer: &'static str,
    pub not_public: &'static str,
    pub own_listing: &'static str,
    pub created: &'static str,
    pub resubmitted: &'static str,
    pub contact_sent: &'static str,
    pub review_title: &'static str,
    pub mine_title: &'static str,
}

/// A listing kind: implement this, add a migration and templates, and mount its routes with
/// [`crate::listing_pages!`] and [`crate::listing_api!`].
pub trait Listing: Send + Sync + Sized + 'static {
    const KIND: Kind;
    const WORDS: Words;
    /// The table's alias in `SELECT` (`a`, `d`).
    const ALIAS: &'static str;
    /// The columns read back, and `FROM … JOIN organisations o`.
    const SELECT: &'static str;
    /// The content columns, in the order [`Listing::bind_content`] binds them.
    const CONTENT_COLUMNS: &'static [&'static str];
    /// Whether the public list walks the newest-first index (see `store::conditions`).
    const PUBLIC_BY_NEWEST: bool;

    type Status: ListingStatus;
    type Action: ListingAction;
    type Input: Clone + Default + Serialize + DeserializeOwned + Send + Sync + 'static;
    type Content: Send + Sync;
    type Row: ListingRow<Status = Self::Status> + Serialize;
    /// The kind's own list filters (beyond owner and status).
    type Filter: Default + Clone + Send + Sync;

    fn may_create(user: &CurrentUser) -> bool;
    fn validate(input: &Self::Input) -> Result<Self::Content, FieldErrors>;
    fn title_of(content: &Self::Content) -> &str;
    /// The state machine: `None` means refused.
    fn transition(from: Self::Status, action: Self::Action) -> Option<Self::Status>;
    /// Whether the public may see this row now (demands also need a validity date ahead).
    fn publicly_visible(row: &Self::Row) -> bool {
        row.status().is_public()
    }

    fn from_row(row: &AnyRow) -> Result<Self::Row, sqlx::Error>;
    fn bind_content<'q>(query: AnyQuery<'q>, content: &Self::Content) -> AnyQuery<'q>;
    fn filter(filter: &Self::Filter, conditions: &mut Conditions);

    /// One listing for templates and JSON; contact details only when `with_contact`.
    fn view(row: &Self::Row, with_contact: bool) -> Value;
    /// The form's values from a stored row (with its version).
    fn input_of(row: &Self::Row) -> Self::Input;
    fn version_of(input: &Self::Input) -> Option<i64>;
    fn without_version(input: Self::Input) -> Self::Input;
    /// The form's choice lists with the input's selections marked.
    fn form_choices(input: &Self::Input) -> Value;
    /// The create form's starting values for this person.
    fn blank_input(user: &CurrentUser, region_code: String) -> Self::Input;
}
