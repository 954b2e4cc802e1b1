//! Runs a search on one index generation: ranked hits (by relevance, date or price), the total,
//! facet counts, and the relaxed retry when a typed query matches nothing as a whole.

use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::{DocAddress, Order, Searcher};

use super::facets::{Counts, FacetCounter};
use super::generation::Generation;
use super::query::{self, Filters, Matching, Text, WEIGHTS, Weights};
use super::source::kind_number;
use crate::listings::Kind;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Relevance,
    Newest,
    PriceLow,
    PriceHigh,
}

impl SortBy {
    pub fn code(self) -> &'static str {
        match self {
            SortBy::Relevance => "relevance",
            SortBy::Newest => "newest",
            SortBy::PriceLow => "price_asc",
            SortBy::PriceHigh => "price_desc",
        }
    }

    pub fn from_code(code: &str) -> Option<SortBy> {
        [SortBy::Relevance, SortBy::Newest, SortBy::PriceLow, SortBy::PriceHigh].into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            SortBy::Relevance => "相关度",
            SortBy::Newest => "最新发布",
            SortBy::PriceLow => "价格从低到高",
            SortBy::PriceHigh => "价格从高到低",
        }
    }
}

/// One search.
#[derive(Debug, Clone)]
pub struct Request {
    pub text: Text,
    pub filters: Filters,
    pub sort: SortBy,
    pub offset: usize,
    pub limit: usize,
    pub facets: bool,
    /// After the documents matching every typed word, continue with those matching some
    /// (used where a full ranked list is wanted, e.g. evaluation's top 100).
    pub backfill: bool,
}

/// A ranked document.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: Kind,
    pub id: String,
    pub score: f32,
}

/// What a search found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Counts,
    /// Nothing matched every word, so these match some of them.
    pub relaxed: bool,
    /// The words searched for.
    pub words: Vec<String>,
    /// The query that produced the hits (for highlighting).
    pub query: Option<Box<dyn Query>>,
}

/// Documents with the value they were ordered by.
type Ranked = Vec<(f32, DocAddress)>;

/// The ranked page and the facet counts (when asked for) in one pass over the matches.
fn top(
    searcher: &Searcher,
    q: &dyn Query,
    sort: SortBy,
    offset: usize,
    limit: usize,
    facets: bool,
) -> tantivy::Result<(usize, Ranked, Counts)> {
    let top = TopDocs::with_limit(limit.max(1)).and_offset(offset);
    let counter = facets.then_some(FacetCounter);
    let as_f32 = |found: Vec<(Option<i64>, DocAddress)>, missing: i64| -> Vec<(f32, DocAddress)> {
        found.into_iter().map(|(v, doc)| (v.unwrap_or(missing) as f32, doc)).collect()
    };
    let (docs, (total, counts)) = match sort {
        SortBy::Relevance => searcher.search(q, &(top.order_by_score(), (Count, counter)))?,
        SortBy::Newest => {
            let (found, rest) =
                searcher.search(q, &(top.order_by_fast_field::<i64>("published", Order::Desc), (Count, counter)))?;
            (as_f32(found, 0), rest)
        }
        SortBy::PriceHigh => {
            let (found, rest) =
                searcher.search(q, &(top.order_by_fast_field::<i64>("price", Order::Desc), (Count, counter)))?;
            (as_f32(found, -1), rest)
        }
        SortBy::PriceLow => {
            // Listings without a price (面议) go last.
            let by_price = top.tweak_score(|segment: &tantivy::SegmentReader| {
                let prices = segment.fast_fields().i64("price").ok();
                move |doc, _score| match prices.as_ref().and_then(|c| c.first(doc)) {
                    Some(p) => -(p as f64),
                    None => f64::NEG_INFINITY,
                }
            });
            let (found, rest) = searcher.search(q, &(by_price, (Count, counter)))?;
            (found.into_iter().map(|(p, doc)| (p as f32, doc)).collect(), rest)
        }
    };
    Ok((total, docs, counts.unwrap_or_default()))
}

