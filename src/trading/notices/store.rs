//! 公示 in SQL: notices (versions of a series), their objections and answers. The text columns
//! are written once; a trigger in both schemas refuses any later change to them.

use sqlx::AnyConnection;

use super::model::Terms;
use crate::db::Db;
use crate::domain::forms::date_text;
use crate::domain::time::now_stored;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRow {
    pub id: String,
    pub series_id: String,
    pub version_no: i64,
    pub achievement_id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub title: String,
    pub team: String,
    pub transferee: String,
    pub transferee_organisation_id: Option<String>,
    pub transfer_mode: String,
    pub price_fen: i64,
    pub starts_on: String,
    pub ends_on: String,
    pub contact: String,
    pub statement: String,
    pub correction_note: String,
    pub published_by: String,
    pub published_at: String,
    pub status: String,
    pub closed_at: Option<String>,
    pub close_note: String,
    pub objections: i64,
    pub unanswered: i64,
    pub is_demo: i64,
}

const SELECT: &str = "SELECT n.id, n.series_id, n.version_no, n.achievement_id, n.organisation_id, o.name AS organisation_name, \
    n.title, n.team, n.transferee, n.transferee_organisation_id, n.transfer_mode, n.price_fen, n.starts_on, n.ends_on, \
    n.contact, n.statement, n.correction_note, n.published_by, n.published_at, n.status, n.closed_at, n.close_note, \
    (SELECT COUNT(*) FROM pricing_notice_objections j WHERE j.notice_id = n.id) AS objections, \
    (SELECT COUNT(*) FROM pricing_notice_objections j WHERE j.notice_id = n.id AND j.answer IS NULL) AS unanswered, \
    n.is_demo FROM pricing_notices n JOIN organisations o ON o.id = n.organisation_id";

/// A new notice (or version); returns its id.
pub struct NewNotice<'a> {
    pub series: Option<(&'a str, i64)>,
    pub achievement_id: &'a str,
    pub organisation_id: &'a str,
    pub title: &'a str,
    pub transferee_organisation_id: Option<&'a str>,
    pub published_by: &'a str,
    pub is_demo: i64,
}

pub async fn insert(conn: &mut AnyConnection, new: &NewNotice<'_>, terms: &Terms) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let (series, version) = new.series.map(|(s, v)| (s.to_string(), v)).unwrap_or_else(|| (id.clone(), 1));
    sqlx::query(
        "INSERT INTO pricing_notices (id, series_id, version_no, achievement_id, organisation_id, title, team, transferee, \
         transferee_organisation_id, transfer_mode, price_fen, starts_on, ends_on, contact, statement, correction_note, \
         published_by, published_at, status, is_demo) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'open', $19)",
    )
    .bind(&id)
    .bind(series)
    .bind(version)
    .bind(new.achievement_id)
    .bind(new.organisation_id)
    .bind(new.title)
    .bind(&terms.team)
    .bind(&terms.transferee)
    .bind(new.transferee_organisation_id)
    .bind(terms.transfer_mode.code())
    .bind(terms.price.0)
    .bind(date_text(terms.starts_on))
    .bind(date_text(terms.ends_on))
    .bind(&terms.contact)
    .bind(&terms.statement)
    .bind(&terms.correction_note)
    .bind(new.published_by)
    .bind(now_stored())
    .bind(new.is_demo)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn find(db: &Db, id: &str) -> Result<Option<NoticeRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE n.id = $1")).bind(id).fetch_optional(db.pool()).await
}

/// The board: open notices first (ending soonest), then the rest newest first.
pub async fn board(db: &Db, status: Option<&str>, limit: i64, offset: i64) -> Result<Vec<NoticeRow>, sqlx::Error> {
    let order = "ORDER BY CASE WHEN n.status = 'open' THEN 0 ELSE 1 END, \
        CASE WHEN n.status = 'open' THEN n.ends_on ELSE '' END, n.published_at DESC, n.id DESC";
    match status {
        Some(status) => {
            sqlx::query_as(&format!("{SELECT} WHERE n.status = $1 {order} LIMIT $2 OFFSET $3"))
                .bind(status)
                .bind(limit)
                .bind(offset)
                .fetch_all(db.pool())
                .await
        }
        None => {
            sqlx::query_as(&format!("{SELECT} {order} LIMIT $1 OFFSET $2"))
                .bind(limit)
                .bind(offset)
                .fetch_all(db.pool())
                .await
        }
    }
}

pub async fn count(db: &Db, status: Option<&str>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM pricing_notices WHERE $1 = '' OR status = $1")
        .bind(status.unwrap_or_default())
        .fetch_one(db.pool())
        .await
}

/// The newest notices for the feed, by publication or closing time.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<NoticeRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} ORDER BY COALESCE(n.closed_at, n.published_at) DESC, n.id DESC LIMIT $1"))
        .bind(limit)
        .fetch_all(db.pool())
        .await
}

/// Every version of a series, oldest first.
pub async fn versions(db: &Db, series_id: &str) -> Result<Vec<NoticeRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE n.series_id = $1 ORDER BY n.version_no"))
        .bind(series_id)
        .fetch_all(db.pool())
        .await
}

/// Notices on one achievement, newest first.
pub async fn for_achievement(db: &Db, achievement_id: &str) -> Result<Vec<NoticeRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE n.achievement_id = $1 ORDER BY n.published_at DESC, n.id DESC LIMIT 20"))
        .bind(achievement_id)
        .fetch_all(db.pool())
        .await
}

/// Moves an open notice to `status`; false when it was no longer open.
pub async fn close(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    by: &str,
    note: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE pricing_notices SET status = $1, closed_at = $2, closed_by = $3, close_note = $4 WHERE id = $5 AND status = 'open'",
    )
    .bind(status)
    .bind(now_stored())
    .bind(by)
    .bind(note)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ObjectionRow {
    pub id: String,
    pub user_id: String,
    pub filer: String,
    pub reasons: String,
    pub filed_at: String,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
}

pub async fn objections(db: &Db, notice_id: &str) -> Result<Vec<ObjectionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT j.id, j.user_id, COALESCE(o.name, u.display_name) AS filer, j.reasons, j.filed_at, j.answer, j.answered_at \
         FROM pricing_notice_objections j JOIN users u ON u.id = j.user_id \
         LEFT JOIN organisations o ON o.id = u.organisation_id WHERE j.notice_id = $1 ORDER BY j.filed_at, j.id",
    )
    .bind(notice_id)
    .fetch_all(db.pool())
    .await
}

pub async fn add_objection(
    conn: &mut AnyConnection,
    notice_id: &str,
    user_id: &str,
    reasons: &str,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO pricing_notice_objections (id, notice_id, user_id, reasons, filed_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(notice_id)
    .bind(user_id)
    .bind(reasons)
    .bind(now_stored())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Answers an unanswered objection; returns who filed it, or `None` when there is no such
/// unanswered objection on this notice.
pub async fn answer(
    conn: &mut AnyConnection,
    notice_id: &str,
    objection_id: &str,
    by: &str,
    answer: &str,
) -> Result<Option<String>, sqlx::Error> {
    let filer: Option<String> = sqlx::query_scalar(
        "UPDATE pricing_notice_objections SET answer = $1, answered_by = $2, answered_at = $3 \
         WHERE id = $4 AND notice_id = $5 AND answer IS NULL RETURNING user_id",
    )
    .bind(answer)
    .bind(by)
    .bind(now_stored())
    .bind(objection_id)
    .bind(notice_id)
    .fetch_optional(conn)
    .await?;
    Ok(filer)
}
