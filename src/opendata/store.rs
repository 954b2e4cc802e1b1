//! Reading a dataset a page at a time in modification order: the live records, and with
//! `since` the ones that left the public (deletions). The API, the feeds and the bulk files all
//! read through [`page`], so they cannot disagree.

use serde::Serialize;
use sqlx::{FromRow as _, Row as _};

use super::records::{self, ChallengeRecord, ContractRecord, Record, SalonRecord};
use crate::achievements::model::Achievements;
use crate::db::Db;
use crate::demands::model::Demands;
use crate::domain::forms::date_text;
use crate::domain::open_data::Dataset;
use crate::domain::time::today_shanghai;
use crate::listings::store::{Modified, list_modified};

/// What a page asks for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Stored-form time: changes at or after it, deletions included.
    pub since: Option<String>,
    /// The (modified time, id) of the last row of the previous page.
    pub after: Option<(String, String)>,
    pub technical_field: Option<String>,
    /// Latest change first (feeds); else oldest first (sync).
    pub newest_first: bool,
    /// Only the contract statistics of this year.
    pub year: Option<i32>,
}

/// A record that left the public since the caller's last sync.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Deleted {
    pub id: String,
    pub modified_at: String,
}

/// One page of a dataset.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Record>,
    pub deleted: Vec<Deleted>,
    /// Where the next page starts, when there is one.
    pub next: Option<(String, String)>,
    /// The latest modification time on the page.
    pub last_modified: Option<String>,
}

/// A row read in modification order: its position, and either its record or its deletion.
struct Read {
    at: String,
    id: String,
    record: Option<Record>,
}

impl Page {
    fn of(mut rows: Vec<Read>, limit: i64) -> Page {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next = more.then(|| rows.last().map(|r| (r.at.clone(), r.id.clone()))).flatten();
        let last_modified = rows.iter().map(|r| r.at.clone()).max();
        let mut page = Page { next, last_modified, ..Page::default() };
        for row in rows {
            match row.record {
                Some(record) => page.items.push(record),
                None => page.deleted.push(Deleted { id: row.id, modified_at: row.at }),
            }
        }
        page
    }
}

/// A page of `dataset`: `limit` rows at most. Without `since`, rows that are not live are left
/// out (a page may then hold fewer than `limit`; follow `next` until there is none).
pub async fn page(db: &Db, base: &str, dataset: Dataset, query: &Query, limit: i64) -> Result<Page, sqlx::Error> {
    let today = date_text(today_shanghai());
    let modified = Modified {
        since: query.since.as_deref(),
        after: query.after.as_ref().map(|(at, id)| (at.as_str(), id.as_str())),
        technical_field: query.technical_field.as_deref(),
        newest_first: query.newest_first,
    };
    let keep_deleted = query.since.is_some();
    let rows: Vec<Read> = match dataset {
        Dataset::Achievements => list_modified::<Achievements>(db, &modified, limit + 1)
            .await?
            .into_iter()
            .map(|row| Read {
                at: row.meta.updated_at.clone(),
                id: row.meta.id.clone(),
                record: row
                    .meta
                    .status
                    .is_public()
                    .then(|| Record::Achievement(Box::new(records::achievement(base, row)))),
            })
            .collect(),
        Dataset::Demands => list_modified::<Demands>(db, &modified, limit + 1)
            .await?
            .into_iter()
            .map(|row| Read {
                at: row.meta.updated_at.clone(),
                id: row.meta.id.clone(),
                record: records::demand_is_live(row.meta.status, &row.valid_until, &today)
                    .then(|| Record::Demand(Box::new(records::demand(base, row)))),
            })
            .collect(),
        Dataset::Challenges => challenges(db, base, &modified, &today, limit + 1).await?,
        Dataset::Salons => salons(db, base, &modified, limit + 1).await?,
        Dataset::Contracts => {
            let items = contracts(db, query.year).await?;
            return Ok(Page { items: items.into_iter().map(Record::Contract).collect(), ..Page::default() });
        }
    };
    // Without `since`, a row that is not live is neither an item nor a deletion; it still
    // counts for the page's end, so the cursor moves past it.
    let mut page = Page::of(rows, limit);
    if !keep_deleted {
        page.deleted.clear();
    }
    Ok(page)
}

/// `WHERE` clauses and binds of a modification-ordered read of `column` times and `id`s.
fn window(modified: &Modified<'_>, time: &str, id: &str, binds: &mut Vec<String>) -> Vec<String> {
    let mut clauses = Vec::new();
    let bind = |value: &str, binds: &mut Vec<String>| {
        binds.push(value.to_string());
        format!("${}", binds.len())
    };
    if let Some(since) = modified.since {
        clauses.push(format!("{time} >= {}", bind(since, binds)));
    }
    if let Some(field) = modified.technical_field {
        clauses.push(format!("technical_field = {}", bind(field, binds)));
    }
    if let Some((at, after_id)) = modified.after {
        let beyond = if modified.newest_first { "<" } else { ">" };
        let (a, b, c) = (bind(at, binds), bind(at, binds), bind(after_id, binds));
        clauses.push(format!("({time} {beyond} {a} OR ({time} = {b} AND {id} {beyond} {c}))"));
    }
    clauses
}

