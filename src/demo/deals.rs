//! The demo district's 对接项目: the demo broker's deals at different stages (one gone quiet, one
//! closed, one agreed), each pairing a demo demand with an achievement of the same field, with a
//! backdated timeline of steps and notes, so the broker's workspace is alive on first start.

use sqlx::AnyConnection;

use crate::domain::time::to_stored;

/// A step of a demo deal: the stage it moved to (empty for a note), the words, private or not.
type Step = (&'static str, &'static str, bool);

/// (stage, days since opened, days since the last step, steps taken with their notes)
const DEALS: &[(&str, i64, i64, &[Step])] = &[
    ("lead", 2, 2, &[]),
    ("contacted", 30, 18, &[("contacted", "已电话联系需求方技术负责人，对方希望先看检测报告。", false)]),
    (
        "negotiating",
        45,
        3,
        &[
            ("contacted", "双方同意在区技术市场进行联席预谈判。", false),
            ("negotiating", "第一次联席预谈判：确定现场试验方案，保密协议已签署。", false),
            ("", "内部：需求方预算约 80 万元，成果方报价 120 万元，需要协调分期付款。", true),
        ],
    ),
    (
        "agreed",
        60,
        6,
        &[
            ("contacted", "已约见成果方团队负责人。", false),
            ("negotiating", "联席预谈判两次，双方对技术指标达成一致。", false),
            ("agreed", "达成意向：技术许可加技术服务，金额 95 万元。下一步起草合同。", false),
        ],
    ),
    ("lost", 90, 40, &[("contacted", "已联系双方。", false), ("lost", "需求方今年暂缓技改投入。", false)]),
];

/// Seeds the deals; returns how many.
pub async fn seed(conn: &mut AnyConnection) -> Result<usize, sqlx::Error> {
    let broker: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT id, organisation_id FROM users WHERE is_demo = 1 AND role = 'broker' ORDER BY id LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some((broker, agency)) = broker else { return Ok(0) };
    let demands: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, title, organisation_id, technical_field FROM demands WHERE is_demo = 1 AND status IN ('published', 'in_talks') \
         ORDER BY title, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let achievements: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, organisation_id, technical_field FROM achievements WHERE is_demo = 1 AND status IN ('published', 'negotiating') \
         ORDER BY title, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let now = time::OffsetDateTime::now_utc();
    let mut seeded = 0;
    for ((stage, opened_days, quiet_days, steps), (demand, title, buyer, field)) in DEALS.iter().zip(&demands) {
        let achievement = achievements.iter().find(|a| &a.2 == field).or(achievements.first());
        let Some((achievement, seller, _)) = achievement else { break };
        let id = uuid::Uuid::now_v7().to_string();
        let opened = now - time::Duration::days(*opened_days);
        let last = now - time::Duration::days(*quiet_days);
        let (lost_from, lost_reason) =
            if *stage == "lost" { (Some("contacted"), Some("funding")) } else { (None, None) };
        let amount: Option<i64> = (*stage == "agreed").then_some(95_000_000);
        sqlx::query(
            "INSERT INTO deals (id, title, summary, demand_id, buyer_organisation_id, seller_organisation_id, broker_user_id, \
             agency_organisation_id, stage, lost_from, lost_reason, agreed_amount_fen, created_by, created_at, updated_at, \
             stage_changed_at, last_step_at, is_demo) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $15, 1)",
        )
        .bind(&id)
        .bind(format!("{title}·对接"))
        .bind("演示项目：经纪人把技术需求与同领域的科技成果对接。")
        .bind(demand)
        .bind(buyer)
        .bind(seller)
        .bind(&broker)
        .bind(&agency)
        .bind(stage)
        .bind(lost_from)
        .bind(lost_reason)
        .bind(amount)
        .bind(&broker)
        .bind(to_stored(opened))
        .bind(to_stored(last))
        .execute(&mut *conn)
        .await?;
        sqlx::query("INSERT INTO deal_achievements (deal_id, achievement_id) VALUES ($1, $2)")
            .bind(&id)
            .bind(achievement)
            .execute(&mut *conn)
            .await?;
        let answered = *stage != "lead";
        for (side, org) in [("buyer", buyer), ("seller", seller)] {
            sqlx::query(
                "INSERT INTO deal_parties (deal_id, organisation_id, side, status, invited_at, answered_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(org)
            .bind(side)
            .bind(if answered { "accepted" } else { "invited" })
            .bind(to_stored(opened))
            .bind(answered.then(|| to_stored(opened + time::Duration::days(1))))
            .execute(&mut *conn)
            .await?;
        }
        let mut timeline = vec![("opened", Some("lead"), "创建项目（演示）".to_string(), false, opened)];
        let span = (*opened_days - *quiet_days).max(1);
        for (index, (to, note, private)) in steps.iter().enumerate() {
            let at = if index + 1 == steps.len() {
                last
            } else {
                opened + time::Duration::days(span * (index as i64 + 1) / (steps.len() as i64 + 1))
            };
            let kind = if to.is_empty() { "note" } else { "stage" };
            timeline.push((kind, (!to.is_empty()).then_some(*to), note.to_string(), *private, at));
        }
        let mut from: Option<&str> = None;
        for (kind, to, body, private, at) in timeline {
            sqlx::query(
                "INSERT INTO deal_events (id, deal_id, occurred_at, actor_user_id, kind, from_stage, to_stage, reason, body, visibility) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&id)
            .bind(to_stored(at))
            .bind(&broker)
            .bind(kind)
            .bind(if kind == "stage" { from } else { None })
            .bind(to)
            .bind(if to == Some("lost") { "资金未落实" } else { "" })
            .bind(body)
            .bind(if private { "private" } else { "shared" })
            .execute(&mut *conn)
            .await?;
            if to.is_some() {
                from = to;
            }
        }
        seeded += 1;
    }
    Ok(seeded)
}

/// Takes the demo deals out (those no contract names), with everything recorded about them.
pub async fn remove(conn: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    let demo = "SELECT id FROM deals WHERE is_demo = 1 AND id NOT IN (SELECT deal_id FROM contracts WHERE deal_id IS NOT NULL)";
    let meetings = format!("SELECT id FROM deal_meetings WHERE deal_id IN ({demo})");
    for table in ["deal_meeting_participants", "deal_meeting_steps"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE meeting_id IN ({meetings})")).execute(&mut *conn).await?;
    }
    sqlx::query(&format!("DELETE FROM deal_meetings WHERE deal_id IN ({demo})")).execute(&mut *conn).await?;
    for table in ["deal_events", "deal_parties", "deal_achievements"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE deal_id IN ({demo})")).execute(&mut *conn).await?;
    }
    Ok(sqlx::query(&format!("DELETE FROM deals WHERE id IN ({demo})")).execute(&mut *conn).await?.rows_affected())
}
