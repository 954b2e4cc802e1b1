//! 协议定价公示 (促进科技成果转化法 第十八条): an institution publishes the achievement, its team,
//! the intended transferee, the transfer mode and the proposed price for a period (15 calendar
//! days by default, at least 5 working days). Anyone signed in may object during the period; the
//! institution answers each objection; the notice closes as 无异议 or 有异议已处理, or is
//! withdrawn. The published text never changes (the database refuses it): a correction is a new
//! version. A public board, an Atom feed, the API, and a contract draft from a closed notice.

pub mod api;
pub mod feed;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
pub mod view;
