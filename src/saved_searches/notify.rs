//! The notifier's round: every saved search is run through the search engine (latest first),
//! the listings published since it last looked — after it was saved, never before — are
//! recorded once each and reported by the owner's chosen ways; after 8:00 Beijing time, the
//! day's digests go out. Run every minute by a serving instance; tests call [`run`] directly.

use std::collections::BTreeMap;

use serde_json::json;
use sqlx::Row as _;
use time::OffsetDateTime;

use super::model::search_params;
use super::store::{self, Found, SavedSearch};
use crate::db::Db;
use crate::domain::time::{SHANGHAI, to_stored};
use crate::inbox::deliver::{self, Notice, Topic};
use crate::listings::Kind;
use crate::search::Search;
use crate::search::engine::{self, SortBy};
use crate::web::url_encode;

/// Listings looked at per search and round: the newest matches.
const NEWEST: usize = 100;
/// Listings published this long before the last look are looked at again: the index may have
/// taken them in late. Each is still reported once.
const OVERLAP: time::Duration = time::Duration::hours(1);
/// The Beijing hour digests go out from.
const DIGEST_HOUR: u8 = 8;

/// What a round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub searches: usize,
    /// Listings newly reported (over all searches).
    pub reported: usize,
    pub digests: usize,
}

/// The search page's link for a saved search, latest first.
pub fn link(params: &BTreeMap<String, String>) -> String {
    let mut query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", url_encode(v))).collect();
    query.push("sort=newest".into());
    format!("/search?{}", query.join("&"))
}

/// The matches of every search, newest first, in one blocking task; `None` where the search
/// could not run or matched only some of its words (relaxed results are not news).
async fn matches(search: &Search, searches: &[SavedSearch]) -> Vec<Option<Vec<(Kind, String)>>> {
    let requests: Vec<Option<engine::Request>> = searches
        .iter()
        .map(|s| {
            let mut request = search_params(&s.params).request(10, false).ok()?;
            request.sort = SortBy::Newest;
            (request.offset, request.limit) = (0, NEWEST);
            Some(request)
        })
        .collect();
    let searcher = search.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let generation = searcher.generation();
        requests
            .iter()
            .map(|request| {
                let outcome = engine::search(&generation, request.as_ref()?).ok()?;
                (!outcome.relaxed).then(|| outcome.hits.into_iter().map(|h| (h.kind, h.id)).collect())
            })
            .collect::<Vec<_>>()
    })
    .await;
    outcome.unwrap_or_else(|error| {
        tracing::warn!(%error, "running saved searches failed");
        vec![None; searches.len()]
    })
}

/// Which of these listings are public and were published after `floor`.
async fn published_after(db: &Db, hits: &[(Kind, String)], floor: &str) -> Result<Vec<Found>, sqlx::Error> {
    let mut found = Vec::new();
    for kind in [Kind::Achievement, Kind::Demand] {
        let ids: Vec<&str> = hits.iter().filter(|(k, _)| *k == kind).map(|(_, id)| id.as_str()).collect();
        if ids.is_empty() {
            continue;
        }
        let placeholders: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, title, status FROM {} WHERE published_at > $1 AND id IN ({}) ORDER BY published_at, id",
            kind.table(),
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(floor);
        for id in &ids {
            query = query.bind(*id);
        }
        for row in query.fetch_all(db.pool()).await? {
            let status: String = row.try_get("status")?;
            if crate::listings::status::is_public_code(kind, &status) {
                found.push(Found {
                    kind: kind.code().into(),
                    listing_id: row.try_get("id")?,
                    title: row.try_get("title")?,
                });
            }
        }
    }
    Ok(found)
}

fn path_of(found: &Found) -> String {
    Kind::from_code(&found.kind).map(|k| k.path(&found.listing_id)).unwrap_or_default()
}

fn titles(found: &[Found], at_most: usize) -> String {
    let mut lines: Vec<String> = found.iter().take(at_most).map(|f| format!("· {}", f.title)).collect();
    if found.len() > at_most {
        lines.push(format!("……另有 {} 条", found.len() - at_most));
    }
    lines.join("\n")
}

async fn organisation_of(db: &Db, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<Option<String>> = sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.flatten())
}

/// Reports what is new for one search, in one transaction; how many listings.
async fn report(db: &Db, saved: &SavedSearch, found: &[Found], now: &str) -> Result<usize, sqlx::Error> {
    let organisation = if saved.notify_webhook { organisation_of(db, &saved.user_id).await? } else { None };
    let mut tx = db.begin_write().await?;
    let new = store::record(&mut tx, &saved.id, found).await?;
    if !new.is_empty() {
        let link = if new.len() == 1 { path_of(&new[0]) } else { link(&saved.params) };
        if saved.notify_inbox {
            let title = format!("订阅“{}”有 {} 条新结果", saved.name, new.len());
            let notice = Notice::new(Topic::SavedSearch, title, &link).with_body(titles(&new, 10));
            deliver::to_users(&mut tx, std::slice::from_ref(&saved.user_id), &notice, None).await?;
        }
        if let Some(organisation) = organisation {
            let listings: Vec<serde_json::Value> = new
                .iter()
                .map(|f| json!({"kind": f.kind, "id": f.listing_id, "title": f.title, "link": path_of(f)}))
                .collect();
            let payload = json!({"topic": Topic::SavedSearch.code(), "title": format!("订阅“{}”有新结果", saved.name),
                "search": saved.name, "link": link, "listings": listings});
            crate::webhooks::store::enqueue(&mut tx, &organisation, Topic::SavedSearch.event(), &payload).await?;
        }
    }
    store::mark_checked(&mut tx, &saved.id, now).await?;
    tx.commit().await?;
    Ok(new.len())
}

/// Sends one search's digest of what it found since the last one (nothing when nothing).
async fn digest(db: &Db, saved: &SavedSearch, day: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let found = store::take_digest(&mut tx, &saved.id, day).await?;
    if !found.is_empty() {
        let title = format!("每日订阅摘要：“{}”{} 条新结果", saved.name, found.len());
        let notice = Notice::new(Topic::SavedSearch, title, link(&saved.params)).with_body(titles(&found, 30));
        deliver::to_users(&mut tx, std::slice::from_ref(&saved.user_id), &notice, None).await?;
    }
    tx.commit().await?;
    Ok(!found.is_empty())
}

/// One round at `now`.
pub async fn run(db: &Db, search: &Search, now: OffsetDateTime) -> Result<Round, sqlx::Error> {
    let searches = store::all_active(db).await?;
    let matched = matches(search, &searches).await;
    let stamp = to_stored(now);
    let mut round = Round { searches: searches.len(), ..Round::default() };
    for (saved, hits) in searches.iter().zip(matched) {
        let looked = crate::domain::time::parse_stored(&saved.checked_at).map(|at| to_stored(at - OVERLAP));
        let floor = looked.filter(|l| *l > saved.created_at).unwrap_or_else(|| saved.created_at.clone());
        let found = match hits {
            Some(hits) if !hits.is_empty() => published_after(db, &hits, &floor).await?,
            _ => Vec::new(),
        };
        round.reported += report(db, saved, &found, &stamp).await?;
    }
    let local = now.to_offset(SHANGHAI);
    if local.hour() >= DIGEST_HOUR {
        let today = crate::domain::forms::date_text(local.date());
        for saved in searches.iter().filter(|s| s.notify_digest && s.digest_on.as_deref() != Some(today.as_str())) {
            round.digests += usize::from(digest(db, saved, &today).await?);
        }
    }
    Ok(round)
}
