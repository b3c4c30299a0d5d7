//! Outgoing HTTP on a plugin's behalf. Every hop (the first request and each
//! redirect) is checked against the store's allow-list; names are resolved by
//! a resolver that refuses private, loopback and link-local addresses unless
//! that host is explicitly allowed to be private; credentials are added here,
//! so the plugin never holds them; response bodies are capped.
//!
//! The policy ([`HttpGate`]) is separate from the wire ([`HttpTransport`]):
//! the gateway sends over the network, the local runner replays recorded
//! fixtures, and both go through the same checks first.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{Url, header};

use crate::grants::{AllowedHost, HttpGrant, Secret};

/// A request as the plugin asked for it (contract-independent).
#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct IncomingResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpFailure {
    /// A policy refusal: the host records it and fails the call.
    Denied(String),
    InvalidRequest(String),
    Timeout,
    TooLarge(u64),
    Transport(String),
}

/// Headers a plugin may not set: hop-by-hop, or ones the host owns.
const RESERVED_HEADERS: &[&str] =
    &["host", "connection", "content-length", "transfer-encoding", "upgrade", "proxy-authorization", "te", "trailer", "keep-alive"];

/// One hop as the gate hands it to a transport: the URL has passed the
/// allow-list, reserved headers are gone, and the credentials for this host
/// are attached (their `Debug` form is redacted).
#[derive(Debug, Clone)]
pub struct TransportRequest {
    pub method: reqwest::Method,
    pub url: Url,
    /// Headers the plugin set.
    pub headers: Vec<(String, String)>,
    /// Headers the host adds for this host: send them, never log them.
    pub credentials: Vec<(String, Secret)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Duration,
    /// Read at most this many body bytes; over it, fail with
    /// [`HttpFailure::TooLarge`].
    pub max_response_bytes: u64,
}

impl TransportRequest {
    /// The plugin's headers followed by the credentials, as sent on the wire.
    pub fn wire_headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .chain(self.credentials.iter().map(|(name, secret)| (name.as_str(), secret.expose())))
    }
}

/// Carries one hop to the store and brings back its response. It does not
/// follow redirects: the gate does, so that every hop is checked.
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync {
    async fn send(&self, request: TransportRequest) -> Result<IncomingResponse, HttpFailure>;
}

/// The HTTP capability of one store's connector: the policy, and the
/// transport that carries the requests it lets through.
pub struct HttpGate {
    grant: HttpGrant,
    transport: Arc<dyn HttpTransport>,
}

impl std::fmt::Debug for HttpGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpGate").field("grant", &self.grant).finish()
    }
}

#[derive(Debug)]
struct ForbiddenAddress(String);

impl std::fmt::Display for ForbiddenAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ForbiddenAddress {}

