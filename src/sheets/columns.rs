//! Template columns: the field each fills, its Chinese header (and the aliases other systems'
//! exports use), whether it is required; and reading a vocabulary or yes/no cell leniently.

use std::collections::BTreeMap;

use super::read::Table;

/// One column: the field it fills, its template header, other headers accepted, whether required.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub field: &'static str,
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
    /// What the template's instructions sheet says of it.
    pub help: &'static str,
}

pub const fn col(
    field: &'static str,
    header: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    help: &'static str,
) -> Column {
    Column { field, header, aliases, required, help }
}

fn normalise(header: &str) -> String {
    header.chars().filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | '\u{feff}')).collect()
}

/// Which of `columns` each header cell is (by header or alias); `None` for columns not read.
pub fn map_headers(columns: &[Column], headers: &[String]) -> Vec<Option<usize>> {
    headers
        .iter()
        .map(|h| {
            let h = normalise(h);
            columns.iter().position(|c| normalise(c.header) == h || c.aliases.iter().any(|a| normalise(a) == h))
        })
        .collect()
}

/// Whether a header row names any of `columns`.
pub fn names_any(columns: &[Column], headers: &[String]) -> bool {
    map_headers(columns, headers).iter().any(Option::is_some)
}

/// The template header of a field (the field's own name if no column fills it).
pub fn header_of<'a>(columns: &'a [Column], field: &'a str) -> &'a str {
    columns.iter().find(|c| c.field == field).map_or(field, |c| c.header)
}

impl Table {
    /// The cells of one row that cannot be taken as written, by the field their column fills
    /// (`mapped` from `map_headers`); problems in columns not read are left out.
    pub fn problems_by_field(
        &self,
        line: usize,
        columns: &[Column],
        mapped: &[Option<usize>],
    ) -> BTreeMap<String, String> {
        self.problems_in(line)
            .filter_map(|(col, why)| {
                mapped.get(col).copied().flatten().map(|c| (columns[c].field.to_string(), why.clone()))
            })
            .collect()
    }
}

/// Reads a vocabulary cell: the code itself, the exact Chinese label, or a label that the text
/// names unambiguously (`科研机构` for `事业单位（科研机构）`).
pub fn vocabulary<T: Copy>(
    text: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Option<T> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(found) = all.iter().find(|v| code(**v) == text || label(**v) == text) {
        return Some(*found);
    }
    // `企业（私营）` is usually written 私营企业 or 私营; `事业单位（科研机构）` 科研机构.
    let spoken = |l: &str| -> Option<(String, String)> {
        let (outer, rest) = l.split_once('（')?;
        let inner = rest.strip_suffix('）')?;
        Some((inner.to_string(), format!("{inner}{outer}")))
    };
    if let Some(found) =
        all.iter().find(|v| spoken(label(**v)).is_some_and(|(inner, both)| text == inner || text == both))
    {
        return Some(*found);
    }
    let mut partial = all.iter().filter(|v| label(**v).contains(text));
    match (partial.next(), partial.next()) {
        (Some(one), None) => Some(*one),
        _ => None,
    }
}

/// 是 / 否 (or 1/0, true/false, Y/N); blank is no.
pub fn yes_no(text: &str) -> Option<bool> {
    match text.trim() {
        "" | "否" | "0" | "false" | "FALSE" | "N" | "n" | "no" => Some(false),
        "是" | "1" | "true" | "TRUE" | "Y" | "y" | "yes" => Some(true),
        _ => None,
    }
}
