//! Inbox messages about deals: invited organisations hear of the invitation, the parties and
//! the broker of each step, the broker of the parties' answers and of a deal handed to them.

use sqlx::AnyConnection;

use crate::inbox::{Notice, Topic, deliver};

fn link(deal_id: &str) -> String {
    format!("/deals/{deal_id}")
}

/// Both sides invited to a new deal.
pub async fn invited(
    conn: &mut AnyConnection,
    deal_id: &str,
    title: &str,
    organisations: &[&str],
    actor: &str,
) -> Result<(), sqlx::Error> {
    let notice = Notice::new(Topic::DealInvitation, format!("邀请您的单位参加对接项目“{title}”"), link(deal_id))
        .with_body("请在项目页面接受或谢绝邀请。");
    for organisation in organisations {
        deliver::to_organisation(conn, organisation, &notice, Some(actor)).await?;
    }
    Ok(())
}

/// A message about a deal to its parties (invited or accepted) and its broker, not the actor.
pub async fn to_everyone(
    conn: &mut AnyConnection,
    deal_id: &str,
    notice: &Notice,
    actor: &str,
) -> Result<(), sqlx::Error> {
    let parties: Vec<String> = sqlx::query_scalar(
        "SELECT organisation_id FROM deal_parties WHERE deal_id = $1 AND status <> 'declined' ORDER BY side",
    )
    .bind(deal_id)
    .fetch_all(&mut *conn)
    .await?;
    for organisation in parties {
        deliver::to_organisation(conn, &organisation, notice, Some(actor)).await?;
    }
    to_broker(conn, deal_id, notice, actor).await
}

/// A message to the deal's broker (unless the broker is the actor).
pub async fn to_broker(
    conn: &mut AnyConnection,
    deal_id: &str,
    notice: &Notice,
    actor: &str,
) -> Result<(), sqlx::Error> {
    let broker: Option<String> = sqlx::query_scalar("SELECT broker_user_id FROM deals WHERE id = $1")
        .bind(deal_id)
        .fetch_optional(&mut *conn)
        .await?;
    deliver::to_users(conn, &broker.into_iter().collect::<Vec<_>>(), notice, Some(actor)).await
}

/// A stage step.
pub async fn stepped(
    conn: &mut AnyConnection,
    deal_id: &str,
    title: &str,
    stage_label: &str,
    body: &str,
    actor: &str,
) -> Result<(), sqlx::Error> {
    let notice = Notice::new(Topic::DealStep, format!("对接项目“{title}”进入：{stage_label}"), link(deal_id))
        .with_body(body.to_string());
    to_everyone(conn, deal_id, &notice, actor).await
}

/// An invited organisation answered.
pub async fn answered(
    conn: &mut AnyConnection,
    deal_id: &str,
    title: &str,
    body: &str,
    actor: &str,
) -> Result<(), sqlx::Error> {
    let notice = Notice::new(Topic::DealStep, format!("对接项目“{title}”：{body}"), link(deal_id));
    to_broker(conn, deal_id, &notice, actor).await
}
