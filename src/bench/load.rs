//! `techmarket bench search`: drives a running server over HTTP with N concurrent clients for
//! S seconds, cycling through a query file, and reports queries/s, latency percentiles and
//! errors (and the server's peak memory when given its pid).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::web::url_encode;

/// The queries of a file: a TSV with a header (column `query`, else `title`, else the second
/// column) or plain lines.
pub fn read_queries(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("无法读取查询文件 {}：{e}", path.display()))?;
    let mut lines = text.lines();
    let Some(first) = lines.next() else { return Ok(vec![]) };
    if !first.contains('\t') {
        return Ok(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect());
    }
    let header: Vec<&str> = first.split('\t').collect();
    let column = ["query", "title"].iter().find_map(|name| header.iter().position(|h| h == name)).unwrap_or(1);
    Ok(lines
        .filter_map(|line| line.split('\t').nth(column))
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_string)
        .collect())
}

pub(super) fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

pub(super) fn peak_memory(pid: u32) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| status.lines().find(|l| l.starts_with(name)).map(|l| l[name.len()..].trim().to_string());
    Some(format!("峰值 VmHWM {}，当前 VmRSS {}", field("VmHWM:")?, field("VmRSS:")?))
}

/// Runs the load and prints the figures.
pub async fn run(
    queries: &Path,
    concurrency: usize,
    duration: Duration,
    base: &str,
    path_template: &str,
    pid: Option<u32>,
) -> Result<(), String> {
    let queries = Arc::new(read_queries(queries)?);
    if queries.is_empty() {
        return Err("查询文件里没有查询".into());
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let base = base.trim_end_matches('/').to_string();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (client, queries, next, base) = (client.clone(), queries.clone(), next.clone(), base.clone());
        let template = path_template.to_string();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while started.elapsed() < duration {
                let q = &queries[next.fetch_add(1, Ordering::Relaxed) % queries.len()];
                let url = format!("{base}{}", template.replace("{q}", &url_encode(q)));
                let sent = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                latencies.push(sent.elapsed().as_micros() as u64);
                if !ok {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (l, e) = worker.await.map_err(|e| e.to_string())?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    println!(
        "{} 个并发客户端，{:.1} 秒：{} 次请求，{:.0} 次/秒；延迟 p50 {:.2} ms，p95 {:.2} ms，p99 {:.2} ms，最大 {:.2} ms；错误 {errors}",
        concurrency,
        elapsed,
        latencies.len(),
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(0) as f64 / 1000.0,
    );
    if let Some(memory) = pid.and_then(peak_memory) {
        println!("服务器内存：{memory}");
    }
    Ok(())
}
