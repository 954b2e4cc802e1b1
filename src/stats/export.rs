//! The goal report as a spreadsheet (XLSX: Chinese headers, amounts as numbers in 元 with a 元
//! format) and as CSV — the same figures the page shows.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::goal::percent_text;
use super::indicator_table::IndicatorRow;
use super::report::Report;
use crate::domain::money::Fen;

/// Amounts in 元 as spreadsheet numbers (exact: every fen amount below 2^53 fen is).
fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

/// Hundredths of a percent as a spreadsheet fraction (4,166 → 0.4166, shown as 41.66%).
fn ratio(bp: i64) -> f64 {
    bp as f64 / 10_000.0
}

/// The headline rows: (label, amount in fen or None, text).
fn headline(report: &Report) -> Vec<(String, Option<i64>, String)> {
    let f = &report.figures;
    vec![
        ("年度".to_string(), None, report.year.to_string()),
        ("统计口径".to_string(), None, format!("{} · {}", report.goal.basis.label(), report.goal.side.label())),
        ("数据截至".to_string(), None, report.as_of.clone()),
        ("年度目标".to_string(), Some(report.goal.amount.0), report.goal.amount.format_yuan()),
        ("已登记".to_string(), Some(f.so_far_fen), Fen(f.so_far_fen).format_yuan()),
        ("完成进度".to_string(), None, percent_text(f.progress_bp)),
        ("尚差".to_string(), Some(f.remaining_fen), Fen(f.remaining_fen).format_yuan()),
        (
            "按日均进度预计全年".to_string(),
            Some(f.run_rate_projection_fen),
            Fen(f.run_rate_projection_fen).format_yuan(),
        ),
        ("按月度趋势预计全年".to_string(), Some(f.trend_projection_fen), Fen(f.trend_projection_fen).format_yuan()),
        ("剩余每月须登记".to_string(), Some(f.required_per_month_fen), Fen(f.required_per_month_fen).format_yuan()),
        ("上年同期".to_string(), Some(f.last_year_to_date_fen), Fen(f.last_year_to_date_fen).format_yuan()),
        ("同比".to_string(), None, f.change_vs_last_year_bp.map(percent_text).unwrap_or_else(|| "—".to_string())),
    ]
}

/// The workbook: 目标进度, 按月, then one sheet per breakdown.
pub fn xlsx(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let percent = Format::new().set_num_format("0.00%");
    let sheet = workbook.add_worksheet().set_name("目标进度")?;
    sheet.set_column_width(0, 22)?;
    sheet.set_column_width(1, 24)?;
    sheet.write_string_with_format(0, 0, "项目", &bold)?;
    sheet.write_string_with_format(0, 1, "数值（金额单位：元）", &bold)?;
    for (i, (label, fen, text)) in headline(report).iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, label)?;
        match (fen, label.as_str()) {
            (Some(fen), _) => sheet.write_number_with_format(row, 1, yuan(*fen), &money)?,
            (None, "完成进度") => {
                sheet.write_number_with_format(row, 1, ratio(report.figures.progress_bp), &percent)?
            }
            (None, "同比") if report.figures.change_vs_last_year_bp.is_some() => sheet.write_number_with_format(
                row,
                1,
                ratio(report.figures.change_vs_last_year_bp.unwrap_or_default()),
                &percent,
            )?,
            (None, _) => sheet.write_string(row, 1, text)?,
        };
    }
    let sheet = workbook.add_worksheet().set_name("按月")?;
    for (col, title) in
        ["月份", "登记合同（份）", "当月登记额（元）", "累计（元）", "目标进度线（元）"].iter().enumerate()
    {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
        sheet.set_column_width(col as u16, 18)?;
    }
    for (i, month) in report.months.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, month["month"].as_str().unwrap_or_default())?;
        sheet.write_number(row, 1, month["contracts"].as_i64().unwrap_or(0) as f64)?;
        sheet.write_number_with_format(row, 2, yuan(month["amount_fen"].as_i64().unwrap_or(0)), &money)?;
        if let Some(c) = month["cumulative_fen"].as_i64() {
            sheet.write_number_with_format(row, 3, yuan(c), &money)?;
        }
        sheet.write_number_with_format(row, 4, yuan(month["goal_path_fen"].as_i64().unwrap_or(0)), &money)?;
    }
    for breakdown in &report.breakdowns {
        // A sheet is named by the title before any explanation in brackets (Excel allows 31 characters).
        let name = breakdown
            .title
            .trim_start_matches('按')
            .split('（')
            .next()
            .unwrap_or_default()
            .chars()
            .take(28)
            .collect::<String>();
        let sheet = workbook.add_worksheet().set_name(&name)?;
        for (col, title) in ["分类", "登记合同（份）", "金额（元）", "占比"].iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *title, &bold)?;
            sheet.set_column_width(col as u16, 20)?;
        }
        for (i, row) in breakdown.rows.iter().enumerate() {
            let r = i as u32 + 1;
            sheet.write_string(r, 0, &row.label)?;
            sheet.write_number(r, 1, row.contracts as f64)?;
            sheet.write_number_with_format(r, 2, yuan(row.amount_fen), &money)?;
            sheet.write_number_with_format(r, 3, ratio(row.share_bp), &percent)?;
        }
    }
    workbook.save_to_buffer()
}

