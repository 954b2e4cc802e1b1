//! From index hits to what people see: rows re-read from the database in one query per kind
//! (anything no longer public is dropped, however stale the index), labels, prices, and
//! highlighted titles and snippets (HTML-escaped by tantivy before the `<b>` marks go in).

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{Any, Row as _};
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;

use super::engine::Hit;
use super::generation::Generation;
use crate::db::Db;
use crate::domain::forms::date_text;
use crate::domain::money::Fen;
use crate::domain::taxonomy::{Stage, TechnicalField};
use crate::domain::time::{chinese_date, parse_stored, today_shanghai};
use crate::listings::{Kind, status};

/// One result as shown on a page or returned by the API.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub id: String,
    pub url: String,
    pub title: String,
    /// The title with matched words in `<b>`, already escaped.
    pub title_html: String,
    /// A passage with matched words in `<b>`, already escaped.
    pub snippet_html: String,
    pub organisation: String,
    pub technical_field_label: &'static str,
    pub stage_label: Option<&'static str>,
    pub price_text: String,
    pub status: String,
    pub status_label: &'static str,
    pub published_date: Option<String>,
    pub score: f32,
}

/// A row as re-read for display.
struct Row {
    title: String,
    summary: String,
    body: String,
    organisation: String,
    technical_field: String,
    stage: Option<String>,
    price_text: String,
    status: String,
    status_label: &'static str,
    published_at: Option<String>,
}

fn price_text(fen: Option<i64>) -> String {
    fen.map_or_else(|| "面议".to_string(), |f| Fen(f).format_compact())
}

fn budget_text(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(a), Some(b)) if a == b => format!("预算 {}", Fen(a).format_compact()),
        (Some(a), Some(b)) => format!("预算 {}–{}", Fen(a).format_compact(), Fen(b).format_compact()),
        (Some(a), None) => format!("预算 {} 起", Fen(a).format_compact()),
        (None, Some(b)) => format!("预算 {} 以内", Fen(b).format_compact()),
        (None, None) => "预算面议".to_string(),
    }
}

fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

async fn load_rows(db: &Db, kind: Kind, ids: &[&str]) -> Result<HashMap<String, Row>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = match kind {
        Kind::Achievement => format!(
            "SELECT a.id, a.title, a.summary, a.description AS body, o.name AS organisation, a.technical_field, a.stage, \
             a.asking_price_fen, a.status, a.published_at FROM achievements a JOIN organisations o ON o.id = a.organisation_id \
             WHERE a.id IN ({})",
            placeholders(ids.len())
        ),
        Kind::Demand => format!(
            "SELECT d.id, d.title, d.description AS summary, d.basis AS body, o.name AS organisation, d.technical_field, \
             d.budget_min_fen, d.budget_max_fen, d.status, d.valid_until, d.published_at FROM demands d \
             JOIN organisations o ON o.id = d.organisation_id WHERE d.id IN ({})",
            placeholders(ids.len())
        ),
    };
    let mut query = sqlx::query::<Any>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    // Visibility is judged here rather than in SQL: with a status condition SQLite's planner
    // prefers the status index and scans every published row instead of fetching ten by id.
    let today = date_text(today_shanghai());
    let mut out = HashMap::new();
    for row in query.fetch_all(db.pool()).await? {
        let status: String = row.try_get("status")?;
        let public = match kind {
            Kind::Achievement => matches!(status.as_str(), "published" | "negotiating" | "transferred"),
            Kind::Demand => {
                status == "solved"
                    || (matches!(status.as_str(), "published" | "in_talks")
                        && row.try_get::<String, _>("valid_until")? >= today)
            }
        };
        if !public {
            continue;
        }
        let (stage, price_text, status_label) = match kind {
            Kind::Achievement => (
                Some(row.try_get::<String, _>("stage")?),
                price_text(row.try_get("asking_price_fen")?),
                status::label(Kind::Achievement, &status).unwrap_or("已发布"),
            ),
            Kind::Demand => (
                None,
                budget_text(row.try_get("budget_min_fen")?, row.try_get("budget_max_fen")?),
                status::label(Kind::Demand, &status).unwrap_or("征集中"),
            ),
        };
        out.insert(
            row.try_get("id")?,
            Row {
                title: row.try_get("title")?,
                summary: row.try_get("summary")?,
                body: row.try_get("body")?,
                organisation: row.try_get("organisation")?,
                technical_field: row.try_get("technical_field")?,
                stage,
                price_text,
                status,
                status_label,
                published_at: row.try_get("published_at")?,
            },
        );
    }
    Ok(out)
}

