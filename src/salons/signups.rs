//! Sign-ups: a seat while `confirmed < capacity`, else a place on the waiting list; a confirmed
//! person who cancels hands the seat to the first in line. Every write first updates the salon's
//! row, which serialises sign-ups and cancellations of one salon on both databases (a row lock on
//! PostgreSQL, the write lock on SQLite), so the salon is never over-booked.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::db::Db;
use crate::domain::time::{chinese_datetime_text, now_stored};

/// Where a person stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Confirmed,
    Waiting,
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Standing::Confirmed => "confirmed",
            Standing::Waiting => "waiting",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::Confirmed => "已报名",
            Standing::Waiting => "候补中",
        }
    }

    fn from_code(code: &str) -> Option<Standing> {
        match code {
            "confirmed" => Some(Standing::Confirmed),
            "waiting" => Some(Standing::Waiting),
            _ => None,
        }
    }
}

/// Locks the salon's row for this transaction; false when it is not open for sign-ups.
pub async fn lock_open(conn: &mut AnyConnection, salon_id: &str, now: &str) -> Result<bool, sqlx::Error> {
    let locked = sqlx::query(
        "UPDATE salons SET updated_at = updated_at WHERE id = $1 AND status = 'scheduled' AND ends_at > $2",
    )
    .bind(salon_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(locked.rows_affected() == 1)
}

async fn current(conn: &mut AnyConnection, salon_id: &str, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT status FROM salon_signups WHERE salon_id = $1 AND user_id = $2")
        .bind(salon_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

/// Signs a person up inside a transaction that holds the salon's lock; returns their standing
/// and whether it is new.
pub async fn sign_up(conn: &mut AnyConnection, salon_id: &str, user_id: &str) -> Result<(Standing, bool), sqlx::Error> {
    let before = current(conn, salon_id, user_id).await?;
    if let Some(standing) = before.as_deref().and_then(Standing::from_code) {
        return Ok((standing, false));
    }
    let seated = sqlx::query("UPDATE salons SET confirmed = confirmed + 1 WHERE id = $1 AND confirmed < capacity")
        .bind(salon_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    let standing = if seated { Standing::Confirmed } else { Standing::Waiting };
    let now = now_stored();
    let sql = if before.is_some() {
        "UPDATE salon_signups SET status = $1, signed_up_at = $2, updated_at = $2, checked_in_at = NULL WHERE salon_id = $3 AND user_id = $4"
    } else {
        "INSERT INTO salon_signups (status, signed_up_at, updated_at, salon_id, user_id) VALUES ($1, $2, $2, $3, $4)"
    };
    sqlx::query(sql).bind(standing.code()).bind(&now).bind(salon_id).bind(user_id).execute(&mut *conn).await?;
    Ok((standing, true))
}

/// Withdraws a person inside a transaction that holds the salon's lock. Returns their former
/// standing (None if they were not signed up) and who took the freed seat.
pub async fn withdraw(
    conn: &mut AnyConnection,
    salon_id: &str,
    user_id: &str,
) -> Result<(Option<Standing>, Option<String>), sqlx::Error> {
    let Some(standing) = current(conn, salon_id, user_id).await?.as_deref().and_then(Standing::from_code) else {
        return Ok((None, None));
    };
    let now = now_stored();
    sqlx::query("UPDATE salon_signups SET status = 'cancelled', updated_at = $1 WHERE salon_id = $2 AND user_id = $3")
        .bind(&now)
        .bind(salon_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    if standing == Standing::Waiting {
        return Ok((Some(standing), None));
    }
    let next: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM salon_signups WHERE salon_id = $1 AND status = 'waiting' ORDER BY signed_up_at, user_id LIMIT 1",
    )
    .bind(salon_id)
    .fetch_optional(&mut *conn)
    .await?;
    match &next {
        Some(next) => {
            sqlx::query(
                "UPDATE salon_signups SET status = 'confirmed', updated_at = $1 WHERE salon_id = $2 AND user_id = $3",
            )
            .bind(&now)
            .bind(salon_id)
            .bind(next)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query("UPDATE salons SET confirmed = confirmed - 1 WHERE id = $1 AND confirmed > 0")
                .bind(salon_id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok((Some(standing), next))
}

/// A person's standing (None when not signed up, or cancelled) and place in line.
pub async fn standing_of(db: &Db, salon_id: &str, user_id: &str) -> Result<Option<(Standing, i64, bool)>, sqlx::Error> {
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT status, signed_up_at, checked_in_at FROM salon_signups WHERE salon_id = $1 AND user_id = $2",
    )
    .bind(salon_id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((status, at, checked_in)) = row else { return Ok(None) };
    let Some(standing) = Standing::from_code(&status) else { return Ok(None) };
    let ahead: i64 = if standing == Standing::Waiting {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM salon_signups WHERE salon_id = $1 AND status = 'waiting' AND (signed_up_at < $2 OR (signed_up_at = $2 AND user_id < $3))",
        )
        .bind(salon_id)
        .bind(&at)
        .bind(user_id)
        .fetch_one(db.pool())
        .await?
    } else {
        0
    };
    Ok(Some((standing, ahead + 1, checked_in.is_some())))
}

/// A sign-up as the organisers' list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Attendee {
    pub user_id: String,
    pub name: String,
    pub organisation: Option<String>,
    pub status: String,
    pub status_label: &'static str,
    pub signed_up_at: String,
    pub signed_up_label: String,
    pub checked_in: bool,
    pub checked_in_label: Option<String>,
}

pub async fn attendees(db: &Db, salon_id: &str) -> Result<Vec<Attendee>, sqlx::Error> {
    // (user, name, organisation, status, signed up, checked in)
    type Row = (String, String, Option<String>, String, String, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.user_id, u.display_name, o.name, s.status, s.signed_up_at, s.checked_in_at FROM salon_signups s \
         JOIN users u ON u.id = s.user_id LEFT JOIN organisations o ON o.id = u.organisation_id \
         WHERE s.salon_id = $1 AND s.status <> 'cancelled' ORDER BY s.status, s.signed_up_at, s.user_id",
    )
    .bind(salon_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, name, organisation, status, at, checked)| Attendee {
            user_id,
            name,
            organisation,
            status_label: Standing::from_code(&status).map(Standing::label).unwrap_or("已取消"),
            status,
            signed_up_label: chinese_datetime_text(&at),
            signed_up_at: at,
            checked_in: checked.is_some(),
            checked_in_label: checked.as_deref().map(chinese_datetime_text),
        })
        .collect())
}

/// Marks a confirmed attendee present; false when they hold no seat.
pub async fn check_in(conn: &mut AnyConnection, salon_id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE salon_signups SET checked_in_at = COALESCE(checked_in_at, $1), updated_at = $1 \
         WHERE salon_id = $2 AND user_id = $3 AND status = 'confirmed'",
    )
    .bind(now_stored())
    .bind(salon_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Everyone still signed up (to tell them of a cancellation or a reminder).
pub async fn signed_up(
    conn: &mut AnyConnection,
    salon_id: &str,
    standing: Option<Standing>,
) -> Result<Vec<String>, sqlx::Error> {
    let filter = match standing {
        Some(s) => format!("status = '{}'", s.code()),
        None => "status IN ('confirmed', 'waiting')".to_string(),
    };
    sqlx::query_scalar(&format!("SELECT user_id FROM salon_signups WHERE salon_id = $1 AND {filter} ORDER BY user_id"))
        .bind(salon_id)
        .fetch_all(conn)
        .await
}
