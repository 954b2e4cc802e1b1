//! The web shell shared by every page: templates, the page context, static assets, security
//! headers and error catchers.

pub mod assets;
pub mod catchers;
pub mod headers;
pub mod page;
pub mod params;
pub mod templates;

pub use page::{Notice, Page, Site};
pub use templates::Templates;
