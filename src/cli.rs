//! The command line: `serve` (the default), `migrate`, `reindex`, `audit verify`, `demo remove`,
//! `admin create`, `bench import|search` and `eval run|score`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app;
use crate::config;
use crate::db::Db;

#[derive(Debug, Parser)]
#[command(name = "techmarket", version, about = "麦积区技术市场服务平台 (technology market platform)")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the platform over HTTP (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Rebuild the search index from the database into a new directory and swap it in (safe
    /// while the server runs: the server moves over to the new index).
    Reindex,
    /// Write a verified, self-contained copy of the database to FILE (SQLite: VACUUM INTO, safe
    /// while the server runs; PostgreSQL: pg_dump custom format).
    Backup {
        /// The backup file to create (never overwritten).
        file: PathBuf,
    },
    /// Replace the database with a backup (server stopped), migrate, verify, rebuild the index.
    Restore {
        /// A file written by `techmarket backup`.
        file: PathBuf,
        /// Replace a database that already holds data.
        #[arg(long)]
        force: bool,
    },
    /// Benchmarks on real corpora (paths as arguments); they print figures.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Search-quality evaluation on the sets in shared/data/eval.
    Eval {
        #[command(subcommand)]
        command: EvalCommand,
    },
    /// Inspect the append-only audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Demo content.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Manage administrator accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
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
enum EvalCommand {
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

#[derive(Debug, Subcommand)]
enum DemoCommand {
    /// Remove every demo organisation, account and listing (the audit log keeps its history).
    Remove,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an active administrator. Prompts for the password, or reads it from stdin.
    Create {
        /// The administrator's name, e.g. 张三.
        #[arg(long)]
        name: String,
        /// E-mail address or mobile number used to sign in.
        #[arg(long)]
        login: String,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and report the first broken link.
    Verify,
}

/// Runs the command line; the exit code is non-zero when the command failed.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("无法启动异步运行时：{error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve().await,
            Command::Migrate => migrate().await,
            Command::Reindex => reindex().await,
            Command::Backup { file } => backup(&file).await,
            Command::Restore { file, force } => restore(&file, force).await,
            Command::Bench { command } => bench(command).await,
            Command::Eval { command } => eval(command),
            Command::Audit { command: AuditCommand::Verify } => audit_verify().await,
            Command::Demo { command: DemoCommand::Remove } => demo_remove().await,
            Command::Admin { command: AdminCommand::Create { name, login, password_stdin } } => {
                admin_create(&name, &login, password_stdin).await
            }
        }
    });
    match outcome {
        Ok(code) => code,
        Err(message) => {
            eprintln!("techmarket: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let filter = tracing_subscriber::EnvFilter::try_from_env("TECHMARKET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,rocket=off"));
    // Rocket's per-request lines (no route for a path, a guard that refused) carry targets ending
    // in `::_`, in Rocket's modules and in the routes it generated in ours: anyone could flood the
    // log with them, and our own lines already say what failed (5xx, with the request id).
    let per_request = tracing_subscriber::filter::filter_fn(|meta| !meta.target().ends_with("::_"));
    let layer = tracing_subscriber::fmt::layer().with_target(false).with_filter(filter).with_filter(per_request);
    // Another subscriber may already be installed (tests); then keep it.
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

async fn serve() -> Result<ExitCode, String> {
    let app = app::build(config::figment()).await.map_err(|e| e.to_string())?;
    if app.settings.demo_allowed() {
        let hasher = crate::auth::password::PasswordHasher::default();
        let accounts = crate::demo::seed_if_empty(&app.db, &hasher).await?;
        print_demo_accounts(&accounts);
        if !accounts.is_empty() && !app.settings.loopback_only {
            tracing::warn!("demo content was seeded on an address others can reach (demo_content = true)");
        }
    } else if app.settings.demo_content == crate::config::DemoContent::Auto {
        println!("本服务监听的不是本机地址：不写入演示数据，演示账号不能登录（需要时设置 demo_content = true）。");
    }
    // Demands past their validity date are expired now and then hourly. Public lists already
    // hide them by date; this keeps stored statuses and the audit log honest.
    let expired = crate::demands::service::expire_due(&app.db).await.map_err(|e| format!("处理到期需求失败：{e}"))?;
    if expired > 0 {
        tracing::info!(expired, "demands expired");
    }
    let expiry_db = app.db.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            if let Err(error) = crate::demands::service::expire_due(&expiry_db).await {
                tracing::error!(%error, "expiring demands failed");
            }
            // Index replicas that fall further behind than this rebuild from the tables.
            let month_ago = crate::domain::time::to_stored(time::OffsetDateTime::now_utc() - time::Duration::days(30));
            if let Err(error) = crate::search::outbox::prune(&expiry_db, &month_ago).await {
                tracing::error!(%error, "pruning the search outbox failed");
            }
            if let Err(error) = crate::auth::throttle::prune(&expiry_db).await {
                tracing::error!(%error, "pruning request budgets failed");
            }
            // A form left open for a month or a client retrying after a month starts afresh.
            if let Err(error) = crate::db::once::prune(&expiry_db, &month_ago).await {
                tracing::error!(%error, "pruning one-time tokens failed");
            }
        }
    });
    let backend = app.db.backend().name();
    let db = app.db.clone();
    let platform = crate::web::Site::new(&app.settings.district_name, &app.settings.region_code).platform_name;
    let rocket = app.rocket.attach(rocket::fairing::AdHoc::on_liftoff("announce", move |rocket| {
        Box::pin(async move {
            let config = rocket.config();
            println!("{platform}已启动：http://{}:{}（数据库：{backend}）", config.address, config.port);
        })
    }));
    let launched = rocket.launch().await.map_err(|e| format!("服务启动失败：{e}"));
    // After a graceful stop (SIGTERM, Ctrl-C): fold SQLite's write-ahead log into the main file.
    db.close().await;
    launched?;
    Ok(ExitCode::SUCCESS)
}

