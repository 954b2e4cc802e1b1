//! nDCG@k, MRR@k and Recall@k over TREC qrels and runs, ported from
//! `shared/tools/eval_metrics.py` (linear gain; averaged over queries with a relevant document;
//! a query missing from the run scores 0; `condensed` drops unjudged documents first).

use std::collections::{BTreeMap, HashMap};

/// qid → docid → grade.
pub type Qrels = BTreeMap<String, HashMap<String, i64>>;
/// qid → docids, best first.
pub type Run = HashMap<String, Vec<String>>;

pub fn parse_qrels(text: &str) -> Qrels {
    let mut qrels = Qrels::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() >= 4 {
            if let Ok(grade) = parts[3].parse() {
                qrels.entry(parts[0].to_string()).or_default().insert(parts[2].to_string(), grade);
            }
        }
    }
    qrels
}

/// Reads a run, ordering each query's documents by score (stable for ties, like Python's sort).
pub fn parse_run(text: &str) -> Run {
    let mut scored: HashMap<String, Vec<(f64, String)>> = HashMap::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() >= 5 {
            if let Ok(score) = parts[4].parse::<f64>() {
                scored.entry(parts[0].to_string()).or_default().push((score, parts[2].to_string()));
            }
        }
    }
    scored
        .into_iter()
        .map(|(q, mut docs)| {
            docs.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
            (q, docs.into_iter().map(|(_, d)| d).collect())
        })
        .collect()
}

fn dcg(gains: impl Iterator<Item = f64>) -> f64 {
    gains.enumerate().map(|(i, g)| g / ((i + 2) as f64).log2()).sum()
}

/// Averages over the judged queries.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scores {
    pub ndcg: f64,
    pub mrr: f64,
    pub recall_k: f64,
    pub recall_100: f64,
    pub queries: usize,
}

pub fn evaluate(qrels: &Qrels, run: &Run, k: usize, condensed: bool, min_rel: i64) -> Scores {
    let mut sums = Scores::default();
    let empty = Vec::new();
    for (qid, judged) in qrels {
        let relevant = judged.values().filter(|g| **g >= min_rel).count();
        if relevant == 0 {
            continue;
        }
        let ranked: Vec<&String> =
            run.get(qid).unwrap_or(&empty).iter().filter(|d| !condensed || judged.contains_key(d.as_str())).collect();
        let top = &ranked[..ranked.len().min(k)];
        let mut ideal: Vec<f64> = judged.values().filter(|g| **g > 0).map(|g| *g as f64).collect();
        ideal.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
        ideal.truncate(k);
        let grade = |d: &str| judged.get(d).copied().unwrap_or(0);
        let idcg = dcg(ideal.into_iter());
        if idcg > 0.0 {
            sums.ndcg += dcg(top.iter().map(|d| grade(d) as f64)) / idcg;
        }
        sums.mrr += top.iter().position(|d| grade(d) >= min_rel).map_or(0.0, |i| 1.0 / (i + 1) as f64);
        sums.recall_k += top.iter().filter(|d| grade(d) >= min_rel).count() as f64 / relevant as f64;
        sums.recall_100 += ranked.iter().take(100).filter(|d| grade(d) >= min_rel).count() as f64 / relevant as f64;
        sums.queries += 1;
    }
    let n = sums.queries.max(1) as f64;
    Scores {
        ndcg: sums.ndcg / n,
        mrr: sums.mrr / n,
        recall_k: sums.recall_k / n,
        recall_100: sums.recall_100 / n,
        queries: sums.queries,
    }
}

/// The query ids of a TSV (first column, header skipped), optionally only rows where
/// `column<value` or `column>=value` holds.
pub fn subset_ids(tsv: &str, filter: Option<&str>) -> Result<std::collections::HashSet<String>, String> {
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let condition = match filter {
        None => None,
        Some(f) => {
            let (name, op, value) = if let Some((n, v)) = f.split_once(">=") {
                (n, ">=", v)
            } else if let Some((n, v)) = f.split_once('<') {
                (n, "<", v)
            } else {
                return Err(format!("无法理解筛选条件 {f}（写作 列名<数值 或 列名>=数值）"));
            };
            let column = header.iter().position(|h| *h == name.trim()).ok_or_else(|| format!("没有列 {name}"))?;
            let value: f64 = value.trim().parse().map_err(|_| format!("{value} 不是数值"))?;
            Some((column, op, value))
        }
    };
    Ok(lines
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let keep = match condition {
                None => true,
                Some((c, op, v)) => {
                    let x: f64 = cols.get(c)?.trim().parse().ok()?;
                    if op == "<" { x < v } else { x >= v }
                }
            };
            keep.then(|| cols.first().map(|s| s.to_string())).flatten()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_on_a_hand_computed_case() {
        let qrels = parse_qrels("q1 0 a 2\nq1 0 b 0\nq1 0 c 1\nq2 0 x 1\nq3 0 z 0\n");
        let run = parse_run("q1 Q0 b 1 3.0 t\nq1 Q0 a 2 2.0 t\nq1 Q0 u 3 1.5 t\nq1 Q0 c 4 1.0 t\n");
        let s = evaluate(&qrels, &run, 10, false, 1);
        // q1: DCG = 2/log2(3) + 1/log2(5); IDCG = 2 + 1/log2(3). q2 is missing from the run: 0.
        let q1 = (2.0 / 3f64.log2() + 1.0 / 5f64.log2()) / (2.0 + 1.0 / 3f64.log2());
        assert!((s.ndcg - q1 / 2.0).abs() < 1e-12);
        assert!((s.mrr - 0.5 / 2.0).abs() < 1e-12);
        assert_eq!(s.queries, 2, "q3 has nothing relevant");
        let condensed = evaluate(&qrels, &run, 10, true, 1);
        assert!((condensed.mrr - 0.25).abs() < 1e-12, "b is judged, so a stays second");
    }
}
