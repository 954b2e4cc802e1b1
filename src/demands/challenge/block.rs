//! The 揭榜挂帅 block of a demand's page: the terms, the window, the applications the viewer may
//! see and whether they may apply.

use serde_json::{Value, json};

use super::{service, store};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::demands::store::DemandRow;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::money::Fen;
use crate::error::AppError;

/// The challenge block of a demand page (`null` when the demand is no challenge).
pub async fn block(db: &Db, user: Option<&CurrentUser>, demand: &DemandRow) -> Result<Value, AppError> {
    let Some(terms) = store::find_terms(db, &demand.meta.id).await? else {
        return Ok(Value::Null);
    };
    let applications = service::visible_applications(db, user, &demand.meta.id, &demand.meta.organisation_id).await?;
    let poster = user.is_some_and(|u| u.organisation_id.as_deref() == Some(demand.meta.organisation_id.as_str()));
    let mine = user.and_then(|u| applications.iter().find(|a| a.applicant_id == u.id));
    let can_apply = user.is_some_and(|u| u.status == AccountStatus::Active && u.role != Role::Admin)
        && !poster
        && mine.is_none()
        && service::window_open(&terms)
        && terms.selected_application_id.is_none();
    let list: Vec<Value> = applications
        .iter()
        .map(|a| {
            json!({
                "id": a.id, "applicant_name": a.applicant_name, "organisation_name": a.organisation_name, "team": a.team,
                "proposal": a.proposal, "expected_results": a.expected_results, "attachments": a.attachments,
                "status": a.status.code(), "status_label": a.status.label(),
                "can_decide": poster && matches!(a.status.code(), "submitted" | "shortlisted"),
                "can_shortlist": poster && a.status.code() == "submitted",
            })
        })
        .collect();
    Ok(json!({
        "reward_text": Fen(terms.reward_fen).format_compact(),
        "reward_fen": terms.reward_fen,
        "reward_wan": Fen(terms.reward_fen).wan_exact(),
        "apply_from": terms.apply_from,
        "apply_until": terms.apply_until,
        "open": service::window_open(&terms),
        "selected": terms.selected_application_id.is_some(),
        "count": terms.applications,
        "poster": poster,
        "applications": list,
        "mine": mine.map(|a| json!({"id": a.id, "status": a.status.code(), "status_label": a.status.label()})),
        "can_apply": can_apply,
    }))
}
