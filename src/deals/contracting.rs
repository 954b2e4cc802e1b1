//! Where a deal meets its contract: the draft a deal that reached "agreed" proposes (parties,
//! subject, amount and broker filled in), the check that a contract may name a deal, and the
//! step to "contracted" taken inside the transaction that registers the contract.

use sqlx::AnyConnection;

use super::service::{self, Access};
use super::stage::Stage;
use super::store::{self, NewEvent};
use crate::db::Db;
use crate::domain::money::Fen;
use crate::error::{AppError, ErrorCode};
use crate::web::request_state::CurrentUser;

/// What a contract drafted from a deal starts with.
#[derive(Debug, Clone, Default)]
pub struct Prefill {
    pub deal_id: String,
    pub title: String,
    pub subject: String,
    pub seller_organisation_id: Option<String>,
    pub buyer_organisation_id: Option<String>,
    pub broker_user_id: String,
    pub demand_id: Option<String>,
    pub achievement_id: Option<String>,
    /// The agreed amount in 万元, exact.
    pub total_wan: Option<String>,
    pub technical_field: Option<String>,
}

/// The deal a contract may name: one the person can see, at "agreed" (or already contracted,
/// for a second contract from the same deal).
pub async fn linkable(db: &Db, user: &CurrentUser, deal_id: &str) -> Result<store::DealRow, AppError> {
    let (deal, access) = service::visible(db, user, deal_id).await?;
    if matches!(access, Access::Party { invited: true }) {
        return Err(service::not_found());
    }
    if !matches!(deal.stage, Stage::Agreed | Stage::Contracted) {
        return Err(AppError::conflict(
            ErrorCode::InvalidTransition,
            format!("对接项目当前为“{}”，达成意向后才能据此起草合同", deal.stage.label()),
        ));
    }
    Ok(deal)
}

/// The draft a deal proposes.
pub async fn prefill(db: &Db, user: &CurrentUser, deal_id: &str) -> Result<Prefill, AppError> {
    let deal = linkable(db, user, deal_id).await?;
    let achievements = store::achievements(db, deal_id).await?;
    let field_sql = "SELECT technical_field FROM demands WHERE id = $1 UNION ALL SELECT technical_field FROM achievements WHERE id = $2";
    let technical_field: Option<String> = sqlx::query_scalar(field_sql)
        .bind(deal.demand_id.as_deref().unwrap_or_default())
        .bind(achievements.first().map(|a| a.id.as_str()).unwrap_or_default())
        .fetch_optional(db.pool())
        .await?;
    let subject = match (&deal.demand_title, achievements.first()) {
        (Some(demand), Some(achievement)) => format!("以“{}”满足技术需求“{demand}”", achievement.title),
        (None, Some(achievement)) => format!("科技成果“{}”", achievement.title),
        (Some(demand), None) => format!("技术需求“{demand}”"),
        (None, None) => deal.summary.clone(),
    };
    Ok(Prefill {
        deal_id: deal.id.clone(),
        title: format!("{}技术合同", deal.title.trim_end_matches("·对接")),
        subject,
        seller_organisation_id: deal.seller_organisation_id.clone(),
        buyer_organisation_id: deal.buyer_organisation_id.clone(),
        broker_user_id: deal.broker_user_id.clone(),
        demand_id: deal.demand_id.clone(),
        achievement_id: achievements.first().map(|a| a.id.clone()),
        total_wan: deal.agreed_amount_fen.map(|fen| Fen(fen).wan_exact()),
        technical_field,
    })
}

/// Where a contract's value came from, decided at its registration: a deal opened at a salon →
/// `salon`; a deal that went through 联席预谈判 (the stage, or a meeting held) → `negotiation`;
/// any other deal or a named broker → `broker`; else `direct`; and
/// the agency (the deal's, or the named broker's organisation).
pub async fn attribution(
    conn: &mut AnyConnection,
    deal_id: Option<&str>,
    broker_user_id: Option<&str>,
) -> Result<(&'static str, Option<String>), sqlx::Error> {
    if let Some(deal) = deal_id {
        let negotiated: Option<String> = sqlx::query_scalar(
            "SELECT id FROM deal_events WHERE deal_id = $1 AND to_stage = 'negotiating' \
             UNION ALL SELECT id FROM deal_meetings WHERE deal_id = $1 AND status = 'held' LIMIT 1",
        )
        .bind(deal)
        .fetch_optional(&mut *conn)
        .await?;
        let row: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT agency_organisation_id, salon_id FROM deals WHERE id = $1")
                .bind(deal)
                .fetch_optional(&mut *conn)
                .await?;
        let (agency, salon) = row.unwrap_or_default();
        let channel = match (salon, negotiated) {
            (Some(_), _) => "salon",
            (None, Some(_)) => "negotiation",
            (None, None) => "broker",
        };
        return Ok((channel, agency));
    }
    match broker_user_id {
        Some(broker) => {
            let agency: Option<Option<String>> = sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1")
                .bind(broker)
                .fetch_optional(conn)
                .await?;
            Ok(("broker", agency.flatten()))
        }
        None => Ok(("direct", None)),
    }
}

/// Inside the registration's transaction: the deal the contract names moves to "contracted"
/// (from "agreed"; a deal already contracted keeps its stage and gains a timeline entry).
pub async fn contract_registered(
    conn: &mut AnyConnection,
    deal_id: &str,
    registration_no: &str,
    actor: &str,
) -> Result<(), sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE deals SET stage = 'contracted', stage_changed_at = $1, version = version + 1 WHERE id = $2 AND stage = 'agreed'",
    )
    .bind(crate::domain::time::now_stored())
    .bind(deal_id)
    .execute(&mut *conn)
    .await?;
    let body = format!("合同已认定登记（登记编号 {registration_no}）");
    let event = if moved.rows_affected() > 0 {
        NewEvent {
            kind: "stage",
            from_stage: Some(Stage::Agreed.code()),
            to_stage: Some(Stage::Contracted.code()),
            body: &body,
            ..Default::default()
        }
    } else {
        NewEvent { kind: "note", body: &body, ..Default::default() }
    };
    store::add_event(conn, deal_id, Some(actor), &event).await
}
