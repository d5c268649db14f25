//! The HTTP server: the JSON API and the web page, from one binary.
//! Owns: routing, query-string parsing and checking, mapping errors to status codes
//! (400 bad parameters, 404 unknown ids or paths, 405 other methods, 500 the rest)
//! with one JSON error body, and the embedded page (`web/`), so that the binary
//! alone serves everything and the page fetches nothing from elsewhere.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Reply;
use warp::Filter;

use crate::api::{self, ApiError};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::index::facets::FacetField;
use crate::ingest::changes::{Changes, Look};
use crate::query::filters::Filters;
use crate::search::hits::{SearchRequest, Sort};
use crate::search::trend::TrendRequest;

const INDEX_HTML: &str = include_str!("../../web/index.html");
const APP_JS: &str = include_str!("../../web/app.js");
const STYLE_CSS: &str = include_str!("../../web/style.css");
const OPENAPI_JSON: &str = include_str!("../../web/openapi.json");

/// What every request handler shares.
pub struct AppState {
    pub engine: Engine,
    /// The `Host` names a request may carry (see [`Hosts`]).
    pub hosts: Hosts,
}

/// Which `Host` a request may name: loopback names, the bound address, and the names
/// given with `--allow-host`. A web page elsewhere cannot reach a local server
/// through a name of its own pointed at 127.0.0.1 (DNS rebinding). A server bound to
/// every address (`0.0.0.0`) also takes any IP address as host.
#[derive(Debug, Clone)]
pub struct Hosts {
    names: Vec<String>,
    any_ip: bool,
}

impl Hosts {
    pub fn new(bound: SocketAddr, extra: &[String]) -> Hosts {
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        names.push(match bound.ip() {
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        });
        names.extend(extra.iter().map(|h| h.to_lowercase()));
        Hosts {
            names,
            any_ip: bound.ip().is_unspecified(),
        }
    }

    /// Whether a request's `Host` (with or without its port) is allowed; a request
    /// without one (HTTP/1.0) is.
    pub fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host else { return true };
        let host = host.trim().to_lowercase();
        let name = match host.rsplit_once(':') {
            Some((name, port))
                if !name.is_empty()
                    && port.bytes().all(|b| b.is_ascii_digit())
                    && !host.ends_with(']') =>
            {
                name
            }
            _ => host.as_str(),
        };
        if self.names.iter().any(|n| n == name) {
            return true;
        }
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        self.any_ip && bare.parse::<std::net::IpAddr>().is_ok()
    }
}

/// How a server follows its corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    /// Not at all (commits of other processes are taken up all the same).
    Off,
    /// Looks when the system says something changed, and lists the corpus every
    /// few minutes besides, for changes it does not report (a network file system).
    /// Where changes cannot be heard, lists the corpus every `every`.
    Changes { every: Duration },
    /// Lists the corpus every `every` (where change events do not arrive).
    Poll { every: Duration },
}

/// A look that lists the corpus costs this share of a core at most: between two
/// looks pass at least this many times the time the last one took.
const LOOK_COST_FACTOR: u32 = 20;
/// Hearing changes, the corpus is also listed this often.
const SAFETY_LOOK: Duration = Duration::from_secs(300);
/// Changes heard are looked at when none came for this long...
const QUIET: Duration = Duration::from_millis(300);
/// ...or when the first came this long ago.
const PATIENCE: Duration = Duration::from_secs(5);

/// A server's way of following its corpus, under way: changes are heard from the
/// moment [`Follower::start`] returns. Started before the index is opened, so that
/// nothing changed while the index is brought up to date, or before the watch thread
/// runs, goes unheard until the next listing.
#[derive(Debug)]
pub struct Follower {
    changes: Option<Changes>,
    /// How often the corpus is listed besides (`None`: never).
    every: Option<Duration>,
}

