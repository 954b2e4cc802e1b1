//! Typed ids (uuid v7, time-ordered) per entity, stored as TEXT, so one kind cannot stand for another.

/// Declares an id type: a uuid v7 newtype that prints and parses as the canonical hyphenated form.
#[macro_export]
macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                $name(uuid::Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map($name)
            }
        }
    };
}

typed_id!(
    /// An organisation: institution, enterprise, agency or broker firm.
    OrganisationId
);
typed_id!(
    /// A user account.
    UserId
);
typed_id!(
    /// One row of the audit log.
    AuditEventId
);
typed_id!(
    /// A 科技成果 listing.
    AchievementId
);
typed_id!(
    /// A 技术需求 listing.
    DemandId
);
typed_id!(
    /// A 揭榜 application to a challenge.
    ApplicationId
);
typed_id!(
    /// A technology contract.
    ContractId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_time_ordered_and_round_trip() {
        let first = OrganisationId::new();
        let second = OrganisationId::new();
        assert!(first < second);
        assert_eq!(first.0.get_version_num(), 7);
        let text = first.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.parse::<OrganisationId>().ok(), Some(first));
        assert!("not-an-id".parse::<UserId>().is_err());
    }
}
