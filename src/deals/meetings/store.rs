//! Meetings in SQL: the row, its participants and next steps; upcoming meetings for a person.

use serde::Serialize;
use sqlx::AnyConnection;

use super::model::{Record, Schedule, Side};
use crate::db::Db;
use crate::domain::forms::date_text;
use crate::domain::time::{now_stored, to_stored};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: String,
    pub deal_id: String,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub online_url: String,
    pub agenda: String,
    pub nda_signed: i64,
    pub nda_signed_on: Option<String>,
    pub minutes: String,
    pub outcome: String,
    pub status: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

const COLUMNS: &str = "id, deal_id, title, starts_at, ends_at, place, online_url, agenda, nda_signed, nda_signed_on, \
    minutes, outcome, status, created_by, created_at, updated_at, version";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Participant {
    pub side: String,
    pub name: String,
    pub organisation: String,
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct NextStep {
    pub task: String,
    pub owner: String,
    pub due_on: Option<String>,
}

/// An invited account: who, for which side, of which organisation.
#[derive(Debug, Clone)]
pub struct Invitee {
    pub user_id: String,
    pub name: String,
    pub organisation: String,
    pub side: Side,
}

pub async fn insert(
    conn: &mut AnyConnection,
    deal_id: &str,
    schedule: &Schedule,
    invitees: &[Invitee],
    created_by: &str,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_stored();
    sqlx::query(
        "INSERT INTO deal_meetings (id, deal_id, title, starts_at, ends_at, place, online_url, agenda, nda_signed, \
         nda_signed_on, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'scheduled', $11, $12, $12)",
    )
    .bind(&id)
    .bind(deal_id)
    .bind(&schedule.title)
    .bind(to_stored(schedule.starts))
    .bind(to_stored(schedule.ends))
    .bind(&schedule.place)
    .bind(&schedule.online_url)
    .bind(&schedule.agenda)
    .bind(i64::from(schedule.nda_signed))
    .bind(schedule.nda_signed_on.map(date_text))
    .bind(created_by)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    let people = invitees
        .iter()
        .map(|i| (i.side, i.name.as_str(), i.organisation.as_str(), Some(i.user_id.as_str())))
        .chain(schedule.guests.iter().map(|(side, name, org)| (*side, name.as_str(), org.as_str(), None)));
    for (position, (side, name, organisation, user)) in people.enumerate() {
        sqlx::query(
            "INSERT INTO deal_meeting_participants (meeting_id, position, side, name, organisation, user_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(position as i64)
        .bind(side.code())
        .bind(name)
        .bind(organisation)
        .bind(user)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

pub async fn find(db: &Db, deal_id: &str, id: &str) -> Result<Option<MeetingRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM deal_meetings WHERE id = $1 AND deal_id = $2"))
        .bind(id)
        .bind(deal_id)
        .fetch_optional(db.pool())
        .await
}

pub async fn for_deal(db: &Db, deal_id: &str) -> Result<Vec<MeetingRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM deal_meetings WHERE deal_id = $1 ORDER BY starts_at, id"))
        .bind(deal_id)
        .fetch_all(db.pool())
        .await
}

pub async fn participants(db: &Db, id: &str) -> Result<Vec<Participant>, sqlx::Error> {
    sqlx::query_as(
        "SELECT side, name, organisation, user_id FROM deal_meeting_participants WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await
}

pub async fn steps(db: &Db, id: &str) -> Result<Vec<NextStep>, sqlx::Error> {
    sqlx::query_as("SELECT task, owner, due_on FROM deal_meeting_steps WHERE meeting_id = $1 ORDER BY position")
        .bind(id)
        .fetch_all(db.pool())
        .await
}

/// Writes the record if the meeting is still at `version`; false when someone changed it.
pub async fn record(conn: &mut AnyConnection, id: &str, version: i64, record: &Record) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE deal_meetings SET minutes = $1, outcome = $2, nda_signed = $3, nda_signed_on = $4, status = 'held', \
         updated_at = $5, version = version + 1 WHERE id = $6 AND version = $7 AND status <> 'cancelled'",
    )
    .bind(&record.minutes)
    .bind(&record.outcome)
    .bind(i64::from(record.nda_signed))
    .bind(record.nda_signed_on.map(date_text))
    .bind(now_stored())
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM deal_meeting_steps WHERE meeting_id = $1").bind(id).execute(&mut *conn).await?;
    for (position, (task, owner, due)) in record.steps.iter().enumerate() {
        sqlx::query(
            "INSERT INTO deal_meeting_steps (meeting_id, position, task, owner, due_on) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(task)
        .bind(owner)
        .bind(due.map(date_text))
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

pub async fn cancel(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE deal_meetings SET status = 'cancelled', updated_at = $1, version = version + 1 WHERE id = $2 AND status = 'scheduled'",
    )
    .bind(now_stored())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A meeting on someone's calendar.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Upcoming {
    pub id: String,
    pub deal_id: String,
    pub deal_title: String,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
}

/// Scheduled meetings from `now` on, of the deals a broker runs or that invite the user.
pub async fn upcoming_for(db: &Db, user_id: &str, now: &str, limit: i64) -> Result<Vec<Upcoming>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.id, m.deal_id, d.title AS deal_title, m.title, m.starts_at, m.ends_at, \
         CASE WHEN m.place <> '' THEN m.place ELSE '线上' END AS place \
         FROM deal_meetings m JOIN deals d ON d.id = m.deal_id \
         WHERE m.status = 'scheduled' AND m.ends_at >= $1 AND (d.broker_user_id = $2 OR EXISTS \
           (SELECT 1 FROM deal_meeting_participants p WHERE p.meeting_id = m.id AND p.user_id = $2)) \
         ORDER BY m.starts_at, m.id LIMIT $3",
    )
    .bind(now)
    .bind(user_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await
}
