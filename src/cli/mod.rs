//! Command line: argument parsing and rendering. Every question goes to the
//! library's [`Engine`]; this file turns arguments into requests and answers into
//! text or JSON (the `api` types, the same the HTTP API sends).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Parser, Subcommand};

mod render;

use crate::engine::{Check, Engine, Freshness};
use crate::index::facets::FacetField;
use crate::index::update::{self, Progress};
use crate::ingest::read;
use crate::parse::Date;
use crate::query::filters::Filters;
use crate::search::hits::{SearchRequest, Sort};
use crate::search::trend::{Interval, TrendRequest};
use crate::{api, parse, Config};
use render::{color, marked_text, print_hits, print_protocol, print_protocol_summary};

#[derive(Parser, Debug)]
#[command(
    name = "protokollsok",
    version,
    about = "Sök i protokoll från samverkansmöten (full-text search over Swedish meeting protocols)"
)]
struct Args {
    /// Folder of the index.
    #[arg(long, global = true, default_value = "index")]
    index: PathBuf,
    /// Folder of protocol files (.txt, .md, .org, .html, .docx, .pdf), read recursively
    /// [default: the folder the index was built from, else `corpus`].
    #[arg(long, global = true)]
    corpus: Option<PathBuf>,
    /// Themes file the topic facet is tagged from (TOML, see data/themes.toml)
    /// [default: the file the index was tagged from, else the shipped themes].
    #[arg(long, global = true)]
    themes: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// The filters `search` and `trend` share. A facet option may be given more than
/// once: any of its values will do.
#[derive(ClapArgs, Debug, Default)]
struct FilterArgs {
    /// Only meetings on or after this date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    from: Option<Date>,
    /// Only meetings on or before this date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    to: Option<Date>,
    /// Only this group (exact facet value, or a case-insensitive part of one).
    #[arg(long)]
    group: Vec<String>,
    /// Only meetings where this person took part (any spelling of the name).
    #[arg(long)]
    person: Vec<String>,
    /// Only items on this topic.
    #[arg(long)]
    topic: Vec<String>,
    /// Only this municipality, region or association.
    #[arg(long)]
    organisation: Vec<String>,
    /// Only meetings where a person of this party (`S`, `M`, …) took part.
    #[arg(long)]
    party: Vec<String>,
    /// Only this kind of document (`protokoll`, `mötesanteckningar`, …).
    #[arg(long)]
    kind: Vec<String>,
    /// Only items that hold a decision.
    #[arg(long)]
    decisions: bool,
    /// Only items of protocols new or changed in the index on or after this day
    /// (YYYY-MM-DD, UTC): for scripts that poll.
    #[arg(long, value_parser = parse_date)]
    since: Option<Date>,
}

impl FilterArgs {
    fn filters(self) -> Filters {
        Filters {
            from: self.from,
            to: self.to,
            decisions: self.decisions,
            since: self.since,
            ..Filters::default()
        }
        .with_all(FacetField::Group, self.group)
        .with_all(FacetField::Person, self.person)
        .with_all(FacetField::Topic, self.topic)
        .with_all(FacetField::Organisation, self.organisation)
        .with_all(FacetField::Party, self.party)
        .with_all(FacetField::Kind, self.kind)
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build or update the index from the corpus (only changed files are read).
    Index {
        /// Files of the corpus (new, changed or deleted) to index alone, without
        /// looking at the rest: for a script that knows what it changed.
        paths: Vec<PathBuf>,
    },
    /// Search agenda items. Words are AND-ed; "a phrase", a OR b, -word, prefix*.
    Search {
        /// The query; empty lists all items (newest first).
        query: String,
        #[command(flatten)]
        filters: FilterArgs,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// `relevance` (best first) or `date` (newest first).
        #[arg(long, default_value = "relevance")]
        sort: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Print an Atom feed, newest first, with links under this address of a
        /// running `serve` (e.g. http://127.0.0.1:8080/).
        #[arg(long, value_name = "BASE_URL", conflicts_with = "json")]
        atom: Option<String>,
    },
    /// Parse one protocol file (or every file in a folder, as JSON lines) without indexing.
    Parse {
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Show one protocol from the index.
    Show {
        id: String,
        /// Mark what this query matches in each item.
        #[arg(long)]
        query: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Serve the web page and the JSON API (the index is brought up to date first).
    Serve {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Follow the corpus while the server runs: new, changed and deleted files
        /// are indexed a moment after the system says they changed. Where it cannot
        /// say (or with --poll), the corpus is listed every SECONDS instead. 0: do not
        /// follow (commits of a command-line `index` are taken up all the same).
        #[arg(long, value_name = "SECONDS", default_value_t = 2)]
        watch: u64,
        /// List the corpus every --watch seconds instead of waiting for the system
        /// to report changes (for network file systems, whose changes made on other
        /// machines are not reported).
        #[arg(long)]
        poll: bool,
        /// A host name the server also answers to (besides loopback names and the
        /// bound address), as in `--allow-host protokoll.example.se`.
        #[arg(long = "allow-host")]
        allow_host: Vec<String>,
    },
    /// How often a query matches, per month, quarter or year.
    Trend {
        query: String,
        #[arg(long, default_value = "quarter")]
        interval: String,
        #[command(flatten)]
        filters: FilterArgs,
        #[arg(long)]
        json: bool,
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        /// Scale the bars by each period's share of all items, not by its count.
        #[arg(long, conflicts_with_all = ["json", "csv"])]
        share: bool,
    },
    /// Run relevance judgments (queries.tsv format) and report recall@k and MRR.
    Eval {
        judgments: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// People of the archive; `--variants` lists the spellings merged into one person.
    Persons {
        #[arg(long)]
        variants: bool,
        #[arg(long)]
        json: bool,
    },
    /// One person: meetings, roles, items presented, topics (any spelling of the name).
    Person {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Matters: items of different meetings threaded by diary number, title or
    /// abbreviation, the latest first.
    Matters {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        #[arg(long)]
        json: bool,
    },
    /// What is new: the themes and title words whose share of items rose most in a
    /// period (2026, 2026Q1, 2026-03) against the one before.
    New {
        #[arg(long)]
        period: String,
        #[arg(long)]
        json: bool,
    },
    /// One matter's timeline: by its id, or the matter of a query's best hit.
    Matter {
        id_or_query: String,
        #[arg(long)]
        json: bool,
    },
    /// How the Swedish analysis reads words: lemma, index key, compound parts.
    Analyze {
        words: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write the archive for OpenSearch or Elasticsearch: an index template with the
    /// same Swedish analysis, the lexicon files it names and NDJSON bulk files of
    /// every item (see README.txt in the folder for how to load them).
    Export {
        /// The folder to write: new, empty, or a previous export (which is replaced).
        #[arg(long, value_name = "DIR")]
        opensearch: PathBuf,
    },
    /// List facet values with counts.
    Facets {
        /// One of group, organisation, party, person, topic, year, month, decision, kind.
        #[arg(long)]
        field: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn parse_date(s: &str) -> std::result::Result<Date, String> {
    Date::parse_iso(s).ok_or_else(|| format!("{s:?} is not a date of the form YYYY-MM-DD"))
}

pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,warp::server=off".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let args = Args::parse();
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            // A reader that stopped reading (`| head`) is no failure.
            let closed_pipe = e.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                    || cause
                        .downcast_ref::<serde_json::Error>()
                        .and_then(serde_json::Error::io_error_kind)
                        == Some(std::io::ErrorKind::BrokenPipe)
            });
            if closed_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("protokollsok: {e:#}");
            // The error table says the exit code of the engine's errors.
            let code = e
                .chain()
                .find_map(|c| c.downcast_ref::<crate::Error>())
                .map(crate::Error::exit_code)
                .unwrap_or(2);
            ExitCode::from(code)
        }
    }
}

fn run(args: Args) -> Result<ExitCode> {
    // An index remembers its corpus, so `--index X` alone searches X's own archive.
    let corpus = args
        .corpus
        .clone()
        .or_else(|| update::recorded_corpus(&args.index))
        .unwrap_or_else(|| PathBuf::from("corpus"));
    let mut config = Config::new(corpus, &args.index);
    config.themes_file = args
        .themes
        .clone()
        .or_else(|| update::recorded_themes(&args.index));
    match args.command {
        Command::Index { paths } => cmd_index(&config, &paths),
        Command::Search {
            query,
            filters,
            limit,
            offset,
            sort,
            json,
            atom,
        } => {
            let req = SearchRequest {
                query,
                filters: filters.filters(),
                limit,
                offset,
                facet_limit: 20,
                sort: if atom.is_some() {
                    Sort::Date
                } else {
                    sort.parse::<Sort>()?
                },
            };
            cmd_search(config, &req, json, atom.as_deref())
        }
        Command::Parse { path, json } => cmd_parse(&config, &path, json),
        Command::Show { id, query, json } => cmd_show(config, &id, query.as_deref(), json),
        Command::Facets { field, json } => cmd_facets(config, field.as_deref(), json),
        Command::Export { opensearch } => cmd_export(config, &opensearch),
        Command::Serve {
            addr,
            watch,
            poll,
            allow_host,
        } => cmd_serve(config, addr, follow(watch, poll), &allow_host),
        Command::Persons { variants, json } => cmd_persons(config, variants, json),
        Command::Person { name, json } => cmd_person(config, &name, json),
        Command::Matters {
            limit,
            offset,
            json,
        } => cmd_matters(config, limit, offset, json),
        Command::Matter { id_or_query, json } => cmd_matter(config, &id_or_query, json),
        Command::New { period, json } => cmd_new(config, &period, json),
        Command::Eval { judgments, json } => cmd_eval(config, &judgments, json),
        Command::Analyze { words, json } => cmd_analyze(&words, json),
        Command::Trend {
            query,
            interval,
            filters,
            json,
            csv,
            share,
        } => {
            let req = TrendRequest {
                query,
                interval: interval.parse::<Interval>()?,
                filters: filters.filters(),
            };
            let format = if json {
                TrendFormat::Json
            } else if csv {
                TrendFormat::Csv
            } else {
                TrendFormat::Bars { by_share: share }
            };
            cmd_trend(config, &req, format)
        }
    }
}

fn cmd_analyze(words: &[String], json: bool) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let mut exact = crate::analysis::tokenize::exact_analyzer();
    for word in words {
        for w in crate::analysis::tokenize::tokens(&mut exact, word) {
            let a = crate::analysis::tokenize::analyse_word(&w);
            let lemma = crate::analysis::lexicon::lexicon().lemma(&w);
            if json {
                let v = serde_json::json!({
                    "word": w, "lemma": lemma, "key": a.key,
                    "parts": a.written_parts, "part_keys": a.parts,
                });
                writeln!(out, "{v}")?;
            } else {
                let parts = if a.written_parts.is_empty() {
                    "-".to_string()
                } else {
                    a.written_parts.join("+")
                };
                let lemma = lemma.as_deref().unwrap_or("-");
                writeln!(out, "{w}\tlemma {lemma}\tkey {}\tparts {parts}", a.key)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_export(config: Config, dir: &Path) -> Result<ExitCode> {
    let engine = open_engine(config, Check::Folders)?;
    let report = engine
        .export_opensearch(dir)
        .with_context(|| format!("exporting to {}", dir.display()))?;
    let replaced = if report.replaced {
        " (the previous export replaced)"
    } else {
        ""
    };
    writeln!(
        std::io::stdout().lock(),
        "exported {} items of {} protocols to {}{replaced}: index-template.json, {} bulk files, \
         {} synonym rules, {} compound parts; README.txt says how to load them",
        report.documents,
        report.protocols,
        report.dir.display(),
        report.bulk_files.len(),
        report.synonym_rules,
        report.compound_parts,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn cmd_index(config: &Config, paths: &[PathBuf]) -> Result<ExitCode> {
    let bar = ProgressBar::new(true);
    let report = if paths.is_empty() {
        Engine::build(config, &|p| bar.tick(p))
    } else {
        Engine::build_paths(config, paths, &|p| bar.tick(p))
    };
    bar.finish();
    let report = report.context("building the index")?;
    let mut out = std::io::stdout().lock();
    for (rel, reason) in &report.skipped {
        writeln!(out, "skipped {rel}: {reason}")?;
    }
    for (rel, what) in &report.warnings {
        writeln!(out, "warning {rel}: {what}")?;
    }
    let retagged = match report.retagged {
        0 => String::new(),
        n => format!(" ({n} re-tagged with the changed themes)"),
    };
    writeln!(
        out,
        "indexed {} files ({} items), unchanged {}{retagged}, removed {}, skipped {} in {:.2} s",
        report.indexed,
        report.items,
        report.unchanged,
        report.removed,
        report.skipped.len(),
        report.seconds
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The engine over the index, brought up to date first when the corpus changed;
/// while another process builds the index for the first time, an error that says
/// so (exit 2), never an empty answer a script would take for "nothing found".
fn open_engine(config: Config, check: Check) -> Result<Engine> {
    let engine = open_engine_as_it_is(config, check)?;
    engine.ready()?;
    Ok(engine)
}

/// As [`open_engine`], also while a first build by another process runs (a server
/// answers "building" until it is done).
fn open_engine_as_it_is(config: Config, check: Check) -> Result<Engine> {
    let (engine, freshness) = open_with_progress(config, check)?;
    match freshness {
        Freshness::Updated(report) if report.indexed + report.removed > 0 => eprintln!(
            "index updated: {} files indexed, {} removed ({:.2} s)",
            report.indexed, report.removed, report.seconds
        ),
        Freshness::Busy => eprintln!(
            "protokollsok: the index is being updated by another process; searching it as it is"
        ),
        Freshness::Failed(why) => eprintln!(
            "protokollsok: the index could not be updated ({why}); searching it as last committed"
        ),
        _ => {}
    }
    Ok(engine)
}

fn open_with_progress(config: Config, check: Check) -> crate::Result<(Engine, Freshness)> {
    let bar = ProgressBar::new(false);
    let opened = Engine::open(config, check, &|p| bar.tick(p));
    bar.finish();
    opened
}

fn cmd_search(
    config: Config,
    req: &SearchRequest,
    json: bool,
    atom: Option<&str>,
) -> Result<ExitCode> {
    // A malformed query answers at once, before any indexing work.
    check_query(&config, &req.query)?;
    let engine = open_engine(config, Check::Folders)?;
    let resp = api::SearchResponse::from(&engine.search(req)?);
    let mut out = std::io::stdout().lock();
    if let Some(base) = atom {
        let query = api::atom::encode_pairs(&[("q", &req.query)]);
        out.write_all(api::atom::feed(&resp, base, &query).as_bytes())?;
    } else if json {
        serde_json::to_writer(&mut out, &resp)?;
        writeln!(out)?;
    } else {
        print_hits(&mut out, &resp, color())?;
    }
    Ok(if resp.hits.is_empty() && resp.total == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Checks a query's syntax with the command line's limits.
fn check_query(config: &Config, query: &str) -> crate::Result<()> {
    Engine::check_query(query, &config.limits)
}

fn cmd_parse(config: &Config, path: &Path, json: bool) -> Result<ExitCode> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.is_dir() {
        let files = read::list_corpus(path)?;
        let mut out = std::io::stdout().lock();
        for f in files {
            match update::read_and_parse(&f, config) {
                Ok(update::ReadFile { protocol: p, .. }) => {
                    if json {
                        serde_json::to_writer(&mut out, &api::Protocol::from(&p))?;
                        writeln!(out)?;
                    } else {
                        print_protocol_summary(&mut out, &p)?;
                    }
                }
                Err(reason) => eprintln!("skipped {}: {reason}", f.rel),
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let bytes =
        match read::read_bytes(path, config.max_file_bytes).and_then(|b| read::extract(path, &b)) {
            Ok(d) => d,
            Err(reason) => {
                eprintln!("protokollsok: {}: {reason}", path.display());
                return Ok(ExitCode::from(2));
            }
        };
    let rel = relative_to_corpus(path, &config.corpus_dir);
    let Some(p) = parse::parse_document(&rel, &bytes.text) else {
        eprintln!(
            "protokollsok: {}: {}",
            path.display(),
            read::SkipReason::Empty
        );
        return Ok(ExitCode::from(2));
    };
    let p = api::Protocol::from(&p);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &p)?;
        writeln!(out)?;
    } else {
        print_protocol(&mut out, &p)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The path relative to the corpus when the file is inside it (so the id matches
/// the index), else the file name.
fn relative_to_corpus(path: &Path, corpus: &Path) -> String {
    if let (Ok(p), Ok(c)) = (path.canonicalize(), corpus.canonicalize()) {
        if let Ok(rel) = p.strip_prefix(&c) {
            return rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
        }
    }
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn cmd_show(config: Config, id: &str, query: Option<&str>, json: bool) -> Result<ExitCode> {
    if let Some(q) = query {
        check_query(&config, q)?;
    }
    let engine = open_engine(config, Check::Folders)?;
    let p = api::Protocol::from(&engine.protocol(id, query)?);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &p)?;
        writeln!(out)?;
    } else {
        let color = color();
        print_protocol(&mut out, &p)?;
        writeln!(out)?;
        for item in &p.items {
            let number = item
                .number
                .as_deref()
                .map(|n| format!("{n}. "))
                .unwrap_or_default();
            let none = Vec::new();
            let (title, text) = match &item.highlights {
                Some(h) => (&h.title, &h.text),
                None => (&none, &none),
            };
            writeln!(
                out,
                "── {number}{}\n{}\n",
                marked_text(&item.title, title, color),
                marked_text(&item.text, text, color)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_facets(config: Config, field: Option<&str>, json: bool) -> Result<ExitCode> {
    let only = match field {
        Some(f) => Some(
            f.parse::<FacetField>()
                .map_err(crate::Error::InvalidArgument)?,
        ),
        None => None,
    };
    let engine = open_engine(config, Check::Folders)?;
    let all = api::facets(&engine.facets(only)?);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &all)?;
        writeln!(out)?;
    } else {
        for (name, values) in &all {
            writeln!(out, "{name}")?;
            for v in values {
                writeln!(out, "  {:>6}  {}", v.count, v.value)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn follow(watch: u64, poll: bool) -> crate::server::Follow {
    use crate::server::Follow;
    let every = std::time::Duration::from_secs(watch);
    match (watch, poll) {
        (0, _) => Follow::Off,
        (_, true) => Follow::Poll { every },
        (_, false) => Follow::Changes { every },
    }
}

fn cmd_serve(
    config: Config,
    addr: std::net::SocketAddr,
    follow: crate::server::Follow,
    allow_host: &[String],
) -> Result<ExitCode> {
    // Hearing starts first: a change made while the index is brought up to date is
    // looked at once the server runs.
    let follower = crate::server::Follower::start(&config, follow);
    let engine =
        open_engine_as_it_is(config, Check::EveryFile)?.with_limits(crate::config::Limits::HTTP);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async move {
        let (listener, local) = crate::server::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        let state = std::sync::Arc::new(crate::server::AppState {
            engine,
            hosts: crate::server::Hosts::new(local, allow_host),
        });
        crate::server::watch(state.clone(), follower);
        println!("protokollsok: serverar på http://{local}/");
        std::io::stdout().flush().ok();
        // Ctrl-C or SIGTERM (what a service manager sends): requests under way are
        // answered, then the process ends.
        let shutdown = async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{signal, SignalKind};
                match signal(SignalKind::terminate()) {
                    Ok(mut term) => {
                        tokio::select! {
                            _ = tokio::signal::ctrl_c() => {}
                            _ = term.recv() => {}
                        }
                    }
                    Err(_) => {
                        tokio::signal::ctrl_c().await.ok();
                    }
                }
            }
            #[cfg(not(unix))]
            tokio::signal::ctrl_c().await.ok();
            eprintln!("protokollsok: stänger");
        };
        crate::server::serve(state, listener, shutdown).await;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// How `trend` writes its answer.
enum TrendFormat {
    Json,
    Csv,
    Bars { by_share: bool },
}

fn cmd_trend(config: Config, req: &TrendRequest, format: TrendFormat) -> Result<ExitCode> {
    check_query(&config, &req.query)?;
    let engine = open_engine(config, Check::Folders)?;
    let t = api::Trend::from(&engine.trend(req)?);
    let mut out = std::io::stdout().lock();
    match format {
        TrendFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &t)?;
            writeln!(out)?;
        }
        TrendFormat::Csv => {
            writeln!(out, "period,from,to,matching,total,share")?;
            for p in &t.points {
                writeln!(
                    out,
                    "{},{},{},{},{},{:.4}",
                    p.period, p.from, p.to, p.matching, p.total, p.share
                )?;
            }
        }
        TrendFormat::Bars { by_share } => {
            render::print_trend(&mut out, &t, &req.filters, by_share)?;
        }
    }
    Ok(if t.matching == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn cmd_eval(config: Config, path: &Path, json: bool) -> Result<ExitCode> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let judgments = crate::search::eval::read_judgments(&text)
        .with_context(|| format!("reading {}", path.display()))?;
    let engine = open_engine(config, Check::Folders)?;
    let report = engine.judge(&judgments).context("evaluating")?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        for r in report.results.iter().filter(|r| !r.passed) {
            let missing: Vec<String> = r
                .entries
                .iter()
                .filter(|e| !e.ok)
                .map(|e| {
                    let what = format!(
                        "{}{}",
                        e.entry.date,
                        e.entry
                            .title
                            .as_deref()
                            .map(|t| format!("|{t}"))
                            .unwrap_or_default()
                    );
                    match (e.entry.forbidden, e.rank) {
                        (true, Some(rank)) => format!("!{what} found at {rank}"),
                        (_, Some(rank)) => format!("{what} at rank {rank}"),
                        (_, None) => format!("{what} not in the first 50"),
                    }
                })
                .collect();
            writeln!(
                out,
                "FAIL line {} {:?}: {}",
                r.line,
                r.query,
                missing.join("; ")
            )?;
            for t in &r.top {
                writeln!(out, "      got {t}")?;
            }
        }
        writeln!(
            out,
            "recall@k {:.3}  MRR {:.3}",
            report.recall_at_k, report.mrr
        )?;
        writeln!(out, "{} passed, {} failed", report.passed, report.failed)?;
    }
    Ok(if report.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn cmd_persons(config: Config, variants_only: bool, json: bool) -> Result<ExitCode> {
    let engine = open_engine(config, Check::Folders)?;
    let mut out = std::io::stdout().lock();
    if variants_only {
        let merged = api::merged(&*engine.variants()?);
        if json {
            serde_json::to_writer_pretty(&mut out, &merged)?;
            writeln!(out)?;
        } else {
            for m in &merged {
                writeln!(out, "{} ({} punkter)", m.name, m.items)?;
                for v in &m.variants {
                    let why = match v.reason.as_str() {
                        "reordered" => "samma namn i annan ordning",
                        "diacritics" => "samma bokstäver utom diakritiska tecken",
                        _ => "samma förnamn, en bokstav skiljer i efternamnet",
                    };
                    let seen = match (v.evidence.together, v.evidence.shared_groups.as_slice()) {
                        (_, []) => String::new(),
                        (0, groups) => {
                            format!("; aldrig på samma lista, båda i {}", groups.join(", "))
                        }
                        (n, groups) => {
                            format!("; {n} möten med båda, båda i {}", groups.join(", "))
                        }
                    };
                    writeln!(out, "  = {} ({} punkter): {why}{seen}", v.name, v.items)?;
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let people: Vec<api::FacetCount> = engine.persons()?.iter().map(Into::into).collect();
    if json {
        serde_json::to_writer_pretty(&mut out, &people)?;
        writeln!(out)?;
    } else {
        for p in people {
            writeln!(out, "{:>6}  {}", p.count, p.value)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_matters(config: Config, limit: usize, offset: usize, json: bool) -> Result<ExitCode> {
    let engine = open_engine(config, Check::Folders)?;
    let list = api::MatterList::from(&engine.matters(limit, offset)?);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
    } else {
        let word = if list.total == 1 {
            "ärende"
        } else {
            "ärenden"
        };
        writeln!(out, "{} {word}", list.total)?;
        for m in &list.matters {
            let dnr = m
                .dnr
                .as_deref()
                .map(|d| format!("  Dnr {d}"))
                .unwrap_or_default();
            writeln!(
                out,
                "{}  {} – {}  {}{dnr}\n      {}",
                m.id,
                m.first_date.as_deref().unwrap_or("?"),
                m.last_date.as_deref().unwrap_or("?"),
                m.title,
                m.groups.join(", ")
            )?;
        }
    }
    Ok(if list.total == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn cmd_new(config: Config, period: &str, json: bool) -> Result<ExitCode> {
    let period = period.parse()?;
    let engine = open_engine(config, Check::Folders)?;
    let new = api::New::from(&engine.new_in(period)?);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &new)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "Nytt {} mot {} ({} punkter mot {}):",
            new.period, new.previous, new.items, new.items_before
        )?;
        let pct = |s: f64| format!("{:.1} %", s * 100.0).replace('.', ",");
        for r in &new.rising {
            let kind = if r.kind == "theme" { "tema" } else { "ord" };
            writeln!(
                out,
                "  {:<40} {kind:<4} {:>4} punkter ({}), förut {} ({})",
                r.term,
                r.items,
                pct(r.share),
                r.items_before,
                pct(r.share_before)
            )?;
            if let Some(s) = r.sources.first() {
                writeln!(out, "      t.ex. {} {}: {}", s.date, s.group, s.title)?;
            }
        }
    }
    Ok(if new.rising.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn cmd_matter(config: Config, id_or_query: &str, json: bool) -> Result<ExitCode> {
    let engine = open_engine(config, Check::Folders)?;
    let m = api::Matter::from(&engine.matter(id_or_query)?);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &m)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let dnr = m
        .dnr
        .as_deref()
        .map(|d| format!(" (Dnr {d})"))
        .unwrap_or_default();
    writeln!(out, "Ärende {}{dnr}: {}", m.id, m.title)?;
    for it in &m.items {
        let why = match (it.linked_by.as_str(), it.link_value.as_deref()) {
            ("first", _) => String::new(),
            ("dnr", Some(v)) => format!("  [samma diarienummer {v}]"),
            ("abbreviation", Some(v)) => format!("  [samma förkortning {v}]"),
            _ => "  [samma rubrik]".to_string(),
        };
        let number = it
            .number
            .as_deref()
            .map(|n| format!("{n}. "))
            .unwrap_or_default();
        writeln!(
            out,
            "{}  {}  {number}{}{why}",
            it.date.as_deref().unwrap_or("?"),
            it.group,
            it.title
        )?;
        for d in &it.decisions {
            writeln!(out, "      Beslut: {d}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_person(config: Config, name: &str, json: bool) -> Result<ExitCode> {
    let engine = open_engine(config, Check::Folders)?;
    let p = api::PersonProfile::from(&engine.person(name)?);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &p)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{}", p.name)?;
    if p.spellings.len() > 1 {
        writeln!(out, "  stavningar: {}", p.spellings.join(", "))?;
    }
    writeln!(out, "\nMöten ({})", p.meetings.len())?;
    for m in &p.meetings {
        let role = m
            .role
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}  {}{role}  protokoll {}",
            m.date.as_deref().unwrap_or("????-??-??"),
            m.group,
            m.protocol_id
        )?;
    }
    if !p.presented.is_empty() {
        writeln!(out, "\nFöredrog ({})", p.presented.len())?;
        for x in &p.presented {
            writeln!(
                out,
                "  {}  {}",
                x.date.as_deref().unwrap_or("????-??-??"),
                x.item_title
            )?;
        }
    }
    if !p.topics.is_empty() {
        writeln!(out, "\nÄmnen")?;
        for t in &p.topics {
            writeln!(out, "  {:>4}  {}", t.count, t.value)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on a terminal; plain progress lines every 1,000 files otherwise
/// when `verbose`.
struct ProgressBar {
    bar: indicatif::ProgressBar,
    tty: bool,
    verbose: bool,
    done: std::sync::atomic::AtomicUsize,
    total: std::sync::atomic::AtomicUsize,
}

impl ProgressBar {
    fn new(verbose: bool) -> ProgressBar {
        ProgressBar {
            bar: indicatif::ProgressBar::hidden(),
            tty: std::io::stderr().is_terminal(),
            verbose,
            done: Default::default(),
            total: Default::default(),
        }
    }

    fn tick(&self, p: Progress) {
        use std::sync::atomic::Ordering::Relaxed;
        match p {
            Progress::Start { to_read } => {
                self.total.store(to_read, Relaxed);
                if self.tty && to_read > 0 {
                    self.bar
                        .set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    self.bar.set_length(to_read as u64);
                    self.bar.set_style(
                        indicatif::ProgressStyle::with_template(
                            "{spinner} indexerar {pos}/{len} filer [{bar:30}] {per_sec} {eta}",
                        )
                        .expect("valid template")
                        .progress_chars("=> "),
                    );
                }
            }
            Progress::File { .. } => {
                let n = self.done.fetch_add(1, Relaxed) + 1;
                self.bar.inc(1);
                if !self.tty && self.verbose && n.is_multiple_of(1000) {
                    eprintln!("indexed {n}/{} files", self.total.load(Relaxed));
                }
            }
            Progress::Skipped { .. } => {}
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
