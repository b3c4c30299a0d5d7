//! A load generator for chatgw over real HTTP/1.1: each target gets exactly
//! its number of connections, kept alive (or closed after every request),
//! with one request in flight per connection, and reports turns per second
//! and latency percentiles of whole responses (an SSE turn read to its end).
//! It only talks to loopback addresses: it is a benchmark, not a flood tool.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, Uri};
use hyper_util::rt::TokioIo;
use serde::Serialize;

/// Longest run accepted, warm-up included.
pub const MAX_DURATION: Duration = Duration::from_secs(600);
/// Most connections per target.
pub const MAX_CONNECTIONS: usize = 1024;
/// Largest response body read; a longer one counts as an error.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Shopper messages for the demo store, in its two languages; requests
/// cycle through them so no layer can answer from a cache of one message.
pub const DEMO_MESSAGES: &[&str] = &[
    "linen shirt for a summer wedding",
    "do you have the Sitges linen shirt in size M?",
    "¿tenéis pantalones de lino en talla 30?",
    "something light to wear on the beach in August",
    "what is the price of the Cadaqués linen shirt?",
    "a smart outfit for a christening",
    "camisa blanca para una boda de verano",
    "which trousers go with a white linen shirt?",
    "is shipping free to Madrid?",
    "a gift for my father, he likes sailing",
    "sky blue shirt, relaxed fit",
    "¿cuánto cuesta el envío a Valencia?",
    "sand coloured trousers for the office",
    "what can I wear to a long lunch in the sun?",
    "do you have anything in XXL?",
    "ropa cómoda para un viaje en tren",
];

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("`{0}` is not a URL this tool can use: give http://127.0.0.1:PORT/path (plain HTTP, loopback only)")]
    BadUrl(String),
    #[error("`{0}` is not a loopback address: this tool only loads a gateway on this machine (127.0.0.0/8, ::1 or localhost)")]
    NotLoopback(String),
    #[error("target `{spec}`: {why}")]
    BadTarget { spec: String, why: String },
    #[error("{0}")]
    Invalid(String),
}

/// The address a URL points to, refusing anything that is not loopback.
/// `localhost` is taken as 127.0.0.1 without asking a resolver.
pub fn loopback_addr(uri: &Uri) -> Result<SocketAddr, LoadError> {
    let text = uri.to_string();
    if uri.scheme_str() != Some("http") {
        return Err(LoadError::BadUrl(text));
    }
    let host = uri.host().ok_or_else(|| LoadError::BadUrl(text.clone()))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse().map_err(|_| LoadError::NotLoopback(text.clone()))?
    };
    let loopback = match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        // An IPv4-mapped loopback (::ffff:127.0.0.1) is loopback too.
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    };
    if !loopback {
        return Err(LoadError::NotLoopback(text));
    }
    Ok(SocketAddr::new(ip, uri.port_u16().unwrap_or(80)))
}

/// One group of shoppers (or probes) hitting one URL with its own
/// concurrency, reported on its own.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub uri: Uri,
    pub addr: SocketAddr,
    pub connections: usize,
    pub headers: Vec<(String, String)>,
    /// JSON body template (`{message}` and `{n}` are filled in); GET without one.
    pub body: Option<String>,
    /// A 200 response counts as a success only if its body contains this.
    pub expect: Option<String>,
    /// Send `Connection: close` and open a new connection for every request.
    pub close: bool,
    /// Turns sent in one conversation before a new one starts (1 = every
    /// turn starts a conversation); later turns carry the `session_id` the
    /// gateway announced.
    pub session_turns: usize,
}

impl Target {
    pub fn new(name: &str, url: &str) -> Result<Self, LoadError> {
        let uri: Uri = url.parse().map_err(|_| LoadError::BadUrl(url.to_owned()))?;
        let addr = loopback_addr(&uri)?;
        Ok(Self { name: name.to_owned(), uri, addr, connections: 1, headers: Vec::new(), body: None, expect: None, close: false, session_turns: 1 })
    }

