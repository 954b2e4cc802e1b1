//! The demo district's 成果对接沙龙 and 联席预谈判: a salon held a month ago (demo accounts
//! signed up and checked in, the agreed demo deal opened there) with public results, one coming
//! next week, a held meeting with minutes on the agreed deal and one scheduled on the deal in
//! pre-negotiation.

use sqlx::AnyConnection;
use time::{Duration, OffsetDateTime, Time};

use crate::domain::time::{SHANGHAI, to_stored};
use crate::inbox::{Notice, Topic, deliver};

/// A Beijing wall-clock time `days` from today.
fn beijing(now: OffsetDateTime, days: i64, hour: u8) -> OffsetDateTime {
    let day = now.to_offset(SHANGHAI).date() + Duration::days(days);
    day.with_time(Time::from_hms(hour, 0, 0).unwrap_or(Time::MIDNIGHT)).assume_offset(SHANGHAI)
}

async fn salon(
    conn: &mut AnyConnection,
    (kind, theme, description, starts, hours, capacity): (&str, &str, &str, OffsetDateTime, i64, i64),
    admin: &str,
    agency: Option<&str>,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let created = to_stored(starts - Duration::days(20));
    sqlx::query(
        "INSERT INTO salons (id, kind, theme, description, starts_at, ends_at, venue, online_url, capacity, confirmed, \
         agency_organisation_id, status, created_by, created_at, updated_at, is_demo) \
         VALUES ($1, $10, $2, $3, $4, $5, '麦积区科技局三楼报告厅', '', $6, 0, $7, 'scheduled', $8, $9, $9, 1)",
    )
    .bind(&id)
    .bind(theme)
    .bind(description)
    .bind(to_stored(starts))
    .bind(to_stored(starts + Duration::hours(hours)))
    .bind(capacity)
    .bind(agency)
    .bind(admin)
    .bind(&created)
    .bind(kind)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

async fn sign_up(
    conn: &mut AnyConnection,
    salon: &str,
    users: &[String],
    at: OffsetDateTime,
    checked_in: Option<OffsetDateTime>,
) -> Result<(), sqlx::Error> {
    for user in users {
        sqlx::query(
            "INSERT INTO salon_signups (salon_id, user_id, status, signed_up_at, updated_at, checked_in_at) VALUES ($1, $2, 'confirmed', $3, $3, $4)",
        )
        .bind(salon)
        .bind(user)
        .bind(to_stored(at))
        .bind(checked_in.map(to_stored))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE salons SET confirmed = $1 WHERE id = $2")
        .bind(users.len() as i64)
        .bind(salon)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Seeds the salons and meetings; returns how many salons.
pub async fn seed(conn: &mut AnyConnection) -> Result<usize, sqlx::Error> {
    let admin: Option<String> =
        sqlx::query_scalar("SELECT id FROM users WHERE is_demo = 1 AND role = 'admin' ORDER BY id LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let Some(admin) = admin else { return Ok(0) };
    let broker: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT id, organisation_id FROM users WHERE is_demo = 1 AND role = 'broker' ORDER BY id LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let agency = broker.as_ref().and_then(|b| b.1.clone());
    let people: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM users WHERE is_demo = 1 AND status = 'active' AND role IN ('researcher', 'enterprise', 'broker') ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let now = OffsetDateTime::now_utc();
    let past_start = beijing(now, -30, 14);
    let past = salon(
        conn,
        (
            "salon",
            "现代农业与食品加工技术成果对接沙龙",
            "推介果品保鲜、农产品精深加工方向的科技成果，企业现场提出技术需求，经纪人现场撮合。",
            past_start,
            3,
            80,
        ),
        &admin,
        agency.as_deref(),
    )
    .await?;
    sign_up(conn, &past, &people, past_start - Duration::days(5), Some(past_start + Duration::minutes(10))).await?;
    let next = salon(
        conn,
        (
            "roadshow",
            "装备制造与新材料项目路演",
            "高校院所团队路演新材料与智能装备成果，欢迎区内制造企业报名参加。",
            beijing(now, 8, 9),
            4,
            60,
        ),
        &admin,
        agency.as_deref(),
    )
    .await?;
    sign_up(conn, &next, &people[..people.len().min(2)], now - Duration::days(1), None).await?;
    for (kind, listing) in [("achievement", "achievements"), ("demand", "demands")] {
        let ids: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT id FROM {listing} WHERE is_demo = 1 AND status = 'published' ORDER BY id LIMIT 3"
        ))
        .fetch_all(&mut *conn)
        .await?;
        for id in ids {
            sqlx::query("INSERT INTO salon_listings (salon_id, kind, listing_id) VALUES ($1, $2, $3)")
                .bind(&next)
                .bind(kind)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
        }
    }
    // The agreed demo deal was matched at the past salon.
    sqlx::query("UPDATE deals SET salon_id = $1 WHERE is_demo = 1 AND stage = 'agreed'")
        .bind(&past)
        .execute(&mut *conn)
        .await?;
    if let Some((broker, _)) = broker {
        meetings(conn, &broker, &admin, now).await?;
    }
    Ok(2)
}

async fn meeting(
    conn: &mut AnyConnection,
    deal: &str,
    (starts, status, outcome, minutes): (OffsetDateTime, &str, &str, &str),
    broker: &str,
    people: &[(String, String, String, &str)],
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO deal_meetings (id, deal_id, title, starts_at, ends_at, place, online_url, agenda, nda_signed, nda_signed_on, \
         minutes, outcome, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, '联席预谈判', $3, $4, '麦积区技术市场洽谈室', '', '1. 成果方介绍技术方案；2. 需求方说明指标；3. 商谈价格与付款方式', \
         1, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(deal)
    .bind(to_stored(starts))
    .bind(to_stored(starts + Duration::minutes(90)))
    .bind((starts - Duration::days(3)).to_offset(SHANGHAI).date().to_string())
    .bind(minutes)
    .bind(outcome)
    .bind(status)
    .bind(broker)
    .bind(to_stored(starts - Duration::days(7)))
    .execute(&mut *conn)
    .await?;
    for (position, (user, name, organisation, side)) in people.iter().enumerate() {
        sqlx::query(
            "INSERT INTO deal_meeting_participants (meeting_id, position, side, name, organisation, user_id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(position as i64)
        .bind(*side)
        .bind(name)
        .bind(organisation)
        .bind(user)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

async fn meetings(conn: &mut AnyConnection, broker: &str, admin: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    // (deal, stage, buyer, seller, title)
    type Row = (String, String, Option<String>, Option<String>, String);
    let deals: Vec<Row> = sqlx::query_as(
        "SELECT id, stage, buyer_organisation_id, seller_organisation_id, title FROM deals WHERE is_demo = 1 AND stage IN ('negotiating', 'agreed') ORDER BY stage",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (deal, stage, buyer, seller, title) in deals {
        let mut people: Vec<(String, String, String, &str)> = Vec::new();
        for (org, side) in [(buyer, "buyer"), (seller, "seller")] {
            let member: Option<(String, String, String)> = sqlx::query_as(
                "SELECT u.id, u.display_name, o.name FROM users u JOIN organisations o ON o.id = u.organisation_id \
                 WHERE u.organisation_id = $1 AND u.status = 'active' ORDER BY u.id LIMIT 1",
            )
            .bind(org.unwrap_or_default())
            .fetch_optional(&mut *conn)
            .await?;
            if let Some((id, name, org_name)) = member {
                people.push((id, name, org_name, side));
            }
        }
        for (user, side) in [(broker, "broker"), (admin, "bureau")] {
            let row: Option<(String, Option<String>)> = sqlx::query_as(
                "SELECT u.display_name, o.name FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1",
            )
            .bind(user)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some((name, org)) = row {
                people.push((user.to_string(), name, org.unwrap_or_else(|| "麦积区科学技术局".into()), side));
            }
        }
        let plan = if stage == "agreed" {
            (
                beijing(now, -20, 9),
                "held",
                "双方同意以技术许可加技术服务方式合作，金额 95 万元，分两期支付。",
                "成果方介绍了技术方案和中试数据；需求方确认指标满足生产线要求。双方商定：许可使用费 80 万元，技术服务费 15 万元。",
            )
        } else {
            (beijing(now, 3, 10), "scheduled", "", "")
        };
        let meeting = meeting(conn, &deal, plan, broker, &people).await?;
        if stage != "agreed" {
            // The invitation the scheduled meeting sent, waiting in the participants' inboxes.
            let invited: Vec<String> = people.iter().map(|p| p.0.clone()).collect();
            let notice = Notice::new(
                Topic::Meeting,
                format!("邀请您参加联席预谈判：{title}"),
                format!("/deals/{deal}/meetings/{meeting}"),
            )
            .with_body(format!("时间：{}\n地点：麦积区技术市场洽谈室", crate::domain::time::chinese_datetime(plan.0)));
            deliver::to_users(conn, &invited, &notice, Some(broker)).await?;
        }
        if stage == "agreed" {
            for (position, (task, owner, days)) in
                [("成果方提交技术许可合同草案", "成果方团队负责人", 7), ("需求方确认付款计划", "需求方技术负责人", 10)]
                    .iter()
                    .enumerate()
            {
                sqlx::query("INSERT INTO deal_meeting_steps (meeting_id, position, task, owner, due_on) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&meeting)
                    .bind(position as i64)
                    .bind(*task)
                    .bind(*owner)
                    .bind((now + Duration::days(*days)).to_offset(SHANGHAI).date().to_string())
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Takes the demo salons out (those no real deal names), with their sign-ups and listings.
pub async fn remove(conn: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    let demo =
        "SELECT id FROM salons WHERE is_demo = 1 AND id NOT IN (SELECT salon_id FROM deals WHERE salon_id IS NOT NULL)";
    for table in ["salon_signups", "salon_listings"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE salon_id IN ({demo})")).execute(&mut *conn).await?;
    }
    Ok(sqlx::query(&format!("DELETE FROM salons WHERE id IN ({demo})")).execute(&mut *conn).await?.rows_affected())
}
