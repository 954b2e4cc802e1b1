//! Recommendations for one listing: candidates from the search index (the listing's own text as
//! a `Text::Describe` query), their structured fields read back from the database, the signals
//! compared side by side, then scored and explained by `score::rank`.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::feedback;
use super::score::{self, Asking, BLEND, Candidate, Reason, Signals};
use crate::db::Db;
use crate::domain::money::Fen;
use crate::domain::regions::region_name;
use crate::domain::taxonomy::{IndustrySection, TechnicalField};
use crate::error::{AppError, ErrorCode};
use crate::listings::Kind;
use crate::search::Search;
use crate::search::engine::{self, Request};
use crate::search::query::Filters;

/// How many candidates the index proposes before re-ranking.
pub const CANDIDATES: usize = 60;
/// The most recommendations returned.
pub const MAX_LIMIT: usize = 50;

/// One recommended listing.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    pub kind: &'static str,
    pub id: String,
    pub url: String,
    pub title: String,
    pub organisation_id: String,
    pub organisation: String,
    pub technical_field_label: String,
    pub price_text: String,
    pub status: String,
    pub score: u32,
    pub reasons: Vec<Reason>,
}

/// An enterprise that asked for similar things (from demands open or already solved).
#[derive(Debug, Clone, Serialize)]
pub struct Enterprise {
    pub organisation_id: String,
    pub name: String,
    pub demands: usize,
    pub best_score: u32,
}

/// What a listing's structured fields say, on either side.
#[derive(Debug, Clone, Default)]
struct Profile {
    id: String,
    title: String,
    text: String,
    keywords: Vec<String>,
    field: String,
    industry: String,
    trl: Option<i64>,
    price: Option<i64>,
    budget: (Option<i64>, Option<i64>),
    region: String,
    organisation_id: String,
    organisation: String,
    status: String,
}

const ACHIEVEMENT: &str = "SELECT a.id, a.title, a.summary AS text, a.keywords, a.technical_field, a.industry_section, a.trl, \
     a.asking_price_fen, NULL AS budget_min_fen, NULL AS budget_max_fen, a.region_code, a.organisation_id, o.name AS organisation, a.status \
     FROM achievements a JOIN organisations o ON o.id = a.organisation_id";
const DEMAND: &str = "SELECT d.id, d.title, d.description AS text, d.keywords, d.technical_field, d.industry_section, NULL AS trl, \
     NULL AS asking_price_fen, d.budget_min_fen, d.budget_max_fen, d.region_code, d.organisation_id, o.name AS organisation, d.status \
     FROM demands d JOIN organisations o ON o.id = d.organisation_id";

fn profile(row: &AnyRow) -> Result<Profile, sqlx::Error> {
    let keywords: String = row.try_get("keywords")?;
    Ok(Profile {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        text: row.try_get("text")?,
        keywords: serde_json::from_str(&keywords).unwrap_or_default(),
        field: row.try_get("technical_field")?,
        industry: row.try_get("industry_section")?,
        trl: row.try_get("trl")?,
        price: row.try_get("asking_price_fen")?,
        budget: (row.try_get("budget_min_fen")?, row.try_get("budget_max_fen")?),
        region: row.try_get("region_code")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation: row.try_get("organisation")?,
        status: row.try_get("status")?,
    })
}

async fn profiles(db: &Db, kind: Kind, ids: &[String]) -> Result<Vec<Profile>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (base, alias) = match kind {
        Kind::Achievement => (ACHIEVEMENT, "a"),
        Kind::Demand => (DEMAND, "d"),
    };
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!("{base} WHERE {alias}.id IN ({})", marks.join(", "));
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id);
    }
    query.fetch_all(db.pool()).await?.iter().map(profile).collect()
}

/// Registered contracts per seller organisation in one technical field.
async fn seller_records(db: &Db, field: &str) -> Result<HashMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.seller_organisation_id, CAST(COUNT(DISTINCT c.id) AS BIGINT) FROM contracts c \
         JOIN contract_revisions r ON r.contract_id = c.id \
         WHERE c.status = 'registered' AND r.technical_field = $1 GROUP BY c.seller_organisation_id",
    )
    .bind(field)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().collect())
}

