//! Recorded HTTP responses and SQL results, loaded from a fixtures folder,
//! and the replay transport and executor the runner grants in place of the
//! network and the store's database. Every request is journalled, matched or
//! not, so the report can list what the plugin asked for.
//!
//! Layout: `http/*.json`, each `{"request": {"method", "url"}, "response":
//! {"status", "headers", "body"}}`, and `sql/*.json`, each `{"statement",
//! "params", "rows": {"columns", "rows"}}`. `sdk/README.md` documents both.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use reqwest::Url;
use serde::{Deserialize, Serialize};

use crate::grants::{SqlExecutor, SqlFailure, SqlRows, SqlValue};
use crate::http::{HttpFailure, HttpTransport, IncomingResponse, TransportRequest};

/// A fixtures folder that is missing, unreadable or holds a malformed file.
#[derive(Debug, thiserror::Error)]
#[error("fixtures: {0}")]
pub struct FixtureError(pub String);

/// Everything recorded in one fixtures folder.
#[derive(Debug, Default)]
pub struct Fixtures {
    dir: Option<PathBuf>,
    http: Vec<HttpFixture>,
    sql: Vec<SqlFixture>,
}

#[derive(Debug)]
struct HttpFixture {
    /// Path relative to the fixtures folder, e.g. `http/orders.json`.
    file: String,
    method: String,
    /// The URL as written in the file, for error messages.
    url: String,
    /// Scheme, host, port and path, normalised.
    base: String,
    /// The query after percent-decoding; `*` matches any run of characters.
    query: Option<String>,
    response: IncomingResponse,
}

