//! Deals in the database: the row with its names joined in, its achievements, parties and
//! timeline, and the writes the service makes inside its transactions.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::stage::{LostReason, Stage};
use crate::db::Db;
use crate::domain::money::Fen;
use crate::domain::time::{chinese_datetime_text, now_stored};

/// One deal as the pages and the API read it.
#[derive(Debug, Clone, Serialize)]
pub struct DealRow {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub demand_id: Option<String>,
    pub demand_title: Option<String>,
    pub buyer_organisation_id: Option<String>,
    pub buyer_name: Option<String>,
    pub seller_organisation_id: Option<String>,
    pub seller_name: Option<String>,
    pub broker_user_id: String,
    pub broker_name: String,
    pub agency_organisation_id: Option<String>,
    pub agency_name: Option<String>,
    pub stage: Stage,
    pub stage_label: &'static str,
    pub lost_from: Option<Stage>,
    pub lost_reason: Option<LostReason>,
    pub lost_reason_label: Option<&'static str>,
    pub agreed_amount_fen: Option<i64>,
    pub agreed_amount_text: Option<String>,
    pub lead_source: Option<String>,
    pub lead_id: Option<String>,
    pub created_at: String,
    pub created_text: String,
    pub last_step_at: String,
    pub last_step_text: String,
    pub version: i64,
    /// The salon the deal was opened at, if any.
    pub salon_id: Option<String>,
    pub salon_theme: Option<String>,
}

const SELECT: &str = "SELECT d.id, d.title, d.summary, d.demand_id, dm.title AS demand_title, \
     d.buyer_organisation_id, b.name AS buyer_name, d.seller_organisation_id, s.name AS seller_name, \
     d.broker_user_id, u.display_name AS broker_name, d.agency_organisation_id, g.name AS agency_name, \
     d.stage, d.lost_from, d.lost_reason, d.agreed_amount_fen, d.lead_source, d.lead_id, \
     d.created_at, d.last_step_at, d.version, d.salon_id, sa.theme AS salon_theme \
     FROM deals d \
     LEFT JOIN salons sa ON sa.id = d.salon_id \
     LEFT JOIN demands dm ON dm.id = d.demand_id \
     LEFT JOIN organisations b ON b.id = d.buyer_organisation_id \
     LEFT JOIN organisations s ON s.id = d.seller_organisation_id \
     LEFT JOIN organisations g ON g.id = d.agency_organisation_id \
     JOIN users u ON u.id = d.broker_user_id";

fn from_row(row: &AnyRow) -> Result<DealRow, sqlx::Error> {
    let stage = Stage::from_code(&row.try_get::<String, _>("stage")?).unwrap_or(Stage::Lead);
    let lost_reason = row.try_get::<Option<String>, _>("lost_reason")?.as_deref().and_then(LostReason::from_code);
    let amount: Option<i64> = row.try_get("agreed_amount_fen")?;
    let created_at: String = row.try_get("created_at")?;
    let last_step_at: String = row.try_get("last_step_at")?;
    Ok(DealRow {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        demand_id: row.try_get("demand_id")?,
        demand_title: row.try_get("demand_title")?,
        buyer_organisation_id: row.try_get("buyer_organisation_id")?,
        buyer_name: row.try_get("buyer_name")?,
        seller_organisation_id: row.try_get("seller_organisation_id")?,
        seller_name: row.try_get("seller_name")?,
        broker_user_id: row.try_get("broker_user_id")?,
        broker_name: row.try_get("broker_name")?,
        agency_organisation_id: row.try_get("agency_organisation_id")?,
        agency_name: row.try_get("agency_name")?,
        stage,
        stage_label: stage.label(),
        lost_from: row.try_get::<Option<String>, _>("lost_from")?.as_deref().and_then(Stage::from_code),
        lost_reason,
        lost_reason_label: lost_reason.map(LostReason::label),
        agreed_amount_fen: amount,
        agreed_amount_text: amount.map(|fen| Fen(fen).format_wan()),
        lead_source: row.try_get("lead_source")?,
        lead_id: row.try_get("lead_id")?,
        created_text: chinese_datetime_text(&created_at),
        created_at,
        last_step_text: chinese_datetime_text(&last_step_at),
        last_step_at,
        version: row.try_get("version")?,
        salon_id: row.try_get("salon_id")?,
        salon_theme: row.try_get("salon_theme")?,
    })
}

pub async fn find(db: &Db, id: &str) -> Result<Option<DealRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE d.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?.as_ref().map(from_row).transpose()
}

/// Whose deals a list shows.
#[derive(Debug, Clone)]
pub enum Scope<'a> {
    Everything,
    /// Deals the person brokers, their agency runs, or their organisation is a party to.
    Involving {
        user_id: &'a str,
        organisation_id: Option<&'a str>,
    },
    /// Deals one broker runs.
    BrokeredBy(&'a str),
}

