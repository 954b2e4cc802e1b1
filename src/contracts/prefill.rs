//! What the new-contract form starts with: blank, or drafted from a listing (named as the
//! source, its title proposed), or from a deal that reached 达成意向 (parties, subject, amount,
//! broker and the deal itself filled in), or from a pricing route (a closed 公示, an agreed 挂牌,
//! a sold 竞价: parties, price and the appraisal's reference price).

use super::model::ContractInput;
use crate::db::Db;
use crate::error::AppError;
use crate::web::request_state::CurrentUser;

/// A pricing route a contract may be drafted from.
#[derive(Debug, Clone, Copy)]
pub enum Trade<'a> {
    Notice(&'a str),
    Offering(&'a str),
    Auction(&'a str),
}

pub async fn new_input(
    db: &Db,
    user: &CurrentUser,
    achievement: Option<&str>,
    demand: Option<&str>,
    deal: Option<&str>,
    trade: Option<Trade<'_>>,
) -> Result<ContractInput, AppError> {
    let mut input = ContractInput { written: Some(true), ..Default::default() };
    if let Some(trade) = trade {
        // Drafted from a closed 公示, an agreed 挂牌 or a sold 竞价: parties, price and subject filled in.
        let caller = crate::auth::Caller { user, ip: "" };
        let from = match trade {
            Trade::Notice(id) => crate::trading::prefill::from_notice(db, &caller, id).await?,
            Trade::Offering(id) => crate::trading::prefill::from_offering(db, &caller, id).await?,
            Trade::Auction(id) => crate::trading::prefill::from_auction(db, &caller, id).await?,
        };
        return Ok(ContractInput {
            title: Some(from.title),
            subject: Some(from.subject),
            contract_type: from.contract_type,
            seller_organisation_id: from.seller_organisation_id,
            buyer_organisation_id: from.buyer_organisation_id,
            achievement_id: Some(from.achievement_id),
            technical_field: from.technical_field,
            amount_unit: Some("wan".to_string()),
            total: Some(from.total_wan),
            ..input
        });
    }
    if let Some(deal) = deal {
        // Drafted from a deal that reached 达成意向: parties, subject, amount and broker filled in.
        let from = crate::deals::contracting::prefill(db, user, deal).await?;
        input = ContractInput {
            title: Some(from.title),
            subject: Some(from.subject),
            seller_organisation_id: from.seller_organisation_id,
            buyer_organisation_id: from.buyer_organisation_id,
            broker_user_id: Some(from.broker_user_id),
            achievement_id: from.achievement_id,
            demand_id: from.demand_id,
            deal_id: Some(from.deal_id),
            technical_field: from.technical_field,
            amount_unit: from.total_wan.as_ref().map(|_| "wan".to_string()),
            total: from.total_wan,
            ..input
        };
        return Ok(input);
    }
    // Drafted from a listing's page: the listing is named as the source, its title proposed.
    if let Some(id) = achievement.filter(|id| uuid::Uuid::parse_str(id).is_ok()) {
        if let Some(found) = crate::listings::store::find::<crate::achievements::listing::Achievements>(db, id).await? {
            input.achievement_id = Some(id.to_string());
            input.title = Some(format!("{}技术合同", found.title));
        }
    }
    if let Some(id) = demand.filter(|id| uuid::Uuid::parse_str(id).is_ok()) {
        if let Some(found) = crate::listings::store::find::<crate::demands::listing::Demands>(db, id).await? {
            input.demand_id = Some(id.to_string());
            input.title.get_or_insert_with(|| format!("{}技术合同", found.title));
        }
    }
    Ok(input)
}
