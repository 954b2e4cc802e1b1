//! The demo district's pricing routes: an open 协议定价公示 with an answered objection and an
//! appraisal on record, one closed 无异议, a 挂牌 taking intents, a 竞价 running now (three
//! qualified enterprises, three bids) and one sold ten days ago.

use sqlx::AnyConnection;
use time::{Duration, OffsetDateTime};

use crate::domain::time::{SHANGHAI, to_stored};

fn day(now: OffsetDateTime, days: i64) -> String {
    (now.to_offset(SHANGHAI).date() + Duration::days(days)).to_string()
}

fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// (achievement id, title, team, organisation) of published demo achievements of institutions.
type Listed = (String, String, String, String);

async fn member(conn: &mut AnyConnection, org: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE organisation_id = $1 AND is_demo = 1 ORDER BY id LIMIT 1")
        .bind(org)
        .fetch_optional(conn)
        .await
}

async fn enterprises(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, u.id FROM organisations o JOIN users u ON u.organisation_id = o.id \
         WHERE o.is_demo = 1 AND o.kind = 'enterprise' AND u.is_demo = 1 ORDER BY o.name, u.id",
    )
    .fetch_all(conn)
    .await
}

#[allow(clippy::too_many_arguments)]
async fn notice(
    conn: &mut AnyConnection,
    a: &Listed,
    transferee: (&str, &str),
    price: i64,
    starts: i64,
    status: &str,
    by: &str,
    now: OffsetDateTime,
) -> Result<String, sqlx::Error> {
    let notice = id();
    sqlx::query(
        "INSERT INTO pricing_notices (id, series_id, version_no, achievement_id, organisation_id, title, team, transferee, \
         transferee_organisation_id, transfer_mode, price_fen, starts_on, ends_on, contact, statement, published_by, \
         published_at, status, closed_at, closed_by, is_demo) \
         VALUES ($1, $1, 1, $2, $3, $4, $5, $6, $7, 'transfer', $8, $9, $10, '成果转化办公室 0938-8211001', \
         '拟交易价格依资产评估结果，经双方协商确定。', $11, $12, $13, $14, $15, 1)",
    )
    .bind(&notice)
    .bind(&a.0)
    .bind(&a.3)
    .bind(&a.1)
    .bind(if a.2.is_empty() { "成果完成团队" } else { a.2.as_str() })
    .bind(transferee.1)
    .bind(transferee.0)
    .bind(price)
    .bind(day(now, starts))
    .bind(day(now, starts + 14))
    .bind(by)
    .bind(to_stored(now + Duration::days(starts)))
    .bind(status)
    .bind((status != "open").then(|| to_stored(now + Duration::days(starts + 16))))
    .bind((status != "open").then_some(by))
    .execute(conn)
    .await?;
    Ok(notice)
}