/// Deals in a scope, optionally of one stage, most recently moved first.
pub async fn list(db: &Db, scope: &Scope<'_>, stage: Option<Stage>, limit: i64) -> Result<Vec<DealRow>, sqlx::Error> {
    let mut binds: Vec<String> = Vec::new();
    let mut filters: Vec<String> = Vec::new();
    match scope {
        Scope::Everything => {}
        Scope::BrokeredBy(user) => {
            binds.push(user.to_string());
            filters.push("d.broker_user_id = $1".into());
        }
        Scope::Involving { user_id, organisation_id } => {
            binds.push(user_id.to_string());
            binds.push(organisation_id.unwrap_or("").to_string());
            filters.push(
                "(d.broker_user_id = $1 OR d.agency_organisation_id = $2 OR EXISTS (SELECT 1 FROM deal_parties p \
                 WHERE p.deal_id = d.id AND p.organisation_id = $2 AND p.status <> 'declined'))"
                    .into(),
            );
        }
    }
    if let Some(stage) = stage {
        binds.push(stage.code().to_string());
        filters.push(format!("d.stage = ${}", binds.len()));
    }
    let filter = if filters.is_empty() { String::new() } else { format!(" WHERE {}", filters.join(" AND ")) };
    let sql = format!("{SELECT}{filter} ORDER BY d.last_step_at DESC, d.id DESC LIMIT {limit}");
    let mut query = sqlx::query(&sql);
    for bind in &binds {
        query = query.bind(bind);
    }
    query.fetch_all(db.pool()).await?.iter().map(from_row).collect()
}

/// An achievement a deal offers.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedAchievement {
    pub id: String,
    pub title: String,
}

pub async fn achievements(db: &Db, deal_id: &str) -> Result<Vec<LinkedAchievement>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.id, a.title FROM deal_achievements l JOIN achievements a ON a.id = l.achievement_id \
         WHERE l.deal_id = $1 ORDER BY a.title",
    )
    .bind(deal_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id, title)| LinkedAchievement { id, title }).collect())
}

/// An organisation a deal invited, and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct Party {
    pub organisation_id: String,
    pub name: String,
    pub side: String,
    pub side_label: &'static str,
    pub status: String,
    pub status_label: &'static str,
    pub answered_text: Option<String>,
}

pub async fn parties(db: &Db, deal_id: &str) -> Result<Vec<Party>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT p.organisation_id, o.name, p.side, p.status, p.answered_at FROM deal_parties p \
         JOIN organisations o ON o.id = p.organisation_id WHERE p.deal_id = $1 ORDER BY p.side, o.name",
    )
    .bind(deal_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(organisation_id, name, side, status, answered)| Party {
            organisation_id,
            name,
            side_label: if side == "buyer" { "需求方（买方）" } else { "成果方（卖方）" },
            side,
            status_label: match status.as_str() {
                "accepted" => "已接受邀请",
                "declined" => "已谢绝",
                _ => "已邀请，待答复",
            },
            status,
            answered_text: answered.as_deref().map(chinese_datetime_text),
        })
        .collect())
}

/// One entry of a deal's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: String,
    pub occurred_at: String,
    pub occurred_text: String,
    pub actor_name: Option<String>,
    pub kind: String,
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
    pub to_stage_label: Option<&'static str>,
    pub reason: String,
    pub body: String,
    pub visibility: String,
    pub private: bool,
}

/// The timeline, oldest first; private notes only when `with_private`.
pub async fn events(db: &Db, deal_id: &str, with_private: bool) -> Result<Vec<Event>, sqlx::Error> {
    let privacy = if with_private { "" } else { " AND e.visibility = 'shared'" };
    let sql = format!(
        "SELECT e.id, e.occurred_at, u.display_name, e.kind, e.from_stage, e.to_stage, e.reason, e.body, e.visibility \
         FROM deal_events e LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.deal_id = $1{privacy} \
         ORDER BY e.occurred_at, e.id"
    );
    let rows = sqlx::query(&sql).bind(deal_id).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| {
            let at: String = row.try_get("occurred_at")?;
            let to_stage: Option<String> = row.try_get("to_stage")?;
            let visibility: String = row.try_get("visibility")?;
            Ok(Event {
                id: row.try_get("id")?,
                occurred_text: chinese_datetime_text(&at),
                occurred_at: at,
                actor_name: row.try_get("display_name")?,
                kind: row.try_get("kind")?,
                from_stage: row.try_get("from_stage")?,
                to_stage_label: to_stage.as_deref().and_then(Stage::from_code).map(Stage::label),
                to_stage,
                reason: row.try_get("reason")?,
                body: row.try_get("body")?,
                private: visibility == "private",
                visibility,
            })
        })
        .collect()
}

/// A timeline entry to add.
#[derive(Debug, Clone, Default)]
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub from_stage: Option<&'a str>,
    pub to_stage: Option<&'a str>,
    pub reason: &'a str,
    pub body: &'a str,
    pub private: bool,
}

/// Adds an entry and marks the deal as moved now.
pub async fn add_event(
    conn: &mut AnyConnection,
    deal_id: &str,
    actor: Option<&str>,
    event: &NewEvent<'_>,
) -> Result<(), sqlx::Error> {
    let now = now_stored();
    sqlx::query(
        "INSERT INTO deal_events (id, deal_id, occurred_at, actor_user_id, kind, from_stage, to_stage, reason, body, visibility) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(deal_id)
    .bind(&now)
    .bind(actor)
    .bind(event.kind)
    .bind(event.from_stage)
    .bind(event.to_stage)
    .bind(event.reason)
    .bind(event.body)
    .bind(if event.private { "private" } else { "shared" })
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE deals SET last_step_at = $1, updated_at = $1 WHERE id = $2")
        .bind(&now)
        .bind(deal_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The party row of an organisation on a deal: its side and answer.
pub async fn party_of(db: &Db, deal_id: &str, organisation_id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT side, status FROM deal_parties WHERE deal_id = $1 AND organisation_id = $2")
        .bind(deal_id)
        .bind(organisation_id)
        .fetch_optional(db.pool())
        .await
}
