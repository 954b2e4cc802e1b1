//! Request budgets: sign-in attempts per client address and per account, and unsafe requests
//! (form posts, API writes) per client address. The longer-lived per-account lock after repeated
//! failures lives in the database (`users.locked_until`).
//!
//! One node (SQLite) counts in memory (`governor`). Nodes sharing PostgreSQL count in the
//! database — one-minute windows in `rate_counts`, one upsert per counted request — so a client
//! cannot multiply its budget by the number of nodes behind the load balancer.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::AuthSettings;
use crate::db::{Backend, Db};

/// Where a budget is counted.
enum Counter {
    Memory(DefaultKeyedRateLimiter<String>),
    Shared { per_minute: u32 },
}

impl Counter {
    fn new(per_minute: u32, backend: Backend) -> Counter {
        match backend {
            Backend::Sqlite => Counter::Memory(RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN),
            ))),
            Backend::Postgres => Counter::Shared { per_minute },
        }
    }

    /// Spends one from `key`'s budget; `Some(wait)` when there was none left. A database that
    /// cannot count is logged and lets the request through (availability over the limit).
    async fn spend(&self, db: &Db, key: String) -> Option<Duration> {
        match self {
            Counter::Memory(limiter) => {
                let wait = limiter.check_key(&key).err().map(|n| n.wait_time_from(DefaultClock::default().now()));
                // Old keys would otherwise accumulate for the life of the process.
                if limiter.len() > 100_000 {
                    limiter.retain_recent();
                }
                wait
            }
            Counter::Shared { per_minute } => match shared_spend(db, &key).await {
                Ok((hits, left)) if hits > i64::from(*per_minute) => Some(left),
                Ok(_) => None,
                Err(error) => {
                    tracing::warn!(%error, "counting a request budget failed");
                    None
                }
            },
        }
    }
}

/// The shared count of `key` in the current minute after this hit, and the time left in it.
async fn shared_spend(db: &Db, key: &str) -> Result<(i64, Duration), sqlx::Error> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let window = now - now.rem_euclid(60);
    let hits: i64 = sqlx::query_scalar(
        "INSERT INTO rate_counts (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_counts.hits + 1 RETURNING hits",
    )
    .bind(key)
    .bind(window)
    .fetch_one(db.pool())
    .await?;
    Ok((hits, Duration::from_secs((window + 60 - now).max(1) as u64)))
}

/// Forgets finished windows (run hourly by `serve`).
pub async fn prune(db: &Db) -> Result<u64, sqlx::Error> {
    let hour_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
    Ok(sqlx::query("DELETE FROM rate_counts WHERE window_start < $1")
        .bind(hour_ago)
        .execute(db.pool())
        .await?
        .rows_affected())
}

/// The two budgets sign-in passes through.
pub struct LoginThrottle {
    per_ip: Counter,
    per_account: Counter,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginThrottle")
    }
}

impl LoginThrottle {
    pub fn new(settings: &AuthSettings, backend: Backend) -> LoginThrottle {
        LoginThrottle {
            per_ip: Counter::new(settings.login_ip_per_minute, backend),
            per_account: Counter::new(settings.login_account_per_minute, backend),
        }
    }

    /// Takes one attempt from both budgets; when either is spent, how long until it refills.
    pub async fn allow(&self, db: &Db, ip: &str, account: &str) -> Result<(), Duration> {
        let ip_wait = self.per_ip.spend(db, format!("login-ip:{ip}")).await;
        let account_wait = self.per_account.spend(db, format!("login-account:{}", account.to_lowercase())).await;
        match ip_wait.max(account_wait) {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }
}

/// A per-address budget for unsafe requests (form posts and API writes).
pub struct WriteThrottle {
    per_ip: Counter,
}

impl std::fmt::Debug for WriteThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteThrottle")
    }
}

impl WriteThrottle {
    pub fn new(per_minute_budget: u32, backend: Backend) -> WriteThrottle {
        WriteThrottle { per_ip: Counter::new(per_minute_budget, backend) }
    }

    /// Takes one request from the address's budget; when spent, how long until it refills.
    pub async fn allow(&self, db: &Db, ip: &str) -> Result<(), Duration> {
        self.per_ip.spend(db, format!("write:{ip}")).await.map_or(Ok(()), Err)
    }
}

/// A per-address budget for open-data reads (the open API, feeds, bulk files): generous for a
/// mirror, finite for a scraper running in a loop.
pub struct OpenDataThrottle {
    per_ip: Counter,
    /// The budget, for the `X-RateLimit-Limit` header.
    pub per_minute: u32,
}

impl std::fmt::Debug for OpenDataThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpenDataThrottle")
    }
}

impl OpenDataThrottle {
    pub fn new(per_minute: u32, backend: Backend) -> OpenDataThrottle {
        OpenDataThrottle { per_ip: Counter::new(per_minute, backend), per_minute }
    }

    /// Takes one read from the address's budget; when spent, how long until it refills.
    pub async fn allow(&self, db: &Db, ip: &str) -> Result<(), Duration> {
        self.per_ip.spend(db, format!("open:{ip}")).await.map_or(Ok(()), Err)
    }
}