impl Follower {
    /// Starts hearing of changes under the corpus of `config` as `follow` says.
    /// Where they cannot be heard, the corpus is listed every `every` instead.
    pub fn start(config: &crate::config::Config, follow: Follow) -> Follower {
        let (changes, every) = match follow {
            Follow::Off => (None, None),
            Follow::Poll { every } => (None, Some(every)),
            Follow::Changes { every } => {
                match Changes::follow(&config.corpus_dir, &config.index_dir) {
                    Ok(c) => (Some(c), Some(SAFETY_LOOK.max(every))),
                    Err(e) => {
                        tracing::warn!(
                            "cannot hear of changes in the corpus ({e}): it is listed every {} s instead",
                            every.as_secs()
                        );
                        (None, Some(every))
                    }
                }
            }
        };
        Follower { changes, every }
    }
}

/// On a thread of its own, for as long as the process runs: takes up every second
/// the commits other processes made (a command-line `index`) and follows the corpus
/// as `follower` hears or lists it (new, changed and deleted files are indexed).
/// Searches meanwhile answer from the last commit.
pub fn watch(state: Arc<AppState>, follower: Follower) {
    const TICK: Duration = Duration::from_millis(250);
    std::thread::Builder::new()
        .name("watch".into())
        .spawn(move || {
            let Follower { changes, every } = follower;
            let mut last_look = Instant::now();
            let mut last_commit_check = Instant::now();
            let mut cost = Duration::ZERO;
            loop {
                std::thread::sleep(TICK);
                let heard = changes.as_ref().and_then(|c| c.settled(QUIET, PATIENCE));
                let due = every
                    .is_some_and(|every| last_look.elapsed() >= every.max(cost * LOOK_COST_FACTOR));
                let result = if let (Some(Look::Paths(paths)), false) = (&heard, due) {
                    // The changed paths alone: no listing.
                    state.engine.watch_paths(paths).map(|r| r.is_some())
                } else if heard.is_some() || due {
                    last_look = Instant::now();
                    let result = state.engine.watch();
                    // What listing costs: a look that found nothing to index.
                    if let Ok(None) = result {
                        cost = last_look.elapsed();
                    }
                    result.map(|r| r.is_some())
                } else if last_commit_check.elapsed() >= Duration::from_secs(1) {
                    last_commit_check = Instant::now();
                    state.engine.take_up_commits()
                } else {
                    continue;
                };
                match result {
                    Ok(true) => {
                        tracing::info!("searches see the index as last committed");
                        // An indexing run frees its writer's arenas: handed back now,
                        // not when requests pause.
                        crate::memory::hand_back();
                    }
                    Ok(false) => {}
                    Err(e) => tracing::warn!("following the index: {e}"),
                }
            }
        })
        .map(|_| ())
        .unwrap_or_else(|e| tracing::error!("could not start watching the corpus: {e}"));
}

/// A route of the API: its path (with `{id}`/`{name}` for a path segment) and the
/// parameters it takes. `web/openapi.json` lists the same routes and parameters; a
/// test holds them together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Search,
    SearchAtom,
    Facets,
    Trend,
    Protocol,
    ProtocolFile,
    Persons,
    Person,
    Matters,
    Matter,
    New,
    Health,
    OpenApi,
}

impl Route {
    pub const ALL: [Route; 13] = [
        Route::Search,
        Route::SearchAtom,
        Route::Facets,
        Route::Trend,
        Route::Protocol,
        Route::ProtocolFile,
        Route::Persons,
        Route::Person,
        Route::Matters,
        Route::Matter,
        Route::New,
        Route::Health,
        Route::OpenApi,
    ];

