//! How Chinese (and mixed Chinese/English/number) text becomes index terms. Both tokenizers are
//! registered by name in [`register`], which index creation, opening and evaluation all call.

use std::sync::LazyLock;

use tantivy::Index;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy_jieba::jieba_rs::{Jieba, TokenizeMode};

/// Words by jieba in search mode: a long word also yields its dictionary sub-words
/// (数控机床 → 数控, 机床, 数控机床), so a query for a part finds the whole.
pub const WORDS: &str = "zh_words";
/// Han characters and overlapping pairs of them plus whole Latin/number runs: finds any
/// substring, whatever jieba made of it.
pub const GRAMS: &str = "zh_grams";

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Registers both analyzers on an index.
pub fn register(index: &Index) {
    index.tokenizers().register(WORDS, TextAnalyzer::from(WordTokenizer));
    index.tokenizers().register(GRAMS, TextAnalyzer::from(GramTokenizer { unigrams: true }));
}

/// Loads jieba's dictionary now rather than on the first query.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// Folds full-width ASCII to half-width and lowercases, so "ＰＬＣ", "PLC" and "plc" meet.
pub fn fold(word: &str) -> String {
    word.chars().map(half_width).flat_map(char::to_lowercase).collect()
}

fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        other => other,
    }
}

/// The text with full-width ASCII folded to half-width (so jieba sees "PLC", not three
/// unknown characters), and for each byte of the folded text the offset it came from.
fn prefold(text: &str) -> (String, Vec<usize>) {
    let mut folded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    for (at, c) in text.char_indices() {
        folded.push(half_width(c));
        origin.resize(folded.len(), at);
    }
    origin.push(text.len());
    (folded, origin)
}

/// A token worth indexing: it holds at least one letter, digit or Han character.
fn meaningful(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF)
}

/// The words of a query as typed (jieba's default mode, no overlapping sub-words), folded and
/// without duplicates: the units a search requires.
pub fn query_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let (text, _) = prefold(text);
    for token in JIEBA.cut(&text, true) {
        if !meaningful(token.word) {
            continue;
        }
        let word = fold(token.word.trim());
        if !word.is_empty() && !words.contains(&word) {
            words.push(word);
        }
    }
    words
}

/// Every word of a text in order, repeats kept (jieba's default mode, folded).
pub fn query_words_all(text: &str) -> Vec<String> {
    let (text, _) = prefold(text);
    JIEBA.cut(&text, true).into_iter().filter(|t| meaningful(t.word)).map(|t| fold(t.word.trim())).collect()
}

/// The search-mode words of a text, folded (what the word fields hold for it).
pub fn index_words(text: &str) -> Vec<String> {
    JIEBA
        .cut_for_search(&prefold(text).0, true)
        .into_iter()
        .filter(|t| meaningful(t.word))
        .map(|t| fold(t.word.trim()))
        .collect()
}

