//! Typed settings: `Rocket.toml` plus `TECHMARKET_*` environment variables, checked at start-up.
//!
//! One figment feeds both Rocket (address, port, secret key, limits) and our own [`Settings`].
//! Every key can be set as `TECHMARKET_<KEY>` (e.g. `TECHMARKET_DATABASE_URL`), so several
//! instances can run side by side. A bad value stops start-up with a message naming the setting.

use std::path::{Path, PathBuf};

use rocket::figment::providers::{Env, Format, Toml};
use rocket::figment::{Figment, Profile};
use serde::Deserialize;

use crate::domain::money::Fen;

/// Environment-variable prefix for every setting.
pub const ENV_PREFIX: &str = "TECHMARKET_";

/// Which amount of a registered contract counts towards the yearly goal (DOMAIN.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalBasis {
    /// 合同成交额 — the contract total (default).
    Turnover,
    /// 技术交易额 — the total less non-technical deductions.
    TechnologyValue,
}

/// Which side of a contract must be in the district for it to count (DOMAIN.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalSide {
    /// 输出 — the seller is in the district (default).
    Output,
    /// 吸纳 — the buyer is in the district.
    Absorb,
}

/// Which rule sets the registry's review period (docs/CONTRACTS.md, "The clock").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewRule {
    /// 《技术合同认定登记管理办法》(2024 征求意见稿): 15 working days, 30 when the technology value
    /// reaches ¥5M (expert review) or the contract is disputed (default).
    #[serde(rename = "working_days_2024")]
    WorkingDays2024,
    /// The 2000 text (国科发政字〔2000〕063号): 30 days from acceptance, disputed contracts included.
    #[serde(rename = "days_2000")]
    Days2000,
}

/// Whether the demo district is seeded into an empty database and its accounts may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoContent {
    /// Only when the server listens on a loopback address (the newcomer's `cargo run`), never on
    /// an address others can reach (default).
    Auto,
    /// Also on a reachable address: an explicit choice (a training or showcase site).
    On,
    /// Never.
    Off,
}

/// `true`, `false` or `"auto"` as written in `Rocket.toml` or the environment.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawDemoContent {
    Flag(bool),
    Word(String),
}

/// The raw shape read from the figment; [`Settings::from_raw`] checks and derives the rest.
#[derive(Debug, Deserialize)]
struct RawSettings {
    database_url: Option<String>,
    data_dir: PathBuf,
    index_dir: PathBuf,
    district_name: String,
    region_code: String,
    goal_year: i32,
    goal_amount: String,
    goal_basis: GoalBasis,
    goal_side: GoalSide,
    baseline_year: i32,
    baseline_amount: String,
    db_max_connections: u32,
    session_idle_minutes: u32,
    session_absolute_hours: u32,
    login_ip_per_minute: u32,
    login_account_per_minute: u32,
    lock_after_failures: u32,
    lock_minutes: u32,
    secure_cookies: bool,
    demo_content: RawDemoContent,
    address: std::net::IpAddr,
    port: u16,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: String,
    writes_per_minute: u32,
    open_data_per_minute: u32,
    review_rule: ReviewRule,
    background_jobs: bool,
}

/// The platform's own settings, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Where the SQLite database and the generated secret key live.
    pub data_dir: PathBuf,
    /// Where the search index lives.
    pub index_dir: PathBuf,
    /// The district's name, shown throughout the site (麦积区).
    pub district_name: String,
    /// The district's 6-digit GB/T 2260 region code.
    pub region_code: String,
    /// The goal settings the dashboard starts from.
    pub goal: GoalSettings,
    /// Upper bound of the database pool.
    pub db_max_connections: u32,
    /// Sessions, sign-in throttling and account locks.
    pub auth: AuthSettings,
    /// Seed the demo district into an empty database at start (`serve` only), and let its
    /// accounts sign in; see [`Settings::demo_allowed`].
    pub demo_content: DemoContent,
    /// Whether the server listens on a loopback address only.
    pub loopback_only: bool,
    /// The registry's review-period rule.
    pub review_rule: ReviewRule,
    /// Outgoing mail (password reset links).
    pub mail: MailSettings,
    /// Run the background jobs (webhook deliveries, salon reminders) while serving. Tests turn
    /// them off and drive the jobs themselves.
    pub background_jobs: bool,
}

/// Where links in e-mails point and how mail leaves.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The address people reach the site at, without a trailing slash (links in e-mails and in
    /// the console's reset links); by default `http://<address>:<port>`.
    pub public_url: String,
    /// `smtp://host:port` of the relay that sends mail (plain SMTP to a relay on the same
    /// network); none: no e-mail, password resets are issued by administrators.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `麦积区技术市场 <noreply@example.cn>`.
    pub from: String,
}

