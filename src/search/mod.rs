//! Chinese full-text search over public achievements and demands: a tantivy index derived from
//! the database and kept in step with it through `search_outbox` (see ARCHITECTURE.md §3 and
//! docs/SEARCH.md). The database stays the truth: results are re-checked against it before
//! anyone sees them.

pub mod api;
pub mod consistency;
pub mod engine;
pub mod facets;
pub mod focus;
pub mod generation;
pub mod indexer;
pub mod outbox;
pub mod pages;
pub mod params;
pub mod query;
pub mod rebuild;
pub mod results;
pub mod schema;
pub mod source;
pub mod text;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use generation::{Generation, IndexError};

use crate::db::Db;

/// What the search handle and the indexer thread share.
pub struct Shared {
    index_dir: PathBuf,
    current: RwLock<Arc<Generation>>,
    /// The last outbox row applied to the live generation.
    applied: AtomicI64,
    nudged: Mutex<bool>,
    wake: Condvar,
    /// Set to ask the indexer to finish; it sets `exited` once its writer is released.
    stop: AtomicBool,
    exited: AtomicBool,
    /// Set to have the indexer merge its segments at its next idle moment.
    merge_asked: AtomicBool,
}

impl Shared {
    pub fn index_dir(&self) -> &Path {
        &self.index_dir
    }

    fn swap(&self, next: Arc<Generation>) {
        if let Ok(payload) = next.payload() {
            self.applied.store(payload.seq, Ordering::SeqCst);
        }
        match self.current.write() {
            Ok(mut current) => *current = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }

    /// Wakes the indexer.
    fn nudge(&self) {
        if let Ok(mut nudged) = self.nudged.lock() {
            *nudged = true;
            self.wake.notify_all();
        }
    }

    fn wait_for_nudge(&self, timeout: Duration) {
        let Ok(mut nudged) = self.nudged.lock() else { return };
        if !*nudged {
            nudged = match self.wake.wait_timeout(nudged, timeout) {
                Ok((guard, _)) => guard,
                Err(_) => return,
            };
        }
        *nudged = false;
    }
}

/// The process's search: the live generation for queries and the indexer keeping it current.
#[derive(Clone)]
pub struct Search {
    shared: Arc<Shared>,
}

impl Search {
    /// Opens the current generation (rebuilding it when missing, corrupt, of another schema
    /// version, or older than the outbox still remembers) and starts the indexer thread, which
    /// replays what happened since its last commit.
    pub async fn start(db: &Db, index_dir: &Path) -> Result<Search, IndexError> {
        text::warm_up();
        std::fs::create_dir_all(index_dir)?;
        let generation = Arc::new(open_or_rebuild(db, index_dir).await?);
        let seq = generation.payload()?.seq;
        generation::remove_older(index_dir, &generation.name);
        let shared = Arc::new(Shared {
            index_dir: index_dir.to_path_buf(),
            current: RwLock::new(generation.clone()),
            applied: AtomicI64::new(seq),
            nudged: Mutex::new(false),
            wake: Condvar::new(),
            stop: AtomicBool::new(false),
            exited: AtomicBool::new(false),
            merge_asked: AtomicBool::new(false),
        });
        let indexer = indexer::Indexer::new(db.clone(), &shared, generation, seq, tokio::runtime::Handle::current())?;
        std::thread::Builder::new().name("search-indexer".into()).spawn(move || indexer.run())?;
        Ok(Search { shared })
    }

    /// The generation queries should use now.
    pub fn generation(&self) -> Arc<Generation> {
        match self.shared.current.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Asks the indexer to look at the outbox now rather than at its next poll.
    pub fn nudge(&self) {
        self.shared.nudge();
    }

    /// Asks the indexer to merge the index's segments into one now rather than after it has been
    /// idle a while (it does so by itself when there are more than a few).
    pub fn merge_soon(&self) {
        self.shared.merge_asked.store(true, Ordering::SeqCst);
        self.shared.nudge();
    }

    /// How many segments the index queries search.
    pub fn segments(&self) -> usize {
        self.generation().reader.searcher().segment_readers().len()
    }

    /// Stops the indexer and waits until it has released the index writer (at most 10 s).
    pub async fn shutdown(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let started = Instant::now();
        while !self.shared.exited.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(10) {
            self.nudge();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The last outbox row the live index reflects.
    pub fn applied_seq(&self) -> i64 {
        self.shared.applied.load(Ordering::SeqCst)
    }

    /// Waits until everything committed to the outbox so far is searchable; false on timeout.
    pub async fn catch_up(&self, db: &Db, timeout: Duration) -> Result<bool, sqlx::Error> {
        let target = outbox::last_seq(db).await?;
        let started = Instant::now();
        while self.applied_seq() < target {
            if started.elapsed() > timeout {
                return Ok(false);
            }
            self.nudge();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(true)
    }
}

async fn open_or_rebuild(db: &Db, index_dir: &Path) -> Result<Generation, IndexError> {
    if let Some(name) = generation::current_name(index_dir) {
        match generation::open(index_dir, &name) {
            Ok(generation) => {
                let seq = generation.payload()?.seq;
                let first = outbox::first_seq(db).await?;
                let last = outbox::last_seq(db).await?;
                if seq > last {
                    tracing::warn!("搜索索引比数据库新（索引 {seq}，数据库 {last}），重建索引");
                } else if first > seq + 1 {
                    tracing::warn!("搜索索引落后过多（{seq}，最早保留变更 {first}），重建索引");
                } else {
                    return Ok(generation);
                }
            }
            Err(e) => tracing::warn!("搜索索引 {name} 无法使用（{e}），重建索引"),
        }
    }
    let started = Instant::now();
    let generation = rebuild::rebuild(db, index_dir, &|_, _| {}).await?;
    match generation.reader.searcher().num_docs() {
        // A first start: the demo district (if any) is written after this and indexed as it lands.
        0 => tracing::info!("已新建搜索索引（数据库中暂无公开内容；之后发布的内容会自动收录）"),
        docs => tracing::info!("搜索索引已从数据库重建：收录 {docs} 条公开内容，用时 {:?}", started.elapsed()),
    }
    Ok(generation)
}
