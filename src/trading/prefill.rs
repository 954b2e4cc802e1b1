//! What a contract drafted from a pricing route starts with: a closed 协议定价公示 (the price and
//! the intended transferee), an agreed 挂牌 (the posted price and the one intending enterprise)
//! or a sold 竞价 (the winning bid and the winner). The achievement's valid 资产评估 is named in
//! the subject as the reference price.

use super::notices::model::NoticeStatus;
use super::{appraisals, auctions, notices, offerings};
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::money::Fen;
use crate::domain::taxonomy::TransferMode;
use crate::domain::time::today_shanghai;
use crate::error::{AppError, ErrorCode};

/// The draft's starting point.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub title: String,
    pub subject: String,
    pub contract_type: Option<String>,
    pub seller_organisation_id: Option<String>,
    pub buyer_organisation_id: Option<String>,
    pub achievement_id: String,
    /// The price in 万元, exact.
    pub total_wan: String,
    pub technical_field: Option<String>,
}

fn cannot() -> AppError {
    AppError::forbidden(ErrorCode::CannotDraft, "只有交易双方（或组织方、管理员）可以据此起草合同")
}

fn contract_type(mode: Option<TransferMode>) -> &'static str {
    match mode {
        Some(TransferMode::LicenseExclusive | TransferMode::LicenseSole | TransferMode::LicenseGeneral) => "licence",
        Some(TransferMode::CoDevelopment) => "development",
        Some(TransferMode::Service) => "service",
        Some(TransferMode::Consulting) => "consulting",
        _ => "transfer",
    }
}

async fn finish(db: &Db, mut draft: Draft, route: &str) -> Result<Draft, AppError> {
    draft.technical_field = sqlx::query_scalar("SELECT technical_field FROM achievements WHERE id = $1")
        .bind(&draft.achievement_id)
        .fetch_optional(db.pool())
        .await?;
    let reference = appraisals::reference(db, &draft.achievement_id, today_shanghai()).await?;
    draft.subject = match reference {
        Some(a) => format!(
            "{}（{}；资产评估参考价 {}，{} {}，{}）",
            draft.subject, route, a.value_text, a.agency, a.report_no, a.method_label
        ),
        None => format!("{}（{}）", draft.subject, route),
    };
    Ok(draft)
}

/// From a 公示 closed as 无异议 or 有异议已处理.
pub async fn from_notice(db: &Db, caller: &Caller<'_>, id: &str) -> Result<Draft, AppError> {
    let row = notices::service::find(db, id).await?;
    if !notices::service::manages(caller, &row)
        && !row.transferee_organisation_id.as_deref().is_some_and(|o| caller.member_of(o))
    {
        return Err(cannot());
    }
    let status = notices::service::status_of(&row);
    if !matches!(status, NoticeStatus::ClosedClear | NoticeStatus::ClosedResolved) {
        return Err(AppError::conflict(
            ErrorCode::InvalidTransition,
            "公示结束（无异议或异议已处理）后才能据此起草合同",
        ));
    }
    let mode = TransferMode::from_code(&row.transfer_mode);
    let draft = Draft {
        title: format!("{}技术合同", row.title),
        subject: format!("科技成果“{}”{}", row.title, mode.map(TransferMode::label).unwrap_or("转让")),
        contract_type: Some(contract_type(mode).to_string()),
        seller_organisation_id: Some(row.organisation_id.clone()),
        buyer_organisation_id: row.transferee_organisation_id.clone(),
        achievement_id: row.achievement_id.clone(),
        total_wan: Fen(row.price_fen).wan_exact(),
        technical_field: None,
    };
    finish(db, draft, &format!("协议定价，经公示（{} 至 {}）{}", row.starts_on, row.ends_on, status.label())).await
}

/// From a 挂牌 agreed at its posted price (or after its 竞价).
pub async fn from_offering(db: &Db, caller: &Caller<'_>, id: &str) -> Result<Draft, AppError> {
    let row = offerings::service::find(db, id).await?;
    let buyer = row.buyer_organisation_id.clone();
    if !offerings::service::manages(caller, &row) && !buyer.as_deref().is_some_and(|o| caller.member_of(o)) {
        return Err(cannot());
    }
    if row.status != "agreed" {
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "挂牌成交后才能据此起草合同"));
    }
    if let Some(auction) = &row.auction_id {
        return from_auction(db, caller, auction).await;
    }
    let draft = Draft {
        title: format!("{}技术转让合同", row.title),
        subject: format!("科技成果“{}”转让", row.title),
        contract_type: Some("transfer".into()),
        seller_organisation_id: Some(row.organisation_id.clone()),
        buyer_organisation_id: buyer,
        achievement_id: row.achievement_id.clone(),
        total_wan: Fen(row.price_fen).wan_exact(),
        technical_field: None,
    };
    finish(db, draft, "挂牌交易，按挂牌价成交").await
}

/// From a sold 竞价.
pub async fn from_auction(db: &Db, caller: &Caller<'_>, id: &str) -> Result<Draft, AppError> {
    let row = auctions::service::find(db, id).await?;
    // Whether it sold is public; who may draft from it is checked once it has.
    let winner = row.leader_organisation_id.clone().filter(|_| row.status == "sold");
    let (Some(winner), Some(price)) = (winner, row.current_price_fen) else {
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "竞价成交后才能据此起草合同"));
    };
    let party = caller.member_of(&row.seller_organisation_id) || caller.member_of(&winner);
    if !(party || auctions::service::organises(caller, &row)) {
        return Err(cannot());
    }
    let draft = Draft {
        title: format!("{}技术转让合同", row.title),
        subject: format!("科技成果“{}”转让", row.title),
        contract_type: Some("transfer".into()),
        seller_organisation_id: Some(row.seller_organisation_id.clone()),
        buyer_organisation_id: Some(winner),
        achievement_id: row.achievement_id.clone(),
        total_wan: Fen(price).wan_exact(),
        technical_field: None,
    };
    finish(db, draft, &format!("网络竞价成交，共 {} 次出价", row.bid_count)).await
}