/// Resolves names and drops the answer if any address is not public, unless
/// the host is allow-listed as private. Checking every address (not just the
/// first) defeats a name that mixes a public and a private answer.
struct GuardedResolver {
    allowed: Arc<Vec<AllowedHost>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allow_private = self.allowed.iter().any(|a| a.allow_private && a.matches_host(&host));
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
                return Err(
                    Box::new(ForbiddenAddress(format!("{host} resolves to non-public address {}", bad.ip()))) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// True for addresses on the public internet. Loopback, private (RFC 1918,
/// ULA), link-local (incl. cloud metadata at 169.254.169.254), CGNAT,
/// unspecified, multicast, documentation and benchmarking ranges are not.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg0 = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg0 & 0xfe00) == 0xfc00 // unique local
                || (seg0 & 0xffc0) == 0xfe80 // link-local
                || (seg0 == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || v6.segments()[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible
                && v6 != Ipv6Addr::UNSPECIFIED
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

impl HttpGate {
    /// A gate that sends over the network, resolving names with the
    /// address rules of `grant`.
    pub fn new(grant: HttpGrant) -> Result<Self, String> {
        let transport = NetworkTransport::new(&grant.allowed_hosts)?;
        Ok(HttpGate::with_transport(grant, Arc::new(transport)))
    }

    /// A gate with another transport (the runner's fixture replay, a test
    /// double). The allow-list, credential and size rules still apply.
    pub fn with_transport(grant: HttpGrant, transport: Arc<dyn HttpTransport>) -> Self {
        HttpGate { grant, transport }
    }

    /// Checks one hop against the allow-list and the address rules for IP
    /// literals (names are checked by the resolver at connect time).
    fn check_url(&self, url: &Url) -> Result<(), HttpFailure> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(HttpFailure::Denied(format!("scheme `{}` is not allowed", url.scheme())));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(HttpFailure::InvalidRequest("credentials in the URL are not allowed".into()));
        }
        let host = url
            .host_str()
            .ok_or_else(|| HttpFailure::InvalidRequest(format!("URL `{url}` has no host")))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let port = url.port_or_known_default().unwrap_or(0);
        let rule = self
            .grant
            .allowed_hosts
            .iter()
            .find(|a| a.matches(&host, port))
            .ok_or_else(|| HttpFailure::Denied(format!("host `{host}:{port}` is not allow-listed for this store")))?;
        if let Ok(ip) = host.parse::<IpAddr>()
            && !rule.allow_private
            && !is_public(ip)
        {
            return Err(HttpFailure::Denied(format!("address {ip} is private, loopback or link-local and not explicitly allowed")));
        }
        Ok(())
    }

    fn credentials_for(&self, url: &Url) -> Vec<(String, Secret)> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        self.grant
            .credentials
            .iter()
            .filter(|c| AllowedHost { host: c.host.to_ascii_lowercase(), port: None, allow_private: false }.matches_host(&host))
            .map(|c| (c.header.clone(), c.value.clone()))
            .collect()
    }

    /// Sends the request, following redirects by hand so each hop is checked.
    pub async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpFailure> {
        let mut url = Url::parse(&request.url).map_err(|e| HttpFailure::InvalidRequest(format!("bad URL `{}`: {e}", request.url)))?;
        let timeout = request.timeout.map_or(self.grant.request_timeout, |t| t.min(self.grant.request_timeout));
        let credential_names: Vec<String> = self.grant.credentials.iter().map(|c| c.header.to_ascii_lowercase()).collect();
        let headers: Vec<(String, String)> = request
            .headers
            .into_iter()
            .filter(|(name, _)| {
                let lower = name.to_ascii_lowercase();
                !RESERVED_HEADERS.contains(&lower.as_str()) && !credential_names.contains(&lower)
            })
            .collect();
        let mut method = request.method;
        let mut body = request.body;
        let mut hops = 0u8;
        loop {
            self.check_url(&url)?;
            let hop = TransportRequest {
                method: method.clone(),
                url: url.clone(),
                headers: headers.clone(),
                credentials: self.credentials_for(&url),
                body: body.clone(),
                timeout,
                max_response_bytes: self.grant.max_response_bytes,
            };
            let mut response = self.transport.send(hop).await?;
            let location = response.headers.iter().find(|(name, _)| name.eq_ignore_ascii_case(header::LOCATION.as_str())).map(|(_, value)| value.clone());
            if (300..400).contains(&response.status)
                && let Some(location) = location
            {
                hops += 1;
                if hops > self.grant.max_redirects {
                    return Err(HttpFailure::Denied(format!("more than {} redirects", self.grant.max_redirects)));
                }
                let next = url.join(&location).map_err(|e| HttpFailure::Transport(format!("bad redirect `{location}`: {e}")))?;
                self.check_url(&next).map_err(|e| match e {
                    HttpFailure::Denied(why) => HttpFailure::Denied(format!("redirect refused: {why}")),
                    other => other,
                })?;
                if response.status == 303 || (matches!(response.status, 301 | 302) && method == reqwest::Method::POST) {
                    method = reqwest::Method::GET;
                    body = None;
                }
                url = next;
                continue;
            }
            // Enforced here too, whatever the transport did.
            if response.body.len() as u64 > self.grant.max_response_bytes {
                return Err(HttpFailure::TooLarge(self.grant.max_response_bytes));
            }
            response.headers.retain(|(name, _)| !name.eq_ignore_ascii_case(header::SET_COOKIE.as_str()));
            return Ok(response);
        }
    }
}

/// The gateway's transport: reqwest over the network, without proxies or
/// automatic redirects, with a resolver that enforces the address rules.
struct NetworkTransport {
    client: reqwest::Client,
}

impl NetworkTransport {
    fn new(allowed_hosts: &[AllowedHost]) -> Result<Self, String> {
        let resolver = GuardedResolver { allowed: Arc::new(allowed_hosts.to_vec()) };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .user_agent("chatgw-connector/1")
            .build()
            .map_err(|e| format!("cannot build HTTP client: {e}"))?;
        Ok(NetworkTransport { client })
    }
}

#[async_trait::async_trait]
impl HttpTransport for NetworkTransport {
    async fn send(&self, request: TransportRequest) -> Result<IncomingResponse, HttpFailure> {
        let mut builder = self.client.request(request.method.clone(), request.url.clone()).timeout(request.timeout);
        for (name, value) in request.wire_headers() {
            builder = builder.header(name, value);
        }
        if let Some(bytes) = &request.body {
            builder = builder.body(bytes.clone());
        }
        let mut response = builder.send().await.map_err(classify)?;
        let cap = request.max_response_bytes;
        if let Some(len) = response.content_length()
            && len > cap
        {
            return Err(HttpFailure::TooLarge(cap));
        }
        let status = response.status().as_u16();
        let headers = response.headers().iter().map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned())).collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(HttpFailure::TooLarge(cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(IncomingResponse { status, headers, body })
    }
}

fn classify(error: reqwest::Error) -> HttpFailure {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(e) = source {
        if let Some(forbidden) = e.downcast_ref::<ForbiddenAddress>() {
            return HttpFailure::Denied(forbidden.0.clone());
        }
        source = e.source();
    }
    if error.is_timeout() {
        HttpFailure::Timeout
    } else {
        // Without the URL: it is the plugin's own and adds nothing.
        HttpFailure::Transport(error.without_url().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_metadata_ranges_are_not_public() {
        for ip in
            ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1"]
        {
            assert!(!is_public(ip.parse().unwrap()), "{ip} must not be public");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} is public");
        }
    }

    /// URL and wire headers of each hop that reached the transport.
    type Seen = Vec<(String, Vec<(String, String)>)>;

    /// Answers from a script and records what reached it.
    struct Scripted {
        answers: std::sync::Mutex<Vec<IncomingResponse>>,
        seen: std::sync::Mutex<Seen>,
    }

    impl Scripted {
        fn new(mut answers: Vec<IncomingResponse>) -> Arc<Self> {
            answers.reverse();
            Arc::new(Scripted { answers: std::sync::Mutex::new(answers), seen: std::sync::Mutex::new(Vec::new()) })
        }
    }

    #[async_trait::async_trait]
    impl HttpTransport for Scripted {
        async fn send(&self, request: TransportRequest) -> Result<IncomingResponse, HttpFailure> {
            let headers = request.wire_headers().map(|(n, v)| (n.to_string(), v.to_string())).collect();
            self.seen.lock().unwrap().push((request.url.to_string(), headers));
            self.answers.lock().unwrap().pop().ok_or_else(|| HttpFailure::Transport("script exhausted".into()))
        }
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> IncomingResponse {
        IncomingResponse { status, headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(), body: body.as_bytes().to_vec() }
    }

    fn get(url: &str, headers: &[(&str, &str)]) -> OutgoingRequest {
        OutgoingRequest {
            method: reqwest::Method::GET,
            url: url.into(),
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: None,
            timeout: None,
        }
    }

    fn gate(transport: Arc<Scripted>) -> HttpGate {
        HttpGate::with_transport(
            HttpGrant {
                allowed_hosts: vec![AllowedHost::public("api.shop.example"), AllowedHost::public("cdn.shop.example")],
                credentials: vec![crate::grants::Credential {
                    host: "api.shop.example".into(),
                    header: "authorization".into(),
                    value: Secret::new("Bearer s3cret"),
                }],
                max_response_bytes: 16,
                ..HttpGrant::default()
            },
            transport,
        )
    }

    #[tokio::test]
    async fn the_gate_checks_before_any_transport_and_adds_credentials_per_host() {
        let transport = Scripted::new(vec![
            answer(302, &[("Location", "https://cdn.shop.example/p.json")], ""),
            answer(200, &[("Set-Cookie", "a=b"), ("X-Total", "1")], "{}"),
        ]);
        let gate = gate(transport.clone());

        let refused = gate.send(get("https://evil.example/x", &[])).await;
        assert!(matches!(refused, Err(HttpFailure::Denied(why)) if why.contains("evil.example")));
        assert!(transport.seen.lock().unwrap().is_empty(), "refused before the transport");

        // The plugin's own Authorization and reserved headers are dropped; the
        // credential goes to its host only, not across the redirect.
        let response =
            gate.send(get("https://api.shop.example/p", &[("Authorization", "forged"), ("Host", "x"), ("Accept", "application/json")])).await.unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.headers, vec![("X-Total".to_string(), "1".to_string())]);
        let seen = transport.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].0, "https://api.shop.example/p");
        assert_eq!(seen[0].1, vec![("Accept".to_string(), "application/json".to_string()), ("authorization".to_string(), "Bearer s3cret".to_string())]);
        assert_eq!(seen[1].0, "https://cdn.shop.example/p.json");
        assert_eq!(seen[1].1, vec![("Accept".to_string(), "application/json".to_string())]);
    }

