//! The descriptor a listing kind implements: its vocabulary (statuses, actions), its content
//! (input, validated content, stored row), where it is stored and how it reads. Everything the
//! kinds share — lifecycle, review, interest, lists, pages and API — is written once against it.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::any::{AnyArguments, AnyRow};

use super::Kind;
use super::meta::Meta;
pub use super::status::ListingStatus;
use crate::auth::CurrentUser;
use crate::db::conditions::Conditions;
use crate::domain::forms::FieldErrors;
use crate::error::ErrorCode;

pub type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, AnyArguments<'q>>;

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

/// A stored row of any kind: its [`Meta`] and its title.
pub trait ListingRow: Send + Sync + 'static {
    type Status: ListingStatus;
    fn meta(&self) -> &Meta<Self::Status>;
    fn title(&self) -> &str;

    fn id(&self) -> &str {
        &self.meta().id
    }

    fn organisation_id(&self) -> &str {
        &self.meta().organisation_id
    }

    fn status(&self) -> Self::Status {
        self.meta().status
    }

    fn version(&self) -> i64 {
        self.meta().version
    }
}

/// The words a kind's messages and pages use.
pub struct Words {
    /// `achievement`: audit actions (`achievement.created`), codes (`achievement_not_found`).
    pub subject: &'static str,
    /// 成果 / 需求, inside sentences.
    pub noun: &'static str,
    /// 科技成果 / 技术需求, as a title.
    pub title: &'static str,
    pub not_found: (ErrorCode, &'static str),
    pub not_owner: &'static str,
    pub cannot_create: (ErrorCode, &'static str),
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

/// A listing kind: what it is, its types and its rules. With [`ListingStore`] (where it is
/// stored, next to its SQL) and [`ListingView`] (how it reads, next to its views) it is a
/// [`Listing`], which the core runs; mount its routes with [`crate::listing_pages!`] and
/// [`crate::listing_api!`].
pub trait ListingKind: Send + Sync + Sized + 'static {
    const KIND: Kind;
    const WORDS: Words;

    /// Its typed id (`typed_id!`), parsed from paths at the edge.
    type Id: Copy + std::fmt::Display + std::str::FromStr + Send + Sync + 'static;
    type Status: ListingStatus;
    type Action: ListingAction;
    /// What a form or the API sends; its `version` field carries optimistic locking.
    type Input: Clone + Default + Serialize + DeserializeOwned + Send + Sync + 'static;
    type Content: Send + Sync;
    type Row: ListingRow<Status = Self::Status> + Serialize;
    /// The kind's own list filters (beyond owner, status, field, industry and region).
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
}

/// Where a kind is stored: its table's own columns and how they are read, bound and filtered.
pub trait ListingStore: ListingKind {
    /// The table's alias in `SELECT` (`a`, `d`).
    const ALIAS: &'static str;
    /// The content columns (read back after [`Meta`]'s), in the order
    /// [`ListingStore::bind_content`] binds them.
    const CONTENT_COLUMNS: &'static [&'static str];
    /// Whether the public list walks the newest-first index (see `store::conditions`).
    const PUBLIC_BY_NEWEST: bool;

    fn from_row(row: &AnyRow, meta: Meta<Self::Status>) -> Result<Self::Row, sqlx::Error>;
    fn bind_content<'q>(query: AnyQuery<'q>, content: &Self::Content) -> AnyQuery<'q>;
    fn filter(filter: &Self::Filter, conditions: &mut Conditions);
}

/// How a kind reads: its view of a row, its form's values and choice lists.
pub trait ListingView: ListingKind {
    /// A typed response: one listing as templates and the API show it.
    type View<'a>: Serialize + Send;
    /// One listing for templates and JSON; contact details only when `with_contact`.
    fn view(row: &Self::Row, with_contact: bool) -> Self::View<'_>;
    /// The form's values from a stored row (with its version).
    fn input_of(row: &Self::Row) -> Self::Input;
    /// The form's choice lists with the input's selections marked.
    fn form_choices(input: &Self::Input) -> Value;
    /// The create form's starting values for this person.
    fn blank_input(user: &CurrentUser, region_code: String) -> Self::Input;
}

/// A kind the core can run: described, stored and viewed.
pub trait Listing: ListingStore + ListingView {}

impl<T: ListingStore + ListingView> Listing for T {}

/// The `version` an input carries (every kind's input has one).
pub fn version_of<K: ListingKind>(input: &K::Input) -> Option<i64> {
    serde_json::to_value(input).ok().and_then(|v| v.get("version").and_then(Value::as_i64))
}

/// Implements [`ListingAction`] for a kind's action enum (made with `labelled_enum!`): the
/// owner's buttons in order, which actions administrators and the platform take, which one
/// approves, which one returns (with a reason), and which buttons are dangerous.
#[macro_export]
macro_rules! listing_action {
    (
        $name:ident,
        owner_buttons: [$($button:ident),+ $(,)?],
        admin: [$($admin:ident),+],
        system: [$($system:ident),*],
        approve: $approve:ident,
        return: $return:ident,
        danger: [$($danger:ident),+] $(,)?
    ) => {
        impl $crate::listings::ListingAction for $name {
            const OWNER_BUTTONS: &'static [$name] = &[$($name::$button),+];

            fn code(self) -> &'static str {
                $name::code(self)
            }

            fn label(self) -> &'static str {
                $name::label(self)
            }

            fn from_code(code: &str) -> Option<Self> {
                $name::from_code(code)
            }

            #[allow(unreachable_patterns)]
            fn actor(self) -> $crate::listings::Actor {
                match self {
                    $($name::$admin)|+ => $crate::listings::Actor::Admin,
                    $($name::$system => $crate::listings::Actor::System,)*
                    _ => $crate::listings::Actor::Owner,
                }
            }

            fn is_approval(self) -> bool {
                self == $name::$approve
            }

            fn is_return(self) -> bool {
                self == $name::$return
            }

            fn is_danger(self) -> bool {
                matches!(self, $($name::$danger)|+)
            }
        }
    };
}

/// Implements [`ListingRow`] for a kind's row struct with a `meta: Meta<Status>` and a `title`.
#[macro_export]
macro_rules! listing_row {
    ($row:ty, $status:ty) => {
        impl $crate::listings::ListingRow for $row {
            type Status = $status;

            fn meta(&self) -> &$crate::listings::Meta<$status> {
                &self.meta
            }

            fn title(&self) -> &str {
                &self.title
            }
        }
    };
}

/// Checks a kind's transition table against the complete list of moves it should allow: every
/// status × action pair not listed must be refused.
#[cfg(test)]
pub fn assert_exactly_these_moves<S, A>(transition: impl Fn(S, A) -> Option<S>, actions: &[A], allowed: &[(S, A, S)])
where
    S: ListingStatus + std::fmt::Debug,
    A: Copy + Eq + std::fmt::Debug,
{
    for from in S::ALL {
        for action in actions {
            let expected = allowed.iter().find(|(f, a, _)| f == from && a == action).map(|(_, _, to)| *to);
            assert_eq!(transition(*from, *action), expected, "{from:?} --{action:?}-->");
        }
    }
}
