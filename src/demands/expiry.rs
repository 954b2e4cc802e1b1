//! Demand expiry: what only demands do beyond the listing core's lifecycle — a published or
//! in-talks demand past its validity date becomes expired, as the platform's own doing.

use serde_json::json;

use super::listing::Demands;
use super::model::Status;
use super::store;
use crate::audit::{self, NewAuditEvent};
use crate::db::Db;
use crate::domain::forms::date_text;
use crate::domain::time::today_shanghai;
use crate::listings::store::set_status;

/// Moves every published or in-talks demand past its validity date to `expired`, audited as the
/// system's doing; returns how many. Public lists already hide them by date, so this keeps the
/// stored status honest for owners and statistics.
pub async fn expire_due(db: &Db) -> Result<usize, sqlx::Error> {
    let today = date_text(today_shanghai());
    let mut tx = db.begin_write().await?;
    let due = store::due_to_expire(&mut tx, &today).await?;
    for id in &due {
        for from in [Status::Published, Status::InTalks] {
            if set_status::<Demands>(&mut tx, id, from, Status::Expired, None).await? {
                let event =
                    NewAuditEvent::system("demand.expire", "demand", id, json!({"from": from.code(), "on": today}));
                audit::append(&mut tx, db.backend(), &event).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(due.len())
}