#[derive(Debug)]
struct SqlFixture {
    file: String,
    statement: String,
    params: Vec<SqlValue>,
    rows: SqlRows,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpFile {
    request: RequestSpec,
    response: ResponseSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestSpec {
    #[serde(default = "default_method")]
    method: String,
    url: String,
}

fn default_method() -> String {
    "GET".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseSpec {
    #[serde(default = "default_status")]
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// A JSON value is sent as JSON; a string is sent as it is; absent or
    /// `null` is an empty body.
    #[serde(default)]
    body: serde_json::Value,
}

fn default_status() -> u16 {
    200
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SqlFile {
    statement: String,
    #[serde(default)]
    params: Vec<serde_json::Value>,
    rows: RowsSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowsSpec {
    columns: Vec<String>,
    #[serde(default)]
    rows: Vec<Vec<serde_json::Value>>,
    #[serde(default)]
    truncated: bool,
}

impl Fixtures {
    /// No fixtures: every request the plugin makes is a miss.
    pub fn none() -> Self {
        Fixtures::default()
    }

    /// Reads `dir/http/*.json` and `dir/sql/*.json` (both optional) in file
    /// name order.
    pub fn load(dir: &Path) -> Result<Self, FixtureError> {
        if !dir.is_dir() {
            return Err(FixtureError(format!("{} is not a folder; pass the folder that holds http/ and sql/", dir.display())));
        }
        let mut fixtures = Fixtures { dir: Some(dir.to_path_buf()), ..Fixtures::default() };
        for (file, text) in json_files(dir, "http")? {
            fixtures.http.push(parse_http(&file, &text)?);
        }
        for (file, text) in json_files(dir, "sql")? {
            fixtures.sql.push(parse_sql(&file, &text)?);
        }
        Ok(fixtures)
    }

    pub fn http_count(&self) -> usize {
        self.http.len()
    }

    pub fn sql_count(&self) -> usize {
        self.sql.len()
    }

    /// Hosts the HTTP fixtures answer for: the runner's default allow-list.
    pub fn http_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self.http.iter().filter_map(|f| Url::parse(&f.base).ok()?.host_str().map(str::to_string)).collect();
        hosts.sort();
        hosts.dedup();
        hosts
    }

    /// Exact URLs win over wildcard ones; otherwise the first in file order.
    fn match_http(&self, method: &str, url: &Url) -> Option<&HttpFixture> {
        let base = base_of(url);
        let query = url.query().map(percent_decode);
        let candidates = self.http.iter().filter(|f| f.method.eq_ignore_ascii_case(method) && f.base == base);
        let mut wildcard = None;
        for fixture in candidates {
            match (&fixture.query, &query) {
                (None, None) => return Some(fixture),
                (Some(pattern), Some(actual)) if !pattern.contains('*') && pattern == actual => {
                    return Some(fixture);
                }
                (Some(pattern), actual) if pattern.contains('*') && wildcard.is_none() && glob(pattern, actual.as_deref().unwrap_or("")) => {
                    wildcard = Some(fixture);
                }
                _ => {}
            }
        }
        wildcard
    }

    fn match_sql(&self, statement: &str, params: &[SqlValue]) -> Option<&SqlFixture> {
        let statement = normalize_statement(statement);
        self.sql.iter().find(|f| f.statement == statement && f.params.len() == params.len() && f.params.iter().zip(params).all(|(a, b)| same_value(a, b)))
    }

    fn folder(&self, kind: &str) -> String {
        match &self.dir {
            Some(dir) => dir.join(kind).display().to_string(),
            None => format!("{kind}/ (no fixtures folder was given: pass --fixtures DIR)"),
        }
    }

    fn http_miss(&self, method: &str, url: &Url) -> String {
        let mut text = format!("no HTTP fixture matches {method} {url}\nHTTP fixtures in {}:", self.folder("http"));
        if self.http.is_empty() {
            text.push_str(" none");
        }
        let width = self.http.iter().map(|f| f.file.len()).max().unwrap_or(0);
        for f in &self.http {
            let _ = write!(text, "\n  {:width$}  {} {}", f.file, f.method, f.url);
        }
        let _ = write!(
            text,
            "\nrecord the response in a new file under http/, e.g. \
             {{\"request\": {{\"method\": \"{method}\", \"url\": \"{url}\"}}, \
             \"response\": {{\"status\": 200, \"headers\": {{}}, \"body\": {{}}}}}} \
             (a `*` in the query matches anything)"
        );
        text
    }

    fn sql_miss(&self, statement: &str, params: &[SqlValue]) -> String {
        let params: Vec<serde_json::Value> = params.iter().map(value_to_json).collect();
        let mut text = format!(
            "no SQL fixture matches {} with params {}\nSQL fixtures in {}:",
            normalize_statement(statement),
            serde_json::Value::from(params.clone()),
            self.folder("sql")
        );
        if self.sql.is_empty() {
            text.push_str(" none");
        }
        let width = self.sql.iter().map(|f| f.file.len()).max().unwrap_or(0);
        for f in &self.sql {
            let params: Vec<serde_json::Value> = f.params.iter().map(value_to_json).collect();
            let _ = write!(text, "\n  {:width$}  {} {}", f.file, f.statement, serde_json::Value::from(params));
        }
        text.push_str(
            "\nrecord the result in a new file under sql/: \
             {\"statement\": \"…\", \"params\": […], \"rows\": {\"columns\": […], \"rows\": [[…]]}} \
             (the statement is compared with runs of whitespace collapsed)",
        );
        text
    }
}

fn json_files(dir: &Path, kind: &str) -> Result<Vec<(String, String)>, FixtureError> {
    let folder = dir.join(kind);
    if !folder.exists() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(&folder).map_err(|e| FixtureError(format!("cannot read {}: {e}", folder.display())))?;
    let mut paths: Vec<PathBuf> =
        entries.filter_map(|entry| entry.ok().map(|e| e.path())).filter(|path| path.extension().is_some_and(|ext| ext == "json")).collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| FixtureError(format!("cannot read {}: {e}", path.display())))?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Ok((format!("{kind}/{name}"), text))
        })
        .collect()
}

fn parse_http(file: &str, text: &str) -> Result<HttpFixture, FixtureError> {
    let spec: HttpFile = serde_json::from_str(text).map_err(|e| {
        FixtureError(format!(
            "{file}: {e} (expected {{\"request\": {{\"method\", \"url\"}}, \
             \"response\": {{\"status\", \"headers\", \"body\"}}}})"
        ))
    })?;
    let (base_text, query) = match spec.request.url.split_once('?') {
        Some((base, query)) => (base, Some(percent_decode(query))),
        None => (spec.request.url.as_str(), None),
    };
    if base_text.contains('*') {
        return Err(FixtureError(format!("{file}: `*` is only allowed in the query of request.url, not in `{base_text}`")));
    }
    let base = Url::parse(base_text).map_err(|e| FixtureError(format!("{file}: request.url `{base_text}` is not a URL: {e}")))?;
    let mut headers: Vec<(String, String)> = spec.response.headers.into_iter().collect();
    let body = match spec.response.body {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::String(text) => text.into_bytes(),
        json => {
            if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type")) {
                headers.push(("content-type".into(), "application/json".into()));
            }
            serde_json::to_vec(&json).expect("a JSON value serialises")
        }
    };
    Ok(HttpFixture {
        file: file.to_string(),
        method: spec.request.method.to_ascii_uppercase(),
        url: spec.request.url.clone(),
        base: base_of(&base),
        query,
        response: IncomingResponse { status: spec.response.status, headers, body },
    })
}

