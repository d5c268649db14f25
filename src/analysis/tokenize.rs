//! Swedish text analysis for the index.
//! Owns: the tokenizers registered with tantivy:
//! * `sv_stem`: lowercase, then one key per word: the Snowball Swedish stem of
//!   the word's lemma in the lexicon, so that forms a reader sees as one word
//!   meet (`protokollet`/`protokoll`, `gemensamma`/`gemensamt`, `finansiering`/
//!   `finansieras`), compounds included (`länsgemensamma` → `läns` + `gemensam`).
//!   Stopwords are kept so that phrases stay exact.
//! * `sv_exact`: lowercase only, so that the exact form ranks above a mere stem match.
//! * `sv_parts`: the keys of a compound's parts (`välfärdsbrottslighet` →
//!   `välfärd`, `brottslig`); nothing for other words.
//! * `sv_folded`: lowercase with diacritics folded (`Mølstad` → `molstad`), for
//!   a low-weight fallback only: å, ä and ö are letters of their own.

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};

use crate::analysis::lexicon::lexicon;

/// Stemmed Swedish analysis. The number in the name is part of the schema: bump
/// it whenever the analysis changes, and existing indexes are rebuilt.
pub const STEMMED: &str = "sv_stem_3";
/// Exact (lowercased) analysis.
pub const EXACT: &str = "sv_exact_1";
/// Compound parts.
pub const PARTS: &str = "sv_parts_3";
/// Diacritics folded.
pub const FOLDED: &str = "sv_folded_2";

/// The analyser for stemmed fields.
pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(SharedWords(WordKeys::Stem))
}

/// The analyser for the compound-parts field.
pub fn parts_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(SharedWords(WordKeys::Parts))
}

/// The analyser for the folded fallback field: only words that folding changes
/// (`mølstad` → `molstad`); a word without diacritics is found in the exact
/// fields by its folded form (see `search`).
pub fn folded_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(SharedWords(WordKeys::NonAscii))
}

/// The analyser for exact fields.
pub fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(SharedWords(WordKeys::Exact))
}

/// The words of a text as every analyser starts from them: split at what is not a
/// letter or digit, words of 60 bytes or more dropped, lowercased.
fn word_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .build()
}

/// A lowercase word with its diacritics folded (`katrín` → `katrin`).
pub fn fold(word: &str) -> String {
    let mut a = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    tokens(&mut a, word).concat()
}

/// Verbal nouns in `-ering` keep their `-ing` under Snowball (`finansiering` →
/// `finansiering`) while the verb loses its ending (`finansieras` →
/// `finansier`): the noun's stem drops `-ing` too.
pub fn apply_stem_rules(token: &mut String) {
    if token.ends_with("ering") && token.chars().count() >= 9 {
        token.truncate(token.len() - "ing".len());
    }
}

fn snowball(word: &str) -> String {
    let mut s = frostem::Stemmer::new(frostem::Algorithm::Swedish)
        .stem(word)
        .into_owned();
    apply_stem_rules(&mut s);
    s
}

/// What the analysis makes of one lowercase word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WordAnalysis {
    /// The word's key in the stemmed fields.
    pub key: String,
    /// The keys of its compound parts; empty when it is not a compound.
    pub parts: Vec<String>,
    /// The parts as written (`välfärds`, `brottslighet`).
    pub written_parts: Vec<String>,
    /// The word with its diacritics folded, when it has a letter outside ASCII.
    pub folded: Option<String>,
}

/// Analyses one lowercase word: its key is the stem of its lemma; a compound's
/// key is its first parts as written plus the stem of its last part's lemma,
/// so that all forms of a compound share a key.
pub fn analyse_word(word: &str) -> WordAnalysis {
    analysed(word).analysis.clone()
}

/// Words a thread keeps analysed, and words the process keeps (in [`SHARDS`] parts);
/// a cache that fills up starts again.
const THREAD_WORDS: usize = 50_000;
const PROCESS_WORDS: usize = 400_000;
const SHARDS: usize = 16;

type WordCache = FxHashMap<String, Arc<WordAnalysis>>;

fn lock(m: &Mutex<WordCache>) -> std::sync::MutexGuard<'_, WordCache> {
    // A cache is whole after a panic elsewhere: entries are inserted complete.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A lowercase word with its analysis, as a thread keeps it.
struct Known {
    word: String,
    analysis: WordAnalysis,
}

impl std::ops::Deref for Known {
    type Target = WordAnalysis;

