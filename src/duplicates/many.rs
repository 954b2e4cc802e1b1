//! Possible duplicates of many listings at once (an imported file): one pass over the kind's
//! patent numbers, one indexed lookup of titles per chunk, the index searched in one blocking
//! task, candidates read in chunks — so a file of thousands of rows costs seconds, not minutes.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use sqlx::Row as _;

use super::similarity::{Text, resemblance};
use crate::db::Db;
use crate::error::AppError;
use crate::listings::Kind;
use crate::search::Search;
use crate::search::engine;

/// Candidates read from the index per row.
const FROM_INDEX: usize = 5;
/// Ids per `IN (…)` list.
const CHUNK: usize = 500;

/// A stored listing an imported row may repeat.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Match {
    pub url: String,
    pub title: String,
    pub reason: String,
}

fn marks(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// For each text, the stored listings it may repeat (at most `limit`, most alike first).
pub async fn matches(
    db: &Db,
    search: Option<&Search>,
    kind: Kind,
    texts: &[Text<'_>],
    limit: usize,
) -> Result<Vec<Vec<Match>>, AppError> {
    let table = kind.table();
    let mut candidates: Vec<BTreeSet<String>> = vec![BTreeSet::new(); texts.len()];
    // Shared patent numbers: one pass over the listings that name any.
    if kind == Kind::Achievement && texts.iter().any(|t| !t.patents.is_empty()) {
        let sql =
            format!("SELECT id, patent_numbers FROM {table} WHERE patent_numbers <> '' AND status <> 'withdrawn'");
        let mut by_patent: HashMap<String, Vec<String>> = HashMap::new();
        for row in sqlx::query(&sql).fetch_all(db.pool()).await? {
            let id: String = row.try_get("id")?;
            let patents: String = row.try_get("patent_numbers")?;
            for patent in patents.lines().filter(|p| !p.is_empty()) {
                by_patent.entry(patent.to_string()).or_default().push(id.clone());
            }
        }
        for (i, text) in texts.iter().enumerate() {
            for patent in text.patents {
                candidates[i].extend(by_patent.get(patent).into_iter().flatten().cloned());
            }
        }
    }
    // The same title, whatever the status.
    let mut by_title: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, text) in texts.iter().enumerate() {
        by_title.entry(text.title.trim()).or_default().push(i);
    }
    let titles: Vec<&str> = by_title.keys().copied().collect();
    for chunk in titles.chunks(CHUNK) {
        let sql = format!("SELECT id, title FROM {table} WHERE title IN ({})", marks(chunk.len()));
        let mut query = sqlx::query(&sql);
        for title in chunk {
            query = query.bind(*title);
        }
        for row in query.fetch_all(db.pool()).await? {
            let (id, title): (String, String) = (row.try_get("id")?, row.try_get("title")?);
            for i in by_title.get(title.as_str()).into_iter().flatten() {
                candidates[*i].insert(id.clone());
            }
        }
    }
    // The public library, by title and summary.
    if let Some(search) = search {
        let requests: Vec<_> = texts.iter().map(|t| super::detect::index_request(kind, t, FROM_INDEX)).collect();
        let search = search.clone();
        let found = tokio::task::spawn_blocking(move || {
            let generation = search.generation();
            requests
                .iter()
                .map(|r| engine::search(&generation, r).map(|o| o.hits.into_iter().map(|h| h.id).collect::<Vec<_>>()))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
        for (i, ids) in found.into_iter().enumerate() {
            candidates[i].extend(ids);
        }
    }
    // Read every candidate once, then compare.
    let all: BTreeSet<&String> = candidates.iter().flatten().collect();
    let all: Vec<&String> = all.into_iter().collect();
    let (summary, patents) = super::detect::columns(kind);
    let mut stored: HashMap<String, (String, String, Vec<String>)> = HashMap::new();
    for chunk in all.chunks(CHUNK) {
        let sql = format!(
            "SELECT id, title, {summary} AS summary, {patents} AS patents FROM {table} WHERE id IN ({}) AND status <> 'withdrawn'",
            marks(chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        for row in query.fetch_all(db.pool()).await? {
            let patents: String = row.try_get("patents")?;
            let patents = patents.lines().filter(|p| !p.is_empty()).map(str::to_string).collect();
            stored.insert(row.try_get("id")?, (row.try_get("title")?, row.try_get("summary")?, patents));
        }
    }
    Ok(texts
        .iter()
        .zip(&candidates)
        .map(|(text, ids)| {
            let mut found: Vec<(bool, f32, Match)> = ids
                .iter()
                .filter_map(|id| {
                    let (title, summary, patents) = stored.get(id)?;
                    let alike = resemblance(text, &Text { title, summary, patents });
                    if !alike.suspicious() {
                        return None;
                    }
                    let reason = alike.reason();
                    let shared = !alike.shared_patents.is_empty();
                    Some((shared, alike.score, Match { url: kind.path(id), title: title.clone(), reason }))
                })
                .collect();
            found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal)));
            found.into_iter().take(limit).map(|(_, _, m)| m).collect()
        })
        .collect())
}
