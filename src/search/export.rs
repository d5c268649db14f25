//! The way past one machine: an existing distributed engine rather than a home-made
//! one. `protokollsok export --opensearch DIR` writes what OpenSearch (or
//! Elasticsearch) needs to serve the records of the index with the same analysis.
//! Owns: the index template (a mapping for every field and facet of an item; the
//! Swedish analysis chain), the lexicon written as hunspell files and as a
//! decompounder's word list, the abbreviations as synonym rules, the NDJSON bulk
//! files of the stored records (one document per agenda item, as in the index), and
//! which folders an export may write to.
//! Does not own: reading a protocol back (`search::hits::protocol`), an item's facet
//! values (`index::schema::facet_values`), the lexicon's own format
//! (`analysis::lexicon`).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::analysis::lexicon::{
    self, COMPOUND_BEGIN, COMPOUND_END, COMPOUND_MIDDLE, NEEDS_SUFFIX, ONLY_IN_COMPOUND,
};
use crate::analysis::synonyms::Synonyms;
use crate::error::{Error, Result};
use crate::index::facets::FacetField;
use crate::index::schema::{facet_values, SCHEMA_VERSION};
use crate::index::store::Store;
use crate::parse::{Item, Protocol};

/// The index the bulk files fill; the template applies to `protokollsok*`.
pub const INDEX_NAME: &str = "protokollsok";
pub const TEMPLATE_FILE: &str = "index-template.json";
pub const README_FILE: &str = "README.txt";
/// The hunspell locale, and its folder: below the export folder as below the
/// config folder of an OpenSearch node.
pub const LOCALE: &str = "sv_SE";
pub const HUNSPELL_DIR: &str = "hunspell/sv_SE";
/// The decompounder's word list and the synonym rules, by their paths relative to
/// the config folder (the template names them so).
pub const WORD_LIST: &str = "analysis/protokollsok-compound-parts.txt";
pub const SYNONYMS_FILE: &str = "analysis/protokollsok-synonyms.txt";
/// The index analyzer of the text fields, and the one of their queries.
pub const ANALYZER: &str = "swedish_protokoll";
pub const SEARCH_ANALYZER: &str = "swedish_protokoll_search";

/// A bulk file ends before it would hold more than this many documents or bytes
/// (OpenSearch takes requests of up to 100 MB by default).
pub const MAX_DOCS_PER_FILE: usize = 5_000;
pub const MAX_BYTES_PER_FILE: usize = 10 * 1024 * 1024;
/// The shortest compound part of the word list (the decompounder's
/// `min_subword_size`): shorter parts of a word are too often letters, not words.
const MIN_PART: usize = 4;
/// Words shorter than this are not decompounded (as in the lexicon).
const MIN_COMPOUND: usize = lexicon::MIN_SPLIT_WORD;

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub dir: PathBuf,
    pub protocols: usize,
    pub documents: usize,
    /// The bulk files, in order (`bulk-0001.ndjson`, …).
    pub bulk_files: Vec<String>,
    pub synonym_rules: usize,
    pub compound_parts: usize,
    /// The folder held a previous export, which this one replaced.
    pub replaced: bool,
}

