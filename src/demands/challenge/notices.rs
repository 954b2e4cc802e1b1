//! Inbox messages about 揭榜 applications: the poster hears of each application (a lead, which
//! brokers in the poster's city hear of too), the applicant of each decision on theirs.

use sqlx::AnyConnection;

use super::model::ApplicationStatus;
use crate::demands::store::DemandRow;
use crate::inbox::{Notice, Topic, deliver};

/// After an application, inside its transaction.
pub async fn applied(conn: &mut AnyConnection, demand: &DemandRow, team: &str) -> Result<(), sqlx::Error> {
    let link = format!("/demands/{}", demand.meta.id);
    let poster = Notice::new(Topic::Lead, format!("“{}”收到新的揭榜申请", demand.title), link.clone())
        .with_body(format!("揭榜团队：{team}"));
    deliver::to_organisation(conn, &demand.meta.organisation_id, &poster, None).await?;
    let lead = Notice::new(Topic::Lead, format!("新线索：揭榜挂帅“{}”收到揭榜申请", demand.title), "/broker");
    deliver::to_brokers_near_organisation(conn, &demand.meta.organisation_id, &lead).await
}

/// After the poster's decision, inside its transaction.
pub async fn decided(
    conn: &mut AnyConnection,
    demand: &DemandRow,
    applicant: &str,
    to: ApplicationStatus,
    actor: &str,
) -> Result<(), sqlx::Error> {
    let notice = Notice::new(
        Topic::Application,
        format!("您对“{}”的揭榜申请：{}", demand.title, to.label()),
        format!("/demands/{}", demand.meta.id),
    );
    deliver::to_users(conn, &[applicant.to_string()], &notice, Some(actor)).await
}
