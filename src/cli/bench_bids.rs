//! `techmarket bench bids`, assembled here because it serves the app itself: a fresh database
//! with the demo district, the bidding race through the service (`bench::bids`), then the
//! server listening for the live-stream watchers (`bench::watchers`), all sharing one live hub.

use std::time::Duration;

use crate::bench::bids::{BidOptions, auction, race};
use crate::trading::auctions::live::Hub;

/// The whole bench: a fresh database with the demo district, the bidding race, then the server
/// listening for the watch phase.
pub async fn run(options: &BidOptions) -> Result<(), String> {
    let dir = crate::bench::process::workdir(options.workdir.as_deref(), "bids")?;
    let url = options.database_url.clone().unwrap_or_else(|| format!("sqlite://{}/bids.db?mode=rwc", dir.display()));
    let port = crate::bench::process::free_port()?;
    let figment = crate::config::figment_isolated()
        .merge(("database_url", url))
        .merge(("data_dir", dir.join("data").display().to_string()))
        .merge(("index_dir", dir.join("index").display().to_string()))
        .merge(("port", port))
        .merge(("address", "127.0.0.1"))
        .merge(("log_level", "critical"))
        .merge(("background_jobs", false));
    let app = crate::app::build(figment).await.map_err(|e| e.to_string())?;
    let db = app.db.clone();
    crate::demo::seed_if_empty(&db, &crate::auth::password::PasswordHasher::default()).await?;
    let rocket = app.rocket.ignite().await.map_err(|e| e.to_string())?;
    let hub = rocket.state::<Hub>().cloned().ok_or("no live hub")?;
    let shutdown = rocket.shutdown();
    let server = tokio::spawn(rocket.launch());
    let (auction, people) = auction(&db, options.bidders).await?;
    race(&db, &hub, &auction, &people, options.duration, options.think).await?;
    if options.watchers > 0 {
        crate::bench::watchers::run(
            &db,
            &hub,
            &format!("http://127.0.0.1:{port}"),
            options.watchers,
            Duration::from_secs(10),
        )
        .await?;
    }
    shutdown.notify();
    let _ = server.await;
    println!("工作目录：{}", dir.display());
    Ok(())
}
