//! Inbox messages for the steps of a contract's registration: the drafter and both parties
//! hear of acceptance, corrections, registration, refusal, disputes, amendments and
//! cancellation; administrators hear of a contract waiting for review.

use sqlx::AnyConnection;

use crate::inbox::{Notice, Topic, deliver};

/// The steps people are told of.
fn told(kind: &str) -> bool {
    matches!(
        kind,
        "submitted"
            | "resubmitted"
            | "correction_requested"
            | "registered"
            | "refused"
            | "disputed"
            | "amended"
            | "cancelled"
    )
}

/// Called with each timeline entry, inside its transaction.
pub async fn step(
    conn: &mut AnyConnection,
    contract_id: &str,
    kind: &str,
    note: &str,
    actor: &str,
) -> Result<(), sqlx::Error> {
    if !told(kind) {
        return Ok(());
    }
    let row: Option<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT c.created_by, c.seller_organisation_id, c.buyer_organisation_id, \
         (SELECT r.title FROM contract_revisions r WHERE r.contract_id = c.id ORDER BY r.revision_no DESC LIMIT 1) \
         FROM contracts c WHERE c.id = $1",
    )
    .bind(contract_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((drafter, seller, buyer, title)) = row else { return Ok(()) };
    let title = title.unwrap_or_default();
    let label = super::lifecycle::event_label(kind);
    let body = if kind == "registered" { format!("登记编号 {note}") } else { note.to_string() };
    let notice = Notice::new(Topic::Contract, format!("合同{label}：{title}"), format!("/contracts/{contract_id}"))
        .with_body(body);
    deliver::to_users(conn, std::slice::from_ref(&drafter), &notice, Some(actor)).await?;
    for organisation in std::iter::once(seller).chain(buyer) {
        deliver::to_organisation(conn, &organisation, &notice, Some(actor)).await?;
    }
    if matches!(kind, "submitted" | "resubmitted") {
        let review =
            Notice::new(Topic::Contract, format!("待审核技术合同：{title}"), format!("/contracts/{contract_id}"))
                .with_body(note.to_string());
        deliver::to_admins(conn, &review, Some(actor)).await?;
    }
    Ok(())
}
