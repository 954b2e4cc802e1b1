//! The reminder the day before: once per salon, to everyone holding a seat, when the salon
//! starts within the next 24 hours.

use time::{Duration, OffsetDateTime};

use super::signups::{self, Standing};
use crate::db::Db;
use crate::domain::time::{chinese_datetime_text, to_stored};
use crate::inbox::{Notice, Topic, deliver};

/// Sends every reminder due at `now`; returns how many salons were reminded.
pub async fn send_due(db: &Db, now: OffsetDateTime) -> Result<usize, sqlx::Error> {
    let due: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, theme, starts_at, CASE WHEN venue <> '' THEN venue ELSE online_url END FROM salons \
         WHERE status = 'scheduled' AND reminded_at IS NULL AND starts_at > $1 AND starts_at <= $2 ORDER BY starts_at LIMIT 50",
    )
    .bind(to_stored(now))
    .bind(to_stored(now + Duration::hours(24)))
    .fetch_all(db.pool())
    .await?;
    let mut sent = 0;
    for (id, theme, starts_at, place) in due {
        let mut tx = db.begin_write().await?;
        let claimed = sqlx::query("UPDATE salons SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL")
            .bind(to_stored(now))
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        if claimed.rows_affected() == 0 {
            tx.rollback().await?;
            continue;
        }
        let people = signups::signed_up(&mut tx, &id, Some(Standing::Confirmed)).await?;
        let notice = Notice::new(Topic::Salon, format!("活动提醒：{theme}",), format!("/salons/{id}"))
            .with_body(format!("时间：{}\n地点：{place}\n请准时参加，现场签到。", chinese_datetime_text(&starts_at)));
        deliver::to_users(&mut tx, &people, &notice, None).await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