/// The pairs the gram field holds for one query word, in order.
pub fn grams_of(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = GramTokenizer { unigrams: false }.token_stream(word);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Tokens collected up front and handed out one by one.
pub struct CollectedTokens {
    tokens: Vec<Token>,
    next: usize,
    current: Token,
}

impl CollectedTokens {
    fn new(tokens: Vec<Token>) -> Self {
        CollectedTokens { tokens, next: 0, current: Token::default() }
    }
}

impl TokenStream for CollectedTokens {
    fn advance(&mut self) -> bool {
        match self.tokens.get_mut(self.next) {
            Some(token) => {
                self.current = std::mem::take(token);
                self.next += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// jieba search-mode words, folded, punctuation and spaces dropped.
#[derive(Clone, Copy, Debug, Default)]
pub struct WordTokenizer;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = CollectedTokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CollectedTokens {
        let (folded, origin) = prefold(text);
        let base = folded.as_ptr() as usize;
        let tokens = JIEBA
            .tokenize(&folded, TokenizeMode::Search, true)
            .into_iter()
            .filter(|t| meaningful(t.word))
            .map(|t| {
                let from = t.word.as_ptr() as usize - base;
                Token {
                    offset_from: origin[from],
                    offset_to: origin[from + t.word.len()],
                    position: t.start,
                    text: fold(t.word),
                    position_length: 1,
                }
            })
            .collect();
        CollectedTokens::new(tokens)
    }
}

/// Han characters one by one and in overlapping pairs (both at the character's position, so a
/// phrase of pairs still matches a substring and a single character is one term), plus folded
/// Latin/number runs. `unigrams: false` is the query side: pairs only, unless a run is one
/// character long.
#[derive(Clone, Copy, Debug)]
pub struct GramTokenizer {
    pub unigrams: bool,
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = CollectedTokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CollectedTokens {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let end_of = |i: usize| chars.get(i + 1).map_or(text.len(), |(o, _)| *o);
        let mut tokens = Vec::new();
        let mut position = 0;
        let mut push = |from: usize, to: usize, position: usize| {
            let word = fold(&text[from..to]);
            tokens.push(Token { offset_from: from, offset_to: to, position, text: word, position_length: 1 });
        };
        let mut i = 0;
        while i < chars.len() {
            let (start, c) = chars[i];
            if is_han(c) {
                let mut j = i;
                while j + 1 < chars.len() && is_han(chars[j + 1].1) {
                    j += 1;
                }
                for (k, (at, _)) in chars.iter().enumerate().take(j + 1).skip(i) {
                    if self.unigrams || i == j {
                        push(*at, end_of(k), position);
                    }
                    if k < j {
                        push(*at, end_of(k + 1), position);
                    }
                    position += 1;
                }
                i = j + 1;
            } else if c.is_alphanumeric() {
                let mut j = i;
                while j + 1 < chars.len() && chars[j + 1].1.is_alphanumeric() && !is_han(chars[j + 1].1) {
                    j += 1;
                }
                push(start, end_of(j), position);
                position += 1;
                i = j + 1;
            } else {
                i += 1;
            }
        }
        CollectedTokens::new(tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut stream = WordTokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            assert_eq!(fold(&text[t.offset_from..t.offset_to]), t.text, "offsets point at the word");
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn search_mode_keeps_parts_of_long_words() {
        let w = words("高精度数控机床");
        assert!(w.contains(&"数控".to_string()) && w.contains(&"机床".to_string()), "{w:?}");
    }

    #[test]
    fn latin_and_numbers_are_folded_and_punctuation_dropped() {
        let w = words("基于ＰＬＣ的5G控制，（试点）");
        assert!(w.contains(&"plc".to_string()), "{w:?}");
        assert!(w.contains(&"5g".to_string()), "{w:?}");
        assert!(w.iter().all(|t| meaningful(t)), "{w:?}");
    }

    #[test]
    fn grams_are_pairs_of_han_and_whole_latin_runs() {
        assert_eq!(grams_of("氟化锂"), vec!["氟化", "化锂"]);
        assert_eq!(grams_of("PLC控制器"), vec!["plc", "控制", "制器"]);
        assert_eq!(grams_of("药"), vec!["药"]);
        assert!(grams_of("，。！ ").is_empty());
    }

    #[test]
    fn the_index_side_also_holds_single_characters_at_the_same_positions() {
        let mut stream = GramTokenizer { unigrams: true }.token_stream("氟化锂");
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push((stream.token().text.clone(), stream.token().position));
        }
        let expected = [("氟", 0), ("氟化", 0), ("化", 1), ("化锂", 1), ("锂", 2)];
        assert_eq!(seen, expected.map(|(t, p)| (t.to_string(), p)));
    }

    #[test]
    fn query_words_are_the_typed_units() {
        assert_eq!(query_words("5G 数控机床"), vec!["5g", "数控机床"]);
        assert_eq!(query_words("PLC"), vec!["plc"]);
        assert!(query_words("\"()*:").is_empty());
    }
}
