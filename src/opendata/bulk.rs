//! Bulk files: every dataset as CSV (UTF-8 with BOM, for Excel) and as gzipped JSON lines,
//! written under `<data_dir>/open-data/` from the same pages the API serves, each file's SHA-256
//! taken as it is written, then a manifest. Regenerated daily (the first hour after Beijing
//! midnight) and whenever an administrator asks.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::store::{self, Query};
use crate::db::Db;
use crate::domain::open_data::Dataset;
use crate::domain::time::{SHANGHAI, now_stored, parse_stored, today_shanghai};

/// Records read per page while writing.
const PAGE: i64 = 500;

/// The bulk files and when they were written.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub generated_at: String,
    pub licence: String,
    pub files: Vec<BulkFile>,
}

/// One bulk file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BulkFile {
    pub dataset: String,
    /// `csv` or `jsonl.gz`.
    pub format: String,
    pub name: String,
    pub url: String,
    pub records: u64,
    pub bytes: u64,
    pub sha256: String,
}

/// Where the files live.
pub fn directory(data_dir: &Path) -> PathBuf {
    data_dir.join("open-data")
}

const MANIFEST: &str = "manifest.json";

/// The manifest of the files written last, if any.
pub async fn manifest(data_dir: &Path) -> Option<Manifest> {
    let text = tokio::fs::read(directory(data_dir).join(MANIFEST)).await.ok()?;
    serde_json::from_slice(&text).ok()
}

/// A writer that hashes and counts what passes through it.
struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hashing(path: &Path) -> std::io::Result<Hashing<std::io::BufWriter<std::fs::File>>> {
    Ok(Hashing { inner: std::io::BufWriter::new(std::fs::File::create(path)?), hasher: Sha256::new(), bytes: 0 })
}

/// Why the files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error("读取数据失败：{0}")]
    Database(#[from] sqlx::Error),
    #[error("写入文件失败：{0}")]
    File(#[from] std::io::Error),
}

/// One generation at a time in this process.
static GENERATING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Writes every dataset's two files and the manifest; the previous files stay served until the
/// new ones replace them (each is written beside, then renamed).
pub async fn generate(db: &Db, base: &str, data_dir: &Path) -> Result<Manifest, BulkError> {
    let _one = GENERATING.lock().await;
    let dir = directory(data_dir);
    tokio::fs::create_dir_all(&dir).await?;
    let generated_at = now_stored();
    let mut files = Vec::new();
    let mut written = Vec::new();
    for dataset in Dataset::ALL.iter().copied() {
        let csv_name = format!("{}.csv", dataset.code());
        let json_name = format!("{}.jsonl.gz", dataset.code());
        let (csv_tmp, json_tmp) = (dir.join(format!(".{csv_name}.tmp")), dir.join(format!(".{json_name}.tmp")));
        let mut csv = hashing(&csv_tmp)?;
        csv.write_all("\u{feff}".as_bytes())?;
        let header: Vec<&str> = dataset.fields().iter().map(|f| f.name).collect();
        csv.write_all(crate::domain::csv::line(&header).as_bytes())?;
        let mut json = GzEncoder::new(hashing(&json_tmp)?, Compression::default());
        let mut records = 0u64;
        let mut query = Query::default();
        loop {
            let page = store::page(db, base, dataset, &query, PAGE).await?;
            for record in &page.items {
                csv.write_all(crate::domain::csv::line(&record.cells()).as_bytes())?;
                serde_json::to_writer(&mut json, record).map_err(std::io::Error::other)?;
                json.write_all(b"\n")?;
                records += 1;
            }
            match page.next {
                Some(next) if dataset.incremental() => query.after = Some(next),
                _ => break,
            }
        }
        csv.flush()?;
        let mut json = json.finish()?;
        json.flush()?;
        for (name, format, writer) in
            [(csv_name, "csv", (csv.hasher, csv.bytes)), (json_name, "jsonl.gz", (json.hasher, json.bytes))]
        {
            files.push(BulkFile {
                dataset: dataset.code().to_string(),
                format: format.to_string(),
                url: format!("{base}/open-data/files/{name}"),
                name,
                records,
                bytes: writer.1,
                sha256: hex::encode(writer.0.finalize()),
            });
        }
        written.push((csv_tmp, dir.join(format!("{}.csv", dataset.code()))));
        written.push((json_tmp, dir.join(format!("{}.jsonl.gz", dataset.code()))));
    }
    for (from, to) in written {
        tokio::fs::rename(from, to).await?;
    }
    let manifest = Manifest { generated_at, licence: super::LICENCE.to_string(), files };
    let tmp = dir.join(format!(".{MANIFEST}.tmp"));
    tokio::fs::write(&tmp, serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?).await?;
    tokio::fs::rename(tmp, dir.join(MANIFEST)).await?;
    Ok(manifest)
}

/// Writes the files when there are none yet or the last ones are from an earlier Beijing day;
/// `Ok(None)` when they are fresh.
pub async fn refresh_if_stale(db: &Db, base: &str, data_dir: &Path) -> Result<Option<Manifest>, BulkError> {
    let fresh = manifest(data_dir)
        .await
        .and_then(|m| parse_stored(&m.generated_at))
        .is_some_and(|at| at.to_offset(SHANGHAI).date() >= today_shanghai());
    if fresh { Ok(None) } else { generate(db, base, data_dir).await.map(Some) }
}

/// The path of a file the manifest lists (nothing else under the directory is served).
pub async fn listed(data_dir: &Path, name: &str) -> Option<(PathBuf, BulkFile, String)> {
    let manifest = manifest(data_dir).await?;
    let file = manifest.files.into_iter().find(|f| f.name == name)?;
    Some((directory(data_dir).join(&file.name), file, manifest.generated_at))
}
