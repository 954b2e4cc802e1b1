//! `techmarket bench bids`: concurrent bidders against one auction on a fresh database (the demo
//! district plus N bidding enterprises), each bid through the same service call the API makes
//! (one write transaction: lock, judge, append, audit, outbid message). Reports accepted bids/s,
//! refusals (races lost to a higher bid) and the acceptance latency, then proves the outcome:
//! the sequence has no gap and rises by at least the increment each time, the auction's price,
//! leader and count equal the last bid, and settling it names the last bidder the winner. Then
//! `bench::watchers` measures the live stream with the server listening (`cli::bench_bids`
//! assembles the two around a served app).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::load::percentile;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::money::Fen;
use crate::domain::time::{now_stored, to_stored};
use crate::trading::auctions::bidding::{self, BidInput};
use crate::trading::auctions::{live::Hub, settle, store, view};
use crate::web::request_state::{AuthVia, CurrentUser};

/// What to run.
#[derive(Debug, Clone)]
pub struct BidOptions {
    pub bidders: usize,
    pub duration: Duration,
    /// Each bidder's pause between attempts: uniform in 0..2×think (0 = none, a stress test).
    pub think: Duration,
    pub watchers: usize,
    pub database_url: Option<String>,
    pub workdir: Option<std::path::PathBuf>,
}

fn person(id: &str, org: &str, role: Role) -> CurrentUser {
    CurrentUser {
        id: id.to_string(),
        display_name: "bench".into(),
        role,
        role_label: role.label(),
        status: AccountStatus::Active,
        status_label: AccountStatus::Active.label(),
        organisation_id: Some(org.to_string()),
        organisation_name: None,
        is_admin: role == Role::Admin,
        via: AuthVia::Token,
    }
}

/// N bidding enterprises, each with one approved member: (organisation, user).
async fn bidders(db: &Db, count: usize) -> Result<Vec<(String, String)>, sqlx::Error> {
    let mut out = Vec::new();
    let now = now_stored();
    let mut tx = db.begin_write().await?;
    for n in 0..count {
        let (org, user) = (uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string());
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, nature_code, region_code, created_at, updated_at) \
             VALUES ($1, $2, 'enterprise', 'enterprise_private', '620503', $3, $3)",
        )
        .bind(&org)
        .bind(format!("竞价压测企业 {:03}-{}", n + 1, &org[org.len() - 6..]))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO users (id, display_name, email, password_hash, role, status, organisation_id, created_at, updated_at) \
             VALUES ($1, $2, $3, '!', 'enterprise', 'active', $4, $5, $5)",
        )
        .bind(&user)
        .bind(format!("竞买代表 {:03}", n + 1))
        .bind(format!("bidder{n}-{}@bench.techmarket.example.cn", &user[user.len() - 8..]))
        .bind(&org)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        out.push((org, user));
    }
    tx.commit().await?;
    Ok(out)
}

/// Creates the auction (running now, ending in an hour) and qualifies every bidder.
pub async fn auction(db: &Db, count: usize) -> Result<(String, Vec<(String, String)>), String> {
    let failed = |e: sqlx::Error| e.to_string();
    let (admin, listing): (String, String) = sqlx::query_as(
        "SELECT (SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1), \
         (SELECT a.id FROM achievements a JOIN organisations o ON o.id = a.organisation_id \
          WHERE o.kind = 'institution' AND a.status = 'published' ORDER BY a.id LIMIT 1)",
    )
    .fetch_one(db.pool())
    .await
    .map_err(|e| format!("演示数据中找不到管理员或已发布成果：{e}"))?;
    let admin = person(&admin, "", Role::Admin);
    let caller = Caller { user: &admin, ip: "127.0.0.1" };
    let now = OffsetDateTime::now_utc();
    let input = crate::trading::auctions::model::AuctionInput {
        achievement_id: Some(listing),
        opening_price: Some("10".into()),
        increment: Some("0.01".into()),
        starts_at: Some(to_stored(now)),
        ends_at: Some(to_stored(now + time::Duration::hours(1))),
        extend_minutes: Some(5),
        ..Default::default()
    };
    let id = crate::trading::auctions::service::create(db, &caller, &input).await.map_err(|e| format!("{e:?}"))?;
    let people = bidders(db, count).await.map_err(failed)?;
    let mut tx = db.begin_write().await.map_err(failed)?;
    for (org, _) in &people {
        store::add_bidder(&mut tx, &id, org, &admin.id, "压测").await.map_err(failed)?;
    }
    tx.commit().await.map_err(failed)?;
    Ok((id, people))
}

