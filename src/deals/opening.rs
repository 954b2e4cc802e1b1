//! Writing a new deal: the row, the achievements it offers, both sides invited, the first entry
//! of its timeline. Shared by the deal form and by claiming a lead.

use sqlx::AnyConnection;

use super::stage::Stage;
use super::store::{self, NewEvent};
use crate::domain::time::now_stored;

/// A checked deal, ready to be written.
#[derive(Debug, Clone)]
pub struct Opening {
    pub title: String,
    pub summary: String,
    pub demand_id: Option<String>,
    pub achievement_ids: Vec<String>,
    pub buyer: Option<String>,
    pub seller: Option<String>,
    pub broker_user_id: String,
    pub agency: Option<String>,
    /// The salon the deal was opened at.
    pub salon_id: Option<String>,
}

/// The lead a deal was opened from: `contact` (a 发起对接 request) or `application` (揭榜).
#[derive(Debug, Clone, Copy)]
pub struct LeadRef<'a> {
    pub source: &'a str,
    pub id: &'a str,
}

/// Inserts the deal at the lead stage. A lead already claimed fails on the unique index
/// (`deals_lead_once`), which the caller turns into "already claimed".
pub async fn insert(
    conn: &mut AnyConnection,
    opening: &Opening,
    lead: Option<LeadRef<'_>>,
    created_by: &str,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_stored();
    sqlx::query(
        "INSERT INTO deals (id, title, summary, demand_id, buyer_organisation_id, seller_organisation_id, broker_user_id, \
         agency_organisation_id, stage, lead_source, lead_id, created_by, created_at, updated_at, stage_changed_at, last_step_at, salon_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $13, $13, $14)",
    )
    .bind(&id)
    .bind(&opening.title)
    .bind(&opening.summary)
    .bind(&opening.demand_id)
    .bind(&opening.buyer)
    .bind(&opening.seller)
    .bind(&opening.broker_user_id)
    .bind(&opening.agency)
    .bind(Stage::Lead.code())
    .bind(lead.map(|l| l.source))
    .bind(lead.map(|l| l.id))
    .bind(created_by)
    .bind(&now)
    .bind(&opening.salon_id)
    .execute(&mut *conn)
    .await?;
    for achievement in &opening.achievement_ids {
        sqlx::query("INSERT INTO deal_achievements (deal_id, achievement_id) VALUES ($1, $2)")
            .bind(&id)
            .bind(achievement)
            .execute(&mut *conn)
            .await?;
    }
    for (side, organisation) in [("buyer", &opening.buyer), ("seller", &opening.seller)] {
        if let Some(organisation) = organisation {
            sqlx::query(
                "INSERT INTO deal_parties (deal_id, organisation_id, side, status, invited_at) VALUES ($1, $2, $3, 'invited', $4)",
            )
            .bind(&id)
            .bind(organisation)
            .bind(side)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        }
    }
    let body = match lead {
        Some(LeadRef { source: "application", .. }) => "由揭榜申请线索创建项目".to_string(),
        Some(_) => "由发起对接线索创建项目".to_string(),
        None => "创建项目".to_string(),
    };
    let event = NewEvent { kind: "opened", to_stage: Some(Stage::Lead.code()), body: &body, ..Default::default() };
    store::add_event(conn, &id, Some(created_by), &event).await?;
    let organisations: Vec<&str> =
        [&opening.buyer, &opening.seller].into_iter().flatten().map(String::as_str).collect();
    super::notices::invited(conn, &id, &opening.title, &organisations, created_by).await?;
    if opening.broker_user_id != created_by {
        let notice = crate::inbox::Notice::new(
            crate::inbox::Topic::DealStep,
            format!("您被指定为对接项目“{}”的经纪人", opening.title),
            format!("/deals/{id}"),
        );
        super::notices::to_broker(conn, &id, &notice, created_by).await?;
    }
    Ok(id)
}
