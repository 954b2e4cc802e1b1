//! What a listing kind tells the importer: its sheet's columns and how each cell is read, the
//! template's example and drop-down lists, and the identity that makes a re-import a no-op.

use sqlx::any::AnyRow;

use crate::duplicates::Text;
use crate::listings::Kind;
use crate::listings::kind::Listing;
use crate::sheets::Column;

/// How a cell becomes the form's value.
#[derive(Debug, Clone, Copy)]
pub enum Read {
    /// Text as typed.
    Text,
    /// One vocabulary value: its code, or its Chinese label (leniently).
    One(fn(&str) -> Option<&'static str>),
    /// Several vocabulary values separated by 、，,;；/ or spaces.
    Many(fn(&str) -> Option<&'static str>),
    /// 是 / 否.
    YesNo,
    /// A two-digit code Excel may have stored as a number (`3` for `03`).
    TwoDigits,
}

/// A kind that can be imported from a spreadsheet.
pub trait Importable: Listing {
    const COLUMNS: &'static [Column];
    /// One example value per column (dates relative to today, so the example always passes).
    fn example() -> Vec<String>;
    /// The columns read for the identity of rows already stored.
    const KEY_COLUMNS: &'static str;
    fn reading(field: &str) -> Read;
    fn lists() -> Vec<(&'static str, Vec<&'static str>)>;
    /// A listing's identity within its organisation: title (spaces and case ignored) and
    /// patent numbers (in any order).
    fn key_of(content: &Self::Content) -> String;
    fn key_of_row(row: &AnyRow) -> Result<String, sqlx::Error>;
    /// What the duplicate check compares.
    fn compared(content: &Self::Content) -> Text<'_>;
}

/// The kinds an import may hold, in the order the upload form offers them.
pub const KINDS: [Kind; 2] = [Kind::Achievement, Kind::Demand];

/// The identity of a listing: title without spaces, lower case; patent numbers sorted.
pub fn identity(title: &str, patents: &[String]) -> String {
    let title: String = title.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    let mut patents: Vec<&str> = patents.iter().map(String::as_str).collect();
    patents.sort_unstable();
    format!("{title}|{}", patents.join(","))
}