/// The signals between a demand and an achievement, whichever side asks.
fn signals(demand: &Profile, achievement: &Profile, records: &HashMap<String, i64>) -> Signals {
    let price_fits = match (achievement.price, demand.budget) {
        (Some(price), (min, Some(max))) => price <= max && min.is_none_or(|m| price >= m),
        _ => false,
    };
    let city = |code: &str| code.get(..4).map(str::to_string);
    Signals {
        same_field: (demand.field == achievement.field)
            .then(|| TechnicalField::from_code(&demand.field).map(|f| f.label().to_string()))
            .flatten(),
        same_industry: (demand.industry == achievement.industry)
            .then(|| IndustrySection::from_code(&demand.industry).map(|s| s.label().to_string()))
            .flatten(),
        mature_trl: achievement.trl.filter(|t| *t >= 6).and_then(|t| u64::try_from(t).ok()),
        within_budget: price_fits.then(|| Fen(achievement.price.unwrap_or_default()).format_compact()),
        same_region: (city(&demand.region).is_some() && city(&demand.region) == city(&achievement.region))
            .then(|| region_name(&format!("{}00", &demand.region[..4]))),
        seller_contracts: records.get(&achievement.organisation_id).copied().unwrap_or(0),
    }
}

/// The index's candidates of `kind` for a listing's text, in the two passes of `feedback`.
async fn candidates(
    db: &Db,
    search: &Search,
    kind: Kind,
    title: &str,
    body: String,
) -> Result<Vec<(String, f32)>, AppError> {
    let first = feedback::first_pass(title, &body, Filters { kind: Some(kind), ..Filters::default() }, CANDIDATES);
    let outcome = run(search, first.clone()).await?;
    let top: Vec<String> = outcome.iter().take(feedback::FEEDBACK_DEPTH).map(|(id, _)| id.clone()).collect();
    let titles: Vec<String> = titles(db, kind, &top).await?;
    match feedback::second_pass(&first, &titles, CANDIDATES) {
        Some(second) => run(search, second).await,
        None => Ok(outcome),
    }
}

async fn run(search: &Search, request: Request) -> Result<Vec<(String, f32)>, AppError> {
    let search = search.clone();
    let outcome = tokio::task::spawn_blocking(move || engine::search(&search.generation(), &request))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok(outcome.hits.into_iter().map(|h| (h.id, h.score)).collect())
}

async fn titles(db: &Db, kind: Kind, ids: &[String]) -> Result<Vec<String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT title FROM {} WHERE id IN ({})", kind.table(), marks.join(", "));
    let mut query = sqlx::query_scalar(&sql);
    for id in ids {
        query = query.bind(id);
    }
    query.fetch_all(db.pool()).await
}

fn asking_text(p: &Profile) -> String {
    format!("{}\n{}\n{}", p.title, p.keywords.join("，"), p.text)
}

fn recommendation(kind: Kind, p: &Profile, ranked: &score::Ranked) -> Recommendation {
    let price_text = match kind {
        Kind::Achievement => p.price.map(|f| Fen(f).format_compact()).unwrap_or_else(|| "面议".into()),
        Kind::Demand => match p.budget {
            (_, Some(max)) => format!("预算至 {}", Fen(max).format_compact()),
            _ => "预算面议".into(),
        },
    };
    Recommendation {
        kind: kind.code(),
        id: p.id.clone(),
        url: kind.path(&p.id),
        title: p.title.clone(),
        organisation_id: p.organisation_id.clone(),
        organisation: p.organisation.clone(),
        technical_field_label: TechnicalField::from_code(&p.field).map(|f| f.label().to_string()).unwrap_or_default(),
        price_text,
        status: p.status.clone(),
        score: ranked.score,
        reasons: ranked.reasons.clone(),
    }
}