    fn deref(&self) -> &WordAnalysis {
        &self.analysis
    }
}

/// [`analyse_word`] from a cache: words repeat within a text and across texts, and
/// every thread that indexes or searches meets the same vocabulary. A thread's own
/// words first (its own copies: no counter shared between threads is touched for a
/// word it knows), then the process's; a word new to both is analysed without a lock
/// held (its analysis looks up the words inside it).
fn analysed(word: &str) -> Rc<Known> {
    thread_local! {
        static LOCAL: RefCell<FxHashMap<String, Rc<Known>>> = RefCell::default();
    }
    static PROCESS: std::sync::OnceLock<[Mutex<WordCache>; SHARDS]> = std::sync::OnceLock::new();
    if let Some(hit) = LOCAL.with(|c| c.borrow().get(word).cloned()) {
        return hit;
    }
    let shards = PROCESS.get_or_init(|| std::array::from_fn(|_| Mutex::default()));
    let shard = &shards[(rustc_hash::FxBuildHasher.hash_one(word) as usize) % SHARDS];
    let known = lock(shard).get(word).cloned();
    let analysis = match known {
        Some(a) => a,
        None => {
            let a = Arc::new(analyse_uncached(word));
            let mut shard = lock(shard);
            if shard.len() >= PROCESS_WORDS / SHARDS {
                shard.clear();
            }
            shard.insert(word.to_string(), a.clone());
            a
        }
    };
    let known = Rc::new(Known {
        word: word.to_string(),
        analysis: (*analysis).clone(),
    });
    LOCAL.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= THREAD_WORDS {
            c.clear();
        }
        c.insert(word.to_string(), known.clone());
    });
    known
}

/// The key of a lemma: the verb's key for a verbal noun in `-ning`/`-ing` whose
/// verb the lexicon knows (`sänkning` → `sänka`, `minskning` → `minska`,
/// `förändring` → `förändra`), so that `sänkning` finds `sänkt`; else its stem.
fn lemma_key(lemma: &str) -> String {
    for suffix in ["ning", "ing"] {
        let Some(stem) = lemma.strip_suffix(suffix) else {
            continue;
        };
        if stem.chars().count() < 3 {
            break;
        }
        let verb = format!("{stem}a");
        if lexicon().lemma(&verb).as_deref() == Some(verb.as_str()) {
            return snowball(&verb);
        }
    }
    snowball(lemma)
}