/// Reads the listing id and kind of each ranked document from plain numeric fast fields.
fn hits_of(searcher: &Searcher, docs: Vec<(f32, DocAddress)>) -> tantivy::Result<Vec<Hit>> {
    let mut hits = Vec::with_capacity(docs.len());
    // Columns are opened once per segment, not once per hit.
    let mut columns: Vec<(u32, [tantivy::columnar::Column<u64>; 3])> = Vec::new();
    for (score, address) in docs {
        let at = match columns.iter().position(|(ord, _)| *ord == address.segment_ord) {
            Some(at) => at,
            None => {
                let fast = searcher.segment_reader(address.segment_ord).fast_fields();
                columns.push((address.segment_ord, [fast.u64("id_hi")?, fast.u64("id_lo")?, fast.u64("kind_number")?]));
                columns.len() - 1
            }
        };
        let [hi, lo, kind] = &columns[at].1;
        let (Some(hi), Some(lo), Some(kind)) =
            (hi.first(address.doc_id), lo.first(address.doc_id), kind.first(address.doc_id))
        else {
            continue;
        };
        let id = uuid::Uuid::from_u128((u128::from(hi) << 64) | u128::from(lo)).to_string();
        let kind = if kind == kind_number(Kind::Demand) { Kind::Demand } else { Kind::Achievement };
        hits.push(Hit { kind, id, score });
    }
    Ok(hits)
}

/// What one pass yields: total, ranked page, facet counts and the query used.
type Pass = (usize, Vec<Hit>, Counts, Box<dyn Query>);

/// One pass: ranked page, total and (optionally) facet counts.
fn run_once(
    generation: &Generation,
    request: &Request,
    matching: Matching,
    weights: &Weights,
) -> tantivy::Result<Pass> {
    let searcher = generation.reader.searcher();
    let focused = super::focus::focused(&searcher, &generation.fields, &request.text);
    let text = focused.as_ref().unwrap_or(&request.text);
    let q = query::build(&generation.fields, text, &request.filters, matching, weights);
    if let (Text::Describe { .. }, SortBy::Relevance, false) = (&request.text, request.sort, request.facets) {
        // A description matches on any of its words: nobody reads its total, and not counting
        // every match lets the collector skip documents that cannot reach the top.
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset).order_by_score();
        let docs = searcher.search(&q, &top)?;
        return Ok((docs.len(), hits_of(&searcher, docs)?, Counts::default(), q));
    }
    let (total, docs, facets) = top(&searcher, &q, request.sort, request.offset, request.limit, request.facets)?;
    Ok((total, hits_of(&searcher, docs)?, facets, q))
}

/// Runs a request with the site's weights.
pub fn search(generation: &Generation, request: &Request) -> tantivy::Result<Outcome> {
    search_weighted(generation, request, &WEIGHTS)
}

/// Runs a request with given weights (evaluation tries others).
pub fn search_weighted(generation: &Generation, request: &Request, weights: &Weights) -> tantivy::Result<Outcome> {
    let words = match &request.text {
        Text::Typed(t) => query::typed_words(t),
        Text::Describe { title, .. } => query::typed_words(title),
    };
    let first = match request.text {
        Text::Typed(_) => Matching::All,
        Text::Describe { .. } => Matching::Any,
    };
    let (total, mut hits, facets, q) = run_once(generation, request, first, weights)?;
    let may_relax = first == Matching::All && words.len() > 1;
    if total == 0 && may_relax {
        let (total, hits, facets, q) = run_once(generation, request, Matching::Any, weights)?;
        return Ok(Outcome { total, hits, facets, relaxed: total > 0, words, query: Some(q) });
    }
    if request.backfill && may_relax && hits.len() < request.limit {
        let wider =
            Request { offset: 0, limit: request.offset + request.limit + total, facets: false, ..request.clone() };
        let (_, more, _, _) = run_once(generation, &wider, Matching::Any, weights)?;
        let floor = hits.iter().map(|h| h.score).fold(f32::MAX, f32::min);
        for mut hit in more {
            if hits.len() >= request.limit {
                break;
            }
            if !hits.iter().any(|h| h.id == hit.id) {
                hit.score = hit.score.min(floor);
                hits.push(hit);
            }
        }
    }
    Ok(Outcome { total, hits, facets, relaxed: false, words, query: Some(q) })
}

impl Request {
    /// Whether the request has no words to search for (a browse of everything filtered).
    pub fn words_empty(&self) -> bool {
        match &self.text {
            Text::Typed(t) => query::typed_words(t).is_empty(),
            Text::Describe { title, body } => title.trim().is_empty() && body.trim().is_empty(),
        }
    }
}
