//! Organisations: institutions, enterprises, agencies and broker firms, with their
//! 统一社会信用代码, nature, region and qualifications.

pub mod store;

pub use store::{NewOrganisation, Organisation};
