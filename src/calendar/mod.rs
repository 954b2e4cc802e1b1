//! The official calendar the registration clock counts in: the State Council's yearly holiday
//! notices, entered by administrators (page and API, audited) so that a new year's notice needs no
//! release. The counting itself is pure and lives in `domain::workdays`.

pub mod model;
pub mod routes;
pub mod store;

pub use store::load;