    /// Parses `name,url=URL,c=N,key=K,header=Name: value,body=TEMPLATE,expect=S,close,session-turns=N`.
    /// Values cannot hold commas; `body` must come last and takes the rest.
    pub fn parse(spec: &str) -> Result<Self, LoadError> {
        let bad = |why: &str| LoadError::BadTarget { spec: spec.to_owned(), why: why.to_owned() };
        let (head, body) = match spec.find(",body=") {
            Some(at) => (&spec[..at], Some(spec[at + ",body=".len()..].to_owned())),
            None => (spec, None),
        };
        let mut parts = head.split(',');
        let name = parts.next().filter(|n| !n.is_empty() && !n.contains('=')).ok_or_else(|| bad("start with a name, e.g. `shoppers,url=...`"))?;
        let mut fields: Vec<(&str, &str)> = Vec::new();
        for part in parts {
            match part.split_once('=') {
                Some((k, v)) => fields.push((k.trim(), v)),
                None if part.trim() == "close" => fields.push(("close", "")),
                None => return Err(bad(&format!("`{part}` is not key=value"))),
            }
        }
        let url = fields.iter().find(|(k, _)| *k == "url").map(|(_, v)| *v).ok_or_else(|| bad("missing url=..."))?;
        let mut target = Target::new(name, url)?;
        target.body = body;
        for (key, value) in fields {
            match key {
                "url" => {}
                "c" | "connections" => target.connections = value.parse().map_err(|_| bad("c must be a number of connections"))?,
                "key" => target.headers.push(("x-store-key".into(), value.to_owned())),
                "header" => target.headers.push(parse_header(value).map_err(|e| bad(&e.to_string()))?),
                "expect" => target.expect = Some(value.to_owned()),
                "close" => target.close = true,
                "session-turns" => target.session_turns = value.parse().map_err(|_| bad("session-turns must be a number"))?,
                other => return Err(bad(&format!("unknown key `{other}` (url, c, key, header, expect, close, session-turns, body)"))),
            }
        }
        target.check()?;
        Ok(target)
    }

    pub fn check(&self) -> Result<(), LoadError> {
        if self.connections == 0 || self.connections > MAX_CONNECTIONS {
            return Err(LoadError::Invalid(format!("target `{}`: connections must be 1..={MAX_CONNECTIONS}", self.name)));
        }
        if self.session_turns == 0 {
            return Err(LoadError::Invalid(format!("target `{}`: session-turns must be at least 1", self.name)));
        }
        Ok(())
    }
}

/// `Name: value` as a header pair.
pub fn parse_header(text: &str) -> Result<(String, String), LoadError> {
    let (name, value) = text.split_once(':').ok_or_else(|| LoadError::Invalid(format!("header `{text}` is not `Name: value`")))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(LoadError::Invalid(format!("header `{text}` has no name")));
    }
    Ok((name.to_ascii_lowercase(), value.trim().to_owned()))
}

/// How long to run: a warm-up whose results are dropped, then either a
/// measured duration or a number of requests per target (whichever ends first).
#[derive(Debug, Clone, Copy)]
pub struct RunPlan {
    pub warmup: Duration,
    pub duration: Duration,
    pub requests: Option<u64>,
}

impl RunPlan {
    pub fn check(&self) -> Result<(), LoadError> {
        if self.duration.is_zero() || self.warmup + self.duration > MAX_DURATION {
            return Err(LoadError::Invalid(format!("warm-up plus duration must be between 0 and {} s", MAX_DURATION.as_secs())));
        }
        Ok(())
    }
}

/// What one target measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TargetReport {
    pub name: String,
    pub url: String,
    pub connections: usize,
    pub keep_alive: bool,
    pub ok: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Time to the first `event: token` of a chat answer (what the shopper
    /// waits before words appear), over the answers that had one.
    pub ttft_p50_ms: f64,
    pub ttft_p99_ms: f64,
    /// Responses with status 429 (rate limited).
    pub rate_limited: u64,
    /// Other non-200 statuses.
    pub bad_status: u64,
    /// 200 responses without the expected text (a turn that never said `done`).
    pub bad_body: u64,
    /// Connect, write or read failures.
    pub io_errors: u64,
    /// Connections opened during the measured window (keep-alive: ideally 0
    /// after warm-up; close: one per request).
    pub connects: u64,
    pub seconds: f64,
}

#[derive(Debug, Default)]
struct Tally {
    latencies_us: Vec<u64>,
    first_token_us: Vec<u64>,
    rate_limited: u64,
    bad_status: u64,
    bad_body: u64,
    io_errors: u64,
    connects: u64,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        self.first_token_us.extend(other.first_token_us);
        self.rate_limited += other.rate_limited;
        self.bad_status += other.bad_status;
        self.bad_body += other.bad_body;
        self.io_errors += other.io_errors;
        self.connects += other.connects;
    }
}

/// The `q`-quantile (0..=1) of sorted values, nearest rank, in milliseconds.
pub fn quantile_ms(sorted_us: &[u64], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted_us.len() as f64).ceil() as usize).clamp(1, sorted_us.len());
    sorted_us[rank - 1] as f64 / 1000.0
}

