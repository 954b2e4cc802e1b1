//! Sign-in throttling: per client address and per account, in memory (`governor`). The
//! longer-lived per-account lock after repeated failures lives in the database (`users.locked_until`)
//! so it holds across processes.

use std::num::NonZeroU32;

use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::AuthSettings;

/// The two limiters sign-in passes through.
pub struct LoginThrottle {
    per_ip: DefaultKeyedRateLimiter<String>,
    per_account: DefaultKeyedRateLimiter<String>,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginThrottle")
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

/// Spends one from `key`'s budget; `Some(wait)` when there was none left.
fn wait(limiter: &DefaultKeyedRateLimiter<String>, key: String) -> Option<Duration> {
    limiter.check_key(&key).err().map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}

impl LoginThrottle {
    pub fn new(settings: &AuthSettings) -> LoginThrottle {
        LoginThrottle {
            per_ip: RateLimiter::keyed(per_minute(settings.login_ip_per_minute)),
            per_account: RateLimiter::keyed(per_minute(settings.login_account_per_minute)),
        }
    }

    /// Takes one attempt from both budgets; when either is spent, how long until it refills.
    pub fn allow(&self, ip: &str, account: &str) -> Result<(), Duration> {
        let ip_wait = wait(&self.per_ip, ip.to_string());
        let account_wait = wait(&self.per_account, account.to_lowercase());
        // Old keys would otherwise accumulate for the life of the process.
        if self.per_ip.len() > 100_000 {
            self.per_ip.retain_recent();
        }
        if self.per_account.len() > 100_000 {
            self.per_account.retain_recent();
        }
        match ip_wait.max(account_wait) {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }
}

/// A per-address budget for unsafe requests (form posts and API writes).
pub struct WriteThrottle {
    per_ip: DefaultKeyedRateLimiter<String>,
}

impl std::fmt::Debug for WriteThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteThrottle")
    }
}

impl WriteThrottle {
    pub fn new(per_minute_budget: u32) -> WriteThrottle {
        WriteThrottle { per_ip: RateLimiter::keyed(per_minute(per_minute_budget)) }
    }

    /// Takes one request from the address's budget; when spent, how long until it refills.
    pub fn allow(&self, ip: &str) -> Result<(), Duration> {
        let waited = wait(&self.per_ip, ip.to_string());
        if self.per_ip.len() > 100_000 {
            self.per_ip.retain_recent();
        }
        waited.map_or(Ok(()), Err)
    }
}
