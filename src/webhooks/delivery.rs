//! Sending due deliveries: each is leased, posted with its signature, and recorded — delivered on
//! a 2xx answer, otherwise retried after an exponentially growing wait (30 s, 1 min, 2 min, …,
//! at most 6 h) and given up after `MAX_ATTEMPTS`. The queue is a table, so deliveries pending
//! when the server stops are sent after it starts again. `BackgroundJobs` runs this (and the
//! other periodic jobs it is handed) while the server is up.

use std::time::Duration as StdDuration;

use time::{Duration, OffsetDateTime};

use super::signing;
use super::store::{self, Attempt, Due};
use crate::db::Db;
use crate::domain::time::to_stored;

/// Attempts before a delivery is given up (its log row stays, and it can be sent again by hand).
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a sender holds a delivery it took before another may try it.
const LEASE: Duration = Duration::minutes(2);
/// One attempt's time limit.
const TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// The wait after the `attempts`-th failed attempt: 30 s doubled each time, capped at 6 hours.
pub fn backoff(attempts: i64) -> Duration {
    let doubling = attempts.clamp(1, 20) - 1;
    let seconds = 30_i64.saturating_mul(1_i64 << doubling);
    Duration::seconds(seconds.min(6 * 3600))
}

/// The HTTP client deliveries use: bounded time, no redirects (a receiver answers itself).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("techmarket-webhooks/1")
        .build()
        .unwrap_or_default()
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Sends every delivery due at `now` (at most `limit`).
pub async fn deliver_due(
    db: &Db,
    http: &reqwest::Client,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Report, sqlx::Error> {
    let mut report = Report::default();
    for due in store::due(db, &to_stored(now), limit).await? {
        if !store::lease(db, &due, &to_stored(now + LEASE)).await? {
            continue;
        }
        let attempt = send(http, &due, now).await;
        match attempt.status {
            "delivered" => report.delivered += 1,
            "failed" => report.failed += 1,
            _ => report.retrying += 1,
        }
        store::record(db, &due.id, &attempt).await?;
    }
    Ok(report)
}

async fn send(http: &reqwest::Client, due: &Due, now: OffsetDateTime) -> Attempt {
    let timestamp = OffsetDateTime::now_utc().unix_timestamp();
    let answer = http
        .post(&due.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(signing::SIGNATURE_HEADER, signing::header_value(&due.secret, timestamp, &due.body))
        .header(signing::EVENT_HEADER, &due.event)
        .header(signing::DELIVERY_HEADER, &due.id)
        .body(due.body.clone())
        .send()
        .await;
    let at = to_stored(OffsetDateTime::now_utc());
    let (http_status, error) = match answer {
        Ok(response) if response.status().is_success() => {
            let status = Some(i64::from(response.status().as_u16()));
            return Attempt {
                status: "delivered",
                http_status: status,
                error: String::new(),
                next_attempt_at: at.clone(),
                at,
            };
        }
        Ok(response) => {
            (Some(i64::from(response.status().as_u16())), format!("接收方返回 HTTP {}", response.status().as_u16()))
        }
        Err(error) if error.is_timeout() => (None, "接收方超时未应答".to_string()),
        Err(error) if error.is_connect() => (None, "无法连接接收地址".to_string()),
        Err(error) => (None, format!("发送失败：{error}")),
    };
    let attempts = due.attempts + 1;
    if attempts >= MAX_ATTEMPTS {
        return Attempt { status: "failed", http_status, error, next_attempt_at: at.clone(), at };
    }
    Attempt { status: "pending", http_status, error, next_attempt_at: to_stored(now + backoff(attempts)), at }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_thirty_seconds_and_stops_at_six_hours() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(12), Duration::hours(6));
        assert_eq!(backoff(400), Duration::hours(6));
    }
}
