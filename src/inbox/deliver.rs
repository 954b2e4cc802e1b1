//! Writing messages, inside the transaction of the change they report: to named users, to the
//! active members of an organisation (and its webhooks), to administrators, to brokers.

use sqlx::AnyConnection;

use crate::domain::time::now_stored;

/// What a message is about: a stable code, its label, and the webhook event it raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Lead,
    DealInvitation,
    DealStep,
    Meeting,
    Salon,
    Review,
    Application,
    Contract,
    Trade,
    Campaign,
    SavedSearch,
}

impl Topic {
    pub const ALL: [Topic; 11] = [
        Topic::Lead,
        Topic::DealInvitation,
        Topic::DealStep,
        Topic::Meeting,
        Topic::Salon,
        Topic::Review,
        Topic::Application,
        Topic::Contract,
        Topic::Trade,
        Topic::Campaign,
        Topic::SavedSearch,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Topic::Lead => "lead",
            Topic::DealInvitation => "deal_invitation",
            Topic::DealStep => "deal_step",
            Topic::Meeting => "meeting",
            Topic::Salon => "salon",
            Topic::Review => "review",
            Topic::Application => "application",
            Topic::Contract => "contract",
            Topic::Trade => "trade",
            Topic::Campaign => "campaign",
            Topic::SavedSearch => "saved_search",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Topic::Lead => "新线索",
            Topic::DealInvitation => "项目邀请",
            Topic::DealStep => "项目进展",
            Topic::Meeting => "预谈判会议",
            Topic::Salon => "对接沙龙",
            Topic::Review => "审核结果",
            Topic::Application => "揭榜结果",
            Topic::Contract => "合同登记",
            Topic::Trade => "交易动态",
            Topic::Campaign => "成果征集",
            Topic::SavedSearch => "订阅提醒",
        }
    }

    /// The event name webhooks receive.
    pub fn event(self) -> &'static str {
        match self {
            Topic::Lead => "lead.created",
            Topic::DealInvitation => "deal.invited",
            Topic::DealStep => "deal.step",
            Topic::Meeting => "meeting.scheduled",
            Topic::Salon => "salon.notice",
            Topic::Review => "listing.reviewed",
            Topic::Application => "application.decided",
            Topic::Contract => "contract.step",
            Topic::Trade => "trade.notice",
            Topic::Campaign => "campaign.opened",
            Topic::SavedSearch => "search.matched",
        }
    }

    pub fn from_code(code: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// One message: what it is about, a one-line title, an optional body and the page it points to.
#[derive(Debug, Clone)]
pub struct Notice {
    pub topic: Topic,
    pub title: String,
    pub body: String,
    /// A path on this site (`/deals/…`).
    pub link: String,
}

impl Notice {
    pub fn new(topic: Topic, title: impl Into<String>, link: impl Into<String>) -> Notice {
        Notice { topic, title: title.into(), body: String::new(), link: link.into() }
    }

    pub fn with_body(mut self, body: impl Into<String>) -> Notice {
        self.body = body.into();
        self
    }
}

/// Messages to the named users (each once; blanks and `except` skipped).
pub async fn to_users(
    conn: &mut AnyConnection,
    users: &[String],
    notice: &Notice,
    except: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = now_stored();
    let mut sent: Vec<&str> = Vec::new();
    for user in users.iter().map(String::as_str) {
        if user.is_empty() || Some(user) == except || sent.contains(&user) {
            continue;
        }
        sent.push(user);
        sqlx::query(
            "INSERT INTO inbox_messages (id, user_id, kind, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(user)
        .bind(notice.topic.code())
        .bind(&notice.title)
        .bind(&notice.body)
        .bind(&notice.link)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The active members of an organisation.
pub async fn members(conn: &mut AnyConnection, organisation_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE organisation_id = $1 AND status = 'active' ORDER BY id")
        .bind(organisation_id)
        .fetch_all(conn)
        .await
}

/// Messages to every active member of the organisation (but `except`, usually the actor), and
/// the event to the organisation's webhooks.
pub async fn to_organisation(
    conn: &mut AnyConnection,
    organisation_id: &str,
    notice: &Notice,
    except: Option<&str>,
) -> Result<(), sqlx::Error> {
    let users = members(conn, organisation_id).await?;
    to_users(conn, &users, notice, except).await?;
    let payload = serde_json::json!({
        "topic": notice.topic.code(), "title": notice.title, "body": notice.body, "link": notice.link,
    });
    crate::webhooks::store::enqueue(conn, organisation_id, notice.topic.event(), &payload).await
}

/// Messages to every active administrator.
pub async fn to_admins(conn: &mut AnyConnection, notice: &Notice, except: Option<&str>) -> Result<(), sqlx::Error> {
    let users: Vec<String> =
        sqlx::query_scalar("SELECT id FROM users WHERE role = 'admin' AND status = 'active' ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    to_users(conn, &users, notice, except).await
}

/// Messages to the active brokers whose agency is in the same city as the organisation.
pub async fn to_brokers_near_organisation(
    conn: &mut AnyConnection,
    organisation_id: &str,
    notice: &Notice,
) -> Result<(), sqlx::Error> {
    let region: Option<String> = sqlx::query_scalar("SELECT region_code FROM organisations WHERE id = $1")
        .bind(organisation_id)
        .fetch_optional(&mut *conn)
        .await?;
    to_brokers_near(conn, region.as_deref().unwrap_or_default(), notice).await
}

/// Messages to the active brokers whose agency is in the same city (the first four digits of
/// the region code) as `region_code`.
pub async fn to_brokers_near(conn: &mut AnyConnection, region_code: &str, notice: &Notice) -> Result<(), sqlx::Error> {
    let city: String = region_code.chars().take(4).collect();
    if city.chars().count() < 4 {
        return Ok(());
    }
    let users: Vec<String> = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN organisations o ON o.id = u.organisation_id \
         WHERE u.role = 'broker' AND u.status = 'active' AND substr(o.region_code, 1, 4) = $1 ORDER BY u.id",
    )
    .bind(city)
    .fetch_all(&mut *conn)
    .await?;
    to_users(conn, &users, notice, None).await
}

#[cfg(test)]
mod tests {
    use super::Topic;

    #[test]
    fn the_document_lists_every_topic() {
        let document = crate::openapi::document();
        let message = &document["components"]["schemas"]["InboxMessage"]["properties"]["topic"]["enum"];
        let documented: Vec<&str> = message.as_array().expect("enum").iter().filter_map(|t| t.as_str()).collect();
        let topics: Vec<&str> = Topic::ALL.iter().map(|t| t.code()).collect();
        assert_eq!(documented, topics);
    }
}
