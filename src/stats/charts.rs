//! Charts drawn on the server as SVG: readable without JavaScript, printable, with a `<title>` and
//! `<desc>` for screen readers, Chinese labels in the page's own font.

use std::fmt::Write as _;

use crate::domain::money::Fen;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A round step (1, 2 or 5 × 10^k) that splits `max` into about five intervals.
fn nice_step(max: i64) -> i64 {
    let rough = (max.max(1) as f64 / 5.0).max(1.0);
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|s| *s >= rough).unwrap_or(10.0 * power);
    step.round().max(1.0) as i64
}

/// The goal's progress as a bar with the percentage written in it.
pub fn progress(bp: i64, title: &str) -> String {
    let width = 640.0;
    let filled = width * (bp.clamp(0, 10_000) as f64) / 10_000.0;
    let text = format!("{}.{:02}%", bp / 100, bp % 100);
    format!(
        "<svg class=\"chart chart-progress\" viewBox=\"0 0 {width} 44\" role=\"img\" aria-labelledby=\"pg-t\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"pg-t\">{title}：{text}</title>\
         <rect x=\"0\" y=\"6\" width=\"{width}\" height=\"32\" rx=\"6\" fill=\"#e8eef5\"/>\
         <rect x=\"0\" y=\"6\" width=\"{filled:.1}\" height=\"32\" rx=\"6\" fill=\"#0b5cad\"/>\
         <text x=\"{tx:.1}\" y=\"28\" font-size=\"15\" font-weight=\"700\" fill=\"{tc}\">{text}</text></svg>",
        title = escape(title),
        tx = if filled > 90.0 { filled - 80.0 } else { filled + 8.0 },
        tc = if filled > 90.0 { "#ffffff" } else { "#1f2933" },
    )
}

/// The cumulative registered amount month by month against the straight path to the goal.
pub fn cumulative(year: i32, cumulative: &[Option<i64>], goal_path: &[i64], title: &str) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 320.0, 86.0, 16.0, 20.0, 40.0);
    let max = goal_path.iter().copied().chain(cumulative.iter().flatten().copied()).max().unwrap_or(0).max(1);
    let step = nice_step(max);
    let top_value = ((max + step - 1) / step) * step;
    let x = |i: usize| left + (w - left - right) * (i as f64 + 0.5) / 12.0;
    let y = |v: i64| top + (h - top - bottom) * (1.0 - v as f64 / top_value as f64);
    let mut svg = format!(
        "<svg class=\"chart chart-line\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"cm-t cm-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"cm-t\">{}</title><desc id=\"cm-d\">{}</desc>",
        escape(title),
        escape(&describe(year, cumulative, goal_path)),
    );
    let mut tick = 0;
    while tick <= top_value {
        let ty = y(tick);
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\" stroke=\"#dde3ea\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#5f6b7a\">{}</text>",
            w - right,
            left - 8.0,
            ty + 4.0,
            escape(&Fen(tick).format_compact())
        );
        tick += step;
    }
    for i in 0..12 {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5f6b7a\">{}月</text>",
            x(i),
            h - bottom + 20.0,
            i + 1
        );
    }
    let goal_points: Vec<String> =
        goal_path.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect();
    let _ = write!(
        svg,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#d9822b\" stroke-width=\"2\" stroke-dasharray=\"6 5\"/>",
        goal_points.join(" ")
    );
    let actual: Vec<(usize, i64)> = cumulative.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    if !actual.is_empty() {
        let points: Vec<String> = actual.iter().map(|(i, v)| format!("{:.1},{:.1}", x(*i), y(*v))).collect();
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"3\"/>",
            points.join(" ")
        );
        for (i, v) in &actual {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#0b5cad\"><title>{}月累计 {}</title></circle>",
                x(*i),
                y(*v),
                i + 1,
                escape(&Fen(*v).format_compact())
            );
        }
    }
    let _ = write!(
        svg,
        "<g font-size=\"12\" fill=\"#1f2933\"><line x1=\"{left}\" x2=\"{}\" y1=\"10\" y2=\"10\" stroke=\"#0b5cad\" stroke-width=\"3\"/>\
         <text x=\"{}\" y=\"14\">累计登记额</text>\
         <line x1=\"{}\" x2=\"{}\" y1=\"10\" y2=\"10\" stroke=\"#d9822b\" stroke-width=\"2\" stroke-dasharray=\"6 5\"/>\
         <text x=\"{}\" y=\"14\">目标进度线</text></g></svg>",
        left + 24.0,
        left + 30.0,
        left + 120.0,
        left + 144.0,
        left + 150.0
    );
    svg
}