/// The hits that are still public, in rank order.
pub async fn recheck(db: &Db, hits: &[Hit]) -> Result<Vec<(Hit, RowRef)>, sqlx::Error> {
    let mut rows = HashMap::new();
    for kind in [Kind::Achievement, Kind::Demand] {
        let ids: Vec<&str> = hits.iter().filter(|h| h.kind == kind).map(|h| h.id.as_str()).collect();
        for (id, row) in load_rows(db, kind, &ids).await? {
            rows.insert((kind, id), row);
        }
    }
    Ok(hits
        .iter()
        .filter_map(|hit| rows.remove(&(hit.kind, hit.id.clone())).map(|row| (hit.clone(), RowRef(row))))
        .collect())
}

/// A re-read row, opaque outside this module.
pub struct RowRef(Row);

/// Highlighters for one query; fields with no query terms fall back to the character pairs.
pub struct Highlighter {
    title: Vec<SnippetGenerator>,
    passage: Vec<SnippetGenerator>,
}

fn generators(generation: &Generation, query: &dyn Query, fields: &[Field], chars: usize) -> Vec<SnippetGenerator> {
    let searcher = generation.reader.searcher();
    fields
        .iter()
        .filter_map(|field| SnippetGenerator::create(&searcher, query, *field).ok())
        .map(|mut g| {
            g.set_max_num_chars(chars);
            g
        })
        .collect()
}

impl Highlighter {
    pub fn new(generation: &Generation, query: Option<&dyn Query>) -> Highlighter {
        let f = generation.fields;
        match query {
            Some(q) => Highlighter {
                title: generators(generation, q, &[f.title, f.grams], 300),
                passage: generators(generation, q, &[f.summary, f.body, f.grams], 160),
            },
            None => Highlighter { title: vec![], passage: vec![] },
        }
    }

    fn best(generators: &[SnippetGenerator], texts: &[&str]) -> Option<String> {
        for generator in generators {
            for text in texts {
                let snippet = generator.snippet(text);
                if !snippet.highlighted().is_empty() {
                    return Some(marked_html(snippet.fragment(), snippet.highlighted()));
                }
            }
        }
        None
    }
}

/// The fragment escaped, with the (possibly overlapping) highlighted byte ranges merged and
/// wrapped in `<b>`. Written here because overlapping ranges from the character-pair field
/// trip tantivy's own `to_html`.
fn marked_html(fragment: &str, highlighted: &[std::ops::Range<usize>]) -> String {
    let mut ranges: Vec<std::ops::Range<usize>> =
        highlighted.iter().filter(|r| r.start < r.end && fragment.get(r.start..r.end).is_some()).cloned().collect();
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    let mut html = String::with_capacity(fragment.len() + merged.len() * 7);
    let mut at = 0;
    for range in merged {
        html.push_str(&escape(&fragment[at..range.start]));
        html.push_str("<b>");
        html.push_str(&escape(&fragment[range.clone()]));
        html.push_str("</b>");
        at = range.end;
    }
    html.push_str(&escape(&fragment[at..]));
    html
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
    out
}

/// Cards for re-checked hits, highlighted.
pub fn cards(found: Vec<(Hit, RowRef)>, highlighter: &Highlighter) -> Vec<Card> {
    found
        .into_iter()
        .map(|(hit, RowRef(row))| {
            let title_html = Highlighter::best(&highlighter.title, &[&row.title]).unwrap_or_else(|| escape(&row.title));
            let snippet_html = Highlighter::best(&highlighter.passage, &[&row.summary, &row.body])
                .unwrap_or_else(|| escape(&row.summary.chars().take(120).collect::<String>()));
            Card {
                kind: hit.kind.code(),
                kind_label: hit.kind.label(),
                url: hit.kind.path(&hit.id),
                id: hit.id,
                title: row.title,
                title_html,
                snippet_html,
                organisation: row.organisation,
                technical_field_label: TechnicalField::from_code(&row.technical_field).map_or("其他", |t| t.label()),
                stage_label: row.stage.as_deref().and_then(Stage::from_code).map(|s| s.label()),
                price_text: row.price_text,
                status: row.status,
                status_label: row.status_label,
                published_date: row.published_at.as_deref().and_then(parse_stored).map(chinese_date),
                score: hit.score,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::marked_html;

    #[test]
    fn overlapping_marks_merge_and_text_is_escaped() {
        let text = "化学<键>反应";
        assert_eq!(marked_html(text, &[0..6, 3..6, 0..3]), "<b>化学</b>&lt;键&gt;反应");
        assert_eq!(marked_html(text, &[0..3, 3..6, 11..17]), "<b>化学</b>&lt;键&gt;<b>反应</b>");
        assert_eq!(
            marked_html(text, &[1..4, 40..50]),
            "化学&lt;键&gt;反应",
            "ranges off char boundaries or the text are dropped"
        );
    }
}
