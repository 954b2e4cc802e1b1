//! `eval duplicates`: the near-duplicate detector measured on the corpus. From the records with
//! an abstract in one half of the corpus (by id), a library is indexed; 1,000 of its records are
//! copied with the edits people make when they list the same thing again (a suffix or 一种, words
//! swapped for near-synonyms, sentences reordered, characters dropped, a shortened abstract),
//! and 1,000 other records are asked as new. Each is put to the detector exactly as the site
//! does (index candidates, then `similarity`); precision and recall are printed per threshold.

use std::collections::HashMap;
use std::path::Path;

use crate::bench::corpus::{self, AchievementRecord};
use crate::duplicates::detect::index_request;
use crate::duplicates::similarity::{THRESHOLD, Text, resemblance};
use crate::listings::Kind;
use crate::search::engine;
use crate::search::source::{FOREVER, Listing};

/// A question's original (for a copy) and each candidate's score.
type Scored = (Option<String>, Vec<(String, f32)>);

/// Which half a record belongs to: `dev` tunes, `test` confirms.
fn half(id: &str) -> &'static str {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    if hash % 2 == 0 { "dev" } else { "test" }
}

const SYNONYMS: [(&str, &str); 8] = [
    ("研究", "研发"),
    ("方法", "方案"),
    ("技术", "工艺"),
    ("系统", "装置"),
    ("基于", "依托"),
    ("提高", "提升"),
    ("应用", "运用"),
    ("分析", "研判"),
];

/// A copy of a record, edited the `variant`-th way.
fn paraphrase(title: &str, summary: &str, variant: usize) -> (String, String) {
    let swap = |text: &str| SYNONYMS.iter().fold(text.to_string(), |t, (a, b)| t.replace(a, b));
    let sentences: Vec<&str> = summary.split_inclusive(['。', '；', '.']).collect();
    match variant % 4 {
        0 => (format!("{title}（改进型）"), sentences.iter().rev().copied().collect()),
        1 => (format!("一种{}", swap(title)), swap(summary)),
        2 => {
            // Every seventh character dropped from the abstract, the title's halves swapped.
            let chars: Vec<char> = title.chars().collect();
            let (a, b) = chars.split_at(chars.len() / 2);
            let title: String = b.iter().chain(a.iter()).collect();
            (title, summary.chars().enumerate().filter(|(i, _)| i % 7 != 3).map(|(_, c)| c).collect())
        }
        _ => {
            let half: String = summary.chars().take(summary.chars().count() / 2).collect();
            (format!("{} 技术及应用", title.trim_end_matches("研究")), half)
        }
    }
}

