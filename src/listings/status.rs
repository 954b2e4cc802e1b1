//! The statuses of every listing kind with their Chinese labels, kept in the core so search,
//! statistics and the kinds read one table.

use serde::Serialize;

use crate::labelled_enum;

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

labelled_enum!(
    /// Where an achievement stands.
    AchievementStatus {
        Draft = "draft": "草稿",
        Submitted = "submitted": "待审核",
        Returned = "returned": "已退回",
        Published = "published": "已发布",
        Negotiating = "negotiating": "洽谈中",
        Transferred = "transferred": "已转化",
        Withdrawn = "withdrawn": "已撤回",
    }
);

labelled_enum!(
    /// Where a demand stands.
    DemandStatus {
        Draft = "draft": "草稿",
        Submitted = "submitted": "待审核",
        Returned = "returned": "已退回",
        Published = "published": "征集中",
        InTalks = "in_talks": "洽谈中",
        Solved = "solved": "已解决",
        Closed = "closed": "已关闭",
        Expired = "expired": "已过期",
    }
);

/// Implements [`ListingStatus`] for a status enum from its public and editable sets.
macro_rules! listing_status {
    ($name:ident, public: [$($public:ident),+], editable: [$($editable:ident),+]) => {
        impl $name {
            /// Visible to the public (and searchable).
            pub fn is_public(self) -> bool {
                matches!(self, $($name::$public)|+)
            }

            /// The owner may change the content.
            pub fn is_editable(self) -> bool {
                matches!(self, $($name::$editable)|+)
            }
        }

        impl ListingStatus for $name {
            const DRAFT: Self = $name::Draft;
            const SUBMITTED: Self = $name::Submitted;
            const PUBLISHED: Self = $name::Published;
            const ALL: &'static [Self] = $name::ALL;

            fn code(self) -> &'static str {
                $name::code(self)
            }

            fn label(self) -> &'static str {
                $name::label(self)
            }

            fn from_code(code: &str) -> Option<Self> {
                $name::from_code(code)
            }

            fn is_public(self) -> bool {
                $name::is_public(self)
            }

            fn is_editable(self) -> bool {
                $name::is_editable(self)
            }
        }
    };
}

listing_status!(
    AchievementStatus,
    public: [Published, Negotiating, Transferred],
    editable: [Draft, Returned, Published, Negotiating]
);
listing_status!(DemandStatus, public: [Published, InTalks, Solved], editable: [Draft, Returned, Published, InTalks]);

/// The label of a stored status code of a kind (`None` for an unknown code).
pub fn label(kind: super::Kind, code: &str) -> Option<&'static str> {
    match kind {
        super::Kind::Achievement => AchievementStatus::from_code(code).map(AchievementStatus::label),
        super::Kind::Demand => DemandStatus::from_code(code).map(DemandStatus::label),
    }
}

/// Whether a stored status code of a kind is public.
pub fn is_public_code(kind: super::Kind, code: &str) -> bool {
    match kind {
        super::Kind::Achievement => AchievementStatus::from_code(code).is_some_and(AchievementStatus::is_public),
        super::Kind::Demand => DemandStatus::from_code(code).is_some_and(DemandStatus::is_public),
    }
}

/// A kind's public status codes as an SQL list (`'published', 'negotiating', …`).
pub fn public_sql(kind: super::Kind) -> String {
    let codes: Vec<&str> = match kind {
        super::Kind::Achievement => AchievementStatus::ALL.iter().filter(|s| s.is_public()).map(|s| s.code()).collect(),
        super::Kind::Demand => DemandStatus::ALL.iter().filter(|s| s.is_public()).map(|s| s.code()).collect(),
    };
    codes.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
}

/// Every status label of a kind.
pub fn labels(kind: super::Kind) -> Vec<&'static str> {
    match kind {
        super::Kind::Achievement => AchievementStatus::ALL.iter().map(|s| s.label()).collect(),
        super::Kind::Demand => DemandStatus::ALL.iter().map(|s| s.label()).collect(),
    }
}
