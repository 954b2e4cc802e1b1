//! From what a person typed (or a demand's text) and the chosen filters to a tantivy query.
//! Nothing typed reaches tantivy's query parser: text is cut into words by jieba and each word
//! becomes term and phrase queries we build ourselves, so no input can fail to parse.
//!
//! Weighting (measured with `techmarket eval`, see docs/SEARCH.md): a word counts most in the
//! title, then keywords, then the summary, then the long description; the character-pair field
//! lets a word match inside a longer word or across jieba's cuts.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use time::OffsetDateTime;

use super::schema::Fields;
use super::text::{grams_of, index_words, query_words, query_words_all};
use crate::listings::Kind;

/// How much a word counts in each field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub title: f32,
    pub keywords: f32,
    pub summary: f32,
    pub body: f32,
    pub grams: f32,
    /// A dictionary part of a longer query word (周期 of 周期性), in any text field.
    pub parts: f32,
}

pub const WEIGHTS: Weights = Weights { title: 2.0, keywords: 2.0, summary: 2.0, body: 1.0, grams: 0.3, parts: 0.7 };

/// Longest typed query we read; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words a typed query contributes.
pub const MAX_WORDS: usize = 24;
/// How much of a demand's description is read when finding matching achievements, how many
/// distinct words of it count, and how much more its title's words weigh.
pub const MAX_DESCRIBE_CHARS: usize = 2_000;
pub const MAX_DESCRIBE_WORDS: usize = 400;
pub const DESCRIBE_TITLE_SCALE: f32 = 3.0;

/// Single characters that carry no topic of their own.
const FUNCTION_WORDS: &[&str] = &[
    "的", "与", "和", "及", "或", "在", "了", "是", "对", "等", "中", "为", "由", "于", "以", "其", "之", "上", "下",
    "把", "被", "从", "向", "将", "并", "而", "也", "又", "都", "就", "这", "那", "有", "无", "a", "an", "the", "of",
    "and", "or", "in", "on", "for", "to",
];

/// What is searched for.
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    /// Words typed into a search box: all words required, relaxed to any word when nothing
    /// matches them all.
    Typed(String),
    /// A demand (title and description) looking for achievements: any word, title words count
    /// triple, repeated description words a little more.
    Describe { title: String, body: String },
}

impl Text {
    /// All of the text as one string (title first).
    pub fn joined(&self) -> String {
        match self {
            Text::Typed(text) => text.clone(),
            Text::Describe { title, body } => format!("{title}\n{body}"),
        }
    }
}

/// Filters that narrow a search; `None` means no restriction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub kind: Option<Kind>,
    pub technical_field: Option<String>,
    pub industry: Option<String>,
    pub stage: Option<String>,
    pub mode: Option<String>,
    pub pricing: Option<String>,
    pub region: Option<String>,
    pub status: Option<String>,
    pub trl_min: Option<u64>,
    pub min_price_fen: Option<i64>,
    pub max_price_fen: Option<i64>,
    /// Published within this many days.
    pub within_days: Option<i64>,
    /// Only these listing ids (evaluation's re-rank protocol).
    pub only_ids: Option<Vec<String>>,
}

/// Whether words are all required or any suffices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    All,
    Any,
}

fn term_query(field: Field, word: &str, option: IndexRecordOption) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, word), option))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON { query } else { Box::new(BoostQuery::new(query, boost)) }
}

/// The gram-field query for a word: a phrase of its character pairs, or the one term it is (a
/// single character or a Latin/number run).
fn grams_query(f: &Fields, word: &str) -> Option<Box<dyn Query>> {
    let grams = grams_of(word);
    match grams.len() {
        0 => None,
        1 => Some(term_query(f.grams, &grams[0], IndexRecordOption::WithFreqs)),
        _ => {
            let terms = grams.iter().map(|g| Term::from_field_text(f.grams, g)).collect();
            Some(Box::new(PhraseQuery::new(terms)))
        }
    }
}

/// Any field holding the word, each field at its weight.
pub fn word_query(f: &Fields, word: &str, weights: &Weights, scale: f32) -> Box<dyn Query> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = [
        (f.title, weights.title),
        (f.keywords, weights.keywords),
        (f.summary, weights.summary),
        (f.body, weights.body),
    ]
    .into_iter()
    .map(|(field, w)| (Occur::Should, boosted(term_query(field, word, IndexRecordOption::WithFreqs), w * scale)))
    .collect();
    if weights.grams > 0.0 {
        if let Some(grams) = grams_query(f, word) {
            should.push((Occur::Should, boosted(grams, weights.grams * scale)));
        }
    }
    if weights.parts > 0.0 {
        for part in index_words(word).into_iter().filter(|p| p != word && p.chars().count() >= 2) {
            for field in [f.title, f.keywords, f.summary, f.body] {
                let q = term_query(field, &part, IndexRecordOption::WithFreqs);
                should.push((Occur::Should, boosted(q, weights.parts * scale)));
            }
        }
    }
    Box::new(BooleanQuery::new(should))
}

