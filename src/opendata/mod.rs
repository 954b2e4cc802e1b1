//! 科技成果信息数据发布: the public data others can build on, without asking anyone — a paged
//! JSON API for incremental sync (`/api/v1/open/*`), daily bulk files with a manifest
//! (`/open-data/files/*`), Atom feeds (`/feeds/*.atom`) and the page that documents them
//! (`/open-data`). Published listings, 揭榜挂帅 terms, salons and registered-contract statistics;
//! never a contact, a draft or a listing under review.

pub mod api;
pub mod bulk;
pub mod feeds;
pub mod http;
pub mod pages;
pub mod records;
pub mod store;

/// The licence of everything published here.
pub const LICENCE: &str = "CC-BY-4.0";
pub const LICENCE_NAME: &str = "知识共享 署名 4.0 国际许可协议";
pub const LICENCE_URL: &str = "https://creativecommons.org/licenses/by/4.0/legalcode.zh-hans";
