//! A spreadsheet row into the form's input: each column's cell read by its `Read` (vocabulary
//! labels into codes, lists split, 是/否 into a tick), so that the form's own rules judge it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::kinds::{Importable, Read};
use crate::domain::forms::FieldErrors;
use crate::sheets::{Table, map_headers, yes_no};

/// Separators people use between several values in one cell.
const SEPARATORS: [char; 10] = [',', '，', '、', ';', '；', '/', '／', ' ', '\n', '\u{3000}'];

/// Cells by field, from a row and its table's header mapping.
pub fn cells_of<'a, K: Importable>(mapped: &[Option<usize>], cells: &'a [String]) -> BTreeMap<&'static str, &'a str> {
    let mut by_field = BTreeMap::new();
    for (col, text) in cells.iter().enumerate() {
        if let Some(Some(index)) = mapped.get(col) {
            let text = text.trim();
            if !text.is_empty() {
                by_field.insert(K::COLUMNS[*index].field, text);
            }
        }
    }
    by_field
}

/// The form input a row makes, and the cells that could not be read as their column asks.
pub fn input_of<K: Importable>(cells: &BTreeMap<&'static str, &str>) -> (K::Input, FieldErrors) {
    let mut values = Map::new();
    let mut errors = FieldErrors::new();
    for (field, text) in cells {
        let value = match K::reading(field) {
            Read::Text => Value::String(text.to_string()),
            Read::One(code) => Value::String(code(text).unwrap_or(text).to_string()),
            Read::Many(code) => Value::Array(
                text.split(SEPARATORS)
                    .filter(|part| !part.trim().is_empty())
                    .map(|part| Value::String(code(part.trim()).unwrap_or(part.trim()).to_string()))
                    .collect(),
            ),
            Read::YesNo => match yes_no(text) {
                Some(flag) => Value::Bool(flag),
                None => {
                    errors.insert(field.to_string(), format!("“{text}”：请填写“是”或“否”"));
                    continue;
                }
            },
            Read::TwoDigits if text.len() == 1 && text.bytes().all(|b| b.is_ascii_digit()) => {
                Value::String(format!("0{text}"))
            }
            Read::TwoDigits => Value::String(text.to_string()),
        };
        values.insert(field.to_string(), value);
    }
    let input = serde_json::from_value(Value::Object(values)).unwrap_or_else(|error| {
        errors.insert("title".to_string(), format!("这一行无法读取：{error}"));
        K::Input::default()
    });
    (input, errors)
}

/// The header mapping of a table for a kind.
pub fn mapping<K: Importable>(table: &Table) -> Vec<Option<usize>> {
    map_headers(K::COLUMNS, &table.headers)
}