enum Outcome {
    Ok,
    RateLimited,
    BadStatus,
    BadBody,
}

struct Connection {
    sender: SendRequest<Full<Bytes>>,
}

async fn connect(addr: SocketAddr) -> std::io::Result<Connection> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    // Browsers and load balancers turn Nagle off too; measure the server.
    tcp.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await.map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(Connection { sender })
}

/// The `session_id` of a turn's `session` event.
fn announced_session(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line == "event: session" {
            let data = lines.next()?.strip_prefix("data:")?.trim();
            let value: serde_json::Value = serde_json::from_str(data).ok()?;
            return value.get("session_id")?.as_str().map(str::to_owned);
        }
    }
    None
}

/// Fills the body template: `{message}` (JSON-escaped, from the list) and
/// `{n}`; adds `session_id` to a JSON object body when continuing a conversation.
pub fn render_body(template: &str, n: u64, messages: &[String], session: Option<&str>) -> String {
    let message = messages.get(n as usize % messages.len().max(1)).map(String::as_str).unwrap_or("hello");
    let escaped = serde_json::to_string(message).unwrap_or_default();
    // Only the enclosing quotes: the message may end in an escaped one.
    let escaped = escaped.strip_prefix('"').and_then(|e| e.strip_suffix('"')).unwrap_or_default();
    let body = template.replace("{message}", escaped).replace("{n}", &n.to_string());
    match session {
        Some(id) => match serde_json::from_str::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Object(mut map)) => {
                map.insert("session_id".into(), serde_json::Value::String(id.to_owned()));
                serde_json::Value::Object(map).to_string()
            }
            _ => body,
        },
        None => body,
    }
}

/// What one request gave.
struct Sent {
    outcome: Outcome,
    session: Option<String>,
    first_token: Option<Duration>,
}

/// The whole body (at most [`MAX_BODY_BYTES`]), and when after `started`
/// its first `event: token` line had arrived.
async fn read_body(mut body: hyper::body::Incoming, started: Instant) -> Result<(Vec<u8>, Option<Duration>), std::io::Error> {
    const TOKEN: &[u8] = b"event: token";
    let mut bytes = Vec::new();
    let mut first_token = None;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(std::io::Error::other)?.into_data() else { continue };
        // Only the new bytes and the tail an event name could straddle are searched.
        let from = bytes.len().saturating_sub(TOKEN.len() - 1);
        bytes.extend_from_slice(&data);
        if bytes.len() > MAX_BODY_BYTES {
            return Err(std::io::Error::other(format!("response body over {MAX_BODY_BYTES} bytes")));
        }
        if first_token.is_none() && bytes[from..].windows(TOKEN.len()).any(|w| w == TOKEN) {
            first_token = Some(started.elapsed());
        }
    }
    Ok((bytes, first_token))
}

struct Worker {
    target: Arc<Target>,
    messages: Arc<Vec<String>>,
    index: u64,
}

impl Worker {
    /// One request: its outcome, the session it announced, and when (after
    /// `started`) its first `event: token` arrived.
    async fn send(&self, conn: &mut Connection, n: u64, session: Option<&str>, started: Instant) -> Result<Sent, std::io::Error> {
        let target = &self.target;
        let method = if target.body.is_some() { Method::POST } else { Method::GET };
        let authority = target.uri.authority().map(|a| a.as_str().to_owned()).unwrap_or_else(|| target.addr.to_string());
        let path = target.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
        let mut request = Request::builder().method(method).uri(path).header("host", authority);
        for (name, value) in &target.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if target.close {
            request = request.header("connection", "close");
        }
        let body = match &target.body {
            Some(template) => {
                request = request.header("content-type", "application/json");
                Bytes::from(render_body(template, n, &self.messages, session))
            }
            None => Bytes::new(),
        };
        let request = request.body(Full::new(body)).map_err(std::io::Error::other)?;
        conn.sender.ready().await.map_err(std::io::Error::other)?;
        let response = conn.sender.send_request(request).await.map_err(std::io::Error::other)?;
        let status = response.status();
        let (body, first_token) = read_body(response.into_body(), started).await?;
        let outcome = |outcome| Sent { outcome, session: None, first_token: None };
        if status.as_u16() == 429 {
            return Ok(outcome(Outcome::RateLimited));
        }
        if status.as_u16() != 200 {
            return Ok(outcome(Outcome::BadStatus));
        }
        if let Some(expect) = &target.expect
            && !body.windows(expect.len()).any(|w| w == expect.as_bytes())
        {
            return Ok(outcome(Outcome::BadBody));
        }
        Ok(Sent { outcome: Outcome::Ok, session: announced_session(&body), first_token })
    }

