//! Leads (线索): 发起对接 requests and 揭榜 applications no broker has taken up yet. Brokers see
//! the queue (their agency's region and the fields they work in first) and claim a lead, which
//! opens a deal with both sides filled in; two brokers claiming at once get one deal.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::opening::{LeadRef, Opening};
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::account::Role;
use crate::domain::taxonomy::TechnicalField;
use crate::domain::time::chinese_datetime_text;
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::web::request_state::CurrentUser;

/// One unclaimed lead.
#[derive(Debug, Clone, Serialize)]
pub struct Lead {
    /// `contact` or `application`.
    pub source: String,
    pub id: String,
    pub source_label: &'static str,
    /// `achievement` or `demand` (applications are about demands).
    pub listing_kind: String,
    pub listing_id: String,
    pub listing_path: String,
    pub listing_title: String,
    pub technical_field: String,
    pub technical_field_label: String,
    pub owner_organisation_id: String,
    pub owner_name: String,
    pub owner_region: String,
    pub requester_name: String,
    pub requester_organisation_id: Option<String>,
    pub requester_organisation: Option<String>,
    pub message: String,
    pub created_at: String,
    pub created_text: String,
    /// Why it is listed early: same region as the agency, a field the broker works in.
    pub near: bool,
    pub familiar_field: bool,
}

const CONTACTS: &str = "SELECT 'contact' AS source, r.id, r.listing_kind, r.listing_id, r.message, r.created_at, \
     COALESCE(a.title, d.title) AS listing_title, COALESCE(a.technical_field, d.technical_field) AS technical_field, \
     lo.id AS owner_id, lo.name AS owner_name, lo.region_code AS owner_region, \
     u.display_name AS requester_name, u.organisation_id AS requester_org_id, ro.name AS requester_org \
     FROM listing_contact_requests r \
     LEFT JOIN achievements a ON r.listing_kind = 'achievement' AND a.id = r.listing_id \
     LEFT JOIN demands d ON r.listing_kind = 'demand' AND d.id = r.listing_id \
     JOIN organisations lo ON lo.id = COALESCE(a.organisation_id, d.organisation_id) \
     JOIN users u ON u.id = r.user_id LEFT JOIN organisations ro ON ro.id = u.organisation_id \
     WHERE r.status <> 'declined' \
     AND NOT EXISTS (SELECT 1 FROM deals x WHERE x.lead_source = 'contact' AND x.lead_id = r.id)";

const APPLICATIONS: &str = "SELECT 'application' AS source, ap.id, 'demand' AS listing_kind, ap.demand_id AS listing_id, \
     ap.proposal AS message, ap.created_at, d.title AS listing_title, d.technical_field, \
     lo.id AS owner_id, lo.name AS owner_name, lo.region_code AS owner_region, \
     u.display_name AS requester_name, ap.organisation_id AS requester_org_id, ro.name AS requester_org \
     FROM challenge_applications ap JOIN demands d ON d.id = ap.demand_id \
     JOIN organisations lo ON lo.id = d.organisation_id \
     JOIN users u ON u.id = ap.applicant_id LEFT JOIN organisations ro ON ro.id = ap.organisation_id \
     WHERE ap.status IN ('submitted', 'shortlisted') \
     AND NOT EXISTS (SELECT 1 FROM deals x WHERE x.lead_source = 'application' AND x.lead_id = ap.id)";

fn from_row(row: &AnyRow) -> Result<Lead, sqlx::Error> {
    let source: String = row.try_get("source")?;
    let kind: String = row.try_get("listing_kind")?;
    let listing_id: String = row.try_get("listing_id")?;
    let field: String = row.try_get("technical_field")?;
    let created_at: String = row.try_get("created_at")?;
    let message: String = row.try_get("message")?;
    Ok(Lead {
        source_label: if source == "application" { "揭榜申请" } else { "发起对接" },
        source,
        id: row.try_get("id")?,
        listing_path: if kind == "achievement" {
            format!("/achievements/{listing_id}")
        } else {
            format!("/demands/{listing_id}")
        },
        listing_kind: kind,
        listing_id,
        listing_title: row.try_get("listing_title")?,
        technical_field_label: TechnicalField::from_code(&field).map(|f| f.label().to_string()).unwrap_or_default(),
        technical_field: field,
        owner_organisation_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        owner_region: row.try_get("owner_region")?,
        requester_name: row.try_get("requester_name")?,
        requester_organisation_id: row.try_get("requester_org_id")?,
        requester_organisation: row.try_get("requester_org")?,
        message: message.chars().take(300).collect(),
        created_text: chinese_datetime_text(&created_at),
        created_at,
        near: false,
        familiar_field: false,
    })
}

/// The newest unclaimed leads of both sources.
async fn unclaimed(db: &Db) -> Result<Vec<Lead>, sqlx::Error> {
    let mut leads = Vec::new();
    for (base, alias) in [(CONTACTS, "r"), (APPLICATIONS, "ap")] {
        let sql = format!("{base} ORDER BY {alias}.created_at DESC LIMIT 300");
        for row in sqlx::query(&sql).fetch_all(db.pool()).await? {
            leads.push(from_row(&row)?);
        }
    }
    Ok(leads)
}