fn analyse_uncached(word: &str) -> WordAnalysis {
    let lex = lexicon();
    let split = lex.split(word);
    let key = match (lex.lemma(word), &split) {
        (Some(lemma), _) => lemma_key(&lemma),
        (None, Some(parts)) if lex.lemmas(word).is_empty() => {
            let last = parts.last().expect("a split has parts");
            let head_len = word.len() - last.text.len();
            let last_key = match lex.lemma(&last.text) {
                Some(l) => lemma_key(&l),
                None => lemma_key(&last.lemma),
            };
            format!("{}{}", &word[..head_len], last_key)
        }
        _ => snowball(word),
    };
    let (mut parts, written_parts): (Vec<String>, Vec<String>) = match split {
        Some(parts) => (
            parts
                .iter()
                .map(|p| lemma_key(&lex.lemma(&p.lemma).unwrap_or_else(|| p.lemma.clone())))
                .collect(),
            parts.into_iter().map(|p| p.text).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    // The compounds inside a compound: `badvattenprovtagning` (bad+vatten+provtagning)
    // also holds `badvatten` and `vattenprovtagning`, `hemsjukvårdsavtalet` holds
    // `hemsjukvård` (its linking `s` dropped) and `sjukvårdsavtal`.
    let n = written_parts.len();
    for i in 0..n {
        for j in i + 2..=n {
            if (i, j) == (0, n) {
                continue;
            }
            let text = written_parts[i..j].concat();
            let key = inner_compound_key(&text, j == n);
            if !parts.contains(&key) {
                parts.push(key);
            }
        }
    }
    WordAnalysis {
        key,
        parts,
        written_parts,
        folded: (!word.is_ascii()).then(|| fold(word)),
    }
}

/// The key of a compound inside a compound. One that ends before the last part may carry
/// the linking `s` (`hemsjukvårds-`): without it, when the lexicon knows that word.
fn inner_compound_key(text: &str, at_end: bool) -> String {
    if !at_end {
        if let Some(stripped) = text.strip_suffix('s') {
            if lexicon().lemma(stripped).is_some() {
                return analysed(stripped).key.clone();
            }
        }
    }
    analysed(text).key.clone()
}

/// Words that join the members of a coordinated compound (`barn- och ungdomspsykiatri`).
const COORDINATORS: [&str; 6] = ["och", "eller", "samt", "respektive", "resp", "&"];

/// The keys a word stands for when it is the first member of a coordinated compound,
/// written with a hyphen before a conjunction and the compound that completes it:
/// `missbruks- och beroendemottagning` holds `missbruksmottagning` (the member and the
/// completing compound's last part), `elevhälso- och skolfrågor` holds `elevhälsa` (the
/// member itself, its linking ending read back: `-s` dropped, `-o`/`-u`/`-e` for `-a`)
/// and `elevhälsofrågor`. `end` is the byte offset in `text` just after `word`
/// (lowercase); empty when the word is not followed that way.
pub fn coordinated_keys(text: &str, end: usize, word: &str) -> Vec<String> {
    let Some(last) = completing_compound(text, end) else {
        return Vec::new();
    };
    let lex = lexicon();
    let mut keys = Vec::new();
    let known = |w: &str| lex.lemma(w).is_some() || lex.split(w).is_some();
    // The member as a word of its own, with its linking ending read back.
    let mut bases = vec![word.to_string()];
    if let Some(stem) = word.strip_suffix('s') {
        bases.push(stem.to_string());
    }
    for linking in ['o', 'u', 'e'] {
        if let Some(stem) = word.strip_suffix(linking) {
            bases.push(format!("{stem}a"));
        }
    }
    if let Some(base) = bases.iter().skip(1).find(|b| known(b)) {
        keys.push(analysed(base).key.clone());
    }
    if let Some(head) = compound_head(&last) {
        let completed = format!("{word}{head}");
        keys.push(analysed(&completed).key.clone());
    }
    keys.retain(|k| k != &analysed(word).key);
    keys.dedup();
    keys
}

/// The last part of a compound as written: from its split, or for a compound the
/// lexicon knows whole (`tandvården`), its longest ending that is a word of its own
/// after at least three letters (`vården`).
fn compound_head(compound: &str) -> Option<String> {
    if let Some(last) = analysed(compound).written_parts.last() {
        return Some(last.clone());
    }
    let lex = lexicon();
    compound
        .char_indices()
        .skip(3)
        .map(|(i, _)| &compound[i..])
        .find(|tail| tail.chars().count() >= 4 && lex.lemma(tail).is_some())
        .map(str::to_string)
}

/// The compound that closes a coordination begun at byte `end` of `text` (`- och
/// beroendemottagning`, `-, sjuk- och tandvård`), lowercased, when it is one.
fn completing_compound(text: &str, end: usize) -> Option<String> {
    let rest = text.get(end..)?;
    let mut chars = rest.chars();
    if !matches!(chars.next(), Some('-' | '\u{2010}' | '\u{2011}')) {
        return None;
    }
    let after = chars.as_str();
    if !after.starts_with(|c: char| c.is_whitespace() || c == ',') {
        return None;
    }
    let mut joined = false;
    for raw in after.split_whitespace().take(8) {
        let word = raw.trim_end_matches([',', '.', ';', ':', ')']);
        if word.is_empty() {
            continue;
        }
        let lower = word.to_lowercase();
        if COORDINATORS.contains(&lower.as_str()) {
            joined = true;
            continue;
        }
        if word.ends_with(['-', '\u{2010}', '\u{2011}']) && !joined {
            continue; // another member: `hälso-, sjuk- och tandvård`
        }
        let letters: String = lower.chars().take_while(|c| c.is_alphabetic()).collect();
        return (joined && letters.chars().count() == lower.chars().count() && !letters.is_empty())
            .then_some(letters);
    }
    None
}

/// What a field keeps of each word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordKeys {
    /// The word itself, lowercased.
    Exact,
    /// Each word's key.
    Stem,
    /// The keys of a compound's parts; nothing for other words.
    Parts,
    /// Only words with a letter outside ASCII, their diacritics folded.
    NonAscii,
}

/// One word of a text with its analysis.
pub struct Word {
    offset_from: usize,
    offset_to: usize,
    position: usize,
    position_length: usize,
    known: Rc<Known>,
}

impl Word {
    /// Where the word is in its text (bytes).
    pub fn offsets(&self) -> (usize, usize) {
        (self.offset_from, self.offset_to)
    }

    /// The word's position (a word dropped as too long leaves a gap).
    pub fn position(&self) -> usize {
        self.position
    }

    /// The word, lowercased.
    pub fn lower(&self) -> &str {
        &self.known.word
    }

    /// Its analysis.
    pub fn analysis(&self) -> &WordAnalysis {
        &self.known.analysis
    }
}

/// The words of the texts a thread analysed last. An item's title and text are each
/// indexed in four fields (stemmed, exact, parts, folded), one after the other: the
/// first field splits, lowercases and looks up each word, the others read its words.
struct RecentTexts {
    texts: Vec<(String, Rc<[Word]>)>,
}

/// Texts kept per thread; an item's fields take turns with its title and text.
const RECENT_TEXTS: usize = 4;
/// A longer text is analysed for each field: it would hold too much memory.
const MAX_SHARED_TEXT: usize = 1 << 20;

thread_local! {
    static RECENT: RefCell<RecentTexts> = const { RefCell::new(RecentTexts { texts: Vec::new() }) };
    static WORDS: RefCell<Option<TextAnalyzer>> = const { RefCell::new(None) };
}

/// The words of `text` as every analyser reads them, from the thread's recent texts
/// when it is one of them.
pub fn words_of(text: &str) -> Rc<[Word]> {
    if text.len() > MAX_SHARED_TEXT {
        return split_words(text);
    }
    let hit = RECENT.with(|r| {
        let r = r.borrow();
        r.texts
            .iter()
            .find(|(t, _)| t == text)
            .map(|(_, w)| w.clone())
    });
    if let Some(words) = hit {
        return words;
    }
    let words = split_words(text);
    RECENT.with(|r| {
        let mut r = r.borrow_mut();
        if r.texts.len() >= RECENT_TEXTS {
            r.texts.remove(0);
        }
        r.texts.push((text.to_string(), words.clone()));
    });
    words
}

fn split_words(text: &str) -> Rc<[Word]> {
    WORDS.with(|w| {
        let mut w = w.borrow_mut();
        let analyzer = w.get_or_insert_with(word_analyzer);
        let mut stream = analyzer.token_stream(text);
        let mut words = Vec::new();
        while stream.advance() {
            let t = stream.token();
            words.push(Word {
                offset_from: t.offset_from,
                offset_to: t.offset_to,
                position: t.position,
                position_length: t.position_length,
                known: analysed(&t.text),
            });
        }
        words.into()
    })
}

/// The tokenizer behind every analyser: the words of a text (see [`words_of`]), with
/// what its field keeps of each.
#[derive(Clone, Copy, Debug)]
struct SharedWords(WordKeys);

impl Tokenizer for SharedWords {
    type TokenStream<'a> = WordKeysStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordKeysStream<'a> {
        WordKeysStream {
            words: words_of(text),
            next: 0,
            text,
            mode: self.0,
            pending: Vec::new(),
            current: Token::default(),
        }
    }
}

pub struct WordKeysStream<'a> {
    words: Rc<[Word]>,
    next: usize,
    /// The text analysed, for what follows a word (a coordinated compound).
    text: &'a str,
    mode: WordKeys,
    /// Parts still to emit, last first.
    pending: Vec<Token>,
    current: Token,
}