    async fn run(self, measure_from: Instant, until: Instant, quota: Option<Arc<std::sync::atomic::AtomicU64>>) -> Tally {
        let mut tally = Tally::default();
        let mut conn: Option<Connection> = None;
        let mut session: Option<String> = None;
        let mut session_turns = 0usize;
        let mut n = self.index;
        loop {
            let started = Instant::now();
            if started >= until {
                break;
            }
            let measured = started >= measure_from;
            if measured
                && let Some(quota) = &quota
                && quota.fetch_update(std::sync::atomic::Ordering::Relaxed, std::sync::atomic::Ordering::Relaxed, |left| left.checked_sub(1)).is_err()
            {
                break;
            }
            let mut open = match conn.take() {
                Some(c) if !self.target.close => c,
                _ => match connect(self.target.addr).await {
                    Ok(c) => {
                        if measured {
                            tally.connects += 1;
                        }
                        c
                    }
                    Err(_) => {
                        if measured {
                            tally.io_errors += 1;
                        }
                        // Do not spin on a refused port.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                },
            };
            if session_turns >= self.target.session_turns {
                session = None;
                session_turns = 0;
            }
            let result = self.send(&mut open, n, session.as_deref(), started).await;
            let elapsed = started.elapsed();
            n += self.target.connections as u64;
            match result {
                Ok(Sent { outcome, session: announced, first_token }) => {
                    if !self.target.close {
                        conn = Some(open);
                    }
                    if measured {
                        match outcome {
                            Outcome::Ok => {
                                tally.latencies_us.push(elapsed.as_micros() as u64);
                                tally.first_token_us.extend(first_token.map(|t| t.as_micros() as u64));
                            }
                            Outcome::RateLimited => tally.rate_limited += 1,
                            Outcome::BadStatus => tally.bad_status += 1,
                            Outcome::BadBody => tally.bad_body += 1,
                        }
                    }
                    session_turns += 1;
                    if session.is_none() {
                        session = announced;
                    }
                }
                Err(_) => {
                    if measured {
                        tally.io_errors += 1;
                    }
                }
            }
        }
        tally
    }
}

/// Runs every target at once for the plan and reports each separately.
pub async fn run(targets: Vec<Target>, plan: RunPlan, messages: Vec<String>) -> Result<Vec<TargetReport>, LoadError> {
    plan.check()?;
    for target in &targets {
        target.check()?;
    }
    let messages = Arc::new(if messages.is_empty() { DEMO_MESSAGES.iter().map(|m| (*m).to_owned()).collect() } else { messages });
    let start = Instant::now();
    let measure_from = start + plan.warmup;
    let until = measure_from + plan.duration;
    let mut groups = Vec::new();
    for target in targets {
        let target = Arc::new(target);
        let quota = plan.requests.map(|r| Arc::new(std::sync::atomic::AtomicU64::new(r)));
        let workers: Vec<_> = (0..target.connections)
            .map(|i| {
                let worker = Worker { target: target.clone(), messages: messages.clone(), index: i as u64 };
                tokio::spawn(worker.run(measure_from, until, quota.clone()))
            })
            .collect();
        groups.push((target, workers));
    }
    let mut reports = Vec::new();
    for (target, workers) in groups {
        let mut tally = Tally::default();
        for worker in workers {
            tally.merge(worker.await.map_err(|e| LoadError::Invalid(format!("a connection task failed: {e}")))?);
        }
        // A request quota may end the run before the duration does.
        let seconds = match plan.requests {
            Some(_) => Instant::now().min(until).saturating_duration_since(measure_from).as_secs_f64().max(1e-3),
            None => plan.duration.as_secs_f64(),
        };
        tally.latencies_us.sort_unstable();
        tally.first_token_us.sort_unstable();
        let ok = tally.latencies_us.len() as u64;
        reports.push(TargetReport {
            name: target.name.clone(),
            url: target.uri.to_string(),
            connections: target.connections,
            keep_alive: !target.close,
            ok,
            per_second: ok as f64 / seconds,
            p50_ms: quantile_ms(&tally.latencies_us, 0.50),
            p90_ms: quantile_ms(&tally.latencies_us, 0.90),
            p99_ms: quantile_ms(&tally.latencies_us, 0.99),
            max_ms: quantile_ms(&tally.latencies_us, 1.0),
            ttft_p50_ms: quantile_ms(&tally.first_token_us, 0.50),
            ttft_p99_ms: quantile_ms(&tally.first_token_us, 0.99),
            rate_limited: tally.rate_limited,
            bad_status: tally.bad_status,
            bad_body: tally.bad_body,
            io_errors: tally.io_errors,
            connects: tally.connects,
            seconds,
        });
    }
    Ok(reports)
}

/// The reports as a plain-text table.
pub fn table(reports: &[TargetReport]) -> String {
    let mut out = format!(
        "{:<16} {:>5} {:>10} {:>8} {:>10} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>6} {:>6} {:>6} {:>6} {:>8}\n",
        "target", "conns", "mode", "ok", "per s", "p50 ms", "p90 ms", "p99 ms", "max ms", "ttft p50", "ttft p99", "429", "status", "body", "io", "connects"
    );
    for r in reports {
        out.push_str(&format!(
            "{:<16} {:>5} {:>10} {:>8} {:>10.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9.2} {:>9.2} {:>6} {:>6} {:>6} {:>6} {:>8}\n",
            r.name,
            r.connections,
            if r.keep_alive { "keep-alive" } else { "close" },
            r.ok,
            r.per_second,
            r.p50_ms,
            r.p90_ms,
            r.p99_ms,
            r.max_ms,
            r.ttft_p50_ms,
            r.ttft_p99_ms,
            r.rate_limited,
            r.bad_status,
            r.bad_body,
            r.io_errors,
            r.connects
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_are_accepted() {
        for url in ["http://127.0.0.1:8080/v1/chat", "http://localhost:8080/healthz", "http://[::1]:8080/", "http://127.3.4.5/"] {
            assert!(Target::new("t", url).is_ok(), "{url} is loopback");
        }
        for url in [
            "http://10.0.0.1:8080/v1/chat",
            "http://example.com/",
            "http://0.0.0.0:8080/",
            "http://[::]:80/",
            "http://192.168.1.2/",
            "http://127.0.0.1.nip.io/",
        ] {
            assert!(matches!(Target::new("t", url), Err(LoadError::NotLoopback(_))), "{url} must be refused");
        }
        assert!(matches!(Target::new("t", "https://127.0.0.1/"), Err(LoadError::BadUrl(_))));
        assert!(matches!(Target::parse("flood,c=4,url=http://203.0.113.9/v1/chat"), Err(LoadError::NotLoopback(_))));
    }

    #[test]
    fn target_specs_parse() {
        let t = Target::parse(r#"flood,c=64,key=pk_a,header=Origin: http://x,close,url=http://127.0.0.1:8080/v1/chat,body={"message":"{message}","a":1}"#)
            .expect("a valid spec");
        assert_eq!(t.name, "flood");
        assert_eq!(t.connections, 64);
        assert!(t.close);
        assert_eq!(t.headers, vec![("x-store-key".into(), "pk_a".into()), ("origin".into(), "http://x".into())]);
        assert_eq!(t.body.as_deref(), Some(r#"{"message":"{message}","a":1}"#));
        assert!(Target::parse("flood,c=0,url=http://127.0.0.1/").is_err());
        assert!(Target::parse("flood,nope=1,url=http://127.0.0.1/").is_err());
    }

    #[test]
    fn bodies_vary_and_carry_the_session() {
        let messages = vec!["say \"hi\"".to_owned(), "b".to_owned()];
        assert_eq!(render_body(r#"{"message":"{message} {n}"}"#, 0, &messages, None), r#"{"message":"say \"hi\" 0"}"#);
        assert_eq!(render_body(r#"{"message":"{message}"}"#, 1, &messages, None), r#"{"message":"b"}"#);
        let with_session: serde_json::Value = serde_json::from_str(&render_body(r#"{"message":"{message}"}"#, 1, &messages, Some("s1"))).expect("JSON body");
        assert_eq!(with_session["session_id"], "s1");
    }

    #[test]
    fn the_session_event_is_read() {
        let body = b"event: session\ndata: {\"session_id\":\"abc\"}\n\nevent: done\ndata: {}\n\n";
        assert_eq!(announced_session(body).as_deref(), Some("abc"));
        assert_eq!(announced_session(b"event: done\ndata: {}\n\n"), None);
    }

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(quantile_ms(&v, 0.5), 50.0);
        assert_eq!(quantile_ms(&v, 0.99), 99.0);
        assert_eq!(quantile_ms(&v, 1.0), 100.0);
        assert_eq!(quantile_ms(&[], 0.5), 0.0);
    }
}
