//! The HTTP server: the JSON API and the web page, from one binary.
//! Owns: routing, query-string parsing and checking, mapping errors to status codes
//! (400 bad parameters, 404 unknown ids or paths, 405 other methods, 500 the rest)
//! with one JSON error body, and the embedded page (`web/`), so that the binary
//! alone serves everything and the page fetches nothing from elsewhere.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Reply;
use warp::Filter;

use crate::api::ApiError;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::index::Store;
use crate::parse::Date;
use crate::search::{self, Filters, SearchRequest, Sort};
use crate::trend::{self, Interval};

const INDEX_HTML: &str = include_str!("../web/index.html");
const APP_JS: &str = include_str!("../web/app.js");
const STYLE_CSS: &str = include_str!("../web/style.css");
const OPENAPI_JSON: &str = include_str!("../web/openapi.json");

/// Largest page of hits the API gives.
pub const MAX_API_LIMIT: usize = 100;
/// Largest offset the API pages to.
pub const MAX_API_OFFSET: usize = 10_000;

/// What every request handler shares.
pub struct AppState {
    pub store: Store,
    pub config: Config,
}

/// Serves on an already bound listener until `shutdown` resolves.
pub async fn serve(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    // A server answers many searches: protocol facets keep per-segment tables,
    // built now, off the request path, by one search over everything.
    crate::facets::keep_tables();
    let warm = state.clone();
    tokio::task::spawn_blocking(move || {
        let everything = crate::search::SearchRequest {
            query: String::new(),
            filters: Default::default(),
            limit: 1,
            offset: 0,
            facet_limit: 1,
            sort: Default::default(),
        };
        if let Err(e) = crate::search::search(&warm.store, &warm.config, &everything) {
            tracing::warn!("warm-up search failed: {e}");
        }
    });
    warp::serve(routes(state))
        .incoming(listener)
        .graceful(shutdown)
        .run()
        .await;
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
        .and(warp::any().map(move || state.clone()))
        .and_then(
            |method: warp::http::Method,
             path: warp::path::FullPath,
             query: String,
             state: Arc<AppState>| async move {
                Ok::<_, Infallible>(dispatch(method, path.as_str().to_string(), query, state).await)
            },
        )
}

async fn dispatch(
    method: warp::http::Method,
    path: String,
    query: String,
    state: Arc<AppState>,
) -> warp::reply::Response {
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
    let result = match segs.as_slice() {
        ["api", "health"] => blocking(state, health).await,
        ["api", "search"] => blocking(state, move |s| api_search(s, &params)).await,
        ["api", "facets"] => blocking(state, |s| to_json(&search::facets(&s.store)?)).await,
        ["api", "trend"] => blocking(state, move |s| api_trend(s, &params)).await,
        ["api", "protocols", id] => {
            let id = id.to_string();
            blocking(state, move |s| to_json(&search::protocol(&s.store, &id)?)).await
        }
        ["api", "persons", name] => {
            let name = name.to_string();
            blocking(state, move |s| {
                to_json(&crate::profile::person(&s.store, &name)?)
            })
            .await
        }
        _ => {
            return error_reply(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no such path: {path}"),
            )
        }
    };
    match result {
        Ok(json) => json_reply(StatusCode::OK, json),
        Err(e) => {
            let status = match &e {
                Error::Query(_) | Error::InvalidArgument(_) => StatusCode::BAD_REQUEST,
                Error::UnknownProtocol(_) | Error::UnknownPerson(_) => StatusCode::NOT_FOUND,
                Error::Locked(_) => StatusCode::SERVICE_UNAVAILABLE,
                Error::Io { .. } | Error::Index { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            };
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!(error = %e, "request failed");
            }
            let body = ApiError::from_error(&e);
            json_reply(status, serde_json::to_string(&body).expect("serialisable"))
        }
    }
}

