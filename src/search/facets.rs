//! Counts per facet value over every document a query matches, read from fast fields in the
//! same pass that ranks them.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The facet fields counted, by schema name.
pub const FACETS: [&str; 8] = ["kind", "technical_field", "industry", "stage", "modes", "pricing", "region", "status"];

/// Facet name → value → number of matching documents.
pub type Counts = BTreeMap<&'static str, BTreeMap<String, u64>>;

pub struct FacetCounter;

pub struct SegmentFacetCounter {
    columns: Vec<(usize, StrColumn, Vec<u64>)>,
}

impl Collector for FacetCounter {
    type Fruit = Counts;
    type Child = SegmentFacetCounter;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentFacetCounter> {
        let mut columns = Vec::new();
        for (i, name) in FACETS.iter().enumerate() {
            if let Some(column) = segment.fast_fields().str(name)? {
                let terms = column.num_terms();
                columns.push((i, column, vec![0; terms]));
            }
        }
        Ok(SegmentFacetCounter { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut total = Counts::new();
        for fruit in fruits {
            for (facet, values) in fruit {
                let into = total.entry(facet).or_default();
                for (value, n) in values {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (_, column, counts) in &mut self.columns {
            for ord in column.term_ords(doc) {
                if let Some(n) = usize::try_from(ord).ok().and_then(|o| counts.get_mut(o)) {
                    *n += 1;
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut out = Counts::new();
        for (i, column, counts) in self.columns {
            let values = out.entry(FACETS[i]).or_default();
            let mut text = String::new();
            for (ord, n) in counts.into_iter().enumerate() {
                if n > 0 && column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                    values.insert(text.clone(), n);
                }
            }
        }
        out
    }
}