/// Sign-in and session rules.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// A session unused this long ends (default 30 minutes).
    pub session_idle: time::Duration,
    /// A session ends this long after sign-in, used or not (default 12 hours).
    pub session_absolute: time::Duration,
    /// Sign-in attempts allowed per client address per minute.
    pub login_ip_per_minute: u32,
    /// Sign-in attempts allowed per account per minute.
    pub login_account_per_minute: u32,
    /// Consecutive failed sign-ins that lock an account.
    pub lock_after_failures: u32,
    /// How long such a lock lasts.
    pub lock_duration: time::Duration,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Unsafe requests (form posts, API writes) allowed per client address per minute.
    pub writes_per_minute: u32,
    /// Open-data requests (the open API, feeds, bulk files) allowed per client address per minute.
    pub open_data_per_minute: u32,
}

/// The yearly turnover goal as configured (administrators refine it later in the app).
#[derive(Debug, Clone)]
pub struct GoalSettings {
    pub year: i32,
    pub amount: Fen,
    pub basis: GoalBasis,
    pub side: GoalSide,
    pub baseline_year: i32,
    pub baseline_amount: Fen,
}

/// A setting that cannot be used; the message names the setting and where its value came from.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    /// The offending key, e.g. `port` or `database_url`.
    pub key: String,
    pub message: String,
}

impl ConfigError {
    fn new(key: &str, problem: impl std::fmt::Display) -> Self {
        ConfigError {
            key: key.to_string(),
            message: format!(
                "配置项 {key} 无效：{problem}（在 Rocket.toml 或环境变量 {ENV_PREFIX}{} 中设置）",
                key.to_uppercase()
            ),
        }
    }

    fn from_figment(error: rocket::figment::Error) -> Self {
        use rocket::figment::error::Kind;
        let key = error.path.last().cloned().unwrap_or_else(|| "(unknown)".to_string());
        let source = match &error.metadata {
            Some(m) if m.name.contains("environment") => format!("环境变量 {ENV_PREFIX}{}", key.to_uppercase()),
            Some(m) => match &m.source {
                Some(src) => format!("{src}"),
                None => m.name.to_string(),
            },
            None => "默认值".to_string(),
        };
        let problem = match &error.kind {
            Kind::InvalidType(actual, expected) | Kind::InvalidValue(actual, expected) => {
                format!("值 {actual} 不符合要求（应为 {expected}）")
            }
            Kind::UnknownVariant(actual, expected) => {
                format!("“{actual}”不是可选值（可选：{}）", expected.join("、"))
            }
            Kind::MissingField(field) => format!("缺少必填项 {field}"),
            other => other.to_string(),
        };
        ConfigError { message: format!("配置项 {key} 无效：{problem}（来源：{source}）"), key }
    }
}

/// The defaults every deployment starts from; `Rocket.toml` and the environment override them.
fn defaults() -> Figment {
    Figment::from(rocket::Config::default())
        .merge(("address", "127.0.0.1"))
        .merge(("port", 8000))
        // Client addresses come from the socket unless an operator configures a trusted proxy's header.
        .merge(("ip_header", false))
        // Rocket's own start-up lines: colours only on a terminal (escape codes are noise in logs).
        .merge(("cli_colors", std::io::IsTerminal::is_terminal(&std::io::stdout())))
        .merge(("data_dir", "data"))
        .merge(("index_dir", "index"))
        .merge(("district_name", "麦积区"))
        .merge(("region_code", "620503"))
        .merge(("goal_year", 2025))
        .merge(("goal_amount", "6亿元"))
        .merge(("goal_basis", "turnover"))
        .merge(("goal_side", "output"))
        .merge(("baseline_year", 2021))
        .merge(("baseline_amount", "4亿元"))
        .merge(("db_max_connections", 8))
        .merge(("session_idle_minutes", 30))
        .merge(("session_absolute_hours", 12))
        .merge(("login_ip_per_minute", 20))
        .merge(("login_account_per_minute", 10))
        .merge(("lock_after_failures", 5))
        .merge(("lock_minutes", 15))
        .merge(("secure_cookies", false))
        .merge(("demo_content", "auto"))
        .merge(("writes_per_minute", 120))
        .merge(("open_data_per_minute", 300))
        .merge(("review_rule", "working_days_2024"))
        .merge(("background_jobs", true))
        .merge(("mail_from", "麦积区技术市场服务平台 <noreply@localhost>"))
        .merge((
            "limits",
            rocket::data::Limits::default()
                .limit("form", rocket::data::ByteUnit::Kibibyte(64))
                .limit("json", rocket::data::ByteUnit::Mebibyte(1))
                .limit("data-form", rocket::data::ByteUnit::Mebibyte(20))
                .limit("file", rocket::data::ByteUnit::Mebibyte(20)),
        ))
}

