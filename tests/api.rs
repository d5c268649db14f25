//! The HTTP API against a real server on an ephemeral loopback port: every route of
//! the OpenAPI document answers, results are right, and bad or hostile requests get
//! a clear status without hurting the server.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use common::*;
use serde_json::Value;

/// A running `protokollsok serve`, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    start_with(&[repo("corpus")])
}

/// A server over a copy of the protocol files of `dirs`.
fn start_with(dirs: &[std::path::PathBuf]) -> Server {
    start_args(dirs, &[])
}

/// A server over a copy of `dirs`, with more arguments to `serve`.
fn start_args(dirs: &[std::path::PathBuf], extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    corpus_from(dirs, &corpus);
    let index = dir.path().join("index");
    let (child, addr) = spawn_serve(&corpus, &index, extra);
    Server {
        child,
        addr,
        _dir: dir,
    }
}

/// Starts `serve` on a free loopback port over `corpus` and `index`; returns the
/// process and the address it said it serves on.
fn spawn_serve(
    corpus: &std::path::Path,
    index: &std::path::Path,
    extra: &[&str],
) -> (Child, String) {
    let mut child = bin()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--corpus",
            corpus.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "server said {line:?}");
    (child, addr)
}

/// Sends a GET of `path` with `headers` (each ending in CRLF) and returns the
/// answer's head in lower case and its body's bytes as sent.
fn exchange(addr: &str, path: &str, headers: &str) -> (String, Vec<u8>) {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    conn.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n")
            .as_bytes(),
    )
    .unwrap();
    let mut buf = Vec::new();
    let _ = conn.read_to_end(&mut buf);
    let at = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    let body = buf.get(at + 4..).unwrap_or_default().to_vec();
    (String::from_utf8_lossy(&buf[..at]).to_lowercase(), body)
}

/// Sends raw bytes, returns (status, body). Status 0 when the server closed the
/// connection without an answer.
fn raw(addr: &str, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let _ = s.write_all(request);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = if head.to_lowercase().contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

/// A query-string value, percent-encoded.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn get(addr: &str, path: &str) -> (u16, Value) {
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let (status, body) = raw(addr, req.as_bytes());
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

#[test]
fn every_route_in_the_openapi_document_answers() {
    let s = start();
    let (status, doc) = get(&s.addr, "/api/openapi.json");
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    let (_, hit) = get(&s.addr, "/api/search?q=IKB");
    let id = hit["hits"][0]["protocol_id"].as_str().unwrap().to_string();
    let (_, matters) = get(&s.addr, "/api/matters");
    let matter = matters["matters"][0]["id"].as_str().unwrap().to_string();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 9);
    for path in paths.keys() {
        let id = if path.starts_with("/api/matters/") {
            &matter
        } else {
            &id
        };
        let mut concrete = path.replace("{id}", id).replace("{name}", "Sofia%20Hartz");
        if path == "/api/new" {
            concrete.push_str("?period=2026Q1");
        }
        let (status, body) = get(&s.addr, &concrete);
        assert_eq!(status, 200, "{concrete}: {body}");
    }
}

