//! What the index holds for a listing, read from the database: by ids (for the outbox) or in
//! pages of the whole table (for a rebuild). Only listings the public may see become documents;
//! anything else read here means "delete it from the index".

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{Any, Row as _};
use tantivy::TantivyDocument;

use super::schema::Fields;
use crate::db::Db;
use crate::domain::time::parse_stored;
use crate::listings::Kind;

/// The searchable content and facets of one listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    pub kind: Option<Kind>,
    pub id: String,
    pub title: String,
    pub keywords: Vec<String>,
    pub summary: String,
    pub body: String,
    pub technical_field: String,
    pub industry: String,
    pub stage: String,
    pub modes: Vec<String>,
    pub pricing: String,
    pub region: String,
    pub status: String,
    pub trl: u64,
    pub price_fen: Option<i64>,
    pub published: i64,
    /// yyyymmdd of the last day it may be shown.
    pub visible_until: u64,
}

/// A kind as stored in the `kind_number` fast field.
pub fn kind_number(kind: Kind) -> u64 {
    match kind {
        Kind::Achievement => 0,
        Kind::Demand => 1,
    }
}

/// Last visible day of listings that do not expire.
pub const FOREVER: u64 = 99_991_231;

impl Listing {
    pub fn key(kind: Kind, id: &str) -> String {
        format!("{}:{id}", kind.code())
    }

    pub fn to_document(&self, f: &Fields) -> TantivyDocument {
        let kind = self.kind.unwrap_or(Kind::Achievement);
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, Listing::key(kind, &self.id));
        doc.add_text(f.kind, kind.code());
        doc.add_text(f.id, &self.id);
        let number = uuid::Uuid::parse_str(&self.id).map_or(0, |u| u.as_u128());
        doc.add_u64(f.id_hi, (number >> 64) as u64);
        doc.add_u64(f.id_lo, number as u64);
        doc.add_u64(f.kind_number, kind_number(kind));
        doc.add_text(f.title, &self.title);
        let keywords = self.keywords.join("；");
        doc.add_text(f.keywords, &keywords);
        doc.add_text(f.summary, &self.summary);
        doc.add_text(f.body, &self.body);
        doc.add_text(f.grams, format!("{}\n{}\n{}", self.title, keywords, self.summary));
        for (field, value) in [
            (f.technical_field, &self.technical_field),
            (f.industry, &self.industry),
            (f.stage, &self.stage),
            (f.pricing, &self.pricing),
            (f.region, &self.region),
            (f.status, &self.status),
        ] {
            if !value.is_empty() {
                doc.add_text(field, value);
            }
        }
        for mode in &self.modes {
            doc.add_text(f.modes, mode);
        }
        doc.add_u64(f.trl, self.trl);
        if let Some(price) = self.price_fen {
            doc.add_i64(f.price, price);
        }
        doc.add_i64(f.published, self.published);
        doc.add_u64(f.visible_until, self.visible_until);
        doc
    }
}

const ACHIEVEMENTS: &str = "SELECT a.id, a.title, a.summary, a.description, a.keywords, a.problem, a.advantages, a.scenarios, \
     a.team, o.name AS organisation_name, a.technical_field, a.industry_section, a.stage, a.transfer_modes, a.pricing_route, \
     a.region_code, a.status, a.trl, a.asking_price_fen, a.published_at, a.updated_at \
     FROM achievements a JOIN organisations o ON o.id = a.organisation_id";
const DEMANDS: &str = "SELECT d.id, d.title, d.description, d.indicators, d.basis, d.keywords, o.name AS organisation_name, \
     d.technical_field, d.industry_section, d.cooperation_modes, d.budget_min_fen, d.budget_max_fen, d.valid_until, \
     d.region_code, d.status, d.published_at, d.updated_at \
     FROM demands d JOIN organisations o ON o.id = d.organisation_id";