/// Writes the template, the analysis files and the bulk files of every item of
/// `store` into `dir` (see [`prepare_folder`] for which folders it takes).
pub fn opensearch(store: &Store, dir: &Path) -> Result<ExportReport> {
    let replaced = prepare_folder(dir)?;
    let hunspell = dir.join(HUNSPELL_DIR);
    write_file(&hunspell.join(format!("{LOCALE}.aff")), &hunspell_aff())?;
    write_file(&hunspell.join(format!("{LOCALE}.dic")), &hunspell_dic())?;
    for (name, text) in lexicon::LICENSE_FILES {
        write_file(&hunspell.join(name), text)?;
    }
    let parts = compound_parts();
    write_file(&dir.join(WORD_LIST), &lines(&parts))?;
    let searcher = store.reader.searcher();
    let rules = synonym_rules(&crate::query::correct::synonyms(store, &searcher)?);
    let header = "# Abbreviations and their long forms (data/synonyms.txt and the pairs the\n\
                  # archive defines), one equivalence a line in the Solr format.\n";
    write_file(
        &dir.join(SYNONYMS_FILE),
        &format!("{header}{}", lines(&rules)),
    )?;
    let template = serde_json::to_string_pretty(&index_template()).expect("serialisable") + "\n";
    write_file(&dir.join(TEMPLATE_FILE), &template)?;

    let mut bulk = Bulk::new(dir, MAX_DOCS_PER_FILE, MAX_BYTES_PER_FILE);
    let mut protocols = 0;
    for id in protocol_ids(store)? {
        let p = match crate::search::hits::protocol(store, &id) {
            Ok(p) => p,
            // Only deleted documents carried the id.
            Err(Error::UnknownProtocol(_)) => continue,
            Err(e) => return Err(e),
        };
        protocols += 1;
        for (ord, item) in p.items.iter().enumerate() {
            bulk.add(&document_id(&p, ord), &Value::Object(source(&p, item, ord)))?;
        }
    }
    let (bulk_files, documents) = bulk.finish()?;
    let report = ExportReport {
        dir: dir.to_path_buf(),
        protocols,
        documents,
        bulk_files,
        synonym_rules: rules.len(),
        compound_parts: parts.len(),
        replaced,
    };
    write_file(&dir.join(README_FILE), &readme(&report))?;
    Ok(report)
}

/// Makes `dir` ready for an export and says whether it held a previous one. An
/// absent folder is created; an empty one is taken; a previous export (its template
/// and nothing an export does not write) is replaced, its bulk files removed first
/// so that none of a larger export is left behind. Anything else is refused: an
/// export neither mixes with nor deletes files it did not write.
pub fn prepare_folder(dir: &Path) -> Result<bool> {
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            return Ok(false);
        }
        Err(e) => return Err(Error::io(dir, e)),
        Ok(m) if !m.is_dir() => {
            return Err(Error::InvalidArgument(format!(
                "{}: not a folder; export into a new or empty folder",
                dir.display()
            )))
        }
        Ok(_) => {}
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    if names.is_empty() {
        return Ok(false);
    }
    names.sort();
    let foreign: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !is_export_entry(n))
        .collect();
    if !names.iter().any(|n| n == TEMPLATE_FILE) || !foreign.is_empty() {
        let shown: Vec<&str> = if foreign.is_empty() {
            names.iter().map(String::as_str).take(3).collect()
        } else {
            foreign.iter().copied().take(3).collect()
        };
        return Err(Error::InvalidArgument(format!(
            "{}: the folder is not empty and holds no previous export (it has {}{}); \
             export into a new or empty folder",
            dir.display(),
            shown.join(", "),
            if names.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        )));
    }
    for name in names.iter().filter(|n| is_bulk_file(n)) {
        let path = dir.join(name);
        std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    }
    Ok(true)
}

/// A name an export writes at the top of its folder.
fn is_export_entry(name: &str) -> bool {
    [TEMPLATE_FILE, README_FILE, "hunspell", "analysis"].contains(&name) || is_bulk_file(name)
}