    /// The path as the OpenAPI document writes it.
    pub fn template(self) -> &'static str {
        match self {
            Route::Search => "/api/search",
            Route::SearchAtom => "/api/search.atom",
            Route::Facets => "/api/facets",
            Route::Trend => "/api/trend",
            Route::Protocol => "/api/protocols/{id}",
            Route::ProtocolFile => "/api/protocols/{id}/file",
            Route::Persons => "/api/persons",
            Route::Person => "/api/persons/{name}",
            Route::Matters => "/api/matters",
            Route::Matter => "/api/matters/{id}",
            Route::New => "/api/new",
            Route::Health => "/api/health",
            Route::OpenApi => "/api/openapi.json",
        }
    }

    /// The query parameters the route takes; any other is refused, so that a
    /// misspelt filter is an error, not a silently wider answer.
    pub fn params(self) -> Vec<&'static str> {
        match self {
            Route::Search => [
                &["q", "limit", "offset", "sort", "facet_limit"][..],
                &Filters::keys(),
            ]
            .concat(),
            Route::SearchAtom => [&["q", "limit"][..], &Filters::keys()].concat(),
            Route::Trend => [&["q", "interval"][..], &Filters::keys()].concat(),
            Route::Protocol => vec!["q"],
            Route::Facets => vec!["field"],
            Route::Matters => vec!["limit", "offset"],
            Route::Matter => Vec::new(),
            Route::New => vec!["period"],
            Route::Person
            | Route::Persons
            | Route::ProtocolFile
            | Route::Health
            | Route::OpenApi => Vec::new(),
        }
    }

    /// The media type of the route's answers.
    pub fn content_type(self) -> &'static str {
        match self {
            Route::SearchAtom => "application/atom+xml; charset=utf-8",
            _ => "application/json; charset=utf-8",
        }
    }

    /// The route of a path's segments, with the value of its path parameter.
    fn of(segments: &[&str]) -> Option<(Route, String)> {
        let found = match segments {
            ["api", "search"] => (Route::Search, ""),
            ["api", "search.atom"] => (Route::SearchAtom, ""),
            ["api", "facets"] => (Route::Facets, ""),
            ["api", "trend"] => (Route::Trend, ""),
            ["api", "protocols", id] => (Route::Protocol, *id),
            ["api", "protocols", id, "file"] => (Route::ProtocolFile, *id),
            ["api", "persons"] => (Route::Persons, ""),
            ["api", "persons", name] => (Route::Person, *name),
            ["api", "matters"] => (Route::Matters, ""),
            ["api", "matters", id] => (Route::Matter, *id),
            ["api", "new"] => (Route::New, ""),
            ["api", "health"] => (Route::Health, ""),
            ["api", "openapi.json"] => (Route::OpenApi, ""),
            _ => return None,
        };
        Some((found.0, found.1.to_string()))
    }
}

/// Serves on an already bound listener until `shutdown` resolves.
pub async fn serve(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    // A server answers many searches: facet tables are built now, off the request
    // path, by one search over everything.
    let warm = state.clone();
    tokio::task::spawn_blocking(move || warm.engine.warm());
    tokio::spawn(hand_back_memory());
    accept_loop(routes(state), listener, shutdown).await;
}

/// Requests received since the server started (read by `hand_back_memory`).
static REQUESTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How long without a request counts as quiet.
const QUIET_FOR: std::time::Duration = std::time::Duration::from_secs(2);

/// After a burst of requests, once no request has come for `QUIET_FOR`, returns the
/// memory the burst freed to the system. The allocator keeps freed pages for reuse,
/// so without this a server stays at its peak after every burst; a trim costs a few
/// milliseconds and happens once per burst, never under steady load.
async fn hand_back_memory() {
    use std::sync::atomic::Ordering::Relaxed;
    let (mut seen, mut trimmed) = (0, 0);
    loop {
        tokio::time::sleep(QUIET_FOR).await;
        let now = REQUESTS.load(Relaxed);
        if now == seen && now != trimmed {
            let _ = tokio::task::spawn_blocking(crate::memory::hand_back).await;
            trimmed = now;
        }
        seen = now;
    }
}

/// How long a question waits for its turn before the answer is "busy".
const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The questions answered at once: two per core, at least four.
fn searches() -> &'static tokio::sync::Semaphore {
    static SEARCHES: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SEARCHES.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new((cores * 2).max(4))
    })
}

