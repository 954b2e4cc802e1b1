//! The tools of the command line: `bench …` (import, search, load, crash, lists, contracts,
//! history) and `eval run|score` — their arguments and what they run.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::config;
use crate::db::Db;

#[derive(Debug, Subcommand)]
pub(super) enum BenchCommand {
    /// Load corpora as published listings through the service layer into the configured
    /// database and index; report rows/s and records/s until searchable.
    Import {
        #[arg(long)]
        achievements: Option<PathBuf>,
        #[arg(long)]
        demands: Option<PathBuf>,
        /// At most this many records from each file.
        #[arg(long)]
        limit: Option<u64>,
    },
    /// Write registered contracts through the documented bulk path (docs/CONTRACTS.md), then time
    /// the goal report.
    /// Time recommendations (demand → achievements, achievement → demands) against the configured
    /// database and index, e.g. after `bench import` of the full corpus.
    Recommend {
        /// How many listings of each kind to ask for (spread over the table).
        #[arg(long, default_value_t = 300)]
        count: usize,
    },
    /// Concurrent bidders against one auction on a fresh database (SQLite in a temp directory, or
    /// `--database-url` of an empty PostgreSQL database); then live-stream watchers over HTTP.
    /// Prints bids/s, acceptance latency and the proof of the outcome, and the delivery delays.
    Bids {
        #[arg(long, default_value_t = 64)]
        bidders: usize,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// Mean pause between one bidder's attempts in ms (0: none, a stress test).
        #[arg(long, default_value_t = 0)]
        think_ms: u64,
        /// Live-stream watchers for the second phase (0 skips it).
        #[arg(long, default_value_t = 500)]
        watchers: usize,
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long)]
        workdir: Option<std::path::PathBuf>,
    },
    /// A spreadsheet of achievements (XLSX) uploaded, checked and loaded into the review queue,
    /// then uploaded again.
    Sheet {
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
    },
    /// A registry ledger of past registrations as a GBK CSV, checked and loaded like an upload.
    History {
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
        #[arg(long, default_value_t = 2021)]
        seed: u64,
    },
    Contracts {
        #[arg(long, default_value_t = 100_000)]
        count: u64,
        /// Seed of the generator (runs with one seed draw the same contracts).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Start the real server, write from concurrent API clients, SIGKILL and restart it at random
    /// moments, then verify nothing acknowledged was lost (exit 1 otherwise).
    Crash {
        #[arg(long, default_value_t = 20)]
        kills: usize,
        #[arg(long, default_value_t = 8)]
        writers: usize,
        /// Shortest and longest pause (ms) between a restart and the next kill.
        #[arg(long, default_value_t = 300)]
        min_gap_ms: u64,
        #[arg(long, default_value_t = 2500)]
        max_gap_ms: u64,
        /// A fresh database to write into; a new SQLite file in the work directory by default.
        #[arg(long)]
        database_url: Option<String>,
        /// Where the run's database, index and server log go (a new temp directory by default).
        #[arg(long)]
        workdir: Option<PathBuf>,
    },
    /// Start the real server and drive it with a mix of page views, searches, API reads and
    /// writes; report per-kind p50/p95/p99, errors, "database is locked" and memory (exit 1 on
    /// any error).
    Load {
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Seconds to run.
        #[arg(long, default_value_t = 60)]
        duration: u64,
        /// Share of requests that write, in percent.
        #[arg(long, default_value_t = 10)]
        write_percent: u32,
        /// The database to serve (e.g. one with the corpus loaded; it is written to). A fresh
        /// SQLite file with the demo district by default.
        #[arg(long)]
        database_url: Option<String>,
        /// The index of that database (rebuilt at start when missing).
        #[arg(long)]
        index_dir: Option<PathBuf>,
        #[arg(long)]
        workdir: Option<PathBuf>,
    },
    /// Drive a running server with concurrent HTTP clients; report QPS and latency percentiles.
    Search {
        /// A TSV with a header (column query or title) or one query per line.
        #[arg(long)]
        queries: PathBuf,
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
        /// Seconds to run.
        #[arg(long, default_value_t = 10)]
        duration: u64,
        #[arg(long, default_value = "http://127.0.0.1:8000")]
        url: String,
        /// Request path; {q} is replaced by the URL-encoded query.
        #[arg(long, default_value = "/api/v1/search?q={q}")]
        path: String,
        /// The server's process id, to report its peak memory.
        #[arg(long)]
        pid: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum EvalCommand {
    /// Index a set's documents in a temporary directory and write a TREC run (top 100 per query).
    Run {
        #[arg(long, value_enum)]
        set: crate::eval::run::Set,
        /// The set's folder (e.g. ../shared/data/eval/known_item).
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        queries: PathBuf,
        /// Rank only the documents judged for each query (re-rank protocol).
        #[arg(long)]
        pool: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        /// Field weights to try instead of the site's: title,keywords,summary,body,grams,parts.
        #[arg(long)]
        weights: Option<String>,
        /// Rank with the recommendation code (demand → achievements) instead of the plain query.
        #[arg(long)]
        recommend: bool,
    },
    /// Measure the near-duplicate detector: paraphrased copies of corpus records against a
    /// library indexed from one half of the corpus; precision and recall per threshold.
    Duplicates {
        /// achievements.jsonl.gz of shared/data/corpus.
        #[arg(long)]
        corpus: PathBuf,
        /// `dev` (to tune on) or `test` (to confirm).
        #[arg(long, default_value = "dev")]
        half: String,
        #[arg(long, default_value_t = 12_000)]
        library: usize,
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
    },
    /// Score a run against qrels: nDCG@10, MRR@10, Recall@10/100.
    Score {
        #[arg(long)]
        qrels: PathBuf,
        #[arg(long)]
        run: PathBuf,
        /// Drop unjudged documents before cutting (pool-judged sets).
        #[arg(long)]
        condensed: bool,
        #[arg(long, default_value_t = 1)]
        min_rel: i64,
        #[arg(long, default_value_t = 10)]
        k: usize,
        /// Only these query ids (a TSV whose first column is the qid, and optionally a filter
        /// `column<value`, e.g. kw_verbatim_frac<0.5).
        #[arg(long)]
        subset: Option<PathBuf>,
        #[arg(long)]
        filter: Option<String>,
    },
}

pub(super) async fn bench(command: BenchCommand) -> Result<ExitCode, String> {
    match command {
        BenchCommand::Import { achievements, demands, limit } => {
            if achievements.is_none() && demands.is_none() {
                return Err("请用 --achievements 或 --demands 指定语料文件".into());
            }
            let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
            let db = Db::open(&settings.database_url, 4).await.map_err(|e| e.to_string())?;
            crate::bench::import::run(&db, &settings.index_dir, achievements, demands, limit).await?;
        }
        BenchCommand::Contracts { count, seed } => {
            let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
            let db = Db::open(&settings.database_url, 4).await.map_err(|e| e.to_string())?;
            crate::bench::contracts::run(&db, &settings, count, seed).await?;
        }
        BenchCommand::Bids { bidders, seconds, think_ms, watchers, database_url, workdir } => {
            let options = crate::bench::bids::BidOptions {
                bidders,
                duration: std::time::Duration::from_secs(seconds),
                think: std::time::Duration::from_millis(think_ms),
                watchers,
                database_url,
                workdir,
            };
            super::bench_bids::run(&options).await?;
        }
        BenchCommand::Recommend { count } => {
            let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
            let db = Db::open(&settings.database_url, 4).await.map_err(|e| e.to_string())?;
            crate::bench::recommend::run(&db, &settings.index_dir, count).await?;
        }
        BenchCommand::Sheet { rows } => {
            let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
            let db = Db::open(&settings.database_url, 4).await.map_err(|e| e.to_string())?;
            crate::bench::sheet::run(&db, rows).await?;
        }
        BenchCommand::History { rows, seed } => {
            let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
            let db = Db::open(&settings.database_url, 4).await.map_err(|e| e.to_string())?;
            crate::bench::history::run(&db, rows, seed).await?;
        }
        BenchCommand::Crash { kills, writers, min_gap_ms, max_gap_ms, database_url, workdir } => {
            let options =
                crate::bench::crash::CrashOptions { kills, writers, min_gap_ms, max_gap_ms, database_url, workdir };
            crate::bench::crash::run(&options).await?;
        }
        BenchCommand::Load { concurrency, duration, write_percent, database_url, index_dir, workdir } => {
            let options = crate::bench::mix::LoadOptions {
                concurrency,
                duration: std::time::Duration::from_secs(duration),
                write_percent,
                database_url,
                index_dir,
                workdir,
            };
            crate::bench::mix::run(&options).await?;
        }
        BenchCommand::Search { queries, concurrency, duration, url, path, pid } => {
            let duration = std::time::Duration::from_secs(duration);
            crate::bench::load::run(&queries, concurrency, duration, &url, &path, pid).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_weights(text: &str) -> Result<crate::search::query::Weights, String> {
    let v: Vec<f32> =
        text.split(',').map(|p| p.trim().parse::<f32>()).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
    match v.as_slice() {
        [title, keywords, summary, body, grams, parts] => Ok(crate::search::query::Weights {
            title: *title,
            keywords: *keywords,
            summary: *summary,
            body: *body,
            grams: *grams,
            parts: *parts,
        }),
        _ => Err("--weights 应为 6 个数：title,keywords,summary,body,grams,parts".into()),
    }
}

pub(super) fn eval(command: EvalCommand) -> Result<ExitCode, String> {
    match command {
        EvalCommand::Run { set, data, queries, pool, out, weights, recommend } => {
            let weights = weights.as_deref().map(parse_weights).transpose()?;
            crate::eval::run::run(set, &data, &queries, pool.as_deref(), &out, weights, recommend)?;
        }
        EvalCommand::Duplicates { corpus, half, library, queries } => {
            crate::eval::duplicates::run(&corpus, &half, library, queries)?;
        }
        EvalCommand::Score { qrels, run, condensed, min_rel, k, subset, filter } => {
            let read = |p: &PathBuf| std::fs::read_to_string(p).map_err(|e| format!("无法读取 {}：{e}", p.display()));
            let mut qrels = crate::eval::metrics::parse_qrels(&read(&qrels)?);
            if let Some(subset) = subset {
                let keep = crate::eval::metrics::subset_ids(&read(&subset)?, filter.as_deref())?;
                qrels.retain(|q, _| keep.contains(q));
            }
            let run = crate::eval::metrics::parse_run(&read(&run)?);
            let s = crate::eval::metrics::evaluate(&qrels, &run, k, condensed, min_rel);
            println!(
                "ndcg@{k}={:.4}\tmrr@{k}={:.4}\trecall@{k}={:.4}\trecall@100={:.4}\tqueries={}",
                s.ndcg, s.mrr, s.recall_k, s.recall_100, s.queries
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
