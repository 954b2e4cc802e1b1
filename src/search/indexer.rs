//! The one writer of this process's index. A thread follows `search_outbox`: it re-reads each
//! changed listing from the database (visible → upsert, otherwise delete) and commits with the
//! last applied sequence number as the commit payload, so a restart resumes exactly there. It
//! also notices when `techmarket reindex` swapped in a new generation and moves over to it, and
//! keeps the index near its merged speed: once it has been idle a while with more than a few
//! segments (what bulk imports and trickled edits leave, and tantivy's log merge policy does not
//! fold), it merges them into one in the background.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use tantivy::{IndexWriter, TantivyDocument, Term};

use super::generation::{self, Generation, IndexError, Payload};
use super::schema::SCHEMA_VERSION;
use super::source::{self, Listing};
use super::{Shared, outbox};
use crate::db::Db;
use crate::listings::Kind;

/// Writer memory for incremental updates (split between its threads).
const WRITER_BYTES: usize = 128 * 1024 * 1024;
/// Outbox rows applied per commit.
const BATCH: i64 = 5_000;
/// How long the thread waits for a nudge before looking at the outbox again.
const POLL: Duration = Duration::from_millis(100);
/// Idle this long (no outbox work) before segments are merged.
const IDLE_BEFORE_MERGE: Duration = Duration::from_secs(30);
/// More searchable segments than this are merged into one once the index is idle.
pub const MOST_SEGMENTS_WHEN_IDLE: usize = 4;

/// The generation's writer. A writer lock still held (a previous instance of this process
/// finishing its exit) is waited for briefly; one held for longer means another process uses
/// the same index directory, which is refused with a message saying so.
pub fn writer_for(generation: &Generation) -> Result<IndexWriter<TantivyDocument>, IndexError> {
    let mut attempts = 0;
    loop {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(2);
        match generation.index.writer_with_num_threads(threads, WRITER_BYTES) {
            Ok(writer) => return Ok(writer),
            Err(tantivy::TantivyError::LockFailure(..)) if attempts < 60 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(tantivy::TantivyError::LockFailure(..)) => {
                return Err(IndexError::Stale("索引目录正被另一个进程写入；每个应用进程需要自己的 index_dir".into()));
            }
            Err(other) => return Err(IndexError::Tantivy(other)),
        }
    }
}

pub struct Indexer {
    db: Db,
    shared: Weak<Shared>,
    generation: Arc<Generation>,
    writer: IndexWriter<TantivyDocument>,
    seq: i64,
    runtime: tokio::runtime::Handle,
    /// When the last outbox work was applied.
    idle_since: Instant,
    /// A background merge, and whether it has finished.
    merging: Option<Arc<AtomicBool>>,
}

impl Indexer {
    pub fn new(
        db: Db,
        shared: &Arc<Shared>,
        generation: Arc<Generation>,
        seq: i64,
        runtime: tokio::runtime::Handle,
    ) -> Result<Indexer, IndexError> {
        let writer = writer_for(&generation)?;
        let idle_since = Instant::now();
        Ok(Indexer { db, shared: Arc::downgrade(shared), generation, writer, seq, runtime, idle_since, merging: None })
    }

    /// Runs until the search handle is dropped or shut down.
    pub fn run(mut self) {
        loop {
            let Some(shared) = self.shared.upgrade() else { break };
            if shared.stop.load(Ordering::SeqCst) {
                drop(self.writer);
                shared.exited.store(true, Ordering::SeqCst);
                return;
            }
            let worked = match self.step(&shared) {
                Ok(worked) => worked,
                Err(e) => {
                    tracing::error!("搜索索引更新失败：{e}");
                    false
                }
            };
            if worked {
                self.idle_since = Instant::now();
            } else {
                self.merge_when_idle(&shared);
                shared.wait_for_nudge(POLL);
            }
        }
    }

