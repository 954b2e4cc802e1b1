//! `techmarket eval run`: index a set's documents in a temporary directory and write the top 100
//! of every query as a TREC run, using the site's query code (typed queries as the search box
//! sends them; demands as the "matching achievements" of a demand page).

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::bench::corpus::{self, AchievementRecord};
use crate::listings::Kind;
use crate::matching::feedback;
use crate::matching::score::{BLEND, Blend, Candidate};
use crate::search::engine::{self, Request, SortBy};
use crate::search::generation::{self, Generation};
use crate::search::indexer::commit;
use crate::search::query::{Filters, Text, WEIGHTS, Weights};
use crate::search::source::{FOREVER, Listing};

/// The evaluation sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Set {
    DemandMatch,
    KnownItem,
    KeywordTags,
}

/// Results written per query.
pub const DEPTH: usize = 100;

/// A query of a set.
struct EvalQuery {
    qid: String,
    text: Text,
}

fn documents(set: Set, data: &Path) -> Result<Vec<Listing>, String> {
    let listing = |id: String, title: String, summary: String| Listing {
        kind: Some(Kind::Achievement),
        id,
        title,
        summary,
        status: "published".into(),
        visible_until: FOREVER,
        ..Listing::default()
    };
    match set {
        Set::DemandMatch => {
            let path = data.join("docs.tsv");
            let text = std::fs::read_to_string(&path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
            Ok(text
                .lines()
                .skip(1)
                .filter_map(|l| {
                    let mut cols = l.split('\t');
                    Some(listing(cols.next()?.to_string(), cols.next()?.to_string(), String::new()))
                })
                .collect())
        }
        Set::KnownItem | Set::KeywordTags => {
            let own = data.join("corpus.jsonl.gz");
            let path = if own.exists() { own } else { data.join("../known_item/corpus.jsonl.gz") };
            let records: Vec<AchievementRecord> = corpus::read_lines(&path)?;
            // Title and abstract only: a paper's own keywords must not be indexed.
            Ok(records
                .into_iter()
                .filter(|r| !r.synthetic)
                .map(|r| listing(if r.docid.is_empty() { r.id } else { r.docid }, r.title, r.abstract_text))
                .collect())
        }
    }
}

fn queries(set: Set, path: &Path) -> Result<Vec<EvalQuery>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (qid, query, title, description) = (col("qid").unwrap_or(0), col("query"), col("title"), col("description"));
    Ok(lines
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let get = |i: Option<usize>| i.and_then(|i| cols.get(i)).map(|s| s.to_string()).unwrap_or_default();
            let text = match set {
                Set::DemandMatch => Text::Describe { title: get(title), body: get(description) },
                _ => Text::Typed(get(query.or(Some(1)))),
            };
            Some(EvalQuery { qid: cols.get(qid)?.to_string(), text })
        })
        .collect())
}

pub(crate) fn build_index(dir: &Path, docs: &[Listing]) -> Result<Generation, String> {
    let generation = generation::create(dir).map_err(|e| e.to_string())?;
    let mut writer = generation.index.writer(256 * 1024 * 1024).map_err(|e| e.to_string())?;
    for doc in docs {
        writer.add_document(doc.to_document(&generation.fields)).map_err(|e| e.to_string())?;
    }
    commit(&mut writer, 0).map_err(|e| e.to_string())?;
    writer.wait_merging_threads().map_err(|e| e.to_string())?;
    generation.reader.reload().map_err(|e| e.to_string())?;
    Ok(generation)
}

/// The configuration printed with every result.
pub fn describe(weights: &Weights) -> String {
    format!(
        "分词：jieba 搜索模式（HMM 开启），全角转半角并小写，去掉标点；字符二元组字段（标题+关键词+简介）。\
         字段权重：标题 {} · 关键词 {} · 简介 {} · 正文 {} · 二元组 {} · 长词的组成词 {}；输入词全部命中优先，无结果时放宽为任一词命中；\
         需求匹配时标题词权重 ×3、描述取前 2000 字、重复出现的词按 1+½ln(次数) 加权",
        weights.title, weights.keywords, weights.summary, weights.body, weights.grams, weights.parts
    )
}

