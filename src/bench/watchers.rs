//! The live stream under load: the bench's own server listens, W watchers follow one auction's
//! `/api/v1/auctions/{id}/events` over HTTP, a few bidders bid through the service for some
//! seconds, and each watcher's receipt of each bid is timed against the moment it was accepted.
//! Reports deliveries, p50/p99/max delay and the share within one second.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::bids::{auction, bid_loop};
use super::load::percentile;
use crate::db::Db;
use crate::trading::auctions::live::Hub;

/// One watcher: follows the stream until told to stop; returns (seq, received) of every bid
/// event.
async fn watch(
    http: reqwest::Client,
    url: String,
    mut stop: watch::Receiver<bool>,
    ready: Arc<AtomicUsize>,
) -> Vec<(i64, Instant)> {
    let mut got = Vec::new();
    let Ok(mut response) = http.get(&url).send().await else { return got };
    ready.fetch_add(1, Ordering::SeqCst);
    let mut pending = String::new();
    loop {
        let chunk = tokio::select! {
            chunk = response.chunk() => chunk,
            _ = stop.changed() => break,
        };
        let Ok(Some(chunk)) = chunk else { break };
        let now = Instant::now();
        pending.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = pending.find("\n\n") {
            let event: String = pending.drain(..end + 2).collect();
            if !event.contains("event:bid") {
                continue;
            }
            let data = event.lines().find_map(|l| l.strip_prefix("data:")).unwrap_or_default();
            if let Some(seq) = serde_json::from_str::<serde_json::Value>(data).ok().and_then(|v| v["seq"].as_i64()) {
                got.push((seq, now));
            }
        }
    }
    got
}

/// The watch phase against the listening server at `base`.
pub async fn run(db: &Db, hub: &Hub, base: &str, watchers: usize, duration: Duration) -> Result<(), String> {
    let (id, people) = auction(db, 4).await?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().map_err(|e| e.to_string())?;
    let url = format!("{base}/api/v1/auctions/{id}/events");
    let (stop_watching, stopped) = watch::channel(false);
    let ready = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> =
        (0..watchers).map(|_| tokio::spawn(watch(http.clone(), url.clone(), stopped.clone(), ready.clone()))).collect();
    let waiting = Instant::now();
    while hub.watchers(&id) < watchers && waiting.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let connected = hub.watchers(&id);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let accepted_at = Arc::new(Mutex::new(Vec::new()));
    let stop = Instant::now() + duration;
    let bidders: Vec<_> = people
        .into_iter()
        .map(|p| {
            tokio::spawn(bid_loop(
                db.clone(),
                hub.clone(),
                id.clone(),
                p,
                stop,
                Duration::from_millis(100),
                accepted_at.clone(),
            ))
        })
        .collect();
    for bidder in bidders {
        bidder.await.map_err(|e| e.to_string())??;
    }
    // Everything accepted has had two seconds to arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop_watching.send(true);
    let accepted: Vec<(i64, Instant)> = accepted_at.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut receipts = Vec::new();
    for task in tasks {
        receipts.push(task.await.map_err(|e| e.to_string())?);
    }
    report(connected, watchers, &load, &accepted, receipts);
    Ok(())
}

fn report(
    connected: usize,
    watchers: usize,
    load: &str,
    accepted: &[(i64, Instant)],
    receipts: Vec<Vec<(i64, Instant)>>,
) {
    let mut delays = Vec::new();
    let mut missing = 0usize;
    for got in &receipts {
        for (seq, at) in accepted {
            match got.iter().find(|(s, _)| s == seq) {
                Some((_, received)) => delays.push(received.saturating_duration_since(*at).as_micros() as u64),
                None => missing += 1,
            }
        }
    }
    delays.sort_unstable();
    let within = delays.iter().filter(|d| **d <= 1_000_000).count();
    println!(
        "实况推送：{connected}/{watchers} 个观看连接，{} 次出价（开始时负载 {}）",
        accepted.len(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!(
        "  送达 {} 次、未送达 {missing} 次；延迟 p50 {:.1} ms，p99 {:.1} ms，最长 {:.1} ms；1 秒内送达 {:.2}%",
        delays.len(),
        percentile(&delays, 50.0),
        percentile(&delays, 99.0),
        delays.last().copied().unwrap_or(0) as f64 / 1000.0,
        if delays.is_empty() { 0.0 } else { within as f64 * 100.0 / (delays.len() + missing) as f64 }
    );
}