/// `bulk-0001.ndjson` and its like.
pub fn is_bulk_file(name: &str) -> bool {
    name.strip_prefix("bulk-")
        .and_then(|n| n.strip_suffix(".ndjson"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

fn lines(items: &[String]) -> String {
    items.iter().map(|l| format!("{l}\n")).collect()
}

/// The lexicon's suffix rules in hunspell's affix syntax: `SET UTF-8`, the compound
/// flags as directives, and per flag an `SFX` header with the count of its rules.
/// The shipped `sv.aff` is a derived table (`flag strip add cont cond` a line)
/// that no hunspell reader takes as it is.
pub fn hunspell_aff() -> String {
    let mut groups: Vec<(char, Vec<lexicon::SuffixRule>)> = Vec::new();
    for rule in lexicon::suffix_rules() {
        match groups.iter_mut().find(|(flag, _)| *flag == rule.flag) {
            Some((_, rules)) => rules.push(rule),
            None => groups.push((rule.flag, vec![rule])),
        }
    }
    let mut out = String::from("SET UTF-8\n");
    out.push_str(
        "# The Swedish lexicon of protokollsok (data/lexicon): the stems and suffix rules\n\
         # it reads, derived from the hunspell sv_SE dictionary, (c) 2003-2014 Goran\n\
         # Andersson <goran@init.se>, LGPL-3 (see LGPL-3.txt and README.md here).\n\
         FLAG UTF-8\n",
    );
    for (directive, flag) in [
        ("COMPOUNDBEGIN", COMPOUND_BEGIN),
        ("COMPOUNDMIDDLE", COMPOUND_MIDDLE),
        ("COMPOUNDEND", COMPOUND_END),
        ("ONLYINCOMPOUND", ONLY_IN_COMPOUND),
        ("NEEDAFFIX", NEEDS_SUFFIX),
    ] {
        let _ = writeln!(out, "{directive} {flag}");
    }
    let _ = writeln!(out, "COMPOUNDMIN 3");
    let zero = |s: &str| {
        if s.is_empty() {
            "0".to_string()
        } else {
            s.to_string()
        }
    };
    for (flag, rules) in groups {
        let _ = writeln!(out, "\nSFX {flag} Y {}", rules.len());
        for r in rules {
            let cont = if r.cont.is_empty() {
                String::new()
            } else {
                format!("/{}", r.cont)
            };
            let cond = if r.cond.is_empty() { "." } else { r.cond };
            let _ = writeln!(
                out,
                "SFX {flag} {} {}{cont} {cond}",
                zero(r.strip),
                zero(r.add)
            );
        }
    }
    out
}

/// The lexicon's stems as a hunspell dictionary: their count, then `word/FLAGS` a line.
pub fn hunspell_dic() -> String {
    let stems: Vec<(&str, &str)> = lexicon::stems().collect();
    let mut out = String::with_capacity(stems.len() * 16);
    let _ = writeln!(out, "{}", stems.len());
    for (word, flags) in stems {
        if flags.is_empty() {
            let _ = writeln!(out, "{word}");
        } else {
            let _ = writeln!(out, "{word}/{flags}");
        }
    }
    out
}

/// The decompounder's word list: every stem the lexicon lets begin, sit inside or
/// end a compound, of [`MIN_PART`] letters or more, sorted.
pub fn compound_parts() -> Vec<String> {
    let compound = [
        COMPOUND_BEGIN,
        COMPOUND_MIDDLE,
        COMPOUND_END,
        ONLY_IN_COMPOUND,
    ];
    let parts: BTreeSet<String> = lexicon::stems()
        .filter(|(word, flags)| {
            word.chars().count() >= MIN_PART
                && word.chars().all(char::is_alphabetic)
                && flags.chars().any(|c| compound.contains(&c))
        })
        .map(|(word, _)| word.to_string())
        .collect();
    parts.into_iter().collect()
}

/// One Solr-format equivalence per abbreviation and long form (`BUP, barn- och
/// ungdomspsykiatri`): an abbreviation finds each of its long forms and each long
/// form the abbreviation, as in a search of the index, and two long forms of one
/// abbreviation do not find each other. A long form without a letter or digit
/// (which the tokenizer would leave empty, and OpenSearch refuse) is left out.
pub fn synonym_rules(synonyms: &Synonyms) -> Vec<String> {
    synonyms
        .pairs()
        .filter(|(abbr, long)| {
            [abbr, long]
                .iter()
                .all(|s| s.chars().any(char::is_alphanumeric))
        })
        .map(|(abbr, long)| format!("{}, {}", solr_escape(abbr), solr_escape(long)))
        .collect()
}

/// A term of a Solr synonym rule: `,` separates terms and `=>` maps them, so both
/// are escaped, as is the escape character itself.
fn solr_escape(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The template for `PUT _index_template/protokollsok`.
pub fn index_template() -> Value {
    json!({
        "index_patterns": [format!("{INDEX_NAME}*")],
        "priority": 100,
        "version": SCHEMA_VERSION,
        "_meta": {
            "description": "protokollsok: one document per agenda item, the Swedish analysis of the archive",
            "schema_version": SCHEMA_VERSION,
        },
        "template": {
            "settings": { "analysis": analysis() },
            "mappings": mappings(),
        },
    })
}

/// The analysis chain. Documents are indexed with their compounds' parts (as the
/// index's `parts` field: a part finds the compound), queries with the
/// abbreviations (as the query plan expands them); both with each word's lemma
/// from the lexicon, then the Swedish Snowball stemmer, as the index keys words.
fn analysis() -> Value {
    json!({
        "filter": {
            "protokoll_abbreviations": {
                "type": "synonym_graph",
                "synonyms_path": SYNONYMS_FILE,
                "expand": true,
            },
            "protokoll_compounds": {
                "type": "dictionary_decompounder",
                "word_list_path": WORD_LIST,
                "min_word_size": MIN_COMPOUND,
                "min_subword_size": MIN_PART,
                "max_subword_size": 30,
                "only_longest_match": true,
            },
            "protokoll_hunspell": {
                "type": "hunspell",
                "locale": LOCALE,
                "dedup": true,
                "longest_only": true,
            },
            "protokoll_stemmer": { "type": "stemmer", "language": "swedish" },
        },
        "analyzer": {
            ANALYZER: {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "protokoll_compounds", "protokoll_hunspell", "protokoll_stemmer"],
            },
            SEARCH_ANALYZER: {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "protokoll_abbreviations", "protokoll_hunspell", "protokoll_stemmer"],
            },
            "swedish_protokoll_exact": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase"],
            },
            "swedish_protokoll_folded": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding"],
            },
        },
    })
}

