//! `techmarket bench crash`: the real server under concurrent writers, SIGKILLed at random moments
//! and restarted, then checked: every write acknowledged with 2xx is there in (at least) its
//! acknowledged state, retried creates made no duplicates, the audit chain verifies, contract
//! totals equal their recomputation, and the search index agrees with the database.
//!
//! Writers work as API clients do: bearer tokens, an `Idempotency-Key` on every create, retries
//! after a dropped connection. A transition whose answer was lost is not counted as acknowledged.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng as _;
use serde_json::{Value, json};

use super::process::{ServerProcess, ServerSpec, free_port, spread, workdir};
use crate::auth::Caller;
use crate::auth::admin::{self, AdminAction};
use crate::auth::identity::user_by_id;
use crate::auth::password::PasswordHasher;
use crate::auth::service;
use crate::config::{self, Settings};
use crate::db::Db;

/// How hard to shake it.
#[derive(Debug, Clone)]
pub struct CrashOptions {
    pub kills: usize,
    pub writers: usize,
    /// Random pause between restarts and the next kill, in milliseconds.
    pub min_gap_ms: u64,
    pub max_gap_ms: u64,
    /// A database to use (a fresh one: it is written to); a SQLite file in the work directory
    /// when absent.
    pub database_url: Option<String>,
    pub workdir: Option<PathBuf>,
}

/// The stages a listing or contract goes through, in order.
const LISTING_STAGES: &[&str] = &["draft", "submitted", "published"];
const CONTRACT_STAGES: &[&str] = &["draft", "submitted", "registered"];

/// What the server acknowledged, per row: its table and the furthest acknowledged stage.
#[derive(Default)]
struct Ledger {
    rows: Mutex<HashMap<String, (&'static str, &'static str)>>,
    acknowledged: AtomicU64,
    unexpected: AtomicU64,
}

impl Ledger {
    fn ack(&self, table: &'static str, id: &str, stage: &'static str) {
        self.acknowledged.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut rows) = self.rows.lock() {
            rows.insert(id.to_string(), (table, stage));
        }
    }
}

/// One writer's view of the server.
struct Ctx {
    http: reqwest::Client,
    base: String,
    admin: String,
    researcher: String,
    enterprise: String,
    buyer_org: String,
    stop: AtomicBool,
    ledger: Ledger,
}

/// The answer to a request that eventually got one.
enum Answer {
    Ok(Value),
    /// Refused (4xx) after an earlier attempt's answer was lost: it may have been applied.
    RefusedAfterRetry,
    /// Stopped before any answer.
    Stopped,
}

