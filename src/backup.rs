//! `techmarket backup <file>` and `techmarket restore <file>`: a copy of the whole database that is
//! complete on its own, and a way back from it that proves what it restored.
//!
//! SQLite: `VACUUM INTO` writes a consistent, self-contained copy while the server runs (what is
//! still in the write-ahead log is included; copying `techmarket.db` by hand is not a backup).
//! PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean`, the tools of the server's own
//! version. Both ends verify: the audit chain, the contract totals against a recomputation, and
//! after a restore the search index is rebuilt from the restored tables.

use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::Executor as _;

use crate::config::Settings;
use crate::db::{Backend, Db, sqlite_path};

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub audit_events: u64,
    pub contracts: i64,
    pub achievements: i64,
    pub demands: i64,
}

impl std::fmt::Display for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "审计日志 {} 条（哈希链完整），合同 {} 份（汇总与逐笔重算一致），科技成果 {} 项，技术需求 {} 项",
            self.audit_events, self.contracts, self.achievements, self.demands
        )
    }
}

async fn count(db: &Db, table: &str) -> Result<i64, String> {
    sqlx::query_scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"))
        .fetch_one(db.pool())
        .await
        .map_err(|e| format!("读取 {table} 失败：{e}"))
}

/// The checks every backup and restore ends with; an error names what does not hold.
pub async fn verify(db: &Db) -> Result<Verified, String> {
    let audit = crate::audit::verify(db).await.map_err(|e| format!("读取审计日志失败：{e}"))?;
    if let Some(link) = audit.first_broken {
        return Err(format!("审计日志哈希链在 seq {} 处断裂：{}", link.seq, link.reason));
    }
    let stored = crate::contracts::totals::stored(db).await.map_err(|e| format!("读取合同汇总失败：{e}"))?;
    let recomputed = crate::contracts::totals::recomputed(db).await.map_err(|e| format!("重算合同汇总失败：{e}"))?;
    if stored != recomputed {
        return Err(format!("合同汇总与逐笔重算不一致（汇总 {} 行，重算 {} 行）", stored.len(), recomputed.len()));
    }
    Ok(Verified {
        audit_events: audit.checked,
        contracts: count(db, "contracts").await?,
        achievements: count(db, "achievements").await?,
        demands: count(db, "demands").await?,
    })
}

fn sqlite_file(settings: &Settings) -> Result<PathBuf, String> {
    sqlite_path(&settings.database_url).ok_or_else(|| format!("无法从 {} 得到数据库文件", settings.database_url))
}

/// SQL string literal.
fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "''"))
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("无法运行 {what}：{e}（请安装 PostgreSQL 客户端工具）"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{what} 失败：{}", String::from_utf8_lossy(&output.stderr).trim()))
    }
}

/// Writes a backup of the configured database to `target` (which must not exist yet) and
/// verifies it.
pub async fn backup(settings: &Settings, target: &Path) -> Result<Verified, String> {
    if target.exists() {
        return Err(format!("{} 已存在；备份不会覆盖已有文件", target.display()));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("无法创建目录 {}：{e}", dir.display()))?;
    }
    let db = Db::open(&settings.database_url, 2).await.map_err(|e| e.to_string())?;
    let verified = match db.backend() {
        Backend::Sqlite => {
            db.pool()
                .execute(format!("VACUUM INTO {}", quoted(target)).as_str())
                .await
                .map_err(|e| format!("写入备份失败：{e}"))?;
            // The copy alone, opened as it will be restored: everything must be in it.
            let copy = Db::connect(&crate::config::sqlite_url_for(target), 1).await.map_err(|e| e.to_string())?;
            let verified = verify(&copy).await.map_err(|e| format!("备份文件校验未通过：{e}"))?;
            copy.close().await;
            verified
        }
        Backend::Postgres => {
            run(
                Command::new("pg_dump")
                    .args(["--format=custom", "--no-owner", "--file"])
                    .arg(target)
                    .arg(&settings.database_url),
                "pg_dump",
            )?;
            verify(&db).await?
        }
    };
    db.close().await;
    Ok(verified)
}

/// Replaces the configured database with the backup in `source`, migrates it to this version,
/// verifies it and rebuilds the search index. The server must be stopped; an existing non-empty
/// database is replaced only with `force`.
pub async fn restore(settings: &Settings, source: &Path, force: bool) -> Result<(Verified, u64), String> {
    if !source.is_file() {
        return Err(format!("找不到备份文件 {}", source.display()));
    }
    let backend = Backend::from_url(&settings.database_url).ok_or("数据库地址无法识别")?;
    match backend {
        Backend::Sqlite => {
            let file = sqlite_file(settings)?;
            // Check the backup before touching anything.
            let candidate = Db::connect(&crate::config::sqlite_url_for(source), 1).await.map_err(|e| e.to_string())?;
            verify(&candidate).await.map_err(|e| format!("备份文件校验未通过，未做任何改动：{e}"))?;
            candidate.close().await;
            if file.exists() && !force && holds_data(settings).await? {
                return Err(format!("{} 已有数据；确认要用备份替换时加 --force", file.display()));
            }
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| format!("无法创建目录 {}：{e}", dir.display()))?;
            }
            let staging = file.with_extension("restoring");
            std::fs::copy(source, &staging).map_err(|e| format!("复制备份失败：{e}"))?;
            std::fs::File::open(&staging).and_then(|f| f.sync_all()).map_err(|e| format!("写入失败：{e}"))?;
            for suffix in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{}{suffix}", file.display()));
                if side.exists() {
                    std::fs::remove_file(&side).map_err(|e| format!("无法删除 {}：{e}", side.display()))?;
                }
            }
            std::fs::rename(&staging, &file).map_err(|e| format!("替换数据库文件失败：{e}"))?;
        }
        Backend::Postgres => {
            if !force && holds_data(settings).await? {
                return Err("目标数据库已有数据；确认要用备份替换时加 --force".into());
            }
            run(
                Command::new("pg_restore")
                    .args(["--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname"])
                    .arg(&settings.database_url)
                    .arg(source),
                "pg_restore",
            )?;
        }
    }
    let db = Db::open(&settings.database_url, 4).await.map_err(|e| e.to_string())?;
    let verified = verify(&db).await.map_err(|e| format!("恢复后的数据库校验未通过：{e}"))?;
    let generation =
        crate::search::rebuild::rebuild(&db, &settings.index_dir, &|_, _| {}).await.map_err(|e| e.to_string())?;
    let documents = generation.reader.searcher().num_docs();
    db.close().await;
    Ok((verified, documents))
}

/// Whether the configured database already holds accounts or organisations.
async fn holds_data(settings: &Settings) -> Result<bool, String> {
    let Ok(db) = Db::connect(&settings.database_url, 1).await else {
        return Ok(false);
    };
    let users: Result<i64, _> =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM users").fetch_one(db.pool()).await;
    db.close().await;
    Ok(users.is_ok_and(|n| n > 0))
}