/// Runs a handler on the blocking pool: searching is CPU work.
async fn blocking<F>(state: Arc<AppState>, f: F) -> Result<String>
where
    F: FnOnce(&AppState) -> Result<String> + Send + 'static,
{
    match tokio::task::spawn_blocking(move || f(&state)).await {
        Ok(r) => r,
        Err(e) => Err(Error::index("", format!("handler failed: {e}"))),
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    Ok(serde_json::to_string(v).expect("serialisable"))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    protocols: usize,
    items: u64,
    version: &'static str,
}

fn health(s: &AppState) -> Result<String> {
    let searcher = s.store.reader.searcher();
    let items = searcher.num_docs();
    let files = crate::index::indexed_files(&s.store.index)?.len();
    to_json(&Health {
        status: "ok",
        protocols: files,
        items,
        version: env!("CARGO_PKG_VERSION"),
    })
}

fn api_search(s: &AppState, p: &HashMap<String, String>) -> Result<String> {
    let filters = filters_from(p)?;
    let limit = number(p, "limit", 10, 1, MAX_API_LIMIT)?;
    let offset = number(p, "offset", 0, 0, MAX_API_OFFSET)?;
    let sort: Sort = p.get("sort").map(String::as_str).unwrap_or("").parse()?;
    let req = SearchRequest {
        query: p.get("q").cloned().unwrap_or_default(),
        filters,
        limit,
        offset,
        facet_limit: 30,
        sort,
    };
    to_json(&search::search(&s.store, &s.config, &req)?)
}

fn api_trend(s: &AppState, p: &HashMap<String, String>) -> Result<String> {
    let filters = filters_from(p)?;
    let interval: Interval = p
        .get("interval")
        .map(String::as_str)
        .unwrap_or("")
        .parse()?;
    let q = p.get("q").cloned().unwrap_or_default();
    to_json(&trend::trend(&s.store, &s.config, &q, interval, &filters)?)
}

fn filters_from(p: &HashMap<String, String>) -> Result<Filters> {
    let date = |key: &str| -> Result<Option<Date>> {
        match p.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(v) => Date::parse_iso(v).map(Some).ok_or_else(|| {
                Error::InvalidArgument(format!("{key} must be a date YYYY-MM-DD, not {v:?}"))
            }),
        }
    };
    let text = |key: &str| {
        p.get(key)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let decisions = match p.get("decisions").map(String::as_str) {
        None | Some("") | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(Error::InvalidArgument(format!(
                "decisions must be true or false, not {other:?}"
            )))
        }
    };
    Ok(Filters {
        from: date("from")?,
        to: date("to")?,
        group: text("group"),
        person: text("person"),
        topic: text("topic"),
        organisation: text("organisation"),
        party: text("party"),
        decisions,
    })
}

fn number(
    p: &HashMap<String, String>,
    key: &str,
    default: usize,
    min: usize,
    max: usize,
) -> Result<usize> {
    match p.get(key).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(Error::InvalidArgument(format!(
                "{key} must be a whole number from {min} to {max}, not {v:?}"
            ))),
        },
    }
}

/// `a=1&b=x+y&c=%C3%A5` → map; invalid percent-encoding or UTF-8 is an error.
pub fn parse_query_string(raw: &str) -> std::result::Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode(&k.replace('+', " "))?;
        let v = percent_decode(&v.replace('+', " "))?;
        out.insert(k, v);
    }
    Ok(out)
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
        HeaderValue::from_static("default-src 'self'; style-src 'self'; img-src 'self' data:"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode() {
        let p = parse_query_string("q=IKB+finansiering&group=L%C3%A4nsgemensam&x").unwrap();
        assert_eq!(p["q"], "IKB finansiering");
        assert_eq!(p["group"], "Länsgemensam");
        assert_eq!(p["x"], "");
        assert!(parse_query_string("q=%ZZ").is_err());
        assert!(parse_query_string("q=%FF%FE").is_err());
    }
}
