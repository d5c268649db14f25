//! The floor the engine is compared with: plain tantivy, each file one document
//! with a Swedish-stemmed body, no parsing, no facets; a query answers its top 10
//! with a highlighted snippet each. Used by `bench/run.sh`.
//!
//! `cargo run --release --example plain_tantivy -- index CORPUS INDEX`
//! `cargo run --release --example plain_tantivy -- query INDEX QUERIES.txt REPEAT`
//! prints one JSON object with what it measured.

use std::path::Path;
use std::time::Instant;

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{doc, Index};

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::Swedish))
        .build()
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("path", STRING | STORED);
    let idx = TextFieldIndexing::default()
        .set_tokenizer("sv")
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    b.add_text_field(
        "body",
        TextOptions::default()
            .set_indexing_options(idx)
            .set_stored(),
    );
    b.build()
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("corpus folder") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            files(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("txt") | Some("md")
        ) {
            out.push(p);
        }
    }
}

fn index(corpus: &Path, dir: &Path) {
    let started = Instant::now();
    std::fs::create_dir_all(dir).expect("index folder");
    let index = Index::create_in_dir(dir, schema()).expect("new index");
    index.tokenizers().register("sv", analyzer());
    let s = index.schema();
    let (path_f, body_f) = (s.get_field("path").unwrap(), s.get_field("body").unwrap());
    let mut writer = index.writer(200_000_000).expect("writer");
    let mut list = Vec::new();
    files(corpus, &mut list);
    let mut bytes = 0u64;
    for p in &list {
        let data = std::fs::read(p).expect("read");
        bytes += data.len() as u64;
        let text = String::from_utf8_lossy(&data).into_owned();
        writer
            .add_document(doc!(path_f => p.display().to_string(), body_f => text))
            .expect("add");
    }
    writer.commit().expect("commit");
    writer.wait_merging_threads().expect("merge");
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"files\": {}, \"bytes\": {bytes}, \"seconds\": {secs:.3}}}",
        list.len()
    );
}

fn query(dir: &Path, queries: &Path, repeat: usize) {
    let index = Index::open_in_dir(dir).expect("index");
    index.tokenizers().register("sv", analyzer());
    let body = index.schema().get_field("body").unwrap();
    let reader = index.reader().expect("reader");
    let searcher = reader.searcher();
    let mut parser = QueryParser::for_index(&index, vec![body]);
    parser.set_conjunction_by_default();
    let list: Vec<String> = std::fs::read_to_string(queries)
        .expect("queries")
        .lines()
        .map(str::to_string)
        .collect();
    let mut times = Vec::new();
    let mut hits = 0usize;
    for _ in 0..repeat {
        for q in &list {
            let t = Instant::now();
            let parsed = parser.parse_query_lenient(q).0;
            let top = searcher
                .search(&parsed, &TopDocs::with_limit(10).order_by_score())
                .expect("search");
            // Top 10 with a highlighted snippet each, as a search page shows them.
            let snippets = SnippetGenerator::create(&searcher, &*parsed, body).expect("snippets");
            for (_, addr) in &top {
                let d: tantivy::TantivyDocument = searcher.doc(*addr).expect("doc");
                let _html = snippets.snippet_from_doc(&d).to_html();
            }
            hits += top.len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    println!("{{\"queries\": {}, \"hits\": {hits}, \"p50_ms\": {:.3}, \"p95_ms\": {:.3}, \"p99_ms\": {:.3}}}", times.len(), pct(0.5), pct(0.95), pct(0.99));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("index") if args.len() == 4 => index(Path::new(&args[2]), Path::new(&args[3])),
        Some("query") if args.len() == 5 => query(
            Path::new(&args[2]),
            Path::new(&args[3]),
            args[4].parse().expect("repeat"),
        ),
        _ => {
            eprintln!("usage: plain_tantivy index CORPUS INDEX | query INDEX QUERIES.txt REPEAT");
            std::process::exit(2);
        }
    }
}