fn parse_sql(file: &str, text: &str) -> Result<SqlFixture, FixtureError> {
    let spec: SqlFile = serde_json::from_str(text)
        .map_err(|e| FixtureError(format!("{file}: {e} (expected {{\"statement\", \"params\", \"rows\": {{\"columns\", \"rows\"}}}})")))?;
    let value = |v: &serde_json::Value, what: &str| json_to_value(v).map_err(|why| FixtureError(format!("{file}: {what}: {why}")));
    let params = spec.params.iter().enumerate().map(|(i, p)| value(p, &format!("params[{i}]"))).collect::<Result<Vec<_>, _>>()?;
    let width = spec.rows.columns.len();
    let rows = spec
        .rows
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            if row.len() != width {
                return Err(FixtureError(format!("{file}: rows[{r}] has {} values for {width} columns", row.len())));
            }
            row.iter().enumerate().map(|(c, v)| value(v, &format!("rows[{r}][{c}]"))).collect()
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SqlFixture {
        file: file.to_string(),
        statement: normalize_statement(&spec.statement),
        params,
        rows: SqlRows { columns: spec.rows.columns, rows, truncated: spec.rows.truncated },
    })
}

/// JSON in fixtures to SQL values: null, booleans, integers, other numbers
/// (doubles), strings, and `{"hex": "…"}` for blobs.
fn json_to_value(value: &serde_json::Value) -> Result<SqlValue, String> {
    use serde_json::Value as J;
    Ok(match value {
        J::Null => SqlValue::Null,
        J::Bool(b) => SqlValue::Boolean(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Double(n.as_f64().ok_or("number out of range")?),
        },
        J::String(s) => SqlValue::Text(s.clone()),
        J::Object(map) if map.len() == 1 && map.contains_key("hex") => {
            let hex = map["hex"].as_str().ok_or("`hex` must be a string")?;
            SqlValue::Blob(hex::decode(hex).map_err(|e| format!("bad hex: {e}"))?)
        }
        other => {
            return Err(format!("`{other}` is not a SQL value (null, boolean, number, string or {{\"hex\": \"…\"}})"));
        }
    })
}

fn value_to_json(value: &SqlValue) -> serde_json::Value {
    match value {
        SqlValue::Null => serde_json::Value::Null,
        SqlValue::Boolean(b) => (*b).into(),
        SqlValue::Integer(i) => (*i).into(),
        SqlValue::Double(d) => (*d).into(),
        SqlValue::Text(t) => t.clone().into(),
        SqlValue::Blob(b) => serde_json::json!({ "hex": hex::encode(b) }),
    }
}

/// Equal values; an integer and a double are equal when numerically so.
fn same_value(a: &SqlValue, b: &SqlValue) -> bool {
    match (a, b) {
        (SqlValue::Integer(i), SqlValue::Double(d)) | (SqlValue::Double(d), SqlValue::Integer(i)) => *i as f64 == *d,
        _ => a == b,
    }
}

/// Whitespace runs collapsed, trailing `;` dropped.
fn normalize_statement(statement: &str) -> String {
    let joined = statement.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.trim_end_matches(';').trim_end().to_string()
}

/// Scheme, host, port and path: the part of a URL fixtures match exactly.
fn base_of(url: &Url) -> String {
    let mut base = url.clone();
    base.set_query(None);
    base.set_fragment(None);
    base.to_string()
}

/// `%XX` sequences decoded (lossy UTF-8), so `a%3Ab` and `a:b` compare equal.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `*` matches any run of characters (including none); all else is literal.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().expect("split yields at least one part");
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

/// One HTTP request the plugin made, as the runner reports it. Headers are
/// left out: the host's credentials must not reach a report.
#[derive(Debug, Clone, Serialize)]
pub struct HttpExchange {
    pub method: String,
    pub url: String,
    /// The answering fixture file; `None` for a miss.
    pub fixture: Option<String>,
    pub status: Option<u16>,
}

/// One SQL query the plugin made.
#[derive(Debug, Clone, Serialize)]
pub struct SqlExchange {
    pub statement: String,
    pub params: Vec<serde_json::Value>,
    pub fixture: Option<String>,
    pub rows: Option<usize>,
}

