//! The binary as operators run it: `serve` on a real port (driven with reqwest), `migrate`,
//! and `audit verify` reporting an intact and a broken chain.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::on_both_databases;
use crate::support::{TestApp, has_chinese};
use techmarket::db::Backend;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// The built binary with its settings pointed at `dir` and `database_url` (also for other modules).
pub fn techmarket(dir: &Path, database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_techmarket"));
    command
        .current_dir(dir)
        .env("TECHMARKET_DATABASE_URL", database_url)
        .env("TECHMARKET_DATA_DIR", dir.join("data"))
        .env("TECHMARKET_INDEX_DIR", dir.join("index"))
        .env("TECHMARKET_LOG_LEVEL", "off");
    command
}

/// Kills the server even when an assertion fails.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn serve_answers_over_http(app: TestApp) {
    let port = free_port();
    let dir = app.dir.path().join("serve");
    std::fs::create_dir_all(&dir).expect("dir");
    let _server = Server(
        techmarket(&dir, &app.database_url)
            .arg("serve")
            .env("TECHMARKET_PORT", port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn server"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match client.get(format!("{base}/api/v1/health")).send().await {
            Ok(response) if response.status().is_success() => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            other => panic!("server did not become healthy: {other:?}"),
        }
    }
    let home = client.get(format!("{base}/")).send().await.expect("home");
    assert_eq!(home.status(), 200);
    assert!(home.headers().get("content-security-policy").is_some());
    let html = home.text().await.expect("html");
    assert!(html.contains("麦积区技术市场服务平台"));
    let missing = client.get(format!("{base}/nope")).send().await.expect("404");
    assert_eq!(missing.status(), 404);
    assert!(has_chinese(&missing.text().await.expect("body")));
    match app.backend() {
        Backend::Sqlite => {
            assert!(
                dir.join("data").join("secret.key").exists(),
                "with no key configured, one is generated in data_dir"
            )
        }
        Backend::Postgres => {
            // Every node on this database reads the same key, so sessions work across nodes.
            let kept: i64 =
                sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM instance_secrets WHERE name = 'cookie_key'")
                    .fetch_one(app.db.pool())
                    .await
                    .expect("count");
            assert_eq!(kept, 1, "with no key configured, the shared one is kept in the database");
            assert!(!dir.join("data").join("secret.key").exists());
        }
    }
}

async fn a_reachable_start_has_no_demo_and_a_stop_leaves_one_file(app: TestApp) {
    let port = free_port();
    let dir = app.dir.path().join("reachable");
    std::fs::create_dir_all(&dir).expect("dir");
    let log = dir.join("out.log");
    let mut child = techmarket(&dir, &app.database_url)
        .arg("serve")
        .env("TECHMARKET_ADDRESS", "0.0.0.0")
        .env("TECHMARKET_PORT", port.to_string())
        .stdout(std::fs::File::create(&log).expect("log"))
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn server");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match client.get(format!("http://127.0.0.1:{port}/api/v1/health")).send().await {
            Ok(response) if response.status().is_success() => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            other => {
                let _ = child.kill();
                panic!("server did not become healthy: {other:?}")
            }
        }
    }
    let users: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM users").fetch_one(app.db.pool()).await.expect("n");
    assert_eq!(users, 0, "no demo accounts on an address others can reach");
    // Some writes, then a graceful stop (SIGTERM).
    let signup = client.get(format!("http://127.0.0.1:{port}/register")).send().await.expect("page");
    assert_eq!(signup.status(), 200);
    // What anyone can send many times over must not write a log line each time.
    for path in ["/nope", "/achievements/review", "/api/v1/me"] {
        let refused = client.get(format!("http://127.0.0.1:{port}{path}")).send().await.expect("refused");
        assert!(!refused.status().is_server_error(), "{path}");
    }
    let stopped = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(stopped.success());
    let status = child.wait().expect("wait");
    assert!(status.success(), "a graceful stop exits 0: {status:?}");
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(output.contains("不写入演示数据"), "{output}");
    assert!(!output.contains("密码"), "no password in the log: {output}");
    for noise in ["No matching routes", "Request guard", "guard"] {
        assert!(!output.contains(noise), "no per-request line ({noise}) in the log: {output}");
    }
    if app.backend() == Backend::Sqlite {
        let file = techmarket::db::sqlite_path(&app.database_url).expect("file");
        let wal = std::path::PathBuf::from(format!("{}-wal", file.display()));
        let wal_size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        // The test's own pool still holds the file open; what the server wrote is checkpointed.
        assert!(wal_size < 64 * 1024, "the write-ahead log was folded into the main file ({wal_size} bytes)");
    }
}