/// The mapping: strict, so that a document with a field it does not name is
/// refused. Every facet is a keyword field of its public name; text fields are
/// analysed as Swedish, with the words as written (`exact`) and with diacritics
/// folded (`folded`) beside, as the index has them.
fn mappings() -> Value {
    let keyword = json!({ "type": "keyword" });
    let text = json!({
        "type": "text",
        "analyzer": ANALYZER,
        "search_analyzer": SEARCH_ANALYZER,
        "fields": {
            "exact": { "type": "text", "analyzer": "swedish_protokoll_exact" },
            "folded": { "type": "text", "analyzer": "swedish_protokoll_folded" },
        },
    });
    let stance = json!({
        "properties": { "by": keyword, "text": text },
    });
    let mut props = Map::new();
    for facet in FacetField::ALL {
        props.insert(facet.name().into(), keyword.clone());
    }
    for name in [
        "protocol_id",
        "file",
        "language",
        "place",
        "chairs",
        "secretary",
        "adjusters",
        "absent",
        "number",
        "presenters",
    ] {
        props.insert(name.into(), keyword.clone());
    }
    for name in ["protocol_title", "title", "parent", "text", "decisions"] {
        props.insert(name.into(), text.clone());
    }
    props.insert(
        "dnr".into(),
        json!({
            "type": "keyword",
            "fields": { "words": { "type": "text", "analyzer": "swedish_protokoll_exact" } },
        }),
    );
    props.insert(
        "date".into(),
        json!({ "type": "date", "format": "strict_date" }),
    );
    props.insert("item_ord".into(), json!({ "type": "integer" }));
    props.insert(
        "persons".into(),
        json!({
            "properties": {
                "name": keyword, "organisation": keyword, "role": keyword,
                "replaces": keyword, "party": keyword,
            },
        }),
    );
    props.insert("motions".into(), stance.clone());
    props.insert("reservations".into(), stance);
    json!({ "dynamic": "strict", "properties": props })
}

/// A document's id: its protocol's and its place there.
fn document_id(p: &Protocol, ord: usize) -> String {
    format!("{}-{ord}", p.id)
}

/// Whether a facet may have several values on one item (then always a list).
fn many_valued(facet: FacetField) -> bool {
    match facet {
        FacetField::Person | FacetField::Party | FacetField::Topic => true,
        FacetField::Group
        | FacetField::Organisation
        | FacetField::Year
        | FacetField::Month
        | FacetField::Decision
        | FacetField::Kind => false,
    }
}