/// What the plugin asked for during one run, and the first miss.
#[derive(Debug, Default)]
pub struct Journal {
    pub http: Vec<HttpExchange>,
    pub sql: Vec<SqlExchange>,
    pub miss: Option<String>,
}

/// Answers HTTP from fixtures, never from the network.
pub struct ReplayTransport {
    fixtures: Arc<Fixtures>,
    journal: Arc<Mutex<Journal>>,
}

impl ReplayTransport {
    pub fn new(fixtures: Arc<Fixtures>, journal: Arc<Mutex<Journal>>) -> Self {
        ReplayTransport { fixtures, journal }
    }
}

#[async_trait::async_trait]
impl HttpTransport for ReplayTransport {
    async fn send(&self, request: TransportRequest) -> Result<IncomingResponse, HttpFailure> {
        let method = request.method.as_str().to_string();
        let found = self.fixtures.match_http(&method, &request.url);
        let mut journal = self.journal.lock().expect("journal lock poisoned");
        journal.http.push(HttpExchange {
            method: method.clone(),
            url: request.url.to_string(),
            fixture: found.map(|f| f.file.clone()),
            status: found.map(|f| f.response.status),
        });
        match found {
            Some(fixture) => {
                let response = fixture.response.clone();
                if response.body.len() as u64 > request.max_response_bytes {
                    return Err(HttpFailure::TooLarge(request.max_response_bytes));
                }
                Ok(response)
            }
            None => {
                let why = self.fixtures.http_miss(&method, &request.url);
                journal.miss.get_or_insert(why);
                Err(HttpFailure::Transport(format!("no recorded fixture for {method} {} (local runner)", request.url)))
            }
        }
    }
}

/// Answers SQL from fixtures, never from a database.
pub struct ReplaySql {
    fixtures: Arc<Fixtures>,
    journal: Arc<Mutex<Journal>>,
}

impl ReplaySql {
    pub fn new(fixtures: Arc<Fixtures>, journal: Arc<Mutex<Journal>>) -> Self {
        ReplaySql { fixtures, journal }
    }
}

