//! 竞价 / 拍卖: online English auctions. An administrator or the running agency sets the opening
//! price, increment, optional hidden reserve, the Beijing start and end, an anti-sniping rule and
//! the qualified bidders. Bids are append-only and judged inside one write transaction against the
//! current price, so concurrent bids never yield two winners or a lower winning bid. The live page
//! follows the auction by Server-Sent Events; at the end it is sold (reserve met) or unsold, and a
//! sold one drafts its contract.

pub mod api;
pub mod bidding;
pub mod live;
pub mod model;
pub mod pages;
pub mod service;
pub mod settle;
pub mod store;
pub mod view;