/// The figment of a normal start: defaults, then `Rocket.toml` (or `TECHMARKET_CONFIG`), then
/// `TECHMARKET_*` environment variables. The profile comes from `TECHMARKET_PROFILE`.
pub fn figment() -> Figment {
    let file = Env::var_or("TECHMARKET_CONFIG", "Rocket.toml");
    defaults()
        .merge(Toml::file(file).nested())
        .merge(Env::prefixed(ENV_PREFIX).ignore(&["PROFILE", "CONFIG"]).global())
        .select(Profile::from_env_or("TECHMARKET_PROFILE", rocket::Config::DEFAULT_PROFILE))
}

/// A figment from defaults plus explicit values only — no file, no environment. Tests use it.
pub fn figment_isolated() -> Figment {
    defaults().select(rocket::Config::DEFAULT_PROFILE)
}

/// Reads and checks everything: Rocket's own config and ours. Returns the figment to launch with
/// (with a persisted secret key merged in when none was configured) and our settings.
pub fn load(figment: Figment) -> Result<(Figment, Settings), ConfigError> {
    rocket::Config::try_from(&figment).map_err(ConfigError::from_figment)?;
    let raw: RawSettings = figment.extract().map_err(ConfigError::from_figment)?;
    let settings = Settings::from_raw(raw)?;
    // On PostgreSQL several nodes share one database: an unconfigured key is kept there (see
    // `app::build`), not in one node's data_dir.
    let figment = if settings.database_url.starts_with("sqlite:") {
        ensure_secret_key(figment, &settings.data_dir)?
    } else {
        figment
    };
    Ok((figment, settings))
}

impl Settings {
    fn from_raw(raw: RawSettings) -> Result<Settings, ConfigError> {
        let database_url = match raw.database_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => check_database_url(url.trim())?,
            None => sqlite_url_for(&raw.data_dir.join("techmarket.db")),
        };
        let district_name = raw.district_name.trim().to_string();
        if district_name.is_empty() {
            return Err(ConfigError::new("district_name", "不能为空"));
        }
        if !(raw.region_code.len() == 6 && raw.region_code.bytes().all(|b| b.is_ascii_digit())) {
            return Err(ConfigError::new(
                "region_code",
                format!("“{}”不是 6 位行政区划代码（GB/T 2260）", raw.region_code),
            ));
        }
        let goal_amount = parse_goal_amount("goal_amount", &raw.goal_amount)?;
        let baseline_amount = parse_goal_amount("baseline_amount", &raw.baseline_amount)?;
        for (key, year) in [("goal_year", raw.goal_year), ("baseline_year", raw.baseline_year)] {
            if !(2000..=2100).contains(&year) {
                return Err(ConfigError::new(key, format!("年份 {year} 超出 2000–2100")));
            }
        }
        if raw.db_max_connections == 0 || raw.db_max_connections > 1000 {
            return Err(ConfigError::new("db_max_connections", "应在 1–1000 之间"));
        }
        let positive = |key: &str, value: u32, max: u32| {
            if value == 0 || value > max {
                Err(ConfigError::new(key, format!("应在 1–{max} 之间")))
            } else {
                Ok(i64::from(value))
            }
        };
        let auth = AuthSettings {
            session_idle: time::Duration::minutes(positive("session_idle_minutes", raw.session_idle_minutes, 24 * 60)?),
            session_absolute: time::Duration::hours(positive(
                "session_absolute_hours",
                raw.session_absolute_hours,
                24 * 30,
            )?),
            login_ip_per_minute: positive("login_ip_per_minute", raw.login_ip_per_minute, 100_000)? as u32,
            login_account_per_minute: positive("login_account_per_minute", raw.login_account_per_minute, 10_000)?
                as u32,
            lock_after_failures: positive("lock_after_failures", raw.lock_after_failures, 1000)? as u32,
            lock_duration: time::Duration::minutes(positive("lock_minutes", raw.lock_minutes, 7 * 24 * 60)?),
            secure_cookies: raw.secure_cookies,
            writes_per_minute: positive("writes_per_minute", raw.writes_per_minute, 1_000_000)? as u32,
            open_data_per_minute: positive("open_data_per_minute", raw.open_data_per_minute, 1_000_000)? as u32,
        };
        Ok(Settings {
            database_url,
            data_dir: raw.data_dir,
            index_dir: raw.index_dir,
            district_name,
            region_code: raw.region_code,
            goal: GoalSettings {
                year: raw.goal_year,
                amount: goal_amount,
                basis: raw.goal_basis,
                side: raw.goal_side,
                baseline_year: raw.baseline_year,
                baseline_amount,
            },
            db_max_connections: raw.db_max_connections,
            auth,
            demo_content: match raw.demo_content {
                RawDemoContent::Flag(true) => DemoContent::On,
                RawDemoContent::Flag(false) => DemoContent::Off,
                RawDemoContent::Word(word) => match word.trim().to_ascii_lowercase().as_str() {
                    "auto" => DemoContent::Auto,
                    "true" | "on" | "yes" => DemoContent::On,
                    "false" | "off" | "no" => DemoContent::Off,
                    _ => return Err(ConfigError::new("demo_content", format!("“{word}”应为 auto、true 或 false"))),
                },
            },
            loopback_only: raw.address.is_loopback(),
            review_rule: raw.review_rule,
            background_jobs: raw.background_jobs,
            mail: MailSettings {
                public_url: match raw.public_url.map(|u| u.trim().trim_end_matches('/').to_string()) {
                    Some(url) if url.starts_with("http://") || url.starts_with("https://") => url,
                    Some(url) if !url.is_empty() => {
                        return Err(ConfigError::new("public_url", format!("“{url}”应以 http:// 或 https:// 开头")));
                    }
                    _ => format!("http://{}:{}", raw.address, raw.port),
                },
                smtp_url: match raw.smtp_url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()) {
                    Some(url) if url.starts_with("smtp://") => Some(url),
                    Some(url) => return Err(ConfigError::new("smtp_url", format!("“{url}”应形如 smtp://主机:端口"))),
                    None => None,
                },
                from: raw.mail_from,
            },
        })
    }

    /// Whether the demo district may exist here: seeded into an empty database, its accounts able
    /// to sign in. Automatically only on a loopback address, so a deployment reachable by others
    /// never gets accounts whose passwords went to a console.
    pub fn demo_allowed(&self) -> bool {
        match self.demo_content {
            DemoContent::On => true,
            DemoContent::Off => false,
            DemoContent::Auto => self.loopback_only,
        }
    }
}