/// Makes `current` the word `word` as `text`.
fn emit(current: &mut Token, word: &Word, text: &str) {
    current.offset_from = word.offset_from;
    current.offset_to = word.offset_to;
    current.position = word.position;
    current.position_length = word.position_length;
    current.text.clear();
    current.text.push_str(text);
}

/// The word `word` as a token of `text`.
fn token_of(word: &Word, text: String) -> Token {
    Token {
        offset_from: word.offset_from,
        offset_to: word.offset_to,
        position: word.position,
        position_length: word.position_length,
        text,
    }
}

impl TokenStream for WordKeysStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some(t) = self.pending.pop() {
                self.current = t;
                return true;
            }
            let Some(word) = self.words.get(self.next) else {
                return false;
            };
            self.next += 1;
            match self.mode {
                WordKeys::Exact => {
                    emit(&mut self.current, word, word.lower());
                    return true;
                }
                WordKeys::Stem => {
                    emit(&mut self.current, word, &word.analysis().key);
                    return true;
                }
                WordKeys::NonAscii => {
                    if let Some(folded) = &word.analysis().folded {
                        emit(&mut self.current, word, folded);
                        return true;
                    }
                }
                WordKeys::Parts => {
                    // A member of a coordinated compound stands for the whole compound.
                    for key in coordinated_keys(self.text, word.offset_to, word.lower()) {
                        self.pending.push(token_of(word, key));
                    }
                    // All parts sit at the word's position.
                    for part in word.analysis().parts.iter().rev() {
                        self.pending.push(token_of(word, part.clone()));
                    }
                }
            }
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Registers both analysers with an index.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(STEMMED, stemmed_analyzer());
    index.tokenizers().register(EXACT, exact_analyzer());
    index.tokenizers().register(PARTS, parts_analyzer());
    index.tokenizers().register(FOLDED, folded_analyzer());
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
            ("sänkning", "sänkt"),
            ("minskningen", "minskade"),
            ("förändringar", "förändrat"),
            ("åldersgränssänkningen", "åldersgränssänkning"),
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

    fn key(w: &str) -> String {
        analyse_word(w).key
    }

    /// Forms a reader sees as one word share a key; the measured cases.
    #[test]
    fn forms_of_one_word_share_a_key() {
        for group in [
            &["protokoll", "protokollet", "protokollen", "protokollets"][..],
            &["gemensam", "gemensamma", "gemensamt"],
            &["länsgemensam", "länsgemensamma", "länsgemensamt"],
            &[
                "finansiera",
                "finansieras",
                "finansiering",
                "finansieringen",
            ],
            &[
                "ungdomsmottagning",
                "ungdomsmottagningen",
                "ungdomsmottagningar",
            ],
            &[
                "samverkansmodell",
                "samverkansmodellen",
                "samverkansmodeller",
            ],
            &["välfärdsbrottslighet", "välfärdsbrottsligheten"],
            &["beslut", "beslutet", "besluten", "besluta", "beslutade"],
            &["kommun", "kommunen", "kommuner", "kommunerna"],
        ] {
            let keys: Vec<String> = group.iter().map(|w| key(w)).collect();
            assert!(keys.iter().all(|k| *k == keys[0]), "{group:?} -> {keys:?}");
        }
    }

    /// Different words keep different keys.
    #[test]
    fn different_words_keep_apart() {
        for (a, b) in [
            ("för", "for"),
            ("barn", "bar"),
            ("vård", "vara"),
            ("region", "regel"),
            ("ordförande", "ord"),
            ("ungdomar", "domar"),
        ] {
            assert_ne!(key(a), key(b), "{a} / {b}");
        }
    }

    #[test]
    fn compounds_give_their_parts_keys() {
        let a = analyse_word("välfärdsbrottslighet");
        assert_eq!(a.written_parts, ["välfärds", "brottslighet"]);
        assert_eq!(a.parts, [key("välfärd"), key("brottslighet")]);
        assert!(analyse_word("ordförande").parts.is_empty());
        let mut parts = parts_analyzer();
        assert_eq!(
            tokens(&mut parts, "Digital ungdomsmottagning i länet"),
            [key("ungdom"), key("mottagning")]
        );
    }

    #[test]
    fn compounds_inside_compounds_have_keys() {
        let a = analyse_word("badvattenprovtagning");
        assert!(a.parts.contains(&key("badvatten")), "{:?}", a.parts);
        let a = analyse_word("hemsjukvårdsavtalet");
        assert!(a.parts.contains(&key("hemsjukvård")), "{:?}", a.parts);
        assert!(
            !a.parts.contains(&a.key),
            "the whole word is not its own part"
        );
        // Two parts hold no inner compound.
        assert_eq!(analyse_word("välfärdsbrottslighet").parts.len(), 2);
    }

    #[test]
    fn folding_removes_diacritics_only_in_its_own_field() {
        let mut folded = folded_analyzer();
        assert_eq!(
            tokens(&mut folded, "Mølstad Katrín Välfärd"),
            ["molstad", "katrin", "valfard"]
        );
        assert_ne!(key("mølstad"), key("molstad"));
    }

    #[test]
    fn coordinated_compounds_hold_the_whole_compound() {
        let mut parts = parts_analyzer();
        let mut keys = |text: &str| tokens(&mut parts, text);
        let k = |w: &str| analyse_word(w).key;
        // The member completed by the last part of the compound that closes it.
        let t = keys("Öppen missbruks- och beroendemottagning startar");
        assert!(t.contains(&k("missbruksmottagning")), "{t:?}");
        let t = keys("barn- och ungdomspsykiatrin");
        assert!(t.contains(&k("barnpsykiatri")), "{t:?}");
        // More members, and `eller`; the member read back from its linking ending.
        let t = keys("hälso-, sjuk- och tandvården");
        assert!(t.contains(&k("sjukvård")), "{t:?}");
        assert!(t.contains(&k("hälsovård")), "{t:?}");
        let t = keys("elevhälso- eller skolfrågor");
        assert!(t.contains(&k("elevhälsa")), "{t:?}");
        // A hyphen that is no coordination adds nothing.
        for plain in [
            "missbruks-behandling",
            "vård- ",
            "vård-\nbehandling",
            "barn - och unga",
        ] {
            let t = keys(plain);
            assert!(!t.contains(&k("barnunga")), "{plain}: {t:?}");
            assert!(
                !t.iter().any(|x| x.contains("missbruksbehandling")),
                "{plain}: {t:?}"
            );
        }
        assert!(coordinated_keys("barn- och 2024", 4, "barn").is_empty());
    }

    /// A token's text, offsets and position.
    type Full = (String, usize, usize, usize);

    /// Every token of a stream.
    fn full_tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Full> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    fn all_analyzers() -> [TextAnalyzer; 4] {
        [
            exact_analyzer(),
            stemmed_analyzer(),
            parts_analyzer(),
            folded_analyzer(),
        ]
    }

    /// The fields of one text share its words: what each field gets is the same
    /// whichever texts the thread analysed before, and the same as a thread that
    /// analyses that text alone.
    #[test]
    fn fields_sharing_a_text_get_what_their_own_analysis_gives() {
        let long = "Barn- och ungdomspsykiatrin samverkar. ".repeat(MAX_SHARED_TEXT / 30);
        let texts = [
            "Digital ungdomsmottagning i länet, hälso-, sjuk- och tandvården",
            "Mølstad Katrín Välfärd § 12 Dnr KS 2024/123",
            "",
            "Digital ungdomsmottagning i länet",
            "ordet ärendehanteringssystemetsförvaltningsorganisationen är för långt och följs av ett kort",
            long.as_str(),
        ];
        let alone: Vec<Vec<Vec<Full>>> = texts
            .iter()
            .map(|t| {
                let t = t.to_string();
                std::thread::spawn(move || {
                    all_analyzers()
                        .iter_mut()
                        .map(|a| full_tokens(a, &t))
                        .collect()
                })
                .join()
                .expect("analysis does not panic")
            })
            .collect();
        let mut analyzers = all_analyzers();
        for round in 0..3 {
            for (i, text) in texts.iter().enumerate() {
                for (m, a) in analyzers.iter_mut().enumerate() {
                    assert_eq!(
                        full_tokens(a, text),
                        alone[i][m],
                        "round {round}, text {i}, analyser {m}"
                    );
                }
            }
        }
    }

    /// What each field keeps of a word, stated over the lowercased words themselves.
    #[test]
    fn each_field_keeps_its_part_of_every_word() {
        let text = "Välfärdsbrottslighet och Mølstad: ungdomsmottagningen öppnar";
        let mut words = word_analyzer();
        let words = full_tokens(&mut words, text);
        assert_eq!(full_tokens(&mut exact_analyzer(), text), words);
        let stems: Vec<_> = words
            .iter()
            .map(|(w, a, b, p)| (analyse_word(w).key, *a, *b, *p))
            .collect();
        assert_eq!(full_tokens(&mut stemmed_analyzer(), text), stems);
        let folded: Vec<_> = words
            .iter()
            .filter(|(w, ..)| !w.is_ascii())
            .map(|(w, a, b, p)| (fold(w), *a, *b, *p))
            .collect();
        assert_eq!(full_tokens(&mut folded_analyzer(), text), folded);
        let parts: Vec<_> = words
            .iter()
            .flat_map(|(w, a, b, p)| {
                analyse_word(w)
                    .parts
                    .into_iter()
                    .map(move |k| (k, *a, *b, *p))
            })
            .collect();
        assert_eq!(full_tokens(&mut parts_analyzer(), text), parts);
    }

    #[test]
    fn exact_analysis_only_lowercases() {
        let mut a = exact_analyzer();
        assert_eq!(tokens(&mut a, "Barn och Unga"), ["barn", "och", "unga"]);
        assert_eq!(tokens(&mut a, "Välfärd"), ["välfärd"]);
    }
}
