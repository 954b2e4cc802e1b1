//! `bench sheet`: a university office's spreadsheet of N achievements (XLSX, 2 % of rows with a
//! bad cell) uploaded, checked and loaded into the review queue on the configured database, then
//! uploaded again (nothing new). Prints the time of each step and rows per second.

use std::time::Instant;

use rust_xlsxwriter::Workbook;

use crate::achievements::model::Achievements;
use crate::db::Db;
use crate::imports::load::{self, Uploader};
use crate::imports::{Importable, store};

const PLACES: [&str; 6] = ["麦积", "秦州", "甘谷", "武山", "清水", "秦安"];
const SUBJECTS: [&str; 8] = ["苹果", "花椒", "数控机床", "中药材", "光伏组件", "电子元器件", "果蔬冷链", "铸造件"];
const METHODS: [&str; 6] = ["智能检测", "节能烘干", "精密加工", "低温贮藏", "在线监测", "绿色制备"];

/// The workbook: the template's columns, `rows` rows; every 50th has a technology readiness
/// level out of range.
pub fn workbook(rows: usize) -> Result<Vec<u8>, String> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let columns = <Achievements as Importable>::COLUMNS;
    let example = <Achievements as Importable>::example();
    let failed = |e: rust_xlsxwriter::XlsxError| e.to_string();
    for (col, column) in columns.iter().enumerate() {
        sheet.write_string(0, col as u16, column.header).map_err(failed)?;
    }
    for i in 0..rows {
        let row = i as u32 + 1;
        let title = format!(
            "{}{}{}技术（第 {} 号）",
            PLACES[i % PLACES.len()],
            SUBJECTS[(i / 6) % SUBJECTS.len()],
            METHODS[(i / 48) % METHODS.len()],
            i + 1
        );
        for (col, column) in columns.iter().enumerate() {
            let value = match column.field {
                "title" => title.clone(),
                "patent_numbers" | "ip_carriers" => String::new(),
                "trl" if i % 50 == 49 => "12".to_string(),
                _ => example[col].clone(),
            };
            if !value.is_empty() {
                sheet.write_string(row, col as u16, &value).map_err(failed)?;
            }
        }
    }
    workbook.save_to_buffer().map_err(failed)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Runs the benchmark on the configured database.
pub async fn run(db: &Db, rows: usize) -> Result<(), String> {
    let (organisation, user) = super::import::owner(db).await?;
    let t = Instant::now();
    let bytes = workbook(rows)?;
    println!(
        "成果表格：{rows} 行，XLSX {:.1} MB，生成 {:.1} s；数据库 {}；负载 {}",
        bytes.len() as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        db.backend().name(),
        load_average()
    );
    let uploader = Uploader { user_id: &user, ip: "bench" };
    let t = Instant::now();
    let (id, checking) = load::upload::<Achievements>(db, None, uploader, &organisation, None, "bench.xlsx", &bytes)
        .await
        .map_err(|e| e.message)?;
    let checked = t.elapsed().as_secs_f64();
    println!(
        "上传与检查（演练，不保存）{checked:.2} s，{:.0} 行/s：可导入 {}，有误 {}",
        rows as f64 / checked.max(1e-9),
        checking.ready.len(),
        checking.outcomes.len() - checking.ready.len()
    );
    let summary = store::summary(db, &id).await.map_err(|e| e.message)?;
    let quiet = |_: usize, _: usize| {};
    let t = Instant::now();
    let done = load::confirm::<Achievements>(db, uploader, &summary, &quiet).await.map_err(|e| e.message)?;
    let loaded = t.elapsed().as_secs_f64();
    println!(
        "确认导入 {} 项（含再次检查）{loaded:.2} s，{:.0} 行/s；合计 {:.1} s",
        done.loaded,
        done.loaded as f64 / loaded.max(1e-9),
        checked + loaded
    );
    let t = Instant::now();
    let (_, again) = load::upload::<Achievements>(db, None, uploader, &organisation, None, "bench.xlsx", &bytes)
        .await
        .map_err(|e| e.message)?;
    println!(
        "同一文件再次上传：{:.2} s，已存在 {} 行，可导入 {} 行",
        t.elapsed().as_secs_f64(),
        again.count(crate::imports::check::RowState::Exists),
        again.ready.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bench_workbook_checks_as_described() {
        let bytes = super::workbook(100).expect("xlsx");
        let table = crate::imports::check::read::<crate::achievements::model::Achievements>(&bytes).expect("read");
        let checking = crate::imports::check::check_table::<crate::achievements::model::Achievements>(
            table,
            &std::collections::HashSet::new(),
        );
        assert_eq!(checking.ready.len(), 98, "every 50th row is bad");
    }
}
