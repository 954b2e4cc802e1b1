//! How a recommendation is scored and explained, as pure rules: the search engine's relevance
//! (normalised to the best candidate), how much of the candidate's title the asking text covers,
//! and the structured signals a person can check (field, industry, maturity, price and budget,
//! region, the seller's past contracts). Every reason given is true of the pair by construction.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::search::text::{index_words, is_han};

/// How much each part counts (measured with `techmarket eval run --recommend`, dev half).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Blend {
    /// Share of the candidate's title character pairs found in the asking text.
    pub coverage: f32,
    pub same_field: f32,
    pub same_industry: f32,
    pub mature: f32,
    pub within_budget: f32,
    pub same_region: f32,
    pub seller_record: f32,
}

pub const BLEND: Blend = Blend {
    coverage: 0.2,
    same_field: 0.12,
    same_industry: 0.06,
    mature: 0.04,
    within_budget: 0.05,
    same_region: 0.03,
    seller_record: 0.05,
};

/// What is known of a candidate beyond its text (absent signals count nothing).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    pub same_field: Option<String>,
    pub same_industry: Option<String>,
    /// TRL of an achievement that is at least at pilot stage (中试, TRL 6).
    pub mature_trl: Option<u64>,
    /// The price sits within the demand's budget: the price text.
    pub within_budget: Option<String>,
    pub same_region: Option<String>,
    /// Registered contracts the seller has in this field.
    pub seller_contracts: i64,
}

/// A candidate the engine found.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub title: String,
    pub keywords: Vec<String>,
    /// The engine's score.
    pub relevance: f32,
    pub signals: Signals,
}

/// A reason a person can check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// `terms`, `field`, `industry`, `maturity`, `budget`, `region`, `seller_record`.
    pub code: &'static str,
    pub text: String,
}

/// A scored candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub id: String,
    /// 0–100.
    pub score: u32,
    pub reasons: Vec<Reason>,
    #[serde(skip)]
    pub raw: f32,
}

/// The character pairs of a text's Han runs (and its Latin/number words), for coverage.
fn pairs(text: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(2).filter(|w| is_han(w[0]) && is_han(w[1])).map(|w| (w[0], w[1])).collect()
}

/// What the asking side says, prepared once for all candidates.
pub struct Asking {
    pairs: HashSet<(char, char)>,
    words: HashSet<String>,
}

impl Asking {
    pub fn new(text: &str) -> Asking {
        let words = index_words(text).into_iter().filter(|w| w.chars().count() >= 2).collect();
        Asking { pairs: pairs(text), words }
    }

    /// The share of the title's character pairs the asking text contains, each pair weighted by
    /// how rare it is among the candidates' titles (技术, 方法 and 系统 say little).
    fn coverage(&self, title: &str, rarity: &HashMap<(char, char), f32>) -> f32 {
        let own = pairs(title);
        let weight = |p: &(char, char)| rarity.get(p).copied().unwrap_or(1.0);
        let total: f32 = own.iter().map(weight).sum();
        if total <= 0.0 {
            return 0.0;
        }
        own.iter().filter(|p| self.pairs.contains(p)).map(weight).sum::<f32>() / total
    }

    /// The candidate's title words and keywords the asking text also uses, longest first.
    fn shared_terms(&self, title: &str, keywords: &[String]) -> Vec<String> {
        let mut shared: Vec<String> = Vec::new();
        let own = keywords.iter().cloned().chain(index_words(title));
        for word in own {
            let word = word.trim().to_lowercase();
            if word.chars().count() >= 2 && self.words.contains(&word) && !shared.contains(&word) {
                shared.push(word);
            }
        }
        shared.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        // A word inside a longer shared word says nothing more.
        let mut kept: Vec<String> = Vec::new();
        for word in shared {
            if !kept.iter().any(|k| k.contains(word.as_str())) {
                kept.push(word);
            }
        }
        kept.truncate(5);
        kept
    }
}

