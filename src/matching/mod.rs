//! Recommendations (推荐对接): for a demand the achievements that fit it, for an achievement the
//! open demands and the enterprises that asked for similar things — each with a score and the
//! reasons a person can check. Built on the search index (candidates) plus structured signals.

pub mod api;
pub mod feedback;
pub mod score;
pub mod service;
