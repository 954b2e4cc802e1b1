//! `techmarket bench contracts --count N`: registered contracts for the goal dashboard, written by
//! a documented bulk path (docs/CONTRACTS.md): multi-row inserts of sealed revisions and their
//! registration records, with the summary rows of each batch added in the batch's own transaction
//! (so `contract_totals` stays equal to a recomputation) and one audit event per batch. Then the
//! goal report is built a few times and its server time printed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;
use time::Duration as Days;

use super::import::{bar, owner};
use crate::audit::{self, NewAuditEvent};
use crate::config::Settings;
use crate::contracts::totals::{self, TotalsRow};
use crate::db::{Db, values_tuples};
use crate::domain::forms::date_text;
use crate::domain::time::{now_stored, today_shanghai};

/// Contracts per transaction.
const BATCH: usize = 1_000;

/// A reproducible generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below.max(1)
    }
}

const TYPES: [(&str, &str); 8] = [
    ("development", "commissioned_development"),
    ("development", "cooperative_development"),
    ("transfer", "patent_transfer"),
    ("transfer", "know_how_transfer"),
    ("licence", "ordinary_patent_licence"),
    ("consulting", "consulting"),
    ("service", "service"),
    ("service", "training"),
];
const FIELDS: [&str; 6] =
    ["advanced_manufacturing", "agriculture", "biomedical", "new_materials", "electronic_information", "environment"];
const REGIONS: [&str; 5] = ["620503", "620503", "620502", "620521", "620100"];
const BUYER_NATURES: [&str; 4] = ["enterprise_private", "enterprise_state", "enterprise_collective", "public_research"];

const CONTRACT_COLUMNS: &str = "id, seller_organisation_id, created_by, status, submissions, accepted_on, review_days, due_on, \
     registration_no, registered_at, registered_on, decided_by, created_at, updated_at";
const REVISION_COLUMNS: &str = "contract_id, revision_no, sealed, reason, created_by, created_at, contract_type, subtype, title, \
     subject, seller_name, seller_nature, seller_region, buyer_name, buyer_nature, buyer_region, signed_on, technical_field, \
     ip_type, payment_mode, total_fen, equipment_fen, technology_fen, written, signed_by_parties";

/// (dimension, month, seller region, buyer region, value) of a summary row.
type SummaryKey = (String, String, String, String, String);

struct Generated {
    id: String,
    registered_on: String,
    kind: (&'static str, &'static str),
    field: &'static str,
    seller_region: &'static str,
    buyer_region: &'static str,
    buyer_nature: &'static str,
    total: i64,
    equipment: i64,
}

/// Writes `count` registered contracts (none with `--count 0`) and reports rates and the goal
/// report's server time.
pub async fn run(db: &Db, settings: &Settings, count: u64, seed: u64) -> Result<(), String> {
    let today = today_shanghai();
    if count > 0 {
        generate(db, count, seed).await?;
    }
    // Fresh statistics, as `serve` gathers at start and hourly (and autovacuum on PostgreSQL):
    // without them the planners do not know which index is worth walking.
    db.refresh_statistics().await.map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let report = crate::stats::report::build(db, settings, today.year(), today).await.map_err(|e| e.to_string())?;
        times.push(t.elapsed());
        std::hint::black_box(report);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "目标报告（{} 年，全部分解与最大合同）服务端用时：最短 {:.1} ms，中位 {:.1} ms，最长 {:.1} ms",
        today.year(),
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
    super::lists::run(db, settings).await
}

