//! 挂牌交易: an achievement offered at a posted price for a period, with conditions for
//! transferees. Enterprises register intent (意向受让登记) during the period. At its end one
//! intent means agreement at the posted price (a contract draft), several move the offering into
//! 竞价 automatically (the intending enterprises become the qualified bidders), none leaves it
//! unsold.

pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