/// The unclaimed leads for a broker: near and familiar ones first, then the newest.
pub async fn queue(
    db: &Db,
    broker_user_id: &str,
    agency_region: Option<&str>,
    limit: usize,
) -> Result<Vec<Lead>, sqlx::Error> {
    let fields: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(dm.technical_field, a.technical_field) FROM deals d \
         LEFT JOIN demands dm ON dm.id = d.demand_id \
         LEFT JOIN deal_achievements l ON l.deal_id = d.id LEFT JOIN achievements a ON a.id = l.achievement_id \
         WHERE d.broker_user_id = $1 AND COALESCE(dm.technical_field, a.technical_field) IS NOT NULL",
    )
    .bind(broker_user_id)
    .fetch_all(db.pool())
    .await?;
    let city = agency_region.map(|r| r.chars().take(4).collect::<String>()).filter(|c| c.len() == 4);
    let mut leads = unclaimed(db).await?;
    for lead in &mut leads {
        lead.near = city.as_deref().is_some_and(|c| lead.owner_region.starts_with(c));
        lead.familiar_field = fields.contains(&lead.technical_field);
    }
    leads.sort_by(|a, b| {
        (b.near as u8 + b.familiar_field as u8)
            .cmp(&(a.near as u8 + a.familiar_field as u8))
            .then_with(|| b.created_at.cmp(&a.created_at))
    });
    leads.truncate(limit);
    Ok(leads)
}

/// The queue as one person sees it: ranked by their agency's region and their deals' fields.
pub async fn for_user(db: &Db, user: &CurrentUser, limit: usize) -> Result<Vec<Lead>, sqlx::Error> {
    let region: Option<String> = match user.organisation_id.as_deref() {
        Some(org) => {
            sqlx::query_scalar("SELECT region_code FROM organisations WHERE id = $1")
                .bind(org)
                .fetch_optional(db.pool())
                .await?
        }
        None => None,
    };
    queue(db, &user.id, region.as_deref(), limit).await
}

/// A broker claims a lead: the deal is opened with the listing and both sides, at the lead stage.
pub async fn claim(db: &Db, caller: &Caller<'_>, source: &str, id: &str) -> Result<String, FormFailure> {
    if !(caller.active() && caller.user.role == Role::Broker) {
        return Err(AppError::forbidden(ErrorCode::CannotOpenDeal, "只有已审核的技术经纪人可以认领线索").into());
    }
    let not_found = || AppError::not_found(ErrorCode::LeadNotFound, "线索不存在");
    let alias = match source {
        "contact" => "r",
        "application" => "ap",
        _ => return Err(not_found().into()),
    };
    let base = if source == "contact" { CONTACTS } else { APPLICATIONS };
    let sql = format!("{base} AND {alias}.id = $1");
    let lead = match sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await? {
        Some(row) => from_row(&row)?,
        None => {
            let taken: Option<String> =
                sqlx::query_scalar("SELECT id FROM deals WHERE lead_source = $1 AND lead_id = $2")
                    .bind(source)
                    .bind(id)
                    .fetch_optional(db.pool())
                    .await?;
            return Err(match taken {
                Some(_) => taken_error(),
                None => not_found(),
            }
            .into());
        }
    };
    let on_achievement = lead.listing_kind == "achievement";
    let opening = Opening {
        title: format!("{}·对接", lead.listing_title).chars().take(100).collect(),
        summary: format!("{}（{}）：{}", lead.requester_name, lead.source_label, lead.message),
        demand_id: (!on_achievement).then(|| lead.listing_id.clone()),
        achievement_ids: if on_achievement { vec![lead.listing_id.clone()] } else { Vec::new() },
        buyer: if on_achievement {
            lead.requester_organisation_id.clone()
        } else {
            Some(lead.owner_organisation_id.clone())
        },
        seller: if on_achievement {
            Some(lead.owner_organisation_id.clone())
        } else {
            lead.requester_organisation_id.clone()
        },
        broker_user_id: caller.user.id.clone(),
        agency: caller.user.organisation_id.clone(),
        salon_id: None,
    };
    let mut tx = db.begin_write().await?;
    let deal_id = match super::opening::insert(&mut tx, &opening, Some(LeadRef { source, id }), &caller.user.id).await {
        Ok(deal_id) => deal_id,
        Err(error) if error.as_database_error().is_some_and(|e| e.is_unique_violation()) => {
            tx.rollback().await?;
            return Err(taken_error().into());
        }
        Err(error) => return Err(error.into()),
    };
    let details = json!({"lead_source": source, "lead_id": id, "listing_id": lead.listing_id});
    audit::append(&mut tx, db.backend(), &caller.event("deal.lead_claimed", "deal", &deal_id, details)).await?;
    tx.commit().await?;
    Ok(deal_id)
}

fn taken_error() -> AppError {
    AppError::conflict(ErrorCode::LeadTaken, "这条线索已被其他经纪人认领")
}