async fn generate(db: &Db, count: u64, seed: u64) -> Result<(), String> {
    let (org, user) = owner(db).await?;
    let org_name: String = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(&org)
        .fetch_one(db.pool())
        .await
        .map_err(|e| e.to_string())?;
    let today = today_shanghai();
    let first_day =
        time::Date::from_calendar_date(today.year() - 1, time::Month::January, 1).map_err(|e| e.to_string())?;
    let span = (today - first_day).whole_days().max(1) as u64;
    let run_tag = uuid::Uuid::now_v7().simple().to_string();
    let mut rng = Lcg(seed);
    let progress = bar("生成已登记技术合同");
    let started = Instant::now();
    let mut written = 0u64;
    while written < count {
        let n = (count - written).min(BATCH as u64) as usize;
        let batch: Vec<Generated> = (0..n)
            .map(|_| {
                let day = first_day + Days::days(rng.next(span + 1) as i64);
                let total = 1_000_000 + rng.next(300_000_000) as i64;
                Generated {
                    id: uuid::Uuid::now_v7().to_string(),
                    registered_on: date_text(day),
                    kind: TYPES[rng.next(TYPES.len() as u64) as usize],
                    field: FIELDS[rng.next(FIELDS.len() as u64) as usize],
                    seller_region: REGIONS[rng.next(3) as usize],
                    buyer_region: REGIONS[rng.next(REGIONS.len() as u64) as usize],
                    buyer_nature: BUYER_NATURES[rng.next(BUYER_NATURES.len() as u64) as usize],
                    total,
                    equipment: rng.next((total / 3) as u64) as i64,
                }
            })
            .collect();
        write_batch(db, &org, &org_name, &user, &run_tag, written, &batch)
            .await
            .map_err(|e| format!("写入失败：{e}"))?;
        written += n as u64;
        progress.set_position(written);
    }
    progress.finish_and_clear();
    let elapsed = started.elapsed();
    println!(
        "已写入 {written} 份已登记合同，用时 {:.1} 秒，{:.0} 份/秒",
        elapsed.as_secs_f64(),
        written as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}

async fn write_batch(
    db: &Db,
    org: &str,
    org_name: &str,
    user: &str,
    run_tag: &str,
    offset: u64,
    batch: &[Generated],
) -> Result<(), sqlx::Error> {
    let now = now_stored();
    let mut tx = db.begin_write().await?;
    for (chunk_index, chunk) in batch.chunks(40).enumerate() {
        let sql = format!("INSERT INTO contracts ({CONTRACT_COLUMNS}) VALUES {}", values_tuples(chunk.len(), 14));
        let mut query = sqlx::query(&sql);
        for (i, g) in chunk.iter().enumerate() {
            let number = offset + (chunk_index * 40 + i) as u64;
            query = query
                .bind(g.id.clone())
                .bind(org.to_string())
                .bind(user.to_string())
                .bind("registered")
                .bind(1_i64)
                .bind(g.registered_on.clone())
                .bind(15_i64)
                .bind(g.registered_on.clone())
                .bind(format!("BENCH-{run_tag}-{number}"))
                .bind(format!("{}T04:00:00.000000Z", g.registered_on))
                .bind(g.registered_on.clone())
                .bind(user.to_string())
                .bind(now.clone())
                .bind(now.clone());
        }
        query.execute(&mut *tx).await?;
    }
    for chunk in batch.chunks(8) {
        let sql =
            format!("INSERT INTO contract_revisions ({REVISION_COLUMNS}) VALUES {}", values_tuples(chunk.len(), 25));
        let mut query = sqlx::query(&sql);
        for g in chunk {
            query = query
                .bind(g.id.clone())
                .bind(1_i64)
                .bind(1_i64)
                .bind("")
                .bind(user.to_string())
                .bind(now.clone())
                .bind(g.kind.0)
                .bind(g.kind.1)
                .bind(format!("基准技术合同（{}）", g.field))
                .bind("基准数据：由 techmarket bench contracts 生成的已登记技术合同，用于测量统计页面速度。")
                .bind(org_name.to_string())
                .bind("public_research")
                .bind(g.seller_region)
                .bind("基准买方企业")
                .bind(g.buyer_nature)
                .bind(g.buyer_region)
                .bind(g.registered_on.clone())
                .bind(g.field)
                .bind("invention_patent")
                .bind("lump_sum")
                .bind(g.total)
                .bind(g.equipment)
                .bind(g.total - g.equipment)
                .bind(1_i64)
                .bind(1_i64);
        }
        query.execute(&mut *tx).await?;
    }
    // The batch's summary rows, summed before writing.
    let mut sums: BTreeMap<SummaryKey, (i64, i64, i64)> = BTreeMap::new();
    for g in batch {
        let month: String = g.registered_on.chars().take(7).collect();
        let values = [g.kind.0, g.kind.1, g.field, "public_research", g.buyer_nature, "", "", ""];
        let mut rows = vec![("all", String::new()), ("day", g.registered_on.clone())];
        rows.extend(totals::DIMENSIONS.iter().zip(values).map(|((name, _), v)| (*name, v.to_string())));
        for (dimension, value) in rows {
            let key =
                (dimension.to_string(), month.clone(), g.seller_region.to_string(), g.buyer_region.to_string(), value);
            let entry = sums.entry(key).or_default();
            entry.0 += 1;
            entry.1 += g.total;
            entry.2 += g.total - g.equipment;
        }
    }
    let rows: Vec<TotalsRow> = sums
        .into_iter()
        .map(|((dimension, month, seller_region, buyer_region, value), (contracts, total_fen, technology_fen))| {
            TotalsRow { dimension, month, seller_region, buyer_region, value, contracts, total_fen, technology_fen }
        })
        .collect();
    totals::add_rows(&mut tx, &rows).await?;
    let details = json!({"count": batch.len(), "first": batch.first().map(|g| g.id.clone()), "last": batch.last().map(|g| g.id.clone())});
    audit::append(
        &mut tx,
        db.backend(),
        &NewAuditEvent::system("bench.contracts_generated", "contract", run_tag, details),
    )
    .await?;
    tx.commit().await
}
