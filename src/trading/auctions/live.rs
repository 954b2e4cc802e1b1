//! The live auction: an in-process hub of one broadcast channel per watched auction. Each accepted
//! bid and each settlement is published once; every watcher's Server-Sent Events stream forwards
//! it. A watcher that falls behind skips to the newest event (the price is in every event), and a
//! stream ends when the auction is settled or after [`MAX_WATCH`] (browsers reconnect by
//! themselves).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::broadcast;

/// How long one stream stays open before the browser is asked to reconnect.
pub const MAX_WATCH: Duration = Duration::from_secs(30 * 60);
/// Events a slow watcher may lag behind before it skips ahead.
const BUFFER: usize = 64;

/// What watchers receive: the auction as it now stands.
#[derive(Debug, Clone, Serialize)]
pub struct LiveEvent {
    /// `bid` or `closed`.
    pub kind: &'static str,
    pub auction_id: String,
    pub seq: i64,
    pub bidder: String,
    pub amount_fen: i64,
    pub price_text: String,
    pub bid_count: i64,
    pub ends_at: String,
    pub extended: bool,
    pub placed_at: String,
    pub status: String,
    pub status_label: String,
}

/// The hub, managed by Rocket (clones share the channels).
#[derive(Default, Clone)]
pub struct Hub {
    channels: Arc<Mutex<HashMap<String, broadcast::Sender<LiveEvent>>>>,
}

impl Hub {
    /// Follows one auction.
    pub fn subscribe(&self, auction_id: &str) -> broadcast::Receiver<LiveEvent> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.retain(|_, sender| sender.receiver_count() > 0);
        channels.entry(auction_id.to_string()).or_insert_with(|| broadcast::channel(BUFFER).0).subscribe()
    }

    /// Tells the auction's watchers, if any.
    pub fn publish(&self, event: LiveEvent) {
        let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = channels.get(&event.auction_id) {
            // No receiver left is not an error: nobody is watching.
            let _ = sender.send(event);
        }
    }

    /// How many streams watch this auction.
    pub fn watchers(&self, auction_id: &str) -> usize {
        let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.get(auction_id).map_or(0, |s| s.receiver_count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, seq: i64) -> LiveEvent {
        LiveEvent {
            kind: "bid",
            auction_id: id.into(),
            seq,
            bidder: "竞买人 1".into(),
            amount_fen: 100,
            price_text: String::new(),
            bid_count: seq,
            ends_at: String::new(),
            extended: false,
            placed_at: String::new(),
            status: "open".into(),
            status_label: String::new(),
        }
    }

    #[tokio::test]
    async fn watchers_of_one_auction_get_its_events_only() {
        let hub = Hub::default();
        let mut a = hub.subscribe("a");
        let mut b = hub.subscribe("b");
        hub.publish(event("a", 1));
        hub.publish(event("c", 1));
        assert_eq!(a.recv().await.expect("event").seq, 1);
        assert!(b.try_recv().is_err());
        assert_eq!(hub.watchers("a"), 1);
        drop(a);
        assert_eq!(hub.watchers("a"), 0);
    }
}