fn parse_goal_amount(key: &str, input: &str) -> Result<Fen, ConfigError> {
    let amount = Fen::parse(input, crate::domain::money::Unit::Yuan).map_err(|e| ConfigError::new(key, e))?;
    if amount.is_zero() {
        return Err(ConfigError::new(key, "目标金额必须大于零"));
    }
    Ok(amount)
}

fn check_database_url(url: &str) -> Result<String, ConfigError> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        return Ok(url.to_string());
    }
    if let Some(rest) = lower.strip_prefix("sqlite:") {
        if rest.trim_start_matches('/').is_empty() || rest.starts_with(":memory:") || rest.contains("mode=memory") {
            return Err(ConfigError::new(
                "database_url",
                "SQLite 必须使用数据库文件（内存数据库在多连接下各自独立，会丢失数据）",
            ));
        }
        return Ok(url.to_string());
    }
    Err(ConfigError::new("database_url", format!("“{url}”既不是 sqlite:// 也不是 postgres:// 地址")))
}

/// The `sqlite://` URL of a database file, created on first connect.
pub fn sqlite_url_for(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// Rocket needs a secret key for private cookies, and refuses to launch in release without one.
/// When the operator configured none, generate one on first start, keep it in `data_dir` (mode
/// 0600, never committed) and reuse it, so sessions survive restarts. A configured key always wins.
fn ensure_secret_key(figment: Figment, data_dir: &Path) -> Result<Figment, ConfigError> {
    let configured = rocket::Config::try_from(&figment).map_err(ConfigError::from_figment)?;
    if !configured.secret_key.is_zero() {
        return Ok(figment);
    }
    let path = data_dir.join("secret.key");
    let key = match std::fs::read_to_string(&path) {
        Ok(existing) if !existing.trim().is_empty() => existing.trim().to_string(),
        _ => write_new_secret(&path)
            .map_err(|e| ConfigError::new("secret_key", format!("未配置，且无法在 {} 生成：{e}", path.display())))?,
    };
    Ok(figment.merge(("secret_key", key)))
}

/// Whether the figment carries a configured (non-zero) secret key.
pub fn has_secret_key(figment: &Figment) -> bool {
    rocket::Config::try_from(figment).is_ok_and(|config| !config.secret_key.is_zero())
}

/// 64 random bytes in base64: a cookie key.
pub fn new_secret() -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut bytes = [0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn write_new_secret(path: &Path) -> std::io::Result<String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let key = new_secret();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    std::io::Write::write_all(&mut file, key.as_bytes())?;
    Ok(key)
}