    #[tokio::test]
    async fn redirects_and_sizes_are_enforced_whatever_the_transport_does() {
        let transport = Scripted::new(vec![answer(301, &[("location", "http://169.254.169.254/latest/meta-data/")], "")]);
        let refused = gate(transport).send(get("https://api.shop.example/p", &[])).await;
        assert!(matches!(&refused, Err(HttpFailure::Denied(why)) if why.starts_with("redirect refused")), "{refused:?}");

        let transport = Scripted::new(vec![answer(200, &[], "more than sixteen bytes")]);
        let too_large = gate(transport).send(get("https://api.shop.example/p", &[])).await;
        assert_eq!(too_large.unwrap_err(), HttpFailure::TooLarge(16));
    }

    #[test]
    fn transport_requests_do_not_print_credentials() {
        let request = TransportRequest {
            method: reqwest::Method::GET,
            url: Url::parse("https://api.shop.example/").unwrap(),
            headers: vec![],
            credentials: vec![("authorization".into(), Secret::new("Bearer s3cret"))],
            body: None,
            timeout: Duration::from_secs(1),
            max_response_bytes: 1,
        };
        assert!(!format!("{request:?}").contains("s3cret"));
    }

    #[test]
    fn wildcard_hosts_match_subdomains_only() {
        let rule = AllowedHost::public("*.myshopify.com");
        assert!(rule.matches("demo.myshopify.com", 443));
        assert!(!rule.matches("myshopify.com", 443));
        assert!(!rule.matches("evilmyshopify.com", 443));
    }
}
