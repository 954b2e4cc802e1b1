//! Near-duplicate listings (查重): when a listing is written, edited or imported, the listings
//! already in the library that share a patent number or read nearly the same (title and summary
//! bigrams) are shown to its authors and reviewers before publication; administrators mark a
//! pair "not a duplicate" or merge the newer listing into the older one.

pub mod detect;
pub mod many;
pub mod pages;
pub mod panel;
pub mod similarity;
pub mod store;

pub use detect::{Suspect, suspects};
pub use similarity::{Resemblance, THRESHOLD, Text, resemblance};
