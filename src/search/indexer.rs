//! The one writer of this process's index. A thread follows `search_outbox`: it re-reads each
//! changed listing from the database (visible → upsert, otherwise delete) and commits with the
//! last applied sequence number as the commit payload, so a restart resumes exactly there. It
//! also notices when `techmarket reindex` swapped in a new generation and moves over to it.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

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
        Ok(Indexer { db, shared: Arc::downgrade(shared), generation, writer, seq, runtime })
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
            if !worked {
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