fn codes(text: &str) -> Vec<String> {
    text.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn unix(published: Option<String>, updated: &str) -> i64 {
    published.as_deref().and_then(parse_stored).or_else(|| parse_stored(updated)).map_or(0, |t| t.unix_timestamp())
}

fn day_number(date: &str) -> u64 {
    date.replace('-', "").parse().unwrap_or(0)
}

fn achievement(row: &AnyRow) -> Result<Option<Listing>, sqlx::Error> {
    let status: String = row.try_get("status")?;
    if !matches!(status.as_str(), "published" | "negotiating" | "transferred") {
        return Ok(None);
    }
    let body = ["description", "problem", "advantages", "scenarios", "team", "organisation_name"]
        .iter()
        .map(|c| row.try_get::<String, _>(*c))
        .collect::<Result<Vec<_>, _>>()?
        .join("\n");
    Ok(Some(Listing {
        kind: Some(Kind::Achievement),
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        keywords: json_list(&row.try_get::<String, _>("keywords")?),
        summary: row.try_get("summary")?,
        body,
        technical_field: row.try_get("technical_field")?,
        industry: row.try_get("industry_section")?,
        stage: row.try_get("stage")?,
        modes: codes(&row.try_get::<String, _>("transfer_modes")?),
        pricing: row.try_get("pricing_route")?,
        region: row.try_get("region_code")?,
        status,
        trl: u64::try_from(row.try_get::<i64, _>("trl")?).unwrap_or(0),
        price_fen: row.try_get("asking_price_fen")?,
        published: unix(row.try_get("published_at")?, &row.try_get::<String, _>("updated_at")?),
        visible_until: FOREVER,
    }))
}

fn demand(row: &AnyRow) -> Result<Option<Listing>, sqlx::Error> {
    let status: String = row.try_get("status")?;
    if !matches!(status.as_str(), "published" | "in_talks" | "solved") {
        return Ok(None);
    }
    let indicators: Vec<serde_json::Value> =
        serde_json::from_str(&row.try_get::<String, _>("indicators")?).unwrap_or_default();
    let indicator_text: Vec<String> = indicators
        .iter()
        .map(|i| format!("{}：{}", i["name"].as_str().unwrap_or(""), i["target"].as_str().unwrap_or("")))
        .collect();
    let description: String = row.try_get("description")?;
    let basis: String = row.try_get("basis")?;
    let organisation: String = row.try_get("organisation_name")?;
    let min: Option<i64> = row.try_get("budget_min_fen")?;
    let max: Option<i64> = row.try_get("budget_max_fen")?;
    let valid_until: String = row.try_get("valid_until")?;
    Ok(Some(Listing {
        kind: Some(Kind::Demand),
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        keywords: json_list(&row.try_get::<String, _>("keywords")?),
        summary: description.chars().take(300).collect(),
        body: format!("{description}\n{}\n{basis}\n{organisation}", indicator_text.join("\n")),
        technical_field: row.try_get("technical_field")?,
        industry: row.try_get("industry_section")?,
        stage: String::new(),
        modes: codes(&row.try_get::<String, _>("cooperation_modes")?),
        pricing: if min.or(max).is_some() { "budget".into() } else { "budget_negotiable".into() },
        region: row.try_get("region_code")?,
        visible_until: if status == "solved" { FOREVER } else { day_number(&valid_until) },
        status,
        trl: 0,
        price_fen: max.or(min),
        published: unix(row.try_get("published_at")?, &row.try_get::<String, _>("updated_at")?),
    }))
}

fn read(kind: Kind, row: &AnyRow) -> Result<Option<Listing>, sqlx::Error> {
    match kind {
        Kind::Achievement => achievement(row),
        Kind::Demand => demand(row),
    }
}

fn select(kind: Kind) -> &'static str {
    match kind {
        Kind::Achievement => ACHIEVEMENTS,
        Kind::Demand => DEMANDS,
    }
}

fn alias(kind: Kind) -> &'static str {
    match kind {
        Kind::Achievement => "a",
        Kind::Demand => "d",
    }
}

/// What the index should hold for each id: `Some` to (re)index, `None` to delete.
pub async fn load(db: &Db, kind: Kind, ids: &[String]) -> Result<HashMap<String, Option<Listing>>, sqlx::Error> {
    let mut out: HashMap<String, Option<Listing>> = ids.iter().map(|id| (id.clone(), None)).collect();
    for chunk in ids.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{} WHERE {}.id IN ({})", select(kind), alias(kind), placeholders.join(", "));
        let mut query = sqlx::query::<Any>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for row in query.fetch_all(db.pool()).await? {
            let id: String = row.try_get("id")?;
            out.insert(id, read(kind, &row)?);
        }
    }
    Ok(out)
}

/// One page of every searchable listing of a kind, after `after_id` in id order.
pub async fn page(
    db: &Db,
    kind: Kind,
    after_id: &str,
    limit: i64,
) -> Result<(Vec<Listing>, Option<String>), sqlx::Error> {
    let a = alias(kind);
    let sql = format!("{} WHERE {a}.id > $1 ORDER BY {a}.id LIMIT $2", select(kind));
    let rows = sqlx::query(&sql).bind(after_id).bind(limit).fetch_all(db.pool()).await?;
    let last = match rows.last() {
        Some(row) => Some(row.try_get::<String, _>("id")?),
        None => None,
    };
    let mut listings = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(listing) = read(kind, row)? {
            listings.push(listing);
        }
    }
    Ok((listings, last))
}

/// How many rows of a kind exist (for progress bars).
pub async fn count(db: &Db, kind: Kind) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {}", kind.table());
    sqlx::query_scalar(&sql).fetch_one(db.pool()).await
}