/// The document of item `ord` of `p`: the item, its protocol's metadata and every
/// facet. The protocol's people and parties are on every item (the index keeps them
/// on the first and reaches the others through the protocol id, which OpenSearch
/// has no join for). Absent values are left out.
pub fn source(p: &Protocol, item: &Item, ord: usize) -> Map<String, Value> {
    let mut d = Map::new();
    let mut put = |key: &str, value: Value| {
        let empty = value.is_null() || value.as_array().is_some_and(Vec::is_empty);
        if !empty {
            d.insert(key.to_string(), value);
        }
    };
    put("protocol_id", json!(p.id));
    put("file", json!(p.file));
    put("date", json!(p.meeting_date().map(|d| d.to_string())));
    put("language", json!(p.language));
    put("protocol_title", json!(p.title));
    put("place", json!(p.place));
    put("chairs", json!(p.chairs));
    put("secretary", json!(p.secretary));
    put("adjusters", json!(p.adjusters));
    put("absent", json!(p.absent));
    let persons: Vec<Value> = p
        .persons
        .iter()
        .map(|person| {
            let mut o = Map::new();
            o.insert("name".into(), json!(person.name));
            for (key, value) in [
                ("organisation", &person.organisation),
                ("role", &person.role),
                ("replaces", &person.replaces),
                ("party", &person.party),
            ] {
                if let Some(v) = value {
                    o.insert(key.into(), json!(v));
                }
            }
            Value::Object(o)
        })
        .collect();
    put("persons", Value::Array(persons));
    put("item_ord", json!(ord));
    put("number", json!(item.number));
    put("title", json!(item.title));
    put("parent", json!(item.parent));
    put("text", json!(item.text));
    put("dnr", json!(item.dnr));
    put("decisions", json!(item.decisions));
    put("presenters", json!(item.presenters));
    let stances = |list: &[crate::parse::debate::Stance]| -> Value {
        list.iter()
            .map(|s| json!({ "by": s.by, "text": s.text }))
            .collect()
    };
    put("motions", stances(&item.motions));
    put("reservations", stances(&item.reservations));
    for facet in FacetField::ALL {
        // Ordinal 0: the protocol's values too, on every item.
        let mut values = facet_values(facet, p, item, 0);
        let value = match values.len() {
            _ if many_valued(facet) => json!(values),
            1 => json!(values.remove(0)),
            0 => Value::Null,
            _ => json!(values),
        };
        put(facet.name(), value);
    }
    d
}

/// The ids of the protocols the index holds now (of live documents), sorted.
fn protocol_ids(store: &Store) -> Result<BTreeSet<String>> {
    let searcher = store.reader.searcher();
    let schema = store.index.schema();
    let field = schema.get_field_name(store.fields.protocol_id);
    let mut out = BTreeSet::new();
    for seg in searcher.segment_readers() {
        let err = |e: tantivy::TantivyError| Error::index(&store.dir, e);
        let Some(ids) = seg.fast_fields().str(field).map_err(err)? else {
            continue;
        };
        let ords: BTreeSet<u64> = seg
            .doc_ids_alive()
            .filter_map(|doc| ids.ords().first(doc))
            .collect();
        let ords: Vec<u64> = ords.into_iter().collect();
        ids.dictionary()
            .sorted_ords_to_term_cb(&ords, |bytes| {
                if let Ok(id) = std::str::from_utf8(bytes) {
                    out.insert(id.to_string());
                }
            })
            .map_err(|e| Error::index(&store.dir, e))?;
    }
    Ok(out)
}

/// Bulk files being written: an action line and a source line per document, a new
/// file before one would pass its bounds.
struct Bulk {
    dir: PathBuf,
    max_docs: usize,
    max_bytes: usize,
    file: Option<(std::io::BufWriter<std::fs::File>, PathBuf)>,
    docs_in_file: usize,
    bytes_in_file: usize,
    names: Vec<String>,
    documents: usize,
}

impl Bulk {
    fn new(dir: &Path, max_docs: usize, max_bytes: usize) -> Bulk {
        Bulk {
            dir: dir.to_path_buf(),
            max_docs: max_docs.max(1),
            max_bytes,
            file: None,
            docs_in_file: 0,
            bytes_in_file: 0,
            names: Vec::new(),
            documents: 0,
        }
    }

