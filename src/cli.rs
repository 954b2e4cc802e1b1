//! The command line: `serve` (the default), `migrate`, `audit verify`.

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
    let filter = tracing_subscriber::EnvFilter::try_from_env("TECHMARKET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,rocket=error,_=error"));
    // Another subscriber may already be installed (tests); then keep it.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

async fn serve() -> Result<ExitCode, String> {
    let app = app::build(config::figment()).await.map_err(|e| e.to_string())?;
    if app.settings.demo_content {
        let hasher = crate::auth::password::PasswordHasher::default();
        let accounts = crate::demo::seed_if_empty(&app.db, &hasher).await?;
        print_demo_accounts(&accounts);
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
        }
    });
    let backend = app.db.backend().name();
    let platform = crate::web::Site::new(&app.settings.district_name, &app.settings.region_code).platform_name;
    let rocket = app.rocket.attach(rocket::fairing::AdHoc::on_liftoff("announce", move |rocket| {
        Box::pin(async move {
            let config = rocket.config();
            println!("{platform}已启动：http://{}:{}（数据库：{backend}）", config.address, config.port);
        })
    }));
    rocket.launch().await.map_err(|e| format!("服务启动失败：{e}"))?;
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
        "已删除演示数据：科技成果 {} 项、技术需求 {} 项、账号 {} 个、单位 {} 家{}",
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