/// Connections open at once; one more is closed at once (idle ones time out).
pub const MAX_CONNECTIONS: usize = 512;
/// A request's head must arrive within this; a connection idle this long between
/// requests is closed, so idle sockets cannot starve others.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// No connection lives longer than this, however busy (a client reconnects).
pub const CONNECTION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(300);

/// Accepts connections and serves HTTP/1.1 on each, within the limits above, until
/// `shutdown` resolves; then stops accepting and lets requests under way finish.
async fn accept_loop<F>(
    filter: F,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) where
    F: Filter<Extract = (warp::reply::Response,), Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment instead of spinning.
                    tracing::debug!("accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!("{MAX_CONNECTIONS} connections open: one more refused");
            drop(stream);
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(warp::service(filter.clone()));
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .keep_alive(true)
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _slot = slot;
            if let Ok(Err(e)) = tokio::time::timeout(CONNECTION_LIFETIME, conn).await {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(std::time::Duration::from_secs(10)) => {
            tracing::warn!("requests still under way after 10 s: stopping anyway");
        }
    }
}

/// Binds `addr` (port 0 picks a free port).
pub async fn bind(addr: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr)> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::io(addr.to_string(), e))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::io(addr.to_string(), e))?;
    Ok((listener, local))
}

/// Every route, as one filter that never rejects.
pub fn routes(
    state: Arc<AppState>,
) -> impl Filter<Extract = (warp::reply::Response,), Error = Infallible> + Clone {
    let raw_query = warp::query::raw().or(warp::any().map(String::new)).unify();
    warp::any()
        .and(warp::method())
        .and(warp::path::full())
        .and(raw_query)
        .and(
            warp::header::optional::<String>("host")
                .or(warp::any().map(|| None))
                .unify(),
        )
        .and(
            warp::header::optional::<String>("accept-encoding")
                .or(warp::any().map(|| None))
                .unify(),
        )
        .and(warp::any().map(move || state.clone()))
        .and_then(
            |method: warp::http::Method,
             path: warp::path::FullPath,
             query: String,
             host: Option<String>,
             encodings: Option<String>,
             state: Arc<AppState>| async move {
                let response =
                    dispatch(method, path.as_str().to_string(), query, host, state).await;
                Ok::<_, Infallible>(compressed(response, encodings.as_deref()).await)
            },
        )
}

