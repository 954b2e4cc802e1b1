//! The 可能重复 panel of a listing's page: shown to administrators, and to the owning
//! organisation's members until the listing is public; administrators get the decision buttons.

use serde_json::{Value, json};

use super::detect::suspects;
use super::similarity::Text;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::AppError;
use crate::listings::Kind;
use crate::search::Search;

/// Suspects shown on a page.
const SHOWN: usize = 5;

/// The panel's data, or `None` when this person is not shown it or nothing looks alike.
pub async fn for_listing(
    db: &Db,
    search: &Search,
    user: Option<&CurrentUser>,
    kind: Kind,
    (id, organisation_id, public): (&str, &str, bool),
    text: &Text<'_>,
) -> Result<Option<Value>, AppError> {
    let Some(user) = user else { return Ok(None) };
    let owner = user.organisation_id.as_deref() == Some(organisation_id);
    if !(user.is_admin || (owner && !public)) {
        return Ok(None);
    }
    let found = suspects(db, Some(search), kind, Some(id), text, SHOWN).await?;
    if found.is_empty() {
        return Ok(None);
    }
    Ok(Some(json!({"kind": kind.code(), "id": id, "admin": user.is_admin, "suspects": found})))
}
