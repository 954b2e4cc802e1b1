//! SQL of the holiday notices: the calendar the clock counts in, the notices for the page and the
//! API, and saving a notice (its days replaced as a whole, audited, in one transaction).

use serde::Serialize;
use serde_json::json;
use sqlx::Row as _;
use time::Date;

use super::model::{self, HolidayRun, MakeupDay, Notice};
use crate::audit::{self, NewAuditEvent};
use crate::db::Db;
use crate::domain::forms::{FieldErrors, date_text};
use crate::domain::time::now_stored;
use crate::domain::workdays::{Calendar, DayKind};
use crate::error::AppError;

fn kind_of(code: &str) -> DayKind {
    if code == "work" { DayKind::Work } else { DayKind::Off }
}

/// The calendar with every notice entered so far.
pub async fn load(db: &Db) -> Result<Calendar, sqlx::Error> {
    let years: Vec<i64> = sqlx::query_scalar("SELECT year FROM holiday_notices").fetch_all(db.pool()).await?;
    let rows = sqlx::query("SELECT day, kind FROM holiday_days").fetch_all(db.pool()).await?;
    let mut days = Vec::with_capacity(rows.len());
    for row in rows {
        let day: String = row.try_get("day")?;
        let kind: String = row.try_get("kind")?;
        if let Some(day) = crate::domain::time::parse_date(&day) {
            days.push((day, kind_of(&kind)));
        }
    }
    Ok(Calendar::new(days, years.into_iter().filter_map(|y| i32::try_from(y).ok())))
}

/// One notice as shown.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeRow {
    pub year: i32,
    pub document: String,
    pub published_on: String,
    pub updated_at: String,
    pub holidays: Vec<HolidayRun>,
    pub workdays: Vec<MakeupDay>,
}

/// Every notice, newest year first.
pub async fn notices(db: &Db) -> Result<Vec<NoticeRow>, sqlx::Error> {
    let heads = sqlx::query("SELECT year, document, published_on, updated_at FROM holiday_notices ORDER BY year DESC")
        .fetch_all(db.pool())
        .await?;
    let rows = sqlx::query("SELECT day, year, kind, name FROM holiday_days ORDER BY day").fetch_all(db.pool()).await?;
    let mut days: Vec<(i64, Date, DayKind, String)> = Vec::with_capacity(rows.len());
    for row in rows {
        let day: String = row.try_get("day")?;
        let kind: String = row.try_get("kind")?;
        if let Some(parsed) = crate::domain::time::parse_date(&day) {
            days.push((row.try_get("year")?, parsed, kind_of(&kind), row.try_get("name")?));
        }
    }
    heads
        .iter()
        .map(|head| {
            let year: i64 = head.try_get("year")?;
            let own: Vec<(Date, DayKind, String)> =
                days.iter().filter(|d| d.0 == year).map(|d| (d.1, d.2, d.3.clone())).collect();
            let (holidays, workdays) = model::runs_of(&own);
            Ok(NoticeRow {
                year: i32::try_from(year).unwrap_or_default(),
                document: head.try_get("document")?,
                published_on: head.try_get("published_on")?,
                updated_at: head.try_get("updated_at")?,
                holidays,
                workdays,
            })
        })
        .collect()
}

/// Why a save failed: field messages, or something else.
pub enum SaveError {
    Fields(FieldErrors),
    Other(AppError),
}

impl From<sqlx::Error> for SaveError {
    fn from(error: sqlx::Error) -> Self {
        SaveError::Other(error.into())
    }
}

/// Saves (or replaces) a year's notice. A day another year's notice already lists is refused.
pub async fn save(db: &Db, actor: &str, ip: &str, notice: &Notice) -> Result<bool, SaveError> {
    let mut tx = db.begin_write().await?;
    let year = i64::from(notice.year);
    let days: Vec<String> = notice.days.keys().map(|d| date_text(*d)).collect();
    if !days.is_empty() {
        let marks = (2..days.len() + 2).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT day, year FROM holiday_days WHERE year <> $1 AND day IN ({marks}) ORDER BY day");
        let mut query = sqlx::query(&sql).bind(year);
        for day in &days {
            query = query.bind(day.clone());
        }
        if let Some(row) = query.fetch_optional(&mut *tx).await? {
            let day: String = row.try_get("day")?;
            let other: i64 = row.try_get("year")?;
            let message = format!("{day} 已列在 {other} 年的通知中；请先修改那一年的通知");
            return Err(SaveError::Fields([("holidays".to_string(), message)].into()));
        }
    }
    let existed: Option<i64> = sqlx::query_scalar("SELECT year FROM holiday_notices WHERE year = $1")
        .bind(year)
        .fetch_optional(&mut *tx)
        .await?;
    let now = now_stored();
    if existed.is_some() {
        sqlx::query(
            "UPDATE holiday_notices SET document = $1, published_on = $2, entered_by = $3, updated_at = $4, \
             version = version + 1 WHERE year = $5",
        )
        .bind(&notice.document)
        .bind(date_text(notice.published_on))
        .bind(actor)
        .bind(&now)
        .bind(year)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM holiday_days WHERE year = $1").bind(year).execute(&mut *tx).await?;
    } else {
        sqlx::query(
            "INSERT INTO holiday_notices (year, document, published_on, entered_by, updated_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(year)
        .bind(&notice.document)
        .bind(date_text(notice.published_on))
        .bind(actor)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    let entries: Vec<(&Date, &(DayKind, String))> = notice.days.iter().collect();
    for chunk in entries.chunks(100) {
        let sql = format!(
            "INSERT INTO holiday_days (day, year, kind, name) VALUES {}",
            crate::db::values_tuples(chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql);
        for (day, (kind, name)) in chunk {
            let code = if *kind == DayKind::Work { "work" } else { "off" };
            query = query.bind(date_text(**day)).bind(year).bind(code).bind(name.clone());
        }
        query.execute(&mut *tx).await?;
    }
    let off = notice.days.values().filter(|(k, _)| *k == DayKind::Off).count();
    let details = json!({
        "year": notice.year, "document": notice.document, "published_on": date_text(notice.published_on),
        "days_off": off, "makeup_workdays": notice.days.len() - off, "replaced": existed.is_some(),
    });
    let event = NewAuditEvent {
        actor_user_id: Some(actor.to_string()),
        actor_ip: Some(ip.to_string()),
        action: "calendar.notice_saved".to_string(),
        subject_type: "holiday_notice".to_string(),
        subject_id: notice.year.to_string(),
        details,
    };
    audit::append(&mut tx, db.backend(), &event).await?;
    tx.commit().await?;
    Ok(existed.is_some())
}
