//! Finding a listing's possible duplicates: candidates from the search index (the public
//! library, by title and summary) and from the tables (the same title or a shared patent number,
//! whatever the status), each compared with `similarity`; pairs an administrator has marked
//! "not a duplicate" are left out.

use std::collections::BTreeSet;

use serde::Serialize;
use sqlx::Row as _;

use super::similarity::{Resemblance, Text, resemblance};
use super::store;
use crate::db::Db;
use crate::error::AppError;
use crate::listings::Kind;
use crate::listings::status;
use crate::matching::feedback;
use crate::search::Search;
use crate::search::engine::{self, Request};
use crate::search::query::Filters;

/// Candidates read from the index per listing.
const FROM_INDEX: usize = 10;

/// A listing that may be the same as the one being written.
#[derive(Debug, Clone, Serialize)]
pub struct Suspect {
    pub id: String,
    pub url: String,
    pub title: String,
    pub organisation: String,
    pub status_label: String,
    pub resemblance: Resemblance,
    /// Why it is shown, in Chinese: 专利号相同（…）, 名称与简介相似度 0.83.
    pub reason: String,
}

/// Where a kind keeps what is compared: its summary column and its patent numbers (SQL).
pub fn columns(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Achievement => ("summary", "patent_numbers"),
        Kind::Demand => ("description", "''"),
    }
}

/// The index search that finds a text's candidates: its title and summary, any word, the
/// recommendation's first pass cut to `limit` (imports and `eval duplicates` ask the same).
pub fn index_request(kind: Kind, text: &Text<'_>, limit: usize) -> Request {
    let filters = Filters { kind: Some(kind), ..Filters::default() };
    let mut request = feedback::first_pass(text.title, text.summary, filters, limit);
    request.limit = limit;
    request
}

async fn from_index(search: &Search, kind: Kind, text: &Text<'_>) -> Result<Vec<String>, AppError> {
    let request = index_request(kind, text, FROM_INDEX);
    let search = search.clone();
    let outcome = tokio::task::spawn_blocking(move || engine::search(&search.generation(), &request))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok(outcome.hits.into_iter().map(|h| h.id).collect())
}

async fn from_tables(db: &Db, kind: Kind, text: &Text<'_>) -> Result<Vec<String>, sqlx::Error> {
    let (_, patents) = columns(kind);
    let mut conditions = vec!["title = $1".to_string()];
    if kind == Kind::Achievement {
        conditions.extend((0..text.patents.len().min(10)).map(|i| format!("{patents} LIKE ${}", i + 2)));
    }
    let sql = format!("SELECT id FROM {} WHERE {} LIMIT 20", kind.table(), conditions.join(" OR "));
    let mut query = sqlx::query_scalar(&sql).bind(text.title.trim());
    if kind == Kind::Achievement {
        for patent in text.patents.iter().take(10) {
            query = query.bind(format!("%{patent}%"));
        }
    }
    query.fetch_all(db.pool()).await
}

/// The possible duplicates of a listing (`own_id` when it is stored), most alike first.
pub async fn suspects(
    db: &Db,
    search: Option<&Search>,
    kind: Kind,
    own_id: Option<&str>,
    text: &Text<'_>,
    limit: usize,
) -> Result<Vec<Suspect>, AppError> {
    let mut ids: BTreeSet<String> = from_tables(db, kind, text).await?.into_iter().collect();
    if let Some(search) = search {
        ids.extend(from_index(search, kind, text).await?);
    }
    if let Some(own) = own_id {
        ids.remove(own);
        for distinct in store::distinct_from(db, kind, own).await? {
            ids.remove(&distinct);
        }
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (summary, patents) = columns(kind);
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT t.id, t.title, t.{summary} AS summary, {patents} AS patents, t.status, o.name AS organisation \
         FROM {} t JOIN organisations o ON o.id = t.organisation_id WHERE t.id IN ({}) AND t.status <> 'withdrawn'",
        kind.table(),
        marks.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(db.pool()).await?;
    let mut found = Vec::new();
    for row in rows {
        let patents: String = row.try_get("patents")?;
        let patents: Vec<String> = patents.lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
        let (title, summary): (String, String) = (row.try_get("title")?, row.try_get("summary")?);
        let other = Text { title: &title, summary: &summary, patents: &patents };
        let alike = resemblance(text, &other);
        if !alike.suspicious() {
            continue;
        }
        let reason = alike.reason();
        let id: String = row.try_get("id")?;
        let status_code: String = row.try_get("status")?;
        found.push(Suspect {
            url: kind.path(&id),
            id,
            title,
            organisation: row.try_get("organisation")?,
            status_label: status::label(kind, &status_code).unwrap_or_default().to_string(),
            resemblance: alike,
            reason,
        });
    }
    found.sort_by(|a, b| {
        let key = |s: &Suspect| (s.resemblance.shared_patents.is_empty(), -s.resemblance.score);
        key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal)
    });
    found.truncate(limit);
    Ok(found)
}
