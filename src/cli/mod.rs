//! The command line: `serve` (the default), `migrate`, `reindex`, `audit verify`, `demo remove`,
//! `admin create`, `bench import|search` and `eval run|score`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bench_bids;
mod import;
mod tools;

use tools::{BenchCommand, EvalCommand, bench, eval};

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
    /// Import a spreadsheet (XLSX, XLS, CSV in UTF-8 or GBK) of achievements or demands into
    /// the review queue: every row checked with the form's rules first; rows already on the
    /// platform are skipped.
    Import {
        /// The file, in the template's columns (download it from /imports).
        file: std::path::PathBuf,
        /// `achievement` (科技成果) or `demand` (技术需求).
        #[arg(long, default_value = "achievement")]
        kind: String,
        /// The account (e-mail or mobile) the import is recorded under.
        #[arg(long)]
        by: String,
        /// The organisation (name or id) to import for; administrators only. Default: the account's own.
        #[arg(long)]
        organisation: Option<String>,
        /// Check only: print the problems, save nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the checked file, bad cells marked, to this XLSX.
        #[arg(long)]
        report: Option<std::path::PathBuf>,
    },
    /// Write the open data's bulk files (CSV and JSONL.gz of every dataset, and the manifest)
    /// under `data_dir/open-data/` now, as `serve` does daily; prints what was written.
    OpenData,
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
    /// Print a one-time password reset link for an account (valid 24 hours): the way back in for
    /// a forgotten demo password or a sole administrator's.
    ResetLink {
        /// The account's e-mail address or mobile number.
        #[arg(long)]
        login: String,
    },
    /// Manage administrator accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
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
            Command::Import { file, kind, by, organisation, dry_run, report } => {
                let args = import::ImportArgs {
                    file: &file,
                    kind: &kind,
                    by: &by,
                    organisation: organisation.as_deref(),
                    dry_run,
                    report: report.as_deref(),
                };
                import_file(&args).await
            }
            Command::OpenData => open_data().await,
            Command::Bench { command } => bench(command).await,
            Command::Eval { command } => eval(command),
            Command::Audit { command: AuditCommand::Verify } => audit_verify().await,
            Command::Demo { command: DemoCommand::Remove } => demo_remove().await,
            Command::ResetLink { login } => reset_link(&login).await,
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
    // Colours only on a terminal: in a log file or journal the escape codes are noise.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let layer = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_ansi(ansi)
        .with_filter(filter)
        .with_filter(per_request);
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
    let expired = crate::demands::expiry::expire_due(&app.db).await.map_err(|e| format!("处理到期需求失败：{e}"))?;
    if expired > 0 {
        tracing::info!(expired, "demands expired");
    }
    let expiry_db = app.db.clone();
    let (public_url, data_dir) = (app.settings.mail.public_url.clone(), app.settings.data_dir.clone());
    tokio::spawn(async move {
        loop {
            // The open data's bulk files: written on the first start, then once a Beijing day.
            match crate::opendata::bulk::refresh_if_stale(&expiry_db, &public_url, &data_dir).await {
                Ok(Some(manifest)) => tracing::info!(files = manifest.files.len(), "open-data files written"),
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "writing the open-data files failed"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            if let Err(error) = crate::demands::expiry::expire_due(&expiry_db).await {
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
    println!(
        "忘记了演示账号的密码：运行 `cargo run --release -- reset-link --login 登录名`，用打印出的一次性链接设置新密码。"
    );
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

pub(super) async fn open_db() -> Result<Db, String> {
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
    let id = crate::auth::admin::create_admin(&db, &hasher, &settings, name, login, &password).await?;
    db.close().await;
    println!("已创建管理员 {name}（{login}），账号编号 {id}");
    Ok(ExitCode::SUCCESS)
}

async fn reset_link(login: &str) -> Result<ExitCode, String> {
    let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
    let db = Db::open(&settings.database_url, 2).await.map_err(|e| e.to_string())?;
    let link = crate::auth::reset::issue_from_console(&db, &settings, login).await.map_err(|e| e.message)?;
    db.close().await;
    println!("账号 {login} 的一次性重置密码链接（24 小时内有效，只能使用一次；旧链接随之失效）：\n{link}");
    Ok(ExitCode::SUCCESS)
}

async fn import_file(args: &import::ImportArgs<'_>) -> Result<ExitCode, String> {
    let db = open_db().await?;
    let outcome = import::run(&db, args).await;
    db.close().await;
    outcome.map(|()| ExitCode::SUCCESS)
}

async fn open_data() -> Result<ExitCode, String> {
    let (_, settings) = config::load(config::figment()).map_err(|e| e.to_string())?;
    let db = Db::connect(&settings.database_url, 2).await.map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let written = crate::opendata::bulk::generate(&db, &settings.mail.public_url, &settings.data_dir).await;
    db.close().await;
    let manifest = written.map_err(|e| e.to_string())?;
    for file in &manifest.files {
        println!("{:<28} {:>8} 条 {:>12} 字节  sha256 {}", file.name, file.records, file.bytes, file.sha256);
    }
    println!(
        "开放数据批量文件已写入 {}（{:.1} 秒）",
        crate::opendata::bulk::directory(&settings.data_dir).display(),
        started.elapsed().as_secs_f64()
    );
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
