//! `techmarket bench load`: N concurrent clients for S seconds against the real server, mixing
//! what the platform's visitors do — page views, searches, API reads, and writes by API clients
//! (listing drafts created and submitted) — and reporting per kind: requests, p50/p95/p99, errors;
//! plus "database is locked" lines in the server's log and its peak memory.
//!
//! The bench starts its own server on the given database (use a copy with the corpus loaded for
//! the full run, see docs/OPERATIONS.md) or a fresh SQLite file; an empty one gets the demo district.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::Rng as _;

use super::crash::{achievement, cast};
use super::load::{peak_memory, percentile};
use super::process::{ServerProcess, ServerSpec, free_port, workdir};
use crate::config;
use crate::db::Db;

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub concurrency: usize,
    pub duration: Duration,
    /// Percentage of requests that write.
    pub write_percent: u32,
    pub database_url: Option<String>,
    pub index_dir: Option<PathBuf>,
    pub workdir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Page,
    Search,
    ApiRead,
    Write,
}

const KINDS: [(Kind, &str); 4] =
    [(Kind::Page, "页面"), (Kind::Search, "搜索"), (Kind::ApiRead, "API 读取"), (Kind::Write, "API 写入")];

const QUERIES: &[&str] = &["苹果", "花牛苹果 分级", "铸件检测", "中药材", "马铃薯", "无损检测", "节水灌溉", "果蔬保鲜"];
const PAGES: &[&str] = &[
    "/",
    "/achievements",
    "/demands",
    "/challenges",
    "/stats",
    "/achievements?field=agriculture",
    "/demands?sort=budget",
];
const API_READS: &[&str] =
    &["/api/v1/achievements?limit=20", "/api/v1/demands?limit=20", "/api/v1/stats/summary", "/api/v1/health"];

/// Latencies (µs) and errors of one kind, from one client.
#[derive(Default)]
struct Tally {
    latencies: Vec<Vec<u64>>,
    errors: Vec<u64>,
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    listing_ids: Vec<String>,
}

