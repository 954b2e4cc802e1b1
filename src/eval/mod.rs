//! Search-quality evaluation as commands (`techmarket eval run|score`) on the sets in
//! `../shared/data/eval`: a temporary index of a set's documents, every query through the site's
//! own query code, TREC run files, and the metrics of the reference script.

pub mod duplicates;
pub mod metrics;
pub mod run;