fn order(modified: &Modified<'_>, time: &str, id: &str) -> String {
    let direction = if modified.newest_first { "DESC" } else { "ASC" };
    format!("ORDER BY {time} {direction}, {id} {direction}")
}

/// The rows of `inner` (a query with `modified_at`, `id` and `technical_field` columns and
/// binds `binds` so far) in the window and order `modified` asks for, `limit` at most, with
/// `also` (a condition on those columns) when given.
async fn modified_rows(
    db: &Db,
    inner: &str,
    mut binds: Vec<String>,
    modified: &Modified<'_>,
    also: Option<&str>,
    limit: i64,
) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
    let mut clauses = window(modified, "modified_at", "id", &mut binds);
    clauses.extend(also.map(str::to_string));
    let filter = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
    let sql = format!(
        "SELECT * FROM ({inner}) AS t {filter} {} LIMIT ${}",
        order(modified, "modified_at", "id"),
        binds.len() + 1
    );
    let mut query = sqlx::query(&sql);
    for bind in binds {
        query = query.bind(bind);
    }
    query.bind(limit).fetch_all(db.pool()).await
}

async fn challenges(
    db: &Db,
    base: &str,
    modified: &Modified<'_>,
    today: &str,
    limit: i64,
) -> Result<Vec<Read>, sqlx::Error> {
    let inner = "SELECT d.id AS id, d.title AS title, o.name AS organisation_name, d.technical_field AS technical_field, \
         c.reward_fen AS reward_fen, c.apply_from AS apply_from, c.apply_until AS apply_until, \
         CAST(CASE WHEN c.selected_application_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS winner_selected, \
         d.status AS status, d.published_at AS published_at, \
         CASE WHEN c.updated_at > d.updated_at THEN c.updated_at ELSE d.updated_at END AS modified_at, \
         d.is_demo AS demo, \
         CAST(CASE WHEN d.status IN ('published', 'in_talks', 'solved') AND (d.status = 'solved' OR d.valid_until >= $1) \
              THEN 1 ELSE 0 END AS BIGINT) AS live \
         FROM challenges c JOIN demands d ON d.id = c.demand_id JOIN organisations o ON o.id = d.organisation_id \
         WHERE d.published_at IS NOT NULL";
    // Without `since`, only what is live; with it, the rest are deletions.
    let also = modified.since.is_none().then_some("live = 1");
    let rows = modified_rows(db, inner, vec![today.to_string()], modified, also, limit).await?;
    rows.iter()
        .map(|row| {
            let record = ChallengeRecord::from_row(row)?.finished(base);
            let live: i64 = row.try_get("live")?;
            Ok(Read {
                at: record.modified_at.clone(),
                id: record.id.clone(),
                record: (live == 1).then_some(Record::Challenge(record)),
            })
        })
        .collect()
}

async fn salons(db: &Db, base: &str, modified: &Modified<'_>, limit: i64) -> Result<Vec<Read>, sqlx::Error> {
    let inner = "SELECT s.id AS id, s.kind AS kind, s.theme AS theme, s.description AS description, \
         s.starts_at AS starts_at, s.ends_at AS ends_at, s.venue AS venue, \
         CAST(CASE WHEN s.online_url = '' THEN 0 ELSE 1 END AS BIGINT) AS online, s.capacity AS capacity, \
         o.name AS organiser, s.status AS status, s.created_at AS published_at, s.updated_at AS modified_at, \
         s.is_demo AS demo, '' AS technical_field \
         FROM salons s LEFT JOIN organisations o ON o.id = s.agency_organisation_id";
    let rows = modified_rows(db, inner, Vec::new(), modified, None, limit).await?;
    rows.iter()
        .map(|row| {
            let record = SalonRecord::from_row(row)?.finished(base);
            Ok(Read { at: record.modified_at.clone(), id: record.id.clone(), record: Some(Record::Salon(record)) })
        })
        .collect()
}

/// The breakdowns the statistics publish: never the broker or agency ones (people and firms).
const PUBLISHED_DIMENSIONS: &str = "'all', 'contract_type', 'technical_field', 'seller_nature', 'buyer_nature'";

/// Registered, not-cancelled contracts by Beijing month and breakdown, summed over regions.
pub async fn contracts(db: &Db, year: Option<i32>) -> Result<Vec<ContractRecord>, sqlx::Error> {
    let year_clause = if year.is_some() { "AND month LIKE $1" } else { "" };
    let sql = format!(
        "SELECT month, dimension, value, CAST(SUM(contracts) AS BIGINT) AS contracts, \
         CAST(SUM(total_fen) AS BIGINT) AS total_fen, CAST(SUM(technology_fen) AS BIGINT) AS technology_fen \
         FROM contract_totals WHERE dimension IN ({PUBLISHED_DIMENSIONS}) {year_clause} \
         GROUP BY month, dimension, value HAVING SUM(contracts) > 0 ORDER BY month, dimension, value"
    );
    let mut query = sqlx::query(&sql);
    if let Some(year) = year {
        query = query.bind(format!("{year}-%"));
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| {
            Ok(ContractRecord::new(
                row.try_get("month")?,
                row.try_get("dimension")?,
                row.try_get("value")?,
                (row.try_get("contracts")?, row.try_get("total_fen")?, row.try_get("technology_fen")?),
            ))
        })
        .collect()
}
