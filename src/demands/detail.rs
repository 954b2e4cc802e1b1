//! A demand's page: the listing core's detail, the 揭榜挂帅 block, and matching achievements.
//! A 揭榜 form that failed comes back here with its messages and everything typed.

use rocket::http::Status as HttpStatus;
use serde_json::json;

use super::challenge::block;
use super::challenge::model::{ApplicationInput, TermsInput};
use super::listing::Demands;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::domain::ids::DemandId;
use crate::error::AppError;
use crate::listings::Kind;
use crate::listings::lifecycle::{self, owns};
use crate::listings::pages as shared;
use crate::web::Page;

/// A 揭榜 form that failed, shown again with its messages and everything that was typed.
#[derive(Debug, Clone, Copy)]
pub enum Returned<'a> {
    /// A team's application.
    Application(&'a ApplicationInput, &'a FieldErrors),
    /// The owner's terms (reward, window).
    Terms(&'a TermsInput, &'a FieldErrors),
}

/// A demand's page, with a form that came back (`returned`) if any.
pub async fn detail_page(
    db: &Db,
    search: &crate::search::Search,
    user: Option<&CurrentUser>,
    id: DemandId,
    returned: Option<Returned<'_>>,
) -> Result<Page, AppError> {
    let demand = lifecycle::visible::<Demands>(db, user, id).await?;
    let mut data = shared::detail_data::<Demands>(db, user, &demand, returned.is_none()).await?;
    let (values, errors) = match returned {
        Some(Returned::Application(values, errors)) => (json!(values), json!(errors)),
        _ => (json!(ApplicationInput::default()), json!({})),
    };
    let challenge = block::block(db, user, &demand).await?;
    // The terms form shows what was typed when it came back, else the terms in force.
    let (terms, terms_errors) = match returned {
        Some(Returned::Terms(values, errors)) => (json!(values), json!(errors)),
        _ => (
            json!({"reward": challenge["reward_wan"], "apply_from": challenge["apply_from"], "apply_until": challenge["apply_until"]}),
            json!({}),
        ),
    };
    let owner = user.is_some_and(|u| owns(u, &demand));
    let matches = if demand.publicly_visible() {
        crate::matching::service::for_demand(db, search, &demand.meta.id, 5).await?
    } else {
        Vec::new()
    };
    data.insert("challenge".into(), challenge);
    data.insert("terms".into(), terms);
    data.insert("terms_errors".into(), terms_errors);
    data.insert("can_set_challenge".into(), json!(owner && demand.meta.status.is_editable()));
    data.insert("application".into(), values);
    data.insert("application_errors".into(), errors);
    data.insert("matches".into(), json!(matches));
    let text = crate::duplicates::Text { title: &demand.title, summary: &demand.description, patents: &[] };
    let place = (demand.meta.id.as_str(), demand.meta.organisation_id.as_str(), demand.publicly_visible());
    let duplicates = crate::duplicates::panel::for_listing(db, search, user, Kind::Demand, place, &text).await?;
    data.insert("duplicates".into(), json!(duplicates));
    let page = Page::new("demands/detail", demand.title.clone(), data);
    Ok(match returned {
        Some(Returned::Terms(..)) => page
            .with_status(HttpStatus::UnprocessableEntity)
            .with_notice("error", "揭榜条件有误，请按页面下方“揭榜条件”处的提示修改（已保留您填写的内容）。"),
        Some(Returned::Application(..)) => page.with_status(HttpStatus::UnprocessableEntity),
        None => page,
    })
}
