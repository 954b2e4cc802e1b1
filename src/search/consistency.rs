//! Whether an index agrees with the database: every listing the database says is searchable is
//! in it, and nothing else is (published ⇔ findable). Used by the crash suite and after restores.

use tantivy::collector::Count;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyError, Term};

use super::generation::Generation;
use super::source::{self, Listing};
use crate::db::Db;
use crate::listings::Kind;

/// The differences found; empty lists mean agreement.
#[derive(Debug, Default, Clone)]
pub struct Agreement {
    /// Listings checked (every row of both kinds).
    pub checked: usize,
    /// Searchable in the database.
    pub searchable: usize,
    /// Searchable but not in the index (`kind:id`).
    pub missing: Vec<String>,
    /// In the index but not searchable.
    pub extra: Vec<String>,
}

impl Agreement {
    pub fn holds(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty()
    }
}

fn indexed(generation: &Generation, key: &str) -> Result<bool, TantivyError> {
    let searcher = generation.reader.searcher();
    let query = TermQuery::new(Term::from_field_text(generation.fields.key, key), IndexRecordOption::Basic);
    Ok(searcher.search(&query, &Count)? > 0)
}

/// Compares every achievement and demand row with `generation` (reloaded first).
pub async fn check(db: &Db, generation: &Generation) -> Result<Agreement, String> {
    generation.reader.reload().map_err(|e| e.to_string())?;
    let mut agreement = Agreement::default();
    for kind in [Kind::Achievement, Kind::Demand] {
        let sql = format!("SELECT id FROM {} ORDER BY id", kind.table());
        let ids: Vec<String> = sqlx::query_scalar(&sql).fetch_all(db.pool()).await.map_err(|e| e.to_string())?;
        let expected = source::load(db, kind, &ids).await.map_err(|e| e.to_string())?;
        for id in &ids {
            let key = Listing::key(kind, id);
            let searchable = expected.get(id).is_some_and(Option::is_some);
            let found = indexed(generation, &key).map_err(|e| e.to_string())?;
            agreement.checked += 1;
            agreement.searchable += usize::from(searchable);
            match (searchable, found) {
                (true, false) => agreement.missing.push(key),
                (false, true) => agreement.extra.push(key),
                _ => {}
            }
        }
    }
    Ok(agreement)
}