impl Client {
    /// One request of `kind`; `Ok(true)` for a 2xx.
    async fn one(&mut self, kind: Kind, n: u64) -> bool {
        let pick = |list: &[&'static str]| list[(n as usize) % list.len()];
        let request = match kind {
            Kind::Page if n % 4 == 0 && !self.listing_ids.is_empty() => {
                let id = &self.listing_ids[(n as usize / 4) % self.listing_ids.len()];
                self.http.get(format!("{}/achievements/{id}", self.base))
            }
            Kind::Page => self.http.get(format!("{}{}", self.base, pick(PAGES))),
            Kind::Search if n % 2 == 0 => {
                self.http.get(format!("{}/search?q={}", self.base, crate::web::url_encode(pick(QUERIES))))
            }
            Kind::Search => {
                self.http.get(format!("{}/api/v1/search?q={}", self.base, crate::web::url_encode(pick(QUERIES))))
            }
            Kind::ApiRead => self.http.get(format!("{}{}", self.base, pick(API_READS))),
            Kind::Write => {
                let body = achievement(&format!("负载测试成果 {n} 苹果分级"));
                self.http
                    .post(format!("{}/api/v1/achievements", self.base))
                    .bearer_auth(&self.token)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", format!("load-{}-{n}", uuid::Uuid::now_v7().simple()))
                    .body(body.to_string())
            }
        };
        match request.send().await {
            Ok(response) if response.status().is_success() => {
                let write = kind == Kind::Write;
                let body = response.bytes().await;
                if write && let Ok(bytes) = &body {
                    // Half the drafts go on to review: a second write on the same row.
                    let id = serde_json::from_slice::<serde_json::Value>(bytes)
                        .ok()
                        .and_then(|v| v["id"].as_str().map(str::to_string));
                    if let Some(id) = id.filter(|_| n % 2 == 0) {
                        let submitted = self
                            .http
                            .post(format!("{}/api/v1/achievements/{id}/submit", self.base))
                            .bearer_auth(&self.token)
                            .header("Content-Type", "application/json")
                            .body("{}")
                            .send()
                            .await;
                        return submitted.is_ok_and(|r| r.status().is_success());
                    }
                }
                body.is_ok()
            }
            _ => false,
        }
    }
}

/// Runs the load and prints the figures; an error when any request failed.
pub async fn run(options: &LoadOptions) -> Result<(), String> {
    let dir = workdir(options.workdir.as_deref(), "load")?;
    let database_url =
        options.database_url.clone().unwrap_or_else(|| config::sqlite_url_for(&dir.join("data").join("techmarket.db")));
    let index_dir = options.index_dir.clone().unwrap_or_else(|| dir.join("index"));
    let figment = config::figment()
        .merge(("database_url", database_url.clone()))
        .merge(("data_dir", dir.join("data")))
        .merge(("index_dir", index_dir.clone()));
    let (_, settings) = config::load(figment).map_err(|e| e.to_string())?;
    let db = Db::open(&settings.database_url, 4).await.map_err(|e| e.to_string())?;
    // An empty database gets the demo district to read and search; a loaded one is left as it is.
    crate::demo::seed_if_empty(&db, &crate::auth::password::PasswordHasher::default()).await?;
    let (_, researcher, _, _) = cast(&db, &settings).await?;
    let listing_ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM achievements WHERE status = 'published' ORDER BY id LIMIT 500")
            .fetch_all(db.pool())
            .await
            .map_err(|e| e.to_string())?;
    let listings: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM achievements")
        .fetch_one(db.pool())
        .await
        .map_err(|e| e.to_string())?;
    db.close().await;
    let env = vec![
        ("TECHMARKET_DATABASE_URL".to_string(), database_url),
        ("TECHMARKET_DATA_DIR".to_string(), dir.join("data").display().to_string()),
        ("TECHMARKET_INDEX_DIR".to_string(), index_dir.display().to_string()),
        ("TECHMARKET_DEMO_CONTENT".to_string(), "false".to_string()),
        ("TECHMARKET_WRITES_PER_MINUTE".to_string(), "1000000".to_string()),
        ("TECHMARKET_LOG".to_string(), "warn".to_string()),
    ];
    let spec = ServerSpec { port: free_port()?, env, log: dir.join("server.log") };
    let server = ServerProcess::start(&spec, Duration::from_secs(300)).await?;
    let pid = server.pid();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..options.concurrency.max(1) {
        let mut client = Client {
            http: http.clone(),
            base: server.base.clone(),
            token: researcher.clone(),
            listing_ids: listing_ids.clone(),
        };
        let (counter, duration, write_percent) = (counter.clone(), options.duration, options.write_percent);
        workers.push(tokio::spawn(async move {
            let mut tally = Tally { latencies: vec![Vec::new(); 4], errors: vec![0; 4] };
            while started.elapsed() < duration {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let roll = rand::thread_rng().gen_range(0..100);
                let kind = if roll < write_percent {
                    Kind::Write
                } else {
                    [Kind::Page, Kind::Search, Kind::ApiRead][(roll as usize) % 3]
                };
                let slot = KINDS.iter().position(|(k, _)| *k == kind).unwrap_or(0);
                let sent = Instant::now();
                let ok = client.one(kind, n).await;
                tally.latencies[slot].push(sent.elapsed().as_micros() as u64);
                tally.errors[slot] += u64::from(!ok);
            }
            tally
        }));
    }
    let mut latencies = vec![Vec::new(); 4];
    let mut errors = [0u64; 4];
    for worker in workers {
        let tally = worker.await.map_err(|e| e.to_string())?;
        for slot in 0..4 {
            latencies[slot].extend(&tally.latencies[slot]);
            errors[slot] += tally.errors[slot];
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let memory = peak_memory(pid).unwrap_or_default();
    server.stop()?;
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    let locked = log.matches("database is locked").count();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{} 个并发客户端，{elapsed:.1} 秒，库中成果 {listings} 项；机器负载（1/5/15 分钟）{}",
        options.concurrency,
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    let mut total_errors = 0;
    for (slot, (_, label)) in KINDS.iter().enumerate() {
        let sorted = &mut latencies[slot];
        sorted.sort_unstable();
        total_errors += errors[slot];
        println!(
            "  {label:<8} {:>7} 次（{:.0} 次/秒）  p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  错误 {}",
            sorted.len(),
            sorted.len() as f64 / elapsed,
            percentile(sorted, 50.0),
            percentile(sorted, 95.0),
            percentile(sorted, 99.0),
            errors[slot]
        );
    }
    println!("错误合计 {total_errors}；服务日志中 “database is locked” {locked} 次；服务内存 {memory}");
    if total_errors == 0 && locked == 0 { Ok(()) } else { Err("负载测试出现错误（见上）".into()) }
}