/// Runs the evaluation on `half` (`dev` or `test`) of the corpus.
pub fn run(corpus_path: &Path, which: &str, library_size: usize, queries: usize) -> Result<(), String> {
    let records: Vec<AchievementRecord> = corpus::read_lines(corpus_path)?;
    let library: Vec<AchievementRecord> = records
        .into_iter()
        .filter(|r| {
            // A listing always has a title (4–100 characters); records without one are not listings.
            let title = r.title.chars().count();
            !r.synthetic && (4..=100).contains(&title) && r.abstract_text.chars().count() >= 60 && half(&r.id) == which
        })
        .take(library_size)
        .collect();
    if library.len() < 2 * queries {
        return Err(format!("语料中符合条件的记录只有 {} 条", library.len()));
    }
    // The index identifies listings by uuid: each record gets one from its place in the library.
    let uuid_of = |i: usize| uuid::Uuid::from_u128(i as u128 + 1).to_string();
    let docs: Vec<Listing> = library
        .iter()
        .enumerate()
        .map(|(i, r)| Listing {
            kind: Some(Kind::Achievement),
            id: uuid_of(i),
            title: r.title.clone(),
            summary: r.abstract_text.clone(),
            status: "published".into(),
            visible_until: FOREVER,
            ..Listing::default()
        })
        .collect();
    let dir = tempfile_dir()?;
    let generation = super::run::build_index(&dir, &docs)?;
    let by_id: HashMap<String, &AchievementRecord> = library.iter().enumerate().map(|(i, r)| (uuid_of(i), r)).collect();
    let stride = library.len() / (2 * queries);
    // (the record asked about, the original it copies if any, title, summary)
    let mut asked: Vec<(String, Option<String>, String, String)> = Vec::new();
    for i in 0..queries {
        let original = &library[2 * i * stride];
        let (title, summary) = paraphrase(&original.title, &original.abstract_text, i);
        asked.push((format!("copy-{i}"), Some(uuid_of(2 * i * stride)), title, summary));
        let other = &library[(2 * i + 1) * stride];
        asked.push((uuid_of((2 * i + 1) * stride), None, other.title.clone(), other.abstract_text.clone()));
    }
    // The best score per candidate for every question, once; thresholds are applied after.
    let mut scored: Vec<Scored> = Vec::new();
    for (own, original, title, summary) in &asked {
        let asking = Text { title, summary, patents: &[] };
        let request = index_request(Kind::Achievement, &asking, 10);
        let hits = engine::search(&generation, &request).map_err(|e| e.to_string())?.hits;
        let found: Vec<(String, f32)> = hits
            .iter()
            .filter(|h| &h.id != own)
            .filter_map(|h| by_id.get(&h.id).map(|r| (h.id.clone(), r)))
            .map(|(id, r)| {
                let stored = Text { title: &r.title, summary: &r.abstract_text, patents: &[] };
                (id, resemblance(&asking, &stored).score)
            })
            .collect();
        scored.push((original.clone(), found));
    }
    println!(
        "查重评估（{which} 半）：库 {} 条（有摘要的真实记录），改写副本 {queries} 条，新条目 {queries} 条；候选：索引前 10 条",
        library.len()
    );
    println!("阈值\t精确率\t召回率\t误报（新条目被标为重复）");
    for step in 7..=16 {
        let threshold = step as f32 * 0.05;
        let (mut hits, mut false_alarms, mut flagged_new) = (0usize, 0usize, 0usize);
        for (original, found) in &scored {
            let flagged: Vec<&String> = found.iter().filter(|(_, s)| *s >= threshold).map(|(id, _)| id).collect();
            match original {
                Some(original) => {
                    if flagged.contains(&original) {
                        hits += 1;
                    }
                    false_alarms += flagged.iter().filter(|id| **id != original).count();
                }
                None => {
                    false_alarms += flagged.len();
                    flagged_new += usize::from(!flagged.is_empty());
                }
            }
        }
        let precision = hits as f64 / (hits + false_alarms).max(1) as f64;
        let recall = hits as f64 / queries as f64;
        println!("{threshold:.2}\t{precision:.3}\t{recall:.3}\t{flagged_new}/{queries}");
    }
    // Recall by kind of edit, at the site's threshold.
    let mut by_variant = [0usize; 4];
    for (i, (original, found)) in scored.iter().filter(|(o, _)| o.is_some()).enumerate() {
        let original = original.as_deref().unwrap_or_default();
        if found.iter().any(|(id, s)| id == original && *s >= THRESHOLD) {
            by_variant[i % 4] += 1;
        }
    }
    let per = (queries / 4).max(1) as f64;
    let retrieved =
        scored.iter().filter(|(o, found)| o.as_ref().is_some_and(|o| found.iter().any(|(id, _)| id == o))).count();
    println!("原条目出现在索引候选中的比例：{:.3}", retrieved as f64 / queries as f64);
    println!(
        "阈值 {THRESHOLD:.2} 时各改写方式的召回：加后缀并倒序句子 {:.3}，近义词替换 {:.3}，标题对调并删字 {:.3}，缩短摘要 {:.3}",
        by_variant[0] as f64 / per,
        by_variant[1] as f64 / per,
        by_variant[2] as f64 / per,
        by_variant[3] as f64 / per
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("techmarket-dup-eval-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_paraphrase_differs_from_its_original_but_stays_alike() {
        let (title, summary) = ("果园智能灌溉系统研究", "基于土壤墒情的灌溉方法。提高水分利用效率。应用于山地果园。");
        for variant in 0..4 {
            let (t, s) = paraphrase(title, summary, variant);
            assert!(t != title || s != summary, "variant {variant} changes something");
            let score =
                resemblance(&Text { title, summary, patents: &[] }, &Text { title: &t, summary: &s, patents: &[] });
            assert!(score.score > 0.3, "variant {variant}: {score:?}");
        }
        assert_ne!(half("a"), half("b"), "both halves are used");
    }
}