fn print_demo_accounts(accounts: &[crate::demo::DemoAccount]) {
    if accounts.is_empty() {
        return;
    }
    println!(
        "\n已为空数据库写入演示数据（单位、账号、科技成果、技术需求）。以下演示账号的密码只显示这一次，请妥善保存："
    );
    for account in accounts {
        let role = crate::domain::account::Role::from_code(&account.role).map(|r| r.label()).unwrap_or("用户");
        println!("  {:<10} {:<6} 登录名 {:<36} 密码 {}", account.name, role, account.login, account.password);
    }
    println!("不需要演示数据时，运行 `techmarket demo remove` 删除；设置 TECHMARKET_DEMO_CONTENT=false 可不写入。\n");
}

async fn demo_remove() -> Result<ExitCode, String> {
    let db = open_db().await?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let removed = crate::demo::remove(&db).await.map_err(|e| format!("删除演示数据失败：{e}"))?;
    db.close().await;
    println!(
        "已删除演示数据：演示合同 {} 份、科技成果 {} 项、技术需求 {} 项、账号 {} 个、单位 {} 家{}",
        removed.contracts,
        removed.achievements,
        removed.demands,
        removed.users,
        removed.organisations,
        if removed.kept_organisations > 0 {
            format!("；{} 家演示单位已有真实账号或成果，予以保留", removed.kept_organisations)
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

async fn open_db() -> Result<Db, String> {
    let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
    Db::connect(&settings.database_url, 2).await.map_err(|e| e.to_string())
}

fn read_password(from_stdin: bool) -> Result<String, String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| format!("无法读取密码：{e}"))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("管理员密码：").map_err(|e| format!("无法读取密码：{e}"))?;
    let second = rpassword::prompt_password("再次输入密码：").map_err(|e| format!("无法读取密码：{e}"))?;
    if first != second {
        return Err("两次输入的密码不一致".into());
    }
    Ok(first)
}

async fn admin_create(name: &str, login: &str, password_stdin: bool) -> Result<ExitCode, String> {
    let password = read_password(password_stdin)?;
    let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
    let db = Db::open(&settings.database_url, 2).await.map_err(|e| e.to_string())?;
    let hasher = crate::auth::password::PasswordHasher::default();
    let id = crate::auth::service::create_admin(&db, &hasher, &settings, name, login, &password).await?;
    db.close().await;
    println!("已创建管理员 {name}（{login}），账号编号 {id}");
    Ok(ExitCode::SUCCESS)
}

async fn migrate() -> Result<ExitCode, String> {
    let db = open_db().await?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let applied: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM _sqlx_migrations")
        .fetch_one(db.pool())
        .await
        .map_err(|e| e.to_string())?;
    println!("数据库迁移完成（{}）：已应用 {applied} 个迁移", db.backend().name());
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn audit_verify() -> Result<ExitCode, String> {
    let db = open_db().await?;
    let report = crate::audit::verify(&db).await.map_err(|e| format!("读取审计日志失败：{e}"))?;
    db.close().await;
    match report.first_broken {
        None => {
            println!("审计日志完整：已校验 {} 条记录，哈希链无断裂", report.checked);
            Ok(ExitCode::SUCCESS)
        }
        Some(link) => {
            println!(
                "审计日志哈希链断裂：第一处断裂在 seq {}（事件 {}）：{}；此前 {} 条记录完好",
                link.seq,
                link.id,
                link.reason,
                report.checked.saturating_sub(1)
            );
            Ok(ExitCode::from(2))
        }
    }
}

async fn backup(file: &std::path::Path) -> Result<ExitCode, String> {
    let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let verified = crate::backup::backup(&settings, file).await?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!(
        "备份完成：{}（{:.1} MB，用时 {:.1} 秒）；已校验：{verified}",
        file.display(),
        size as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

async fn restore(file: &std::path::Path, force: bool) -> Result<ExitCode, String> {
    let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let (verified, documents) = crate::backup::restore(&settings, file, force).await?;
    println!(
        "恢复完成：{}（用时 {:.1} 秒）；已校验：{verified}；搜索索引已重建：{documents} 篇文档",
        file.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

async fn reindex() -> Result<ExitCode, String> {
    let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
    let db = Db::open(&settings.database_url, 4).await.map_err(|e| e.to_string())?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("重建索引 {bar:40} {pos}/{len} · {per_sec} · 剩余 {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let generation = crate::search::rebuild::rebuild(&db, &settings.index_dir, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    let docs = generation.reader.searcher().num_docs();
    println!(
        "搜索索引已重建：{docs} 篇文档，用时 {:.1} 秒（{:.0} 篇/秒），新索引 {}；运行中的服务会自动切换过去",
        started.elapsed().as_secs_f64(),
        docs as f64 / started.elapsed().as_secs_f64(),
        generation.dir.display()
    );
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn bench(command: BenchCommand) -> Result<ExitCode, String> {
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

fn eval(command: EvalCommand) -> Result<ExitCode, String> {
    match command {
        EvalCommand::Run { set, data, queries, pool, out, weights } => {
            let weights = weights.as_deref().map(parse_weights).transpose()?;
            crate::eval::run::run(set, &data, &queries, pool.as_deref(), &out, weights)?;
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
