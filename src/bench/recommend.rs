//! `techmarket bench recommend`: server time of recommendations against the configured database
//! and index (e.g. after `bench import` of the full corpus) — for demands (achievements that fit)
//! and for achievements (demands that fit, enterprises) — with p50/p95/p99/max, the machine's load
//! and the index's segments printed beside the figures.

use std::time::{Duration, Instant};

use crate::db::Db;
use crate::matching::service;
use crate::search::Search;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn report(label: &str, mut times: Vec<Duration>, empty: usize) {
    times.sort();
    println!(
        "{label}：{} 次，p50 {:.2} ms · p95 {:.2} ms · p99 {:.2} ms · 最大 {:.2} ms（无推荐 {empty} 次）",
        times.len(),
        percentile(&times, 0.50),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        times.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0),
    );
}

async fn sample(db: &Db, table: &str, statuses: &str, count: usize) -> Result<Vec<String>, String> {
    // Spread over the whole table: every n-th public row by id.
    let sql = format!("SELECT id FROM {table} WHERE status IN ({statuses}) ORDER BY id");
    let all: Vec<String> = sqlx::query_scalar(&sql).fetch_all(db.pool()).await.map_err(|e| e.to_string())?;
    let step = (all.len() / count.max(1)).max(1);
    Ok(all.into_iter().step_by(step).take(count).collect())
}

/// Times `count` recommendations each way (after a warm-up of five).
pub async fn run(db: &Db, index_dir: &std::path::Path, count: usize) -> Result<(), String> {
    let search = Search::start(db, index_dir).await.map_err(|e| e.to_string())?;
    let generation = search.generation();
    let docs = generation.reader.searcher().num_docs();
    let segments = generation.index.searchable_segment_ids().map(|s| s.len()).unwrap_or(0);
    drop(generation);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "索引：{docs} 篇，{segments} 个段；数据库 {}；开始时负载 {}",
        db.backend().name(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    let demands = sample(db, "demands", "'published', 'in_talks'", count).await?;
    let achievements = sample(db, "achievements", "'published', 'negotiating'", count).await?;
    for (label, ids, is_demand) in
        [("需求 → 推荐成果", &demands, true), ("成果 → 推荐需求与企业", &achievements, false)]
    {
        let mut times = Vec::with_capacity(ids.len());
        let mut empty = 0;
        for (i, id) in ids.iter().enumerate() {
            let started = Instant::now();
            let found = if is_demand {
                service::for_demand(db, &search, id, 10).await.map(|r| r.len())
            } else {
                service::for_achievement(db, &search, id, 10).await.map(|(r, _)| r.len())
            }
            .map_err(|e| e.message.clone())?;
            if i >= 5 {
                times.push(started.elapsed());
                empty += usize::from(found == 0);
            }
        }
        report(label, times, empty);
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("结束时负载 {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    search.shutdown().await;
    Ok(())
}