impl Ctx {
    /// Sends until an answer arrives (the server may be down for a moment). A 5xx or an
    /// unexpected refusal counts as unexpected.
    async fn send(&self, path: &str, token: &str, body: Value, key: Option<&str>) -> Answer {
        let mut retried = false;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Answer::Stopped;
            }
            let mut request = self
                .http
                .post(format!("{}/api/v1{path}", self.base))
                .bearer_auth(token)
                .header("Content-Type", "application/json")
                .body(body.to_string());
            if let Some(key) = key {
                request = request.header("Idempotency-Key", key);
            }
            match request.send().await {
                Ok(response) if response.status().is_success() => {
                    return match response.json::<Value>().await {
                        Ok(value) => Answer::Ok(value),
                        // The connection died while the body was read: acknowledged, but unseen.
                        Err(_) => Answer::RefusedAfterRetry,
                    };
                }
                Ok(response) if response.status().is_client_error() && retried => return Answer::RefusedAfterRetry,
                Ok(response) => {
                    self.ledger.unexpected.fetch_add(1, Ordering::Relaxed);
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    eprintln!("意外的响应 {status} {path}: {}", text.chars().take(200).collect::<String>());
                    return Answer::Stopped;
                }
                Err(_) => {
                    retried = true;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    /// Creates a row and takes it through its stages, acknowledging each step that answered.
    async fn flow(&self, table: &'static str, create: (&str, Value), key: &str, steps: &[(String, &str, Value)]) {
        let stages = if table == "contracts" { CONTRACT_STAGES } else { LISTING_STAGES };
        let (path, body) = create;
        let owner = if path == "/demands" { &self.enterprise } else { &self.researcher };
        let Answer::Ok(created) = self.send(path, owner, body, Some(key)).await else { return };
        let Some(id) = created["id"].as_str().map(str::to_string) else { return };
        self.ledger.ack(table, &id, stages[0]);
        for (stage, (suffix, who, step_body)) in stages[1..].iter().zip(steps) {
            let token = if *who == "admin" { &self.admin } else { owner };
            match self.send(&format!("{path}/{id}/{suffix}"), token, step_body.clone(), None).await {
                Answer::Ok(_) => self.ledger.ack(table, &id, stage),
                Answer::RefusedAfterRetry => {}
                Answer::Stopped => return,
            }
        }
    }
}

pub(super) fn achievement(title: &str) -> Value {
    json!({
        "title": title,
        "summary": "基于近红外无损检测与气调贮藏的苹果分级保鲜技术，贮藏期延长两个月，优果率提升百分之十五。",
        "keywords": "苹果，保鲜、分级",
        "achievement_type": "applied",
        "ip_carriers": ["patent"],
        "patent_numbers": "CN201080063196.9",
        "technical_field": "agriculture",
        "industry_section": "A",
        "trl": "8",
        "stage": "industrial",
        "transfer_modes": ["transfer"],
        "pricing_route": "negotiated",
        "asking_price": "120",
        "contact_name": "赵老师",
        "contact_phone": "13993812345",
        "problem": "花牛苹果采后损耗大，分级依赖人工，效率低。",
        "advantages": "检测速度快，设备投入低于进口分选线的一半。",
        "region_code": "620503"
    })
}

fn demand(title: &str, valid_until: &str) -> Value {
    json!({
        "title": title,
        "description": "我公司机床床身铸件需要在粗加工前发现内部缩孔和夹渣，现有抽检方式周期长、成本高，希望找到快速可靠的检测方案。",
        "indicators": "检测深度：≥300 mm\n缺陷检出尺寸：≤2 mm",
        "keywords": "铸件，无损检测",
        "technical_field": "advanced_manufacturing",
        "industry_section": "C",
        "cooperation_modes": ["commissioned"],
        "budget_min": "30",
        "budget_max": "80",
        "valid_until": valid_until,
        "contact_name": "钱工",
        "contact_phone": "13893812345",
        "region_code": "620503"
    })
}

fn contract(title: &str, buyer_org: &str, signed_on: &str, total: u32) -> Value {
    json!({
        "contract_type": "transfer",
        "subtype": "patent_transfer",
        "title": title,
        "subject": "转让“一种基于近红外光谱的苹果无损分级方法”发明专利权，并提供分级线工艺调试与技术培训。",
        "buyer_organisation_id": buyer_org,
        "seller_credit_code": crate::domain::validators::complete_credit_code("12620503MB0000001"),
        "signed_on": signed_on,
        "technical_field": "agriculture",
        "ip_type": "invention_patent",
        "payment_mode": "lump_sum",
        "amount_unit": "wan",
        "total": total.to_string(),
        "signed_by_parties": true
    })
}

async fn writer(ctx: Arc<Ctx>, n: usize) {
    let today = crate::domain::time::today_shanghai();
    let signed_on = crate::domain::forms::date_text(today);
    let valid_until = crate::domain::forms::date_text(today.replace_year(today.year() + 1).unwrap_or(today));
    let mut seq = 0u64;
    while !ctx.stop.load(Ordering::Relaxed) {
        seq += 1;
        let tag = format!("W{n}-{seq}");
        let key = format!("crash-{n}-{seq}");
        let approve = || ("approve".to_string(), "admin", json!({}));
        let submit = || ("submit".to_string(), "owner", json!({}));
        match seq % 3 {
            0 => {
                let create = ("/achievements", achievement(&format!("压测成果 {tag} 苹果分级")));
                ctx.flow("achievements", create, &key, &[submit(), approve()]).await;
            }
            1 => {
                let create = ("/demands", demand(&format!("压测需求 {tag} 铸件检测"), &valid_until));
                ctx.flow("demands", create, &key, &[submit(), approve()]).await;
            }
            _ => {
                let total = 10 + (seq % 90) as u32;
                let create = ("/contracts", contract(&format!("压测合同 {tag}"), &ctx.buyer_org, &signed_on, total));
                let register =
                    ("register".to_string(), "admin", json!({"registration_no": format!("CRASH{n:02}{seq:06}")}));
                ctx.flow("contracts", create, &key, &[submit(), register]).await;
            }
        }
    }
}

/// The people and tokens the writers act as, made through the service layer before the server
/// starts.
pub(super) async fn cast(db: &Db, settings: &Settings) -> Result<(String, String, String, String), String> {
    let hasher = PasswordHasher::default();
    let password = crate::secrets::random_token(16);
    let run = uuid::Uuid::now_v7().as_u128() % 100_000_000;
    let admin =
        crate::auth::admin::create_admin(db, &hasher, settings, "压测管理员", &format!("137{run:08}"), &password)
            .await
            .map_err(|e| format!("{e:?}"))?
            .to_string();
    let admin_user = user_by_id(db, &admin).await.map_err(|e| e.to_string())?.ok_or("the administrator vanished")?;
    let actor = Caller { user: &admin_user, ip: "127.0.0.1" };
    let mut people = Vec::new();
    for (i, (role, nature, code)) in [
        ("researcher", "public_university", None),
        (
            "enterprise",
            "enterprise_private",
            crate::domain::validators::complete_credit_code(&format!("91620503{run:09}")),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let input = crate::auth::model::RegistrationInput {
            display_name: Some(format!("压测{role}")),
            login: Some(format!("13{}{run:08}", i + 5)),
            password: Some(password.clone()),
            password_confirm: Some(password.clone()),
            role: Some(role.into()),
            org_mode: Some("new".into()),
            org_name: Some(format!("压测单位{i}-{run}")),
            org_credit_code: code,
            org_nature: Some(nature.into()),
            org_region_code: Some("620503".into()),
            ..Default::default()
        };
        let id = service::register(db, &hasher, settings, &input, "127.0.0.1").await.map_err(|e| format!("{e:?}"))?;
        admin::admin_action(db, &actor, &id.to_string(), AdminAction::Approve).await.map_err(|e| format!("{e:?}"))?;
        people.push(id.to_string());
    }
    let mut tokens = Vec::new();
    for user in [&admin, &people[0], &people[1]] {
        let acting = user_by_id(db, user).await.map_err(|e| e.to_string())?.ok_or("a bench user vanished")?;
        let me = Caller { user: &acting, ip: "127.0.0.1" };
        tokens.push(service::create_token(db, &me, user, "压测").await.map_err(|e| format!("{e:?}"))?.token);
    }
    let buyer_org: String = sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1")
        .bind(&people[1])
        .fetch_one(db.pool())
        .await
        .map_err(|e| e.to_string())?;
    Ok((tokens[0].clone(), tokens[1].clone(), tokens[2].clone(), buyer_org))
}

fn rank(table: &str, stage: &str) -> Option<usize> {
    let stages = if table == "contracts" { CONTRACT_STAGES } else { LISTING_STAGES };
    stages.iter().position(|s| *s == stage)
}

/// Checks every acknowledged write against the database; returns the lost ones.
async fn lost_writes(db: &Db, rows: &HashMap<String, (&'static str, &'static str)>) -> Result<Vec<String>, String> {
    let mut lost = Vec::new();
    for (id, (table, stage)) in rows {
        let status: Option<String> = sqlx::query_scalar(&format!("SELECT status FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(db.pool())
            .await
            .map_err(|e| e.to_string())?;
        // A later stage than acknowledged is fine (its answer was lost); an earlier one is not.
        let held = status.as_deref().and_then(|s| rank(table, s)).is_some_and(|r| Some(r) >= rank(table, stage));
        if !held {
            lost.push(format!("{table} {id}: 确认为 {stage}，库中为 {status:?}"));
        }
    }
    Ok(lost)
}

async fn duplicates(db: &Db) -> Result<i64, String> {
    let mut total = 0;
    for table in ["achievements", "demands", "contracts"] {
        let sql = match table {
            "contracts" => "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT r.title FROM contract_revisions r \
                 WHERE r.revision_no = 1 GROUP BY r.title HAVING COUNT(*) > 1) AS d"
                .to_string(),
            _ => format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT title FROM {table} GROUP BY title HAVING COUNT(*) > 1) AS d"
            ),
        };
        total += sqlx::query_scalar::<_, i64>(&sql).fetch_one(db.pool()).await.map_err(|e| e.to_string())?;
    }
    Ok(total)
}

/// Runs the suite and prints its figures; an error when anything was lost or disagrees.
pub async fn run(options: &CrashOptions) -> Result<(), String> {
    let dir = workdir(options.workdir.as_deref(), "crash")?;
    let database_url =
        options.database_url.clone().unwrap_or_else(|| config::sqlite_url_for(&dir.join("data").join("techmarket.db")));
    let figment = config::figment()
        .merge(("database_url", database_url.clone()))
        .merge(("data_dir", dir.join("data")))
        .merge(("index_dir", dir.join("index")));
    let (_, settings) = config::load(figment).map_err(|e| e.to_string())?;
    let db = Db::open(&settings.database_url, 4).await.map_err(|e| e.to_string())?;
    let (admin, researcher, enterprise, buyer_org) = cast(&db, &settings).await?;
    let env = vec![
        ("TECHMARKET_DATABASE_URL".to_string(), database_url.clone()),
        ("TECHMARKET_DATA_DIR".to_string(), dir.join("data").display().to_string()),
        ("TECHMARKET_INDEX_DIR".to_string(), dir.join("index").display().to_string()),
        ("TECHMARKET_DEMO_CONTENT".to_string(), "false".to_string()),
        ("TECHMARKET_WRITES_PER_MINUTE".to_string(), "1000000".to_string()),
        ("TECHMARKET_LOG".to_string(), "warn".to_string()),
    ];
    let spec = ServerSpec { port: free_port()?, env, log: dir.join("server.log") };
    let first_start = Instant::now();
    let mut server = ServerProcess::start(&spec, Duration::from_secs(120)).await?;
    println!(
        "服务已启动（{:.2} 秒），数据库 {}，工作目录 {}",
        first_start.elapsed().as_secs_f64(),
        db.backend().name(),
        dir.display()
    );

    let http = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().map_err(|e| e.to_string())?;
    let ctx = Arc::new(Ctx {
        http,
        base: server.base.clone(),
        admin,
        researcher,
        enterprise,
        buyer_org,
        stop: AtomicBool::new(false),
        ledger: Ledger::default(),
    });
    let workers: Vec<_> = (0..options.writers.max(1)).map(|n| tokio::spawn(writer(ctx.clone(), n))).collect();
    let mut restarts = Vec::new();
    let started = Instant::now();
    for _ in 0..options.kills {
        let gap = rand::thread_rng().gen_range(options.min_gap_ms..=options.max_gap_ms.max(options.min_gap_ms));
        tokio::time::sleep(Duration::from_millis(gap)).await;
        let killed_at = Instant::now();
        server.kill_hard()?;
        server = ServerProcess::start(&spec, Duration::from_secs(120)).await?;
        restarts.push(killed_at.elapsed());
    }
    // A last stretch of writing on a server that stays up, then a graceful stop.
    tokio::time::sleep(Duration::from_millis(options.max_gap_ms)).await;
    ctx.stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.map_err(|e| e.to_string())?;
    }
    let elapsed = started.elapsed();
    let stopped = server.stop()?;

    let rows = ctx.ledger.rows.lock().map_err(|e| e.to_string())?.clone();
    let lost = lost_writes(&db, &rows).await?;
    let duplicated = duplicates(&db).await?;
    let audit = crate::audit::verify(&db).await.map_err(|e| e.to_string())?;
    let stored = crate::contracts::totals::stored(&db).await.map_err(|e| e.to_string())?;
    let recomputed = crate::contracts::totals::recomputed(&db).await.map_err(|e| e.to_string())?;
    let search = crate::search::Search::start(&db, &settings.index_dir).await.map_err(|e| e.to_string())?;
    search.catch_up(&db, Duration::from_secs(60)).await.map_err(|e| e.to_string())?;
    let agreement = crate::search::consistency::check(&db, &search.generation()).await?;
    search.shutdown().await;

    let (median, p90, max) = spread(&restarts);
    let acknowledged = ctx.ledger.acknowledged.load(Ordering::Relaxed);
    let unexpected = ctx.ledger.unexpected.load(Ordering::Relaxed);
    println!(
        "{} 个写入客户端，{:.0} 秒，SIGKILL {} 次：确认的写入 {acknowledged} 次（{} 行），丢失 {}，重复创建 {duplicated}，意外响应 {unexpected}",
        options.writers,
        elapsed.as_secs_f64(),
        restarts.len(),
        rows.len(),
        lost.len(),
    );
    println!("重启到可用：中位 {median:.2} 秒，p90 {p90:.2} 秒，最长 {max:.2} 秒；最后一次正常停止：{stopped}");
    println!(
        "审计日志 {} 条：{}；合同汇总 {} 行：{}；搜索索引：可检索 {} 项 / 共 {} 项，{}",
        audit.checked,
        if audit.first_broken.is_none() { "哈希链完整" } else { "哈希链断裂" },
        stored.len(),
        if stored == recomputed { "与逐笔重算一致" } else { "与逐笔重算不一致" },
        agreement.searchable,
        agreement.checked,
        if agreement.holds() {
            "与数据库一致".to_string()
        } else {
            format!("缺 {:?}，多 {:?}", agreement.missing, agreement.extra)
        },
    );
    for line in lost.iter().take(20) {
        println!("  丢失：{line}");
    }
    db.close().await;
    let healthy = lost.is_empty()
        && duplicated == 0
        && unexpected == 0
        && audit.first_broken.is_none()
        && stored == recomputed
        && agreement.holds()
        && acknowledged > 0;
    if healthy { Ok(()) } else { Err("崩溃测试未通过（见上）".into()) }
}
