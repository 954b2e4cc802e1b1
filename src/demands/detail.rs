//! A demand's page: the listing core's detail, the 揭榜挂帅 block, and matching achievements.
//! A 揭榜 form that failed comes back here with its messages and everything typed.

use rocket::http::Status as HttpStatus;
use serde_json::json;

use super::challenge::block;
use super::challenge::model::ApplicationInput;
use super::listing::Demands;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::domain::ids::DemandId;
use crate::error::AppError;
use crate::listings::lifecycle::{self, owns};
use crate::listings::pages as shared;
use crate::web::Page;

/// A demand's page. `application` carries a 揭榜 form that failed, to show it again with its
/// messages and everything that was typed.
pub async fn detail_page(
    db: &Db,
    search: &crate::search::Search,
    user: Option<&CurrentUser>,
    id: DemandId,
    application: Option<(&ApplicationInput, &FieldErrors)>,
) -> Result<Page, AppError> {
    let demand = lifecycle::visible::<Demands>(db, user, id).await?;
    let mut data = shared::detail_data::<Demands>(db, user, &demand, application.is_none()).await?;
    let (values, errors) = match application {
        Some((values, errors)) => (json!(values), json!(errors)),
        None => (json!(ApplicationInput::default()), json!({})),
    };
    let owner = user.is_some_and(|u| owns(u, &demand));
    let matches = if demand.publicly_visible() {
        crate::search::params::matching_achievements(db, search, &demand.title, &demand.description, 5).await?
    } else {
        Vec::new()
    };
    data.insert("challenge".into(), block::block(db, user, &demand).await?);
    data.insert("can_set_challenge".into(), json!(owner && demand.meta.status.is_editable()));
    data.insert("application".into(), values);
    data.insert("application_errors".into(), errors);
    data.insert("matches".into(), json!(matches));
    let page = Page::new("demands/detail", demand.title.clone(), data);
    Ok(if application.is_some() { page.with_status(HttpStatus::UnprocessableEntity) } else { page })
}