use crate::domain::csv::cell;

/// The same report as CSV sections (UTF-8 with BOM; amounts in 元, exact).
pub fn csv(report: &Report) -> String {
    let mut out = String::from("\u{feff}项目,数值\r\n");
    for (label, fen, text) in headline(report) {
        let value = fen.map(|f| Fen(f).yuan_exact()).unwrap_or(text);
        out.push_str(&crate::domain::csv::line(&[label, value]));
    }
    out.push_str("\r\n月份,登记合同（份）,当月登记额（元）,累计（元）,目标进度线（元）\r\n");
    for month in &report.months {
        let fen = |key: &str| month[key].as_i64().map(|v| Fen(v).yuan_exact()).unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{}\r\n",
            month["month"].as_str().unwrap_or_default(),
            month["contracts"].as_i64().unwrap_or(0),
            fen("amount_fen"),
            fen("cumulative_fen"),
            fen("goal_path_fen")
        ));
    }
    for breakdown in &report.breakdowns {
        out.push_str(&format!("\r\n{},登记合同（份）,金额（元）,占比\r\n", cell(breakdown.title)));
        for row in &breakdown.rows {
            out.push_str(&format!(
                "{},{},{},{}\r\n",
                cell(&row.label),
                row.contracts,
                Fen(row.amount_fen).yuan_exact(),
                percent_text(row.share_bp)
            ));
        }
    }
    out
}

const INDICATOR_HEADERS: [&str; 10] =
    ["序号", "指标", "单位", "基期值", "基期年份", "2025年目标", "本年实际", "进度线应达", "状态", "数据来源"];

fn indicator_cells(row: &IndicatorRow) -> [String; 10] {
    [
        row.no.to_string(),
        row.name.to_string(),
        row.unit.to_string(),
        row.baseline.to_string(),
        row.baseline_year.to_string(),
        row.target.to_string(),
        row.actual.clone().unwrap_or_default(),
        row.expected.clone(),
        row.status_label.to_string(),
        match &row.published_on {
            Some(on) if !row.source.is_empty() => format!("{}（{on}）", row.source),
            _ => row.source.clone(),
        },
    ]
}

/// The indicator table as a workbook; numbers are written as numbers.
pub fn indicators_xlsx(year: i32, rows: &[IndicatorRow]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet().set_name(format!("{year}年主要指标"))?;
    for (col, title) in INDICATOR_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
        sheet.set_column_width(col as u16, if col == 1 { 40 } else { 14 })?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, text) in indicator_cells(row).iter().enumerate() {
            let numeric = matches!(col, 0 | 3 | 4 | 5 | 6 | 7);
            match text.parse::<f64>() {
                Ok(n) if numeric => sheet.write_number(r, col as u16, n)?,
                _ => sheet.write_string(r, col as u16, text)?,
            };
        }
    }
    workbook.save_to_buffer()
}

/// The indicator table as CSV (UTF-8 with BOM).
pub fn indicators_csv(rows: &[IndicatorRow]) -> String {
    let mut out = format!("\u{feff}{}\r\n", INDICATOR_HEADERS.join(","));
    for row in rows {
        let cells: Vec<String> = indicator_cells(row).iter().map(|c| cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}