/// The listing recommendations are asked for: only a public one.
async fn own(db: &Db, kind: Kind, id: &str) -> Result<Profile, AppError> {
    let found = profiles(db, kind, &[id.to_string()])
        .await?
        .into_iter()
        .find(|p| crate::listings::status::is_public_code(kind, &p.status));
    found.ok_or_else(|| match kind {
        Kind::Achievement => AppError::not_found(ErrorCode::AchievementNotFound, "科技成果不存在或尚未公开"),
        Kind::Demand => AppError::not_found(ErrorCode::DemandNotFound, "技术需求不存在或尚未公开"),
    })
}

/// The published achievements that best fit a demand.
pub async fn for_demand(
    db: &Db,
    search: &Search,
    demand_id: &str,
    limit: usize,
) -> Result<Vec<Recommendation>, AppError> {
    let demand = own(db, Kind::Demand, demand_id).await?;
    let found = candidates(db, search, Kind::Achievement, &demand.title, asking_text(&demand)).await?;
    let ids: Vec<String> = found.iter().map(|(id, _)| id.clone()).collect();
    let rows: HashMap<String, Profile> =
        profiles(db, Kind::Achievement, &ids).await?.into_iter().map(|p| (p.id.clone(), p)).collect();
    let records = seller_records(db, &demand.field).await?;
    let list: Vec<Candidate> = found
        .into_iter()
        .filter_map(|(id, relevance)| {
            // An organisation is not recommended its own listings.
            let p = rows.get(&id).filter(|p| p.organisation_id != demand.organisation_id)?;
            let signals = signals(&demand, p, &records);
            Some(Candidate { id, title: p.title.clone(), keywords: p.keywords.clone(), relevance, signals })
        })
        .collect();
    let ranked = score::rank(&Asking::new(&asking_text(&demand)), &list, &BLEND);
    Ok(ranked.iter().take(limit).filter_map(|r| Some(recommendation(Kind::Achievement, rows.get(&r.id)?, r))).collect())
}

/// The open demands that best fit an achievement, and the enterprises that asked for similar
/// things (counting demands already solved).
pub async fn for_achievement(
    db: &Db,
    search: &Search,
    achievement_id: &str,
    limit: usize,
) -> Result<(Vec<Recommendation>, Vec<Enterprise>), AppError> {
    let achievement = own(db, Kind::Achievement, achievement_id).await?;
    let found = candidates(db, search, Kind::Demand, &achievement.title, asking_text(&achievement)).await?;
    let ids: Vec<String> = found.iter().map(|(id, _)| id.clone()).collect();
    let rows: HashMap<String, Profile> =
        profiles(db, Kind::Demand, &ids).await?.into_iter().map(|p| (p.id.clone(), p)).collect();
    let records = seller_records(db, &achievement.field).await?;
    let list: Vec<Candidate> = found
        .into_iter()
        .filter_map(|(id, relevance)| {
            let demand = rows.get(&id).filter(|d| d.organisation_id != achievement.organisation_id)?;
            let mut signals = signals(demand, &achievement, &records);
            // The achievement's maturity is the same for every demand: not a reason to prefer one.
            signals.mature_trl = None;
            Some(Candidate { id, title: demand.title.clone(), keywords: demand.keywords.clone(), relevance, signals })
        })
        .collect();
    let ranked = score::rank(&Asking::new(&asking_text(&achievement)), &list, &BLEND);
    let mut enterprises: Vec<Enterprise> = Vec::new();
    for r in ranked.iter().filter(|r| r.score >= 50) {
        let Some(demand) = rows.get(&r.id) else { continue };
        match enterprises.iter_mut().find(|e| e.organisation_id == demand.organisation_id) {
            Some(e) => e.demands += 1,
            None => enterprises.push(Enterprise {
                organisation_id: demand.organisation_id.clone(),
                name: demand.organisation.clone(),
                demands: 1,
                best_score: r.score,
            }),
        }
    }
    enterprises.truncate(5);
    let open: Vec<Recommendation> = ranked
        .iter()
        .filter_map(|r| {
            rows.get(&r.id).filter(|d| matches!(d.status.as_str(), "published" | "in_talks")).map(|d| (d, r))
        })
        .take(limit)
        .map(|(d, r)| recommendation(Kind::Demand, d, r))
        .collect();
    Ok((open, enterprises))
}
