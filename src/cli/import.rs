//! `techmarket import FILE`: a spreadsheet of achievements or demands checked and loaded from
//! the command line, with the same dry run and rules as the web page, a progress bar while
//! batches are saved, and the report written as XLSX on request.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

use crate::achievements::model::Achievements;
use crate::auth::store::find_user_by_login;
use crate::db::Db;
use crate::demands::model::Demands;
use crate::domain::account::{AccountStatus, Role};
use crate::imports::check::{Checking, RowState};
use crate::imports::load::{self, Uploader};
use crate::imports::{Importable, store};
use crate::listings::Kind;
use crate::sheets::columns::header_of;
use crate::sheets::write::{self, RowReport};

/// What the command was asked.
pub struct ImportArgs<'a> {
    pub file: &'a Path,
    pub kind: &'a str,
    pub by: &'a str,
    pub organisation: Option<&'a str>,
    pub dry_run: bool,
    pub report: Option<&'a Path>,
}

/// The account the import is recorded under, and the organisation it is for.
async fn who(db: &Db, args: &ImportArgs<'_>) -> Result<(String, String), String> {
    let mut conn = db.pool().acquire().await.map_err(|e| e.to_string())?;
    let user = find_user_by_login(&mut conn, args.by)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("没有账号 {}", args.by))?;
    if user.status != AccountStatus::Active {
        return Err(format!("账号 {} 尚未通过审核或已停用", args.by));
    }
    let organisation = match (args.organisation, user.role == Role::Admin) {
        (Some(wanted), true) => sqlx::query_scalar::<_, String>(
            "SELECT id FROM organisations WHERE (id = $1 OR name = $1) AND kind IN ('institution', 'enterprise')",
        )
        .bind(wanted)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("没有名为（或编号为）“{wanted}”的高校院所或企业"))?,
        (Some(_), false) => return Err("只有管理员可以为其他单位导入；请去掉 --organisation".into()),
        (None, _) => user.organisation_id.clone().ok_or("该账号不属于任何单位；管理员请用 --organisation 指定")?,
    };
    Ok((user.id, organisation))
}

fn print_check<K: Importable>(checking: &Checking<K::Content>) {
    println!(
        "格式 {} · 共 {} 行：可导入 {}，已存在 {}，有误 {}",
        checking.table.format,
        checking.outcomes.len(),
        checking.count(RowState::Ok),
        checking.count(RowState::Exists),
        checking.count(RowState::Invalid)
    );
    for outcome in checking.outcomes.iter().filter(|o| o.state == RowState::Invalid).take(20) {
        for (field, message) in &outcome.errors {
            println!("  第 {} 行 · {}：{message}", outcome.line, header_of(K::COLUMNS, field));
        }
    }
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("保存 {bar:30} {pos}/{len} 行 · {per_sec} · {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

async fn run_kind<K: Importable>(db: &Db, args: &ImportArgs<'_>, bytes: &[u8]) -> Result<(), String> {
    let (user_id, organisation_id) = who(db, args).await?;
    let uploader = Uploader { user_id: &user_id, ip: "cli" };
    let name = args.file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let (id, checking) =
        load::upload::<K>(db, None, uploader, &organisation_id, None, &name, bytes).await.map_err(|e| e.message)?;
    print_check::<K>(&checking);
    if let Some(path) = args.report {
        let rows = checking
            .outcomes
            .iter()
            .map(|o| (o.line, RowReport { errors: o.errors.clone(), summary: o.summary(K::COLUMNS) }))
            .collect();
        let body = write::report(&checking.table, K::COLUMNS, &rows).map_err(|e| e.to_string())?;
        std::fs::write(path, body).map_err(|e| format!("无法写入 {}：{e}", path.display()))?;
        println!("检查结果已写入 {}", path.display());
    }
    if args.dry_run {
        println!("演练：未保存任何条目（导入记录 {id}，可在 /imports/{id} 查看和确认）");
        return Ok(());
    }
    let summary = store::summary(db, &id).await.map_err(|e| e.message)?;
    let bar = progress_bar();
    let advance = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let done = load::confirm::<K>(db, uploader, &summary, &advance).await.map_err(|e| e.message)?;
    bar.finish_and_clear();
    println!(
        "已导入 {} 项（待审核）；已存在跳过 {} 项，有误未导入 {} 行",
        done.loaded, done.skipped_existing, done.invalid
    );
    Ok(())
}

/// Runs the import on the configured database.
pub async fn run(db: &Db, args: &ImportArgs<'_>) -> Result<(), String> {
    let kind = Kind::from_code(args.kind).ok_or("--kind 应为 achievement（科技成果）或 demand（技术需求）")?;
    let bytes = std::fs::read(args.file).map_err(|e| format!("无法读取 {}：{e}", args.file.display()))?;
    match kind {
        Kind::Achievement => run_kind::<Achievements>(db, args, &bytes).await,
        Kind::Demand => run_kind::<Demands>(db, args, &bytes).await,
    }
}
