//! SQL of campaigns: the campaign and its targets, entries (one at a time or a whole import's),
//! what an organisation may still enter, and the counts behind the progress table.

use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use super::model::Plan;
use crate::db::Db;
use crate::domain::time::now_stored;
use crate::listings::Kind;
use crate::listings::store::{code_list, codes};

/// A stored campaign with its counts.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignRow {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub technical_fields: Vec<String>,
    pub deadline: String,
    pub status: String,
    pub created_at: String,
    /// Listings entered, and of them the public ones.
    pub entered: i64,
    pub approved: i64,
    pub targets: i64,
}

/// Whether the entry `e`'s listing (joined by [`LISTING`]) is approved (public).
fn public_sql() -> String {
    format!(
        "((e.kind = 'achievement' AND a.status IN ({})) OR (e.kind = 'demand' AND d.status IN ({})))",
        crate::listings::status::public_sql(Kind::Achievement),
        crate::listings::status::public_sql(Kind::Demand)
    )
}

/// The entry `e`'s listing, whichever kind, each by its primary key: `a` or `d`.
const LISTING: &str = "LEFT JOIN achievements a ON e.kind = 'achievement' AND a.id = e.listing_id \
     LEFT JOIN demands d ON e.kind = 'demand' AND d.id = e.listing_id";

/// The entry's listing's status.
const STATUS: &str = "COALESCE(a.status, d.status)";

fn select() -> String {
    format!(
        "SELECT c.id, c.kind, c.title, c.description, c.technical_fields, c.deadline, c.status, c.created_at, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM campaign_entries e WHERE e.campaign_id = c.id) AS entered, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM campaign_entries e {LISTING} \
          WHERE e.campaign_id = c.id AND {}) AS approved, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM campaign_targets t WHERE t.campaign_id = c.id) AS targets \
         FROM campaigns c",
        public_sql()
    )
}

fn read(row: &sqlx::any::AnyRow) -> Result<CampaignRow, sqlx::Error> {
    Ok(CampaignRow {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        technical_fields: codes(&row.try_get::<String, _>("technical_fields")?),
        deadline: row.try_get("deadline")?,
        status: row.try_get("status")?,
        created_at: row.try_get("created_at")?,
        entered: row.try_get("entered")?,
        approved: row.try_get("approved")?,
        targets: row.try_get("targets")?,
    })
}

