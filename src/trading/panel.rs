//! The pricing routes on an achievement's page: its appraisals (the valid one is the reference
//! price), its 公示, 挂牌 and 竞价 with their periods and states, and — for the seller — the links
//! to start each route.

use serde_json::{Value, json};

use super::{appraisals, auctions, notices, offerings};
use crate::db::Db;
use crate::domain::time::now_stored;

/// What the achievement page shows; `seller` when the viewer speaks for the owner.
pub async fn for_achievement(
    db: &Db,
    achievement_id: &str,
    seller: bool,
    organiser: bool,
) -> Result<Value, sqlx::Error> {
    let now = now_stored();
    let appraisals = appraisals::of(db, achievement_id).await?;
    let reference = appraisals.iter().find(|a| a.valid).cloned();
    let notices: Vec<_> =
        notices::store::for_achievement(db, achievement_id).await?.into_iter().map(notices::view::view).collect();
    let offerings: Vec<_> = offerings::store::for_achievement(db, achievement_id)
        .await?
        .into_iter()
        .map(|r| offerings::pages::view(r, &now))
        .collect();
    let auctions: Vec<_> = auctions::store::for_achievement(db, achievement_id)
        .await?
        .into_iter()
        .map(|r| auctions::view::view(r, &now, false))
        .collect();
    let active = notices.iter().any(|n| n.status == "open")
        || offerings.iter().any(|o| o.status == "open")
        || auctions.iter().any(|a| a.status == "open");
    let any = !appraisals.is_empty() || !notices.is_empty() || !offerings.is_empty() || !auctions.is_empty();
    Ok(json!({"appraisals": appraisals, "reference": reference, "notices": notices, "offerings": offerings,
        "auctions": auctions, "active": active, "any": any, "seller": seller, "organiser": organiser,
        "methods": appraisals::Method::ALL.iter().map(|m| json!({"code": m.code(), "label": m.label()})).collect::<Vec<_>>()}))
}