    fn add(&mut self, id: &str, source: &Value) -> Result<()> {
        let action = json!({ "index": { "_index": INDEX_NAME, "_id": id } });
        let entry = format!("{action}\n{source}\n");
        let full = self.docs_in_file >= self.max_docs
            || (self.docs_in_file > 0 && self.bytes_in_file + entry.len() > self.max_bytes);
        if self.file.is_none() || full {
            self.next_file()?;
        }
        let (w, path) = self.file.as_mut().expect("a file is open");
        w.write_all(entry.as_bytes())
            .map_err(|e| Error::io(path.as_path(), e))?;
        self.docs_in_file += 1;
        self.bytes_in_file += entry.len();
        self.documents += 1;
        Ok(())
    }

    fn next_file(&mut self) -> Result<()> {
        self.close()?;
        let name = format!("bulk-{:04}.ndjson", self.names.len() + 1);
        let path = self.dir.join(&name);
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        self.file = Some((std::io::BufWriter::new(file), path));
        self.names.push(name);
        self.docs_in_file = 0;
        self.bytes_in_file = 0;
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        if let Some((mut w, path)) = self.file.take() {
            w.flush().map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    }

    /// The names of the files written and the number of documents.
    fn finish(mut self) -> Result<(Vec<String>, usize)> {
        self.close()?;
        Ok((self.names, self.documents))
    }
}

/// How to load the export.
fn readme(r: &ExportReport) -> String {
    let files = match (r.bulk_files.first(), r.bulk_files.last()) {
        (Some(first), Some(last)) if first != last => format!("{first} … {last}"),
        (Some(first), _) => first.clone(),
        _ => "none: the index held no items".to_string(),
    };
    format!(
        "protokollsok export for OpenSearch (or Elasticsearch)
======================================================

{documents} documents (one per agenda item) of {protocols} protocols, index schema {SCHEMA_VERSION}.

  {TEMPLATE_FILE}   the index template: mappings for every field and facet
                        (strict), the analysis chain `{ANALYZER}` (documents)
                        and `{SEARCH_ANALYZER}` (queries)
  {HUNSPELL_DIR}/        the Swedish lexicon as a hunspell dictionary (LGPL-3)
  {WORD_LIST}   compound parts for the decompounder ({parts} words)
  {SYNONYMS_FILE}   abbreviations and their long forms ({rules} rules)
  bulk-NNNN.ndjson      the documents in _bulk format ({files})

Load it:

1. Copy the folders hunspell/ and analysis/ into the config folder of every node
   (OPENSEARCH_PATH_CONF, such as /etc/opensearch; for Elasticsearch ES_PATH_CONF),
   so that config/{HUNSPELL_DIR}/{LOCALE}.aff and config/{WORD_LIST} exist, and
   restart the nodes: they read hunspell dictionaries when they start.

2. Put the template (URL is the cluster, such as http://localhost:9200):

     curl -X PUT \"$URL/_index_template/{INDEX_NAME}\" -H 'Content-Type: application/json' \\
          --data-binary @{TEMPLATE_FILE}

3. Send the bulk files; each answer should say \"errors\":false:

     for f in bulk-*.ndjson; do
       curl -X POST \"$URL/_bulk\" -H 'Content-Type: application/x-ndjson' --data-binary @\"$f\"
     done

   The documents go to the index `{INDEX_NAME}`; their ids are `<protocol id>-<item>`,
   so sending a later export again replaces them (items of deleted protocols stay:
   delete the index first to start over).

4. Search, for example:

     curl \"$URL/{INDEX_NAME}/_search\" -H 'Content-Type: application/json' -d '
       {{\"query\": {{\"multi_match\": {{\"query\": \"BUP\", \"fields\": [\"title^3\", \"text\"]}}}},
        \"aggs\": {{\"topic\": {{\"terms\": {{\"field\": \"topic\"}}}}}}}}'

A later `protokollsok export --opensearch` into this folder replaces this export.
",
        documents = r.documents,
        protocols = r.protocols,
        parts = r.compound_parts,
        rules = r.synonym_rules,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::debate::Stance;
    use crate::parse::Person;

    fn full_protocol() -> Protocol {
        let mut person = Person::new("Anna Ek");
        person.organisation = Some("Region Kronoberg".into());
        person.role = Some("ledamot".into());
        person.replaces = Some("Bo Berg".into());
        person.party = Some("S".into());
        let stance = Stance {
            by: vec!["Anna Ek".into()],
            text: "Anna Ek (S) yrkar bifall.".into(),
        };
        Protocol {
            id: "abc123".into(),
            file: "2024/ks.txt".into(),
            date: Some("2024-05-06".into()),
            group: "Kommunstyrelsen".into(),
            organisation: Some("Växjö kommun".into()),
            kind: "protokoll".into(),
            language: "sv".into(),
            title: "Protokoll".into(),
            place: Some("Stadshuset".into()),
            chairs: vec!["Anna Ek".into()],
            secretary: Some("Cia Dahl".into()),
            adjusters: vec!["Bo Berg".into()],
            items: vec![Item {
                number: Some("12".into()),
                title: "Budget för BUP".into(),
                parent: Some("Ärenden".into()),
                text: "Text".into(),
                presenters: vec!["Cia Dahl".into()],
                decisions: vec!["Att godkänna".into()],
                dnr: Some("KS 2024/123".into()),
                motions: vec![stance.clone()],
                reservations: vec![stance],
                topic: Some("Budget".into()),
                themes: vec!["Ekonomi".into()],
            }],
            persons: vec![person],
            absent: vec!["Dan Ek".into()],
        }
    }

    /// The paths of `value`'s fields not in `mapping` (objects recursively).
    fn unmapped(value: &Map<String, Value>, mapping: &Value, at: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (key, v) in value {
            let Some(m) = mapping["properties"].get(key) else {
                out.push(format!("{at}{key}"));
                continue;
            };
            let objects: Vec<&Map<String, Value>> = match v {
                Value::Object(o) => vec![o],
                Value::Array(a) => a.iter().filter_map(Value::as_object).collect(),
                _ => Vec::new(),
            };
            for o in objects {
                out.extend(unmapped(o, m, &format!("{at}{key}.")));
            }
        }
        out
    }

    #[test]
    fn every_field_of_a_full_record_is_mapped() {
        let p = full_protocol();
        let doc = source(&p, &p.items[0], 0);
        let template = index_template();
        let mapping = &template["template"]["mappings"];
        assert_eq!(mapping["dynamic"], "strict");
        assert_eq!(unmapped(&doc, mapping, ""), Vec::<String>::new());
        // Every facet is on the document, the protocol's people on every item.
        for facet in FacetField::ALL {
            assert!(doc.contains_key(facet.name()), "{}", facet.name());
        }
        assert_eq!(doc["person"], json!(["Anna Ek"]));
        assert_eq!(doc["party"], json!(["S"]));
        assert_eq!(doc["topic"], json!(["Ekonomi"]));
        assert_eq!(doc["year"], json!("2024"));
        assert_eq!(doc["date"], json!("2024-05-06"));
        assert_eq!(doc["persons"][0]["replaces"], json!("Bo Berg"));
        assert_eq!(doc["motions"][0]["by"], json!(["Anna Ek"]));
        // A field mapped but never filled is a mapping of nothing.
        let filled: BTreeSet<&String> = doc.keys().collect();
        let mapped: BTreeSet<&String> = mapping["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .collect();
        assert_eq!(filled, mapped);
    }

    #[test]
    fn absent_values_are_left_out() {
        let mut p = full_protocol();
        p.date = None;
        p.place = None;
        p.persons.clear();
        let mut item = p.items[0].clone();
        item.dnr = None;
        item.motions.clear();
        let doc = source(&p, &item, 3);
        for key in [
            "date", "place", "persons", "person", "party", "dnr", "motions", "year",
        ] {
            assert!(!doc.contains_key(key), "{key}");
        }
        assert_eq!(doc["item_ord"], json!(3));
    }

    #[test]
    fn the_affix_file_is_hunspell_with_every_flag_of_the_dictionary() {
        let aff = hunspell_aff();
        assert_eq!(aff.lines().next(), Some("SET UTF-8"));
        let mut defined: BTreeSet<char> = BTreeSet::new();
        let lines: Vec<&str> = aff.lines().collect();
        let mut i = 0;
        let mut rules = 0;
        while i < lines.len() {
            let f: Vec<&str> = lines[i].split_whitespace().collect();
            match f[..] {
                ["SFX", flag, "Y", n] => {
                    let n: usize = n.parse().expect("a count");
                    for rule in &lines[i + 1..i + 1 + n] {
                        let r: Vec<&str> = rule.split_whitespace().collect();
                        assert_eq!(r.len(), 5, "{rule}");
                        assert_eq!((r[0], r[1]), ("SFX", flag), "{rule}");
                    }
                    defined.extend(flag.chars());
                    rules += n;
                    i += n + 1;
                }
                [directive, flag]
                    if [
                        "COMPOUNDBEGIN",
                        "COMPOUNDMIDDLE",
                        "COMPOUNDEND",
                        "ONLYINCOMPOUND",
                        "NEEDAFFIX",
                    ]
                    .contains(&directive) =>
                {
                    defined.extend(flag.chars());
                    i += 1;
                }
                _ => i += 1,
            }
        }
        assert_eq!(rules, lexicon::suffix_rules().count());
        let dic = hunspell_dic();
        let mut dic_lines = dic.lines();
        let count: usize = dic_lines
            .next()
            .and_then(|n| n.parse().ok())
            .expect("count");
        assert_eq!(count, dic_lines.clone().count());
        for line in dic_lines {
            if let Some((_, flags)) = line.split_once('/') {
                for c in flags.chars() {
                    assert!(defined.contains(&c), "flag {c} of {line} is not defined");
                }
            }
        }
    }

    #[test]
    fn synonym_rules_are_solr_equivalences() {
        let s = Synonyms::with_learned([
            ("ABC".to_string(), "a, b = c".to_string()),
            ("XY".to_string(), "--".to_string()),
        ]);
        let rules = synonym_rules(&s);
        assert!(rules.contains(&"BUP, barn- och ungdomspsykiatri".to_string()));
        assert!(rules.contains(&"ABC, a\\, b \\= c".to_string()));
        assert!(!rules.iter().any(|r| r.starts_with("XY")));
    }

    #[test]
    fn compound_parts_are_the_lexicon_s_parts() {
        let parts = compound_parts();
        for w in ["välfärd", "brottslighet", "mottagning"] {
            assert!(parts.binary_search(&w.to_string()).is_ok(), "{w}");
        }
        assert!(parts.iter().all(|p| p.chars().count() >= MIN_PART));
    }

    #[test]
    fn bulk_files_end_at_their_bounds() {
        let tmp = tempfile::tempdir().unwrap();
        let mut bulk = Bulk::new(tmp.path(), 3, 1_000);
        for i in 0..7 {
            bulk.add(&format!("p-{i}"), &json!({ "title": "x" }))
                .unwrap();
        }
        let (names, n) = bulk.finish().unwrap();
        assert_eq!(n, 7);
        assert_eq!(
            names,
            ["bulk-0001.ndjson", "bulk-0002.ndjson", "bulk-0003.ndjson"]
        );
        let last = std::fs::read_to_string(tmp.path().join(&names[2])).unwrap();
        assert_eq!(last.lines().count(), 2);
        // By bytes: a document larger than the bound still gets a file of its own.
        let tmp = tempfile::tempdir().unwrap();
        let mut bulk = Bulk::new(tmp.path(), 100, 130);
        bulk.add("a", &json!({ "text": "y".repeat(200) })).unwrap();
        bulk.add("b", &json!({ "text": "z" })).unwrap();
        bulk.add("c", &json!({ "text": "z" })).unwrap();
        let (names, _) = bulk.finish().unwrap();
        assert_eq!(names.len(), 2);
        for name in &names {
            assert!(is_bulk_file(name));
        }
        assert!(!is_bulk_file("bulk-.ndjson") && !is_bulk_file("bulk-01.json"));
    }
}