#[test]
fn search_finds_the_ikb_item_with_highlights_and_facets() {
    let s = start();
    let (status, v) = get(&s.addr, "/api/search?q=IKB+finansiering");
    assert_eq!(status, 200);
    assert_eq!(
        v["hits"][0]["item_title"],
        "Intensiv kontextuell behandling (IKB)"
    );
    assert_eq!(v["hits"][0]["date"], "2025-12-12");
    assert!(v["hits"][0]["snippet"]
        .as_str()
        .unwrap()
        .contains("<mark>IKB</mark>"));
    // Facets follow the filters, but a facet's own filter leaves its values and
    // counts as they were, and two values of one facet are alternatives.
    let (_, all) = get(&s.addr, "/api/search?q=samverkan");
    let groups = all["facets"]["group"].as_array().unwrap();
    assert!(groups.len() >= 2, "{groups:?}");
    let (a, b) = (&groups[0], &groups[1]);
    let (_, one) = get(
        &s.addr,
        &format!(
            "/api/search?q=samverkan&group={}",
            enc(a["value"].as_str().unwrap())
        ),
    );
    assert_eq!(one["total"], a["count"]);
    assert!(one["total"].as_u64().unwrap() < all["total"].as_u64().unwrap());
    assert_eq!(one["facets"]["group"], all["facets"]["group"]);
    assert_ne!(one["facets"]["topic"], all["facets"]["topic"]);
    let (_, both) = get(
        &s.addr,
        &format!(
            "/api/search?q=samverkan&group={}&group={}",
            enc(a["value"].as_str().unwrap()),
            enc(b["value"].as_str().unwrap())
        ),
    );
    assert_eq!(
        both["total"].as_u64().unwrap(),
        a["count"].as_u64().unwrap() + b["count"].as_u64().unwrap()
    );
    // More facet values on request.
    let (_, few) = get(&s.addr, "/api/search?facet_limit=2");
    let (_, many) = get(&s.addr, "/api/search?facet_limit=50");
    assert_eq!(few["facets"]["person"].as_array().unwrap().len(), 2);
    assert!(many["facets"]["person"].as_array().unwrap().len() > 12);
    let (_, by_date) = get(&s.addr, "/api/search?q=samverkan&sort=date&limit=50");
    let dates: Vec<&str> = by_date["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[test]
fn protocol_person_and_facets_endpoints() {
    let s = start();
    let (_, hit) = get(&s.addr, "/api/search?q=IKB");
    let id = hit["hits"][0]["protocol_id"].as_str().unwrap();
    let (status, p) = get(&s.addr, &format!("/api/protocols/{id}"));
    assert_eq!(status, 200);
    assert_eq!(p["date"], "2025-12-12");
    assert!(p["persons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "Petra Hornstra"));
    let (status, person) = get(&s.addr, "/api/persons/sofia%20hartz");
    assert_eq!(status, 200);
    let dates: Vec<&str> = person["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-02-06", "2025-11-07"]);
    // The original file, as it lies in the corpus.
    let (head, body) = exchange(&s.addr, &format!("/api/protocols/{id}/file"), "");
    let body = String::from_utf8(body).unwrap();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("content-type: text/plain; charset=utf-8"),
        "{head}"
    );
    assert!(
        head.contains("content-disposition: inline; filename*=utf-8''"),
        "{head}"
    );
    assert!(
        body.contains("Intensiv kontextuell behandling"),
        "{body:.300}"
    );
    let (status, _) = get(&s.addr, "/api/protocols/..%2F..%2Fetc%2Fpasswd/file");
    assert_eq!(status, 404);
    // Every person, most items first.
    let (status, people) = get(&s.addr, "/api/persons");
    assert_eq!(status, 200);
    let people = people.as_array().unwrap();
    assert!(people.iter().any(|p| p["value"] == "Sofia Hartz"));
    let counts: Vec<u64> = people
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let (_, facets) = get(&s.addr, "/api/facets");
    assert!(facets["group"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["value"] == "Länsgemensam ledning i samverkan"));
}

#[test]
fn trend_has_every_period_even_empty_ones() {
    let s = start();
    let (status, t) = get(&s.addr, "/api/trend?q=suicidprevention&interval=month");
    assert_eq!(status, 200);
    let periods: Vec<&str> = t["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        periods,
        ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
    );
    let jan = &t["points"][2];
    assert_eq!(
        (jan["matching"].as_u64(), jan["total"].as_u64()),
        (Some(0), Some(0))
    );
    let sum: u64 = t["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["matching"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, t["matching"].as_u64().unwrap());
    let (_, by_group) = get(&s.addr, "/api/trend?q=suicidprevention&interval=year");
    let groups: u64 = by_group["points"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["groups"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
        })
        .sum();
    assert_eq!(groups, by_group["matching"].as_u64().unwrap());
}

#[test]
fn bad_parameters_are_400_unknown_things_404() {
    let s = start();
    let long = "a".repeat(2000);
    let cases: Vec<(String, u16, &str)> = vec![
        ("/api/search?from=2026-02-30".into(), 400, "bad_argument"),
        ("/api/search?to=igår".into(), 400, "bad_argument"),
        ("/api/search?q=%22barn+och".into(), 400, "bad_query"),
        ("/api/search?q=OR".into(), 400, "bad_query"),
        (format!("/api/search?q={long}"), 400, "bad_query"),
        ("/api/search?limit=0".into(), 400, "bad_argument"),
        ("/api/search?limit=101".into(), 400, "bad_argument"),
        ("/api/search?limit=-5".into(), 400, "bad_argument"),
        ("/api/search?offset=99999999".into(), 400, "bad_argument"),
        ("/api/search?sort=random".into(), 400, "bad_argument"),
        ("/api/search?decisions=maybe".into(), 400, "bad_argument"),
        (
            "/api/search?from=2026-03-01&to=2026-01-01".into(),
            400,
            "bad_argument",
        ),
        ("/api/search?q=%E4".into(), 400, "bad_argument"),
        ("/api/search?q=%Z1".into(), 400, "bad_argument"),
        ("/api/trend?interval=week".into(), 400, "bad_argument"),
        ("/api/protocols/ffffffffffff".into(), 404, "not_found"),
        ("/api/persons/Ingen%20S%C3%A5dan".into(), 404, "not_found"),
        ("/api/nothing".into(), 404, "not_found"),
        ("/etc/passwd".into(), 404, "not_found"),
        ("/../../etc/passwd".into(), 404, "not_found"),
    ];
    for (path, want, code) in cases {
        let (status, body) = get(&s.addr, &path);
        assert_eq!(status, want, "{path}: {body}");
        assert_eq!(body["code"], code, "{path}: {body}");
        assert!(body["error"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (status, body) = raw(
        &s.addr,
        b"POST /api/search HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    );
    assert_eq!(status, 405, "{body}");
}

#[test]
fn hostile_requests_do_not_hurt_the_server() {
    let s = start();
    let huge_header = format!(
        "GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "b".repeat(1_000_000)
    );
    let huge_path = format!(
        "GET /api/search?q={} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        "x".repeat(200_000)
    );
    let attacks: Vec<Vec<u8>> = vec![
        b"\x00\x01\x02garbage\r\n\r\n".to_vec(),
        b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        b"GET /api/search?q=a HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n".to_vec(),
        huge_header.into_bytes(),
        huge_path.into_bytes(),
        b"GET /api/search?q=\xff\xfe HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            .to_vec(),
    ];
    for a in &attacks {
        let (status, _) = raw(&s.addr, a);
        assert!(
            status == 0 || (400..500).contains(&status),
            "status {status}"
        );
    }
    // A GET with a broken chunked body: the body is never read, the GET is answered.
    let (status, _) = raw(&s.addr, b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n");
    assert!(status == 200 || status == 400, "status {status}");
    // A client that connects and says nothing does not block others.
    let _idle = TcpStream::connect(&s.addr).unwrap();
    let (status, v) = get(&s.addr, "/api/health");
    assert_eq!(status, 200);
    assert_eq!(v["status"], "ok");
}

#[test]
fn concurrent_clients_all_get_answers() {
    let s = start();
    let addr = s.addr.clone();
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                (0..10)
                    .map(|k| get(&addr, &format!("/api/search?q=vård&offset={}", (i + k) % 5)).0)
                    .filter(|&st| st == 200)
                    .count()
            })
        })
        .collect();
    let ok: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(ok, 160);
}

#[test]
fn the_page_and_its_assets_are_served_from_the_binary() {
    let s = start();
    let (status, body) = raw(
        &s.addr,
        b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 200);
    assert!(body.contains("<html lang=\"sv\">") && body.contains("/app.js"));
    for asset in ["/app.js", "/style.css"] {
        let (status, body) = raw(
            &s.addr,
            format!("GET {asset} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(status, 200, "{asset}");
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "{asset} must fetch nothing from elsewhere"
        );
    }
}

#[test]
fn http_answers_are_the_frozen_ones() {
    let s = start();
    for (name, path) in [
        ("api_search", "/api/search?q=IKB+finansiering"),
        ("api_protocol", "/api/protocols/61e2fc07ac9a"),
        ("api_person", "/api/persons/Anna%20Hasselbom%20Trofast"),
        (
            "api_trend",
            "/api/trend?q=suicidprevention&interval=quarter",
        ),
    ] {
        let (status, v) = get(&s.addr, path);
        assert_eq!(status, 200, "{path}: {v}");
        assert_golden(name, v);
    }
}

/// The OpenAPI document and the server agree both ways: the same routes, the same
/// query parameters per route, and every answer's fields are the schema's
/// properties, with every property seen in some answer and every required one
/// present.
#[test]
fn the_openapi_document_matches_the_routes_and_answers_both_ways() {
    use protokollsok::server::Route;
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(repo("web/openapi.json")).unwrap()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let documented: std::collections::BTreeSet<&str> = paths.keys().map(String::as_str).collect();
    let served: std::collections::BTreeSet<&str> =
        Route::ALL.iter().map(|r| r.template()).collect();
    assert_eq!(documented, served, "routes of the document vs the server");
    for route in Route::ALL {
        let mut doc_params: Vec<&str> = paths[route.template()]["get"]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        let mut params = route.params();
        doc_params.sort();
        params.sort();
        assert_eq!(
            doc_params,
            params,
            "query parameters of {}",
            route.template()
        );
    }

    // The shipped archive and the real protocols: between them every field has a value.
    let s = start_with(&[repo("corpus"), repo("tests/fixtures/real/corpus")]);
    let (_, with_motions) = get(&s.addr, "/api/search?q=yrkar&limit=1");
    let motion_protocol = with_motions["hits"][0]["protocol_id"]
        .as_str()
        .unwrap()
        .to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    let motion_path = format!("/api/protocols/{motion_protocol}");
    for (path, schema) in [
        (motion_path.as_str(), "Protocol"),
        ("/api/persons/Kristin%20Irebring", "Person"),
        ("/api/search?q=IKB+finansiering", "SearchResponse"),
        ("/api/search?q=suicidprevnetion", "SearchResponse"),
        ("/api/protocols/61e2fc07ac9a?q=IKB", "Protocol"),
        ("/api/facets", "Facets"),
        ("/api/trend?q=suicidprevnetion", "Trend"),
        ("/api/persons/Anna%20Trofast%20Hasselbom", "Person"),
        ("/api/health", "Health"),
        ("/api/matters", "MatterList"),
        ("/api/new?period=2026Q1", "New"),
        ("/api/matters/digital%20ungdomsmottagning", "Matter"),
        ("/api/search?limit=0", "Error"),
    ] {
        let (_, v) = get(&s.addr, path);
        conforms(&v, schema, schemas, path, &mut seen, &mut problems);
    }
    for (name, schema) in schemas {
        for prop in schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|p| p.0)
        {
            if !seen.contains(&(name.clone(), prop.clone())) {
                problems.push(format!("{name}.{prop} is documented but in no answer"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Checks `v` against the named schema (objects, arrays and `$ref`s; scalar types
/// loosely), recording which properties were seen.
fn conforms(
    v: &Value,
    schema_name: &str,
    schemas: &serde_json::Map<String, Value>,
    at: &str,
    seen: &mut std::collections::BTreeSet<(String, String)>,
    problems: &mut Vec<String>,
) {
    let schema = &schemas[schema_name];
    check_value(v, schema, Some(schema_name), schemas, at, seen, problems);
}

fn check_value(
    v: &Value,
    schema: &Value,
    name: Option<&str>,
    schemas: &serde_json::Map<String, Value>,
    at: &str,
    seen: &mut std::collections::BTreeSet<(String, String)>,
    problems: &mut Vec<String>,
) {
    if let Some(r) = schema["$ref"].as_str() {
        let target = r.rsplit('/').next().unwrap();
        return conforms(v, target, schemas, at, seen, problems);
    }
    if v.is_null() {
        if schema["nullable"] != true {
            problems.push(format!("{at}: null, but not nullable"));
        }
        return;
    }
    match schema["type"].as_str() {
        Some("object") => {
            let Some(obj) = v.as_object() else {
                return problems.push(format!("{at}: not an object"));
            };
            if let Some(extra) = schema.get("additionalProperties") {
                for (k, x) in obj {
                    check_value(
                        x,
                        extra,
                        None,
                        schemas,
                        &format!("{at}.{k}"),
                        seen,
                        problems,
                    );
                }
                return;
            }
            let props = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for (k, x) in obj {
                match props.get(k) {
                    Some(p) => {
                        if let Some(n) = name {
                            seen.insert((n.to_string(), k.clone()));
                        }
                        check_value(x, p, None, schemas, &format!("{at}.{k}"), seen, problems);
                    }
                    None => problems.push(format!("{at}.{k}: not in the schema {name:?}")),
                }
            }
            for r in schema["required"].as_array().into_iter().flatten() {
                let r = r.as_str().unwrap();
                if !obj.contains_key(r) {
                    problems.push(format!("{at}: required {r} missing"));
                }
            }
        }
        Some("array") => {
            let Some(list) = v.as_array() else {
                return problems.push(format!("{at}: not an array"));
            };
            for (i, x) in list.iter().enumerate() {
                check_value(
                    x,
                    &schema["items"],
                    None,
                    schemas,
                    &format!("{at}[{i}]"),
                    seen,
                    problems,
                );
            }
        }
        Some("string") if !v.is_string() => problems.push(format!("{at}: not a string")),
        Some("integer") if !v.is_u64() && !v.is_i64() => {
            problems.push(format!("{at}: not an integer"))
        }
        Some("number") if !v.is_number() => problems.push(format!("{at}: not a number")),
        Some("boolean") if !v.is_boolean() => problems.push(format!("{at}: not a boolean")),
        _ => {}
    }
}

#[test]
fn an_unknown_parameter_is_refused_with_the_ones_the_route_takes() {
    let s = start();
    let (status, v) = get(&s.addr, "/api/search?q=vård&grup=Ledningsgrupp");
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["code"], "bad_argument");
    let msg = v["error"].as_str().unwrap();
    assert!(msg.contains("\"grup\"") && msg.contains("group"), "{msg}");
    let (status, _) = get(&s.addr, "/api/health?verbose=1");
    assert_eq!(status, 400);
    // A person by another spelling is the whole person, as the person filter is.
    let (_, person) = get(&s.addr, "/api/persons/Anna%20Trofast%20Hasselbom");
    let (_, filtered) = get(
        &s.addr,
        "/api/search?person=Anna+Trofast+Hasselbom&limit=100",
    );
    let mut ids: Vec<&str> = filtered["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["protocol_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(person["meetings"].as_array().unwrap().len(), ids.len());
    assert_eq!(person["spellings"].as_array().unwrap().len(), 2);
}

/// A saved search is a feed: `/api/search.atom` is Atom as a registry parser reads it
/// (atom_syndication), the newest meeting first, each entry linking to its item on
/// this server, with the item's themes as categories.
#[test]
fn the_search_feed_is_valid_atom_newest_first() {
    // A server that answers to a name of its own, given with --allow-host.
    let s = start_args(&[repo("corpus")], &["--allow-host", "example.test"]);
    let req = "GET /api/search.atom?q=samverkan&limit=20 HTTP/1.1\r\nHost: example.test:8080\r\nConnection: close\r\n\r\n";
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_lowercase()
            .contains("content-type: application/atom+xml"),
        "{head}"
    );
    let body = if head.to_lowercase().contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_string()
    };
    let feed: atom_syndication::Feed = body.parse().unwrap_or_else(|e| panic!("{e}: {body}"));
    assert!(feed.id().starts_with("urn:protokollsok:search:"));
    assert_eq!(feed.title().as_str(), "Protokollsök: samverkan");
    assert!(!feed.authors().is_empty());
    let entries = feed.entries();
    assert!(entries.len() >= 5, "{}", entries.len());
    let published: Vec<String> = entries
        .iter()
        .map(|e| e.published().expect("published").to_rfc3339())
        .collect();
    let mut sorted = published.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(published, sorted, "newest first");
    let mut ids = std::collections::BTreeSet::new();
    for e in entries {
        assert!(ids.insert(e.id().to_string()), "ids are unique");
        let link = &e.links()[0];
        assert!(
            link.href()
                .starts_with("http://example.test:8080/#/protocol/"),
            "{}",
            link.href()
        );
        assert!(e.summary().is_some());
    }
    assert!(
        entries.iter().any(|e| !e.categories().is_empty()),
        "themes as categories"
    );
    // A bad filter is a JSON error, as on every route.
    let (status, err) = get(&s.addr, "/api/search.atom?q=vård&from=igår");
    assert_eq!(status, 400);
    assert_eq!(err["code"], "bad_argument");
}

/// Polls `path` until `ok` holds of its answer, for at most 30 s.
fn poll(addr: &str, path: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let started = std::time::Instant::now();
    loop {
        let (_, v) = get(addr, path);
        if ok(&v) {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{path} never held: {v}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A running server follows its corpus: a file added is found, a change is seen,
/// a deleted file is gone; a commit made by a command-line `index` is taken up; and
/// health says so without rebuilding anything.
#[test]
fn the_server_follows_the_corpus_while_it_runs() {
    follows_the_corpus(&["--watch", "1"]);
}

/// The same where changes are not reported and the corpus is listed instead.
#[test]
fn a_polling_server_follows_the_corpus() {
    follows_the_corpus(&["--watch", "1", "--poll"]);
}

fn follows_the_corpus(args: &[&str]) {
    let s = start_args(&[repo("corpus")], args);
    let corpus = s._dir.path().join("corpus");
    let (_, health) = get(&s.addr, "/api/health");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["protocols"], 5);
    assert_eq!(health["indexing"], false);
    assert!(health["last_commit"].as_str().unwrap().ends_with('Z'));
    let text = std::fs::read_to_string(corpus.join("002_99a661715dc34129.txt")).unwrap();
    let added = corpus.join("ny").join("nytt.txt");
    std::fs::create_dir_all(added.parent().unwrap()).unwrap();
    std::fs::write(&added, text.replace("Kalmar", "Vimmerbyhult")).unwrap();
    let v = poll(&s.addr, "/api/search?q=Vimmerbyhult", |v| {
        v["total"].as_u64() > Some(0)
    });
    assert_eq!(v["hits"][0]["file"], "ny/nytt.txt");
    poll(&s.addr, "/api/health", |h| h["protocols"] == 6);
    std::fs::write(&added, text.replace("Kalmar", "Hultsfredsby")).unwrap();
    poll(&s.addr, "/api/search?q=Hultsfredsby", |v| {
        v["total"].as_u64() > Some(0)
    });
    poll(&s.addr, "/api/search?q=Vimmerbyhult", |v| v["total"] == 0);
    std::fs::remove_file(&added).unwrap();
    poll(&s.addr, "/api/search?q=Hultsfredsby", |v| v["total"] == 0);
    poll(&s.addr, "/api/health", |h| h["protocols"] == 5);

    // A file renamed is found under its new name only.
    let first = corpus.join("renamed_from.txt");
    std::fs::write(&first, text.replace("Kalmar", "Flyttorpet")).unwrap();
    poll(&s.addr, "/api/search?q=Flyttorpet", |v| {
        v["hits"][0]["file"] == "renamed_from.txt"
    });
    std::fs::rename(&first, corpus.join("renamed_to.txt")).unwrap();
    poll(&s.addr, "/api/search?q=Flyttorpet", |v| {
        v["total"] == v["hits"].as_array().map_or(0, |h| h.len())
            && v["hits"]
                .as_array()
                .is_some_and(|h| !h.is_empty() && h.iter().all(|h| h["file"] == "renamed_to.txt"))
    });
    // A folder of files moved in from outside (one event, for the folder), then
    // deleted with its files.
    let outside = s._dir.path().join("outside");
    std::fs::create_dir_all(outside.join("inner")).unwrap();
    std::fs::write(outside.join("a.txt"), text.replace("Kalmar", "Mappholmen")).unwrap();
    std::fs::write(
        outside.join("inner").join("b.txt"),
        text.replace("Kalmar", "Mappholmen"),
    )
    .unwrap();
    std::fs::rename(&outside, corpus.join("flyttad")).unwrap();
    poll(&s.addr, "/api/search?q=Mappholmen", |v| {
        v["total"].as_u64() >= Some(2) && {
            let mut files: Vec<&str> = v["hits"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|h| h["file"].as_str())
                .collect();
            files.sort();
            files.dedup();
            files == ["flyttad/a.txt", "flyttad/inner/b.txt"]
        }
    });
    std::fs::remove_dir_all(corpus.join("flyttad")).unwrap();
    poll(&s.addr, "/api/search?q=Mappholmen", |v| v["total"] == 0);
    poll(&s.addr, "/api/health", |h| h["protocols"] == 6);
}

/// A commit by a command-line `index` reaches a server that does not watch.
#[test]
fn a_command_line_index_reaches_a_running_server() {
    let s = start_args(&[repo("corpus")], &["--watch", "0"]);
    let corpus = s._dir.path().join("corpus");
    let index = s._dir.path().join("index");
    let text = std::fs::read_to_string(corpus.join("002_99a661715dc34129.txt")).unwrap();
    std::fs::write(corpus.join("cli.txt"), text.replace("Kalmar", "Målillaby")).unwrap();
    let out = bin()
        .args([
            "index",
            "--corpus",
            corpus.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    poll(&s.addr, "/api/search?q=Målillaby", |v| {
        v["total"].as_u64() > Some(0)
    });
}

/// Only the server's own names are answered (no DNS rebinding); the page cannot be
/// framed; a 5xx body carries no internals.
#[test]
fn host_names_framing_and_error_bodies() {
    let s = start();
    let ask = |host: &str| {
        raw(
            &s.addr,
            format!("GET /api/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    };
    let port = s.addr.rsplit(':').next().unwrap().to_string();
    for ok in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "localhost".into(),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(ask(&ok).0, 200, "{ok}");
    }
    for bad in [
        "evil.example",
        "evil.example:80",
        "127.0.0.1.evil.example",
        "localhost.evil",
    ] {
        let (status, body) = ask(bad);
        assert_eq!(status, 421, "{bad}");
        assert!(body.contains("\"code\":\"bad_host\""), "{body}");
    }
    let (head, _) = exchange(&s.addr, "/", "");
    assert!(head.contains("x-frame-options: deny"), "{head:.600}");
    assert!(head.contains("frame-ancestors 'none'"), "{head:.600}");
    assert!(
        head.contains("x-content-type-options: nosniff"),
        "{head:.600}"
    );
}

/// While another process builds the index for the first time, a server says so with
/// 503 and Retry-After, and a command-line search exits 2 with a message, never
/// "nothing found".
#[cfg(target_os = "linux")]
#[test]
fn a_first_build_in_progress_is_said_so() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    corpus_from(&[repo("corpus")], &corpus);
    let index = tmp.path().join("index");
    // An index with nothing committed yet, and the mark of a live process building it.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = bin()
        .args([
            "index",
            "--corpus",
            empty.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut builder = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    std::fs::write(index.join("indexing.pid"), builder.id().to_string()).unwrap();
    let search = bin()
        .args([
            "search",
            "samverkan",
            "--corpus",
            empty.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(search.status.code(), Some(2), "{}", stderr(&search));
    assert!(
        stderr(&search).contains("first build is in progress"),
        "{}",
        stderr(&search)
    );
    let (mut child, addr) = spawn_serve(&empty, &index, &["--watch", "0"]);
    let (status, body) = raw(
        &addr,
        b"GET /api/search?q=samverkan HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"code\":\"building\""), "{body}");
    let (_, health) = get(&addr, "/api/health");
    assert_eq!(health["status"], "building");
    let (head, _) = exchange(&addr, "/api/search", "");
    assert!(head.contains("retry-after: 5"), "{head}");
    let _ = child.kill();
    let _ = child.wait();
    let _ = builder.kill();
    let _ = builder.wait();
}

/// Idle and slow clients cannot starve the others: a connection that sends nothing,
/// or only part of a request head, is closed after the header timeout, and more
/// idle sockets than the connection limit leave the server answering once they
/// time out; the process keeps its file descriptors.
#[test]
fn idle_and_slow_clients_are_closed_and_others_are_answered() {
    let s = start();
    let mut idle: Vec<TcpStream> = (0..600)
        .filter_map(|_| TcpStream::connect(&s.addr).ok())
        .collect();
    assert!(idle.len() >= 550, "{} connections", idle.len());
    let mut slow = TcpStream::connect(&s.addr).unwrap();
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .unwrap();
    let started = std::time::Instant::now();
    // The server closes the slow one: reading ends (EOF or reset) well before 30 s.
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut buf = [0u8; 256];
    let closed = matches!(slow.read(&mut buf), Ok(0) | Err(_));
    assert!(closed, "the slow client is closed");
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "{:?}",
        started.elapsed()
    );
    // Once the idle ones have timed out, a new client is answered.
    let answered = (0..40).any(|_| {
        let (status, _) = raw(
            &s.addr,
            b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        );
        status == 200 || {
            std::thread::sleep(Duration::from_millis(500));
            false
        }
    });
    assert!(
        answered,
        "a client is answered after the idle ones time out"
    );
    // The idle sockets were closed by the server.
    let first = idle.first_mut().unwrap();
    first
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    assert!(matches!(first.read(&mut buf), Ok(0) | Err(_)));
}

/// SIGTERM (what a service manager sends) ends the server cleanly, exit 0.
#[cfg(unix)]
#[test]
fn sigterm_shuts_the_server_down_cleanly() {
    let mut s = start();
    let (status, _) = get(&s.addr, "/api/health");
    assert_eq!(status, 200);
    let pid = s.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let started = std::time::Instant::now();
    let code = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st.code();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(code, Some(0));
}

/// A client that accepts brotli or gzip gets answers of some size compressed (brotli
/// when it takes both), with the same content; one that does not gets them as they
/// are.
#[test]
fn answers_are_compressed_for_clients_that_accept_it() {
    let s = start();
    let ask = |extra: &str| exchange(&s.addr, "/api/search?q=samverkan", extra);
    let (plain_head, plain) = ask("");
    assert!(!plain_head.contains("content-encoding"), "{plain_head}");
    let (head, body) = ask("Accept-Encoding: gzip, deflate, br\r\n");
    assert!(head.contains("content-encoding: br"), "{head}");
    let mut unbrotli = Vec::new();
    brotli::Decompressor::new(&body[..], 4096)
        .read_to_end(&mut unbrotli)
        .unwrap();
    let a: Value = serde_json::from_slice(&unbrotli).unwrap();
    let b: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(a["hits"], b["hits"]);
    assert!(body.len() * 2 < plain.len());
    let (head, body) = ask("Accept-Encoding: br;q=0, gzip;q=0.8\r\n");
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert!(head.contains("vary: accept-encoding"), "{head}");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    let a: Value = serde_json::from_slice(&unzipped).unwrap();
    let b: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(a["total"], b["total"]);
    assert_eq!(a["hits"], b["hits"]);
    assert!(
        body.len() * 2 < plain.len(),
        "{} vs {}",
        body.len(),
        plain.len()
    );
    let (refused, _) = ask("Accept-Encoding: gzip;q=0\r\n");
    assert!(!refused.contains("content-encoding"), "{refused}");
}

/// A search that runs past its time budget is stopped and answered as such (code
/// `too_slow`, 503), not with what it had found by then; within its budget the same
/// search answers.
#[test]
fn a_search_past_its_time_budget_is_stopped_and_says_so() {
    use protokollsok::config::{Config, Limits};
    use protokollsok::engine::Engine;
    use protokollsok::search::hits::SearchRequest;
    let (_tmp, corpus, index) = indexed_archive();
    let engine = Engine::open_as_is(Config::new(&corpus, &index)).unwrap();
    let req = SearchRequest {
        query: "samverkan".into(),
        filters: Default::default(),
        limit: 10,
        offset: 0,
        facet_limit: 10,
        sort: Default::default(),
    };
    let engine = engine.with_limits(Limits::HTTP);
    assert!(engine.search(&req).unwrap().total > 0);
    let engine = engine.with_limits(Limits {
        search_budget: Some(Duration::ZERO),
        ..Limits::HTTP
    });
    let err = engine.search(&req).unwrap_err();
    assert_eq!(err.code(), "too_slow", "{err}");
    assert_eq!(err.http_status(), 503);
    assert!(err.to_string().contains("narrow it"), "{err}");
}