async fn dispatch(
    method: warp::http::Method,
    path: String,
    query: String,
    host: Option<String>,
    state: Arc<AppState>,
) -> warp::reply::Response {
    REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if !state.hosts.allows(host.as_deref()) {
        return error_reply(
            StatusCode::MISDIRECTED_REQUEST,
            "bad_host",
            "this server does not answer to that host name (see --allow-host)".to_string(),
        );
    }
    if method != warp::http::Method::GET && method != warp::http::Method::HEAD {
        return error_reply(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{method} is not allowed; the API only reads"),
        );
    }
    match path.as_str() {
        "/" | "/index.html" => return asset(INDEX_HTML, "text/html; charset=utf-8"),
        "/app.js" => return asset(APP_JS, "text/javascript; charset=utf-8"),
        "/style.css" => return asset(STYLE_CSS, "text/css; charset=utf-8"),
        "/api/openapi.json" => return asset(OPENAPI_JSON, "application/json"),
        _ => {}
    }
    let params = match parse_query_string(&query) {
        Ok(p) => p,
        Err(msg) => return error_reply(StatusCode::BAD_REQUEST, "bad_argument", msg),
    };
    let segments: Vec<String> = match path
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect::<std::result::Result<Vec<_>, _>>()
    {
        Ok(s) => s,
        Err(msg) => return error_reply(StatusCode::BAD_REQUEST, "bad_argument", msg),
    };
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let Some((route, arg)) = Route::of(&segs) else {
        return error_reply(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no such path: {path}"),
        );
    };
    let accepted = route.params();
    if let Some(unknown) = params.keys().find(|k| !accepted.contains(&k.as_str())) {
        let takes = if accepted.is_empty() {
            "no parameters".to_string()
        } else {
            accepted.join(", ")
        };
        return error_reply(
            StatusCode::BAD_REQUEST,
            "bad_argument",
            format!(
                "unknown parameter {unknown:?}; {} takes {takes}",
                route.template()
            ),
        );
    }
    let dir = state.engine.config().index_dir.clone();
    // Links in a feed point back to this server, as the client named it.
    let base = format!("http://{}/", host.as_deref().unwrap_or("localhost"));
    let request = Request {
        route,
        arg,
        params,
        base,
        query,
    };
    // Questions to the engine are CPU work: a few at a time, the rest wait their
    // turn for a while, then hear that the server is busy.
    let permit = match tokio::time::timeout(QUEUE_WAIT, searches().acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            let mut r = error_reply(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the server is busy with other questions; try again in a moment".to_string(),
            );
            r.headers_mut().insert(
                warp::http::header::RETRY_AFTER,
                warp::http::HeaderValue::from_static("1"),
            );
            return r;
        }
    };
    let handler = tokio::task::spawn_blocking(move || answer(&state.engine, &request));
    let result = match handler.await {
        Ok(r) => r,
        Err(e) => Err(Error::index(
            dir,
            format!("the handler of {path} failed: {e}"),
        )),
    };
    drop(permit);
    match result {
        Ok(Answer::Text(body)) => {
            let mut r = warp::reply::with_status(body, StatusCode::OK).into_response();
            set_headers(&mut r, route.content_type());
            r
        }
        Ok(Answer::File(file)) => {
            let mut r = warp::reply::with_status(file.bytes, StatusCode::OK).into_response();
            set_headers(&mut r, file.media_type);
            // A page of the archive runs nothing of its own here: no scripts, its
            // own origin.
            r.headers_mut().insert(
                warp::http::header::CONTENT_SECURITY_POLICY,
                warp::http::HeaderValue::from_static(
                    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
                ),
            );
            // The name as an RFC 6266 `filename*`, so that any letter survives.
            let encoded = api::atom::percent_encode(&file.name);
            if let Ok(v) =
                warp::http::HeaderValue::from_str(&format!("inline; filename*=UTF-8''{encoded}"))
            {
                r.headers_mut()
                    .insert(warp::http::header::CONTENT_DISPOSITION, v);
            }
            r
        }
        Err(e) => {
            let status =
                StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut body = ApiError::from_error(&e);
            if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
                // The details (paths, the index's own words) go to the log only.
                tracing::error!(error = %e, "request failed");
                body.error = "the server could not answer; its log says why".to_string();
            }
            let mut r = json_reply(status, serde_json::to_string(&body).expect("serialisable"));
            if status == StatusCode::SERVICE_UNAVAILABLE {
                r.headers_mut().insert(
                    warp::http::header::RETRY_AFTER,
                    warp::http::HeaderValue::from_static("5"),
                );
            }
            r
        }
    }
}

/// Asks the engine what a route asks, and writes the answer as JSON. Runs on the
/// blocking pool: searching is CPU work.
/// A request as a route understands it.
struct Request {
    route: Route,
    /// The path parameter (`{id}`, `{name}`).
    arg: String,
    params: Params,
    /// `http://host/`, for links back to this server.
    base: String,
    /// The query string as sent.
    query: String,
}

/// What a route answers: text of the route's media type, or a protocol's file.
enum Answer {
    Text(String),
    File(crate::engine::OriginalFile),
}

fn answer(engine: &Engine, req: &Request) -> Result<Answer> {
    if !matches!(req.route, Route::Health | Route::OpenApi) {
        engine.ready()?;
    }
    if req.route == Route::ProtocolFile {
        return engine.original_file(&req.arg).map(Answer::File);
    }
    answer_text(engine, req).map(Answer::Text)
}

