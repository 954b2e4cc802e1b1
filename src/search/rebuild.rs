//! Builds a whole new generation from the database tables and makes it current.

use std::path::Path;

use tantivy::indexer::NoMergePolicy;

use super::generation::{self, Generation, IndexError};
use super::indexer::commit;
use super::{outbox, source};
use crate::db::Db;
use crate::listings::Kind;

/// Writer memory for a full build.
const BUILD_BYTES: usize = 128 * 1024 * 1024;
const PAGE: i64 = 2_000;

/// Indexes every visible listing into a fresh generation, records the outbox position read
/// before the scan (later changes are replayed on top, which is harmless), merges it into one
/// segment and swaps it in. A build that fails leaves nothing behind and the live index as it
/// was. `progress(done, total)` is called after each page.
pub async fn rebuild(db: &Db, index_dir: &Path, progress: &dyn Fn(u64, u64)) -> Result<Generation, IndexError> {
    let generation = generation::create(index_dir)?;
    match build(db, &generation, progress).await {
        Ok(()) => {
            generation::make_current(index_dir, &generation.name)?;
            Ok(generation)
        }
        Err(e) => {
            let dir = generation.dir.clone();
            drop(generation);
            let _ = std::fs::remove_dir_all(dir);
            Err(e)
        }
    }
}

async fn build(db: &Db, generation: &Generation, progress: &dyn Fn(u64, u64)) -> Result<(), IndexError> {
    let seq = outbox::last_seq(db).await?;
    let total = u64::try_from(source::count(db, Kind::Achievement).await? + source::count(db, Kind::Demand).await?)
        .unwrap_or(0);
    let mut writer = generation.index.writer(BUILD_BYTES)?;
    // No background merges while building: the one merge at the end sees every segment.
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let mut done = 0u64;
    for kind in [Kind::Achievement, Kind::Demand] {
        let mut after = String::new();
        loop {
            let (listings, last) = source::page(db, kind, &after, PAGE).await?;
            let Some(last) = last else { break };
            for listing in &listings {
                writer.add_document(listing.to_document(&generation.fields))?;
            }
            done += u64::try_from(PAGE).unwrap_or(0).min(total.saturating_sub(done));
            progress(done, total);
            after = last;
        }
    }
    commit(&mut writer, seq)?;
    // A fresh index is read far more than written: one segment means one term lookup per
    // query word instead of one per segment.
    let segments = generation.index.searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    writer.wait_merging_threads()?;
    generation.reader.reload()?;
    Ok(())
}