/// The typed words, trimmed to what we read.
pub fn typed_words(text: &str) -> Vec<String> {
    let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
    let mut words = query_words(&text);
    words.truncate(MAX_WORDS);
    words
}

/// The text part of a query: `None` when there is no text (everything matches).
pub fn text_query(f: &Fields, text: &Text, matching: Matching, weights: &Weights) -> Option<Box<dyn Query>> {
    match text {
        Text::Typed(typed) => {
            let words = typed_words(typed);
            if words.is_empty() {
                return None;
            }
            // Function words (与, 的, 及…) only add to the score. Other single characters (often
            // the part of a term jieba does not know, like 证 in 肾虚血瘀证) must match, also
            // inside longer words.
            let clauses = words
                .iter()
                .map(|w| {
                    let function_word = words.len() > 1 && FUNCTION_WORDS.contains(&w.as_str());
                    let occur = if matching == Matching::All && !function_word { Occur::Must } else { Occur::Should };
                    (occur, word_query(f, w, weights, 1.0))
                })
                .collect();
            Some(Box::new(BooleanQuery::new(clauses)))
        }
        Text::Describe { title, body } => {
            let title_words = typed_words(title);
            let body_text: String = body.chars().take(MAX_DESCRIBE_CHARS).collect();
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                title_words.iter().map(|w| (Occur::Should, word_query(f, w, weights, DESCRIBE_TITLE_SCALE))).collect();
            let mut counts: Vec<(String, usize)> = Vec::new();
            for word in query_words_all(&body_text) {
                if title_words.contains(&word) || FUNCTION_WORDS.contains(&word.as_str()) {
                    continue;
                }
                match counts.iter_mut().find(|(w, _)| *w == word) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((word, 1)),
                }
            }
            for (word, n) in counts.into_iter().take(MAX_DESCRIBE_WORDS) {
                // A word the demand repeats is central to it: 1 + ½·ln(times used).
                let scale = 1.0 + 0.5 * (n as f32).ln();
                clauses.push((Occur::Should, word_query(f, &word, weights, scale)));
            }
            if clauses.is_empty() { None } else { Some(Box::new(BooleanQuery::new(clauses))) }
        }
    }
}

fn exact(field: Field, value: &str) -> Box<dyn Query> {
    term_query(field, value, IndexRecordOption::Basic)
}

fn range_i64(field: Field, min: Option<i64>, max: Option<i64>) -> Box<dyn Query> {
    let lower = min.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_i64(field, v)));
    let upper = max.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_i64(field, v)));
    Box::new(RangeQuery::new(lower, upper))
}

/// Today as yyyymmdd in Asia/Shanghai.
fn today_number() -> u64 {
    let d = crate::domain::time::today_shanghai();
    u64::try_from(d.year()).unwrap_or(0) * 10_000 + u64::from(u8::from(d.month())) * 100 + u64::from(d.day())
}

/// Restrictions as unscored clauses, always including "still visible today".
pub fn filter_clauses(f: &Fields, filters: &Filters) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let visible = Term::from_field_u64(f.visible_until, today_number());
    out.push(Box::new(RangeQuery::new(Bound::Included(visible), Bound::Unbounded)));
    if let Some(kind) = filters.kind {
        out.push(exact(f.kind, kind.code()));
    }
    for (field, value) in [
        (f.technical_field, &filters.technical_field),
        (f.industry, &filters.industry),
        (f.stage, &filters.stage),
        (f.modes, &filters.mode),
        (f.pricing, &filters.pricing),
        (f.region, &filters.region),
        (f.status, &filters.status),
    ] {
        if let Some(value) = value {
            out.push(exact(field, value));
        }
    }
    if let Some(min) = filters.trl_min {
        let lower = Term::from_field_u64(f.trl, min);
        out.push(Box::new(RangeQuery::new(Bound::Included(lower), Bound::Unbounded)));
    }
    if filters.min_price_fen.is_some() || filters.max_price_fen.is_some() {
        out.push(range_i64(f.price, filters.min_price_fen, filters.max_price_fen));
    }
    if let Some(days) = filters.within_days {
        let since = OffsetDateTime::now_utc().unix_timestamp() - days.max(0) * 86_400;
        out.push(range_i64(f.published, Some(since), None));
    }
    if let Some(ids) = &filters.only_ids {
        let any: Vec<(Occur, Box<dyn Query>)> = ids.iter().map(|id| (Occur::Should, exact(f.id, id))).collect();
        out.push(if any.is_empty() { Box::new(EmptyQuery) } else { Box::new(BooleanQuery::new(any)) });
    }
    out
}

/// Text and filters together; filters never change a score.
pub fn build(f: &Fields, text: &Text, filters: &Filters, matching: Matching, weights: &Weights) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    match text_query(f, text, matching, weights) {
        Some(q) => clauses.push((Occur::Must, q)),
        None => clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)))),
    }
    for filter in filter_clauses(f, filters) {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    Box::new(BooleanQuery::new(clauses))
}