#[async_trait::async_trait]
impl SqlExecutor for ReplaySql {
    async fn query(&self, statement: &str, params: Vec<SqlValue>) -> Result<SqlRows, SqlFailure> {
        let found = self.fixtures.match_sql(statement, &params);
        let mut journal = self.journal.lock().expect("journal lock poisoned");
        journal.sql.push(SqlExchange {
            statement: normalize_statement(statement),
            params: params.iter().map(value_to_json).collect(),
            fixture: found.map(|f| f.file.clone()),
            rows: found.map(|f| f.rows.rows.len()),
        });
        match found {
            Some(fixture) => Ok(fixture.rows.clone()),
            None => {
                let why = self.fixtures.sql_miss(statement, &params);
                journal.miss.get_or_insert(why);
                Err(SqlFailure::Database("no recorded fixture for this query (local runner)".into()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(file: &str, json: serde_json::Value) -> HttpFixture {
        parse_http(file, &json.to_string()).expect("valid fixture")
    }

    fn fixtures(http: Vec<HttpFixture>) -> Fixtures {
        Fixtures { dir: None, http, sql: vec![] }
    }

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn globs_match_any_run_of_characters() {
        assert!(glob("page=1&per_page=*", "page=1&per_page=50"));
        assert!(glob("page=1*", "page=1"));
        assert!(glob("*since=*&page=2", "a=1&since=x&page=2"));
        assert!(!glob("page=1&per_page=*", "page=2&per_page=50"));
        assert!(!glob("a*b*c", "a-c"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
    }

    #[test]
    fn exact_urls_win_over_wildcards_and_queries_compare_decoded() {
        let set = fixtures(vec![
            http("http/a-wild.json", serde_json::json!({"request": {"url": "https://API.shop.example/v1/p?page=*"}, "response": {"body": {"w": 1}}})),
            http(
                "http/b-exact.json",
                serde_json::json!({"request": {"method": "get", "url": "https://api.shop.example/v1/p?page=2&since=2026-01-01T00:00:00Z"}, "response": {"status": 200, "body": {"e": 1}}}),
            ),
            http("http/c-plain.json", serde_json::json!({"request": {"url": "https://api.shop.example/v1/shop"}, "response": {"body": "pong"}})),
        ]);
        let exact = set.match_http("GET", &url("https://api.shop.example/v1/p?page=2&since=2026-01-01T00%3A00%3A00Z")).unwrap();
        assert_eq!(exact.file, "http/b-exact.json");
        let wild = set.match_http("GET", &url("https://api.shop.example/v1/p?page=3")).unwrap();
        assert_eq!(wild.file, "http/a-wild.json");
        assert_eq!(wild.response.body, br#"{"w":1}"#);
        assert!(wild.response.headers.contains(&("content-type".into(), "application/json".into())));
        let plain = set.match_http("GET", &url("https://api.shop.example/v1/shop")).unwrap();
        assert_eq!(plain.response.body, b"pong");
        // Method, path and a query where none was recorded all matter.
        assert!(set.match_http("POST", &url("https://api.shop.example/v1/shop")).is_none());
        assert!(set.match_http("GET", &url("https://api.shop.example/v1/shop?x=1")).is_none());
        assert!(set.match_http("GET", &url("https://api.shop.example/v1/p")).is_none());
        assert!(set.match_http("GET", &url("https://api.shop.example/v2/p?page=1")).is_none());
        assert_eq!(set.http_hosts(), vec!["api.shop.example".to_string()]);
    }

    #[test]
    fn misses_name_the_request_and_every_fixture_file() {
        let set = fixtures(vec![http("http/shop.json", serde_json::json!({"request": {"url": "https://api.shop.example/v1/shop"}, "response": {}}))]);
        let text = set.http_miss("GET", &url("https://api.shop.example/v1/orders/9"));
        assert!(text.contains("GET https://api.shop.example/v1/orders/9"), "{text}");
        assert!(text.contains("http/shop.json  GET https://api.shop.example/v1/shop"), "{text}");
        assert!(text.contains("--fixtures"), "{text}");
    }

    #[test]
    fn malformed_fixtures_are_refused_naming_the_file() {
        for (json, needle) in [
            (r#"{"request": {"url": "https://x/*/p"}, "response": {}}"#, "only allowed in the query"),
            (r#"{"request": {"url": "not a url"}, "response": {}}"#, "is not a URL"),
            (r#"{"request": {"url": "https://x/"}, "respons": {}}"#, "unknown field"),
        ] {
            let error = parse_http("http/bad.json", json).unwrap_err().to_string();
            assert!(error.contains("http/bad.json") && error.contains(needle), "{error}");
        }
        let error = parse_sql("sql/bad.json", r#"{"statement": "select 1", "rows": {"columns": ["a", "b"], "rows": [[1]]}}"#).unwrap_err().to_string();
        assert!(error.contains("sql/bad.json") && error.contains("1 values for 2 columns"), "{error}");
    }

    #[tokio::test]
    async fn sql_replays_by_statement_and_params_and_journals_misses() {
        let fixture = parse_sql(
            "sql/stock.json",
            r#"{"statement": "SELECT sku, qty\n  FROM stock WHERE sku = ? AND ratio > ?;",
                "params": ["SKU-1", 0.5],
                "rows": {"columns": ["sku", "qty", "raw"], "rows": [["SKU-1", 3, {"hex": "00ff"}]]}}"#,
        )
        .unwrap();
        let set = Arc::new(Fixtures { dir: None, http: vec![], sql: vec![fixture] });
        let journal = Arc::new(Mutex::new(Journal::default()));
        let sql = ReplaySql::new(set, journal.clone());
        let rows =
            sql.query("SELECT sku, qty FROM stock WHERE sku = ? AND ratio > ?", vec![SqlValue::Text("SKU-1".into()), SqlValue::Double(0.5)]).await.unwrap();
        assert_eq!(rows.columns, vec!["sku", "qty", "raw"]);
        assert_eq!(rows.rows[0], vec![SqlValue::Text("SKU-1".into()), SqlValue::Integer(3), SqlValue::Blob(vec![0, 255])]);
        let miss = sql.query("SELECT sku, qty FROM stock WHERE sku = ? AND ratio > ?", vec![SqlValue::Text("SKU-2".into()), SqlValue::Integer(1)]).await;
        assert!(matches!(miss, Err(SqlFailure::Database(_))));
        let journal = journal.lock().unwrap();
        assert_eq!(journal.sql.len(), 2);
        assert_eq!(journal.sql[0].fixture.as_deref(), Some("sql/stock.json"));
        assert_eq!(journal.sql[1].fixture, None);
        let why = journal.miss.as_deref().unwrap();
        assert!(why.contains(r#"["SKU-2",1]"#) && why.contains("sql/stock.json"), "{why}");
    }
}