    /// Applies one batch; returns whether there was anything to apply.
    fn step(&mut self, shared: &Arc<Shared>) -> Result<bool, IndexError> {
        self.follow_swap(shared)?;
        let changes = self.runtime.block_on(outbox::after(&self.db, self.seq, BATCH))?;
        let Some(last) = changes.last().map(|c| c.seq) else { return Ok(false) };
        let mut by_kind: BTreeMap<&'static str, (Kind, Vec<String>)> = BTreeMap::new();
        for change in &changes {
            let entry = by_kind.entry(change.kind.code()).or_insert_with(|| (change.kind, Vec::new()));
            if !entry.1.contains(&change.id) {
                entry.1.push(change.id.clone());
            }
        }
        let fields = self.generation.fields;
        for (kind, ids) in by_kind.into_values() {
            let listings = self.runtime.block_on(source::load(&self.db, kind, &ids))?;
            for (id, listing) in listings {
                self.writer.delete_term(Term::from_field_text(fields.key, &Listing::key(kind, &id)));
                if let Some(listing) = listing {
                    self.writer.add_document(listing.to_document(&fields))?;
                }
            }
        }
        commit(&mut self.writer, last)?;
        self.generation.reader.reload()?;
        self.seq = last;
        shared.applied.store(last, Ordering::SeqCst);
        Ok(true)
    }

    /// Starts merging every searchable segment into one when the index has been idle long enough
    /// (or a merge was asked for) and holds too many; picks up a finished merge. The merge runs
    /// on tantivy's threads while this one goes on applying the outbox.
    fn merge_when_idle(&mut self, shared: &Arc<Shared>) {
        if let Some(done) = &self.merging {
            if done.load(Ordering::SeqCst) {
                self.merging = None;
                if let Err(error) = self.generation.reader.reload() {
                    tracing::warn!(%error, "reloading the index after a merge failed");
                }
            }
            return;
        }
        let asked = shared.merge_asked.swap(false, Ordering::SeqCst);
        if !asked && self.idle_since.elapsed() < IDLE_BEFORE_MERGE {
            return;
        }
        let segments = match self.generation.index.searchable_segment_ids() {
            Ok(segments) => segments,
            Err(error) => {
                tracing::warn!(%error, "listing the index's segments failed");
                return;
            }
        };
        if segments.len() <= MOST_SEGMENTS_WHEN_IDLE && !(asked && segments.len() > 1) {
            return;
        }
        let merge = self.writer.merge(&segments);
        let done = Arc::new(AtomicBool::new(false));
        let (finished, wake, count) = (done.clone(), self.shared.clone(), segments.len());
        let started = std::thread::Builder::new().name("search-merge".into()).spawn(move || {
            let began = Instant::now();
            match merge.wait() {
                Ok(_) => tracing::info!(segments = count, elapsed = ?began.elapsed(), "搜索索引分段已合并"),
                Err(error) => tracing::warn!(%error, "merging the index's segments failed"),
            }
            finished.store(true, Ordering::SeqCst);
            if let Some(shared) = wake.upgrade() {
                shared.nudge();
            }
        });
        match started {
            Ok(_) => self.merging = Some(done),
            Err(error) => tracing::warn!(%error, "starting the merge thread failed"),
        }
    }

    /// Moves to the generation CURRENT names if another process swapped it.
    fn follow_swap(&mut self, shared: &Arc<Shared>) -> Result<(), IndexError> {
        let Some(name) = generation::current_name(shared.index_dir()) else { return Ok(()) };
        if name == self.generation.name {
            return Ok(());
        }
        let next = Arc::new(generation::open(shared.index_dir(), &name)?);
        let seq = next.payload()?.seq;
        let writer = writer_for(&next)?;
        let old = std::mem::replace(&mut self.writer, writer);
        drop(old);
        let previous = std::mem::replace(&mut self.generation, next.clone());
        self.seq = seq;
        shared.swap(next);
        tracing::info!("搜索索引已切换到 {name}（从变更 {seq} 继续）");
        drop(previous);
        generation::remove_older(shared.index_dir(), &name);
        Ok(())
    }
}

/// Commits with the payload that says how far the outbox was applied.
pub fn commit(writer: &mut IndexWriter<TantivyDocument>, seq: i64) -> Result<(), IndexError> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&Payload { schema: SCHEMA_VERSION, seq }.encode());
    prepared.commit()?;
    Ok(())
}
