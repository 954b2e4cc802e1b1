//! The background jobs a serving instance runs every few seconds: sending due webhook
//! deliveries, the salon reminders, and settling 挂牌 offerings and auctions whose time is up;
//! every minute, the saved searches' round. Started at lift-off unless `background_jobs` is off
//! (tests drive the same functions themselves).

use std::time::Duration;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Orbit, Rocket};
use time::OffsetDateTime;

use crate::config::Settings;
use crate::db::Db;
use crate::trading::auctions::live::LiveEvent;

/// How often the jobs look for work.
const TICK: Duration = Duration::from_secs(5);
/// Deliveries sent per tick at most.
const BATCH: i64 = 50;
/// Ticks between two rounds of the saved searches (a minute).
const SAVED_SEARCH_TICKS: u32 = 12;

/// The fairing that starts the loop.
pub struct BackgroundJobs;

#[rocket::async_trait]
impl Fairing for BackgroundJobs {
    fn info(&self) -> Info {
        Info { name: "background jobs", kind: Kind::Liftoff }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let (Some(db), Some(settings)) = (rocket.state::<Db>(), rocket.state::<Settings>()) else { return };
        if !settings.background_jobs {
            return;
        }
        let db = db.clone();
        let hub = rocket.state::<crate::trading::auctions::live::Hub>().cloned().unwrap_or_default();
        let search = rocket.state::<crate::search::Search>().cloned();
        let mut shutdown = rocket.shutdown();
        tokio::spawn(async move {
            let http = crate::webhooks::delivery::client();
            let mut ticks = 0u32;
            loop {
                tokio::select! {
                    _ = &mut shutdown => break,
                    _ = tokio::time::sleep(TICK) => {}
                }
                for event in run_once(&db, &http, OffsetDateTime::now_utc()).await {
                    hub.publish(event);
                }
                ticks += 1;
                if let (Some(search), true) = (&search, ticks % SAVED_SEARCH_TICKS == 0) {
                    if let Err(error) = crate::saved_searches::notify::run(&db, search, OffsetDateTime::now_utc()).await
                    {
                        tracing::warn!(%error, "the saved searches' round failed");
                    }
                }
            }
        });
    }
}

/// One round of every job at `now`; failures are logged and retried on the next round. Returns
/// the live events of the auctions it settled (the caller tells their watchers).
pub async fn run_once(db: &Db, http: &reqwest::Client, now: OffsetDateTime) -> Vec<LiveEvent> {
    if let Err(error) = crate::webhooks::delivery::deliver_due(db, http, now, BATCH).await {
        tracing::warn!(%error, "sending webhook deliveries failed");
    }
    if let Err(error) = crate::salons::reminders::send_due(db, now).await {
        tracing::warn!(%error, "sending salon reminders failed");
    }
    if let Err(error) = crate::trading::offerings::service::settle_due(db, now).await {
        tracing::warn!(%error, "settling 挂牌 offerings failed");
    }
    match crate::trading::auctions::settle::due(db, now).await {
        Ok(events) => events,
        Err(error) => {
            tracing::warn!(%error, "settling auctions failed");
            Vec::new()
        }
    }
}
