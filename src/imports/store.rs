//! `listing_imports`: an uploaded file kept for its dry run and its confirmed load, with who
//! uploaded it for which organisation, what the check found and what was loaded.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use crate::db::Db;
use crate::domain::time::{chinese_datetime_text, now_stored};
use crate::duplicates::many::Match;
use crate::error::{AppError, ErrorCode};

/// An upload as its report page and lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub id: String,
    /// `achievement` / `demand`.
    pub kind: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub file_name: String,
    pub file_sha256: String,
    pub uploaded_at: String,
    /// Beijing time, as pages show it.
    pub uploaded_at_text: String,
    pub uploaded_by_name: String,
    pub row_count: i64,
    pub valid_count: i64,
    /// `checked` (dry run only) or `loaded`.
    pub status: String,
    pub loaded_count: Option<i64>,
    pub loaded_at: Option<String>,
    pub loaded_at_text: Option<String>,
    /// The 征集 campaign the import enters its listings into, if any.
    pub campaign_id: Option<String>,
    pub campaign_title: Option<String>,
}

/// What an upload stores.
pub struct NewImport<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub organisation_id: &'a str,
    pub file_name: &'a str,
    pub file_sha256: &'a str,
    pub content: &'a [u8],
    pub uploaded_by: &'a str,
    pub row_count: usize,
    pub valid_count: usize,
    /// JSON: line → possible duplicates.
    pub suspects: &'a str,
    pub campaign_id: Option<&'a str>,
}

pub async fn insert(db: &Db, new: &NewImport<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO listing_imports (id, kind, organisation_id, file_name, file_sha256, content, uploaded_by, uploaded_at, \
         row_count, valid_count, suspects, status, campaign_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'checked', $12)",
    )
    .bind(new.id)
    .bind(new.kind)
    .bind(new.organisation_id)
    .bind(new.file_name)
    .bind(new.file_sha256)
    .bind(new.content.to_vec())
    .bind(new.uploaded_by)
    .bind(now_stored())
    .bind(new.row_count as i64)
    .bind(new.valid_count as i64)
    .bind(new.suspects)
    .bind(new.campaign_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

const SUMMARY_SQL: &str = "SELECT i.id, i.kind, i.organisation_id, o.name AS organisation_name, i.file_name, i.file_sha256, \
     i.uploaded_at, u.display_name AS uploaded_by_name, i.row_count, i.valid_count, i.status, i.loaded_count, i.loaded_at, i.campaign_id, c.title AS campaign_title \
     FROM listing_imports i JOIN organisations o ON o.id = i.organisation_id LEFT JOIN users u ON u.id = i.uploaded_by \
     LEFT JOIN campaigns c ON c.id = i.campaign_id";

fn summary_of(row: &sqlx::any::AnyRow) -> Result<ImportSummary, sqlx::Error> {
    let uploaded_at: String = row.try_get("uploaded_at")?;
    let loaded_at: Option<String> = row.try_get("loaded_at")?;
    Ok(ImportSummary {
        uploaded_at_text: chinese_datetime_text(&uploaded_at),
        loaded_at_text: loaded_at.as_deref().map(chinese_datetime_text),
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation_name: row.try_get("organisation_name")?,
        file_name: row.try_get("file_name")?,
        file_sha256: row.try_get("file_sha256")?,
        uploaded_at,
        uploaded_by_name: row.try_get::<Option<String>, _>("uploaded_by_name")?.unwrap_or_default(),
        row_count: row.try_get("row_count")?,
        valid_count: row.try_get("valid_count")?,
        status: row.try_get("status")?,
        loaded_count: row.try_get("loaded_count")?,
        loaded_at,
        campaign_id: row.try_get("campaign_id")?,
        campaign_title: row.try_get("campaign_title")?,
    })
}

pub fn not_found() -> AppError {
    AppError::not_found(ErrorCode::ImportNotFound, "没有这次导入")
}

/// One upload's record.
pub async fn summary(db: &Db, id: &str) -> Result<ImportSummary, AppError> {
    let sql = format!("{SUMMARY_SQL} WHERE i.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    Ok(summary_of(&row.ok_or_else(not_found)?)?)
}

/// The uploaded file.
pub async fn content(db: &Db, id: &str) -> Result<Vec<u8>, AppError> {
    let content = sqlx::query_scalar("SELECT content FROM listing_imports WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    content.ok_or_else(not_found)
}

/// The possible duplicates found at upload, by line.
pub async fn suspects(db: &Db, id: &str) -> Result<BTreeMap<usize, Vec<Match>>, AppError> {
    let text: Option<String> = sqlx::query_scalar("SELECT suspects FROM listing_imports WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    let text = text.ok_or_else(not_found)?;
    serde_json::from_str(&text).map_err(AppError::internal)
}

/// The latest uploads, of one organisation or (administrators) all.
pub async fn recent(db: &Db, organisation_id: Option<&str>, limit: i64) -> Result<Vec<ImportSummary>, sqlx::Error> {
    let rows = match organisation_id {
        Some(org) => {
            let sql = format!("{SUMMARY_SQL} WHERE i.organisation_id = $1 ORDER BY i.uploaded_at DESC LIMIT {limit}");
            sqlx::query(&sql).bind(org).fetch_all(db.pool()).await?
        }
        None => {
            let sql = format!("{SUMMARY_SQL} ORDER BY i.uploaded_at DESC LIMIT {limit}");
            sqlx::query(&sql).fetch_all(db.pool()).await?
        }
    };
    rows.iter().map(summary_of).collect()
}

/// Takes the upload's row lock for a batch, so that two confirmations load one after the other
/// (the second then finds the first one's rows and skips them).
pub async fn lock(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE listing_imports SET status = status WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Records a finished load.
pub async fn mark_loaded(conn: &mut AnyConnection, id: &str, loaded: usize) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE listing_imports SET status = 'loaded', loaded_count = COALESCE(loaded_count, 0) + $1, loaded_at = $2 WHERE id = $3",
    )
    .bind(loaded as i64)
    .bind(now_stored())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
