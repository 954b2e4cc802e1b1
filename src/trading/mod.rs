//! The pricing routes of the district plan (section 四, item 1; 促进科技成果转化法 第十八条):
//! 协议定价公示 notices with objections, 挂牌交易 offerings with intents that turn into
//! 竞价 when several enterprises want the same achievement, online English auctions with a live
//! page, and 资产评估 records. Every route ends in a contract draft (`prefill`).

pub mod appraisal_routes;
pub mod appraisals;
pub mod auctions;
pub mod notices;
pub mod offerings;
pub mod panel;
pub mod prefill;
pub mod rules;
