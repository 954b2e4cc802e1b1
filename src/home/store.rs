//! Counts the home page shows, straight from the database (no caching: they are cheap).

use std::collections::HashMap;

use sqlx::Row as _;

use crate::db::Db;

pub struct Counts {
    pub by_kind: HashMap<String, i64>,
    pub active_users: i64,
}

pub async fn counts(db: &Db) -> Result<Counts, sqlx::Error> {
    let rows = sqlx::query("SELECT kind, CAST(COUNT(*) AS BIGINT) AS n FROM organisations GROUP BY kind")
        .fetch_all(db.pool())
        .await?;
    let mut by_kind = HashMap::new();
    for row in rows {
        by_kind.insert(row.try_get::<String, _>("kind")?, row.try_get::<i64, _>("n")?);
    }
    let active_users: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE status = 'active'")
        .fetch_one(db.pool())
        .await?;
    Ok(Counts { by_kind, active_users })
}

/// Demands open on the public board today (published or in talks, still valid).
pub async fn open_demands(db: &Db) -> Result<i64, sqlx::Error> {
    let today = crate::domain::forms::date_text(crate::domain::time::today_shanghai());
    sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM demands WHERE status IN ('published', 'in_talks') AND valid_until >= $1",
    )
    .bind(today)
    .fetch_one(db.pool())
    .await
}
