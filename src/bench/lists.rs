//! Contract-list timings at scale (run by `bench contracts` after loading): the administrators'
//! unfiltered list, deep pages by offset and by keyset cursor, every link of the goal dashboard,
//! a keyword search, and the streamed CSV export's whole run. Each list figure is one page of 20
//! with its total count, the way `/contracts` asks for it.

use std::time::{Duration, Instant};

use sqlx::Row as _;

use crate::config::Settings;
use crate::contracts::query::ListQuery;
use crate::contracts::query::{ListFilter, Scope};
use crate::contracts::records;
use crate::db::Db;
use crate::domain::time::today_shanghai;

fn blank() -> ListQuery {
    <ListQuery as Default>::default()
}

/// A dashboard link's query string read into the list's query.
fn query_of(link: &str) -> ListQuery {
    let mut query = blank();
    let text = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
    for pair in text.split('&') {
        let Some((name, value)) = pair.split_once('=') else { continue };
        let value = Some(value.to_string());
        match name {
            "status" => query.status = value,
            "year" => query.year = value.and_then(|v| v.parse().ok()),
            "month" => query.month = value,
            "contract_type" => query.contract_type = value,
            "technical_field" => query.technical_field = value,
            "seller_nature" => query.seller_nature = value,
            "buyer_nature" => query.buyer_nature = value,
            "seller_region" => query.seller_region = value,
            "buyer_region" => query.buyer_region = value,
            "broker" => query.broker = value,
            "q" => query.q = value,
            _ => {}
        }
    }
    query
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Five runs of one list page (with its count): the median and the slowest, in ms.
async fn time_page(db: &Db, query: &ListQuery, offset: i64) -> Result<(f64, f64, i64), String> {
    let filter = query.filter(Scope::All).map_err(|e| e.message)?;
    let mut times = Vec::new();
    let mut total = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let (rows, count) = records::list(db, &filter, offset, 20).await.map_err(|e| e.to_string())?;
        times.push(t.elapsed());
        total = count;
        std::hint::black_box(rows);
    }
    times.sort();
    Ok((ms(times[2]), ms(times[4]), total))
}

/// Prints the figures.
pub async fn run(db: &Db, settings: &Settings) -> Result<(), String> {
    let today = today_shanghai();
    let report = crate::stats::report::build(db, settings, today.year(), today).await.map_err(|e| e.to_string())?;
    let mut cases: Vec<(String, ListQuery, i64)> = vec![
        ("全部合同，第 1 页".to_string(), blank(), 0),
        ("全部合同，第 500 页（偏移 9,980）".to_string(), blank(), 9_980),
        ("状态=已登记，第 1 页".to_string(), ListQuery { status: Some("registered".into()), ..blank() }, 0),
        ("关键词“苹果”".to_string(), ListQuery { q: Some("苹果".into()), ..blank() }, 0),
        ("年度已登记（目标口径）".to_string(), query_of(&report.link), 0),
    ];
    for month in report.months.iter().step_by(4) {
        let link = month["link"].as_str().unwrap_or_default();
        cases.push((format!("月度链接 {}", month["month"].as_str().unwrap_or_default()), query_of(link), 0));
    }
    for breakdown in &report.breakdowns {
        for row in breakdown.rows.iter().take(2).chain(breakdown.rows.last()) {
            cases.push((format!("{}：{}", breakdown.title, row.label), query_of(&row.link), 0));
        }
    }
    let (mut slowest_median, mut slowest) = (0.0f64, 0.0f64);
    for (label, query, offset) in &cases {
        let (median, worst, total) = time_page(db, query, *offset).await?;
        slowest_median = slowest_median.max(median);
        slowest = slowest.max(worst);
        println!("  {label}：{total} 份，一页 20 份含计数 中位 {median:.1} ms，最慢 {worst:.1} ms（5 次）");
    }
    println!("合同列表与看板链接：{} 个查询，中位数最大 {slowest_median:.1} ms，单次最慢 {slowest:.1} ms", cases.len());

    // A deep page by keyset cursor: the row half-way down the list.
    let all = blank().filter(Scope::All).map_err(|e| e.message)?;
    let total = records::list(db, &all, 0, 1).await.map_err(|e| e.to_string())?.1;
    let middle = sqlx::query(&format!(
        "SELECT updated_at, id FROM contracts ORDER BY updated_at DESC, id DESC LIMIT 1 OFFSET {}",
        total / 2
    ))
    .fetch_optional(db.pool())
    .await
    .map_err(|e| e.to_string())?;
    if let Some(row) = middle {
        let after: (String, String) =
            (row.try_get("updated_at").unwrap_or_default(), row.try_get("id").unwrap_or_default());
        let filter = ListFilter { after: Some(after), ..all.clone() };
        let t = Instant::now();
        let rows = records::rows(db, &filter, 0, 20).await.map_err(|e| e.to_string())?;
        println!("游标翻页到第 {} 份之后的一页：{} 份，{:.1} ms", total / 2, rows.len(), ms(t.elapsed()));
    }

    // The whole export, streamed page by page (what `/contracts/export.csv` does), bytes counted.
    let t = Instant::now();
    let mut filter = all.clone();
    let (mut exported, mut bytes) = (0usize, crate::contracts::export::header().len());
    loop {
        let rows = records::rows(db, &filter, 0, 2_000).await.map_err(|e| e.to_string())?;
        exported += rows.len();
        bytes += crate::contracts::export::lines(&rows).len();
        match rows.last() {
            Some(last) if rows.len() == 2_000 => filter.after = Some(records::key_of(&filter, last)),
            _ => break,
        }
    }
    let seconds = t.elapsed().as_secs_f64();
    println!(
        "CSV 导出（流式，每次 2,000 行）：{exported} 行，{:.1} MB，{seconds:.1} s（{:.0} 行/s）",
        bytes as f64 / 1e6,
        exported as f64 / seconds.max(1e-9)
    );
    Ok(())
}
