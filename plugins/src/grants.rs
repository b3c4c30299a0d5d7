//! What a store lets its connector reach. A plugin's manifest requests
//! capabilities; the store's configuration grants them; the plugin gets the
//! intersection. Nothing is ambient: no filesystem, sockets or environment.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A host capability a plugin can import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    Http,
    Sql,
    Log,
    Clock,
}

impl Capability {
    /// The WIT interface that carries this capability.
    pub fn interface(self) -> &'static str {
        match self {
            Capability::Http => "host-http",
            Capability::Sql => "host-sql",
            Capability::Log => "log",
            Capability::Clock => "clock",
        }
    }

    pub(crate) fn from_interface(name: &str) -> Option<Capability> {
        [Capability::Http, Capability::Sql, Capability::Log, Capability::Clock].into_iter().find(|c| c.interface() == name)
    }
}

/// A secret the host adds to requests. It never enters plugin memory, and its
/// `Debug` form is redacted so it does not reach logs either.
#[derive(Clone)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A host the plugin may call. `allow_private` lets this host resolve to a
/// private, loopback or link-local address (a store's own server in the same
/// network, or a test server); otherwise such addresses are refused.
#[derive(Debug, Clone)]
pub struct AllowedHost {
    /// Exact host name or IP literal, or `*.example.com` for subdomains.
    pub host: String,
    /// `None` allows any port.
    pub port: Option<u16>,
    pub allow_private: bool,
}

impl AllowedHost {
    pub fn public(host: impl Into<String>) -> Self {
        AllowedHost { host: host.into().to_ascii_lowercase(), port: None, allow_private: false }
    }

    pub fn private(host: impl Into<String>, port: Option<u16>) -> Self {
        AllowedHost { host: host.into().to_ascii_lowercase(), port, allow_private: true }
    }

    /// Whether a request to `host:port` (host in [`normalize_host`] form) is covered.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        self.matches_host(host) && self.port.is_none_or(|p| p == port)
    }

    pub fn matches_host(&self, host: &str) -> bool {
        match self.host.strip_prefix("*.") {
            Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(suffix) && host.as_bytes()[host.len() - suffix.len() - 1] == b'.',
            None => self.host == host,
        }
    }
}

/// Where a credential may go: one scheme, host and port, compared exactly.
/// Written `https://api.shop.example`, `api.shop.example` (https, port 443)
/// or with an explicit port (`https://api.shop.example:8443`). Host names are
/// lowercased, in punycode, without a trailing dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `https`, or `http` for a private host the store explicitly allows
    /// plain HTTP to.
    pub scheme: String,
    pub host: String,
    pub port: u16,
}

impl Origin {
    /// Parses an origin as written in a store's configuration. The error
    /// says what is wrong and what is expected.
    pub fn parse(text: &str) -> Result<Origin, String> {
        let trimmed = text.trim();
        let with_scheme = if trimmed.contains("://") { trimmed.to_string() } else { format!("https://{trimmed}") };
        let url = reqwest::Url::parse(&with_scheme).map_err(|e| format!("`{text}` is not an origin like https://api.shop.example ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("`{text}`: the scheme must be https (or http for a private host)"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("`{text}`: no user or password in the origin; put secrets in the environment"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(format!("`{text}`: an origin is scheme, host and port only, without a path"));
        }
        if trimmed.contains('*') {
            return Err(format!("`{text}`: a credential goes to one host, not a wildcard"));
        }
        Origin::of(&url).ok_or_else(|| format!("`{text}` has no host"))
    }

    /// The origin of a URL the plugin asked for (`None` without a host or
    /// a known default port).
    pub fn of(url: &reqwest::Url) -> Option<Origin> {
        let host = normalize_host(url.host_str()?);
        Some(Origin { scheme: url.scheme().to_string(), host, port: url.port_or_known_default()? })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "{}://[{}]:{}", self.scheme, self.host, self.port)
        } else {
            write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
        }
    }
}

/// The form host names are compared in: lowercase, IPv6 without brackets,
/// without the trailing dot of a fully-qualified name (`shop.example.` and
/// `shop.example` are the same host).
pub(crate) fn normalize_host(host: &str) -> String {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    match host.strip_suffix('.') {
        Some(stripped) if !stripped.is_empty() => stripped.to_string(),
        _ => host,
    }
}

/// A header the host adds to requests to exactly one origin. It is dropped
/// on every hop whose scheme, host or port differs, and after any redirect
/// that leaves the origin of the plugin's request.
#[derive(Debug, Clone)]
pub struct Credential {
    pub origin: Origin,
    /// Lowercase header name.
    pub header: String,
    pub value: Secret,
}

impl Credential {
    /// `header: value` (the value with its prefix, e.g. `Bearer ...`).
    pub fn header(origin: Origin, header: &str, value: Secret) -> Credential {
        Credential { origin, header: header.trim().to_ascii_lowercase(), value }
    }

    /// HTTP Basic authentication: the host encodes `username:password`, so
    /// neither ever enters the plugin.
    pub fn basic(origin: Origin, username: &Secret, password: &Secret) -> Credential {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", username.expose(), password.expose()));
        Credential { origin, header: "authorization".into(), value: Secret::new(format!("Basic {encoded}")) }
    }
}

/// The HTTP capability as granted to one store's connector.
#[derive(Debug, Clone)]
pub struct HttpGrant {
    pub allowed_hosts: Vec<AllowedHost>,
    pub credentials: Vec<Credential>,
    pub max_response_bytes: u64,
    pub max_redirects: u8,
    pub request_timeout: Duration,
}

impl Default for HttpGrant {
    fn default() -> Self {
        HttpGrant {
            allowed_hosts: Vec::new(),
            credentials: Vec::new(),
            max_response_bytes: 8 * 1024 * 1024,
            max_redirects: 5,
            request_timeout: Duration::from_secs(20),
        }
    }
}

/// A value bound to a SQL parameter or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Boolean(bool),
    Integer(i64),
    Double(f64),
    Text(String),
    Blob(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SqlRows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SqlFailure {
    Denied(String),
    InvalidQuery(String),
    Database(String),
    Timeout,
}

/// The store's read-only database behind `host-sql`. An implementation binds
/// parameters, enforces read-only access and caps rows and bytes;
/// [`crate::sql::SqlGate`] is the one for PostgreSQL and MySQL/MariaDB. The
/// plugin never sees a connection string.
#[async_trait::async_trait]
pub trait SqlExecutor: Send + Sync {
    async fn query(&self, statement: &str, params: Vec<SqlValue>) -> Result<SqlRows, SqlFailure>;
}

/// Everything one store grants its connector.
#[derive(Clone, Default)]
pub struct StoreGrants {
    pub http: Option<HttpGrant>,
    pub sql: Option<Arc<dyn SqlExecutor>>,
    pub log: bool,
    pub clock: bool,
}

impl StoreGrants {
    pub fn granted(&self) -> BTreeSet<Capability> {
        let mut set = BTreeSet::new();
        if self.http.is_some() {
            set.insert(Capability::Http);
        }
        if self.sql.is_some() {
            set.insert(Capability::Sql);
        }
        if self.log {
            set.insert(Capability::Log);
        }
        if self.clock {
            set.insert(Capability::Clock);
        }
        set
    }
}

impl fmt::Debug for StoreGrants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreGrants").field("http", &self.http).field("sql", &self.sql.is_some()).field("log", &self.log).field("clock", &self.clock).finish()
    }
}