/// Seeds the routes; returns how many rows of note (notices, offerings, auctions) were written.
pub async fn seed(conn: &mut AnyConnection) -> Result<usize, sqlx::Error> {
    let public = crate::listings::status::public_sql(crate::listings::Kind::Achievement);
    let listed: Vec<Listed> = sqlx::query_as(&format!(
        "SELECT a.id, a.title, a.team, a.organisation_id FROM achievements a JOIN organisations o ON o.id = a.organisation_id \
         WHERE a.is_demo = 1 AND o.kind = 'institution' AND a.status IN ({public}) ORDER BY a.title LIMIT 5"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let buyers = enterprises(conn).await?;
    let names: Vec<String> = {
        let mut names = Vec::new();
        for (org, _) in &buyers {
            names.push(
                sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
                    .bind(org)
                    .fetch_one(&mut *conn)
                    .await?,
            );
        }
        names
    };
    let broker: Option<(String, String)> =
        sqlx::query_as("SELECT id, organisation_id FROM users WHERE is_demo = 1 AND role = 'broker' AND organisation_id IS NOT NULL LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let ([a, b, c, d, e], true, Some((broker, agency))) =
        (<[Listed; 5]>::try_from(listed).ok().unwrap_or_default(), buyers.len() >= 3, broker)
    else {
        return Ok(0);
    };
    let now = OffsetDateTime::now_utc();
    let Some(seller) = member(conn, &a.3).await? else { return Ok(0) };
    // 资产评估 on record, then the open 公示 priced on it, with one objection answered.
    sqlx::query(
        "INSERT INTO achievement_appraisals (id, achievement_id, agency, report_no, appraised_on, method, value_fen, valid_until, \
         created_by, created_at, is_demo) VALUES ($1, $2, '甘肃中天资产评估有限公司', '甘中天评报字〔2026〕第 118 号', $3, 'income', 92500000, $4, $5, $6, 1)",
    )
    .bind(id())
    .bind(&a.0)
    .bind(day(now, -40))
    .bind(day(now, 325))
    .bind(&seller)
    .bind(to_stored(now - Duration::days(35)))
    .execute(&mut *conn)
    .await?;
    let open = notice(conn, &a, (&buyers[0].0, &names[0]), 85_000_000, -3, "open", &seller, now).await?;
    sqlx::query(
        "INSERT INTO pricing_notice_objections (id, notice_id, user_id, reasons, filed_at, answer, answered_by, answered_at) \
         VALUES ($1, $2, $3, '拟交易价格低于评估值，请说明差额原因及是否经单位集体决策。', $4, \
         '拟交易价格较评估值低 8.1%，系受让方承担后续中试费用所致，已经本单位成果转化领导小组会议审议通过。', $5, $6)",
    )
    .bind(id())
    .bind(&open)
    .bind(&buyers[1].1)
    .bind(to_stored(now - Duration::days(2)))
    .bind(&seller)
    .bind(to_stored(now - Duration::days(1)))
    .execute(&mut *conn)
    .await?;
    if let Some(seller_b) = member(conn, &b.3).await? {
        notice(conn, &b, (&buyers[2].0, &names[2]), 46_000_000, -30, "closed_clear", &seller_b, now).await?;
    }
    // 挂牌 taking intents, one registered.
    let offering = id();
    sqlx::query(
        "INSERT INTO offerings (id, achievement_id, organisation_id, title, price_fen, increment_fen, conditions, starts_at, ends_at, \
         status, created_by, created_at, is_demo) VALUES ($1, $2, $3, $4, 120000000, 5000000, \
         '注册地在甘肃省内、具备产业化条件的制造业企业；须承诺两年内实施转化。', $5, $6, 'open', $7, $5, 1)",
    )
    .bind(&offering)
    .bind(&e.0)
    .bind(&e.3)
    .bind(&e.1)
    .bind(to_stored(now - Duration::days(8)))
    .bind(to_stored(now + Duration::days(12)))
    .bind(member(conn, &e.3).await?.unwrap_or_else(|| seller.clone()))
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO offering_intents (offering_id, organisation_id, user_id, statement, registered_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&offering)
        .bind(&buyers[1].0)
        .bind(&buyers[1].1)
        .bind("已建成中试车间，计划一年内实现量产。")
        .bind(to_stored(now - Duration::days(2)))
        .execute(&mut *conn)
        .await?;
    // A 竞价 running now and one sold ten days ago.
    let running = (&c, now - Duration::hours(1), now + Duration::hours(30), 50_000_000, 2_000_000, Some(60_000_000i64));
    let sold = (&d, now - Duration::days(11), now - Duration::days(10), 30_000_000, 1_000_000, None);
    let plans = [
        (running, [(0usize, 50_000_000i64), (1, 52_000_000), (0, 56_000_000)]),
        (sold, [(1, 30_000_000), (2, 31_000_000), (1, 34_000_000)]),
    ];
    for ((listing, starts, ends, opening, increment, reserve), bids) in plans {
        let auction = id();
        let finished = ends < now;
        let last = bids[bids.len() - 1];
        sqlx::query(
            "INSERT INTO auctions (id, achievement_id, seller_organisation_id, agency_organisation_id, title, rules, opening_price_fen, \
             increment_fen, reserve_fen, starts_at, scheduled_end_at, ends_at, extend_minutes, current_price_fen, leader_organisation_id, \
             bid_count, status, settled_at, created_by, created_at, is_demo) \
             VALUES ($1, $2, $3, $4, $5, '竞买人须缴纳保证金 5 万元；成交后 30 日内签订技术转让合同并付清价款。', $6, $7, $8, $9, $10, $10, 5, \
             $11, $12, $13, $14, $15, $16, $17, 1)",
        )
        .bind(&auction)
        .bind(&listing.0)
        .bind(&listing.3)
        .bind(&agency)
        .bind(&listing.1)
        .bind(opening)
        .bind(increment)
        .bind(reserve)
        .bind(to_stored(starts))
        .bind(to_stored(ends))
        .bind(last.1)
        .bind(&buyers[last.0].0)
        .bind(bids.len() as i64)
        .bind(if finished { "sold" } else { "open" })
        .bind(finished.then(|| to_stored(ends)))
        .bind(&broker)
        .bind(to_stored(starts - Duration::days(7)))
        .execute(&mut *conn)
        .await?;
        for (number, (org, _)) in buyers.iter().take(3).enumerate() {
            sqlx::query(
                "INSERT INTO auction_bidders (auction_id, organisation_id, number, approved_by, approved_at, note) VALUES ($1, $2, $3, $4, $5, '保证金已到账')",
            )
            .bind(&auction)
            .bind(org)
            .bind(number as i64 + 1)
            .bind(&broker)
            .bind(to_stored(starts - Duration::days(1)))
            .execute(&mut *conn)
            .await?;
        }
        for (seq, (who, amount)) in bids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO auction_bids (auction_id, seq, organisation_id, user_id, amount_fen, placed_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&auction)
            .bind(seq as i64 + 1)
            .bind(&buyers[*who].0)
            .bind(&buyers[*who].1)
            .bind(amount)
            .bind(to_stored(starts + Duration::minutes(7 * (seq as i64 + 1))))
            .bind(to_stored(ends))
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(5)
}

/// Takes the demo routes out (and whatever real accounts did on demo auctions and offerings).
pub async fn remove(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let auctions = "SELECT id FROM auctions WHERE is_demo = 1";
    for table in ["auction_bids", "auction_bidders"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE auction_id IN ({auctions})")).execute(&mut *conn).await?;
    }
    sqlx::query("DELETE FROM auctions WHERE is_demo = 1").execute(&mut *conn).await?;
    let offerings = "SELECT id FROM offerings WHERE is_demo = 1 AND id NOT IN (SELECT offering_id FROM auctions WHERE offering_id IS NOT NULL)";
    sqlx::query(&format!("DELETE FROM offering_intents WHERE offering_id IN ({offerings})"))
        .execute(&mut *conn)
        .await?;
    sqlx::query(&format!("DELETE FROM offerings WHERE id IN ({offerings})")).execute(&mut *conn).await?;
    let notices = "SELECT id FROM pricing_notices WHERE is_demo = 1";
    sqlx::query(&format!("DELETE FROM pricing_notice_objections WHERE notice_id IN ({notices})"))
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM pricing_notices WHERE is_demo = 1").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM achievement_appraisals WHERE is_demo = 1").execute(&mut *conn).await?;
    Ok(())
}
