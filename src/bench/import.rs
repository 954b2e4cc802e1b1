//! `techmarket bench import`: loads the corpora as published listings through the service
//! layer (validation, rows, audit events, search outbox) while this process's indexer follows
//! the outbox, and reports rows/s for the database and records/s until everything is searchable.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::corpus::{self, AchievementRecord, DemandRecord};
use crate::achievements::listing::Achievements;
use crate::achievements::model as achievement_model;
use crate::db::Db;
use crate::demands::listing::Demands;
use crate::demands::model as demand_model;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::org::{NatureCode, OrganisationKind};
use crate::listings::lifecycle::import_published;
use crate::search::Search;

/// Records per transaction.
pub const BATCH: usize = 1_000;

#[derive(Debug, Default)]
pub struct Totals {
    pub read: u64,
    pub imported: u64,
    pub rejected: u64,
    pub db_time: Duration,
}

pub(crate) fn bar(label: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos} 条 · {per_sec} · {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(label.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The organisation and account imported listings belong to (one per run).
pub(crate) async fn owner(db: &Db) -> Result<(String, String), String> {
    let failed = |e: sqlx::Error| format!("创建导入单位失败：{e}");
    let mut tx = db.begin_write().await.map_err(failed)?;
    let stamp = crate::domain::time::now_stored();
    let org = crate::orgs::store::insert(
        &mut tx,
        &crate::orgs::store::NewOrganisation {
            name: format!("基准数据导入（{stamp}）"),
            kind: OrganisationKind::Institution,
            credit_code: None,
            credit_code_overridden: false,
            nature: NatureCode::PublicResearch,
            region_code: "620503".into(),
        },
    )
    .await
    .map_err(failed)?;
    let user = crate::auth::store::insert_user(
        &mut tx,
        &crate::auth::store::NewUser {
            display_name: "数据导入".into(),
            email: Some(format!("import-{}@techmarket.invalid", uuid::Uuid::now_v7().simple())),
            mobile: None,
            // No password can match: this account only owns imported rows.
            password_hash: "!".into(),
            role: Role::Researcher,
            status: AccountStatus::Active,
            organisation_id: Some(org.to_string()),
        },
    )
    .await
    .map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    Ok((org.to_string(), user.to_string()))
}

async fn achievements(db: &Db, path: &Path, owner: &(String, String), limit: u64) -> Result<Totals, String> {
    let mut totals = Totals::default();
    let progress = bar("导入科技成果");
    let mut batch = Vec::with_capacity(BATCH);
    let mut records: Vec<AchievementRecord> = Vec::with_capacity(BATCH);
    let mut pending: Vec<Vec<AchievementRecord>> = Vec::new();
    corpus::for_each(path, |record: AchievementRecord| {
        if totals.read < limit {
            totals.read += 1;
            records.push(record);
            if records.len() == BATCH {
                pending.push(std::mem::take(&mut records));
            }
        }
        Ok(())
    })?;
    pending.push(records);
    for chunk in pending {
        batch.clear();
        for record in &chunk {
            match corpus::achievement_input(record).map(|input| achievement_model::validate(&input)) {
                Some(Ok(listing)) => batch.push((format!("{}:{}", record.source, record.id), listing)),
                _ => totals.rejected += 1,
            }
        }
        let started = Instant::now();
        let ids = import_published::<Achievements>(db, &owner.0, &owner.1, &batch)
            .await
            .map_err(|e| format!("写入科技成果失败：{e}"))?;
        totals.db_time += started.elapsed();
        totals.imported += ids.len() as u64;
        progress.inc(ids.len() as u64);
    }
    progress.finish_and_clear();
    Ok(totals)
}

async fn demands(db: &Db, path: &Path, owner: &(String, String), limit: u64) -> Result<Totals, String> {
    let mut totals = Totals::default();
    let today = crate::domain::time::today_shanghai();
    let until = crate::domain::forms::date_text(today + time::Duration::days(365));
    let records: Vec<DemandRecord> = corpus::read_lines(path)?;
    let progress = bar("导入技术需求");
    for chunk in records.chunks(BATCH) {
        let chunk = &chunk[..chunk.len().min(usize::try_from(limit.saturating_sub(totals.read)).unwrap_or(0))];
        if chunk.is_empty() {
            break;
        }
        totals.read += chunk.len() as u64;
        let mut batch = Vec::with_capacity(chunk.len());
        for record in chunk {
            match corpus::demand_input(record, &until).map(|input| demand_model::validate(&input, today)) {
                Some(Ok(demand)) => batch.push((format!("{}:{}", record.source, record.id), demand)),
                _ => totals.rejected += 1,
            }
        }
        let started = Instant::now();
        let ids = import_published::<Demands>(db, &owner.0, &owner.1, &batch)
            .await
            .map_err(|e| format!("写入技术需求失败：{e}"))?;
        totals.db_time += started.elapsed();
        totals.imported += ids.len() as u64;
        progress.inc(ids.len() as u64);
    }
    progress.finish_and_clear();
    Ok(totals)
}

fn rate(n: u64, d: Duration) -> f64 {
    if d.is_zero() { 0.0 } else { n as f64 / d.as_secs_f64() }
}

/// Runs the import and prints the figures.
pub async fn run(
    db: &Db,
    index_dir: &Path,
    achievement_file: Option<PathBuf>,
    demand_file: Option<PathBuf>,
    limit: Option<u64>,
) -> Result<(), String> {
    let search = Search::start(db, index_dir).await.map_err(|e| e.to_string())?;
    let docs_before = search.generation().reader.searcher().num_docs();
    // Achievements and demands come from different organisations, as in the library: an
    // organisation is never recommended its own listings.
    let seller = owner(db).await?;
    let buyer = owner(db).await?;
    let limit = limit.unwrap_or(u64::MAX);
    let started = Instant::now();
    let mut all = Totals::default();
    for (label, totals) in [
        (
            "科技成果",
            match &achievement_file {
                Some(path) => Some(achievements(db, path, &seller, limit).await?),
                None => None,
            },
        ),
        (
            "技术需求",
            match &demand_file {
                Some(path) => Some(demands(db, path, &buyer, limit).await?),
                None => None,
            },
        ),
    ] {
        let Some(t) = totals else { continue };
        println!(
            "{label}：读取 {} 条，导入 {} 条，未通过校验 {} 条；数据库写入 {:.1} 秒，{:.0} 条/秒（含校验外的行、审计、outbox）",
            t.read,
            t.imported,
            t.rejected,
            t.db_time.as_secs_f64(),
            rate(t.imported, t.db_time)
        );
        all.imported += t.imported;
        all.db_time += t.db_time;
    }
    let written = started.elapsed();
    let waiting = bar("等待索引追上");
    let caught = search.catch_up(db, Duration::from_secs(3600)).await.map_err(|e| e.to_string())?;
    waiting.finish_and_clear();
    let total = started.elapsed();
    let docs = search.generation().reader.searcher().num_docs() - docs_before;
    println!(
        "合计：导入 {} 条；数据库写入 {:.0} 条/秒；写入阶段墙钟 {:.1} 秒",
        all.imported,
        rate(all.imported, all.db_time),
        written.as_secs_f64()
    );
    println!(
        "索引：新增 {docs} 篇文档，{}；自开始至全部可搜索 {:.1} 秒，端到端 {:.0} 条/秒",
        if caught { "已追上" } else { "超时未追上" },
        total.as_secs_f64(),
        rate(all.imported, total)
    );
    Ok(())
}
