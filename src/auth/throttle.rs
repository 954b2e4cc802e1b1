//! Sign-in throttling: per client address and per account, in memory (`governor`). The
//! longer-lived per-account lock after repeated failures lives in the database (`users.locked_until`)
//! so it holds across processes.

use std::num::NonZeroU32;

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

impl LoginThrottle {
    pub fn new(settings: &AuthSettings) -> LoginThrottle {
        LoginThrottle {
            per_ip: RateLimiter::keyed(per_minute(settings.login_ip_per_minute)),
            per_account: RateLimiter::keyed(per_minute(settings.login_account_per_minute)),
        }
    }

    /// Takes one attempt from both budgets; `false` when either is spent.
    pub fn allow(&self, ip: &str, account: &str) -> bool {
        let ip_ok = self.per_ip.check_key(&ip.to_string()).is_ok();
        let account_ok = self.per_account.check_key(&account.to_lowercase()).is_ok();
        // Old keys would otherwise accumulate for the life of the process.
        if self.per_ip.len() > 100_000 {
            self.per_ip.retain_recent();
        }
        if self.per_account.len() > 100_000 {
            self.per_account.retain_recent();
        }
        ip_ok && account_ok
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

    pub fn allow(&self, ip: &str) -> bool {
        let ok = self.per_ip.check_key(&ip.to_string()).is_ok();
        if self.per_ip.len() > 100_000 {
            self.per_ip.retain_recent();
        }
        ok
    }
}
