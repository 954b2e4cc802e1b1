//! The index schema, its version, and its fields resolved once into [`Fields`].

use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions};

use super::text::{GRAMS, WORDS};

/// Bumped whenever the schema or the analyzers change; an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 3;

/// Every field of the index, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `achievement:<uuid>` or `demand:<uuid>`: the unique key deletes go by.
    pub key: Field,
    pub kind: Field,
    pub id: Field,
    /// The listing's uuid as two fast numbers and its kind as 0/1: read per hit without
    /// touching a compressed dictionary.
    pub id_hi: Field,
    pub id_lo: Field,
    pub kind_number: Field,
    pub title: Field,
    pub keywords: Field,
    pub summary: Field,
    pub body: Field,
    /// Title, keywords and summary as characters and character pairs (substring matching).
    pub grams: Field,
    pub technical_field: Field,
    pub industry: Field,
    pub stage: Field,
    pub modes: Field,
    pub pricing: Field,
    pub region: Field,
    pub status: Field,
    pub trl: Field,
    /// Asking price (achievements) or the top of the budget (demands), in fen; absent for 面议.
    pub price: Field,
    /// Publication time, Unix seconds.
    pub published: Field,
    /// Last day visible, as yyyymmdd (achievements and solved demands: 99991231).
    pub visible_until: Field,
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let words = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(WORDS).set_index_option(IndexRecordOption::WithFreqs),
        );
        let grams = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(GRAMS)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let facet = STRING | FAST;
        let fields = Fields {
            key: b.add_text_field("key", STRING),
            kind: b.add_text_field("kind", facet.clone()),
            id: b.add_text_field("id", STRING),
            id_hi: b.add_u64_field("id_hi", FAST),
            id_lo: b.add_u64_field("id_lo", FAST),
            kind_number: b.add_u64_field("kind_number", FAST),
            title: b.add_text_field("title", words.clone()),
            keywords: b.add_text_field("keywords", words.clone()),
            summary: b.add_text_field("summary", words.clone()),
            body: b.add_text_field("body", words),
            grams: b.add_text_field("grams", grams),
            technical_field: b.add_text_field("technical_field", facet.clone()),
            industry: b.add_text_field("industry", facet.clone()),
            stage: b.add_text_field("stage", facet.clone()),
            modes: b.add_text_field("modes", facet.clone()),
            pricing: b.add_text_field("pricing", facet.clone()),
            region: b.add_text_field("region", facet.clone()),
            status: b.add_text_field("status", facet),
            trl: b.add_u64_field("trl", INDEXED | FAST),
            price: b.add_i64_field("price", INDEXED | FAST),
            published: b.add_i64_field("published", INDEXED | FAST),
            visible_until: b.add_u64_field("visible_until", INDEXED | FAST),
        };
        (b.build(), fields)
    }
}