fn answer_text(engine: &Engine, req: &Request) -> Result<String> {
    let (route, arg, p) = (req.route, req.arg.as_str(), &req.params);
    let pairs = || p.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let text = |key: &str| p.get(key).cloned().unwrap_or_default();
    match route {
        Route::Search => {
            let req = SearchRequest {
                query: text("q"),
                filters: Filters::from_pairs(pairs())?,
                limit: number(p, "limit", 10)?,
                offset: number(p, "offset", 0)?,
                facet_limit: number(p, "facet_limit", 30)?,
                sort: text("sort").parse()?,
            };
            to_json(&api::SearchResponse::from(&engine.search(&req)?))
        }
        Route::SearchAtom => {
            let search = SearchRequest {
                query: text("q"),
                filters: Filters::from_pairs(pairs())?,
                limit: number(p, "limit", 50)?,
                offset: 0,
                facet_limit: 0,
                sort: Sort::Date,
            };
            let resp = api::SearchResponse::from(&engine.search(&search)?);
            Ok(api::atom::feed(&resp, &req.base, &req.query))
        }
        Route::Trend => {
            let req = TrendRequest {
                query: text("q"),
                interval: text("interval").parse()?,
                filters: Filters::from_pairs(pairs())?,
            };
            to_json(&api::Trend::from(&engine.trend(&req)?))
        }
        Route::Facets => {
            let only = match p.get("field").filter(|f| !f.is_empty()) {
                Some(f) => Some(f.parse::<FacetField>().map_err(Error::InvalidArgument)?),
                None => None,
            };
            to_json(&api::facets(&engine.facets(only)?))
        }
        Route::Protocol => {
            let view = engine.protocol(arg, p.get("q").map(String::as_str))?;
            to_json(&api::Protocol::from(&view))
        }
        Route::Person => to_json(&api::PersonProfile::from(&engine.person(arg)?)),
        Route::Persons => {
            let people: Vec<api::FacetCount> = engine.persons()?.iter().map(Into::into).collect();
            to_json(&people)
        }
        Route::ProtocolFile => Err(Error::InvalidArgument(
            "a protocol's file is not JSON".into(),
        )),
        Route::Matters => to_json(&api::MatterList::from(
            &engine.matters(number(p, "limit", 20)?, number(p, "offset", 0)?)?,
        )),
        Route::Matter => to_json(&api::Matter::from(&engine.matter(arg)?)),
        Route::New => to_json(&api::New::from(&engine.new_in(text("period").parse()?)?)),
        Route::Health => to_json(&api::Health::from(&engine.health()?)),
        Route::OpenApi => Ok(OPENAPI_JSON.to_string()),
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    Ok(serde_json::to_string(v).expect("serialisable"))
}

/// A whole number parameter; the engine checks its range.
fn number(p: &Params, key: &str, default: usize) -> Result<usize> {
    match p.get(key).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(v) => v.parse::<usize>().map_err(|_| {
            Error::InvalidArgument(format!("{key} must be a whole number, not {v:?}"))
        }),
    }
}

/// The parameters of a query string in the order sent; a key may come more than
/// once (a facet with several values).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// The last value sent for `key`.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Every key, in the order sent.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// Every pair, in the order sent.
    pub fn iter(&self) -> impl Iterator<Item = &(String, String)> {
        self.0.iter()
    }
}

/// `a=1&b=x+y&c=%C3%A5` → pairs; invalid percent-encoding or UTF-8 is an error.
pub fn parse_query_string(raw: &str) -> std::result::Result<Params, String> {
    let mut out = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode(&k.replace('+', " "))?;
        let v = percent_decode(&v.replace('+', " "))?;
        out.push((k, v));
    }
    Ok(Params(out))
}

/// Decodes `%XX` escapes; the result must be UTF-8.
pub fn percent_decode(s: &str) -> std::result::Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                None => return Err(format!("bad percent-encoding in {s:?}")),
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "the request is not UTF-8".to_string())
}

/// Answers of at least this many bytes are sent compressed to clients that accept
/// it.
const COMPRESS_FROM: usize = 1024;
/// Brotli's quality for answers made on the fly: smaller than gzip's fast setting,
/// and about as quick.
const BROTLI_QUALITY: u32 = 4;

