//! How a deal reads, to the page and to the API alike: the deal, what it offers, the parties,
//! the timeline as this person may see it, and what this person may do next.

use serde::Serialize;

use super::meetings::calendar::MeetingView;
use super::service::Access;
use super::stage::{self, LostReason, Stage};
use super::store::{self, DealRow, Event, LinkedAchievement, Party};
use crate::db::Db;

/// A step the person may take, for a button.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub action: &'static str,
    pub label: &'static str,
    pub needs_reason: bool,
}

/// What this person may do on the deal.
#[derive(Debug, Clone, Serialize)]
pub struct Rights {
    /// `admin`, `broker`, `agency` or `party`.
    pub role: &'static str,
    pub steps: Vec<Step>,
    pub writes_notes: bool,
    pub writes_private: bool,
    pub answers_invitation: bool,
    pub drafts_contract: bool,
    pub reassigns: bool,
    /// Schedules and records 联席预谈判 meetings (the broker's agency and administrators).
    pub organises_meetings: bool,
}

/// One deal, whole.
#[derive(Debug, Clone, Serialize)]
pub struct DealDetail {
    #[serde(flatten)]
    pub deal: DealRow,
    pub achievements: Vec<LinkedAchievement>,
    pub parties: Vec<Party>,
    pub timeline: Vec<Event>,
    pub meetings: Vec<MeetingView>,
    pub rights: Rights,
}

fn rights(deal: &DealRow, access: Access) -> Rights {
    let steps = if access.steers() {
        stage::available(deal.stage)
            .into_iter()
            .map(|a| Step { action: a.code(), label: a.label(), needs_reason: stage::needs_reason(a) })
            .collect()
    } else {
        Vec::new()
    };
    let invited = access == (Access::Party { invited: true });
    Rights {
        role: match access {
            Access::Admin => "admin",
            Access::Broker => "broker",
            Access::Agency => "agency",
            Access::Party { .. } => "party",
        },
        steps,
        writes_notes: !invited,
        writes_private: access.sees_private(),
        answers_invitation: invited,
        drafts_contract: !invited && matches!(deal.stage, Stage::Agreed | Stage::Contracted),
        reassigns: access == Access::Admin,
        organises_meetings: access.sees_private() && !matches!(deal.stage, Stage::Lost | Stage::Contracted),
    }
}

pub async fn detail(db: &Db, deal: DealRow, access: Access) -> Result<DealDetail, sqlx::Error> {
    let achievements = store::achievements(db, &deal.id).await?;
    let parties = store::parties(db, &deal.id).await?;
    let timeline = store::events(db, &deal.id, access.sees_private()).await?;
    let meetings =
        super::meetings::store::for_deal(db, &deal.id).await?.iter().map(super::meetings::calendar::line).collect();
    let rights = rights(&deal, access);
    Ok(DealDetail { deal, achievements, parties, timeline, meetings, rights })
}

/// The closing reasons, for the form.
pub fn lost_reasons() -> Vec<serde_json::Value> {
    LostReason::ALL.iter().map(|r| serde_json::json!({"code": r.code(), "label": r.label()})).collect()
}