/// Scores and explains the candidates, best first.
pub fn rank(asking: &Asking, candidates: &[Candidate], blend: &Blend) -> Vec<Ranked> {
    let best = candidates.iter().map(|c| c.relevance).fold(0.0_f32, f32::max);
    // How rare each title pair is among the candidates: ln(1 + n / titles holding it).
    let mut held: HashMap<(char, char), f32> = HashMap::new();
    for c in candidates {
        for p in pairs(&c.title) {
            *held.entry(p).or_default() += 1.0;
        }
    }
    let n = candidates.len().max(1) as f32;
    let rarity: HashMap<(char, char), f32> = held.into_iter().map(|(p, df)| (p, (1.0 + n / df).ln())).collect();
    let mut ranked: Vec<Ranked> = candidates
        .iter()
        .map(|c| {
            let s = &c.signals;
            let text = if best > 0.0 { c.relevance / best } else { 0.0 };
            let mut raw = text + blend.coverage * asking.coverage(&c.title, &rarity);
            let mut reasons = Vec::new();
            let terms = asking.shared_terms(&c.title, &c.keywords);
            if !terms.is_empty() {
                reasons.push(Reason { code: "terms", text: format!("共同关键词：{}", terms.join("、")) });
            }
            if let Some(label) = &s.same_field {
                raw += blend.same_field;
                reasons.push(Reason { code: "field", text: format!("同属技术领域“{label}”") });
            }
            if let Some(label) = &s.same_industry {
                raw += blend.same_industry;
                reasons.push(Reason { code: "industry", text: format!("同属行业“{label}”") });
            }
            if let Some(trl) = s.mature_trl {
                raw += blend.mature;
                reasons.push(Reason {
                    code: "maturity",
                    text: format!("技术成熟度 TRL {trl}，已到中试及以上，可直接对接应用"),
                });
            }
            if let Some(price) = &s.within_budget {
                raw += blend.within_budget;
                reasons.push(Reason { code: "budget", text: format!("报价 {price} 在需求预算之内") });
            }
            if let Some(region) = &s.same_region {
                raw += blend.same_region;
                reasons.push(Reason { code: "region", text: format!("双方同在{region}") });
            }
            if s.seller_contracts > 0 {
                raw += blend.seller_record;
                reasons.push(Reason {
                    code: "seller_record",
                    text: format!("成果方在该领域已登记技术合同 {} 份", s.seller_contracts),
                });
            }
            Ranked { id: c.id.clone(), score: 0, reasons, raw }
        })
        .collect();
    ranked.sort_by(|a, b| b.raw.total_cmp(&a.raw).then_with(|| a.id.cmp(&b.id)));
    let top = ranked.first().map(|r| r.raw).unwrap_or(0.0);
    for r in &mut ranked {
        r.score = if top > 0.0 { ((r.raw / top) * 100.0).round().clamp(0.0, 100.0) as u32 } else { 0 };
    }
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: &str, title: &str, relevance: f32) -> Candidate {
        Candidate { id: id.into(), title: title.into(), keywords: Vec::new(), relevance, signals: Signals::default() }
    }

    #[test]
    fn a_title_the_demand_covers_moves_up() {
        let asking = Asking::new("铸件内部缺陷快速检测：需要在粗加工前发现缩孔和夹渣，希望用超声无损检测");
        let candidates =
            [candidate("a", "金属材料力学性能测试平台", 1.0), candidate("b", "铸件缺陷超声无损检测方法", 0.95)];
        let ranked = rank(&asking, &candidates, &BLEND);
        assert_eq!(ranked[0].id, "b");
        assert_eq!(ranked[0].score, 100);
        let terms = &ranked[0].reasons[0];
        assert_eq!(terms.code, "terms");
        assert!(terms.text.contains("铸件") && terms.text.contains("超声"), "{terms:?}");
    }

    #[test]
    fn signals_add_up_and_each_is_explained() {
        let asking = Asking::new("苹果分级");
        let mut strong = candidate("s", "苹果分级技术", 1.0);
        strong.signals = Signals {
            same_field: Some("农业".into()),
            same_industry: Some("农、林、牧、渔业".into()),
            mature_trl: Some(7),
            within_budget: Some("50万元".into()),
            same_region: Some("天水市".into()),
            seller_contracts: 2,
        };
        let ranked = rank(&asking, &[candidate("w", "苹果分级技术", 1.0), strong], &BLEND);
        assert_eq!(ranked[0].id, "s");
        let codes: Vec<&str> = ranked[0].reasons.iter().map(|r| r.code).collect();
        assert_eq!(codes, ["terms", "field", "industry", "maturity", "budget", "region", "seller_record"]);
        assert!(ranked[1].reasons.iter().all(|r| r.code == "terms"), "no signal, no reason");
        assert!(ranked[1].score < 100);
    }
}