fn describe(year: i32, cumulative: &[Option<i64>], goal_path: &[i64]) -> String {
    let last = cumulative.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).next_back();
    match last {
        Some((i, v)) => format!(
            "{year}年截至{}月累计登记 {}，同期目标进度 {}",
            i + 1,
            Fen(v).format_compact(),
            Fen(goal_path.get(i).copied().unwrap_or(0)).format_compact()
        ),
        None => format!("{year}年尚无登记数据"),
    }
}

/// Horizontal bars of amounts (labelled in 元 units), largest first as given.
pub fn bars(slices: &[(String, i64)], title: &str) -> String {
    bars_with(slices, title, |v| Fen(v).format_compact())
}

/// Horizontal bars of counts.
pub fn count_bars(slices: &[(String, i64)], title: &str) -> String {
    bars_with(slices, title, |v| format!("{v} 条"))
}

fn bars_with(slices: &[(String, i64)], title: &str, value_text: impl Fn(i64) -> String) -> String {
    let rows = slices.len().max(1);
    let (w, label_w, row_h) = (520.0, 170.0, 36.0);
    let h = 12.0 + row_h * rows as f64;
    let max = slices.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let mut svg = format!(
        "<svg class=\"chart chart-bars\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape(title),
        escape(title)
    );
    if slices.is_empty() {
        let _ = write!(svg, "<text x=\"0\" y=\"26\" font-size=\"13\" fill=\"#5f6b7a\">暂无数据</text>");
    }
    for (i, (label, value)) in slices.iter().enumerate() {
        let y = 6.0 + row_h * i as f64;
        let bar = (w - label_w - 120.0) * (*value).max(0) as f64 / max as f64;
        let short: String = label.chars().take(12).collect();
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"16\" text-anchor=\"end\" fill=\"#1f2933\">{}</text>\
             <rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"24\" rx=\"3\" fill=\"#0b5cad\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"15\" fill=\"#5f6b7a\">{}</text>",
            label_w - 8.0,
            y + 18.0,
            escape(&short),
            label_w + bar + 6.0,
            y + 18.0,
            escape(&value_text(*value))
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_render_for_empty_single_month_and_full_year_data() {
        let goal: Vec<i64> = (1..=12).map(|m| 60_000_000_000 * m / 12).collect();
        let empty = cumulative(2026, &[None; 12], &goal, "累计登记额与目标");
        assert!(empty.contains("尚无登记数据") && !empty.contains("<circle"));
        let mut one = [None; 12];
        one[0] = Some(1_000_000_000);
        let single = cumulative(2026, &one, &goal, "累计登记额与目标");
        assert_eq!(single.matches("<circle").count(), 1);
        assert!(single.contains("截至1月累计登记 1,000万元"));
        let full: Vec<Option<i64>> = (1..=12).map(|m| Some(5_500_000_000 * m)).collect();
        let year = cumulative(2026, &full, &goal, "累计登记额与目标");
        assert_eq!(year.matches("<circle").count(), 12);
        assert!(year.contains("12月") && year.contains("<title id=\"cm-t\">累计登记额与目标</title>"));
        assert!(bars(&[], "按合同类型").contains("暂无数据"));
        let b = bars(&[("技术开发<script>".to_string(), 100), ("技术转让".to_string(), 50)], "按合同类型");
        assert!(b.contains("技术开发&lt;script&gt;") && !b.contains("<script>"));
        assert!(progress(4166, "目标完成度").contains("41.66%"));
        assert!(progress(12_000, "目标完成度").contains("width=\"640.0\""));
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(60_000_000_000), 20_000_000_000);
        assert_eq!(nice_step(1), 1);
        assert_eq!(nice_step(730), 200);
    }
}
