//! Index directories. `index_dir/CURRENT` names the live generation (`g-<millis>-v<schema>`);
//! a rebuild writes a whole new generation beside it and then swaps the name, so neither a
//! reader nor another process's writer ever sees a half-built index.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy};

use super::schema::{Fields, SCHEMA_VERSION};
use super::text;

/// Why an index directory cannot be used as it is.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("搜索索引不可用：{0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("搜索索引目录读写失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("搜索索引的结构版本不符（{0}）")]
    Stale(String),
    #[error("读取数据库失败：{0}")]
    Db(#[from] sqlx::Error),
}

/// What each commit records: the schema it was written with and the last outbox row applied.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Payload {
    pub schema: u32,
    pub seq: i64,
}

impl Payload {
    pub fn encode(self) -> String {
        serde_json::to_string(&self).unwrap_or_default()
    }
}

/// One open generation: the index, a reader, its fields and where it lives.
pub struct Generation {
    pub name: String,
    pub dir: PathBuf,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
}

impl Generation {
    /// The payload of the last commit.
    pub fn payload(&self) -> Result<Payload, IndexError> {
        let metas = self.index.load_metas()?;
        let text = metas.payload.ok_or_else(|| IndexError::Stale("没有提交记录".into()))?;
        let payload: Payload = serde_json::from_str(&text).map_err(|e| IndexError::Stale(e.to_string()))?;
        if payload.schema != SCHEMA_VERSION {
            return Err(IndexError::Stale(format!("索引为第 {} 版，程序需要第 {SCHEMA_VERSION} 版", payload.schema)));
        }
        Ok(payload)
    }
}

fn pointer(index_dir: &Path) -> PathBuf {
    index_dir.join("CURRENT")
}

/// The live generation's name, if any.
pub fn current_name(index_dir: &Path) -> Option<String> {
    let name = fs::read_to_string(pointer(index_dir)).ok()?;
    let name = name.trim();
    (!name.is_empty() && !name.contains(['/', '\\', '.'])).then(|| name.to_string())
}

/// Points CURRENT at `name` (write a temporary file, then rename over the old one).
pub fn make_current(index_dir: &Path, name: &str) -> Result<(), IndexError> {
    let tmp = index_dir.join("CURRENT.tmp");
    let mut file = fs::File::create(&tmp)?;
    file.write_all(name.as_bytes())?;
    file.sync_all()?;
    fs::rename(&tmp, pointer(index_dir))?;
    Ok(())
}

/// A fresh, empty generation directory with a name that sorts after every earlier one.
pub fn create(index_dir: &Path) -> Result<Generation, IndexError> {
    fs::create_dir_all(index_dir)?;
    let millis = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    let mut name = format!("g-{millis}-v{SCHEMA_VERSION}");
    let mut n = 1;
    while index_dir.join(&name).exists() {
        name = format!("g-{millis}-{n}-v{SCHEMA_VERSION}");
        n += 1;
    }
    let dir = index_dir.join(&name);
    fs::create_dir_all(&dir)?;
    let (schema, fields) = Fields::schema();
    let index = Index::create_in_dir(&dir, schema)?;
    finish(name, dir, index, fields)
}

/// Opens a generation, refusing one whose schema differs from this program's.
pub fn open(index_dir: &Path, name: &str) -> Result<Generation, IndexError> {
    let dir = index_dir.join(name);
    let index = Index::open_in_dir(&dir)?;
    let (schema, fields) = Fields::schema();
    if index.schema() != schema {
        return Err(IndexError::Stale("字段不同".into()));
    }
    let generation = finish(name.to_string(), dir, index, fields)?;
    generation.payload()?;
    Ok(generation)
}

fn finish(name: String, dir: PathBuf, index: Index, fields: Fields) -> Result<Generation, IndexError> {
    text::register(&index);
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
    Ok(Generation { name, dir, index, reader, fields })
}

/// Deletes generations older than `keep` (names sort by creation time); newer ones may be a
/// rebuild in progress in another process and are left alone.
pub fn remove_older(index_dir: &Path, keep: &str) {
    let Ok(entries) = fs::read_dir(index_dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("g-") && older(&name, keep) {
            if let Err(e) = fs::remove_dir_all(entry.path()) {
                tracing::warn!("无法删除旧的搜索索引 {name}：{e}");
            }
        }
    }
}

fn millis_of(name: &str) -> u128 {
    name.split('-').nth(1).and_then(|m| m.parse().ok()).unwrap_or(0)
}

fn older(name: &str, than: &str) -> bool {
    name != than && millis_of(name) <= millis_of(than)
}