/// Writes the run file; `pool` limits each query to its judged documents (re-rank protocol).
pub fn run(
    set: Set,
    data: &Path,
    queries_path: &Path,
    pool: Option<&Path>,
    out: &Path,
    weights: Option<Weights>,
    recommend: bool,
) -> Result<(), String> {
    let weights = weights.unwrap_or(WEIGHTS);
    let blend: Blend = match std::env::var("TECHMARKET_EVAL_BLEND") {
        // Tuning aid: coverage weight to try instead of the site's.
        Ok(value) => {
            Blend { coverage: value.parse().map_err(|_| "TECHMARKET_EVAL_BLEND 应为数字".to_string())?, ..BLEND }
        }
        Err(_) => BLEND,
    };
    let mut docs = documents(set, data)?;
    // The index identifies listings by uuid: give each document one and map back when writing.
    let mut docid_of: HashMap<String, String> = HashMap::with_capacity(docs.len());
    let mut uuid_of: HashMap<String, String> = HashMap::with_capacity(docs.len());
    for (i, doc) in docs.iter_mut().enumerate() {
        let uuid = uuid::Uuid::from_u128(i as u128 + 1).to_string();
        uuid_of.insert(doc.id.clone(), uuid.clone());
        docid_of.insert(uuid.clone(), std::mem::replace(&mut doc.id, uuid));
    }
    let title_of: HashMap<String, String> = docs.iter().map(|d| (d.id.clone(), d.title.clone())).collect();
    let queries = queries(set, queries_path)?;
    let pool = match pool {
        Some(path) => Some(super::metrics::parse_qrels(
            &std::fs::read_to_string(path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?,
        )),
        None => None,
    };
    let dir: PathBuf = std::env::temp_dir().join(format!("techmarket-eval-{}", uuid::Uuid::now_v7()));
    let started = std::time::Instant::now();
    let generation = build_index(&dir, &docs)?;
    let indexed = started.elapsed();
    let mut file = std::fs::File::create(out).map_err(|e| format!("无法写入 {}：{e}", out.display()))?;
    let started = std::time::Instant::now();
    for q in &queries {
        let judged: Option<Vec<String>> = pool.as_ref().map(|p| {
            let mut ids: Vec<String> =
                p.get(&q.qid).map(|m| m.keys().filter_map(|d| uuid_of.get(d).cloned()).collect()).unwrap_or_default();
            ids.sort();
            ids
        });
        let filters = Filters { only_ids: judged.clone(), ..Filters::default() };
        let outcome = if recommend {
            // The recommendation's two passes, exactly as the live service runs them.
            let (title, body) = match &q.text {
                Text::Describe { title, body } => (title.clone(), body.clone()),
                Text::Typed(text) => (text.clone(), String::new()),
            };
            let first = feedback::first_pass(&title, &body, filters, DEPTH);
            let outcome = engine::search_weighted(&generation, &first, &weights).map_err(|e| e.to_string())?;
            let tops: Vec<String> = outcome
                .hits
                .iter()
                .take(feedback::FEEDBACK_DEPTH)
                .filter_map(|h| title_of.get(&h.id).cloned())
                .collect();
            match feedback::second_pass(&first, &tops, DEPTH) {
                Some(second) => engine::search_weighted(&generation, &second, &weights).map_err(|e| e.to_string())?,
                None => outcome,
            }
        } else {
            let request = Request {
                text: q.text.clone(),
                filters,
                sort: SortBy::Relevance,
                offset: 0,
                limit: DEPTH,
                facets: false,
                backfill: true,
            };
            engine::search_weighted(&generation, &request, &weights).map_err(|e| e.to_string())?
        };
        let mut scored: Vec<(String, f32)> = outcome.hits.into_iter().map(|h| (h.id, h.score)).collect();
        // Judged documents no query word reached still belong to the pool: they go last.
        if let Some(judged) = judged {
            let seen: HashSet<String> = scored.iter().map(|(id, _)| id.clone()).collect();
            scored.extend(judged.into_iter().filter(|d| !seen.contains(d)).map(|d| (d, 0.0)));
        }
        let ranked: Vec<String> = if recommend {
            // The recommendation code re-ranks what the engine found (no structured signals here:
            // the set's documents are titles only).
            let asking = crate::matching::score::Asking::new(&q.text.joined());
            let candidates: Vec<Candidate> = scored
                .into_iter()
                .map(|(id, relevance)| Candidate {
                    title: title_of.get(&id).cloned().unwrap_or_default(),
                    id,
                    keywords: Vec::new(),
                    relevance,
                    signals: Default::default(),
                })
                .collect();
            crate::matching::score::rank(&asking, &candidates, &blend).into_iter().map(|r| r.id).collect()
        } else {
            scored.into_iter().map(|(id, _)| id).collect()
        };
        for (i, doc) in ranked.iter().filter_map(|u| docid_of.get(u)).take(DEPTH).enumerate() {
            writeln!(file, "{} Q0 {} {} {} techmarket", q.qid, doc, i + 1, DEPTH - i).map_err(|e| e.to_string())?;
        }
    }
    let searched = started.elapsed();
    drop(generation);
    let _ = std::fs::remove_dir_all(&dir);
    println!("{}", describe(&weights));
    if recommend {
        println!(
            "推荐：两轮检索（取第一轮前 {} 条标题中至少两条共有、需求未用的词至多 {} 个加入第二轮），\
             引擎相关度（以最高分归一）+ 标题字符二元组被需求文本覆盖的比例（按候选中的稀有度加权）× {}",
            feedback::FEEDBACK_DEPTH,
            feedback::FEEDBACK_WORDS,
            blend.coverage
        );
    }
    println!(
        "已索引 {} 篇文档（{:.1} 秒），检索 {} 条查询（{:.1} 秒，平均 {:.2} ms），结果写入 {}",
        docs.len(),
        indexed.as_secs_f64(),
        queries.len(),
        searched.as_secs_f64(),
        searched.as_secs_f64() * 1000.0 / queries.len().max(1) as f64,
        out.display()
    );
    Ok(())
}