async fn migrate_and_audit_verify_commands(app: TestApp) {
    let dir = app.dir.path().join("cli");
    std::fs::create_dir_all(&dir).expect("dir");
    let migrate = techmarket(&dir, &app.database_url).arg("migrate").output().expect("migrate");
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("数据库迁移完成"));

    let mut tx = app.db.begin_write().await.expect("begin");
    for i in 0..3 {
        let event =
            techmarket::audit::NewAuditEvent::system("test.cli", "thing", &i.to_string(), serde_json::json!({"i": i}));
        techmarket::audit::append(&mut tx, app.backend(), &event).await.expect("append");
    }
    tx.commit().await.expect("commit");

    let verify = techmarket(&dir, &app.database_url).args(["audit", "verify"]).output().expect("verify");
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{stdout}");
    assert!(stdout.contains("已校验 3 条记录"), "{stdout}");

    let mut tx = app.db.begin_write().await.expect("begin");
    match app.backend() {
        Backend::Sqlite => sqlx::query("DROP TRIGGER audit_events_no_update").execute(&mut *tx).await,
        Backend::Postgres => {
            sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update").execute(&mut *tx).await
        }
    }
    .expect("bypass trigger");
    sqlx::query("UPDATE audit_events SET action = 'test.forged' WHERE subject_id = '2'")
        .execute(&mut *tx)
        .await
        .expect("tamper");
    tx.commit().await.expect("commit");

    let verify = techmarket(&dir, &app.database_url).args(["audit", "verify"]).output().expect("verify");
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert_eq!(verify.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("断裂"), "{stdout}");
}

async fn admin_create_makes_the_first_administrator(app: TestApp) {
    use std::io::Write as _;
    let dir = app.dir.path().join("admin");
    std::fs::create_dir_all(&dir).expect("dir");
    let create = |password: &'static str| {
        let mut child = techmarket(&dir, &app.database_url)
            .args([
                "admin",
                "create",
                "--name",
                "区科技局管理员",
                "--login",
                "admin@maiji.example.cn",
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child.stdin.take().expect("stdin").write_all(password.as_bytes()).expect("write password");
        child.wait_with_output().expect("wait")
    };
    let weak = create("12345678\n");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("过于常见"), "{}", String::from_utf8_lossy(&weak.stderr));

    let made = create("麦积山下的花椒红了\n");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert!(String::from_utf8_lossy(&made.stdout).contains("已创建管理员"));
    let again = create("麦积山下的花椒红了\n");
    assert!(!again.status.success(), "the same login cannot be created twice");

    let admin = crate::accounts_support::Person { id: String::new(), login: "admin@maiji.example.cn".into() };
    let response = crate::accounts_support::sign_in(&app.client, &admin.login, "麦积山下的花椒红了").await;
    assert_eq!(response.status(), rocket::http::Status::SeeOther);
    assert_eq!(app.client.get("/admin").dispatch().await.status(), rocket::http::Status::Ok);
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT password_hash FROM users").fetch_all(app.db.pool()).await.expect("users");
    assert!(hashes.iter().all(|h| h.starts_with("$argon2id$")), "no plain or default password anywhere");
}

on_both_databases!(
    a_reachable_start_has_no_demo_and_a_stop_leaves_one_file,
    serve_answers_over_http,
    migrate_and_audit_verify_commands,
    admin_create_makes_the_first_administrator
);
