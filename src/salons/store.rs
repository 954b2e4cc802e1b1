//! Salons in SQL: the row, its featured listings, lists for the public page and a person's
//! calendar.

use sqlx::AnyConnection;

use super::model::Plan;
use crate::db::Db;
use crate::domain::time::{now_stored, to_stored};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SalonRow {
    pub id: String,
    pub kind: String,
    pub theme: String,
    pub description: String,
    pub starts_at: String,
    pub ends_at: String,
    pub venue: String,
    pub online_url: String,
    pub capacity: i64,
    pub confirmed: i64,
    pub waiting: i64,
    pub agency_organisation_id: Option<String>,
    pub agency_name: Option<String>,
    pub status: String,
    pub created_by: String,
    pub created_at: String,
}

const SELECT: &str = "SELECT s.id, s.kind, s.theme, s.description, s.starts_at, s.ends_at, s.venue, s.online_url, \
    s.capacity, s.confirmed, \
    (SELECT COUNT(*) FROM salon_signups w WHERE w.salon_id = s.id AND w.status = 'waiting') AS waiting, \
    s.agency_organisation_id, o.name AS agency_name, s.status, s.created_by, s.created_at \
    FROM salons s LEFT JOIN organisations o ON o.id = s.agency_organisation_id";

pub async fn insert(
    conn: &mut AnyConnection,
    plan: &Plan,
    agency: Option<&str>,
    featured: &[(&str, String)],
    created_by: &str,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_stored();
    sqlx::query(
        "INSERT INTO salons (id, kind, theme, description, starts_at, ends_at, venue, online_url, capacity, confirmed, \
         agency_organisation_id, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, 'scheduled', $11, $12, $12)",
    )
    .bind(&id)
    .bind(plan.kind.code())
    .bind(&plan.theme)
    .bind(&plan.description)
    .bind(to_stored(plan.starts))
    .bind(to_stored(plan.ends))
    .bind(&plan.venue)
    .bind(&plan.online_url)
    .bind(plan.capacity)
    .bind(agency)
    .bind(created_by)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    for (kind, listing) in featured {
        sqlx::query("INSERT INTO salon_listings (salon_id, kind, listing_id) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(*kind)
            .bind(listing)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

pub async fn find(db: &Db, id: &str) -> Result<Option<SalonRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE s.id = $1")).bind(id).fetch_optional(db.pool()).await
}

/// Upcoming salons (not ended at `now`) soonest first, or past ones latest first.
pub async fn list(db: &Db, now: &str, past: bool, limit: i64) -> Result<Vec<SalonRow>, sqlx::Error> {
    let sql = if past {
        format!("{SELECT} WHERE s.ends_at < $1 ORDER BY s.starts_at DESC, s.id DESC LIMIT $2")
    } else {
        format!("{SELECT} WHERE s.ends_at >= $1 ORDER BY s.starts_at, s.id LIMIT $2")
    };
    sqlx::query_as(&sql).bind(now).bind(limit).fetch_all(db.pool()).await
}

/// A featured listing, with its title (public ones only).
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct Featured {
    pub kind: String,
    pub id: String,
    pub title: String,
}

pub async fn featured(db: &Db, salon_id: &str) -> Result<Vec<Featured>, sqlx::Error> {
    let achievements = crate::listings::status::public_sql(crate::listings::Kind::Achievement);
    let demands = crate::listings::status::public_sql(crate::listings::Kind::Demand);
    sqlx::query_as(&format!(
        "SELECT l.kind, l.listing_id AS id, a.title FROM salon_listings l JOIN achievements a ON a.id = l.listing_id \
         WHERE l.salon_id = $1 AND l.kind = 'achievement' AND a.status IN ({achievements}) \
         UNION ALL \
         SELECT l.kind, l.listing_id AS id, d.title FROM salon_listings l JOIN demands d ON d.id = l.listing_id \
         WHERE l.salon_id = $1 AND l.kind = 'demand' AND d.status IN ({demands}) \
         ORDER BY 1, 3"
    ))
    .bind(salon_id)
    .fetch_all(db.pool())
    .await
}

/// Salons a person signed up for (confirmed or waiting) that have not ended, or that an
/// organiser (creator or agency broker) runs.
pub async fn upcoming_for(
    db: &Db,
    user_id: &str,
    organisation_id: Option<&str>,
    now: &str,
    limit: i64,
) -> Result<Vec<SalonRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE s.ends_at >= $1 AND s.status = 'scheduled' AND (s.created_by = $2 OR s.agency_organisation_id = $3 \
         OR EXISTS (SELECT 1 FROM salon_signups u WHERE u.salon_id = s.id AND u.user_id = $2 AND u.status IN ('confirmed', 'waiting'))) \
         ORDER BY s.starts_at, s.id LIMIT $4"
    ))
    .bind(now)
    .bind(user_id)
    .bind(organisation_id.unwrap_or_default())
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// Salons a deal may name as where it started: those that began in the last 180 days or are
/// coming, newest first.
pub async fn recent_choices(db: &Db, since: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, theme FROM salons WHERE starts_at >= $1 AND status = 'scheduled' ORDER BY starts_at DESC, id LIMIT 100")
        .bind(since)
        .fetch_all(db.pool())
        .await
}

pub async fn cancel(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE salons SET status = 'cancelled', updated_at = $1 WHERE id = $2 AND status = 'scheduled'")
            .bind(now_stored())
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
