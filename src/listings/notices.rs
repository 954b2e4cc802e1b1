//! Inbox messages about listings: the owners hear the review's outcome and each 发起对接
//! request (a new lead); administrators hear of a listing waiting for review; brokers in the
//! owner's city hear of the new lead too.

use sqlx::AnyConnection;

use super::kind::{Listing, ListingAction, ListingRow};
use crate::inbox::{Notice, Topic, deliver};

/// After a lifecycle action, inside its transaction.
pub async fn reviewed<K: Listing>(
    conn: &mut AnyConnection,
    listing: &K::Row,
    action: K::Action,
    note: &str,
    actor: &str,
) -> Result<(), sqlx::Error> {
    let link = K::KIND.path(listing.id());
    let noun = K::WORDS.noun;
    let title = listing.title();
    if action.is_approval() {
        let notice = Notice::new(Topic::Review, format!("{noun}“{title}”已通过审核并公开"), link);
        deliver::to_organisation(conn, listing.organisation_id(), &notice, Some(actor)).await
    } else if action.is_return() {
        let notice = Notice::new(Topic::Review, format!("{noun}“{title}”被退回修改"), link).with_body(note.to_string());
        deliver::to_organisation(conn, listing.organisation_id(), &notice, Some(actor)).await
    } else if action.code() == "submit" {
        let notice = Notice::new(Topic::Review, format!("待审核{noun}：{title}"), format!("{}/review", K::KIND.base()));
        deliver::to_admins(conn, &notice, Some(actor)).await
    } else {
        Ok(())
    }
}

/// After a 发起对接 request, inside its transaction.
pub async fn contact_requested<K: Listing>(
    conn: &mut AnyConnection,
    listing: &K::Row,
    message: &str,
) -> Result<(), sqlx::Error> {
    let noun = K::WORDS.noun;
    let title = listing.title();
    let owners = Notice::new(Topic::Lead, format!("有人希望对接您的{noun}“{title}”"), "/contacts")
        .with_body(message.to_string());
    deliver::to_organisation(conn, listing.organisation_id(), &owners, None).await?;
    let lead = Notice::new(Topic::Lead, format!("新线索：{noun}“{title}”收到对接请求"), "/broker");
    deliver::to_brokers_near_organisation(conn, listing.organisation_id(), &lead).await
}