/// One bidder's loop: read the price, bid the minimum, until `until`. Returns (accepted
/// latencies in µs, refusals).
pub async fn bid_loop(
    db: Db,
    hub: Hub,
    auction: String,
    (org, user): (String, String),
    until: Instant,
    pause: Duration,
    accepted_at: Arc<Mutex<Vec<(i64, Instant)>>>,
) -> Result<(Vec<u64>, u64), String> {
    let me = person(&user, &org, Role::Enterprise);
    let caller = Caller { user: &me, ip: "127.0.0.1" };
    let (mut latencies, mut refused) = (Vec::new(), 0);
    while Instant::now() < until {
        let row = store::find(&db, &auction).await.map_err(|e| e.to_string())?.ok_or("竞价不存在")?;
        let next = row.current_price_fen.map_or(row.opening_price_fen, |c| c + row.increment_fen);
        let input = BidInput { amount: Some(format!("{}元", Fen(next).yuan_exact())) };
        let started = Instant::now();
        match bidding::place(&db, &caller, &auction, &input, OffsetDateTime::now_utc()).await {
            Ok(accepted) => {
                latencies.push(started.elapsed().as_micros() as u64);
                accepted_at.lock().unwrap_or_else(|e| e.into_inner()).push((accepted.seq, Instant::now()));
                hub.publish(view::bid_event(&accepted));
            }
            Err(crate::error::FormFailure::Other(e)) if e.code == crate::error::ErrorCode::BidTooLow => refused += 1,
            Err(other) => return Err(format!("出价失败：{other:?}")),
        }
        if !pause.is_zero() {
            // Uniform in 0..2×pause: bidders do not move in step.
            let jitter = rand::random::<f64>() * 2.0;
            tokio::time::sleep(pause.mul_f64(jitter)).await;
        }
    }
    Ok((latencies, refused))
}

/// The bidding phase: `bidders` tasks for `duration`; prints the figures and the proof.
pub async fn race(
    db: &Db,
    hub: &Hub,
    auction: &str,
    people: &[(String, String)],
    duration: Duration,
    think: Duration,
) -> Result<(), String> {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let until = Instant::now() + duration;
    let accepted_at = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = people
        .iter()
        .map(|p| {
            tokio::spawn(bid_loop(
                db.clone(),
                hub.clone(),
                auction.to_string(),
                p.clone(),
                until,
                think,
                accepted_at.clone(),
            ))
        })
        .collect();
    let (mut latencies, mut refused) = (Vec::new(), 0);
    for task in tasks {
        let (l, r) = task.await.map_err(|e| e.to_string())??;
        latencies.extend(l);
        refused += r;
    }
    latencies.sort_unstable();
    let seconds = duration.as_secs_f64();
    println!(
        "出价：{} 个竞买人并发 {:.0} 秒，每次出价间隔 0–{} ms（{}，开始时负载 {}）",
        people.len(),
        seconds,
        think.as_millis() * 2,
        db.backend().name(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!(
        "  接受 {} 次（{:.1} 次/秒），因他人更高出价被拒 {} 次；接受耗时 p50 {:.2} ms，p99 {:.2} ms，最长 {:.2} ms",
        latencies.len(),
        latencies.len() as f64 / seconds,
        refused,
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(0) as f64 / 1000.0
    );
    prove(db, auction, latencies.len() as i64).await
}

/// The sequence rises by at least the increment, without gaps; the row agrees; the last bid wins.
async fn prove(db: &Db, auction: &str, accepted: i64) -> Result<(), String> {
    let failed = |e: sqlx::Error| e.to_string();
    let rows: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT seq, amount_fen, organisation_id FROM auction_bids WHERE auction_id = $1 ORDER BY seq")
            .bind(auction)
            .fetch_all(db.pool())
            .await
            .map_err(failed)?;
    let row = store::find(db, auction).await.map_err(failed)?.ok_or("竞价不存在")?;
    let mut problems = Vec::new();
    if rows.len() as i64 != accepted || row.bid_count != accepted {
        problems.push(format!("出价记录 {} 条、计数 {}，接受 {accepted} 次", rows.len(), row.bid_count));
    }
    for pair in rows.windows(2) {
        if pair[1].0 != pair[0].0 + 1 || pair[1].1 < pair[0].1 + row.increment_fen {
            problems.push(format!("第 {} 与第 {} 次出价不符合规则", pair[0].0, pair[1].0));
        }
    }
    let last = rows.last().cloned().ok_or("没有出价")?;
    if row.current_price_fen != Some(last.1) || row.leader_organisation_id.as_deref() != Some(last.2.as_str()) {
        problems.push("竞价当前价或领先者与最后一次出价不一致".into());
    }
    sqlx::query("UPDATE auctions SET starts_at = $1, scheduled_end_at = $2, ends_at = $2 WHERE id = $3")
        .bind(to_stored(OffsetDateTime::now_utc() - time::Duration::hours(2)))
        .bind(to_stored(OffsetDateTime::now_utc() - time::Duration::seconds(1)))
        .bind(auction)
        .execute(db.pool())
        .await
        .map_err(failed)?;
    settle::one(db, auction, OffsetDateTime::now_utc()).await.map_err(|e| e.message)?;
    let settled = store::find(db, auction).await.map_err(failed)?.ok_or("竞价不存在")?;
    if settled.status != "sold" || settled.leader_organisation_id.as_deref() != Some(last.2.as_str()) {
        problems.push(format!("结算结果 {}，竞得者不是最后一次有效出价者", settled.status));
    }
    if problems.is_empty() {
        println!(
            "  验证通过：{} 次出价序号连续、每次至少加价一个幅度，成交价 {} 为最后一次有效出价，竞得者即其出价人",
            rows.len(),
            Fen(last.1).format_wan()
        );
        Ok(())
    } else {
        Err(format!("验证失败：\n{}", problems.join("\n")))
    }
}