pub async fn insert(
    conn: &mut AnyConnection,
    plan: &Plan,
    targets: &[String],
    created_by: &str,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_stored();
    sqlx::query(
        "INSERT INTO campaigns (id, kind, title, description, technical_fields, deadline, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $8)",
    )
    .bind(&id)
    .bind(plan.kind.code())
    .bind(&plan.title)
    .bind(&plan.description)
    .bind(code_list(plan.fields.iter().map(|f| f.code())))
    .bind(crate::domain::forms::date_text(plan.deadline))
    .bind(created_by)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    for organisation in targets {
        sqlx::query("INSERT INTO campaign_targets (campaign_id, organisation_id) VALUES ($1, $2)")
            .bind(&id)
            .bind(organisation)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

pub async fn find(db: &Db, id: &str) -> Result<Option<CampaignRow>, sqlx::Error> {
    let sql = format!("{} WHERE c.id = $1", select());
    sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?.as_ref().map(read).transpose()
}

/// Every campaign: still accepting first (soonest deadline first), then the rest, latest first.
pub async fn list(db: &Db, today: &str) -> Result<Vec<CampaignRow>, sqlx::Error> {
    let sql = format!(
        "{} ORDER BY CASE WHEN c.status = 'open' AND c.deadline >= $1 THEN 0 ELSE 1 END, \
         CASE WHEN c.status = 'open' AND c.deadline >= $1 THEN c.deadline ELSE '' END, c.deadline DESC, c.id DESC LIMIT 200",
        select()
    );
    sqlx::query(&sql).bind(today).fetch_all(db.pool()).await?.iter().map(read).collect()
}

/// Closes a campaign that is open; whether it was.
pub async fn close(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE campaigns SET status = 'closed', updated_at = $1 WHERE id = $2 AND status = 'open'")
        .bind(now_stored())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The target organisations (id, name), by name.
pub async fn targets(db: &Db, id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.name FROM campaign_targets t JOIN organisations o ON o.id = t.organisation_id \
         WHERE t.campaign_id = $1 ORDER BY o.name",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await
}

/// Whether the organisation is one of the campaign's targets.
pub async fn is_target(db: &Db, id: &str, organisation_id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT organisation_id FROM campaign_targets WHERE campaign_id = $1 AND organisation_id = $2",
    )
    .bind(id)
    .bind(organisation_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// How a listing came into a campaign.
#[derive(Debug, Clone, Copy)]
pub struct Entering<'a> {
    pub campaign_id: &'a str,
    pub kind: Kind,
    pub organisation_id: &'a str,
    pub entered_by: &'a str,
    /// The import that loaded them, or none (entered from the campaign page).
    pub import_id: Option<&'a str>,
}

/// Enters listings (those already in are left as they are); how many were new.
pub async fn enter(
    conn: &mut AnyConnection,
    entering: Entering<'_>,
    listing_ids: &[String],
) -> Result<usize, sqlx::Error> {
    let now = now_stored();
    let via = if entering.import_id.is_some() { "import" } else { "form" };
    let mut added = 0;
    for listing in listing_ids {
        let done = sqlx::query(
            "INSERT INTO campaign_entries (campaign_id, kind, listing_id, organisation_id, via, import_id, entered_by, entered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (campaign_id, kind, listing_id) DO NOTHING",
        )
        .bind(entering.campaign_id)
        .bind(entering.kind.code())
        .bind(listing)
        .bind(entering.organisation_id)
        .bind(via)
        .bind(entering.import_id)
        .bind(entering.entered_by)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        added += done.rows_affected() as usize;
    }
    Ok(added)
}

/// A listing an organisation could enter, or has entered.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OwnListing {
    pub id: String,
    pub title: String,
    pub status: String,
}

/// The organisation's listings of the kind that may be entered (in review or public) and are
/// not in the campaign yet, newest first.
pub async fn enterable(db: &Db, id: &str, kind: Kind, organisation_id: &str) -> Result<Vec<OwnListing>, sqlx::Error> {
    let sql = format!(
        "SELECT l.id, l.title, l.status FROM {} l WHERE l.organisation_id = $1 AND l.status IN ('submitted', {}) \
         AND NOT EXISTS (SELECT 1 FROM campaign_entries e WHERE e.campaign_id = $2 AND e.kind = $3 AND e.listing_id = l.id) \
         ORDER BY l.created_at DESC LIMIT 500",
        kind.table(),
        crate::listings::status::public_sql(kind)
    );
    sqlx::query_as(&sql).bind(organisation_id).bind(id).bind(kind.code()).fetch_all(db.pool()).await
}

/// Which of these ids are the organisation's listings of the kind, in review or public.
pub async fn owned_enterable(
    db: &Db,
    kind: Kind,
    organisation_id: &str,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let mut owned = Vec::new();
    let sql = format!(
        "SELECT id FROM {} WHERE id = $1 AND organisation_id = $2 AND status IN ('submitted', {})",
        kind.table(),
        crate::listings::status::public_sql(kind)
    );
    for id in ids {
        let found: Option<String> =
            sqlx::query_scalar(&sql).bind(id).bind(organisation_id).fetch_optional(db.pool()).await?;
        owned.extend(found);
    }
    Ok(owned)
}

/// A public listing entered into a campaign.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PublicEntry {
    pub kind: String,
    pub id: String,
    pub title: String,
    pub organisation_name: String,
}

/// The campaign's entries the public sees (approved ones), newest entry first.
pub async fn public_entries(db: &Db, id: &str, limit: i64) -> Result<Vec<PublicEntry>, sqlx::Error> {
    let sql = format!(
        "SELECT e.kind, e.listing_id AS id, COALESCE(a.title, d.title) AS title, o.name AS organisation_name \
         FROM campaign_entries e {LISTING} JOIN organisations o ON o.id = e.organisation_id \
         WHERE e.campaign_id = $1 AND {} ORDER BY e.entered_at DESC, e.listing_id DESC LIMIT $2",
        public_sql()
    );
    sqlx::query_as(&sql).bind(id).bind(limit).fetch_all(db.pool()).await
}

/// One organisation's line of the progress table.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProgressRow {
    pub organisation_id: String,
    pub organisation_name: String,
    pub target: bool,
    pub entered: i64,
    pub imported: i64,
    pub in_review: i64,
    pub approved: i64,
    pub returned: i64,
    /// Withdrawn, closed, expired or back to draft since they were entered.
    pub other: i64,
    pub last_entered_at: Option<String>,
}

/// Every target organisation and every organisation that entered something, by entries (most
/// first), then name.
pub async fn progress(db: &Db, id: &str) -> Result<Vec<ProgressRow>, sqlx::Error> {
    let counted = |condition: &str| {
        format!("CAST(SUM(CASE WHEN e.listing_id IS NOT NULL AND {condition} THEN 1 ELSE 0 END) AS BIGINT)")
    };
    let sql = format!(
        "SELECT o.id AS organisation_id, o.name AS organisation_name, \
         CAST(MAX(CASE WHEN t.organisation_id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS target, \
         CAST(COUNT(e.listing_id) AS BIGINT) AS entered, {} AS imported, {} AS in_review, {} AS approved, \
         {} AS returned, MAX(e.entered_at) AS last_entered_at \
         FROM organisations o \
         LEFT JOIN campaign_targets t ON t.campaign_id = $1 AND t.organisation_id = o.id \
         LEFT JOIN campaign_entries e ON e.campaign_id = $1 AND e.organisation_id = o.id \
         {LISTING} \
         WHERE t.organisation_id IS NOT NULL OR e.listing_id IS NOT NULL \
         GROUP BY o.id, o.name ORDER BY entered DESC, o.name",
        counted("e.via = 'import'"),
        counted(&format!("{STATUS} = 'submitted'")),
        counted(&public_sql()),
        counted(&format!("{STATUS} = 'returned'")),
    );
    let rows = sqlx::query(&sql).bind(id).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| {
            let entered: i64 = row.try_get("entered")?;
            let (in_review, approved, returned): (i64, i64, i64) =
                (row.try_get("in_review")?, row.try_get("approved")?, row.try_get("returned")?);
            Ok(ProgressRow {
                organisation_id: row.try_get("organisation_id")?,
                organisation_name: row.try_get("organisation_name")?,
                target: row.try_get::<i64, _>("target")? == 1,
                entered,
                imported: row.try_get("imported")?,
                in_review,
                approved,
                returned,
                other: entered - in_review - approved - returned,
                last_entered_at: row.try_get("last_entered_at")?,
            })
        })
        .collect()
}
