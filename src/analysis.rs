//! Swedish text analysis for the index.
//! Owns: the tokenizers registered with tantivy: `sv_stem` (lowercase, Snowball
//! Swedish stemming; stopwords kept so that phrases stay exact) and `sv_exact`
//! (lowercase only, so that the exact form ranks above a mere stem match).

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// Stemmed Swedish analysis. The number in the name is part of the schema: bump
/// it whenever the analysis changes, and existing indexes are rebuilt.
pub const STEMMED: &str = "sv_stem_1";
/// Exact (lowercased) analysis.
pub const EXACT: &str = "sv_exact_1";

/// The analyser for stemmed fields.
pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::Swedish))
        .filter(SwedishStemRules)
        .build()
}

/// Rules applied after Snowball where it leaves forms a reader sees as one word
/// apart. Verbal nouns in `-ering` keep their `-ing` under Snowball
/// (`finansiering` → `finansiering`) while the verb loses its ending
/// (`finansieras` → `finansier`): the noun's stem drops `-ing` too.
#[derive(Clone, Copy, Debug, Default)]
pub struct SwedishStemRules;

/// Applies [`SwedishStemRules`] to one stemmed token, in place.
pub fn apply_stem_rules(token: &mut String) {
    if token.ends_with("ering") && token.chars().count() >= 9 {
        token.truncate(token.len() - "ing".len());
    }
}

impl TokenFilter for SwedishStemRules {
    type Tokenizer<T: Tokenizer> = StemRulesFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemRulesFilter<T> {
        StemRulesFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub struct StemRulesFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for StemRulesFilter<T> {
    type TokenStream<'a> = StemRulesStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemRulesStream {
            tail: self.inner.token_stream(text),
        }
    }
}

pub struct StemRulesStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for StemRulesStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        apply_stem_rules(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The analyser for exact fields.
pub fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .build()
}

/// Registers both analysers with an index.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(STEMMED, stemmed_analyzer());
    index.tokenizers().register(EXACT, exact_analyzer());
}

/// The tokens an analyser makes of `text`.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stemming_joins_inflected_forms() {
        let mut a = stemmed_analyzer();
        assert_eq!(tokens(&mut a, "finansieras"), tokens(&mut a, "finansiera"));
        assert_eq!(tokens(&mut a, "protokollen"), tokens(&mut a, "protokoll"));
    }

    #[test]
    fn verbal_nouns_meet_their_verbs() {
        let mut a = stemmed_analyzer();
        for (noun, verb) in [
            ("finansiering", "finansieras"),
            ("finansieringen", "finansiera"),
            ("implementeringen", "implementera"),
            ("prioriteringar", "prioriterade"),
        ] {
            assert_eq!(
                tokens(&mut a, noun),
                tokens(&mut a, verb),
                "{noun} / {verb}"
            );
        }
        // Short words in -ering are left alone.
        assert_eq!(tokens(&mut a, "kering"), ["kering"]);
    }

    #[test]
    fn exact_analysis_only_lowercases() {
        let mut a = exact_analyzer();
        assert_eq!(tokens(&mut a, "Barn och Unga"), ["barn", "och", "unga"]);
        assert_eq!(tokens(&mut a, "Välfärd"), ["välfärd"]);
    }
}
