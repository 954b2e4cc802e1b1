//! `techmarket bench history --rows N`: a registry ledger of N past registrations (2021–2025,
//! a few hundred sellers and buyers, every column of the template) written as a GBK CSV, then
//! checked (the dry run) and loaded through exactly the path the upload page uses; prints the time
//! of each step and rows/s.

use std::time::Instant;

use super::import::owner;
use crate::contracts::history::load::{self, Loader};
use crate::db::Db;

/// A reproducible generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below.max(1)
    }
}

const KINDS: [(&str, &str); 6] = [
    ("技术开发", "委托开发"),
    ("技术开发", "合作开发"),
    ("技术转让", "专利权转让"),
    ("技术许可", "技术秘密使用许可"),
    ("技术咨询", "技术咨询"),
    ("技术服务", "技术服务"),
];
const FIELDS: [&str; 5] = ["农业", "先进制造", "电子信息", "新材料及其应用", "环境保护与资源综合利用"];
const SELLER_NATURES: [&str; 3] = ["事业单位（科研机构）", "事业单位（高等院校）", "私营企业"];

/// The ledger as CSV text.
pub fn ledger(rows: usize, seed: u64) -> String {
    let mut rng = Lcg(seed);
    let mut out = String::from(
        "登记编号,合同名称,合同类型,合同子类,卖方名称,卖方单位性质,卖方所在地代码,买方名称,买方所在地代码,技术领域,签订日期,受理日期,登记日期,合同成交额（元）,设备购置费（元）,合同标的与技术内容\r\n",
    );
    let prefix = seed % 10_000;
    for n in 0..rows {
        let (kind, subtype) = KINDS[rng.next(KINDS.len() as u64) as usize];
        let year = 2021 + rng.next(5);
        let month = 1 + rng.next(12);
        let day = 1 + rng.next(20);
        let seller = rng.next(300);
        let buyer = rng.next(600);
        let total = 10_000 + rng.next(3_000_000);
        let equipment = if rng.next(4) == 0 { total / 5 } else { 0 };
        out.push_str(&format!(
            "HB{prefix:04}{n:08},历史合同{n}号（{subtype}）,{kind},{subtype},历史卖方单位{seller}号,{},620503,历史买方企业{buyer}号,62050{},{},{year}-{month:02}-{:02},{year}-{month:02}-{:02},{year}-{month:02}-{:02},{total},{equipment},{subtype}：历史登记台账第 {n} 行\r\n",
            SELLER_NATURES[(seller % 3) as usize],
            2 + rng.next(2),
            FIELDS[rng.next(FIELDS.len() as u64) as usize],
            day,
            day + 2,
            day + 8,
        ));
    }
    out
}

/// Runs the benchmark on the configured database.
pub async fn run(db: &Db, rows: usize, seed: u64) -> Result<(), String> {
    let (_, user) = owner(db).await?;
    let text = ledger(rows, seed);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    println!("历史登记台账：{rows} 行，GBK 编码 CSV {:.1} MB", gbk.len() as f64 / 1e6);
    let loader = Loader { user_id: &user, ip: "bench" };
    let t = Instant::now();
    let (id, _) = load::upload(db, &loader, "bench-ledger.csv", &gbk).await.map_err(|e| e.message)?;
    let checked = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let done = load::confirm(db, &loader, &id).await.map_err(|e| e.message)?;
    let loaded = t.elapsed().as_secs_f64();
    println!(
        "检查（演练，不保存）{checked:.1} s；确认导入 {} 份 {loaded:.1} s（含再次检查），{:.0} 份/s；合计 {:.1} s；合同成交额 {}",
        done.loaded,
        done.loaded as f64 / loaded.max(1e-9),
        checked + loaded,
        load::total_text(done.total_fen)
    );
    if done.invalid > 0 {
        println!("有误未导入：{} 行", done.invalid);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_ledger_reads_back_as_valid_rows() {
        let text = super::ledger(50, 7);
        let table = crate::contracts::history::sheet::read(text.as_bytes()).expect("csv");
        assert_eq!(table.rows.len(), 50);
    }
}