/// Whether `accept` (an `Accept-Encoding` header) accepts the coding `name`: named
/// or `*`, and not with `q=0`.
fn accepts(accept: Option<&str>, name: &str) -> bool {
    accept.is_some_and(|a| {
        a.split(',').any(|e| {
            let mut parts = e.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (coding.eq_ignore_ascii_case(name) || coding == "*") && !refused
        })
    })
}

/// The answer compressed when the client accepts brotli (preferred) or gzip and it
/// is text of some size (JSON, the page, a feed); otherwise as it is.
async fn compressed(
    response: warp::reply::Response,
    accept: Option<&str>,
) -> warp::reply::Response {
    use warp::http::header::{HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, VARY};
    let coding = if accepts(accept, "br") {
        Some("br")
    } else if accepts(accept, "gzip") {
        Some("gzip")
    } else {
        None
    };
    let textual = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.starts_with("text/")
                || t.starts_with("application/json")
                || t.starts_with("application/atom")
                || t.starts_with("application/javascript")
        });
    let Some(coding) = coding else {
        return response;
    };
    if !textual || response.headers().contains_key(CONTENT_ENCODING) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = http_body_util::BodyExt::collect(body)
        .await
        .map(|b| b.to_bytes())
    else {
        return warp::http::Response::from_parts(parts, Vec::<u8>::new().into());
    };
    parts
        .headers
        .insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    if bytes.len() < COMPRESS_FROM {
        return warp::http::Response::from_parts(parts, bytes.into());
    }
    use std::io::Write;
    let zipped = if coding == "br" {
        let mut encoder = brotli::CompressorWriter::new(Vec::new(), 4096, BROTLI_QUALITY, 22);
        encoder
            .write_all(&bytes)
            .and_then(|()| encoder.flush())
            .map(|()| encoder.into_inner())
    } else {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&bytes).and_then(|()| encoder.finish())
    };
    match zipped {
        Ok(z) => {
            parts
                .headers
                .insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
            parts.headers.remove(CONTENT_LENGTH);
            warp::http::Response::from_parts(parts, z.into())
        }
        Err(_) => warp::http::Response::from_parts(parts, bytes.into()),
    }
}

fn asset(body: &'static str, content_type: &str) -> warp::reply::Response {
    let mut r = warp::reply::with_status(body, StatusCode::OK).into_response();
    set_headers(&mut r, content_type);
    r
}

fn json_reply(status: StatusCode, body: String) -> warp::reply::Response {
    let mut r = warp::reply::with_status(body, status).into_response();
    set_headers(&mut r, "application/json; charset=utf-8");
    r
}

fn error_reply(status: StatusCode, code: &str, message: String) -> warp::reply::Response {
    let body = ApiError {
        code: code.to_string(),
        error: message,
    };
    json_reply(status, serde_json::to_string(&body).expect("serialisable"))
}

fn set_headers(r: &mut warp::reply::Response, content_type: &str) {
    use warp::http::header::{
        HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
    };
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(content_type).expect("valid header"),
    );
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
        ),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        warp::http::header::X_FRAME_OPTIONS,
        HeaderValue::from_static("DENY"),
    );
    h.insert(
        warp::http::header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode() {
        let p = parse_query_string("q=IKB+finansiering&group=L%C3%A4nsgemensam&x").unwrap();
        assert_eq!(p.get("q").unwrap(), "IKB finansiering");
        assert_eq!(p.get("group").unwrap(), "Länsgemensam");
        assert_eq!(p.get("x").unwrap(), "");
        let twice = parse_query_string("group=A&group=B").unwrap();
        let groups: Vec<&str> = twice
            .iter()
            .filter(|(k, _)| k == "group")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(groups, ["A", "B"]);
        assert!(parse_query_string("q=%ZZ").is_err());
        assert!(parse_query_string("q=%FF%FE").is_err());
    }
}
